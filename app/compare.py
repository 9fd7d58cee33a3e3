"""The year-on-year section of the budget pages (Delivery, Funding gaps): a compare control (two years, per outcome
or agency), grouped bars with the years labelled, and the table with both years and the change."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import streamlit as st

from analytics import compare
from analytics.filters import Filters
from app import charts, data, scope, tables
from app.text import plot_text
from core import palette
from core.formatting import format_money, format_rate, is_missing

YEARLY_NOTE = (
    "Budget lines are yearly (a CBF and a UN INFO export state money per year), so years are compared: a "
    "quarter against the same quarter of the year before would need quarterly figures, which no budget "
    "line has."
)


def _shown(metric, value) -> str:
    return format_rate(value) if metric.rate else format_money(value)


def year_on_year(filters: Filters, page: str) -> None:
    """The compare control and what it shows, for the budget page `page` ('delivery' or 'gaps')."""
    years = data.cached(compare.years, filters)
    if len(years) < 2:
        st.caption("Only one year has budget lines in view: there is nothing to compare it with. " + YEARLY_NOTE)
        return
    left, middle, right = st.columns([1, 1, 2])
    this_year = dt.date.today().year  # by default this year (else the latest) against the year before
    second = left.selectbox(
        "Year", years, index=years.index(this_year) if this_year in years else 0, key=f"compare-{page}-year"
    )
    earlier = [y for y in years if y != second]
    first = middle.selectbox(
        "Compared with",
        earlier,
        index=next((i for i, y in enumerate(earlier) if y < second), 0),
        key=f"compare-{page}-with",
    )
    level = (
        right.segmented_control(
            "Per", ["outcome", "agency"], default="outcome", key=f"compare-{page}-per", format_func=str.capitalize
        )
        or "outcome"
    )
    first, second = sorted((first, second))
    df = data.cached(compare.side_by_side, filters, level, first, second, page)
    if df.empty:
        st.caption("No budget line in view in either year.")
        return
    shown, cut = tables.top_rows(df, f"{level}s", measure=f"the largest {compare.FIGURES[page][0].label.lower()}")
    lead = compare.FIGURES[page][0]
    label = "outcome" if level == "outcome" else "agency"
    labels = charts.axis_labels(shown[label])
    values = [shown[f"{lead.name}_{y}"] for y in (first, second)]
    table = _table(shown, label, page, first, second)
    divisor, unit = charts.money_scale([v for series in values for v in series.fillna(0)])
    fig = go.Figure()
    for year, series, color in zip((first, second), values, palette.COMPARE_YEAR_COLORS):
        # a funding gap below zero is a surplus: drawn as no gap, said in the bar's text (never a negative gap)
        drawn = series.clip(lower=0) if lead.name == "funding_gap" else series
        fig.add_bar(
            y=labels,
            x=drawn / divisor,
            orientation="h",
            name=str(year),
            marker_color=color,
            text=[
                ("surplus " + format_money(-v))
                if lead.name == "funding_gap" and not is_missing(v) and v < 0
                else ("not reported" if is_missing(v) else "")
                for v in series
            ],
            textposition="outside",
            cliponaxis=False,
            hovertext=[
                f"{plot_text(n)}<br>{year} {lead.label}: {_shown(lead, v)}" for n, v in zip(shown[label], series)
            ],
            hoverinfo="text",
        )
    charts.layout(fig, height=charts.bar_height(len(shown), per_bar=54), x_title=f"{lead.label}, {unit}")
    fig.update_layout(barmode="group", legend_title_text="Year")
    charts.category_rows(fig)
    charts.chart_with_table(
        fig,
        table,
        f"{page}-{first}-{second}-by-{level}",
        column_config=tables.budget_column_config(table),
        # no bar to draw when the figure is missing for every row in both years (an axis from -1 to 1 says nothing)
        empty=f"{lead.label} is not reported for any {level} in view, in {first} or in {second}: there is no bar to "
        "draw. The table shows what the lines do have.",
        note=" ".join(
            n
            for n in (
                f"Each {level}'s {lead.label.lower()} in {first} and in {second}; the table adds "
                "the other figures and the change. A year without lines leaves its figures and the "
                "change blank (—), never zero.",
                cut,
                YEARLY_NOTE,
                "The year range in the sidebar gives way to the two years compared."
                if filters.year_from or filters.year_to
                else None,
            )
            if n
        ),
    )


def _table(df, label: str, page: str, first: int, second: int):
    """Both years' figures and the change, with readable headers ('Funding gap 2024 (USD)', 'Change (USD)')."""
    columns, names = [label], {label: label.capitalize()}
    if label == "outcome":
        columns.append("plan")
        names["plan"] = "Plan"
    else:
        columns.append("agency_name")
        names["agency_name"] = "Name"
    table = scope.with_plan_names(df)
    for m in compare.FIGURES[page]:
        unit = "%" if m.rate else "USD"
        for suffix, title in (
            (first, f"{m.label} {first}"),
            (second, f"{m.label} {second}"),
            ("change", f"{m.label}, change"),
        ):
            column = f"{m.name}_{suffix}"
            if m.rate:
                table[column] = tables.percent(table[column])
            columns.append(column)
            names[column] = f"{title} ({'points' if m.rate and suffix == 'change' else unit})"
    for year in (first, second):
        columns.append(f"lines_{year}")
        names[f"lines_{year}"] = f"Budget lines {year}"
    return table[columns].rename(columns=names)
