"""Year on year: two years of budget figures side by side per outcome or agency, pivoted in one query.

Budget lines are yearly (a CBF and a UN INFO export state money per year), so a budget page compares years: a
quarter against the same quarter of the year before needs quarterly figures, which no budget line has. The year
range of the filters gives way to the two years compared; every other filter applies.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import metrics
from analytics.filters import Filters, where
from analytics.identity import AGENCY_GROUP, JOINT_LABEL, OUTCOME_KEY, entity_names
from analytics.sql import frame, rows
from core.formatting import outcome_label, unique_labels
from core.summaries import BUDGET_ROLLUP

#: the figures each budget page compares (the first is the one its bars show)
FIGURES: dict[str, tuple[metrics.Metric, ...]] = {
    "delivery": (metrics.EXPENDITURE, metrics.AVAILABLE, metrics.DELIVERY_RATE),
    "gaps": (metrics.FUNDING_GAP, metrics.REQUIRED, metrics.AVAILABLE, metrics.COVERAGE),
}
_LEVELS = {
    "outcome": ["plan", "outcome_code", "outcome_title", f"{OUTCOME_KEY} AS outcome_key"],
    "agency": [f"{AGENCY_GROUP} AS agency"],
}


def years(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[int]:
    """The years with budget lines under the filters (the year range aside), latest first: what can be compared."""
    w = where("budget", filters.without("year_from", "year_to"))
    return [y for (y,) in rows(con, f"SELECT DISTINCT year FROM {BUDGET_ROLLUP}{w.sql()} ORDER BY year DESC", w.params)]


def side_by_side(
    con: duckdb.DuckDBPyConnection, filters: Filters, level: str, first: int, second: int, page: str = "gaps"
) -> pd.DataFrame:
    """Per outcome or agency: each figure of `page` (FIGURES) for `first` and for `second` (`required_2024`,
    `required_2025`…) and its change (`required_change`: second − first; for a rate, in points of the ratio).

    A figure a year does not report stays NULL and so does its change (a row with no line in one year is not a
    row of zeros); `lines_<year>` counts the lines behind each year's figures."""
    if level not in _LEVELS:
        raise ValueError(f"unknown grouping {level!r}; expected one of {', '.join(_LEVELS)}")
    figures = FIGURES[page]
    w = where("budget", filters.without("year_from", "year_to"))
    w.add("year IN (?, ?)", first, second)
    select = _LEVELS[level]
    names = [item.rsplit(" AS ", 1)[-1] for item in select]
    pivot = []
    for m in (*figures, metrics.LINES):
        pivot += [
            f"any_value({m.name}) FILTER (WHERE year = {int(first)}) AS {m.name}_{int(first)}",
            f"any_value({m.name}) FILTER (WHERE year = {int(second)}) AS {m.name}_{int(second)}",
        ]
        if m is not metrics.LINES:
            pivot.append(
                f"any_value({m.name}) FILTER (WHERE year = {int(second)})"
                f" - any_value({m.name}) FILTER (WHERE year = {int(first)}) AS {m.name}_change"
            )
    group = ", ".join(str(i + 1) for i in range(len(select)))
    lead = figures[0].name
    df = frame(
        con,
        f"""
        WITH per_year AS (
            SELECT {", ".join(select)}, year,
                   {", ".join(f"{metrics.of_partials(m.sql)} AS {m.name}" for m in (*figures, metrics.LINES))}
            FROM {BUDGET_ROLLUP}{w.sql()} GROUP BY {group}, year)
        SELECT {", ".join(names)}, {", ".join(pivot)}
        FROM per_year GROUP BY {", ".join(names)}
        ORDER BY greatest({lead}_{int(first)}, {lead}_{int(second)}) DESC NULLS LAST, {", ".join(names)}""",
        w.params,
    )
    if level == "outcome":
        df.insert(
            0,
            "outcome",
            unique_labels(
                [outcome_label(c, t) for c, t in zip(df["outcome_code"], df["outcome_title"])], list(df["plan"])
            ),
        )
    else:
        known = entity_names(con)
        df.insert(
            1,
            "agency_name",
            ["Joint sub-outputs (money not split)" if a == JOINT_LABEL else known.get(a, a) for a in df["agency"]],
        )
    return df
