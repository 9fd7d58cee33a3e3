"""Action reads (view `actions`: recommendations and their key actions, work-plan deliverables): totals,
status counts by source, recommendation and agency, the overdue list and the ageing of open actions; the cost of
costed work plans (planned cost, funds secured, gap) and each deliverable's status change since a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import duckdb
import pandas as pd

from analytics import metrics
from analytics.filters import Filters, where
from analytics.identity import NOT_ASSIGNED, entity_names
from analytics.sql import Where, arrow, frame, record, rows
from core.schema import TODAY
from core.vocabulary import STATUSES

#: the six statuses (SPEC §3), in the order charts stack them
ACTION_STATUSES = STATUSES

#: days past the deadline on the day the figures are taken at (today, or the as-of date: store.history.AsOf)
DAYS_LATE = f"date_diff('day', deadline, {TODAY})"
AGEING_BUCKET = f"""CASE
    WHEN deadline IS NULL THEN 'No deadline'
    WHEN deadline >= {TODAY} THEN 'Not yet due'
    WHEN {DAYS_LATE} <= 90 THEN '1–90 days late'
    WHEN {DAYS_LATE} <= 180 THEN '91–180 days late'
    WHEN {DAYS_LATE} <= 365 THEN '181–365 days late'
    ELSE 'More than a year late' END"""
AGEING_BUCKETS = (
    "Not yet due",
    "1–90 days late",
    "91–180 days late",
    "181–365 days late",
    "More than a year late",
    "No deadline",
)

_TOTALS = ", ".join(
    f"{m.sql} AS {m.name}"
    for m in (
        metrics.ACTIONS,
        metrics.COMPLETED,
        metrics.OPEN,
        metrics.OVERDUE,
        metrics.SET_ASIDE,
        metrics.IMPLEMENTATION_RATE,
    )
)
#: per-status counts (one column per status) and the totals of a group of actions
_STATUS_COUNTS = ", ".join(
    [
        *(f"count(*) FILTER (WHERE status = '{s}') AS {s}" for s in ACTION_STATUSES),
        *(f"{m.sql} AS {m.name}" for m in (metrics.ACTIONS, metrics.OVERDUE, metrics.IMPLEMENTATION_RATE)),
    ]
)


def totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Actions, completed, open, overdue, set aside and the implementation rate."""
    w = where("actions", filters)
    return record(con, f"SELECT {_TOTALS} FROM actions{w.sql()}", w.params)


def _status_pivot(con: duckdb.DuckDBPyConnection, filters: Filters, group_sql: list[str], order: str) -> pd.DataFrame:
    w = where("actions", filters)
    group = ", ".join(str(i + 1) for i in range(len(group_sql)))
    return frame(
        con,
        f"""
        SELECT {", ".join(group_sql)}, {_STATUS_COUNTS}
        FROM actions{w.sql()} GROUP BY {group} ORDER BY {order}""",
        w.params,
    )


