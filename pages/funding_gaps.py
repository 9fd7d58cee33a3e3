"""Funding gaps: required vs available vs gap by outcome, output, agency, year and funding source."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import budget, metrics
from app import cards, charts, data, frame, notes, scope, tables, treemap
from app.compare import year_on_year
from app.filter_bar import clear_filters, outcome_title
from app.text import md_escape
from core import palette
from core.formatting import count_of, format_money, format_rate

frame.require_frame()

filters, totals = frame.budget_page("Funding gaps", "Required against available resources")
then = cards.then(budget.totals, filters)  # the same figures as of the "Change since" date

with frame.section():
    row = st.columns(4)
    cards.metric_card(
        row[0], metrics.REQUIRED, totals["required"], caption=count_of(totals["lines"], "budget line"), then=then
    )
    cards.metric_card(
        row[1],
        metrics.AVAILABLE,
        totals["available"],
        then=then,
        caption=count_of(totals["lines_without_available"], "line") + " not reported"
        if totals["lines_without_available"]
        else None,
    )
    cards.gap_card(row[2], totals, then=then)
    cards.ratio_card(
        row[3],
        metrics.COVERAGE,
        totals["coverage"],
        totals["coverage_basis"],
        "required",
        then=then,
        caption=(
            f"{format_money(totals['required_without_available'])} required without an available figure"
            if totals["lines_without_available"]
            else None
        ),
    )
    st.caption(cards.budget_sum(totals))
    for note in (
        notes.missing_figures_note(totals, expenditure=False),
        notes.joint_note(totals["joint_lines"]),
        *notes.plan_notes(),
    ):
        if note:
            st.caption(note)

#: the columns of every table on this page (money available with no requirement stated, from UN INFO
#: exports, only when there is some: it is outside the bars, the gap and coverage)
GAP_METRICS = (
    "required",
    "available",
    "funding_gap",
    "coverage",
    "required_without_available",
    "lines_without_available",
) + (("available_without_required",) if totals["lines_without_required"] else ())


def by_gap(level: str, what: str) -> tuple[pd.DataFrame, str | None]:
    """The rows of `level` largest funding gap first (surpluses and rows without a gap last), and the note when
    the chart keeps only the first of them."""
    rows = scope.with_plan_names(data.cached(budget.by, filters, level))  # plans as "Plan name (years)"
    rows = rows.sort_values("funding_gap", ascending=False, na_position="last", kind="stable")
    return tables.top_rows(rows, what, measure="the largest funding gap")


#: what a gap chart says when no row in view has a requirement (its bars are the requirement, split)
NO_REQUIREMENT = (
    "No {0} in view has a requirement reported: there is no bar to draw. The table shows what the lines do have."
)
LEGEND_NOTE = (
    "Largest funding gap first. Each bar is the requirement: the part available (funded), the funding "
    "gap (written at the bar's end), and the part whose available figure is not reported; over-funding "
    "shows as a surplus beyond it."
)

# --- by outcome (click to drill), or the chosen outcome's outputs ---------------------------------------
with frame.section("Outputs of the chosen outcome" if filters.outcome else "By outcome"):
    if filters.outcome:
        st.caption(md_escape(outcome_title(filters.outcome)))
        st.button("Back to all outcomes", on_click=clear_filters, args=("outcome",), icon=":material/arrow_back:")
        outputs, cut = by_gap("output", "outputs")
        table = tables.budget_table(outputs, {"outcome": "Outcome", "output": "Output", "plan": "Plan"}, GAP_METRICS)
        charts.chart_with_table(
            charts.gap_bars(outputs, "output"),
            table,
            "gaps-by-output",
            column_config=tables.budget_column_config(table),
            empty=NO_REQUIREMENT.format("output"),
            note=notes.join_notes(LEGEND_NOTE, cut),
        )
    else:
        outcomes, cut = by_gap("outcome", "outcomes")
        table = tables.budget_table(outcomes, {"outcome": "Outcome", "plan": "Plan"}, GAP_METRICS)
        charts.chart_with_table(
            charts.gap_bars(outcomes, "outcome", "outcome_key"),
            table,
            "gaps-by-outcome",
            column_config=tables.budget_column_config(table),
            empty=NO_REQUIREMENT.format("outcome"),
            drill=charts.drill_to_outcome,
            note=notes.join_notes(
                LEGEND_NOTE, "Click an outcome's bar, or choose it in the sidebar, to see its outputs.", cut
            ),
        )

left, right = st.columns(2, gap="large")
with left, frame.section("By agency"):
    agencies, cut = by_gap("agency", "agencies")
    table = tables.budget_table(agencies, {"agency": "Agency", "agency_name": "Name"}, GAP_METRICS)
    fig = charts.gap_bars(agencies, "agency", "agency")
    charts.chart_with_table(
        fig,
        table,
        "gaps-by-agency",
        column_config=tables.budget_column_config(table),
        empty=NO_REQUIREMENT.format("agency"),
        drill=charts.drill_to_agency,
        note=notes.join_notes(
            "“Joint” = sub-outputs run jointly by several agencies; their money "
            "is shown once, not split between the agencies. Click an agency to "
            "narrow the dashboard to it.",
            cut,
        ),
    )

with right, frame.section("Over the years"):
    years = data.cached(budget.by, filters, "year")
    divisor, unit = charts.money_scale(list(years["required"]) + list(years["available"].fillna(0)))
    fig = go.Figure()
    # a negative gap (over-funded year) is drawn as a surplus, never as a gap below zero (SPEC §5)
    gap = pd.to_numeric(years["funding_gap"], errors="coerce")
    lines = [
        ("required", metrics.REQUIRED.label, years["required"]),
        ("available", metrics.AVAILABLE.label, years["available"]),
        ("gap", metrics.FUNDING_GAP.label, gap.where(gap >= 0)),
    ]
    if (gap < 0).any():
        lines.append(("surplus", "Surplus", -gap.where(gap < 0)))
    for color, name, values in lines:
        dotted = color in ("gap", "surplus")
        fig.add_scatter(
            x=[str(y) for y in years["year"]],
            y=values / divisor,
            mode="lines+markers",
            name=name,
            line=dict(color=palette.MONEY_COLORS[color], width=3, dash="dot" if dotted else None),
            marker=dict(size=9),
            connectgaps=False,
            hovertext=[
                f"{h}<br>Coverage: {format_rate(c)}"
                for h, c in zip(charts.money_hover(name, values), years["coverage"])
            ],
            hoverinfo="text",
        )
    charts.layout(fig, height=380, x_title="Year", y_title=unit)
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    table = tables.budget_table(years, {"year": "Year"}, GAP_METRICS)
    charts.chart_with_table(
        fig,
        table,
        "gaps-by-year",
        column_config=tables.budget_column_config(table),
        empty="Neither required nor available money is reported for any year in view: there is no line to draw. "
        "The table shows what the lines do have.",
    )

with frame.section("Outcome → output → agency"):
    tree, leaves = data.cached(budget.tree, filters)
    treemap.requirement_treemap(tree, leaves)

with frame.section("By funding source"):
    sources, cut = by_gap("funding_source", "funding sources")
    table = tables.budget_table(sources, {"funding_source": "Funding source"}, GAP_METRICS)
    if len(sources) == 1:  # one bar would only repeat the cards above
        st.caption(
            "Every budget line in view has the same funding source: "
            + md_escape(sources["funding_source"].iloc[0])
            + " (the figures are those of the cards above)."
        )
        tables.show_table(table, column_config=tables.budget_column_config(table), key="table-gaps-by-funding-source")
        tables.download_csv(table, "gaps-by-funding-source")
    else:
        charts.chart_with_table(
            charts.gap_bars(sources, "funding_source"),
            table,
            "gaps-by-funding-source",
            column_config=tables.budget_column_config(table),
            empty=NO_REQUIREMENT.format("funding source"),
            note=cut,
        )

with frame.section("Year on year"):
    year_on_year(filters, "gaps")
