"""Figures as they stood at a moment: when each fact row was shown, and the views as of a moment.

Every change of what is current (a load, a roll-back) records, in the same transaction, the moment rows began or
stopped being shown (`row_visibility`, UTC). Rows are recorded by group: the rows of one submission with the same
scope columns (`GROUP_COLUMNS`: sub-output ID, plan, source, country, agency, year, period, those the table has).
The loads' and roll-backs' rules (core.schema.REPLACE_SCOPE, UN INFO by sub-output ID) read only those columns, so the
rows of a group are always current together; and a row's rowid cannot name it (DuckDB gives rows inserted in an
open transaction temporary ones). A group may be shown more than once (replaced, then shown again when the
replacing submission is rolled back): one interval each time.

The views as of a moment are the views of SPEC §9 (`store.views.VIEWS`) over the rows shown then, made temporary
views of the same names on a cursor (`AsOf.cursor`), so every read of `analytics` runs unchanged. Without an as-of date
nothing here is read: the views of current rows stay exactly as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

import duckdb

from core.schema import FIGURES_DAY, REPLACE_SCOPE
from core.summaries import PER_SUBMISSION
from store import summaries
from store.views import VIEWS

#: the versioned fact tables, and the view of SPEC §9 over each (store.views.VIEWS)
TABLES = {
    "budget_lines": "budget",
    "suboutputs": "suboutput_list",
    "indicator_rows": "indicator_values",
    "action_rows": "actions",
    "indirect_cost_rows": "indirect_costs",
}
#: the columns naming a group of rows (besides the submission), per table: the scope columns it has
_SCOPE = ("suboutput_id", "plan", "source_title", "country", "agency", "year", "period")
GROUP_COLUMNS = {
    "budget_lines": ("suboutput_id", "plan", "country", "agency", "year"),
    "suboutputs": ("suboutput_id", "plan", "country", "agency"),
    "indicator_rows": ("plan", "country", "agency", "period"),
    "action_rows": ("plan", "source_title", "country", "agency"),
    "indirect_cost_rows": ("plan", "country", "agency", "year"),
}

#: no PRIMARY KEY, UNIQUE or sequence: the table works on DuckLake too
CREATE = """CREATE TABLE IF NOT EXISTS row_visibility (
    tbl VARCHAR NOT NULL, submission_id BIGINT NOT NULL, suboutput_id VARCHAR, plan VARCHAR, source_title VARCHAR,
    country VARCHAR, agency VARCHAR, year INTEGER, period VARCHAR, shown_from TIMESTAMP NOT NULL,
    shown_until TIMESTAMP)"""


def _groups(table: str, prefix: str = "") -> str:
    """The group columns of `table` in row_visibility's column order, NULL for those it lacks."""
    have = GROUP_COLUMNS[table]
    return ", ".join(f"{prefix}{c}" if c in have else "NULL" for c in _SCOPE)


def _same_group(table: str) -> str:
    """Row `r` of `table` is in group `v` of row_visibility."""
    return " AND ".join(
        ["v.submission_id = r.submission_id", *(f"v.{c} IS NOT DISTINCT FROM r.{c}" for c in GROUP_COLUMNS[table])]
    )


