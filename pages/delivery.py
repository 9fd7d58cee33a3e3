"""Delivery: how much of the money available has been spent, by outcome → output → agency and by year."""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import streamlit as st

from app import ui
from core.formatting import count_of, format_count, format_money, format_rate, is_missing

ui.require_frame()

filters, totals = ui.budget_page("Delivery", "Spending against available resources")

with ui.section():
    row = st.columns(4)
    ui.card(row[0], "Available", format_money(totals["available"]),
            caption=count_of(totals['lines_without_available'], "line") + " not reported"
            if totals["lines_without_available"] else None)
    ui.card(row[1], "Spent", format_money(totals["expenditure"]),
            caption=count_of(totals['lines_without_expenditure'], "line") + " not reported"
            if totals["lines_without_expenditure"] else None)
    ui.card(row[2], "Delivery rate", format_rate(totals["delivery_rate"]),
            help="Spent ÷ available, over the budget lines where both figures are reported.",
            caption=(f"over {format_money(totals['available_with_expenditure'])} available with spending reported"
                     if totals["available_with_expenditure"] is not None else "no spending reported yet"))
    ui.card(row[3], "Spent of required", format_rate(totals["burn_rate"]),
            help="Spent ÷ required (burn rate of the requirement), over lines where spending is reported.",
            caption="over the lines with spending reported" if totals["lines_without_expenditure"] else None)
    for note in (ui.missing_figures_note(totals),
                 ui.joint_note(totals["joint_lines"]), *ui.plan_notes(indirect_costs="never")):
        if note:
            st.caption(note)


def delivery_bars(df, label_column: str, keys_column: str | None, title_unit: str):
    """Horizontal grouped bars: the two sides of the delivery rate per row (available and spent on the lines
    reporting both, so each pair of bars agrees with the rate written on it)."""
    labels = ui.axis_labels(ui.full_names(df, label_column))
    available, spent = df["available_with_expenditure"], df["expenditure_with_available"]
    divisor, unit = ui.money_scale(list(available.fillna(0)) + list(spent.fillna(0)))
    full = ui.hover_names(df, label_column)
    custom = list(zip(df[keys_column] if keys_column else [""] * len(df), full))
    fig = go.Figure()
    fig.add_bar(y=labels, x=available / divisor, name="Available (where spending is reported)", orientation="h",
                marker_color=ui.MONEY_COLORS["available"], customdata=custom,
                hovertext=[f"{h}<br>All available: {format_money(a)}" for h, a in
                           zip(ui.money_hover("Available where spending is reported", available, full),
                               df["available"])], hoverinfo="text")
    fig.add_bar(y=labels, x=spent / divisor, name="Spent", orientation="h",
                marker_color=ui.MONEY_COLORS["expenditure"], customdata=custom,
                text=[f"delivery {format_rate(r)}" for r in df["delivery_rate"]], textposition="outside",
                cliponaxis=False,
                hovertext=[f"{h}<br>Delivery rate: {format_rate(r)}" for h, r in
                           zip(ui.money_hover("Spent", spent, full), df["delivery_rate"])],
                hoverinfo="text")
    ui.layout(fig, height=ui.bar_height(len(df), per_bar=58), x_title=unit)
    fig.update_layout(barmode="group")
    longest = max([*(available.fillna(0) / divisor), *(spent.fillna(0) / divisor), 0])
    fig.update_xaxes(range=[0, longest * 1.22 or 1])  # room for "delivery 67 %" after the longest bar
    ui.category_rows(fig)
    return fig


def overspent_note(df, label_column: str) -> str | None:
    """'Over 100 %: UNDP, WFP spent more than was available…' — worth a look before a meeting."""
    over = [str(v) for v, r in zip(df[label_column], df["delivery_rate"]) if not is_missing(r) and r > 1]
    if not over:
        return None
    return (f"Over 100 %: {ui.md_escape(', '.join(over[:8]))}{' and others' if len(over) > 8 else ''} reported "
            "more spent than available — worth checking the figures with the agency.")


