"""The summaries the store keeps (core.summaries), recomputed in the transaction that changes what is current —
every load and roll-back (store.history.record_load, store.writes.rollback) — so a reader never sees one stale. A
database whose rows were written by other means (tests, bench/) calls `refresh` after them, as it calls
`history.fill`; `migrate` (re)creates them whenever it applied a migration or one is missing."""

from __future__ import annotations

from core.summaries import PER_SUBMISSION, PLAN_YEARS, SUMMARIES


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


#: up to how many plans a change's summaries are recomputed plan by plan (beyond: whole, but the cube)
_FEW_PLANS = 8
#: what a change touched: (country, plan; '' for none) and the submission of its rows
Touched = list[tuple[str, str, int]]


def refresh(con, touched: Touched | None = None) -> None:
    """Recompute the kept summaries from the current rows (inside the caller's transaction): every row of each, or,
    given what a load or roll-back `touched`, only what those rows are in: the cube's and rollup's rows of their
    submissions (they are kept per submission: a load recomputes the rows of the file it adds and of the files whose
    lines it retires, not its whole plan), the other summaries' rows of their countries' plans (a summary's row is of
    one country's plan), read from the cube and rollup first refreshed."""
    if touched is None:
        for name, sql in SUMMARIES.items():
            con.execute(f"DELETE FROM {name}")
            con.execute(f"INSERT INTO {name} {sql}")
        return
    if not touched:
        return
    plans = sorted({(country, plan) for country, plan, _ in touched})
    submissions = ", ".join(str(int(s)) for s in sorted({s for _, _, s in touched}))  # numbers, written inline
    # equalities, not an IN over (country, plan) pairs: DuckDB pushes them into the scan (0.05 s, not 0.65 s, at
    # 10 M lines); but planning a long chain of them costs more than recomputing small summaries whole (a batch of
    # the 22 UN INFO exports touches 115 plans: 1 s, not 0.02 s)
    of_plans = " OR ".join(["(coalesce(country, '') = ? AND coalesce(plan, '') = ?)"] * len(plans))
    values = [v for pair in plans for v in pair]
    for name, sql in SUMMARIES.items():
        if name in PER_SUBMISSION:
            rows, params = f"submission_id IN ({submissions})", []
        elif len(plans) <= _FEW_PLANS:
            rows, params = of_plans, values
        else:
            rows, params = "TRUE", []
        con.execute(f"DELETE FROM {name} WHERE {rows}", params)
        con.execute(f"INSERT INTO {name} SELECT * FROM ({sql}) WHERE {rows}", params)


def touched_rows(con, table: str, rows: str, params: list) -> Touched:
    """What the rows of `table` matching `rows` (with `params`) are in: (country, plan; '' for none, submission)."""
    return [
        (country, plan, submission)
        for country, plan, submission in con.execute(
            f"SELECT DISTINCT coalesce(country, ''), coalesce(plan, ''), submission_id FROM {table} WHERE {rows}",
            params,
        ).fetchall()
    ]


def as_of_sql(kept: bool, defined: dict[str, str]) -> list[str]:
    """The statements making each summary a temporary one computed over the views of an earlier moment (run after
    those views are made, on the same cursor), in `defined`'s definition where it gives one (the cube and rollup:
    history).
    With `kept` (a Session's many reads) the plans' years — which nearly every read needs — are computed once into
    a temporary table; the rest stay views, computed when read."""
    kind = {name: "TABLE" if kept and name == PLAN_YEARS else "VIEW" for name in SUMMARIES}
    return [
        f"CREATE OR REPLACE TEMP {kind[name]} {name} AS {defined.get(name, sql)}" for name, sql in SUMMARIES.items()
    ]
