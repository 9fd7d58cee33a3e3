"""The Filter registry: every filter of the dashboard declared once, with everything about it — its URL query
parameter (also its widget's key), the sidebar widget, its condition on each dataset (or None where it does not
apply), how a page's caption names it and what a page says about it. `Filters`, the URL codec, the WHERE
clauses, the filter bar (app/filter_bar.py), the summary and the pages' notes all loop over `FILTERS`.

Adding a filter: a field of `Filters` and an entry in `FILTERS` (a `Choice`, or a `YearRange`); the values to
choose from come from `analytics.activity.filter_options`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from analytics.identity import AGENCY_MATCH, OUTCOME_IDENTITY, OUTCOME_KEY, current_plan
from analytics.sql import Where
from core import schema

#: the datasets a filter has a condition on: every dataset of the registry, the views pages read (sub-outputs:
#: `suboutput_list s`); each filter declares its condition on each (tests/test_registries.py)
DATASETS = tuple(schema.DATASETS)


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the dashboard to. None means 'all'. `outcome` is an outcome key."""

    country: str | None = None
    plan: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    outcome: str | None = None
    agency: str | None = None
    #: the figures as they stood at the end of this day (UTC; store.history), None: as they are now
    as_of: dt.date | None = None
    #: only the current plan of each country, its years to date: the view the dashboard opens on when no country or
    #: plan is chosen (the filter bar sets it; `PlanView`). False: every plan
    current_plans: bool = False

    def to_query_params(self, labels: Mapping[str, str] | None = None) -> dict[str, str | list[str]]:
        """The URL query parameters that reproduce these filters (the filter bar's widget keys).

        The outcome's parameter is its label (what the filter bar lists): pass `labels` (key → label, from
        `filter_options`) to get it, else the key is used."""
        params: dict[str, str | list[str]] = {}
        for flt in FILTERS:
            params.update(flt.to_params(self, labels or {}))
        return params

    @classmethod
    def from_query_params(cls, params: Mapping[str, Any], keys: Mapping[str, str] | None = None) -> Filters:
        """Filters from URL query parameters (values may be strings or lists of strings); `keys` maps an
        outcome's label back to its key."""
        values: dict[str, Any] = {}
        for flt in FILTERS:
            values.update(flt.from_params(params, keys or {}))
        return cls(**values)

    def without(self, *names: str) -> Filters:
        """These filters with the named fields back to their defaults (all)."""
        defaults: dict[str, Any] = {f.name: f.default for f in fields(self)}
        return replace(self, **{n: defaults[n] for n in names})

    def applying_to(self, dataset: str) -> Filters:
        """These filters without those that do not apply to `dataset` (what a page about it is narrowed to)."""
        return self.without(*(name for flt in FILTERS if flt.where[dataset] is None for name in flt.fields))

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, f.name) for f in fields(self))

    @property
    def is_empty(self) -> bool:
        """Nothing chosen: the view the dashboard opens on (the current plans, or every plan) with no filter set."""
        return all(v is None for k, v in asdict(self).items() if k != "current_plans")


#: no filter set: all the data
EVERYTHING = Filters()


def _last(params: Mapping[str, Any], key: str) -> str | None:
    """A query parameter's value (the last one when repeated), stripped; None when absent or blank."""
    value = params.get(key)
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    value = (value or "").strip() if isinstance(value, str) else value
    return value or None