def now() -> dt.datetime:
    """The moment of a change: UTC, without a time zone (as row_visibility keeps it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def end_of_day(day: dt.date) -> dt.datetime:
    """A date as a moment: the end of that day, UTC (every change made that day counts)."""
    return dt.datetime.combine(day, dt.time.max)


# ---------------------------------------------------------------- recording changes (inside the writer's transaction)


def record_load(con, submission_ids: list[int], at: dt.datetime | None = None) -> None:
    """After a load's writes: the rows it made current are shown from `at`; the rows it retired, until `at`.
    (Rows of a batch replaced by a later file of the same batch were never shown: they get no interval.)"""
    at = at or now()
    ids = [int(s) for s in submission_ids]
    touched: summaries.Touched = []  # the rows it showed or retired
    for table in TABLES:
        touched += summaries.touched_rows(
            con, table, "list_contains($1::BIGINT[], submission_id) OR list_contains($1::BIGINT[], replaced_by)", [ids]
        )
        _close(con, table, at, "NOT current AND list_contains($2::BIGINT[], replaced_by)", ids)
        con.execute(
            f"""INSERT INTO row_visibility SELECT DISTINCT ?, submission_id, {_groups(table)}, ?, NULL
                        FROM {table} WHERE current AND list_contains(?::BIGINT[], submission_id)""",
            [table, at, ids],
        )
    summaries.refresh(con, touched)


def record_rollback(con, table: str, submission_id: int, at: dt.datetime) -> None:
    """Inside `store.rollback`, for one table, once its rows are hidden and `rollback_next` says which rows it had
    replaced come back (next_id NULL): the hidden rows are shown until `at`, the restored ones from `at`."""
    _close(con, table, at, "submission_id = $2", submission_id)
    con.execute(
        f"""INSERT INTO row_visibility SELECT DISTINCT ?, submission_id, {_groups(table)}, ?, NULL
                    FROM {table} WHERE rowid IN (SELECT row_id FROM rollback_next WHERE next_id IS NULL)""",
        [table, at],
    )


def _close(con, table: str, at: dt.datetime, rows: str, value: object) -> None:
    """The open intervals of the groups of `table`'s rows matching `rows` (in which `$2` is `value`) end at `at`."""
    con.execute(
        f"""UPDATE row_visibility v SET shown_until = $1
                    FROM (SELECT DISTINCT submission_id, {", ".join(GROUP_COLUMNS[table])} FROM {table} WHERE {rows}) r
                    WHERE v.tbl = $3 AND v.shown_until IS NULL AND {_same_group(table)}""",
        [at, value, table],
    )


# ---------------------------------------------------------------- filling it for a database written before it existed


def _later(table: str) -> str:
    """SQL: for the retired row `t` of `table`, when the first submission loaded after its own (committed or
    rolled back since) that claims its scope was loaded: when the row stopped being shown, as far as the log says.
    The scopes are the loads' (core.schema.REPLACE_SCOPE; UN INFO rows by sub-output ID)."""
    loaded = (
        "JOIN submission_log q ON q.submission_id = s.submission_id AND q.status IN ('committed', 'rolled_back') "
        "AND q.submission_id > t.submission_id"
    )
    by_id = f"(SELECT min(q.created_at) FROM suboutputs s {loaded} WHERE s.suboutput_id = t.suboutput_id)"
    canonical = "q.layout IS DISTINCT FROM 'uninfo'"
    if table == "suboutputs":
        return by_id
    if table == "indirect_cost_rows":
        scope = REPLACE_SCOPE["indirect_costs"][1]
        return (
            f"least((SELECT min(q.created_at) FROM budget_lines s {loaded} WHERE {canonical} AND {scope}), "
            f"(SELECT min(q.created_at) FROM indirect_cost_rows s {loaded} WHERE {scope}))"
        )
    kind = {"budget_lines": "budget", "indicator_rows": "indicators", "action_rows": "actions"}[table]
    by_scope = f"(SELECT min(q.created_at) FROM {table} s {loaded} WHERE {canonical} AND {REPLACE_SCOPE[kind][1]})"
    return f"least({by_scope}, {by_id})" if table == "budget_lines" else by_scope


def fill(con) -> None:
    """Fill `row_visibility` from the fact tables and the submission log (the schema migration that adds it; a
    database built by other means, e.g. bench/). As well as the log allows: a row is shown from its submission's
    load; a current row until now; another until its submission was rolled back or the first later submission of
    its scope was loaded, whichever came first. A row replaced, then shown again when the replacing submission was
    rolled back, is taken as shown from its load onwards (the log does not keep when it came back: README)."""
    local = "timezone('UTC', {}::TIMESTAMPTZ)"  # the log's times are the machine's local time
    for table, columns in GROUP_COLUMNS.items():
        until = local.format(f"coalesce(least(l.rolled_back_at, {_later(table)}), l.created_at)")
        con.execute(f"""INSERT INTO row_visibility
            SELECT '{table}', t.submission_id, {_groups(table, "t.")}, {local.format("l.created_at")},
                   CASE WHEN NOT t.current THEN {until} END
            FROM (SELECT DISTINCT submission_id, {", ".join(columns)}, current FROM {table}) t
            JOIN submission_log l ON l.submission_id = t.submission_id
            WHERE l.status IN ('committed', 'rolled_back')""")
    # a group taken as shown beyond its end (a later claim was loaded before its own load) is shown for no time
    con.execute("UPDATE row_visibility SET shown_until = shown_from WHERE shown_until < shown_from")


