"""Delivery: how much of the money available has been spent, by outcome → output → agency and by year."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import streamlit as st

from analytics import budget, metrics
from app import cards, charts, data, frame, notes, scope, tables
from app.compare import year_on_year
from app.filter_bar import clear_filters, outcome_title
from app.text import md_escape
from core import palette
from core.formatting import count_of, format_count, format_money, format_rate, is_missing

frame.require_frame()

filters, totals = frame.budget_page("Delivery", "Spending against available resources")
then = cards.then(budget.totals, filters)  # the same figures as of the "Change since" date

with frame.section():
    row = st.columns(4)
    cards.metric_card(
        row[0],
        metrics.AVAILABLE,
        totals["available"],
        then=then,
        caption=count_of(totals["lines_without_available"], "line") + " not reported"
        if totals["lines_without_available"]
        else None,
    )
    cards.metric_card(
        row[1],
        metrics.EXPENDITURE,
        totals["expenditure"],
        then=then,
        caption=count_of(totals["lines_without_expenditure"], "line") + " not reported"
        if totals["lines_without_expenditure"]
        else None,
    )
    cards.ratio_card(
        row[2],
        metrics.DELIVERY_RATE,
        totals["delivery_rate"],
        totals["delivery_basis"],
        "available funds",
        then=then,
        caption=(
            f"over {format_money(totals['available_with_expenditure'])} available with spending reported"
            if totals["available_with_expenditure"] is not None
            else "no spending reported yet"
        ),
    )
    cards.metric_card(
        row[3],
        metrics.BURN_RATE,
        totals["burn_rate"],
        then=then,
        caption="over the lines with spending reported" if totals["lines_without_expenditure"] else None,
    )
    for note in (
        notes.missing_figures_note(totals),
        notes.joint_note(totals["joint_lines"]),
        *notes.plan_notes(indirect_costs="never"),
    ):
        if note:
            st.caption(note)


def delivery_bars(df, label_column: str, keys_column: str | None, title_unit: str):
    """Horizontal grouped bars: the two sides of the delivery rate per row (available and spent on the lines
    reporting both, so each pair of bars agrees with the rate written on it)."""
    labels = charts.axis_labels(tables.full_names(df, label_column))
    available, spent = df["available_with_expenditure"], df["expenditure_with_available"]
    divisor, unit = charts.money_scale(list(available.fillna(0)) + list(spent.fillna(0)))
    full = charts.hover_names(df, label_column)
    custom = list(zip(df[keys_column] if keys_column else [""] * len(df), full))
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=available / divisor,
        name="Available (where spending is reported)",
        orientation="h",
        marker_color=palette.MONEY_COLORS["available"],
        customdata=custom,
        hovertext=[
            f"{h}<br>All available: {format_money(a)}"
            for h, a in zip(
                charts.money_hover("Available where spending is reported", available, full), df["available"]
            )
        ],
        hoverinfo="text",
    )
    fig.add_bar(
        y=labels,
        x=spent / divisor,
        name="Spent",
        orientation="h",
        marker_color=palette.MONEY_COLORS["expenditure"],
        customdata=custom,
        text=[f"delivery {format_rate(r)}" for r in df["delivery_rate"]],
        textposition="outside",
        cliponaxis=False,
        hovertext=[
            f"{h}<br>Delivery rate: {format_rate(r)}"
            for h, r in zip(charts.money_hover("Spent", spent, full), df["delivery_rate"])
        ],
        hoverinfo="text",
    )
    charts.layout(fig, height=charts.bar_height(len(df), per_bar=58), x_title=unit)
    fig.update_layout(barmode="group")
    longest = max([*(available.fillna(0) / divisor), *(spent.fillna(0) / divisor), 0])
    fig.update_xaxes(range=[0, longest * 1.22 or 1])  # room for "delivery 67 %" after the longest bar
    charts.category_rows(fig)
    return fig


def overspent_note(df, label_column: str) -> str | None:
    """'Over 100 %: UNDP, WFP spent more than was available…' — worth a look before a meeting."""
    over = [str(v) for v, r in zip(df[label_column], df["delivery_rate"]) if not is_missing(r) and r > 1]
    if not over:
        return None
    return (
        f"Over 100 %: {md_escape(', '.join(over[:8]))}{' and others' if len(over) > 8 else ''} reported "
        "more spent than available — worth checking the figures with the agency."
    )


#: the tables behind the bars: the rate and its two sides first, then the totals
DELIVERY_METRICS = (
    "delivery_rate",
    "available_with_expenditure",
    "expenditure_with_available",
    "available",
    "expenditure",
    "required",
    "lines_without_expenditure",
)
#: what the outcome and output bars say when no line in view has both figures of a pair
NO_PAIRS = (
    "No {0} in view has both available and spent money reported, so there are no bars to compare. The table "
    "shows what the lines do have."
)
BARS_NOTE = (
    "Each pair of bars compares spending with the money available on the same lines: lines whose "
    "spending is not reported are left out of both, as they are of the delivery rate."
)

# --- by outcome, or the chosen outcome's outputs --------------------------------------------------------
with frame.section("Outputs of the chosen outcome" if filters.outcome else "By outcome"):
    if filters.outcome:
        st.caption(md_escape(outcome_title(filters.outcome)))
        st.button("Back to all outcomes", on_click=clear_filters, args=("outcome",), icon=":material/arrow_back:")
        outputs, cut = tables.top_rows(scope.with_plan_names(data.cached(budget.by, filters, "output")), "outputs")
        fig = delivery_bars(outputs, "output", None, "output")
        table = tables.budget_table(
            outputs, {"outcome": "Outcome", "output": "Output", "plan": "Plan"}, DELIVERY_METRICS
        )
        charts.chart_with_table(
            fig,
            table,
            "delivery-by-output",
            column_config=tables.budget_column_config(table),
            note=notes.join_notes(BARS_NOTE, cut),
            empty=NO_PAIRS.format("output"),
        )
    else:
        outcomes, cut = tables.top_rows(scope.with_plan_names(data.cached(budget.by, filters, "outcome")), "outcomes")
        fig = delivery_bars(outcomes, "outcome", "outcome_key", "outcome")
        table = tables.budget_table(outcomes, {"outcome": "Outcome", "plan": "Plan"}, DELIVERY_METRICS)
        charts.chart_with_table(
            fig,
            table,
            "delivery-by-outcome",
            column_config=tables.budget_column_config(table),
            drill=charts.drill_to_outcome,
            empty=NO_PAIRS.format("outcome"),
            note=notes.join_notes(
                BARS_NOTE, "Click an outcome's bar, or choose it in the sidebar, to see its outputs.", cut
            ),
        )

left, right = st.columns(2, gap="large")

with left, frame.section("Delivery rate by agency"):
    agencies, cut = tables.top_rows(data.cached(budget.by, filters, "agency"), "agencies")
    # ranked by the measure the chart shows (agencies without a rate last)
    agencies = agencies.sort_values("delivery_rate", ascending=False, na_position="last", kind="stable")
    table = tables.budget_table(agencies, {"agency": "Agency", "agency_name": "Name"}, DELIVERY_METRICS)
    if agencies["delivery_rate"].isna().all():
        st.info(
            "No agency has both available and spent figures reported for the period in view, so there is "
            "no delivery rate to show. Choose earlier years, or ask agencies for their expenditure.",
            icon=":material/hourglass_empty:",
        )
        tables.show_table(table, column_config=tables.budget_column_config(table), key="table-delivery-by-agency")
        tables.download_csv(table, "delivery-by-agency")
    else:
        fig = charts.agency_delivery_bars(agencies)
        charts.chart_with_table(
            fig,
            table,
            "delivery-by-agency",
            column_config=tables.budget_column_config(table),
            drill=charts.drill_to_agency,
            note=notes.join_notes(
                "“Joint” = sub-outputs run jointly by several agencies (money "
                "not split). '—' = no line with both available and spent "
                "reported. Click an agency to narrow the dashboard to it.",
                cut,
                overspent_note(agencies, "agency"),
            ),
        )

with right, frame.section("Over the years"):
    years = data.cached(budget.by, filters, "year")
    divisor, unit = charts.money_scale(list(years["available"]) + list(years["expenditure"]))
    fig = go.Figure()
    for column in ("available", "expenditure"):
        fig.add_scatter(
            x=[str(y) for y in years["year"]],
            y=years[column] / divisor,
            mode="lines+markers",
            name=charts.MONEY_NAMES[column],
            line=dict(color=palette.MONEY_COLORS[column], width=3),
            marker=dict(size=9),
            hovertext=[
                f"{h}<br>Delivery rate: {format_rate(r)}"
                for h, r in zip(charts.money_hover(charts.MONEY_NAMES[column], years[column]), years["delivery_rate"])
            ],
            hoverinfo="text",
        )
    charts.layout(fig, height=360, x_title="Year", y_title=unit)
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    table = tables.budget_table(years, {"year": "Year"})
    this_year = dt.date.today().year
    charts.chart_with_table(
        fig,
        table,
        "delivery-by-year",
        column_config=tables.budget_column_config(table),
        empty="Neither available nor spent money is reported for any year in view: there is no line to draw. "
        "The table shows what the lines do have.",
        note=f"{this_year} is still under way: its spending is partial." if this_year in set(years["year"]) else None,
    )

# --- the delivery rate table: outcome → output → agency -------------------------------------------------
with frame.section("Delivery rate table"):
    detail = data.cached(budget.by, filters, "output_agency")
    table = tables.budget_table(
        detail, {"outcome": "Outcome", "output": "Output", "agency": "Agency"}, DELIVERY_METRICS
    )
    config = tables.budget_column_config(table)
    config.update(tables.text_columns("Outcome", "Output", width="medium"))
    tables.show_table(table, column_config=config, key="table-delivery-detail")
    tables.download_csv(table, "delivery-rate-table")
    st.caption(
        "One row per outcome, output and agency; joint sub-outputs are one “Joint” row. "
        "The delivery rate counts only lines where both available and spent are reported."
    )

if filters.agency:
    with frame.section(f"Budget lines of {md_escape(filters.agency)}"):
        lines, count = data.cached(budget.lines, filters)
        lines = scope.with_plan_names(lines)
        st.caption(
            f"{count_of(count, 'line')}, including joint sub-outputs that {md_escape(filters.agency)} "
            "takes part in" + (f" (the first {format_count(len(lines))} shown)" if count > len(lines) else "") + "."
        )
        table = lines.assign(delivery_rate=tables.percent(lines["delivery_rate"]))[
            [
                "outcome_code",
                "output_code",
                "output_title",
                "suboutput_title",
                "agency",
                "year",
                "funding_source",
                "required",
                "available",
                "expenditure",
                "delivery_rate",
                "currency",
                "plan",
                "outcome_title",
            ]
        ].rename(
            columns={
                "plan": "Plan",
                "outcome_code": "Outcome code",
                "outcome_title": "Outcome",
                "output_code": "Output code",
                "output_title": "Output",
                "suboutput_title": "Sub-output",
                "agency": "Agency",
                "funding_source": "Funding source",
                "year": "Year",
                "currency": "Currency",
                **{
                    m.name: m.header
                    for m in (metrics.REQUIRED, metrics.AVAILABLE, metrics.EXPENDITURE, metrics.DELIVERY_RATE)
                },
            }
        )
        config = tables.budget_column_config(table)
        config.update(tables.text_columns("Output", "Sub-output", "Outcome", width="medium"))
        config["Year"] = st.column_config.NumberColumn("Year", format="%d")
        tables.show_table(table, column_config=config, key="table-agency-lines")
        tables.download_csv(table, f"budget-lines-{filters.agency}")

with frame.section("Year on year"):
    year_on_year(filters, "delivery")
