"""Action reads (view `actions`: recommendations and their key actions, work-plan deliverables): totals,
status counts by source, recommendation and agency, the overdue list and the ageing of open actions; the cost of
costed work plans (planned cost, funds secured, gap) and each deliverable's status change since a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from analytics import metrics
from analytics.filters import Filters, where
from analytics.identity import NOT_ASSIGNED, entity_names
from analytics.sql import frame, record, rows
from core.vocabulary import STATUSES

#: the six statuses (SPEC §3), in the order charts stack them
ACTION_STATUSES = STATUSES

DAYS_LATE = "date_diff('day', deadline, current_date)"
AGEING_BUCKET = f"""CASE
    WHEN deadline IS NULL THEN 'No deadline'
    WHEN deadline >= current_date THEN 'Not yet due'
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


def cost_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Planned cost, funds secured, funding gap and funded share of the actions in view, how many state a cost
    and how many do not, and the currencies their figures are in."""
    w = where("actions", filters)
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


def cost_by(con: duckdb.DuckDBPyConnection, filters: Filters, level: str) -> pd.DataFrame:
    """The cost figures (metrics.WORK_PLAN_COST) by `level`: status, source, or group (a source's working groups,
    pillars or priority areas); every action in view counts, costed or not, so the counts say what lacks a cost."""
    if level not in _COST_LEVELS:
        raise ValueError(f"unknown grouping {level!r}; expected one of {', '.join(_COST_LEVELS)}")
    w = where("actions", filters)
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


def _moment(since: dt.date | dt.datetime) -> dt.datetime:
    """A date stands for its end (what was loaded that day counts); a datetime for itself."""
    return since if isinstance(since, dt.datetime) else dt.datetime.combine(since, dt.time.max)


def rows_as_of(since: dt.date | dt.datetime) -> tuple[str, list]:
    """SQL (and its parameters) of the action rows as they stood at `since`, from the submission history: the
    rows of the latest submission of each scope (source, country, agency: what a load replaces) among those
    committed by then and not rolled back by then.

    THE source of previous statuses (status_changes, deliverables): to be switched to the store's row-visibility
    history ("figures as of a date") when that is merged. Limits of this one: the time is the submission's
    `created_at` (when the file was loaded, by the server's clock), not the status's `as_of` date; a scope is
    matched on its exact country (a load also replaces rows of the same source and agency without a country);
    and a rollback's time counts only for the rolled-back submission itself."""
    moment = _moment(since)
    return (
        """SELECT * EXCLUDE (latest) FROM (
                   SELECT r.*, max(r.submission_id) OVER (PARTITION BY r.source_title, r.country, r.agency) AS latest
                   FROM action_rows r JOIN submission_log l ON l.submission_id = r.submission_id
                   WHERE l.status IN ('committed', 'rolled_back') AND l.created_at <= ?
                     AND (l.rolled_back_at IS NULL OR l.rolled_back_at > ?))
               WHERE submission_id = latest""",
        [moment, moment],
    )


#: a key action is the same one in two submissions when its source, country, agency, recommendation (its number,
#: else its text) and action number are
_SAME_ACTION = " AND ".join(
    f"p.{c} IS NOT DISTINCT FROM a.{c}" for c in ("source_title", "country", "agency", "recommendation_no", "action_no")
) + (" AND (a.recommendation_no IS NOT NULL OR p.recommendation IS NOT DISTINCT FROM a.recommendation)")
#: new (not in the rows as they stood), changed or unchanged
CHANGES = ("new", "changed", "unchanged")


def _changes(
    con: duckdb.DuckDBPyConnection, filters: Filters, since: dt.date | dt.datetime, workplans_only: bool
) -> pd.DataFrame:
    w = where("actions", filters)
    if workplans_only:
        w.add("source_type = 'workplan'")
    previous, previous_params = rows_as_of(since)
    # the filters' parameters come first in the text: the current rows are selected in a CTE ahead of the past
    return frame(
        con,
        f"""
        WITH a AS (SELECT *, {GROUP} AS grp FROM actions{w.sql()}), p AS ({previous})
        SELECT a.source_type, a.source_title, a.grp AS work_group,
               a.recommendation_no, a.recommendation, a.action_no, a.action, a.responsible, a.agency, a.deadline,
               a.status, p.status AS previous_status,
               CASE WHEN p.status IS NULL THEN 'new' WHEN p.status <> a.status THEN 'changed' ELSE 'unchanged' END
                   AS change,
               a.planned_cost, a.funded, a.planned_cost - a.funded AS cost_gap, a.funding_source, a.currency,
               a.as_of, a.country, a.plan
        FROM a LEFT JOIN p ON {_SAME_ACTION}
        ORDER BY a.source_title, a.grp NULLS LAST,
                 try_cast(regexp_extract(a.action_no, '\\d+') AS INTEGER) NULLS LAST, a.action_no""",
        [*w.params, *previous_params],
    )


def status_changes(con: duckdb.DuckDBPyConnection, filters: Filters, since: dt.date | dt.datetime) -> pd.DataFrame:
    """Every action in view with its status now and as it stood at `since` (`previous_status`, NULL when it was
    not loaded yet) and the change: new, changed or unchanged (`rows_as_of` says where the past comes from)."""
    return _changes(con, filters, since, workplans_only=False)


def deliverables(con: duckdb.DuckDBPyConnection, filters: Filters, since: dt.date | dt.datetime) -> pd.DataFrame:
    """The work plans' deliverables (source type workplan) by work plan and group, with cost, funds secured, gap,
    funding source, status and the status change since `since` (e.g. `previous_quarter_end()`): the meeting
    brief's table."""
    return _changes(con, filters, since, workplans_only=True)
