"""What a brief covers: the plans of its country (and plan) as of its moment, the moment itself, and why no brief
can be made of a view (what the Overview's panel says instead of its buttons)."""

from __future__ import annotations

import datetime as dt
import difflib

from analytics import activity
from analytics.filters import Filters
from brief.request import BriefError
from core.formatting import text
from store import history


def _choices(wanted: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
    close += [k for k in known if k.casefold() == wanted.casefold() and k not in close]
    if close:
        return f"did you mean {' or '.join(repr(c) for c in close)}?"
    listed = ", ".join(known[:25]) + (f" and {len(known) - 25} more" if len(known) > 25 else "")
    return f"{what}: {listed}" if known else f"there are no {what} yet: load data first"


def scope(con, country: str, plan: str | None, when: str = "") -> list[str]:
    """The plans a brief of `country` (and `plan`) covers: those of the country's budget, sub-outputs, indicators
    and actions (one read, `activity.plan_choices`); a BriefError names the choices when either is unknown (`when`:
    ' on 30 Sep 2025' for a brief as of a date)."""
    choices = [(p, str(c)) for p, c, _, _ in activity.plan_choices(con) if text(c)]
    countries = sorted({c for _, c in choices})
    if not countries and when:
        raise BriefError(f"Nothing had been loaded{when}: choose a later date.")
    if country not in countries:
        raise BriefError(
            f"No data for country {country!r}{when}: {_choices(country, countries, 'countries with data' + when)}"
        )
    plans = sorted({p for p, c in choices if c == country})
    if plan is None:
        return plans
    if plan not in plans:
        raise BriefError(f"{country} has no plan {plan!r}{when}: {_choices(plan, plans, f'plans of {country}')}")
    return [plan]


def problem(con, filters: Filters) -> str | None:
    """Why no brief of the filters' country and plan can be made (their as-of date: read through `con` as of it);
    None when one can. What the Overview says instead of its buttons."""
    try:
        scope(con, filters.country or "", filters.plan, f" on {filters.as_of:%-d %b %Y}" if filters.as_of else "")
    except BriefError as error:
        return str(error)
    return None


def moment(as_of: dt.date | dt.datetime | None) -> tuple[dt.datetime | None, dt.date]:
    """The moment a brief's figures are taken at (None: now) and its day (UTC); a date is the end of that day. A
    moment still to come is refused: the history cannot say what the figures will be."""
    today = history.now().date()
    if as_of is None:
        return None, today
    at = as_of if isinstance(as_of, dt.datetime) else history.end_of_day(as_of)
    if at.date() > today:
        raise BriefError(
            f"The figures as of {at.date():%-d %b %Y} are not known yet: choose today or an earlier "
            "date (or leave out the as-of date for the current figures)."
        )
    return at, at.date()
