"""Charts: one colour per meaning on every page (from core.palette), Plotly figures with the
dashboard's layout, money scales and escaped labels, and `chart_with_table`: a chart and, one click away, the
table behind it with its CSV. Chart text is entity-escaped (`plot_text`), so Plotly shows stored text literally.
The Funding gaps page's requirement treemap is app/treemap.py."""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import metrics
from analytics.identity import GROUP_LABELS
from app.frame import guarded
from app.tables import download_csv, full_names, percent, show_table
from app.text import plot_text, slug
from core import palette
from core.formatting import format_money, format_rate, is_missing, shorten, text

MONEY_NAMES = {
    **{m.name: m.label for m in (metrics.REQUIRED, metrics.AVAILABLE, metrics.EXPENDITURE)},
    "gap": "Funding gap",
    "surplus": "Surplus (over-funded)",
    "not_reported": "Available not reported",
}

ACTION_STATUS_LABELS = {
    "completed": "Completed",
    "ongoing": "Ongoing",
    "not_started": "Not started",
    "continuous": "Continuous",
    "no_longer_applicable": "No longer applicable",
    "deprioritized": "Deprioritized",
}


FONT = dict(family="Source Sans Pro, Segoe UI, Arial, sans-serif", size=14, color=palette.INK)
PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def money_scale(values: Sequence[float]) -> tuple[float, str]:
    """A divisor and axis title so money axes read 'USD million' instead of long numbers."""
    clean = [abs(float(v)) for v in values if not is_missing(v)]
    top = max(clean) if clean else 0
    if top >= 1e9:
        return 1e9, "USD billion"
    if top >= 1e6:
        return 1e6, "USD million"
    if top >= 1e3:
        return 1e3, "USD thousand"
    return 1.0, "USD"


