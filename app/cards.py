"""The cards at the top of a page: a figure with its label, the help text of its metric (the Metric registry,
`analytics.metrics`) and a caption saying what it leaves out; and the change of the figure since a date ("+ USD 12 M
since 30 Sep"), read by the same read as the card, as of that date (`Then`)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from analytics import metrics
from analytics.filters import Filters, parse_day
from analytics.metrics import Metric
from app import data
from core.formatting import format_count, format_money
from etl import history

#: the URL query parameter (and widget key) of the date the cards compare with
SINCE_KEY = "since"


@dataclass(frozen=True)
class Then:
    """The cards' figures as of an earlier date: `figures` is what the cards' own read returned as of `day`."""

    day: dt.date
    figures: Mapping[str, Any]


def previous_quarter_end(day: dt.date) -> dt.date:
    """The last day of the quarter before the one `day` is in (30 Sep for any day of October to December)."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1) - dt.timedelta(days=1)


def then(read: Callable[..., Mapping[str, Any]], filters: Filters) -> Then | None:
    """The sidebar's "Change since" date (default: the end of the quarter before the figures' date) and `read` as of
    it: what `metric_card` compares with. None when the date is not before the figures' own date."""
    now = filters.as_of or history.now().date()
    asked = st.query_params.get(SINCE_KEY)
    if asked and parse_day(asked) is None:
        st.warning(f"This link asks for the change since “{asked[:20]}”, which is not a date (YYYY-MM-DD): the "
                   "cards compare with the end of the previous quarter.", icon=":material/link_off:")
        del st.query_params[SINCE_KEY]
    day = st.sidebar.date_input("Change since", value=previous_quarter_end(now), min_value=dt.date(2000, 1, 1),
                                max_value=now, key=SINCE_KEY, bind="query-params", format="YYYY-MM-DD",
                                help="The cards show how each figure changed since the end of this day (UTC).")
    if not day or day >= now:
        return None
    return Then(day, data.cached(read, replace(filters, as_of=day)))


def change(metric: Metric, value: object, before: object, day: dt.date) -> str:
    """'+ USD 12.0 M since 30 Sep 2025', '-3 pts since …', 'no change since …' (a ratio changes by percentage
    points); '' when either figure is missing."""
    if value is None or before is None or value != value or before != before:
        return ""
    diff = float(value) - float(before)  # type: ignore[arg-type]
    since = f"since {day:%-d %b %Y}"
    if metric.rate:
        points = round(diff * 100)
        return f"{points:+d} pts {since}" if points else f"no change {since}"
    if round(diff, 2) == 0:
        return f"no change {since}"
    sign = "+" if diff > 0 else "-"
    shown = format_money(abs(diff)) if metric.unit == "USD" else format_count(abs(diff))
    return f"{sign} {shown} {since}"


def card(column: Any, label: str, value: str, help: str | None = None, caption: str | None = None,
         delta: str | None = None, worse_up: bool = False) -> None:
    """A card; `delta` the change since a date, green when up unless `worse_up` (a gap, overdue actions)."""
    with column:
        st.metric(label, value, help=help, border=True, delta=delta or None,
                  delta_color="off" if delta and delta.startswith("no change") else
                  "inverse" if worse_up else "normal")
        if caption:
            st.caption(caption)


def metric_card(column: Any, metric: Metric, value: object, caption: str | None = None,
                label: str | None = None, then: Then | None = None, name: str | None = None) -> None:
    """A metric's card: its label (or `label`), the value as the metric is shown, its help text; with `then`, its
    change since then (the figure `name`, else the metric's name, of `then.figures`)."""
    delta = change(metric, value, then.figures.get(name or metric.name), then.day) if then else None
    card(column, label or metric.label, metric.shown(value), help=metric.help, caption=caption, delta=delta,
         worse_up=metric in (metrics.FUNDING_GAP, metrics.OVERDUE) and label != "Funding surplus")


def gap_card(column: Any, gap: float | None, caption: str | None = None, then: Then | None = None) -> None:
    """The funding gap, or the surplus when more is available than required (never a negative gap)."""
    surplus = gap is not None and gap < 0
    if surplus and then:  # the surplus's change: its size, then and now
        before = then.figures.get("funding_gap")
        then = Then(then.day, {"funding_gap": -before if before is not None else None})
    metric_card(column, metrics.FUNDING_GAP, -gap if gap is not None and surplus else gap, caption=caption,
                label="Funding surplus" if surplus else None, then=then)