@dataclass(frozen=True)
class Choice:
    """A filter to one value chosen from a list: a select box in the sidebar, its key the URL query parameter and
    the `Filters` field. Each condition in `where` is SQL in which every `?` stands for the chosen value."""

    key: str
    label: str
    placeholder: str
    #: the values to choose from, in the filter bar's options (`activity.filter_options`)
    options: Callable[[Mapping[str, Any]], list[str]]
    #: dataset → condition on its view; None: the filter does not apply to it
    where: Mapping[str, str | None]
    #: how a page's caption names the chosen value (its label, for an outcome) on a page about a dataset
    summary: Callable[[str, str], str]
    #: dataset → what a page about it says when the filter is set (how it applies there, or that it does not)
    notes: Mapping[str, str] = field(default_factory=dict)
    #: filters whose values narrow this one's options (the plans of the chosen country…)
    narrowed_by: tuple[str, ...] = ()
    #: filters a new value of this one clears (their values depend on it)
    clears: tuple[str, ...] = ()
    help: str | None = None
    #: value → what the list shows for it; the URL then carries that label (unique), not the value
    labels: Callable[[Mapping[str, Any]], dict[str, str]] | None = None
    #: value → its full name, shown under the box when chosen
    names: Callable[[Mapping[str, Any]], dict[str, str]] | None = None
    #: a caption at the foot of the sidebar while it is set ({} is the value)
    sidebar_note: str | None = None
    #: the summary names the value by its label in `labels` (a plan as 'Plan name (years)'); the URL keeps the value
    worded: bool = False

    widget = "select"

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.key,)

    def is_set(self, f: Filters) -> bool:
        return bool(getattr(f, self.key))

    def add_to(self, w: Where, dataset: str, f: Filters) -> None:
        condition, value = self.where[dataset], getattr(f, self.key)
        if condition is not None and value:
            w.add(condition, *[value] * condition.count("?"))

    def to_params(self, f: Filters, labels: Mapping[str, str]) -> dict[str, str | list[str]]:
        value = getattr(f, self.key)
        if not value:
            return {}
        return {self.key: str(labels.get(value, value) if self.labels else value)}

    def from_params(self, params: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
        value = _last(params, self.key)
        return {self.key: keys.get(value, value) if value and self.labels else value}

    def described(self, f: Filters, dataset: str, labels: Mapping[str, str]) -> str | None:
        value = getattr(f, self.key)
        if not value:
            return None
        return self.summary(str(labels.get(value, value)) if self.labels or self.worded else value, dataset)


@dataclass(frozen=True)
class Bounds:
    """A year range's conditions on one dataset: `low` with the first year, `high` with the last, each when set."""

    low: str
    high: str


@dataclass(frozen=True)
class YearRange:
    """The years filter: a slider in the sidebar, `years=2023&years=2025` in the URL, `year_from` and `year_to`
    in `Filters`. A condition is `Bounds`, or SQL whose two `?` are the first and last year (None for an open
    end), used when either is set."""

    key: str
    label: str
    where: Mapping[str, Bounds | str | None]
    notes: Mapping[str, str] = field(default_factory=dict)

    widget = "range"
    fields = ("year_from", "year_to")

    def is_set(self, f: Filters) -> bool:
        return f.year_from is not None or f.year_to is not None

    def add_to(self, w: Where, dataset: str, f: Filters) -> None:
        condition = self.where[dataset]
        if isinstance(condition, Bounds):
            if f.year_from is not None:
                w.add(condition.low, f.year_from)
            if f.year_to is not None:
                w.add(condition.high, f.year_to)
        elif condition is not None and self.is_set(f):
            w.add(condition, f.year_from, f.year_to)

    def to_params(self, f: Filters, labels: Mapping[str, str]) -> dict[str, str | list[str]]:
        if not self.is_set(f):
            return {}
        lo = f.year_from if f.year_from is not None else f.year_to
        hi = f.year_to if f.year_to is not None else f.year_from
        return {self.key: [str(lo), str(hi)]}

    def from_params(self, params: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
        years = params.get(self.key)
        if isinstance(years, str):
            years = [years]
        try:
            numbers = sorted(int(y) for y in (years or []))
        except (TypeError, ValueError):
            numbers = []
        return {"year_from": numbers[0], "year_to": numbers[-1]} if numbers else {}

    def described(self, f: Filters, dataset: str, labels: Mapping[str, str]) -> str | None:
        if f.year_from is None:
            return None
        return str(f.year_from) if f.year_from == f.year_to else f"{f.year_from}–{f.year_to}"


@dataclass(frozen=True)
class AsOfDate:
    """The date the figures are shown as of: a date box in the sidebar, `as_of=2025-09-30` in the URL, `as_of` in
    `Filters`. It narrows no rows: it chooses which rows the views hold (`store.history.as_of`, applied where reads
    get their connection: app/data.py, the command line's export)."""

    key: str
    label: str
    help: str
    #: dataset → "" where it applies (which rows the view holds), None where it does not
    where: Mapping[str, str | None]
    notes: Mapping[str, str] = field(default_factory=dict)

    widget = "date"
    fields = ("as_of",)

    def is_set(self, f: Filters) -> bool:
        return f.as_of is not None

    def add_to(self, w: Where, dataset: str, f: Filters) -> None:
        """No condition: the date chooses the source of the rows, not which of them are kept."""

    def to_params(self, f: Filters, labels: Mapping[str, str]) -> dict[str, str | list[str]]:
        return {self.key: f.as_of.isoformat()} if f.as_of else {}

    def from_params(self, params: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
        return {"as_of": parse_day(_last(params, self.key))}

    def described(self, f: Filters, dataset: str, labels: Mapping[str, str]) -> str | None:
        return f"as of {f.as_of:%-d %b %Y}" if f.as_of and self.where[dataset] is not None else None


@dataclass(frozen=True)
class PlanView:
    """Which plans the dashboard shows when no country and no plan is chosen: the current plan of each country, its
    years to date (`Filters.current_plans`, the view it opens on), or every plan and year. A toggle under the plan box,
    `all_plans=true` in the URL for every plan; with a country or a plan chosen it does not apply (and is not in the
    URL). A condition is SQL without parameters."""

    key: str
    label: str
    help: str
    where: Mapping[str, str | None]
    #: dataset → what the view is called on a page about it (the years to date cut budget years and indicator
    #: periods, not deadlines)
    said: Mapping[str, str]
    notes: Mapping[str, str] = field(default_factory=dict)

    widget = "toggle"
    fields = ("current_plans",)

    def is_set(self, f: Filters) -> bool:
        return bool(f.current_plans)

    def add_to(self, w: Where, dataset: str, f: Filters) -> None:
        condition = self.where[dataset]
        if condition is not None and f.current_plans:
            w.add(condition)

    def to_params(self, f: Filters, labels: Mapping[str, str]) -> dict[str, str | list[str]]:
        return {} if f.current_plans or f.country or f.plan else {self.key: "true"}

    def from_params(self, params: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
        chosen = _last(params, "country") or _last(params, "plan")
        return {"current_plans": not chosen and (_last(params, self.key) or "").lower() != "true"}

    def described(self, f: Filters, dataset: str, labels: Mapping[str, str]) -> str | None:
        return self.said.get(dataset) if f.current_plans and self.where[dataset] is not None else None


def parse_day(text: str | None) -> dt.date | None:
    """'2025-09-30' → that date; None for anything else (a link's mistyped date is reported, not guessed)."""
    try:
        return dt.date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


Filter = Choice | YearRange | AsOfDate | PlanView

#: the plans of a country's budget lines and indicator values (a submission without a country of its own is in
#: the country of its plan); these conditions read the summaries the store keeps (core.summaries)
_PLANS_OF_COUNTRY = (
    "(SELECT plan FROM budget_scope WHERE country = ? UNION SELECT plan FROM indicator_scope WHERE country = ?)"
)
#: the outcome with the chosen key, as its identity (an outcome's code repeats across plans)
_OUTCOME = f"""(SELECT coalesce(plan, ''), coalesce(outcome_code, ''), coalesce(outcome_title, '')
    FROM (SELECT DISTINCT plan, outcome_code, outcome_title FROM budget_scope) WHERE {OUTCOME_KEY} = ?)"""
#: an indicator measures an outcome when its result code is the outcome's code or one of its outputs' codes, in
#: the outcome's plan and country
_INDICATOR_OF_OUTCOME = f"""(coalesce(country, ''), plan, result_code) IN (
            SELECT coalesce(country, ''), plan, outcome_code
                FROM (SELECT DISTINCT country, plan, outcome_code, outcome_title FROM budget_scope)
                WHERE {OUTCOME_KEY} = ?
            UNION
            SELECT coalesce(country, ''), plan, output_code
                FROM (SELECT DISTINCT country, plan, outcome_code, outcome_title, output_code FROM budget_rollup)
                WHERE {OUTCOME_KEY} = ?)"""


def _outcome_summary(label: str, dataset: str) -> str:
    return label if label.lower().startswith("outcome") else "outcome " + label


def _agency_summary(code: str, dataset: str) -> str:
    return f"agency {code}" + (" (incl. joint sub-outputs)" if dataset == "budget" else "")


FILTERS: tuple[Filter, ...] = (
    Choice(
        key="country",
        label="Country",
        placeholder="All countries",
        options=lambda o: o["countries"],
        clears=("plan", "outcome"),
        summary=lambda value, dataset: value,
        where={
            "budget": "country = ?",
            "indicators": "country = ?",
            # the country stored with the action (at load, from its plan: etl.load)
            "actions": "country = ?",
            "submissions": f"coalesce(country = ?, plan IN {_PLANS_OF_COUNTRY})",
            "suboutputs": "s.country = ?",
            "indirect_costs": "country = ?",
        },
        notes={"actions": "The country filter keeps actions of that country's plans."},
    ),
    Choice(
        key="plan",
        label="Plan (Cooperation Framework)",
        placeholder="All plans",
        options=lambda o: o["plans"],
        narrowed_by=("country",),
        clears=("outcome",),
        summary=lambda value, dataset: value,
        worded=True,
        where={
            "budget": "plan = ?",
            "indicators": "plan = ?",
            "actions": "plan = ?",
            "submissions": "plan = ?",
            "suboutputs": "s.plan = ?",
            "indirect_costs": "plan = ?",
        },
    ),
    PlanView(
        key="all_plans",
        label="All plans and years",
        help="Off: the current plan of each country (the one whose years hold this year, else the latest begun), its "
        "years to date — the view the dashboard opens on. On: every plan of every country, every year.",
        where={
            "budget": f"{current_plan()} AND year <= year(current_date)",
            "indicators": f"{current_plan()} AND year(period_end) <= year(current_date)",
            "actions": current_plan(),
            "submissions": None,
            "suboutputs": current_plan("s."),
            "indirect_costs": f"{current_plan()} AND (year IS NULL OR year <= year(current_date))",
        },
        said={
            "budget": "current plan of each country, years to date",
            "indicators": "current plan of each country, years to date",
            "actions": "current plan of each country",
            "suboutputs": "current plan of each country",
            "indirect_costs": "current plan of each country, years to date",
        },
        notes={"actions": "Actions of the current plan of each country are shown with every deadline."},
    ),
    YearRange(
        key="years",
        label="Years",
        where={
            "budget": Bounds("year >= ?", "year <= ?"),
            "indicators": Bounds("year(period_end) >= ?", "year(period_end) <= ?"),
            "actions": Bounds("(deadline IS NULL OR year(deadline) >= ?)", "(deadline IS NULL OR year(deadline) <= ?)"),
            "submissions": None,
            # a sub-output with a figure in the range, or without any figure (it has no year)
            "suboutputs": """(f.funded IS NULL OR s.suboutput_id IN (SELECT suboutput_id FROM budget
                  WHERE year >= coalesce(?::INTEGER, year) AND year <= coalesce(?::INTEGER, year)))""",
            # indirect costs stated for no year are on several years' lines
            "indirect_costs": Bounds("(year IS NULL OR year >= ?)", "(year IS NULL OR year <= ?)"),
        },
        notes={
            "actions": "The year range applies to deadlines; actions without a deadline are always shown.",
            "indicators": "The year range limits which reporting periods count.",
        },
    ),
    Choice(
        key="outcome",
        label="Outcome",
        placeholder="All outcomes",
        options=lambda o: [x["key"] for x in o["outcomes"]],
        narrowed_by=("country", "plan", "current_plans"),
        labels=lambda o: {x["key"]: x["label"] for x in o["outcomes"]},
        summary=_outcome_summary,
        where={
            "budget": f"{OUTCOME_IDENTITY} IN {_OUTCOME}",
            "indicators": _INDICATOR_OF_OUTCOME,
            "actions": None,
            "submissions": None,
            "suboutputs": f"{OUTCOME_KEY} = ?",
            # an outcome has no indirect costs: none are summed for one
            "indirect_costs": "FALSE",
        },
        notes={
            "actions": "Actions are not linked to outcomes: the outcome filter does not apply to them or to "
            "their figures.",
            "indicators": "The outcome filter keeps indicators whose result code is the outcome's code or one "
            "of its outputs' codes in that plan.",
        },
    ),
    Choice(
        key="agency",
        label="Agency",
        placeholder="All agencies",
        options=lambda o: [a["code"] for a in o["agencies"]],
        narrowed_by=("country", "plan", "current_plans"),
        names=lambda o: {a["code"]: a["name"] for a in o["agencies"]},
        summary=_agency_summary,
        help="UN entity code. Joint sub-outputs that list the agency are included.",
        sidebar_note="Agency {}: its own budget lines plus joint sub-outputs it takes part in (their money is not "
        "split between agencies).",
        where={
            "budget": AGENCY_MATCH,
            "indicators": AGENCY_MATCH,
            "actions": AGENCY_MATCH,
            # a submission without an agency (a file of several) is every agency's
            "submissions": f"(agency IS NULL OR {AGENCY_MATCH})",
            "suboutputs": AGENCY_MATCH,
            "indirect_costs": AGENCY_MATCH,
        },
    ),
    AsOfDate(
        key="as_of",
        label="Figures as of",
        help="Show the figures as they stood at the end of this day (UTC), e.g. the last UNCT meeting: later "
        "uploads and roll-backs are left out. Empty: the figures as they are now.",
        where={**{d: "" for d in DATASETS}, "submissions": None},
        notes={"submissions": "The history lists every submission, whatever the as-of date."},
    ),
)
#: the URL query parameters (and widget keys) of the filters
FILTER_KEYS = tuple(flt.key for flt in FILTERS)


def where(dataset: str, f: Filters) -> Where:
    """The conditions of the filters `f` on a dataset's view (`suboutputs`: `suboutput_list s` joined to `f`, the
    sub-outputs with a budget line)."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {', '.join(DATASETS)}")
    w = Where()
    for flt in FILTERS:
        flt.add_to(w, dataset, f)
    return w


def summary(f: Filters, dataset: str, labels: Mapping[str, str]) -> list[str]:
    """What a page about `dataset` is narrowed to, one phrase per filter set ('Angola', 'UNSDCF (2023–2027)',
    '2024–2025', 'agency UNDP (incl. joint sub-outputs)'); `labels`: outcome key → label, plan → 'Plan name
    (years)'."""
    return [text for flt in FILTERS if (text := flt.described(f, dataset, labels))]


def notes(dataset: str, f: Filters, *, only_ignored: bool = False) -> list[str]:
    """What a page about `dataset` says about the filters set in `f` that apply there differently, or not at all
    (`only_ignored`: only those that do not apply)."""
    return [
        flt.notes[dataset]
        for flt in FILTERS
        if dataset in flt.notes and flt.is_set(f) and (flt.where[dataset] is None or not only_ignored)
    ]
