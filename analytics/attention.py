"""Where the problem is: what the Overview's "Needs attention" panel lists for the filters in view — the outcomes
and agencies with the largest funding gaps, the agencies with the lowest delivery rate, the indicators off
track and the overdue actions, each few enough to read in ten seconds. Every figure is the one its page shows
(the same reads, `budget.by`, `indicators.off_track` over `indicators.progress`'s definition, `actions.overdue`)."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from analytics import actions, budget, indicators
from analytics.filters import Filters
from analytics.identity import GROUP_LABELS

#: how many of each the panel lists
TOP = 3


def _largest_gaps(df: pd.DataFrame, top: int) -> pd.DataFrame:
    gaps = df[pd.to_numeric(df["funding_gap"], errors="coerce") > 0]
    return gaps.sort_values("funding_gap", ascending=False, kind="stable").head(top)


def needs_attention(con: duckdb.DuckDBPyConnection, filters: Filters, top: int = TOP) -> dict[str, Any]:
    """`outcomes` and `agencies` by funding gap (largest first, gaps only), `low_delivery` (agencies with a
    delivery rate, lowest first; 'Joint' and '(no agency)' are no agency to narrow to), `off_track` (the
    indicators furthest behind what was expected by now) with `off_track_count`, and `overdue` (the longest
    overdue actions) with `overdue_count`."""
    outcomes = budget.by(con, filters, "outcome")
    agencies = budget.by(con, filters, "agency")
    rated = agencies[agencies["delivery_rate"].notna() & ~agencies["agency"].isin(GROUP_LABELS)]
    behind, off_track = indicators.off_track(con, filters, top)
    late = actions.overdue(con, filters, limit=top)
    return {
        "outcomes": _largest_gaps(outcomes, top),
        "agencies": _largest_gaps(agencies[~agencies["agency"].isin(GROUP_LABELS)], top),
        "low_delivery": rated.sort_values(["delivery_rate", "agency"], kind="stable").head(top),
        "off_track": behind,
        "off_track_count": off_track,
        "overdue": late,
        "overdue_count": int(actions.totals(con, filters)["overdue"] or 0),
    }
