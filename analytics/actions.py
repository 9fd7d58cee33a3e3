"""Action reads (view `actions`: recommendations and their key actions, work-plan deliverables): totals,
status counts by source, recommendation and agency, the overdue list and the ageing of open actions."""
from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from analytics import metrics
from analytics.filters import Filters, where
from analytics.identity import NOT_ASSIGNED, entity_names
from analytics.sql import frame, record, rows
from core.schema import STATUSES

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
AGEING_BUCKETS = ("Not yet due", "1–90 days late", "91–180 days late", "181–365 days late",
                  "More than a year late", "No deadline")

_TOTALS = ", ".join(f"{m.sql} AS {m.name}" for m in (metrics.ACTIONS, metrics.COMPLETED, metrics.OPEN,
                                                     metrics.OVERDUE, metrics.SET_ASIDE, metrics.IMPLEMENTATION_RATE))
#: per-status counts (one column per status) and the totals of a group of actions
_STATUS_COUNTS = ", ".join([*(f"count(*) FILTER (WHERE status = '{s}') AS {s}" for s in ACTION_STATUSES),
                            *(f"{m.sql} AS {m.name}" for m in (metrics.ACTIONS, metrics.OVERDUE,
                                                               metrics.IMPLEMENTATION_RATE))])


def totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Actions, completed, open, overdue, set aside and the implementation rate."""
    w = where("actions", filters)
    return record(con, f"SELECT {_TOTALS} FROM actions{w.sql()}", w.params)


def _status_pivot(con: duckdb.DuckDBPyConnection, filters: Filters, group_sql: list[str], order: str) -> pd.DataFrame:
    w = where("actions", filters)
    group = ", ".join(str(i + 1) for i in range(len(group_sql)))
    return frame(con, f"""
        SELECT {', '.join(group_sql)}, {_STATUS_COUNTS}
        FROM actions{w.sql()} GROUP BY {group} ORDER BY {order}""", w.params)


def by_source(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Status counts per source (evaluation, audit, work plan…)."""
    return _status_pivot(con, filters, ["source_type", "source_title"], "source_title")


def by_recommendation(con: duckdb.DuckDBPyConnection, filters: Filters,
                      source_title: str | None = None) -> pd.DataFrame:
    """Status counts per recommendation (of one source, or all)."""
    w = where("actions", filters)
    if source_title is not None:
        w.add("source_title = ?", source_title)
    return frame(con, f"""
        SELECT source_title, recommendation_no, any_value(recommendation) AS recommendation,
               any_value(management_response) AS management_response, {_STATUS_COUNTS}
        FROM actions{w.sql()}
        -- a recommendation is its number; without one (work-plan priority areas), its text
        GROUP BY source_title, recommendation_no, CASE WHEN recommendation_no IS NULL THEN recommendation END
        ORDER BY source_title, try_cast(regexp_extract(recommendation_no, '\\d+') AS INTEGER) NULLS LAST,
                 recommendation_no""", w.params)


def by_agency(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Status counts per responsible agency ('Not assigned' when none)."""
    df = _status_pivot(con, filters, [f"coalesce(nullif(trim(agency), ''), '{NOT_ASSIGNED}') AS agency"],
                       "actions DESC, agency")
    names = entity_names(con)
    df.insert(1, "agency_name", [names.get(a, a) for a in df["agency"]])
    return df


def status_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Actions per status (all six, zeros kept)."""
    w = where("actions", filters)
    counts = dict(rows(con, f"SELECT status, count(*) FROM actions{w.sql()} GROUP BY status", w.params))
    return pd.DataFrame({"status": list(ACTION_STATUSES),
                         "actions": [int(counts.get(s, 0)) for s in ACTION_STATUSES]})


def overdue(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 500) -> pd.DataFrame:
    """Overdue actions, the longest overdue first."""
    w = where("actions", filters)
    w.add("overdue")
    return frame(con, f"""
        SELECT source_title, recommendation_no, action_no, action, responsible, agency, deadline,
               {DAYS_LATE} AS days_late, status, comments, as_of
        FROM actions{w.sql()} ORDER BY deadline, source_title, action_no LIMIT ?""", [*w.params, limit])


def ageing(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Open actions (ongoing, not started) by how long past their deadline they are."""
    w = where("actions", filters)
    w.add(metrics.IS_OPEN)
    counts = dict(rows(con, f"SELECT {AGEING_BUCKET}, count(*) FROM actions{w.sql()} GROUP BY 1", w.params))
    return pd.DataFrame({"ageing": list(AGEING_BUCKETS),
                         "open_actions": [int(counts.get(b, 0)) for b in AGEING_BUCKETS]})
