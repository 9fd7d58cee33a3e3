"""The cards at the top of a page: a figure with its label, the help text of its metric (the Metric registry,
`analytics.metrics`) and a caption saying what it leaves out; and the change of the figure since a date ("+ USD 12 M
since 30 Sep"), read by the same read as the card, as of that date (`Then`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import streamlit as st

from analytics import metrics
from analytics.actions import previous_quarter_end
from analytics.filters import Filters, parse_day
from analytics.metrics import Metric
from app import data
from app.text import md_escape
from core.formatting import count_of, format_count, format_money, format_rate, is_missing
from store import history

#: the URL query parameter (and widget key) of the date the cards compare with
SINCE_KEY = "since"


@dataclass(frozen=True)
class Then:
    """The cards' figures as of an earlier date: `figures` is what the cards' own read returned as of `day`, with
    `filters` (the page's, as of `day`)."""

    day: dt.date
    figures: Mapping[str, Any]
    filters: Filters | None = None

    def also(self, read: Callable[..., Mapping[str, Any]]) -> Then:
        """Another read's figures as of the same date (a second row of cards)."""
        return Then(self.day, data.cached(read, self.filters), self.filters)


def then(read: Callable[..., Mapping[str, Any]], filters: Filters) -> Then | None:
    """The sidebar's "Change since" date (default: the end of the quarter before the figures' date) and `read` as of
    it: what `metric_card` compares with. None when the date is not before the figures' own date. Once per page (it
    draws the date box); `Then.also` reads more figures as of the same date."""
    now = filters.as_of or history.now().date()
    asked = st.query_params.get(SINCE_KEY)
    if asked and parse_day(asked) is None:
        st.warning(
            f"This link asks for the change since “{asked[:20]}”, which is not a date (YYYY-MM-DD): the "
            "cards compare with the end of the previous quarter.",
            icon=":material/link_off:",
        )
        del st.query_params[SINCE_KEY]
    day = st.sidebar.date_input(
        "Change since",
        value=previous_quarter_end(now),
        min_value=dt.date(2000, 1, 1),
        max_value=now,
        key=SINCE_KEY,
        bind="query-params",
        format="YYYY-MM-DD",
        help="The cards show how each figure changed since the end of this day (UTC).",
    )
    if not day or day >= now:
        return None
    earlier = replace(filters, as_of=day)
    return Then(day, data.cached(read, earlier), earlier)


def change(metric: Metric | None, value: object, before: object, day: dt.date) -> str:
    """'+ USD 12.0 M since 30 Sep 2025', '-3 pts since …', 'no change since …' (a ratio changes by percentage
    points; `metric` None: a count, '+2 since …'); '' when either figure is missing."""
    if value is None or before is None or value != value or before != before:
        return ""
    diff = float(value) - float(before)  # type: ignore[arg-type]
    since = f"since {day:%-d %b %Y}"
    if metric is not None and metric.rate:
        points = round(diff * 100)
        return f"{points:+d} pts {since}" if points else f"no change {since}"
    if round(diff, 2) == 0:
        return f"no change {since}"
    sign = "+" if diff > 0 else "-"
    shown = format_money(abs(diff)) if metric is not None and metric.unit == "USD" else format_count(abs(diff))
    return f"{sign} {shown} {since}"


def earlier(then: Then, name: str, metric: Metric | None) -> Any:
    """Figure `name` as of `then.day`. A sum of money over no budget line at all (no action, for the work plans'
    costs) — nothing loaded yet then — was 0, so what was loaded since shows as its change ('+ USD 49.2 M since 30
    Sep 2026'); over lines that did not report it, it stays unknown (no change is said)."""
    before = then.figures.get(name)
    rows = then.figures["lines"] if "lines" in then.figures else then.figures.get("actions")  # what the sums cover
    if before is None and metric is not None and metric.unit == "USD" and rows == 0:
        return 0.0
    return before


def change_since(then: Then | None, name: str, value: object, metric: Metric | None = None) -> str | None:
    """How figure `name` of `then.figures` moved to `value` ('+2 since 30 Sep 2026'; `metric` None: a count); None
    without an earlier date."""
    return change(metric, value, earlier(then, name, metric), then.day) if then else None


def card(
    column: Any,
    label: str,
    value: str,
    help: str | None = None,
    caption: str | None = None,
    delta: str | None = None,
    worse_up: bool = False,
) -> None:
    """A card; `delta` the change since a date, green when up unless `worse_up` (a gap, overdue actions)."""
    unchanged = bool(delta and delta.startswith("no change"))
    with column:
        st.metric(
            label,
            value,
            help=help,
            border=True,
            delta=delta or None,
            delta_color="off" if unchanged else "inverse" if worse_up else "normal",
            delta_arrow="off" if unchanged else "auto",  # "no change" neither rose nor fell
        )
        if caption:
            st.caption(caption)


def metric_card(
    column: Any,
    metric: Metric,
    value: object,
    caption: str | None = None,
    label: str | None = None,
    then: Then | None = None,
    name: str | None = None,
) -> None:
    """A metric's card: its label (or `label`), the value as the metric is shown, its help text; with `then`, its
    change since then (the figure `name`, else the metric's name, of `then.figures`)."""
    delta = change(metric, value, earlier(then, name or metric.name, metric), then.day) if then else None
    card(
        column,
        label or metric.label,
        metric.shown(value),
        help=metric.help,
        caption=caption,
        delta=delta,
        worse_up=metric in (metrics.FUNDING_GAP, metrics.OVERDUE) and label != "Funding surplus",
    )


class Headline(NamedTuple):
    """One of the Overview's headline cards, as the Overview and the meeting brief show it."""

    label: str
    value: str
    help: str | None
    caption: str | None
    metric: Metric | None = None  # the card's metric, its figure and the name of that figure in the read: for
    raw: object = None  # its change since a date (`delta`)
    name: str | None = None


def delta(c: Headline, then: Then | None) -> str | None:
    """A headline card's change since `then` ('+ USD 12.0 M since 30 Sep 2025'); None without a date or a metric.
    A surplus is a negative gap shown as a positive figure: its earlier figure is negated the same way."""
    if then is None or c.metric is None:
        return None
    before = earlier(then, c.name or c.metric.name, c.metric)
    if c.label == "Funding surplus" and before is not None:
        before = -before
    return change(c.metric, c.raw, before, then.day)


def worse_up(c: Headline) -> bool:
    """Whether a rise of the card's figure is bad news (a gap, overdue actions): its change is then shown red."""
    return c.metric in (metrics.FUNDING_GAP, metrics.OVERDUE) and c.label != "Funding surplus"


def headline(h: dict[str, Any]) -> list[Headline]:
    """The Overview's eight headline cards from `activity.headline`: money, delivery, indicators, actions."""
    gap, surplus = h["funding_gap"], h["funding_gap"] is not None and h["funding_gap"] < 0
    on_track = h["indicators_on_track"] + h["indicators_achieved"]
    rate = f"Implementation rate {format_rate(h['actions_implementation_rate'])}"
    return [
        Headline(
            metrics.REQUIRED.label,
            metrics.REQUIRED.shown(h["required"]),
            metrics.REQUIRED.help,
            count_of(h["lines"], "budget line"),
            metrics.REQUIRED,
            h["required"],
        ),
        Headline(
            metrics.AVAILABLE.label,
            metrics.AVAILABLE.shown(h["available"]),
            metrics.AVAILABLE.help,
            count_of(h["lines_without_available"], "line") + " not reported"
            if h["lines_without_available"]
            else f"Coverage {format_rate(h['coverage'])}",
            metrics.AVAILABLE,
            h["available"],
        ),
        Headline(
            metrics.EXPENDITURE.label,
            metrics.EXPENDITURE.shown(h["expenditure"]),
            metrics.EXPENDITURE.help,
            count_of(h["lines_without_expenditure"], "line") + " not reported"
            if h["lines_without_expenditure"]
            else None,
            metrics.EXPENDITURE,
            h["expenditure"],
        ),
        Headline(
            "Funding surplus" if surplus else metrics.FUNDING_GAP.label,
            metrics.FUNDING_GAP.shown(-gap if surplus else gap),
            metrics.FUNDING_GAP.help,
            f"Coverage {format_rate(h['coverage'])}",
            metrics.FUNDING_GAP,
            -gap if surplus else gap,
        ),
        Headline(
            metrics.DELIVERY_RATE.label,
            metrics.DELIVERY_RATE.shown(h["delivery_rate"]),
            metrics.DELIVERY_RATE.help,
            None,
            metrics.DELIVERY_RATE,
            h["delivery_rate"],
        ),
        Headline(
            "Indicators on track",
            f"{on_track} of {h['indicators']}" if h["indicators"] else "—",
            "Achieved or on track: progress to target at least the share of the baseline-to-target period "
            "that has elapsed.",
            f"{h['indicators_achieved']} achieved · {h['indicators_on_track']} on track · "
            f"{h['indicators_off_track']} off track · {h['indicators_no_data']} no data"
            if h["indicators"]
            else "No indicator values reported for the period in view",
        ),
        Headline(
            "Actions completed",
            f"{h['actions_completed']} of {h['actions']}" if h["actions"] else "—",
            metrics.COMPLETED.help,
            None
            if not h["actions"]
            else (
                f"{rate} of {count_of(h['actions'] - h['actions_set_aside'], 'applicable action')}"
                if h["actions_set_aside"]
                else rate
            ),
        ),
        Headline(
            "Actions overdue",
            metrics.OVERDUE.shown(h["actions_overdue"] if h["actions"] else None),
            metrics.OVERDUE.help,
            count_of(h["actions_open"], "open action") if h["actions"] else None,
            metrics.OVERDUE,
            h["actions_overdue"] if h["actions"] else None,
            "actions_overdue",
        ),
    ]


def _amount(value: object) -> str:
    """Money without its currency, after a first amount that names it: '1.1 B'."""
    return format_money(value).removeprefix("USD ")


def basis_note(basis: object, of: str) -> str | None:
    """'on 18 % of available funds' when a ratio rests on part of the money only; None when on all of it."""
    if is_missing(basis) or float(basis) >= 0.995:  # type: ignore[arg-type]
        return None
    return f"on {format_rate(basis)} of {of}"


def ratio_card(
    column: Any,
    metric: Metric,
    value: object,
    basis: object,
    of: str,
    caption: str | None = None,
    then: Then | None = None,
) -> None:
    """A ratio's card stating, on the card itself, the share of the money the ratio rests on (`basis`, a
    `metrics.*_BASIS` value, of `of`: 'available funds') when that is not all of it; with `then`, its change
    since then in the caption (the card's own line holds the basis)."""
    since = change(metric, value, earlier(then, metric.name, metric), then.day) if then else ""
    caption = " · ".join(t for t in (since, caption) if t) or None
    with column:
        st.metric(
            metric.label,
            metric.shown(value),
            delta=basis_note(basis, of),
            delta_color="off",
            delta_arrow="off",
            help=metric.help,
            border=True,
        )
        if caption:
            st.caption(caption)


def gap_card(column: Any, totals: dict[str, Any], caption: str | None = None, then: Then | None = None) -> None:
    """The funding gap, or the surplus when more is available than required (never a negative gap); with the
    requirement whose available figure is not reported on the card ('USD 1.5 B', '+ 1.1 B not reported'), so
    that required = available + gap + not reported adds up on the cards. With `then`, the change since then
    (of the surplus's size for a surplus; in the caption where the card's own line holds what is not reported)."""
    gap, unreported = totals["funding_gap"], totals["required_without_available"] or 0
    surplus = gap is not None and gap < 0
    shown = -gap if gap is not None and surplus else gap
    label = "Funding surplus" if surplus else metrics.FUNDING_GAP.label
    since = None
    if then:
        before = earlier(then, "funding_gap", metrics.FUNDING_GAP)
        since = change(metrics.FUNDING_GAP, shown, -before if surplus and before is not None else before, then.day)
    if not unreported > 0:
        card(
            column,
            label,
            format_money(shown),
            help=metrics.FUNDING_GAP.help,
            caption=caption,
            delta=since,
            worse_up=not surplus,
        )
        return
    caption = " · ".join(t for t in (since, caption) if t) or None
    with column:
        st.metric(
            f"{label} + not reported",
            format_money(shown),
            delta=f"+ {_amount(unreported)} not reported",
            delta_color="off",
            delta_arrow="off",
            border=True,
            help=f"{metrics.FUNDING_GAP.help} Not reported: the requirement of lines with no available figure.",
        )
        if caption:  # it may begin with the change, "+ USD 1.8 M since …": never a Markdown list item
            st.caption(md_escape(caption))


def budget_sum(totals: dict[str, Any]) -> str:
    """'USD 3.8 B required = 1.2 B available + 1.5 B gap + 1.1 B not reported' — how the cards add up (money
    available on lines stating no requirement is outside the sum, and said so)."""
    gap = totals["funding_gap"] or 0
    parts = [
        f"{format_money(totals['required'])} required = {_amount(totals['available_with_required'] or 0)} available",
        f"{_amount(abs(gap))} {'surplus' if gap < 0 else 'gap'}",
    ]
    if totals["required_without_available"]:
        parts.append(f"{_amount(totals['required_without_available'])} not reported")
    text = parts[0] + (" − " if gap < 0 else " + ") + parts[1] + "".join(f" + {p}" for p in parts[2:])
    if totals["available_without_required"]:
        text += (
            f" ({format_money(totals['available_without_required'])} more is available on lines stating no requirement)"
        )
    return text