#: the tables behind the bars: the rate and its two sides first, then the totals
DELIVERY_METRICS = ("delivery_rate", "available_with_expenditure", "expenditure_with_available", "available",
                    "expenditure", "required", "lines_without_expenditure")
BARS_NOTE = ("Each pair of bars compares spending with the money available on the same lines: lines whose "
             "spending is not reported are left out of both, as they are of the delivery rate.")

# --- by outcome, or the chosen outcome's outputs --------------------------------------------------------
with ui.section("Outputs of the chosen outcome" if filters.outcome else "By outcome"):
    if filters.outcome:
        st.caption(ui.md_escape(ui.outcome_title(filters.outcome)))
        st.button("Back to all outcomes", on_click=ui.clear_filters, args=("outcome",), icon=":material/arrow_back:")
        outputs, cut = ui.top_rows(ui.query("budget_by", "output"), "outputs")
        fig = delivery_bars(outputs, "output", None, "output")
        table = ui.budget_table(outputs, {"outcome": "Outcome", "output": "Output", "plan": "Plan"}, DELIVERY_METRICS)
        ui.chart_with_table(fig, table, "delivery-by-output", column_config=ui.budget_column_config(table),
                            note=ui.join_notes(BARS_NOTE, cut))
    else:
        outcomes, cut = ui.top_rows(ui.query("budget_by", "outcome"), "outcomes")
        fig = delivery_bars(outcomes, "outcome", "outcome_key", "outcome")
        table = ui.budget_table(outcomes, {"outcome": "Outcome", "plan": "Plan"}, DELIVERY_METRICS)
        ui.chart_with_table(fig, table, "delivery-by-outcome", column_config=ui.budget_column_config(table),
                            drill=ui.drill_to_outcome,
                            note=ui.join_notes(BARS_NOTE, "Click an outcome's bar, or choose it in the sidebar, to "
                                               "see its outputs.", cut))

left, right = st.columns(2, gap="large")

with left, ui.section("Delivery rate by agency"):
    agencies, cut = ui.top_rows(ui.query("budget_by", "agency"), "agencies")
    # ranked by the measure the chart shows (agencies without a rate last)
    agencies = agencies.sort_values("delivery_rate", ascending=False, na_position="last", kind="stable")
    table = ui.budget_table(agencies, {"agency": "Agency", "agency_name": "Name"}, DELIVERY_METRICS)
    if agencies["delivery_rate"].isna().all():
        st.info("No agency has both available and spent figures reported for the period in view, so there is "
                "no delivery rate to show. Choose earlier years, or ask agencies for their expenditure.",
                icon=":material/hourglass_empty:")
        ui.show_table(table, column_config=ui.budget_column_config(table), key="table-delivery-by-agency")
        ui.download_csv(table, "delivery-by-agency")
    else:
        labels = ui.axis_labels(agencies["agency"], width=30)
        fig = go.Figure(go.Bar(
            y=labels, x=ui.percent(agencies["delivery_rate"]).fillna(0), orientation="h",
            marker_color=[ui.agency_color(a) for a in agencies["agency"]],
            customdata=[[a] for a in agencies["agency"]],
            text=[format_rate(r) for r in agencies["delivery_rate"]], textposition="outside", cliponaxis=False,
            hovertext=[f"{ui.plot_text(a)}<br>Available: {format_money(av)}<br>Spent: {format_money(ex)}"
                       f"<br>Delivery rate: {format_rate(r)}"
                       for a, av, ex, r in zip(agencies["agency"], agencies["available_with_expenditure"],
                                               agencies["expenditure_with_available"], agencies["delivery_rate"])],
            hoverinfo="text"))
        ui.layout(fig, height=ui.bar_height(len(agencies), per_bar=40), legend=False, x_title="Delivery rate (%)")
        fig.update_xaxes(range=[0, max(100.0, float(ui.percent(agencies["delivery_rate"]).max())) * 1.18])
        ui.category_rows(fig)
        ui.chart_with_table(fig, table, "delivery-by-agency", column_config=ui.budget_column_config(table),
                            drill=ui.drill_to_agency,
                            note=ui.join_notes("“Joint” = sub-outputs run jointly by several agencies (money not "
                                               "split). '—' = no line with both available and spent reported. "
                                               "Click an agency to narrow the dashboard to it.", cut,
                                               overspent_note(agencies, "agency")))

