"""The cards at the top of a page: a figure with its label, the help text of its metric (the Metric registry,
`analytics.metrics`) and a caption saying what it leaves out."""
from __future__ import annotations

from typing import Any, NamedTuple

import streamlit as st

from analytics import metrics
from analytics.metrics import Metric
from core.formatting import count_of, format_rate


def card(column: Any, label: str, value: str, help: str | None = None, caption: str | None = None) -> None:
    with column:
        st.metric(label, value, help=help, border=True)
        if caption:
            st.caption(caption)


def metric_card(column: Any, metric: Metric, value: object, caption: str | None = None,
                label: str | None = None) -> None:
    """A metric's card: its label (or `label`), the value as the metric is shown, its help text."""
    card(column, label or metric.label, metric.shown(value), help=metric.help, caption=caption)


def gap_card(column: Any, gap: float | None, caption: str | None = None) -> None:
    """The funding gap, or the surplus when more is available than required (never a negative gap)."""
    surplus = gap is not None and gap < 0
    metric_card(column, metrics.FUNDING_GAP, -gap if gap is not None and surplus else gap, caption=caption,
                label="Funding surplus" if surplus else None)


class Headline(NamedTuple):
    """One of the Overview's headline cards, as the Overview and the meeting brief show it."""

    label: str
    value: str
    help: str | None
    caption: str | None


def headline(h: dict[str, Any]) -> list[Headline]:
    """The Overview's eight headline cards from `activity.headline`: money, delivery, indicators, actions."""
    gap, surplus = h["funding_gap"], h["funding_gap"] is not None and h["funding_gap"] < 0
    on_track = h["indicators_on_track"] + h["indicators_achieved"]
    rate = f"Implementation rate {format_rate(h['actions_implementation_rate'])}"
    return [
        Headline(metrics.REQUIRED.label, metrics.REQUIRED.shown(h["required"]), metrics.REQUIRED.help,
                 count_of(h["lines"], "budget line")),
        Headline(metrics.AVAILABLE.label, metrics.AVAILABLE.shown(h["available"]), metrics.AVAILABLE.help,
                 count_of(h["lines_without_available"], "line") + " not reported" if h["lines_without_available"]
                 else f"Coverage {format_rate(h['coverage'])}"),
        Headline(metrics.EXPENDITURE.label, metrics.EXPENDITURE.shown(h["expenditure"]), metrics.EXPENDITURE.help,
                 count_of(h["lines_without_expenditure"], "line") + " not reported"
                 if h["lines_without_expenditure"] else None),
        Headline("Funding surplus" if surplus else metrics.FUNDING_GAP.label,
                 metrics.FUNDING_GAP.shown(-gap if surplus else gap), metrics.FUNDING_GAP.help,
                 f"Coverage {format_rate(h['coverage'])}"),
        Headline(metrics.DELIVERY_RATE.label, metrics.DELIVERY_RATE.shown(h["delivery_rate"]),
                 metrics.DELIVERY_RATE.help, None),
        Headline("Indicators on track", f"{on_track} of {h['indicators']}" if h["indicators"] else "—",
                 "Achieved or on track: progress to target at least the share of the baseline-to-target period "
                 "that has elapsed.",
                 f"{h['indicators_achieved']} achieved · {h['indicators_on_track']} on track · "
                 f"{h['indicators_off_track']} off track · {h['indicators_no_data']} no data" if h["indicators"]
                 else "No indicator values reported for the period in view"),
        Headline("Actions completed", f"{h['actions_completed']} of {h['actions']}" if h["actions"] else "—",
                 metrics.COMPLETED.help, None if not h["actions"] else (
                     f"{rate} of {count_of(h['actions'] - h['actions_set_aside'], 'applicable action')}"
                     if h["actions_set_aside"] else rate)),
        Headline("Actions overdue", metrics.OVERDUE.shown(h["actions_overdue"] if h["actions"] else None),
                 metrics.OVERDUE.help, count_of(h["actions_open"], "open action") if h["actions"] else None),
    ]
