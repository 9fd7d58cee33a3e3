"""Schema migrations: one registered function per version (as sqlite-utils does), applied in order by `migrate`.

The database records the versions it has in `schema_migrations`; opening it writable applies the missing ones,
each in its own transaction, then (re)creates the views of the query surface (core.schema declares them).
A new dataset kind, or any change to the tables, is a new `@migration(next version, "what it does")` function
at the end of this file; a released migration is never edited (databases out there have applied it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from core.entities import SHIPPED_ENTITIES
from core.schema import DATASETS
from store import history, summaries
from store.transactions import abandon
from store.views import VIEWS


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


#: the migrations by version, in the order they are applied
MIGRATIONS: dict[int, Migration] = {}


def migration(version: int, description: str):
    """Register the decorated function as the schema change `version` (the next number after the last one)."""

    def register(apply: Callable[[duckdb.DuckDBPyConnection], None]):
        if version != len(MIGRATIONS) + 1:
            raise ValueError(f"migration {version} ({description}) after {len(MIGRATIONS)}: versions go 1, 2, 3, …")
        MIGRATIONS[version] = Migration(version, description, apply)
        return apply

    return register


_VERSION_COLUMNS = "submission_id BIGINT NOT NULL, current BOOLEAN NOT NULL DEFAULT TRUE, replaced_by BIGINT"


@migration(1, "initial schema")
def _initial_schema(con) -> None:
    for sql in (
        "CREATE SEQUENCE IF NOT EXISTS submission_seq START 1",
        """CREATE TABLE entities (
            code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, aliases VARCHAR[] NOT NULL DEFAULT [],
            origin VARCHAR NOT NULL DEFAULT 'shipped', added_at TIMESTAMP DEFAULT current_timestamp)""",
        """CREATE TABLE plans (
            country VARCHAR, plan VARCHAR NOT NULL, first_submission_id BIGINT,
            PRIMARY KEY (country, plan))""",
        """CREATE TABLE submission_log (
            submission_id BIGINT PRIMARY KEY, kind VARCHAR, layout VARCHAR, file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL, user_name VARCHAR, agency VARCHAR, plan VARCHAR, country VARCHAR,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp, rows_added INTEGER DEFAULT 0,
            rows_replaced INTEGER DEFAULT 0, rows_rejected INTEGER DEFAULT 0, status VARCHAR NOT NULL,
            warnings VARCHAR[] DEFAULT [], errors VARCHAR[] DEFAULT [], duplicate_of BIGINT,
            rolled_back_at TIMESTAMP, rolled_back_by VARCHAR)""",
        "CREATE TABLE submission_files (submission_id BIGINT PRIMARY KEY, content BLOB NOT NULL)",
        f"""CREATE TABLE suboutputs (
            country VARCHAR, plan VARCHAR, strategic_priority_code VARCHAR, strategic_priority VARCHAR,
            outcome_code VARCHAR, outcome_title VARCHAR, output_code VARCHAR, output_title VARCHAR,
            suboutput_code VARCHAR, suboutput_title VARCHAR, suboutput_id VARCHAR NOT NULL,
            suboutput_status VARCHAR, start_date DATE, end_date DATE, contributing_partners VARCHAR,
            sdg_goals VARCHAR, agency VARCHAR, joint BOOLEAN, {_VERSION_COLUMNS})""",
        f"""CREATE TABLE budget_lines (
            country VARCHAR, plan VARCHAR NOT NULL, strategic_priority_code VARCHAR, strategic_priority VARCHAR,
            outcome_code VARCHAR, outcome_title VARCHAR, output_code VARCHAR, output_title VARCHAR,
            suboutput_code VARCHAR, suboutput_title VARCHAR, suboutput_id VARCHAR, suboutput_status VARCHAR,
            start_date DATE, end_date DATE, contributing_partners VARCHAR, sdg_goals VARCHAR,
            agency VARCHAR, joint BOOLEAN NOT NULL DEFAULT FALSE, funding_source VARCHAR,
            year INTEGER NOT NULL, required DOUBLE, available DOUBLE, expenditure DOUBLE,
            currency VARCHAR NOT NULL DEFAULT 'USD', {_VERSION_COLUMNS})""",
        f"""CREATE TABLE indicator_rows (
            country VARCHAR, plan VARCHAR NOT NULL, indicator_code VARCHAR NOT NULL, indicator VARCHAR,
            result_code VARCHAR, unit VARCHAR, baseline DOUBLE, baseline_year INTEGER, target DOUBLE,
            target_year INTEGER, period VARCHAR NOT NULL, period_end DATE, actual DOUBLE, agency VARCHAR,
            means_of_verification VARCHAR, {_VERSION_COLUMNS})""",
        f"""CREATE TABLE action_rows (
            plan VARCHAR, source_type VARCHAR NOT NULL, source_title VARCHAR NOT NULL, recommendation_no VARCHAR,
            recommendation VARCHAR, management_response VARCHAR, action_no VARCHAR NOT NULL, action VARCHAR,
            responsible VARCHAR, agency VARCHAR, deadline DATE, status VARCHAR NOT NULL, comments VARCHAR,
            as_of DATE, {_VERSION_COLUMNS})""",
        """CREATE TABLE users (
            user_name VARCHAR PRIMARY KEY, email VARCHAR, role VARCHAR NOT NULL, agencies VARCHAR[] DEFAULT [],
            password_hash VARCHAR, created_at TIMESTAMP DEFAULT current_timestamp)""",
    ):
        con.execute(sql)
    # the shipped entity list in one statement (row by row, it was most of a new database's creation)
    con.execute(
        "INSERT INTO entities (code, name, aliases, origin) SELECT unnest(?), unnest(?), unnest(?), 'shipped'",
        [
            [e.code for e in SHIPPED_ENTITIES],
            [e.name for e in SHIPPED_ENTITIES],
            [list(e.aliases) for e in SHIPPED_ENTITIES],
        ],
    )


@migration(2, "indicators take their plan's country")
def _indicators_take_country(con) -> None:
    """No table changes: applying it recreates the views (indicator_values gained the plan's country)."""


@migration(3, "indirect costs of a budget (programme support cost, administrative agent fee)")
def _indirect_costs(con) -> None:
    con.execute(f"""CREATE TABLE indirect_cost_rows (
        country VARCHAR, plan VARCHAR NOT NULL, year INTEGER, agency VARCHAR, cost_type VARCHAR NOT NULL,
        label VARCHAR, rate DOUBLE, required DOUBLE, available DOUBLE, expenditure DOUBLE,
        currency VARCHAR NOT NULL DEFAULT 'USD', {_VERSION_COLUMNS})""")


@migration(4, "indicator and action rows store their country")
def _rows_store_country(con) -> None:
    """The country is stored at load (etl.load: the country rule), no longer derived in a view: a later load of a
    same-named plan in another country must never change how these rows are shown. Rows loaded before take the
    country the view derived: their plan's, when exactly one country has a plan of that name."""
    con.execute("ALTER TABLE action_rows ADD COLUMN IF NOT EXISTS country VARCHAR")
    for table in ("indicator_rows", "action_rows"):
        con.execute(f"""UPDATE {table} t SET country = p.country FROM (
                            SELECT plan, min(country) AS country FROM plans WHERE coalesce(country, '') <> ''
                            GROUP BY plan HAVING count(DISTINCT country) = 1) p
                        WHERE t.country IS NULL AND t.plan = p.plan""")


@migration(5, "when each row was shown (figures as of a date)")
def _row_visibility(con) -> None:
    """store.history: when each group of rows was shown, filled from the log for the rows loaded before."""
    con.execute(history.CREATE)
    history.fill(con)


@migration(6, "closed periods")
def _closed_periods(con) -> None:
    """store.periods: every closing and reopening of a plan's year or quarter (no key or sequence: DuckLake too)."""
    con.execute("""CREATE TABLE IF NOT EXISTS period_log (
        country VARCHAR NOT NULL, plan VARCHAR NOT NULL, year INTEGER NOT NULL, quarter INTEGER,
        action VARCHAR NOT NULL, user_name VARCHAR, changed_at TIMESTAMP NOT NULL)""")


@migration(7, "costed work plans: an action's planned cost, funds secured, their source, its group and currency")
def _costed_actions(con) -> None:
    """Rows loaded before have none of these: NULL, never zero (a deliverable without a cost is not costed)."""
    for column, sql_type in (
        ("planned_cost", "DOUBLE"),
        ("funded", "DOUBLE"),
        ("funding_source", "VARCHAR"),
        ("work_group", "VARCHAR"),
        ("currency", "VARCHAR"),
    ):
        con.execute(f"ALTER TABLE action_rows ADD COLUMN IF NOT EXISTS {column} {sql_type}")


@migration(8, "when a submission's data were reported: the export's or file's date, and where it comes from")
def _reported_on(con) -> None:
    """etl.reported: a UN INFO export's date, a date the file states, or the workbook's saved date, per submission;
    the `submissions` view shows them as nullable columns (NULL: dated by its load, as every submission loaded
    before). A table of its own, not columns added to submission_log: DuckDB 1.5 cannot replay from its write-ahead
    log an ALTER TABLE … ADD COLUMN on a table with a function default (`created_at … DEFAULT current_timestamp`),
    so a process stopped before its next checkpoint would leave a database that no longer opens."""
    con.execute("""CREATE TABLE IF NOT EXISTS submission_dates (
        submission_id BIGINT NOT NULL, reported_on DATE NOT NULL, reported_from VARCHAR NOT NULL)""")


@migration(9, "the store's version")
def _store_version(con) -> None:
    """Bumped by every write transaction (store.transactions.write_transaction): the data version every process's
    caches read, and the one row that makes two concurrent writes to a shared store conflict, so they run one after
    the other."""
    con.execute("CREATE TABLE store_version (version BIGINT NOT NULL)")
    con.execute("INSERT INTO store_version VALUES (1)")


@migration(10, "summaries kept by the store: the budget cube, each plan's years, each dataset's scope")
def _summaries(con) -> None:
    """No table changes here: `migrate` creates the summaries (core.summaries) once the views are (re)created — they
    are computed over the views, which a later migration may change — and recreates them after every migration."""


@migration(11, "the budget cube's rollup without the funding source, which most budget reads read")
def _rollup(con) -> None:
    """No table changes: `migrate` recreates every summary (core.summaries) after it, the rollup among them."""


#: the newest schema version (a database opened read-only must already have it)
SCHEMA_VERSION = max(MIGRATIONS)


class _Adapted:
    """A connection whose statements pass through `ddl` first (a shared store's limits: store.lake.ddl); a
    statement `ddl` maps to None is skipped."""

    def __init__(self, con: duckdb.DuckDBPyConnection, ddl: Callable[[str], str | None]) -> None:
        self.con, self.ddl = con, ddl

    def execute(self, sql: str, *params):
        adapted = self.ddl(sql)
        return self.con if adapted is None else self.con.execute(adapted, *params)


def migrate(con: duckdb.DuckDBPyConnection, ddl: Callable[[str], str | None] | None = None) -> None:
    """Bring the database to the newest schema in place; each migration in its own transaction, then the views.
    `ddl` adapts each statement to the store (store.lake.ddl for DuckLake's limits)."""
    adapted: Any = _Adapted(con, ddl) if ddl else con
    adapted.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "description VARCHAR, applied_at TIMESTAMP DEFAULT current_timestamp)"
    )
    done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    for step in MIGRATIONS.values():
        if step.version in done:
            continue
        con.execute("BEGIN")
        try:
            step.apply(adapted)
            con.execute(
                "INSERT INTO schema_migrations (version, description) VALUES (?, ?)", [step.version, step.description]
            )
            con.execute("COMMIT")
        except Exception as exc:
            abandon(con, exc)
            raise
    current_views = {n for (n,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    if not {d.view.name for d in DATASETS.values()} <= current_views or done != set(MIGRATIONS):
        for sql in VIEWS:
            con.execute(sql)
    if done != set(MIGRATIONS) or summaries.missing(con):  # computed over the views as they are now
        con.execute("BEGIN")
        try:
            summaries.create(con)
            con.execute("COMMIT")
        except Exception as exc:
            abandon(con, exc)
            raise
