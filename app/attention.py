"""The Overview's "Needs attention" panel: the largest funding gaps (outcomes, agencies), the lowest delivery,
the indicators off track and the overdue actions (`analytics.attention`), each a link to its page narrowed to it
(the address carries the filters, as every view's does)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from analytics import attention
from analytics.filters import Filters
from app import data
from app.pages import PAGE_FILES
from app.text import md_escape
from core.formatting import format_money, format_rate, indicator_label, shorten, text

_ICON = ":material/arrow_forward:"


def _params(filters: Filters, **narrowed: Any) -> dict[str, Any]:
    labels = {o["key"]: o["label"] for o in data.options().get("outcomes", [])}
    return replace(filters, **narrowed).to_query_params(labels)


def _link(page: str, label: str, filters: Filters, **narrowed: Any) -> None:
    st.page_link(PAGE_FILES[page], label=md_escape(label), icon=_ICON, query_params=_params(filters, **narrowed))


def _none(what: str) -> None:
    st.caption(what)


#: the panel's heading anchor: the line at the top of the Overview links to it
ANCHOR = "needs-attention"


def attention_line(filters: Filters) -> None:
    """One line at the top of the Overview, above the cards, with the first of each list of the panel (visible on a
    laptop without scrolling) and a link down to the panel; nothing when nothing needs attention."""
    found = data.cached(attention.needs_attention, filters)
    parts = []
    if not found["outcomes"].empty:
        top = found["outcomes"].iloc[0]
        parts.append(f"largest gap {md_escape(format_money(top.funding_gap))} ({md_escape(shorten(top.outcome, 45))})")
    if not found["low_delivery"].empty:
        low = found["low_delivery"].iloc[0]
        parts.append(f"lowest delivery {md_escape(format_rate(low.delivery_rate))} ({md_escape(low.agency)})")
    if found["off_track_count"]:
        parts.append(f"{found['off_track_count']} indicator{'s' * (found['off_track_count'] != 1)} off track")
    if found["overdue_count"]:
        parts.append(f"{found['overdue_count']} action{'s' * (found['overdue_count'] != 1)} overdue")
    if parts:
        # no Markdown icons or colours here: a page's Markdown holds none (stored text in it could not be told apart)
        st.markdown(f"⚠ **Needs attention:** {' · '.join(parts)} · [the list ↓](#{ANCHOR})")


def attention_panel(filters: Filters) -> None:
    """Two columns of two: funding gaps and delivery, indicators and actions; a line per item, each a link, its
    figure first."""
    found = data.cached(attention.needs_attention, filters)
    with st.container(border=True, key="needs-attention"):
        st.subheader("Needs attention", anchor=ANCHOR)
        money, results = st.columns(2, gap="large")
        gaps, delivery, indicators, actions = (
            money.container(),
            money.container(),
            results.container(),
            results.container(),
        )
        with gaps:
            st.markdown("*Largest funding gaps*")
            for r in found["outcomes"].itertuples():
                _link(
                    "funding_gaps",
                    f"gap {format_money(r.funding_gap)} · {shorten(r.outcome, 70)}",
                    filters,
                    outcome=r.outcome_key,
                )
            for r in found["agencies"].itertuples():
                _link("funding_gaps", f"gap {format_money(r.funding_gap)} · {r.agency}", filters, agency=r.agency)
            if found["outcomes"].empty and found["agencies"].empty:
                _none("No funding gap in view.")
        with delivery:
            st.markdown("*Lowest delivery rates*")
            for r in found["low_delivery"].itertuples():
                _link(
                    "delivery",
                    f"{format_rate(r.delivery_rate)} delivered · {r.agency} (of "
                    f"{format_money(r.available_with_expenditure)} available)",
                    filters,
                    agency=r.agency,
                )
            if found["low_delivery"].empty:
                _none("No agency reports both available and spent figures.")
        with indicators:
            st.markdown(f"*Off track: {found['off_track_count']} indicator{'s' * (found['off_track_count'] != 1)}*")
            for r in found["off_track"].itertuples():
                _link(
                    "indicators",
                    f"{format_rate(r.progress)} of the way, {format_rate(r.expected_progress)} "
                    f"expected · {shorten(indicator_label(r.indicator_code, r.indicator), 70)}",
                    filters,
                    country=text(r.country) or filters.country,
                    plan=text(r.plan) or filters.plan,
                )
            if not found["off_track_count"]:
                _none("No indicator off track.")
        with actions:
            st.markdown(f"*Overdue: {found['overdue_count']} action{'s' * (found['overdue_count'] != 1)}*")
            for r in found["overdue"].itertuples():
                _link(
                    "recommendations",
                    f"{int(r.days_late)} days late · {shorten(text(r.action) or text(r.action_no) or 'Action', 70)}",
                    filters,
                )
            if not found["overdue_count"]:
                _none("No action overdue.")