def by_source(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Status counts per source (evaluation, audit, work plan…)."""
    return _status_pivot(con, filters, ["source_type", "source_title"], "source_title")


def by_recommendation(
    con: duckdb.DuckDBPyConnection, filters: Filters, source_title: str | None = None
) -> pd.DataFrame:
    """Status counts per recommendation (of one source, or all)."""
    w = where("actions", filters)
    if source_title is not None:
        w.add("source_title = ?", source_title)
    return frame(
        con,
        f"""
        SELECT source_title, recommendation_no, any_value(recommendation) AS recommendation,
               any_value(management_response) AS management_response, {_STATUS_COUNTS}
        FROM actions{w.sql()}
        -- a recommendation is its number; without one (work-plan priority areas), its text
        GROUP BY source_title, recommendation_no, CASE WHEN recommendation_no IS NULL THEN recommendation END
        ORDER BY source_title, try_cast(regexp_extract(recommendation_no, '\\d+') AS INTEGER) NULLS LAST,
                 recommendation_no""",
        w.params,
    )


def by_agency(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Status counts per responsible agency ('Not assigned' when none)."""
    df = _status_pivot(
        con, filters, [f"coalesce(nullif(trim(agency), ''), '{NOT_ASSIGNED}') AS agency"], "actions DESC, agency"
    )
    names = entity_names(con)
    df.insert(1, "agency_name", [names.get(a, a) for a in df["agency"]])
    return df


def status_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Actions per status (all six, zeros kept)."""
    w = where("actions", filters)
    counts = dict(rows(con, f"SELECT status, count(*) FROM actions{w.sql()} GROUP BY status", w.params))
    return pd.DataFrame({"status": list(ACTION_STATUSES), "actions": [int(counts.get(s, 0)) for s in ACTION_STATUSES]})


def overdue(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 500) -> pd.DataFrame:
    """Overdue actions, the longest overdue first."""
    w = where("actions", filters)
    w.add("overdue")
    return frame(
        con,
        f"""
        SELECT source_title, recommendation_no, action_no, action, responsible, agency, deadline,
               {DAYS_LATE} AS days_late, status, comments, as_of
        FROM actions{w.sql()} ORDER BY deadline, source_title, action_no LIMIT ?""",
        [*w.params, limit],
    )


def ageing(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Open actions (ongoing, not started) by how long past their deadline they are."""
    w = where("actions", filters)
    w.add(metrics.IS_OPEN)
    counts = dict(rows(con, f"SELECT {AGEING_BUCKET}, count(*) FROM actions{w.sql()} GROUP BY 1", w.params))
    return pd.DataFrame(
        {"ageing": list(AGEING_BUCKETS), "open_actions": [int(counts.get(b, 0)) for b in AGEING_BUCKETS]}
    )


# --- costed work plans ----------------------------------------------------------------------------

#: a deliverable's group: its working group, results group or pillar (`work_group`), else its priority area (the
#: work plan's `recommendation`, or its number); NULL when it has none of them
GROUP = "coalesce(nullif(trim(work_group), ''), nullif(trim(recommendation), ''), nullif(trim(recommendation_no), ''))"
#: what a cost summary is grouped by: status (in the order of ACTION_STATUSES), the source (work plan, evaluation…),
#: or the source's groups
_COST_LEVELS = {
    "status": ["status"],
    "source": ["source_title"],
    "group": ["source_title", f"{GROUP} AS work_group"],
}
_STATUS_ORDER = "list_position([" + ", ".join(f"'{s}'" for s in ACTION_STATUSES) + "], status)"
#: funds secured for deliverables stating no cost: outside the gap and the funded share (the chart's segments)
FUNDED_WITHOUT_COST = "sum(funded) FILTER (WHERE planned_cost IS NULL) AS funded_without_cost"


def _in_view(filters: Filters, workplans_only: bool) -> Where:
    """The actions in view; only the work plans' deliverables (source type workplan) with `workplans_only`."""
    w = where("actions", filters)
    if workplans_only:
        w.add("source_type = 'workplan'")
    return w


def cost_totals(con: duckdb.DuckDBPyConnection, filters: Filters, workplans_only: bool = False) -> dict[str, Any]:
    """Planned cost, funds secured, funding gap and funded share of the actions in view (the work plans' deliverables
    only, with `workplans_only`), how many state a cost and how many do not, and the currencies their figures are
    in."""
    w = _in_view(filters, workplans_only)
    result = record(
        con,
        f"""SELECT {metrics.COST_METRICS}, {FUNDED_WITHOUT_COST},
                                    list(DISTINCT currency) FILTER (
                                        WHERE planned_cost IS NOT NULL OR funded IS NOT NULL) AS currencies
                             FROM actions{w.sql()}""",
        w.params,
    )
    result["currencies"] = sorted(c for c in (result.get("currencies") or []) if c)
    return result


def cost_by(con: duckdb.DuckDBPyConnection, filters: Filters, level: str, workplans_only: bool = False) -> pd.DataFrame:
    """The cost figures (metrics.WORK_PLAN_COST) by `level`: status, source, or group (a source's working groups,
    pillars or priority areas); every action in view (deliverable, with `workplans_only`) counts, costed or not, so
    the counts say what lacks a cost."""
    if level not in _COST_LEVELS:
        raise ValueError(f"unknown grouping {level!r}; expected one of {', '.join(_COST_LEVELS)}")
    w = _in_view(filters, workplans_only)
    select = _COST_LEVELS[level]
    group = ", ".join(str(i + 1) for i in range(len(select)))
    order = _STATUS_ORDER if level == "status" else "planned_cost DESC NULLS LAST, actions DESC, " + group
    return frame(
        con,
        f"""
        SELECT {", ".join(select)}, {metrics.COST_METRICS}, {FUNDED_WITHOUT_COST}
        FROM actions{w.sql()} GROUP BY {group} ORDER BY {order}""",
        w.params,
    )


# --- quarterly updates: the status change since a date ----------------------------------------------


def previous_quarter_end(today: dt.date | None = None) -> dt.date:
    """The last day of the quarter before today's (22 Nov 2026 → 30 Sep 2026): what a quarterly update compares
    with."""
    today = today or dt.date.today()
    first_of_quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return first_of_quarter - dt.timedelta(days=1)


#: a key action is the same one at two moments when its source, country, agency, recommendation (its number, else
#: its text) and action number are: one JSON text, so missing parts match as missing
ACTION_KEY = (
    "to_json([source_title, country, agency, recommendation_no,"
    " CASE WHEN recommendation_no IS NULL THEN recommendation END, action_no])"
)
#: new (not in view at the earlier date), changed or unchanged
CHANGES = ("new", "changed", "unchanged")


#: the order actions are listed in: by source, group and action number
_LISTING_ORDER = (
    "source_title, work_group NULLS LAST, try_cast(regexp_extract(action_no, '\\d+') AS INTEGER) NULLS LAST, "
    "action_no, action_key"
)
_LISTING = f"""SELECT {ACTION_KEY} AS action_key, source_type, source_title, {GROUP} AS work_group,
               recommendation_no, recommendation, action_no, action, responsible, agency, deadline, status,
               planned_cost, funded, planned_cost - funded AS cost_gap, funding_source, currency, as_of, country, plan
        FROM actions"""


def earlier(filters: Filters, day: dt.date) -> Filters:
    """The filters of the actions to compare with at `day`: the same, as of `day`, without the year range (which
    narrows deadlines: an action whose deadline has moved is the same action)."""
    return replace(filters.without("year_from", "year_to"), as_of=day)


@dataclass(frozen=True)
class StatusChanges:
    """How many actions in view are new, changed or unchanged since a date, and the actions themselves."""

    counts: dict[str, int]  # each of CHANGES → its number of actions
    rows: pd.DataFrame  # each action (_LISTING) with previous_status and change after status


#: an action's change: new when its key was not in view then (previous.status is its status then)
_CHANGE = """CASE WHEN previous.action_key IS NULL THEN 'new'
                  WHEN previous.status IS NOT DISTINCT FROM now.status THEN 'unchanged' ELSE 'changed' END"""
#: the name the statuses read at the earlier date are registered under on the reading cursor
_PREVIOUS = "previous_statuses"


def status_changes(
    con: duckdb.DuckDBPyConnection,
    then: duckdb.DuckDBPyConnection,
    filters: Filters,
    day: dt.date,
    workplans_only: bool = False,
    moved_only: bool = False,
) -> StatusChanges:
    """Each action in view (only the work plans' deliverables, source type workplan, with `workplans_only`; `con`:
    the store as the page reads it) with its group, status, cost, funds secured and gap, by source, group and action
    number, and its status as it stood at the end of `day` (`then`: the store as it stood then, store.history; the
    actions in view then, `earlier`) — `previous_status`, NULL when the action was not in view — and the change: new,
    changed or unchanged. With `moved_only` only the new and changed ones are listed (the counts are of all). In
    SQL: only the statuses of then (a key and a status an action) leave the engine, joined to the actions now."""
    w_then = _in_view(earlier(filters, day), workplans_only)
    previous = arrow(
        then,
        f"""SELECT action_key, first(status ORDER BY {_LISTING_ORDER}) AS status
            FROM ({_LISTING}{w_then.sql()}) GROUP BY action_key""",
        w_then.params,
    )
    w = _in_view(filters, workplans_only)
    cursor = con.cursor()
    try:
        cursor.register(_PREVIOUS, previous)
        joined = f"""SELECT now.*, previous.status AS previous_status, {_CHANGE} AS change
                     FROM ({_LISTING}{w.sql()}) now
                     LEFT JOIN {_PREVIOUS} previous ON previous.action_key = now.action_key"""
        counted = dict(cursor.execute(f"SELECT change, count(*) FROM ({joined}) GROUP BY change", w.params).fetchall())
        shown = " WHERE change <> 'unchanged'" if moved_only else ""
        listed = cursor.execute(f"SELECT * FROM ({joined}){shown} ORDER BY {_LISTING_ORDER}", w.params).df()
    finally:
        cursor.unregister(_PREVIOUS)
        cursor.close()
    columns = [c for c in listed.columns if c != "action_key"]
    status_at = columns.index("status") + 1
    ordered = [*columns[:status_at], "previous_status", "change", *columns[status_at:-2]]
    return StatusChanges({c: int(counted.get(c, 0)) for c in CHANGES}, listed[ordered].reset_index(drop=True))
