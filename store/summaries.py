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


def refresh(con, plans: list[tuple[str, str]] | None = None) -> None:
    """Recompute the kept summaries from the current rows (inside the caller's transaction): every row of each (a
    summary's rows are each of one country's plan), or, given `plans`, only the rows of those (country, plan; ''
    for none) — what a load or roll-back changed (at 10 M lines a plan's part of the cube is recomputed in a tenth
    of the time of the whole)."""
    if plans is None:
        for name, sql in SUMMARIES.items():
            con.execute(f"DELETE FROM {name}")
            con.execute(f"INSERT INTO {name} {sql}")
        return
    plans = sorted(set(plans))
    if not plans:
        return
    # equalities, not an IN over (country, plan) pairs: DuckDB pushes them into the scan (0.05 s, not 0.65 s)
    touched = " OR ".join(["(coalesce(country, '') = ? AND coalesce(plan, '') = ?)"] * len(plans))
    values = [v for pair in plans for v in pair]
    for name, sql in SUMMARIES.items():
        con.execute(f"DELETE FROM {name} WHERE {touched}", values)
        con.execute(f"INSERT INTO {name} SELECT * FROM ({sql}) WHERE {touched}", values)


def plans_of(con, table: str, rows: str, params: list) -> list[tuple[str, str]]:
    """(country, plan; '' for none) of the rows of `table` matching `rows` (with `params`): what a change touched."""
    return [
        tuple(r)
        for r in con.execute(
            f"SELECT DISTINCT coalesce(country, ''), coalesce(plan, '') FROM {table} WHERE {rows}", params
        ).fetchall()
    ]


def as_of_sql(kept: bool, defined: dict[str, str]) -> list[str]:
    """The statements making each summary a temporary one computed over the views of an earlier moment (run after
    those views are made, on the same cursor), in `defined`'s definition where it gives one (the cube: history).
    With `kept` (a Session's many reads) the plans' years — which nearly every read needs — are computed once into
    a temporary table; the rest stay views, computed when read."""
    kind = {name: "TABLE" if kept and name == PLAN_YEARS else "VIEW" for name in SUMMARIES}
    return [
        f"CREATE OR REPLACE TEMP {kind[name]} {name} AS {defined.get(name, sql)}" for name, sql in SUMMARIES.items()
    ]