# ---------------------------------------------------------------- reading as of a moment


@dataclass(frozen=True)
class AsOf:
    """A connection whose cursors read the views as they stood at `moment` (UTC): what `analytics` reads through
    (`sql.frame`, `rows`, `record` each take a cursor). `day`, when set, is the date `moment` ends: an action is
    overdue when its deadline is before it, and its days late are counted to it."""

    con: duckdb.DuckDBPyConnection
    moment: dt.datetime
    day: dt.date | None = None

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self.con.cursor()
        day = self.day or self.moment.date()
        for sql in as_of_views(cur, self.moment, day):
            cur.execute(sql)
        cur.execute(f"SET VARIABLE {FIGURES_DAY} = DATE '{day.isoformat()}'")
        return cur


def as_of(con, day: dt.date | None):
    """`con` itself without a date (the current views, as fast as ever), else an AsOf at the end of `day`."""
    return con if day is None else AsOf(con, end_of_day(day), day)


def _parts(table: str, moment: dt.datetime, catalog: str) -> tuple[str, str]:
    """SQL of the two sets `shown_rows` reads: the submissions whose open intervals all began by `moment`, and the
    intervals the other rows are matched against."""
    stamp = f"TIMESTAMP '{moment.isoformat(sep=' ')}'"
    visibility = f"""(SELECT * FROM "{catalog}".main.row_visibility WHERE tbl = '{table}')"""
    open_by = (
        f"SELECT submission_id FROM {visibility} WHERE shown_until IS NULL GROUP BY submission_id "
        f"HAVING max(shown_from) <= {stamp}"
    )
    # the closed intervals holding the moment, and the open ones of the submissions that are not `open_by` (those
    # with an open interval begun after the moment): that few, not every open interval, is what the scan is driven by
    # (at 10 M lines 0.09 → 0.003 s: the submissions' numbers prune the scan of 3 M intervals)
    begun_after = f"SELECT submission_id FROM {visibility} WHERE shown_until IS NULL AND shown_from > {stamp}"
    holding = (
        f"SELECT * FROM {visibility} WHERE shown_until IS NOT NULL AND shown_from <= {stamp} AND shown_until > {stamp} "
        f"UNION ALL SELECT * FROM {visibility} WHERE shown_until IS NULL AND shown_from <= {stamp} "
        f"AND submission_id IN ({begun_after})"
    )
    return open_by, holding


def _kept_as_of(catalog: str, open_by: str, holding: str, name: str, columns: str) -> str:
    """SQL: a summary kept per submission (core.summaries.PER_SUBMISSION: the budget cube, its rollup; `columns` its
    groups) at a moment, as `shown_rows` answers for the lines: the kept rows of the submissions whose current lines
    are all shown then (`open_by`: its rows are those lines' partial sums), and the other shown lines, one line a
    row (the reads sum the rows again: the same figures)."""
    lines = f'"{catalog}".main.budget_lines'
    return f"""SELECT {columns}, required, available, expenditure, _lines FROM "{catalog}".main.{name}
                   WHERE submission_id IN (SELECT submission_id FROM {open_by})
               UNION ALL
               SELECT {", ".join(f"r.{c.strip()}" for c in columns.split(","))}, r.required, r.available,
                      r.expenditure, 1::BIGINT
               FROM {lines} r SEMI JOIN {holding} v ON {_same_group("budget_lines")}
               WHERE NOT (r.current AND r.submission_id IN (SELECT submission_id FROM {open_by}))"""


