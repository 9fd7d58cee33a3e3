"""The cards at the top of a page: a figure with its label, the help text of its metric (the Metric registry,
`analytics.metrics`) and a caption saying what it leaves out."""
from __future__ import annotations

from typing import Any

import streamlit as st

from analytics import metrics
from analytics.metrics import Metric


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
