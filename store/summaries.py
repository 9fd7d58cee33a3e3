"""The summaries the store keeps (core.summaries), recomputed in the transaction that changes what is current —
every load and roll-back (store.history.record_load, store.writes.rollback) — so a reader never sees one stale. A
database whose rows were written by other means (tests, bench/) calls `refresh` after them, as it calls
`history.fill`; `migrate` (re)creates them whenever it applied a migration or one is missing."""

from __future__ import annotations

from core.summaries import PLAN_YEARS, SUMMARIES


def create(con) -> None:
    """(Re)create every summary from the current views (after `migrate` has (re)created them)."""
    for name, sql in SUMMARIES.items():
        con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")


def missing(con) -> bool:
    """Whether a summary table is missing (a database migrated before they were kept, or by an older version)."""
    have = {
        n
        for (n,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary"
        ).fetchall()
    }
    return not set(SUMMARIES) <= have


def refresh(con) -> None:
    """Recompute every kept summary from the current rows (inside the caller's transaction)."""
    for name, sql in SUMMARIES.items():
        con.execute(f"DELETE FROM {name}")
        con.execute(f"INSERT INTO {name} {sql}")


def as_of_sql(kept: bool) -> list[str]:
    """The statements making each summary a temporary one computed over the views of an earlier moment (run after
    those views are made, on the same cursor). With `kept` (a Session's many reads) the plans' years — which nearly
    every read needs — are computed once into a temporary table; the rest stay views, computed when read."""
    return [
        f"CREATE OR REPLACE TEMP {'TABLE' if kept and name == PLAN_YEARS else 'VIEW'} {name} AS {sql}"
        for name, sql in SUMMARIES.items()
    ]