def shown_rows(table: str, catalog: str, open_by: str, holding: str) -> str:
    """SQL: the rows of `table` shown at a moment, those whose group has an interval holding it. Joining every row
    with every group takes seconds at 10 M lines, so most rows are answered by their submission alone: a current
    row's group has exactly one interval still open (and a row that is no longer current, none), so the current rows
    of a submission whose open intervals all began by the moment (`open_by`) are shown — an `IN` on a few hundred
    ids. Only the other rows are matched group by group, against the intervals that can still hold them (`holding`):
    the closed ones holding the moment, and the open ones of the other submissions (shown, hidden, shown again after
    the moment). `open_by` and `holding` are queries or tables (`_parts`)."""
    source = f'"{catalog}".main.{table}'
    return f"""(SELECT * FROM {source} WHERE current AND submission_id IN (SELECT submission_id FROM {open_by})
                UNION ALL
                SELECT r.* FROM {source} r SEMI JOIN {holding} v ON {_same_group(table)}
                WHERE NOT (r.current AND r.submission_id IN (SELECT submission_id FROM {open_by})))"""


def as_of_views(con, moment: dt.datetime, day: dt.date, kept: bool = False) -> list[str]:
    """The statements making each view of SPEC §9 a temporary view of the rows shown at `moment` (same name, same
    columns: store.views.VIEWS with its table's `WHERE current` replaced by `shown_rows`). `kept`: the two sets
    `shown_rows` reads are computed once into temporary tables first (a `Session`'s many reads), else in each read;
    then the kept summaries (core.summaries) over those views."""
    catalog = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    out, defined = [], {}
    for sql in VIEWS:
        for table in TABLES:
            if f"FROM {table} WHERE current" in sql:
                open_by, holding = _parts(table, moment, catalog)
                if kept:
                    out += [
                        f"CREATE OR REPLACE TEMP TABLE as_of_open_{table} AS {open_by}",
                        f"CREATE OR REPLACE TEMP TABLE as_of_holding_{table} AS {holding}",
                    ]
                    open_by, holding = f"temp.as_of_open_{table}", f"temp.as_of_holding_{table}"
                else:
                    open_by, holding = f"({open_by})", f"({holding})"
                if table == "budget_lines":
                    for name, columns in PER_SUBMISSION.items():
                        defined[name] = _kept_as_of(catalog, open_by, holding, name, columns)
                out.append(
                    sql.replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMP VIEW")
                    .replace(f"FROM {table} WHERE current", f"FROM {shown_rows(table, catalog, open_by, holding)} r")
                    .replace("current_date", f"DATE '{day.isoformat()}'")
                )
    return [*out, *summaries.as_of_sql(kept, defined)]  # the kept summaries, over the views of that moment


class Session:
    """A run of reads in one thread (a meeting brief's) on one cursor, in one read transaction: every read sees the
    same state, even if a load commits meanwhile; and, with a `moment`, the views as they stood then, made once for
    all the reads (at 10 M lines, computing which submissions and intervals hold the moment once instead of in each
    read). Reads take it as a connection (`cursor()`); `close()` ends it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, moment: dt.datetime | None = None) -> None:
        self._cur = con.cursor()
        self._cur.execute("BEGIN TRANSACTION")
        if moment is not None:
            for sql in as_of_views(self._cur, moment, moment.date(), kept=True):
                self._cur.execute(sql)
            self._cur.execute(f"SET VARIABLE {FIGURES_DAY} = DATE '{moment.date().isoformat()}'")

    def cursor(self) -> _Kept:
        return _Kept(self._cur)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The session as the reads take a connection (all they do with it is `cursor()`)."""
        return cast(duckdb.DuckDBPyConnection, self)

    def close(self) -> None:
        try:
            self._cur.execute("ROLLBACK")  # it wrote nothing but its temporary tables
        finally:
            self._cur.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Kept:
    """A session's cursor as a read sees it: each read closes the cursor it took, which must outlive the read."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self._cur = cur

    def __getattr__(self, name: str):
        return getattr(self._cur, name)

    def close(self) -> None:
        """Kept open: the session closes it."""
