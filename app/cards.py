"""The cards at the top of a page: a figure with its label, the help text of its metric (the Metric registry,
`analytics.metrics`) and a caption saying what it leaves out."""
from __future__ import annotations

from typing import Any

import streamlit as st

from analytics import metrics
from analytics.metrics import Metric
from core.formatting import format_money, format_rate, is_missing


def card(column: Any, label: str, value: str, help: str | None = None, caption: str | None = None) -> None:
    with column:
        st.metric(label, value, help=help, border=True)
        if caption:
            st.caption(caption)


def metric_card(column: Any, metric: Metric, value: object, caption: str | None = None,
                label: str | None = None) -> None:
    """A metric's card: its label (or `label`), the value as the metric is shown, its help text."""
    card(column, label or metric.label, metric.shown(value), help=metric.help, caption=caption)


def _amount(value: object) -> str:
    """Money without its currency, after a first amount that names it: '1.1 B'."""
    return format_money(value).removeprefix("USD ")


def basis_note(basis: object, of: str) -> str | None:
    """'on 18 % of available funds' when a ratio rests on part of the money only; None when on all of it."""
    if is_missing(basis) or float(basis) >= 0.995:  # type: ignore[arg-type]
        return None
    return f"on {format_rate(basis)} of {of}"


def ratio_card(column: Any, metric: Metric, value: object, basis: object, of: str,
               caption: str | None = None) -> None:
    """A ratio's card stating, on the card itself, the share of the money the ratio rests on (`basis`, a
    `metrics.*_BASIS` value, of `of`: 'available funds') when that is not all of it."""
    with column:
        st.metric(metric.label, metric.shown(value), delta=basis_note(basis, of), delta_color="off",
                  delta_arrow="off", help=metric.help, border=True)
        if caption:
            st.caption(caption)


def gap_card(column: Any, totals: dict[str, Any], caption: str | None = None) -> None:
    """The funding gap, or the surplus when more is available than required (never a negative gap); with the
    requirement whose available figure is not reported on the card ('USD 1.5 B', '+ 1.1 B not reported'), so
    that required = available + gap + not reported adds up on the cards."""
    gap, unreported = totals["funding_gap"], totals["required_without_available"] or 0
    surplus = gap is not None and gap < 0
    shown = -gap if gap is not None and surplus else gap
    label = "Funding surplus" if surplus else metrics.FUNDING_GAP.label
    if not unreported > 0:
        card(column, label, format_money(shown), help=metrics.FUNDING_GAP.help, caption=caption)
        return
    with column:
        st.metric(f"{label} + not reported", format_money(shown), delta=f"+ {_amount(unreported)} not reported",
                  delta_color="off", delta_arrow="off", border=True,
                  help=f"{metrics.FUNDING_GAP.help} Not reported: the requirement of lines with no available figure.")
        if caption:
            st.caption(caption)


def budget_sum(totals: dict[str, Any]) -> str:
    """'USD 3.8 B required = 1.2 B available + 1.5 B gap + 1.1 B not reported' — how the cards add up (money
    available on lines stating no requirement is outside the sum, and said so)."""
    gap = totals["funding_gap"] or 0
    parts = [f"{format_money(totals['required'])} required = {_amount(totals['available_with_required'] or 0)} "
             "available", f"{_amount(abs(gap))} {'surplus' if gap < 0 else 'gap'}"]
    if totals["required_without_available"]:
        parts.append(f"{_amount(totals['required_without_available'])} not reported")
    text = parts[0] + (" − " if gap < 0 else " + ") + parts[1] + "".join(f" + {p}" for p in parts[2:])
    if totals["available_without_required"]:
        text += (f" ({format_money(totals['available_without_required'])} more is available on lines stating no "
                 "requirement)")
    return text