def layout(
    fig: go.Figure,
    *,
    title: str | None = None,
    height: int | None = None,
    legend: bool = True,
    x_title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    # axis and legend text at least 14 px and dark, readable on a projector; each setting in one update of the
    # figure (plotly validates every update: 5 calls a chart cost 0.07 s)
    fig.update_layout(
        title=dict(text=plot_text(title), x=0, xanchor="left", font=dict(size=17)) if title else None,
        font=FONT,
        height=height,
        margin=dict(l=10, r=20, t=56 if title else 20, b=10),
        legend=dict(
            orientation="h",
            yanchor="bottom",
            y=1.0,
            xanchor="left",
            x=0,
            title_text="",
            traceorder="normal",
            font=dict(size=14, color=FONT["color"]),
        )
        if legend
        else None,
        showlegend=legend,
        hoverlabel=dict(font_size=14, align="left"),
        bargap=0.25,
        separators=".,",
    )
    for update, axis_title in ((fig.update_xaxes, x_title), (fig.update_yaxes, y_title)):
        settings: dict[str, Any] = dict(
            automargin=True, tickfont=dict(size=14, color=FONT["color"]), title_font=dict(size=15)
        )
        if axis_title is not None:
            settings["title_text"] = plot_text(axis_title)
        update(**settings)
    return fig


def count_axis(fig: go.Figure, maximum: float, axis: str = "x") -> None:
    """Whole numbers only on an axis that counts things."""
    settings: dict[str, Any] = dict(rangemode="tozero", tickformat=",d")
    if maximum <= 12:
        settings["dtick"] = 1
    (fig.update_xaxes if axis == "x" else fig.update_yaxes)(**settings)


def bar_height(n: int, per_bar: int = 44, minimum: int = 260, maximum: int = 2400) -> int:
    return max(minimum, min(maximum, 110 + per_bar * n))


def wrap_label(value: object, width: int = 42, lines: int = 2) -> str:
    """Text on up to `lines` lines of about `width` characters (escaped, joined with <br>)."""
    words = " ".join(str("" if is_missing(value) else value).split()).split(" ")
    out: list[str] = []
    current = ""
    for i, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
            continue
        out.append(current)
        current = word
        if len(out) == lines - 1:
            current = shorten(" ".join(words[i:]), width)
            break
    out.append(current)
    return "<br>".join(plot_text(line) for line in out[:lines])


def axis_labels(labels: Sequence[object], width: int = 42, lines: int = 2) -> list[str]:
    """Escaped, wrapped (two lines), unique category labels for a chart axis."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for label in labels:
        text = wrap_label(label, width, lines)
        n = seen.get(text, 0)
        seen[text] = n + 1
        out.append(text if n == 0 else f"{text} ({n + 1})")
    return out


def category_rows(fig: go.Figure) -> None:
    """Horizontal bars: one row per label, top to bottom in the table's order. The axis is a category axis
    even when the labels read as numbers: outcomes without titles are labelled by their bare codes ('1',
    '2'), and Plotly would draw a number axis and drop every other row."""
    fig.update_yaxes(type="category", autorange="reversed")


def money_hover(name: str, values: Sequence[float], extra: Sequence[str] | None = None) -> list[str]:
    """Hover lines for a money trace: '<b>Available</b>: USD 1.2 M' plus optional escaped detail."""
    lines = []
    for i, v in enumerate(values):
        line = f"{name}: {format_money(v)}"
        if extra is not None:
            line = f"{extra[i]}<br>{line}"
        lines.append(line)
    return lines


#: what a chart with nothing to draw says instead, unless its page says it better
NOTHING_TO_DRAW = (
    "No row in view has the figures this chart draws: there is nothing to draw. The table shows what the rows do have."
)


def drawn_values(trace: Any) -> list[float]:
    """The numbers a trace draws on its value axis: a bar's lengths, a line's heights, a pie's or treemap's sizes."""
    if trace.type in ("pie", "treemap", "sunburst", "icicle"):
        values = trace.values
    else:
        values = trace.x if getattr(trace, "orientation", None) == "h" else trace.y
    # numbers only: a label such as "1" (an outcome without a title) on the value axis is no figure
    return [float(v) for v in values if isinstance(v, numbers.Real) and math.isfinite(v)] if values is not None else []


def nothing_to_draw(fig: go.Figure) -> bool:
    """No trace has a number to draw and no line crosses the chart (an indicator's baseline or target): the chart
    would be an empty axis from 0 to 1, saying nothing."""
    return not fig.layout.shapes and not any(drawn_values(trace) for trace in fig.data)


def table_instead_of_chart(sentence: str, table: pd.DataFrame, name: str, *, column_config: dict | None = None) -> None:
    """Where a chart would have nothing on it: a sentence saying why, then the table — what the rows do have — and
    its CSV, under the names the chart's would have had."""
    st.caption(sentence)
    show_table(table, column_config=column_config, key=f"table-{slug(name)}")
    download_csv(table, name)


def chart_with_table(
    fig: go.Figure,
    table: pd.DataFrame,
    name: str,
    *,
    column_config: dict | None = None,
    note: str | None = None,
    drill: Callable[[str], None] | None = None,
    empty: str = NOTHING_TO_DRAW,
) -> None:
    """A chart, and one click away the table behind it with a formula-safe CSV of exactly that table; where the chart
    has nothing to draw (every figure it draws missing), the sentence `empty` and the table instead.

    `drill(chart_key)` runs when the user clicks a bar (e.g. `drill_to_outcome`)."""
    if nothing_to_draw(fig):
        table_instead_of_chart(empty, table, name, column_config=column_config)
        return
    chart_key = f"chart-{slug(name)}"
    chart_tab, table_tab = st.tabs(["Chart", "Table"])
    with chart_tab:
        st.plotly_chart(
            fig,
            key=chart_key,
            on_select=functools.partial(drill, chart_key) if drill else "ignore",
            selection_mode="points",
            config=PLOTLY_CONFIG,
            theme="streamlit",
            alt=name.replace("-", " ").capitalize(),
        )
    with table_tab:
        show_table(table, column_config=column_config, key=f"table-{slug(name)}")
        download_csv(table, name)
    if note:
        st.caption(note)


def selected_customdata(chart_key: str) -> list:
    """customdata[0] of the points clicked in a chart (for drill-down callbacks)."""
    state = st.session_state.get(chart_key)
    if not state:
        return []
    try:
        points = state["selection"]["points"]
    except (KeyError, TypeError):
        return []
    values = []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, (list, tuple)) and data:
            values.append(data[0])
        elif data is not None:
            values.append(data)
    return values


@guarded
def drill_to_outcome(chart_key: str) -> None:
    """Callback: a click on an outcome's bar narrows the whole dashboard to that outcome."""
    keys = [text(k) for k in selected_customdata(chart_key) if text(k)]
    if keys:
        st.session_state["outcome"] = keys[0]


@guarded
def drill_to_agency(chart_key: str) -> None:
    """Callback: a click on an agency's bar narrows the dashboard to that agency (not for 'Joint', '(no
    agency)' or 'Not assigned')."""
    codes = [text(c) for c in selected_customdata(chart_key) if text(c) and c not in GROUP_LABELS]
    if codes:
        st.session_state["agency"] = codes[0]


def gap_segments(df: pd.DataFrame) -> pd.DataFrame:
    """Bar segments that add up to the requirement: funded, gap, not reported (+ surplus beyond it).

    funded = available up to the requirement of the lines that report both; gap = the positive funding
    gap; surplus = the negative one; not reported = required of lines with no available figure. Money
    available on lines with no requirement stated is no part of a requirement bar (the table shows it)."""

    def number(column: str) -> pd.Series:
        return pd.to_numeric(df[column], errors="coerce").fillna(0.0)

    required_without = number("required_without_available")
    gap = number("funding_gap")
    available = number("available") - number("available_without_required")
    return pd.DataFrame(
        {
            "funded": available - (-gap).clip(lower=0),
            "gap": gap.clip(lower=0),
            "surplus": (-gap).clip(lower=0),
            "not_reported": required_without,
        },
        index=df.index,
    )


def hover_names(df: pd.DataFrame, label_column: str) -> list[str]:
    """Escaped full names for hovers, with the plan on a second line where there is one."""
    names = [plot_text(n) for n in full_names(df, label_column)]
    if "plan" in df and label_column in ("outcome", "output"):
        return [f"{n}<br>{plot_text(p)}" for n, p in zip(names, df["plan"])]
    return names


def gap_bars(
    df: pd.DataFrame, label_column: str, key_column: str | None = None, *, horizontal: bool = True
) -> go.Figure:
    """Stacked bars of funded / gap / not reported / surplus per row, in the money colours, each row's gap written
    at the end of its bar."""
    segments = gap_segments(df)
    divisor, unit = money_scale(list(df["required"]) + list(df["available"].fillna(0)))
    rows = full_names(df, label_column)
    labels = axis_labels(rows) if horizontal else [plot_text(v) for v in rows]
    full = hover_names(df, label_column)
    keys = list(df[key_column]) if key_column else [""] * len(df)
    detail = [
        f"{f}<br>Required: {format_money(r)}<br>Available: {format_money(a)}<br>"
        f"Gap: {format_money(g)}<br>Coverage: {format_rate(c)}"
        for f, r, a, g, c in zip(full, df["required"], df["available"], df["funding_gap"], df["coverage"])
    ]
    fig = go.Figure()
    names = {
        "funded": "Available (funded)",
        "gap": "Funding gap",
        "not_reported": "Available not reported",
        "surplus": "Surplus (over-funded)",
    }
    colors = {
        "funded": palette.MONEY_COLORS["available"],
        "gap": palette.MONEY_COLORS["gap"],
        "not_reported": palette.MONEY_COLORS["not_reported"],
        "surplus": palette.MONEY_COLORS["surplus"],
    }
    for part in ("funded", "gap", "not_reported", "surplus"):
        values = segments[part] / divisor
        if not (segments[part] > 0).any():
            continue
        common = dict(
            name=names[part],
            marker_color=colors[part],
            customdata=[[k] for k in keys],
            hovertext=[f"{d}<br><i>{names[part]}: {format_money(v)}</i>" for d, v in zip(detail, segments[part])],
            hoverinfo="text",
        )
        if horizontal:
            fig.add_bar(y=labels, x=values, orientation="h", **common)
        else:
            fig.add_bar(x=labels, y=values, **common)
    # each bar's gap written at its end ("gap USD 12.1 M"; "surplus …" beyond the requirement)
    ends = segments.sum(axis=1) / divisor
    written = [
        f"gap {format_money(g)}" if g > 0 else (f"surplus {format_money(u)}" if u > 0 else "")
        for g, u in zip(segments["gap"], segments["surplus"])
    ]
    marks = dict(
        mode="text",
        text=[plot_text(w) for w in written],
        name="Gap labels",
        showlegend=False,
        hoverinfo="skip",
        textfont=dict(size=14, color=FONT["color"]),
        cliponaxis=False,
    )
    if horizontal:
        fig.add_scatter(y=labels, x=ends, textposition="middle right", **marks)
    else:
        fig.add_scatter(x=labels, y=ends, textposition="top center", **marks)
    layout(
        fig,
        height=bar_height(len(df), per_bar=40) if horizontal else 380,
        x_title=unit if horizontal else None,
        y_title=None if horizontal else unit,
    )
    fig.update_layout(barmode="stack")
    longest = float(ends.max()) if len(ends) else 0.0
    if horizontal:
        category_rows(fig)
        fig.update_xaxes(range=[0, longest * 1.35 or 1])  # room for the gap labels
    else:
        fig.update_xaxes(type="category")
        fig.update_yaxes(range=[0, longest * 1.15 or 1])
    return fig


# --- figures the pages and the meeting brief share (one definition each) -------------------------------


def agency_delivery_bars(agencies: pd.DataFrame) -> go.Figure:
    """The delivery rate per agency (budget.by 'agency', in the order given), the rate written after each bar;
    one measure, one colour."""
    rates = percent(agencies["delivery_rate"])
    fig = go.Figure(
        go.Bar(
            y=axis_labels(agencies["agency"], width=30),
            x=rates.fillna(0),
            orientation="h",
            marker_color=palette.MONEY_COLORS["expenditure"],  # one measure, one colour
            customdata=[[a] for a in agencies["agency"]],
            text=[format_rate(r) for r in agencies["delivery_rate"]],
            textposition="outside",
            cliponaxis=False,
            hovertext=[
                f"{plot_text(a)}<br>Available: {format_money(av)}<br>Spent: {format_money(ex)}"
                f"<br>Delivery rate: {format_rate(r)}"
                for a, av, ex, r in zip(
                    agencies["agency"],
                    agencies["available_with_expenditure"],
                    agencies["expenditure_with_available"],
                    agencies["delivery_rate"],
                )
            ],
            hoverinfo="text",
        )
    )
    layout(fig, height=bar_height(len(agencies), per_bar=40), legend=False, x_title=metrics.DELIVERY_RATE.header)
    fig.update_xaxes(range=[0, max(100.0, float(rates.max()) if rates.notna().any() else 0.0) * 1.18])
    category_rows(fig)
    return fig


def indicator_status_bars(counts: pd.DataFrame) -> go.Figure:
    """How many indicators are achieved, on track, off track, without data (indicators.status_counts)."""
    fig = go.Figure(
        go.Bar(
            x=counts["indicators"],
            y=[s.capitalize() for s in counts["status"]],
            orientation="h",
            marker_color=[palette.INDICATOR_STATUS_COLORS[s] for s in counts["status"]],
            text=counts["indicators"],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x} indicators<extra></extra>",
        )
    )
    layout(fig, height=300, legend=False, x_title="Indicators")
    category_rows(fig)
    count_axis(fig, counts["indicators"].max())
    return fig


def action_status_bars(counts: pd.DataFrame) -> go.Figure:
    """Actions per status, all six (actions.status_counts)."""
    fig = go.Figure(
        go.Bar(
            x=counts["actions"],
            y=[ACTION_STATUS_LABELS[s] for s in counts["status"]],
            orientation="h",
            marker_color=[palette.ACTION_STATUS_COLORS[s] for s in counts["status"]],
            text=counts["actions"],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x} actions<extra></extra>",
        )
    )
    layout(fig, height=330, legend=False, x_title="Actions")
    category_rows(fig)
    count_axis(fig, counts["actions"].max())
    return fig
