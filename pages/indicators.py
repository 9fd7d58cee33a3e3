"""Indicators: progress to target per indicator, status counts, and the trend of one indicator."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from analytics import filters as registry
from analytics import indicators, metrics
from app import cards, charts, data, frame, notes, scope, tables
from app.text import plot_text
from core import palette
from core.formatting import format_number, format_rate, indicator_label, is_missing, unique_labels

frame.require_frame()

filters = frame.page_start("Indicators", "Progress from baseline to target", "indicators")
progress = scope.with_plan_names(data.cached(indicators.progress, filters))  # plans as "Plan name (years)"
if progress.empty:
    frame.nothing_in_view("indicators", filters)
    st.stop()

counts = indicators.count_statuses(progress)
n = dict(zip(counts["status"], counts["indicators"]))
then = cards.then(indicators.status_totals, filters)  # the same counts as of the "Change since" date
with frame.section():
    row = st.columns(5)
    cards.card(row[0], "Indicators", str(len(progress)), delta=cards.change_since(then, "indicators", len(progress)))
    for column, status in zip(row[1:], metrics.INDICATOR_STATUSES):
        cards.card(
            column,
            status.capitalize(),
            str(n[status]),
            help=metrics.INDICATOR_STATUS_HELP[status],
            delta=cards.change_since(then, status, n[status]),
            worse_up=status in ("off track", "no data"),
        )
    st.caption(
        " ".join(
            [metrics.PROGRESS.help or "", metrics.EXPECTED_PROGRESS.help or "", *registry.notes("indicators", filters)]
        )
    )


all_labels = unique_labels(
    [indicator_label(c, w) for c, w in zip(progress["indicator_code"], progress["indicator"])], list(progress["plan"])
)
SHOWN = 40


def year(value) -> str:
    return "year ?" if is_missing(value) else str(int(value))


def bar_text(status: str, value) -> str:
    if status == "no data":
        return "no data"
    if is_missing(value):  # target = baseline: met or not
        return "target met" if status == "achieved" else "target not met"
    return format_rate(value)


with frame.section("Progress to target"):
    cut = None
    shown_progress = progress.assign(label=all_labels)
    if len(progress) > SHOWN:  # off-track indicators first, so the chart shows what needs attention
        rank = {"off track": 0, "no data": 1, "on track": 2, "achieved": 3}
        shown_progress = (
            shown_progress.assign(rank=shown_progress["status"].map(rank))
            .sort_values(["rank", "plan", "indicator_code"], kind="stable")
            .head(SHOWN)
            .drop(columns="rank")
        )
        cut = (
            f"The chart and its table show {SHOWN} of {len(progress):,} indicators, off track first. Narrow the "
            "view with the filters, or get every indicator on the Data export page."
        )

    # progress to target gets the full width: its labels are long
    labels = list(shown_progress["label"])
    shown = tables.percent(shown_progress["progress"])
    clipped = shown.clip(lower=-50, upper=150).fillna(0)
    axis = charts.axis_labels(labels, width=55)
    hover = [
        f"{plot_text(label)}<br>Baseline {format_number(b)} ({year(by)}) → target {format_number(t)} "
        f"({year(ty)})<br>Latest: {format_number(a)} ({plot_text(p) or 'none'})<br>Progress: {format_rate(pr)}"
        f" · expected by now: {format_rate(e)}<br>Status: {s}"
        for label, b, by, t, ty, a, p, pr, e, s in zip(
            labels,
            shown_progress["baseline"],
            shown_progress["baseline_year"],
            shown_progress["target"],
            shown_progress["target_year"],
            shown_progress["latest_actual"],
            shown_progress["latest_period"],
            shown_progress["progress"],
            shown_progress["expected_progress"],
            shown_progress["status"],
        )
    ]

    fig = go.Figure()
    fig.add_bar(
        y=axis,
        x=clipped,
        orientation="h",
        name=metrics.PROGRESS.label,
        marker_color=[palette.INDICATOR_STATUS_COLORS[s] for s in shown_progress["status"]],
        text=[bar_text(s, p) for s, p in zip(shown_progress["status"], shown_progress["progress"])],
        textposition="outside",
        cliponaxis=False,
        hovertext=hover,
        hoverinfo="text",
        showlegend=False,
    )
    expected = tables.percent(shown_progress["expected_progress"]).where(shown_progress["status"] != "no data")
    fig.add_scatter(
        y=axis,
        x=expected,
        mode="markers",
        name=metrics.EXPECTED_PROGRESS.label,
        marker=dict(symbol="line-ns-open", size=24, color=palette.INK, line=dict(width=3, color=palette.INK)),
        hovertext=[f"Expected by now: {format_rate(e)}" for e in shown_progress["expected_progress"]],
        hoverinfo="text",
    )
    for status, color in palette.INDICATOR_STATUS_COLORS.items():  # legend entries for the status colours
        fig.add_bar(y=[None], x=[None], orientation="h", name=status.capitalize(), marker_color=color)
    fig.add_vline(x=100, line=dict(color=palette.INK, width=1, dash="dash"))
    charts.layout(
        fig, height=charts.bar_height(len(shown_progress), per_bar=42), x_title="Progress from baseline to target (%)"
    )
    fig.update_layout(barmode="overlay")
    charts.category_rows(fig)
    # room left of a negative bar for its label, which is written outside the bar's end
    fig.update_xaxes(range=[min(-5, float(clipped.min()) - 25 if clipped.min() < 0 else -5), 165], ticksuffix=" %")
    table = shown_progress[
        [
            "indicator_code",
            "indicator",
            "status",
            "progress",
            "expected_progress",
            "latest_actual",
            "latest_period",
            "baseline",
            "baseline_year",
            "target",
            "target_year",
            "unit",
            "result_code",
            "agency",
            "plan",
        ]
    ].copy()
    table["status"] = table["status"].str.capitalize()
    table["progress"] = tables.percent(table["progress"])
    table["expected_progress"] = tables.percent(table["expected_progress"])
    table = table.rename(
        columns={
            "indicator_code": "Code",
            "indicator": "Indicator",
            "plan": "Plan",
            "result_code": "Result",
            "unit": "Unit",
            "baseline": "Baseline",
            "baseline_year": "Baseline year",
            "target": "Target",
            "target_year": "Target year",
            "latest_period": "Latest period",
            "latest_actual": "Latest value",
            "progress": metrics.PROGRESS.header,
            "expected_progress": metrics.EXPECTED_PROGRESS.header,
            "status": "Status",
            "agency": "Agency",
        }
    )
    charts.chart_with_table(
        fig,
        table,
        "indicator-progress",
        column_config=tables.budget_column_config(table),
        note=notes.join_notes(
            "Bars beyond 150 % or below −50 % are cut at the edge; the label "
            "gives the value. The black tick is where the indicator should be "
            "by now.",
            cut,
        ),
    )

left, right = st.columns([1, 2], gap="large")

with left, frame.section("Status"):
    fig = go.Figure(
        go.Pie(
            labels=[s.capitalize() for s in counts["status"]],
            values=counts["indicators"],
            hole=0.55,
            sort=False,
            direction="clockwise",
            marker=dict(colors=[palette.INDICATOR_STATUS_COLORS[s] for s in counts["status"]]),
            textinfo="value",
            hovertemplate="%{label}: %{value} indicators<extra></extra>",
        )
    )
    charts.layout(fig, height=360)
    fig.update_layout(annotations=[dict(text=f"{len(progress)}<br>indicators", showarrow=False, font=dict(size=18))])
    table = counts.assign(status=counts["status"].str.capitalize()).rename(
        columns={"status": "Status", "indicators": "Indicators"}
    )
    charts.chart_with_table(fig, table, "indicator-status-counts")

with right, frame.section("Trend of one indicator"):
    names = dict(zip(progress["indicator_key"], all_labels))
    key = st.selectbox(
        "Indicator", list(progress["indicator_key"]), format_func=lambda k: names.get(k, k), key="trend-indicator"
    )
    if key:
        trend = data.cached(indicators.trend, filters, key)
        chosen = progress[progress["indicator_key"] == key].iloc[0]
        reported = trend[trend["actual"].notna()]
        fig = go.Figure()
        fig.add_scatter(
            x=[plot_text(p) for p in reported["period"]],
            y=reported["actual"],
            mode="lines+markers+text",
            name="Reported value",
            line=dict(color=palette.INDICATOR_TREND_COLORS["reported"], width=3),
            marker=dict(size=10),
            text=[format_number(a) for a in reported["actual"]],
            textposition="top center",
            hovertext=[f"{plot_text(p)}: {format_number(a)}" for p, a in zip(reported["period"], reported["actual"])],
            hoverinfo="text",
        )
        if not is_missing(chosen["baseline"]):
            since = "" if is_missing(chosen["baseline_year"]) else f" ({int(chosen['baseline_year'])})"
            fig.add_hline(
                y=float(chosen["baseline"]),
                line=dict(color=palette.INDICATOR_TREND_COLORS["baseline"], dash="dot"),
                annotation_text=f"Baseline {format_number(chosen['baseline'])}{since}",
                annotation_position="bottom left",
            )
        if not is_missing(chosen["target"]):
            by = "" if is_missing(chosen["target_year"]) else f" by {int(chosen['target_year'])}"
            fig.add_hline(
                y=float(chosen["target"]),
                line=dict(color=palette.INDICATOR_TREND_COLORS["target"], dash="dash"),
                annotation_text=f"Target {format_number(chosen['target'])}{by}",
                annotation_position="top left",
            )
        unit = chosen["unit"] if isinstance(chosen["unit"], str) else ""
        charts.layout(
            fig,
            title=indicator_label(chosen["indicator_code"], chosen["indicator"]),
            height=400,
            legend=False,
            x_title="Reporting period",
            y_title=unit or None,
        )
        fig.update_xaxes(type="category")
        values = [float(v) for v in (chosen["baseline"], chosen["target"], *reported["actual"]) if not is_missing(v)]
        low, high = (min(values), max(values)) if values else (0.0, 1.0)
        pad = (high - low) * 0.15 or 1
        fig.update_yaxes(range=[low - pad, high + pad])
        table = trend.rename(
            columns={
                "period": "Period",
                "period_end": "Period end",
                "actual": "Value",
                "agency": "Agency",
                "baseline": "Baseline",
                "baseline_year": "Baseline year",
                "target": "Target",
                "target_year": "Target year",
                "unit": "Unit",
                "means_of_verification": "Means of verification",
            }
        )
        charts.chart_with_table(
            fig,
            table,
            "indicator-trend",
            column_config={"Period end": st.column_config.DateColumn("Period end", format="YYYY-MM-DD")},
            note=None if len(reported) else "No value reported for this indicator in the periods in view.",
            empty="No value, baseline or target is reported for this indicator in the periods in view: there is "
            "nothing to draw. The table shows its rows.",
        )
