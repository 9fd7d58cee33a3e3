"""What the store keeps computed from the fact tables, refreshed in the transaction that changes what is current
(every load and roll-back: store.history.record_load, store.writes.rollback), so a reader never sees it stale: each
country's plans and their years (core.plans). A database whose rows were written by other means (tests, bench/)
calls `refresh` after them, as it calls `history.fill`."""

from __future__ import annotations

from core.plans import PLAN_SPANS, PLAN_YEARS

#: no key or sequence: the table works on DuckLake too
CREATE = f"""CREATE TABLE IF NOT EXISTS {PLAN_YEARS} (
    country VARCHAR NOT NULL, plan VARCHAR NOT NULL, first_year INTEGER, last_year INTEGER)"""


def refresh(con) -> None:
    """Recompute the kept summaries from the current rows (inside the caller's transaction)."""
    con.execute(f"DELETE FROM {PLAN_YEARS}")
    con.execute(f"INSERT INTO {PLAN_YEARS} {PLAN_SPANS}")


def as_of_sql(kept: bool) -> str:
    """The statement making `plan_years` a temporary one computed over the views of an earlier moment (created
    after them, on the same cursor): a table when `kept` (a Session's many reads), else a view."""
    kind = "TABLE" if kept else "VIEW"
    return f"CREATE OR REPLACE TEMP {kind} {PLAN_YEARS} AS {PLAN_SPANS}"
