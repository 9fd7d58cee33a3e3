"""Closed periods: after the annual review an administrator closes a plan's year (or a quarter of it), and no load
or roll-back may change its figures until it is reopened (README: Closed periods).

`period_log` (schema migration 6) records every closing and reopening (who, when, UTC); a period is closed while its
latest entry says so. What lies in a closed period of country C, plan P, year Y (quarter Q):
- a budget line of C, P and year Y, and an indirect cost of C and P for Y or for no year — a year's closing only:
  budget figures are annual;
- an indicator value of C and P whose period ends in Y (in its quarter Q);
- an action of C and P whose deadline or as-of date is in Y (in its quarter Q).
A load changes a period when a row it adds or a row it would retire lies in it; a roll-back, when a row it shows or a
row it replaced (and would show again) lies in it. Either is refused whole, naming who closed the period, when, and
how to reopen it.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass

from core.errors import RollbackError
from core.schema import PLAN_COUNTRIES, REPLACE_SCOPE
from store import history
from store.transactions import write_transaction

#: the periods closed now: each (country, plan, year, quarter) whose latest entry is a closing
CLOSED = """SELECT country, plan, year, quarter, user_name, changed_at FROM (
    SELECT *, row_number() OVER (PARTITION BY country, plan, year, quarter
                                 ORDER BY changed_at DESC, action = 'closed') AS n
    FROM period_log) WHERE n = 1 AND action = 'closed'"""

#: per fact table: the condition that its row `r` lies in closed period `p` (README, and this module's docstring)
_WITHIN = {
    "budget_lines": "p.quarter IS NULL AND r.year = p.year",
    "indirect_cost_rows": "p.quarter IS NULL AND coalesce(r.year = p.year, TRUE)",
    "indicator_rows": "year(r.period_end) = p.year AND coalesce(quarter(r.period_end) = p.quarter, TRUE)",
    "action_rows": """(year(r.deadline) = p.year AND coalesce(quarter(r.deadline) = p.quarter, TRUE)
                       OR year(r.as_of) = p.year AND coalesce(quarter(r.as_of) = p.quarter, TRUE))""",
}


class PeriodError(ValueError):
    """A period that cannot be closed or reopened as asked; the text says why."""


class PeriodClosed(RollbackError):
    """A roll-back that would change a closed period (a load is refused with an error in its file's list)."""


@dataclass(frozen=True)
class Period:
    country: str
    plan: str
    year: int
    quarter: int | None = None

    def __str__(self) -> str:
        return f"{self.plan} ({self.country}) {self.year}" + (f" Q{self.quarter}" if self.quarter else "")

    def command(self, verb: str) -> str:
        return (
            f"python -m etl {verb} --country {shlex.quote(self.country)} --plan {shlex.quote(self.plan)} "
            f"--year {self.year}" + (f" --quarter {self.quarter}" if self.quarter else "")
        )


def closed_by(period: Period, user: str | None, at: dt.datetime) -> str:
    """'UNSDCF 2023-2027 (Kenya) 2025, closed by vera on 2026-01-20 09:30 UTC. To change it, an administrator
    reopens it first: python -m etl reopen … (or on the Closed periods page)'"""
    return (
        f"{period}, closed by {user or 'an unnamed user'} on {at:%Y-%m-%d %H:%M} UTC. To change it, "
        f"an administrator reopens it first: {period.command('reopen')} (or on the Closed periods page)"
    )


def closed(con) -> list[dict]:
    """The periods closed now, with who closed them and when, by country, plan, year and quarter."""
    cur = con.cursor()
    rows = cur.execute(f"{CLOSED} ORDER BY country, plan, year, quarter NULLS FIRST").fetchall()
    return [dict(zip(("country", "plan", "year", "quarter", "user_name", "changed_at"), r)) for r in rows]


def log(con) -> list[dict]:
    """Every closing and reopening, latest first."""
    rows = (
        con.cursor()
        .execute(
            "SELECT changed_at, action, country, plan, year, quarter, user_name FROM period_log "
            "ORDER BY changed_at DESC, action"
        )
        .fetchall()
    )
    return [dict(zip(("changed_at", "action", "country", "plan", "year", "quarter", "user_name"), r)) for r in rows]


def _state(con, period: Period) -> tuple | None:
    """(user, at) of the closing when `period` is closed now, else None."""
    return con.execute(
        f"""SELECT user_name, changed_at FROM ({CLOSED}) WHERE country = ? AND plan = ? AND year = ?
                           AND quarter IS NOT DISTINCT FROM ?""",
        [period.country, period.plan, period.year, period.quarter],
    ).fetchone()


def close(con, period: Period, user: str | None = None) -> None:
    """Close a period of a plan of a country (known in the data); recorded in period_log, in a write transaction
    (on a shared store, after any load another process is committing: a load never slips into a closed period)."""
    if period.quarter is not None and period.quarter not in (1, 2, 3, 4):
        raise PeriodError(f"Quarter {period.quarter} does not exist: a quarter is 1, 2, 3 or 4.")

    def write(con) -> None:
        plans = [
            p
            for (p,) in con.execute(
                f"SELECT DISTINCT plan FROM ({PLAN_COUNTRIES}) WHERE country = ? ORDER BY 1", [period.country]
            ).fetchall()
        ]
        if period.plan not in plans:
            raise PeriodError(
                f"There is no plan {period.plan!r} in {period.country}: "
                + (
                    f"its plans are {', '.join(repr(p) for p in plans)}."
                    if plans
                    else "the data have no plan in that country."
                )
            )
        found = _state(con, period)
        if found:
            raise PeriodError(
                f"{period} is already closed (closed by {found[0] or 'an unnamed user'} on "
                f"{found[1]:%Y-%m-%d %H:%M} UTC): nothing changed."
            )
        _record(con, period, "closed", user)

    write_transaction(con, write)


def reopen(con, period: Period, user: str | None = None) -> None:
    """Reopen a closed period; recorded in period_log (in a write transaction)."""

    def write(con) -> None:
        if _state(con, period) is None:
            raise PeriodError(f"{period} is not closed: nothing changed.")
        _record(con, period, "reopened", user)

    write_transaction(con, write)


def _record(con, period: Period, action: str, user: str | None) -> None:
    con.execute(
        "INSERT INTO period_log VALUES (?, ?, ?, ?, ?, ?, ?)",
        [period.country, period.plan, period.year, period.quarter, action, user, history.now()],
    )


# ---------------------------------------------------------------- what a load or a roll-back would change


def _hits(cur, rows: dict[str, str]) -> list[tuple]:
    """The closed periods that rows lie in: `rows` maps a fact table to SQL of rows with its columns. Per period,
    (country, plan, year, quarter, user, at, rows in it), in order."""
    parts = [
        f"""SELECT p.country, p.plan, p.year, p.quarter, p.user_name, p.changed_at, count(*) AS n
                 FROM ({sql}) r JOIN ({CLOSED}) p ON r.country = p.country AND r.plan = p.plan AND {_WITHIN[table]}
                 GROUP BY ALL"""
        for table, sql in rows.items()
    ]
    return cur.execute(f"""SELECT country, plan, year, quarter, user_name, changed_at, sum(n)::BIGINT
                           FROM ({" UNION ALL ".join(parts)}) GROUP BY ALL
                           ORDER BY country, plan, year, quarter NULLS FIRST""").fetchall()


def _message(hit: tuple, what: str) -> str:
    country, plan, year, quarter, user, at, n = hit
    return f"{what} {n:,} row(s) of {closed_by(Period(country, plan, year, quarter), user, at)}"


def check_load(cur, ds, submission_id: int | None = None) -> None:
    """Inside the load's transaction, once its rows are staged (etl.load): an error on `ds` for each closed period a
    row it adds or a row it would retire lies in (`submission_id`: this UN INFO file's, in a batch)."""
    if cur.execute("SELECT count(*) FROM period_log").fetchone()[0] == 0:
        return
    if ds.layout == "uninfo":
        assert submission_id is not None  # a UN INFO export is checked by its own submission in its batch
        sid = int(submission_id)
        rows = {
            "budget_lines": f"""SELECT country, plan, year FROM staged WHERE sid = {sid}
            UNION ALL SELECT t.country, t.plan, t.year FROM budget_lines t
            WHERE t.current AND t.suboutput_id IN (SELECT suboutput_id FROM staged_suboutputs WHERE sid = {sid})"""
        }
    else:
        table, same_scope = REPLACE_SCOPE[ds.kind]
        retired = f"SELECT t.* FROM {table} t WHERE t.current AND EXISTS (SELECT 1 FROM staged s WHERE {same_scope})"
        rows = {table: f"SELECT * EXCLUDE (_n) FROM staged UNION ALL BY NAME ({retired})"}
        if ds.kind == "budget":
            table, same_scope = REPLACE_SCOPE["indirect_costs"]
            scope = (
                "(SELECT plan, country, agency, year FROM staged "
                "UNION ALL SELECT plan, country, agency, year FROM staged_indirect)"
            )
            rows[table] = f"""SELECT country, plan, year FROM staged_indirect UNION ALL
                SELECT t.country, t.plan, t.year FROM {table} t
                WHERE t.current AND EXISTS (SELECT 1 FROM {scope} s WHERE {same_scope})"""
    for hit in _hits(cur, rows):
        ds.error(None, None, None, None, _message(hit, "it would change"), code="period_closed")


def check_rollback(con, submission_id: int) -> None:
    """Refuse (PeriodClosed) a roll-back whose rows shown now, or the rows it replaced, lie in a closed period."""
    if con.execute("SELECT count(*) FROM period_log").fetchone()[0] == 0:
        return
    rows = {
        table: f"SELECT * FROM {table} WHERE (current AND submission_id = {int(submission_id)}) "
        f"OR replaced_by = {int(submission_id)}"
        for table in _WITHIN
    }
    hits = _hits(con, rows)
    if hits:
        raise PeriodClosed(
            f"Submission {submission_id} cannot be rolled back: "
            + "; ".join(_message(hit, "it would change") for hit in hits)
            + "."
        )
