"""The period and scope of a page, in words, next to its figures ("UNSDCF (2023–2027) · Cambodia · 2024–2026
to date, 2027–2028 planned"), plan names with their years in every list, and the view choosing a country opens
on: its current plan, years to date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from analytics import filters as registry
from analytics import scope
from analytics.filters import Filters
from app import data
from app.text import md_escape
from core.formatting import plan_label, year_span

#: what the sidebar says about the view a country opens on
DEFAULT_VIEW_NOTE = (
    "Choosing a country opens its current plan, years to date; clear the plan or widen the years to see more."
)
#: dataset → what its years are
_YEARS_ARE = {"actions": "deadlines "}


def years_phrase(first: int | None, last: int | None, today: dt.date | None = None) -> str:
    """'2019–2023'; '2024–2026 to date' when the data reach this year; '2024–2026 to date, 2027–2028 planned'
    when they run beyond it; '2027–2028 planned' when they all lie ahead."""
    if first is None or last is None:
        return "no dated figures"
    year = (today or dt.date.today()).year
    if last < year:
        return year_span(first, last)
    if first > year:
        return f"{year_span(first, last)} planned"
    done = f"{year_span(first, year)} to date"
    return done if last == year else f"{done}, {year_span(year + 1, last)} planned"


def statement(
    plans: Sequence[Mapping[str, Any]],
    filters: Filters,
    labels: Mapping[str, str],
    dataset: str = "budget",
    today: dt.date | None = None,
) -> str:
    """The plans, country and years the figures in view cover, then the other filters set (plain text):
    'UNSDCF (2023–2027) · Angola · 2023–2025 · agency UNDP'. `plans`: `scope.in_view`; `labels`: outcome labels."""
    if not plans:
        return "No figures in view"
    names = sorted({plan_label(p["plan"], p["first_year"], p["last_year"]) for p in plans})
    parts = ["; ".join(names) if len(names) <= 3 else f"{len(names)} plans"]
    countries = sorted({p["country"] for p in plans if p["country"]})
    if filters.country or len(countries) == 1:
        parts.append(filters.country or countries[0])
    else:
        parts.append(f"{len(countries)} countries" if countries else "no country given")
    firsts = [p["year_from"] for p in plans if p["year_from"] is not None]
    lasts = [p["year_to"] for p in plans if p["year_to"] is not None]
    parts.append(_YEARS_ARE.get(dataset, "") + years_phrase(min(firsts, default=None), max(lasts, default=None), today))
    parts += registry.summary(filters.without("country", "plan", "year_from", "year_to"), dataset, labels)
    return " · ".join(parts)


def show_statement(
    dataset: str = "budget", datasets: tuple[str, ...] | None = None, filters: Filters | None = None
) -> None:
    """The page's period and scope, under its title (`datasets`: those its figures come from)."""
    f = filters or data.current_filters()
    plans = data.cached(scope.in_view, f, datasets or (dataset,))
    labels = {o["key"]: o["label"] for o in data.options().get("outcomes", [])}
    st.markdown(f"**Figures cover:** {md_escape(statement(plans, f, labels, dataset))}")


def plan_names(country: str | None) -> dict[str, str]:
    """Plan → 'Plan name (years)' for the plans of `country` (of all countries: with how many use the name)."""
    spans = data.cached(scope.plan_spans, Filters(country=country))
    return {
        plan: plan_label(plan, s["first_year"], s["last_year"], 1 if country else s["countries"])
        for plan, s in spans.items()
    }


def open_country() -> None:
    """Callback of the country box: the plan and outcome chosen before are cleared; a country opens on its current
    plan, years to date (the whole range when the plan has ended)."""
    st.session_state["plan"] = st.session_state["outcome"] = None
    country = st.session_state.get("country")
    if not country:
        return
    current = data.cached(scope.current_plan, Filters(country=country))
    if not current:
        return
    st.session_state["plan"] = current["plan"]
    first, last = data.cached(scope.year_bounds, Filters(country=country, plan=current["plan"]))
    if first is not None and last is not None and first < last:
        st.session_state["years"] = (first, max(first, min(last, dt.date.today().year)))
