"""The period and scope of a page, in words, next to its figures ("UNSDCF (2023–2027) · Cambodia · 2024–2026
to date, 2027–2028 planned"), plan names with their years in every list, and the view choosing a country opens
on: its current plan, years to date."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analytics import filters as registry
from analytics import scope
from analytics.filters import EVERYTHING, Filters
from app import data
from app.text import md_escape
from core.formatting import NO_PLAN, plan_label, text, year_span

#: the view the dashboard opens on, in words (the plan box's placeholder, the period statement)
CURRENT_PLANS = "Current plan of each country"
#: what the sidebar says about the views the dashboard and a country open on
DEFAULT_VIEW_NOTE = (
    "With no country or plan chosen, the figures are those of the current plan of each country, its "
    "years to date (turn on “All plans and years” to see everything). Choosing a country opens its "
    "current plan, years to date; clear the plan or widen the years to see more."
)
#: what a plan's label adds to its name: '(2023–2027)', '(2016–2028, 27 countries)', then '#2' for a look-alike
_LABEL_DETAILS = re.compile(r"(?: \((?:\d{4}(?:–\d{4})?)?(?:, \d+ countries)?\))?(?: #\d+)?$")
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
    parts = []
    if filters.current_plans:  # the view the dashboard opens on, said first
        to_date = dataset != "actions" and filters.year_from is None and filters.year_to is None
        parts.append(CURRENT_PLANS + (" · years to date" if to_date else ""))
    names = sorted({plan_label(p["plan"], p["first_year"], p["last_year"]) for p in plans})
    # many: how many plans, a plan being a country's (27 countries' "UNSDCF" are 27 plans)
    parts.append("; ".join(names) if len(names) <= 3 else f"{len({(p['country'], p['plan']) for p in plans})} plans")
    countries = sorted({p["country"] for p in plans if p["country"]})
    if filters.country or len(countries) == 1:
        parts.append(filters.country or countries[0])
    else:
        parts.append(f"{len(countries)} countries" if countries else "no country given")
    firsts = [p["year_from"] for p in plans if p["year_from"] is not None]
    lasts = [p["year_to"] for p in plans if p["year_to"] is not None]
    parts.append(_YEARS_ARE.get(dataset, "") + years_phrase(min(firsts, default=None), max(lasts, default=None), today))
    parts += registry.summary(
        filters.without("country", "plan", "year_from", "year_to", "current_plans"), dataset, labels
    )
    return " · ".join(parts)


def show_statement(
    dataset: str = "budget", datasets: tuple[str, ...] | None = None, filters: Filters | None = None
) -> None:
    """The page's period and scope, under its title (`datasets`: those its figures come from)."""
    f = filters or data.current_filters()
    plans = data.cached(scope.in_view, f, datasets or (dataset,))
    labels = {o["key"]: o["label"] for o in data.options().get("outcomes", [])}
    said = f"**Figures cover:** {md_escape(statement(plans, f, labels, dataset))}"
    if not f.current_plans:
        st.markdown(said)
        return
    words, button = st.columns([5, 1], vertical_alignment="center")
    words.markdown(said)
    button.button(
        "All plans and years",
        key="show-all-plans",
        type="tertiary",
        icon=":material/unfold_more:",
        on_click=show_everything,
        help="Show every plan of every country, every year (the sidebar's “All plans and years”)",
    )


def show_everything() -> None:
    """Callback: from the view the dashboard opens on to every plan and year (the filter bar's toggle)."""
    st.session_state[next(flt.key for flt in registry.FILTERS if isinstance(flt, registry.PlanView))] = True


def plan_names(country: str | None) -> dict[str, str]:
    """Plan → 'Plan name (years)' for the plans of `country` (of all countries: with how many use the name), every
    label different (two names that read alike — a trailing space, another dash — get '#2')."""
    if country:
        spans = data.cached(scope.plan_spans_by_country, EVERYTHING).get(country, {})
    else:
        spans = data.cached(scope.plan_spans, EVERYTHING)
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    for plan in sorted(spans):
        label = plan_label(
            plan, spans[plan]["first_year"], spans[plan]["last_year"], 1 if country else spans[plan]["countries"]
        )
        look = " ".join(label.split()).casefold()  # what a reader tells apart: not spaces, not letter case
        seen[look] = seen.get(look, 0) + 1
        names[plan] = label if seen[look] == 1 else f"{label} #{seen[look]}"
    return names


def plan_asked(value: str, names: Mapping[str, str]) -> str | None:
    """The plan an address names: by its name, its label ('Plan name (years)'), or a label of other years (a bookmark
    made before the data grew); None when it names none of `names` (plan → label)."""
    if value in names:
        return value
    by_label = {label: plan for plan, label in names.items()}
    if value in by_label:
        return by_label[value]
    bare = _LABEL_DETAILS.sub("", value)
    return bare if bare in names else None


def plan_names_of(plans: Iterable[object], countries: Iterable[object] | None = None) -> list[str]:
    """'Plan name (years)' for each plan (of each country when given, else of the country chosen), as every list and
    table names it; '(no plan)' without one."""
    chosen = data.current_filters().country
    of_country: dict[str | None, dict[str, str]] = {}  # read once per country, not once per row (10,000 rows)
    out = []
    for plan, country in zip(plans, countries if countries is not None else itertools.repeat(None)):
        name = text(plan)
        if not name:
            out.append(NO_PLAN)
            continue
        where = text(country) or chosen
        if where not in of_country:
            of_country[where] = plan_names(where)
        out.append(of_country[where].get(name) or plan_label(name))
    return out


def with_plan_names(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with its `plan` column as 'Plan name (years)' (of its `country` column when it has one): for tables,
    chart hovers and captions, never for a key."""
    if "plan" not in df or df.empty:
        return df
    return df.assign(plan=plan_names_of(df["plan"], df["country"] if "country" in df else None))


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