with right, ui.section("Over the years"):
    years = ui.query("budget_by", "year")
    divisor, unit = ui.money_scale(list(years["available"]) + list(years["expenditure"]))
    fig = go.Figure()
    for column in ("available", "expenditure"):
        fig.add_scatter(x=[str(y) for y in years["year"]], y=years[column] / divisor, mode="lines+markers",
                        name=ui.MONEY_NAMES[column], line=dict(color=ui.MONEY_COLORS[column], width=3),
                        marker=dict(size=9),
                        hovertext=[f"{h}<br>Delivery rate: {format_rate(r)}" for h, r in
                                   zip(ui.money_hover(ui.MONEY_NAMES[column], years[column]), years["delivery_rate"])],
                        hoverinfo="text")
    ui.layout(fig, height=360, x_title="Year", y_title=unit)
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    table = ui.budget_table(years, {"year": "Year"})
    this_year = dt.date.today().year
    ui.chart_with_table(fig, table, "delivery-by-year", column_config=ui.budget_column_config(table),
                        note=f"{this_year} is still under way: its spending is partial." if this_year in
                        set(years["year"]) else None)

# --- the delivery rate table: outcome → output → agency -------------------------------------------------
with ui.section("Delivery rate table"):
    detail = ui.query("budget_by", "output_agency")
    table = ui.budget_table(detail, {"outcome": "Outcome", "output": "Output", "agency": "Agency"}, DELIVERY_METRICS)
    config = ui.budget_column_config(table)
    config.update(ui.text_columns("Outcome", "Output", width="medium"))
    ui.show_table(table, column_config=config, key="table-delivery-detail")
    ui.download_csv(table, "delivery-rate-table")
    st.caption("One row per outcome, output and agency; joint sub-outputs are one “Joint” row. "
               "The delivery rate counts only lines where both available and spent are reported.")

if filters.agency:
    with ui.section(f"Budget lines of {ui.md_escape(filters.agency)}"):
        lines, count = ui.query("budget_lines")
        st.caption(f"{count_of(count, 'line')}, including joint sub-outputs that {ui.md_escape(filters.agency)} "
                   "takes part in" + (f" (the first {format_count(len(lines))} shown)" if count > len(lines) else "")
                   + ".")
        table = lines.assign(delivery_rate=ui.percent(lines["delivery_rate"]))[[
            "outcome_code", "output_code", "output_title", "suboutput_title", "agency", "year", "funding_source",
            "required", "available", "expenditure", "delivery_rate", "currency", "plan", "outcome_title"]].rename(
            columns={
            "plan": "Plan", "outcome_code": "Outcome code", "outcome_title": "Outcome", "output_code": "Output code",
            "output_title": "Output", "suboutput_title": "Sub-output", "agency": "Agency",
            "funding_source": "Funding source", "year": "Year", "required": "Required (USD)",
            "available": "Available (USD)", "expenditure": "Spent (USD)", "currency": "Currency",
            "delivery_rate": "Delivery rate (%)"})
        config = ui.budget_column_config(table)
        config.update(ui.text_columns("Output", "Sub-output", "Outcome", width="medium"))
        config["Year"] = st.column_config.NumberColumn("Year", format="%d")
        ui.show_table(table, column_config=config, key="table-agency-lines")
        ui.download_csv(table, f"budget-lines-{filters.agency}")
