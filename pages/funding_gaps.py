"""Funding gaps: required vs available vs gap by outcome, output, agency, year and funding source."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import ui
from core.formatting import count_of, format_money, format_rate

ui.require_frame()

filters, totals = ui.budget_page("Funding gaps", "Required against available resources")

with ui.section():
    gap = totals["funding_gap"]
    row = st.columns(4)
    ui.card(row[0], "Required", format_money(totals["required"]), caption=count_of(totals['lines'], "budget line"))
    ui.card(row[1], "Available", format_money(totals["available"]),
            caption=count_of(totals['lines_without_available'], "line") + " not reported"
            if totals["lines_without_available"] else None)
    ui.card(row[2], "Funding gap" if gap is None or gap >= 0 else "Funding surplus",
            format_money(gap if gap is None or gap >= 0 else -gap),
            help="Required minus available, over the lines whose available figure is reported. "
                 "Negative (over-funded) lines offset the others.")
    ui.card(row[3], "Coverage", format_rate(totals["coverage"]),
            help="Available ÷ required, over the lines whose available figure is reported.",
            caption=(f"{format_money(totals['required_without_available'])} required without an available figure"
                     if totals["lines_without_available"] else None))
    for note in (ui.missing_figures_note(totals, expenditure=False),
                 ui.joint_note(totals["joint_lines"]), *ui.plan_notes()):
        if note:
            st.caption(note)

#: the columns of every table on this page (money available with no requirement stated, from UN INFO
#: exports, only when there is some: it is outside the bars, the gap and coverage)
GAP_METRICS = ("required", "available", "funding_gap", "coverage", "required_without_available",
               "lines_without_available") + (
    ("available_without_required",) if totals["lines_without_required"] else ())

LEGEND_NOTE = ("Each bar is the requirement: the part available (funded), the funding gap, and the part "
               "whose available figure is not reported; over-funding shows as a surplus beyond it.")

# --- by outcome (click to drill), or the chosen outcome's outputs ---------------------------------------
with ui.section("Outputs of the chosen outcome" if filters.outcome else "By outcome"):
    if filters.outcome:
        st.caption(ui.md_escape(ui.outcome_title(filters.outcome)))
        st.button("Back to all outcomes", on_click=ui.clear_filters, args=("outcome",), icon=":material/arrow_back:")
        outputs, cut = ui.top_rows(ui.query("budget_by", "output"), "outputs")
        table = ui.budget_table(outputs, {"outcome": "Outcome", "output": "Output", "plan": "Plan"},
                                GAP_METRICS)
        ui.chart_with_table(ui.gap_bars(outputs, "output"), table, "gaps-by-output",
                            column_config=ui.budget_column_config(table), note=ui.join_notes(LEGEND_NOTE, cut))
    else:
        outcomes, cut = ui.top_rows(ui.query("budget_by", "outcome"), "outcomes")
        table = ui.budget_table(outcomes, {"outcome": "Outcome", "plan": "Plan"},
                                GAP_METRICS)
        ui.chart_with_table(ui.gap_bars(outcomes, "outcome", "outcome_key"), table, "gaps-by-outcome",
                            column_config=ui.budget_column_config(table), drill=ui.drill_to_outcome,
                            note=ui.join_notes(LEGEND_NOTE, "Click an outcome's bar, or choose it in the sidebar, to "
                                               "see its outputs.", cut))

left, right = st.columns(2, gap="large")
with left, ui.section("By agency"):
    agencies, cut = ui.top_rows(ui.query("budget_by", "agency"), "agencies")
    table = ui.budget_table(agencies, {"agency": "Agency", "agency_name": "Name"},
                            GAP_METRICS)
    fig = ui.gap_bars(agencies, "agency", "agency")
    ui.chart_with_table(fig, table, "gaps-by-agency", column_config=ui.budget_column_config(table),
                        drill=ui.drill_to_agency,
                        note=ui.join_notes("“Joint” = sub-outputs run jointly by several agencies; their money "
                                           "is shown once, not split between the agencies. Click an agency to "
                                           "narrow the dashboard to it.", cut))

with right, ui.section("Over the years"):
    years = ui.query("budget_by", "year")
    divisor, unit = ui.money_scale(list(years["required"]) + list(years["available"].fillna(0)))
    fig = go.Figure()
    # a negative gap (over-funded year) is drawn as a surplus, never as a gap below zero (SPEC §5)
    gap = pd.to_numeric(years["funding_gap"], errors="coerce")
    lines = [("required", "Required", years["required"]), ("available", "Available", years["available"]),
             ("gap", "Funding gap", gap.where(gap >= 0))]
    if (gap < 0).any():
        lines.append(("surplus", "Surplus", -gap.where(gap < 0)))
    for color, name, values in lines:
        dotted = color in ("gap", "surplus")
        fig.add_scatter(x=[str(y) for y in years["year"]], y=values / divisor, mode="lines+markers",
                        name=name, line=dict(color=ui.MONEY_COLORS[color], width=3, dash="dot" if dotted else None),
                        marker=dict(size=9), connectgaps=False,
                        hovertext=[f"{h}<br>Coverage: {format_rate(c)}" for h, c in
                                   zip(ui.money_hover(name, values), years["coverage"])],
                        hoverinfo="text")
    ui.layout(fig, height=380, x_title="Year", y_title=unit)
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    table = ui.budget_table(years, {"year": "Year"},
                            GAP_METRICS)
    ui.chart_with_table(fig, table, "gaps-by-year", column_config=ui.budget_column_config(table))

with ui.section("Outcome → output → agency"):
    tree, leaves = ui.query("budget_tree")
    ui.treemap_section(tree, leaves)

with ui.section("By funding source"):
    sources, cut = ui.top_rows(ui.query("budget_by", "funding_source"), "funding sources")
    table = ui.budget_table(sources, {"funding_source": "Funding source"}, GAP_METRICS)
    if len(sources) == 1:  # one bar would only repeat the cards above
        st.caption("Every budget line in view has the same funding source: "
                   + ui.md_escape(sources["funding_source"].iloc[0]) + " (the figures are those of the cards above).")
        ui.show_table(table, column_config=ui.budget_column_config(table), key="table-gaps-by-funding-source")
        ui.download_csv(table, "gaps-by-funding-source")
    else:
        ui.chart_with_table(ui.gap_bars(sources, "funding_source"), table, "gaps-by-funding-source",
                            column_config=ui.budget_column_config(table), note=cut)
