"""Every read behind the pages and exports, and the one definition of each metric (SPEC §5, §9).

Reads only the query surface: the views `budget`, `indicator_values`, `actions`, `submissions`,
`suboutput_list` (UN INFO sub-outputs, with or without figures), `indirect_costs` and the table
`entities(code, name)`. Every function takes a DuckDB connection and a `Filters`, aggregates in
SQL with parameters (user values are never formatted into SQL), opens its own cursor, fetches fully,
and returns a small DataFrame or dict.

Money rules (SPEC §2.1, §2.1b):
- a NULL `available` or `expenditure` is "not reported", never zero: a ratio leaves such lines out of
  BOTH its numerator and its denominator, and every budget summary says how many lines lack a figure;
- a joint sub-output (agency 'UNDP;UNICEF') is one line: by-agency summaries show it as "Joint" and
  never split its money; the agency filter keeps lines of that agency AND joint lines that list it.

Outcome codes are not unique across plans or strategic priorities (real UN INFO data), so an outcome is
identified by (plan, outcome_code, outcome_title); `Filters.outcome` holds its short key
(`outcome_key()`), which is what the URL carries.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import duckdb
import pandas as pd

from core.formatting import NO_AGENCY, NO_CODE, is_missing, outcome_label, output_label, text, unique_labels
from core.schema import PLAN_COUNTRIES

# --------------------------------------------------------------------------------------------------
# Metric definitions (SPEC §5): each written once, used by every page, export and test.
# --------------------------------------------------------------------------------------------------

#: required − available; lines whose available (or, in UN INFO exports, required) is not reported drop
#: out (NULL arithmetic), so the gap covers exactly the lines that `coverage` covers. Negative =
#: over-funded (a surplus).
FUNDING_GAP = "sum(required - available)"
#: available ÷ required over lines where both are reported
COVERAGE = ("sum(available) FILTER (WHERE required IS NOT NULL)"
            " / NULLIF(sum(required) FILTER (WHERE available IS NOT NULL), 0)")
#: expenditure ÷ available over lines where both are reported
DELIVERY_RATE = ("sum(expenditure) FILTER (WHERE available IS NOT NULL)"
                 " / NULLIF(sum(available) FILTER (WHERE expenditure IS NOT NULL), 0)")
#: expenditure ÷ required over lines where both are reported
BURN_RATE = ("sum(expenditure) FILTER (WHERE required IS NOT NULL)"
             " / NULLIF(sum(required) FILTER (WHERE expenditure IS NOT NULL), 0)")
LINES_WITHOUT_AVAILABLE = "count(*) FILTER (WHERE available IS NULL)"
LINES_WITHOUT_EXPENDITURE = "count(*) FILTER (WHERE expenditure IS NULL)"
#: UN INFO year blocks can hold money available with no requirement stated: outside gap and coverage
LINES_WITHOUT_REQUIRED = "count(*) FILTER (WHERE required IS NULL)"
AVAILABLE_WITHOUT_REQUIRED = "sum(available) FILTER (WHERE required IS NULL)"
#: the two sides of the delivery rate, so a chart can show exactly what the rate divides
AVAILABLE_WITH_EXPENDITURE = "sum(available) FILTER (WHERE expenditure IS NOT NULL)"
EXPENDITURE_WITH_AVAILABLE = "sum(expenditure) FILTER (WHERE available IS NOT NULL)"
REQUIRED_WITHOUT_AVAILABLE = "sum(required) FILTER (WHERE available IS NULL)"

BUDGET_METRICS = f"""
    sum(required) AS required,
    sum(available) AS available,
    sum(expenditure) AS expenditure,
    {FUNDING_GAP} AS funding_gap,
    {COVERAGE} AS coverage,
    {DELIVERY_RATE} AS delivery_rate,
    {BURN_RATE} AS burn_rate,
    count(*) AS lines,
    {LINES_WITHOUT_AVAILABLE} AS lines_without_available,
    {LINES_WITHOUT_EXPENDITURE} AS lines_without_expenditure,
    {REQUIRED_WITHOUT_AVAILABLE} AS required_without_available,
    {LINES_WITHOUT_REQUIRED} AS lines_without_required,
    {AVAILABLE_WITHOUT_REQUIRED} AS available_without_required,
    {AVAILABLE_WITH_EXPENDITURE} AS available_with_expenditure,
    {EXPENDITURE_WITH_AVAILABLE} AS expenditure_with_available"""
#: a sub-output carried out by several entities (money not split)
JOINT = "(coalesce(joint, false) OR coalesce(contains(agency, ';'), false))"
#: the agency a by-agency view shows: the entity code, 'Joint', or '(no agency)' for a line without one
AGENCY_GROUP = f"CASE WHEN {JOINT} THEN 'Joint' ELSE coalesce(nullif(trim(agency), ''), '{NO_AGENCY}') END"
JOINT_LABEL = "Joint"
#: an action's responsible agency when none is given
NOT_ASSIGNED = "Not assigned"
#: by-agency rows that stand for no one agency (a click on them narrows nothing)
GROUP_LABELS = frozenset({JOINT_LABEL, NO_AGENCY, NOT_ASSIGNED})
#: the entity codes of a line (one for an agency line, several for a joint sub-output)
AGENCY_LIST = r"regexp_split_to_array(agency, '\s*;\s*')"
#: a line belongs to agency ? when it is that agency's line or a joint line listing it
AGENCY_MATCH = f"(agency = ? OR (contains(agency, ';') AND list_contains({AGENCY_LIST}, ?)))"

#: outcome identity (plan, code, title), and its short key for URLs and selections
OUTCOME_IDENTITY = "(coalesce(plan, ''), coalesce(outcome_code, ''), coalesce(outcome_title, ''))"
OUTCOME_KEY = ("substr(md5(concat_ws(chr(31), coalesce(plan, ''), coalesce(outcome_code, ''),"
               " coalesce(outcome_title, ''))), 1, 10)")

#: indicator progress: (latest actual − baseline) ÷ (target − baseline); NULL when target = baseline
INDICATOR_PROGRESS = "(latest_actual - baseline) / NULLIF(target - baseline, 0)"
#: share of the baseline-year → target-year period elapsed at the latest reported period's end (or
#: today when nothing is reported), counted from 31 Dec of the baseline year to 31 Dec of the target year
ELAPSED_SHARE = ("greatest(0.0, least(1.0, date_diff('day', make_date(baseline_year, 12, 31),"
                 " coalesce(latest_period_end, current_date))::DOUBLE"
                 " / NULLIF(date_diff('day', make_date(baseline_year, 12, 31), make_date(target_year, 12, 31)), 0)))")
#: achieved (progress ≥ 1), on track (progress ≥ elapsed share; the whole period when years are unknown),
#: off track, no data. When target = baseline (progress undefined) the target is met or it is not.
INDICATOR_STATUS = """CASE
    WHEN latest_actual IS NULL THEN 'no data'
    WHEN target = baseline THEN CASE WHEN latest_actual = target THEN 'achieved' ELSE 'off track' END
    WHEN progress >= 1 THEN 'achieved'
    WHEN progress >= coalesce(expected_progress, 1.0) THEN 'on track'
    ELSE 'off track' END"""
INDICATOR_STATUSES = ("achieved", "on track", "off track", "no data")

ACTION_STATUSES = ("completed", "ongoing", "not_started", "continuous", "no_longer_applicable", "deprioritized")
OPEN_ACTION_STATUSES = ("ongoing", "not_started")
#: completed ÷ (all actions − no longer applicable − deprioritized)
IMPLEMENTATION_RATE = ("(count(*) FILTER (WHERE status = 'completed'))::DOUBLE"
                       " / NULLIF(count(*) FILTER (WHERE status NOT IN ('no_longer_applicable', 'deprioritized')), 0)")
#: the view's `overdue` flag: status ongoing / not started and deadline (month end) before today
OVERDUE = "count(*) FILTER (WHERE overdue)"
DAYS_LATE = "date_diff('day', deadline, current_date)"
AGEING_BUCKET = f"""CASE
    WHEN deadline IS NULL THEN 'No deadline'
    WHEN deadline >= current_date THEN 'Not yet due'
    WHEN {DAYS_LATE} <= 90 THEN '1–90 days late'
    WHEN {DAYS_LATE} <= 180 THEN '91–180 days late'
    WHEN {DAYS_LATE} <= 365 THEN '181–365 days late'
    ELSE 'More than a year late' END"""
AGEING_BUCKETS = ("Not yet due", "1–90 days late", "91–180 days late", "181–365 days late",
                  "More than a year late", "No deadline")

#: agencies with a submission for the period (current data for the year: a budget line of that year or
#: an indicator value of a period ending in it) ÷ agencies expected in the plan (with a budget line in it)
REPORTING_COMPLETENESS = "count(DISTINCT a) FILTER (WHERE reported) / NULLIF(count(DISTINCT a), 0)"

DATASETS = {"budget": "budget", "indicators": "indicator_values", "actions": "actions",
            "submissions": "submissions"}


# --------------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """What the user narrowed the dashboard to. None means 'all'. `outcome` is an outcome key."""

    country: str | None = None
    plan: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    outcome: str | None = None
    agency: str | None = None

    def to_query_params(self, outcome_labels: Mapping[str, str] | None = None) -> dict[str, str | list[str]]:
        """The URL query parameters that reproduce these filters (the filter bar's widget keys).

        The filter bar's outcome parameter is the outcome's label (what the list shows); pass
        `outcome_labels` (key → label, from `filter_options`) to get it, else the key is used."""
        params: dict[str, str | list[str]] = {}
        for name in ("country", "plan", "outcome", "agency"):
            value = getattr(self, name)
            if value:
                if name == "outcome" and outcome_labels:
                    value = outcome_labels.get(value, value)
                params[name] = str(value)
        if self.year_from is not None or self.year_to is not None:
            lo = self.year_from if self.year_from is not None else self.year_to
            hi = self.year_to if self.year_to is not None else self.year_from
            params["years"] = [str(lo), str(hi)]
        return params

    @classmethod
    def from_query_params(cls, params: Mapping[str, Any], outcome_keys: Mapping[str, str] | None = None) -> Filters:
        """Filters from URL query parameters (values may be strings or lists of strings); `outcome_keys`
        maps an outcome label back to its key."""
        def one(name: str) -> str | None:
            value = params.get(name)
            if isinstance(value, (list, tuple)):
                value = value[-1] if value else None
            value = (value or "").strip() if isinstance(value, str) else value
            return value or None

        years = params.get("years")
        if isinstance(years, str):
            years = [years]
        year_from = year_to = None
        try:
            numbers = sorted(int(y) for y in (years or []))
            if numbers:
                year_from, year_to = numbers[0], numbers[-1]
        except (TypeError, ValueError):
            pass
        outcome = one("outcome")
        if outcome and outcome_keys:
            outcome = outcome_keys.get(outcome, outcome)
        return cls(country=one("country"), plan=one("plan"), year_from=year_from, year_to=year_to,
                   outcome=outcome, agency=one("agency"))

    def without(self, *names: str) -> Filters:
        return replace(self, **{n: None for n in names})

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, f.name) for f in fields(self))

    @property
    def is_empty(self) -> bool:
        return all(v is None for v in asdict(self).values())


def _short_key(*parts: object) -> str:
    """md5 of the parts joined by chr(31), a missing part (None, NaN, NA) as '' — SQL
    `substr(md5(concat_ws(chr(31), coalesce(part, ''), …)), 1, 10)`."""
    joined = "\x1f".join("" if is_missing(p) else str(p) for p in parts)
    return hashlib.md5(joined.encode("utf-8")).hexdigest()[:10]


def outcome_key(plan: object, outcome_code: object, outcome_title: object) -> str:
    """The short key of an outcome; equal to SQL `OUTCOME_KEY` (pages take it from SQL)."""
    return _short_key(plan, outcome_code, outcome_title)


def indicator_key(country: object, plan: object, indicator_code: object) -> str:
    """The short key of an indicator (country, plan, code); equal to SQL `INDICATOR_KEY`."""
    return _short_key(country, plan, indicator_code)


INDICATOR_KEY = ("substr(md5(concat_ws(chr(31), coalesce(country, ''), coalesce(plan, ''),"
                 " coalesce(indicator_code, ''))), 1, 10)")


class _Where:
    """A WHERE clause built from parameterised conditions."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self, keyword: str = "WHERE") -> str:
        return f" {keyword} " + " AND ".join(self.clauses) if self.clauses else ""


_OUTCOME_SUBQUERY = f"""(SELECT coalesce(plan, ''), coalesce(outcome_code, ''), coalesce(outcome_title, '')
    FROM (SELECT DISTINCT plan, outcome_code, outcome_title FROM budget) WHERE {OUTCOME_KEY} = ?)"""


def budget_where(f: Filters, *, years: bool = True) -> _Where:
    """Conditions on the `budget` view for the filters."""
    w = _Where()
    if f.country:
        w.add("country = ?", f.country)
    if f.plan:
        w.add("plan = ?", f.plan)
    if years and f.year_from is not None:
        w.add("year >= ?", f.year_from)
    if years and f.year_to is not None:
        w.add("year <= ?", f.year_to)
    if f.outcome:
        w.add(f"{OUTCOME_IDENTITY} IN {_OUTCOME_SUBQUERY}", f.outcome)
    if f.agency:
        w.add(AGENCY_MATCH, f.agency, f.agency)
    return w


def indicator_where(f: Filters, *, years: bool = True) -> _Where:
    """Conditions on `indicator_values`: the period's year is in range; an outcome keeps indicators
    whose result code is the outcome's code or one of its outputs' codes (in the outcome's plan and country)."""
    w = _Where()
    if f.country:
        w.add("country = ?", f.country)
    if f.plan:
        w.add("plan = ?", f.plan)
    if years and f.year_from is not None:
        w.add("year(period_end) >= ?", f.year_from)
    if years and f.year_to is not None:
        w.add("year(period_end) <= ?", f.year_to)
    if f.outcome:
        w.add(f"""(coalesce(country, ''), plan, result_code) IN (
            SELECT coalesce(country, ''), plan, outcome_code
                FROM (SELECT DISTINCT country, plan, outcome_code, outcome_title FROM budget)
                WHERE {OUTCOME_KEY} = ?
            UNION
            SELECT coalesce(country, ''), plan, output_code
                FROM (SELECT DISTINCT country, plan, outcome_code, outcome_title, output_code FROM budget)
                WHERE {OUTCOME_KEY} = ?)""", f.outcome, f.outcome)
    if f.agency:
        w.add(AGENCY_MATCH, f.agency, f.agency)
    return w


def _plans_of_country() -> str:
    return "(SELECT plan FROM budget WHERE country = ? UNION SELECT plan FROM indicator_values WHERE country = ?)"


def action_where(f: Filters) -> _Where:
    """Conditions on `actions`: the country stored with the action (at load, from its plan: etl.load); the year
    range applies to the deadline (actions without a deadline are kept); actions have no outcome, so that filter
    does not apply."""
    w = _Where()
    if f.country:
        w.add("country = ?", f.country)
    if f.plan:
        w.add("plan = ?", f.plan)
    if f.year_from is not None:
        w.add("(deadline IS NULL OR year(deadline) >= ?)", f.year_from)
    if f.year_to is not None:
        w.add("(deadline IS NULL OR year(deadline) <= ?)", f.year_to)
    if f.agency:
        w.add(AGENCY_MATCH, f.agency, f.agency)
    return w


def submission_where(f: Filters) -> _Where:
    """Conditions on `submissions`: country (its own, else through the plan), plan and agency; no years or outcome."""
    w = _Where()
    if f.country:
        w.add(f"coalesce(country = ?, plan IN {_plans_of_country()})", f.country, f.country, f.country)
    if f.plan:
        w.add("plan = ?", f.plan)
    if f.agency:
        w.add(f"(agency IS NULL OR {AGENCY_MATCH})", f.agency, f.agency)
    return w


# --------------------------------------------------------------------------------------------------
# Running SQL
# --------------------------------------------------------------------------------------------------

def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    cursor = con.cursor()
    try:
        return cursor.execute(sql, list(params)).df()
    finally:
        cursor.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    cursor = con.cursor()
    try:
        return cursor.execute(sql, list(params)).fetchall()
    finally:
        cursor.close()


def _record(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> dict[str, Any]:
    cursor = con.cursor()
    try:
        cursor.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        row = cursor.fetchone()
    finally:
        cursor.close()
    return dict(zip(names, row)) if row else {n: None for n in names}


SURFACE = ("budget", "indicator_values", "actions", "submissions", "entities")


def missing_surface(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the query surface's views/tables that this database lacks (empty when ready)."""
    present = {r[0] for r in _rows(con, "SELECT table_name FROM information_schema.tables"
                                        " WHERE table_schema = current_schema()")}
    return [name for name in SURFACE if name not in present]


def data_version(con: duckdb.DuckDBPyConnection) -> tuple:
    """Changes whenever a submission lands, is rolled back or changes status (for cache invalidation)."""
    row = _rows(con, """SELECT count(*), max(submission_id), max(created_at)::VARCHAR,
                               count(*) FILTER (WHERE status = 'committed'),
                               count(*) FILTER (WHERE status = 'rolled_back')
                        FROM submissions""")[0]
    return tuple(None if v is None else str(v) for v in row)


# --------------------------------------------------------------------------------------------------
# Filter bar
# --------------------------------------------------------------------------------------------------

def filter_options(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> dict[str, Any]:
    """Choices for the filter bar: plans narrowed by country, outcomes by country and plan (the UN INFO
    sub-outputs without budget figures count: their plans and outcomes can be chosen too)."""
    countries = [r[0] for r in _rows(con, """
        SELECT country FROM (SELECT DISTINCT country FROM budget UNION SELECT DISTINCT country FROM indicator_values
                             UNION SELECT DISTINCT country FROM suboutput_list)
        WHERE trim(country) <> '' ORDER BY country""")]
    if filters.country:
        plans_sql = """SELECT DISTINCT plan FROM budget WHERE country = ?
                       UNION SELECT DISTINCT plan FROM indicator_values WHERE country = ?
                       UNION SELECT DISTINCT plan FROM suboutput_list WHERE country = ?"""
        plan_params: list[Any] = [filters.country, filters.country, filters.country]
    else:
        plans_sql = """SELECT DISTINCT plan FROM budget UNION SELECT DISTINCT plan FROM indicator_values
                       UNION SELECT DISTINCT plan FROM actions UNION SELECT DISTINCT plan FROM suboutput_list"""
        plan_params = []
    plans = [r[0] for r in _rows(con, f"SELECT plan FROM ({plans_sql}) WHERE trim(plan) <> '' ORDER BY plan",
                                 plan_params)]
    years_row = _rows(con, """SELECT min(y), max(y) FROM (
        SELECT min(year) AS y FROM budget UNION ALL SELECT max(year) FROM budget
        UNION ALL SELECT min(year(period_end)) FROM indicator_values
        UNION ALL SELECT max(year(period_end)) FROM indicator_values)""")[0]
    # labels are made unique over ALL outcomes so that an outcome keeps its label (which the URL
    # carries) whatever the other filters are
    outcome_rows = _rows(con, f"""
        SELECT plan, outcome_code, outcome_title, {OUTCOME_KEY} AS outcome_key,
               bool_or(coalesce(country = ?, TRUE)) AS in_country
        FROM (SELECT DISTINCT country, plan, outcome_code, outcome_title FROM budget
              UNION SELECT DISTINCT country, plan, outcome_code, outcome_title FROM suboutput_list)
        GROUP BY plan, outcome_code, outcome_title
        ORDER BY plan, strip_accents(lower(coalesce(outcome_code, ''))), outcome_title""", [filters.country])
    labels = unique_labels([outcome_label(r[1], r[2]) for r in outcome_rows], [r[0] for r in outcome_rows])
    outcomes = [{"key": r[3], "label": label, "plan": r[0], "outcome_code": r[1], "outcome_title": r[2]}
                for r, label in zip(outcome_rows, labels)
                if (not filters.plan or r[0] == filters.plan) and (not filters.country or r[4])]
    agencies = _rows(con, f"""
        WITH codes AS (
            SELECT DISTINCT trim(unnest({AGENCY_LIST})) AS code
            FROM (SELECT DISTINCT agency FROM budget UNION SELECT DISTINCT agency FROM indicator_values
                  UNION SELECT DISTINCT agency FROM actions UNION SELECT DISTINCT agency FROM suboutput_list)
            WHERE agency IS NOT NULL)
        SELECT c.code, any_value(e.name) FROM codes c LEFT JOIN entities e ON e.code = c.code
        WHERE c.code <> '' GROUP BY c.code ORDER BY c.code""")
    present = _rows(con, """SELECT (SELECT count(*) > 0 FROM budget) OR (SELECT count(*) > 0 FROM suboutput_list),
                                   (SELECT count(*) > 0 FROM indicator_values),
                                   (SELECT count(*) > 0 FROM actions), (SELECT count(*) > 0 FROM submissions)""")[0]
    return {
        "countries": countries,
        "plans": plans,
        "year_min": years_row[0],
        "year_max": years_row[1],
        "outcomes": outcomes,
        "agencies": [{"code": code, "name": name} for code, name in agencies],
        "has_budget": bool(present[0]),
        "has_indicators": bool(present[1]),
        "has_actions": bool(present[2]),
        "has_submissions": bool(present[3]),
    }


def entity_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {code: name for code, name in _rows(con, "SELECT code, name FROM entities WHERE code IS NOT NULL")}


# --------------------------------------------------------------------------------------------------
# Budget
# --------------------------------------------------------------------------------------------------

def budget_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Required, available, expenditure, gap and rates over the filtered lines, with the counts of
    lines lacking a figure and the currencies involved."""
    w = budget_where(filters)
    totals = _record(con, f"""SELECT {BUDGET_METRICS}, count(*) FILTER (WHERE {JOINT}) AS joint_lines,
                                     list(DISTINCT currency) AS currencies FROM budget{w.sql()}""", w.params)
    totals["currencies"] = sorted(c for c in (totals.get("currencies") or []) if c)
    return totals


_LEVELS: dict[str, tuple[str, ...]] = {
    "outcome": ("plan", "outcome_code", "outcome_title"),
    "output": ("plan", "outcome_code", "outcome_title", "output_code", "output_title"),
    "agency": ("agency",),
    "year": ("year",),
    "funding_source": ("funding_source",),
    "output_agency": ("plan", "outcome_code", "outcome_title", "output_code", "output_title", "agency"),
}


def budget_by(con: duckdb.DuckDBPyConnection, filters: Filters, by: str) -> pd.DataFrame:
    """Budget metrics grouped by `by`: outcome, output, agency (joint lines as 'Joint'), year,
    funding_source, or output_agency (outcome → output → agency, the delivery table).

    Adds a readable, unique label column (`outcome`, `output`, `agency`, `funding_source`) and the
    outcome key where outcomes are involved."""
    if by not in _LEVELS:
        raise ValueError(f"unknown grouping {by!r}; expected one of {', '.join(_LEVELS)}")
    w = budget_where(filters)
    columns = list(_LEVELS[by])
    select = []
    for c in columns:
        if c == "agency":
            select.append(f"{AGENCY_GROUP} AS agency")
            if by == "output_agency":
                select.append("agency AS agencies")
        elif c == "funding_source":
            select.append("coalesce(nullif(trim(funding_source), ''), 'Not specified') AS funding_source")
        else:
            select.append(c)
    group = ", ".join(str(i + 1) for i in range(len(select)))
    if "outcome_title" in columns:
        select.append(f"{OUTCOME_KEY} AS outcome_key")
    order = "year" if by == "year" else "required DESC NULLS LAST"
    df = _frame(con, f"""
        SELECT {', '.join(select)}, {BUDGET_METRICS}
        FROM budget{w.sql()} GROUP BY {group} ORDER BY {order}""", w.params)
    if by in ("outcome", "output", "output_agency"):
        df.insert(0, "outcome_key", df.pop("outcome_key"))
        outcomes = list(zip(df["outcome_code"], df["outcome_title"]))
        outcome_labels = _each_distinct(outcomes, outcome_label)
        if by == "outcome":
            df.insert(0, "outcome", unique_labels(outcome_labels, list(df["plan"])))
        else:
            df.insert(0, "outcome", outcome_labels)
            output_labels = _each_distinct(list(zip(df["output_code"], df["output_title"])), output_label)
            if by == "output":
                extras = [f"{text(p) or ''} · outcome {text(c) or NO_CODE}"
                          for p, c in zip(df["plan"], df["outcome_code"])]
                output_labels = unique_labels(output_labels, extras)
            df.insert(1, "output", output_labels)
    if "agency" in df.columns:
        names = entity_names(con)
        df.insert(df.columns.get_loc("agency") + 1, "agency_name",
                  ["Joint sub-outputs (money not split)" if a == JOINT_LABEL else names.get(a, a)
                   for a in df["agency"]])
    return df


def _each_distinct(values: list[tuple], function) -> list:
    """function(*value) for each value, computed once per distinct value (labels of big groupings)."""
    done: dict[tuple, Any] = {}
    out = []
    for value in values:
        if value not in done:
            done[value] = function(*value)
        out.append(done[value])
    return out


def budget_by_outcome(con, filters):  # noqa: D103 — named views of budget_by
    return budget_by(con, filters, "outcome")


def budget_by_output(con, filters):  # noqa: D103
    return budget_by(con, filters, "output")


def budget_by_agency(con, filters):  # noqa: D103
    return budget_by(con, filters, "agency")


def budget_by_year(con, filters):  # noqa: D103
    return budget_by(con, filters, "year")


def budget_by_funding_source(con, filters):  # noqa: D103
    return budget_by(con, filters, "funding_source")


def budget_tree(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 300) -> tuple[pd.DataFrame, int]:
    """Outcome → output → agency leaves (joint lines as one 'Joint: A + B' leaf) with required,
    available and coverage; the `limit` leaves with the largest requirement, and how many there were."""
    w = budget_where(filters)
    df = _frame(con, f"""
        SELECT plan, outcome_code, outcome_title, output_code, output_title, agency, {JOINT} AS joint,
               {OUTCOME_KEY} AS outcome_key, sum(required) AS required, sum(available) AS available,
               {COVERAGE} AS coverage,
               {LINES_WITHOUT_AVAILABLE} AS lines_without_available, count(*) OVER () AS leaves
        FROM budget{w.sql()}
        GROUP BY plan, outcome_code, outcome_title, output_code, output_title, agency, {JOINT}
        ORDER BY required DESC NULLS LAST LIMIT ?""", [*w.params, limit])
    total = int(df["leaves"].iloc[0]) if len(df) else 0
    df = df.drop(columns="leaves")
    df.insert(0, "outcome_key", df.pop("outcome_key"))
    df.insert(1, "outcome", _each_distinct(list(zip(df["outcome_code"], df["outcome_title"])), outcome_label))
    df.insert(2, "output", _each_distinct(list(zip(df["output_code"], df["output_title"])), output_label))
    df["agency_label"] = [tile_label(a, j) for a, j in zip(df["agency"], df["joint"])]
    return df, int(total)


def tile_label(agency: object, joint: object) -> str:
    """A treemap leaf: the agency, 'Joint: FAO + WHO' for a joint sub-output, '(no agency)' without one."""
    codes = [c.strip() for c in (text(agency) or "").split(";") if c.strip()]
    if (not is_missing(joint) and bool(joint)) or len(codes) > 1:
        return "Joint: " + " + ".join(codes) if codes else JOINT_LABEL
    return codes[0] if codes else NO_AGENCY


BUDGET_LINE_COLUMNS = ("plan", "outcome_code", "outcome_title", "output_code", "output_title", "suboutput_title",
                       "agency", "funding_source", "year", "required", "available", "expenditure", "currency")


def budget_lines(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 1000) -> tuple[pd.DataFrame, int]:
    """The filtered budget lines themselves (for an agency's or an outcome's drill-down), largest first,
    at most `limit`; and how many lines there are."""
    w = budget_where(filters)
    total = _rows(con, f"SELECT count(*) FROM budget{w.sql()}", w.params)[0][0]
    # one line's delivery rate: DELIVERY_RATE over a group of one line
    df = _frame(con, f"""
        SELECT {', '.join(BUDGET_LINE_COLUMNS)}, expenditure / NULLIF(available, 0) AS delivery_rate
        FROM budget{w.sql()}
        ORDER BY plan, outcome_code, outcome_title, output_code, year, agency LIMIT ?""", [*w.params, limit])
    return df, int(total)


# --------------------------------------------------------------------------------------------------
# The plan's structure (UN INFO sub-outputs, with or without money) and its indirect costs
# --------------------------------------------------------------------------------------------------

def suboutput_where(f: Filters) -> _Where:
    """Conditions on `suboutput_list s` (UN INFO sub-outputs, with or without figures): country, plan, outcome
    and agency as on the budget; the year range keeps the sub-outputs with a figure in it, and those without
    any figure whatever the years (they have no year)."""
    w = _Where()
    if f.country:
        w.add("s.country = ?", f.country)
    if f.plan:
        w.add("s.plan = ?", f.plan)
    if f.outcome:
        w.add(f"{OUTCOME_KEY} = ?", f.outcome)
    if f.agency:
        w.add(AGENCY_MATCH, f.agency, f.agency)
    if f.year_from is not None or f.year_to is not None:
        w.add("""(f.funded IS NULL OR s.suboutput_id IN (SELECT suboutput_id FROM budget
                  WHERE year >= coalesce(?::INTEGER, year) AND year <= coalesce(?::INTEGER, year)))""",
              f.year_from, f.year_to)
    return w


#: the sub-outputs with a budget line; a sub-output outside it has no money figure in any year
_FUNDED = "LEFT JOIN (SELECT DISTINCT suboutput_id AS funded FROM budget) f ON f.funded = s.suboutput_id"
#: sub-outputs in view without any budget figure (part of the plan, counted, adding nothing to the amounts)
SUBOUTPUTS_WITHOUT_FIGURES = "count(DISTINCT s.suboutput_id) FILTER (WHERE f.funded IS NULL)"
_OUTPUT_IDENTITY = "(coalesce(s.output_code, ''), coalesce(s.output_title, ''))"


def suboutputs_by_outcome(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per outcome (plan, code, title), its outputs and sub-outputs as the UN INFO exports list them, with or
    without money, and how many of the sub-outputs have no budget figure in any year."""
    w = suboutput_where(filters)
    return _frame(con, f"""
        SELECT {OUTCOME_KEY} AS outcome_key, plan, outcome_code, outcome_title,
               count(DISTINCT {_OUTPUT_IDENTITY}) AS outputs, count(DISTINCT s.suboutput_id) AS suboutputs,
               {SUBOUTPUTS_WITHOUT_FIGURES} AS suboutputs_without_figures
        FROM suboutput_list s {_FUNDED}{w.sql()}
        GROUP BY plan, outcome_code, outcome_title ORDER BY plan, outcome_code, outcome_title""", w.params)


def suboutput_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Outcomes, outputs and sub-outputs in view (UN INFO, with or without money), and how many of the
    sub-outputs have no budget figure in any year."""
    w = suboutput_where(filters)
    return _record(con, f"""
        SELECT count(DISTINCT {OUTCOME_IDENTITY}) AS outcomes,
               count(DISTINCT ({OUTCOME_IDENTITY}, {_OUTPUT_IDENTITY})) AS outputs,
               count(DISTINCT s.suboutput_id) AS suboutputs,
               {SUBOUTPUTS_WITHOUT_FIGURES} AS suboutputs_without_figures
        FROM suboutput_list s {_FUNDED}{w.sql()}""", w.params)


def indirect_cost_where(f: Filters) -> _Where:
    """Conditions on `indirect_costs`: country, plan and agency; the year range keeps indirect costs of a year
    in it and those stated for no year (a support cost on several years' lines)."""
    w = _Where()
    if f.country:
        w.add("country = ?", f.country)
    if f.plan:
        w.add("plan = ?", f.plan)
    if f.year_from is not None:
        w.add("(year IS NULL OR year >= ?)", f.year_from)
    if f.year_to is not None:
        w.add("(year IS NULL OR year <= ?)", f.year_to)
    if f.agency:
        w.add(AGENCY_MATCH, f.agency, f.agency)
    return w


def plan_budget_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per plan (of a country) with indirect costs in view: programme (its budget lines' required) + support
    costs + fees = total. An outcome has no indirect costs, so none are summed for one (an empty table)."""
    w, iw = budget_where(filters), indirect_cost_where(filters)
    if filters.outcome:
        iw.add("FALSE")
    return _frame(con, f"""
        WITH costs AS (
            SELECT country, plan, coalesce(sum(required) FILTER (WHERE cost_type = 'support'), 0) AS support_costs,
                   coalesce(sum(required) FILTER (WHERE cost_type = 'fee'), 0) AS fees, min(currency) AS currency
            FROM indirect_costs{iw.sql()} GROUP BY country, plan),
        lines AS (SELECT country, plan, sum(required) AS programme FROM budget{w.sql()} GROUP BY country, plan)
        SELECT c.country, c.plan, coalesce(l.programme, 0) AS programme, c.support_costs, c.fees,
               coalesce(l.programme, 0) + c.support_costs + c.fees AS total, c.currency
        FROM costs c LEFT JOIN lines l ON l.plan = c.plan AND l.country IS NOT DISTINCT FROM c.country
        ORDER BY c.country, c.plan""", [*iw.params, *w.params])


def reporting_completeness(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per plan (of a country), for its reporting year — the end of the year range, else the plan's latest
    year up to this one with spending reported (plans run into future years and end in different years;
    a plan with none yet is taken this year, or its first year if it starts later): the
    agencies expected (a budget line in the plan), those with a submission for the year
    (`REPORTING_COMPLETENESS`) and the rest by name; and, as the RCO chases it too, the agencies whose
    expenditure for the year is not reported yet. Least complete first."""
    w = budget_where(filters, years=False)
    iw = indicator_where(filters, years=False)
    agency_clause = " AND l.a = ?" if filters.agency else ""
    return _frame(con, f"""
        WITH lines AS (
            SELECT coalesce(country, '') AS country, plan, trim(unnest({AGENCY_LIST})) AS a, year,
                   expenditure IS NOT NULL AS has_spending
            FROM budget{w.sql()}),
        years AS (  -- never a future year: a plan that has not reported spending yet is taken this year
            SELECT country, plan,
                   coalesce(?::INTEGER, max(year) FILTER (WHERE has_spending AND year <= year(current_date)),
                            greatest(min(year), least(max(year), year(current_date)))) AS year
            FROM lines GROUP BY country, plan),
        indicator_agencies AS (
            SELECT DISTINCT coalesce(country, '') AS country, plan, trim(unnest({AGENCY_LIST})) AS a,
                   year(period_end) AS year
            FROM indicator_values{iw.sql()}),
        per AS (
            SELECT l.country, l.plan, l.a, y.year,
                   bool_or(l.year = y.year) OR bool_or(i.a IS NOT NULL) AS reported,
                   bool_or(l.year = y.year AND l.has_spending) AS spent
            FROM lines l JOIN years y USING (country, plan)
            LEFT JOIN indicator_agencies i ON i.country = l.country AND i.plan = l.plan AND i.a = l.a
                                          AND i.year = y.year
            WHERE l.a <> ''{agency_clause} GROUP BY l.country, l.plan, l.a, y.year)
        SELECT nullif(country, '') AS country, plan, year, count(DISTINCT a) AS agencies_expected,
               count(DISTINCT a) FILTER (WHERE reported) AS agencies_reported,
               {REPORTING_COMPLETENESS} AS completeness,
               string_agg(a, ', ' ORDER BY a) FILTER (WHERE NOT reported) AS not_reported,
               count(DISTINCT a) FILTER (WHERE spent) AS agencies_with_expenditure,
               string_agg(a, ', ' ORDER BY a) FILTER (WHERE NOT spent) AS no_expenditure
        FROM per GROUP BY country, plan, year ORDER BY completeness, country, plan""",
        [*w.params, filters.year_to, *iw.params, *([filters.agency] if filters.agency else [])])


# --------------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------------

def indicator_progress(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per indicator: the latest reported actual in the filtered periods, progress to target,
    the share of the period elapsed by then (what 'on track' is measured against) and the status."""
    w = indicator_where(filters)
    return _frame(con, f"""
        WITH v AS (SELECT * FROM indicator_values{w.sql()}),
        defn AS (
            SELECT country, plan, indicator_code, indicator, result_code, unit, baseline, baseline_year,
                   target, target_year, agency
            FROM v QUALIFY row_number() OVER (PARTITION BY country, plan, indicator_code
                                              ORDER BY period_end DESC, submission_id DESC, agency) = 1),
        latest AS (
            SELECT country, plan, indicator_code, period AS latest_period, period_end AS latest_period_end,
                   actual AS latest_actual
            FROM v WHERE actual IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY country, plan, indicator_code
                                       ORDER BY period_end DESC, submission_id DESC, agency) = 1),
        joined AS (
            SELECT d.*, l.latest_period, l.latest_period_end, l.latest_actual
            FROM defn d LEFT JOIN latest l
              ON d.country IS NOT DISTINCT FROM l.country AND d.plan IS NOT DISTINCT FROM l.plan
             AND d.indicator_code IS NOT DISTINCT FROM l.indicator_code),
        measured AS (
            SELECT *, {INDICATOR_PROGRESS} AS progress, {ELAPSED_SHARE} AS expected_progress FROM joined)
        SELECT {INDICATOR_KEY} AS indicator_key, country, plan, indicator_code, indicator, result_code, unit,
               baseline, baseline_year, target, target_year, latest_period, latest_actual, progress,
               expected_progress, {INDICATOR_STATUS} AS status, agency
        FROM measured
        ORDER BY plan, indicator_code""", w.params)


def indicator_status_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """How many indicators are achieved, on track, off track, without data (all four, zeros kept)."""
    progress = indicator_progress(con, filters)
    counts = progress["status"].value_counts() if len(progress) else pd.Series(dtype="int64")
    return pd.DataFrame({"status": list(INDICATOR_STATUSES),
                         "indicators": [int(counts.get(s, 0)) for s in INDICATOR_STATUSES]})


def indicator_trend(con: duckdb.DuckDBPyConnection, filters: Filters, key: str) -> pd.DataFrame:
    """Reported values of one indicator (by its key) over the filtered periods, with baseline and target."""
    w = indicator_where(filters)
    w.add(f"{INDICATOR_KEY} = ?", key)
    return _frame(con, f"""
        SELECT period, period_end, actual, agency, baseline, baseline_year, target, target_year, unit,
               means_of_verification
        FROM indicator_values{w.sql()} ORDER BY period_end, agency""", w.params)


# --------------------------------------------------------------------------------------------------
# Actions (recommendations, deliverables)
# --------------------------------------------------------------------------------------------------

ACTION_TOTALS = f"""
    count(*) AS actions,
    count(*) FILTER (WHERE status = 'completed') AS completed,
    count(*) FILTER (WHERE status IN ('ongoing', 'not_started')) AS open,
    {OVERDUE} AS overdue,
    count(*) FILTER (WHERE status IN ('no_longer_applicable', 'deprioritized')) AS set_aside,
    {IMPLEMENTATION_RATE} AS implementation_rate"""


def action_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    w = action_where(filters)
    return _record(con, f"SELECT {ACTION_TOTALS} FROM actions{w.sql()}", w.params)


#: per-status counts (one column per status) and the totals of a group of actions
STATUS_COUNTS = ", ".join(f"count(*) FILTER (WHERE status = '{s}') AS {s}" for s in ACTION_STATUSES) + f""",
    count(*) AS actions, {OVERDUE} AS overdue, {IMPLEMENTATION_RATE} AS implementation_rate"""


def _status_pivot(con: duckdb.DuckDBPyConnection, filters: Filters, group_sql: list[str], order: str) -> pd.DataFrame:
    w = action_where(filters)
    group = ", ".join(str(i + 1) for i in range(len(group_sql)))
    return _frame(con, f"""
        SELECT {', '.join(group_sql)}, {STATUS_COUNTS}
        FROM actions{w.sql()} GROUP BY {group} ORDER BY {order}""", w.params)


def actions_by_source(con, filters: Filters) -> pd.DataFrame:
    """Status counts per source (evaluation, audit, work plan…)."""
    return _status_pivot(con, filters, ["source_type", "source_title"], "source_title")


def actions_by_recommendation(con, filters: Filters, source_title: str | None = None) -> pd.DataFrame:
    """Status counts per recommendation (of one source, or all)."""
    w = action_where(filters)
    if source_title is not None:
        w.add("source_title = ?", source_title)
    return _frame(con, f"""
        SELECT source_title, recommendation_no, any_value(recommendation) AS recommendation,
               any_value(management_response) AS management_response, {STATUS_COUNTS}
        FROM actions{w.sql()}
        -- a recommendation is its number; without one (work-plan priority areas), its text
        GROUP BY source_title, recommendation_no, CASE WHEN recommendation_no IS NULL THEN recommendation END
        ORDER BY source_title, try_cast(regexp_extract(recommendation_no, '\\d+') AS INTEGER) NULLS LAST,
                 recommendation_no""", w.params)


def actions_by_agency(con, filters: Filters) -> pd.DataFrame:
    """Status counts per responsible agency ('Not assigned' when none)."""
    df = _status_pivot(con, filters, [f"coalesce(nullif(trim(agency), ''), '{NOT_ASSIGNED}') AS agency"],
                       "actions DESC, agency")
    names = entity_names(con)
    df.insert(1, "agency_name", [names.get(a, a) for a in df["agency"]])
    return df


def action_status_counts(con, filters: Filters) -> pd.DataFrame:
    """Actions per status (all six, zeros kept)."""
    w = action_where(filters)
    rows = dict(_rows(con, f"SELECT status, count(*) FROM actions{w.sql()} GROUP BY status", w.params))
    return pd.DataFrame({"status": list(ACTION_STATUSES), "actions": [int(rows.get(s, 0)) for s in ACTION_STATUSES]})


def overdue_actions(con, filters: Filters, limit: int = 500) -> pd.DataFrame:
    """Overdue actions, the longest overdue first."""
    w = action_where(filters)
    w.add("overdue")
    return _frame(con, f"""
        SELECT source_title, recommendation_no, action_no, action, responsible, agency, deadline,
               {DAYS_LATE} AS days_late, status, comments, as_of
        FROM actions{w.sql()} ORDER BY deadline, source_title, action_no LIMIT ?""", [*w.params, limit])


def action_ageing(con, filters: Filters) -> pd.DataFrame:
    """Open actions (ongoing, not started) by how long past their deadline they are."""
    w = action_where(filters)
    w.add("status IN ('ongoing', 'not_started')")
    rows = dict(_rows(con, f"SELECT {AGEING_BUCKET}, count(*) FROM actions{w.sql()} GROUP BY 1", w.params))
    return pd.DataFrame({"ageing": list(AGEING_BUCKETS), "open_actions": [int(rows.get(b, 0)) for b in AGEING_BUCKETS]})


# --------------------------------------------------------------------------------------------------
# Submissions and freshness
# --------------------------------------------------------------------------------------------------

def freshness(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per agency: when its current rows last arrived (the latest submission that brought any of its
    budget lines, indicator values or actions — a joint line counts for each of its agencies), per
    dataset, with the file and the days since. Country, plan and agency filters apply; years and
    outcome do not (freshness is about when data came in)."""
    undated = filters.without("year_from", "year_to", "outcome")
    bw, iw, aw = budget_where(undated), indicator_where(undated), action_where(undated)
    agency_clause = " WHERE a = ?" if filters.agency else ""
    df = _frame(con, f"""
        WITH brought AS (
            SELECT trim(unnest({AGENCY_LIST})) AS a, submission_id, 'budget' AS dataset
                FROM (SELECT DISTINCT agency, submission_id FROM budget{bw.sql()})
            UNION ALL SELECT trim(agency), submission_id, 'indicators'
                FROM (SELECT DISTINCT agency, submission_id FROM indicator_values{iw.sql()})
            UNION ALL SELECT trim(agency), submission_id, 'actions'
                FROM (SELECT DISTINCT agency, submission_id FROM actions{aw.sql()})),
        per AS (
            SELECT b.a AS agency, b.dataset, s.created_at, s.file_name, b.submission_id
            FROM brought b LEFT JOIN submissions s USING (submission_id)
            WHERE b.a IS NOT NULL AND b.a <> '')
        SELECT agency, max(created_at) AS last_submission,
               date_diff('day', max(created_at)::DATE, current_date) AS days_since,
               arg_max(file_name, created_at) AS last_file,
               max(created_at) FILTER (WHERE dataset = 'budget') AS last_budget,
               max(created_at) FILTER (WHERE dataset = 'indicators') AS last_indicators,
               max(created_at) FILTER (WHERE dataset = 'actions') AS last_actions,
               count(DISTINCT submission_id) AS submissions
        FROM per{agency_clause.replace(' a = ', ' agency = ')}
        GROUP BY agency ORDER BY last_submission NULLS FIRST, agency""",
                [*bw.params, *iw.params, *aw.params, *([filters.agency] if filters.agency else [])])
    names = entity_names(con)
    df.insert(1, "agency_name", [names.get(a, "") for a in df["agency"]])
    return df


def plan_choices(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None, int | None, int | None]]:
    """Every plan of the current data as (plan, country, first year, last year), sorted: a plan is a plan of a
    country (one name is used in many); the years are its budget's (none for a plan known only from indicators,
    actions or sub-outputs without figures)."""
    return _rows(con, f"""SELECT plan, nullif(country, '') AS country, min(year), max(year)
                          FROM ({PLAN_COUNTRIES}) WHERE coalesce(plan, '') <> ''
                          GROUP BY ALL ORDER BY plan, country NULLS FIRST""")


def submission_history(con: duckdb.DuckDBPyConnection, filters: Filters = Filters(), limit: int = 1000) -> pd.DataFrame:
    """The latest submissions, newest first: who, when, what, how many rows, status, and whether the
    original file is kept (for the Upload page's history, roll-back and download)."""
    w = submission_where(filters)
    kept = ("EXISTS (SELECT 1 FROM submission_files f WHERE f.submission_id = s.submission_id)"
            if "submission_files" in {r[0] for r in _rows(con, "SELECT table_name FROM information_schema.tables")}
            else "FALSE")
    return _frame(con, f"""
        SELECT submission_id AS id, created_at AS "when", kind AS dataset, file_name AS file, user_name AS "user",
               agency, plan, rows_added AS added, rows_replaced AS replaced, rows_rejected AS rejected, status,
               {kept} AS has_file
        FROM submissions s{w.sql()} ORDER BY created_at DESC, submission_id DESC LIMIT ?""", [*w.params, limit])


# --------------------------------------------------------------------------------------------------
# Headline
# --------------------------------------------------------------------------------------------------

def headline(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """The Overview cards: budget totals and rates, indicator statuses, action counts and rates."""
    result = dict(budget_totals(con, filters))
    statuses = indicator_status_counts(con, filters)
    counts = dict(zip(statuses["status"], statuses["indicators"]))
    result.update({
        "indicators": int(sum(counts.values())),
        "indicators_achieved": counts["achieved"],
        "indicators_on_track": counts["on track"],
        "indicators_off_track": counts["off track"],
        "indicators_no_data": counts["no data"],
    })
    result.update({f"actions_{k}" if k != "actions" else k: v for k, v in action_totals(con, filters).items()})
    return result


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------

_EXPORT_ORDER = {
    "budget": "plan, outcome_code, output_code, agency, year",
    "indicators": "plan, indicator_code, period_end, agency",
    "actions": "source_title, recommendation_no, action_no",
    "submissions": "submission_id",
}


def _export_where(kind: str, filters: Filters, detail: BudgetDetail | None = None) -> _Where:
    if kind == "budget":
        w = budget_where(filters)
        if detail:
            detail.add_to(w)
        return w
    if kind == "indicators":
        return indicator_where(filters)
    if kind == "actions":
        return action_where(filters)
    if kind == "submissions":
        return submission_where(filters)
    raise ValueError(f"unknown dataset {kind!r}; expected one of {', '.join(DATASETS)}")


@dataclass(frozen=True)
class BudgetDetail:
    """Refinements of a budget export on the UN INFO fields kept for filtering (SPEC §2.1b)."""

    strategic_priority: str | None = None  # its title, as the export writes it
    suboutput_status: str | None = None    # implementation, closed, pipeline…
    sdg_goal: str | None = None            # one goal as written, e.g. '5 Gender Equality'
    partner: str | None = None             # text a contributing partner's name contains (any case)

    def add_to(self, w: _Where) -> None:
        if self.strategic_priority:
            w.add("strategic_priority = ?", self.strategic_priority)
        if self.suboutput_status:
            w.add("suboutput_status = ?", self.suboutput_status)
        if self.sdg_goal:
            w.add(f"list_contains({SDG_GOALS}, ?)", self.sdg_goal)
        if self.partner:
            w.add("contains(lower(contributing_partners), lower(?))", self.partner)


#: the SDG goals of a sub-output ('5 Gender Equality; 10 Reduced Inequalities' → a list)
SDG_GOALS = r"list_transform(string_split(coalesce(sdg_goals, ''), ';'), g -> trim(g))"


def budget_detail_options(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, list[str]]:
    """The values the budget export's UN INFO refinements can take within the filters (empty lists
    when the budget in view has no UN INFO rows)."""
    w = budget_where(filters)

    def distinct(expression: str) -> list[str]:
        return [r[0] for r in _rows(con, f"SELECT DISTINCT {expression} AS v FROM budget{w.sql()} "
                                         "ORDER BY v", w.params) if r[0]]

    goals = _rows(con, f"""SELECT DISTINCT g FROM (SELECT unnest({SDG_GOALS}) AS g FROM budget{w.sql()})
                           WHERE g <> '' ORDER BY try_cast(split_part(g, ' ', 1) AS INTEGER), g""", w.params)
    return {"strategic_priority": distinct("strategic_priority"), "suboutput_status": distinct("suboutput_status"),
            "sdg_goal": [g[0] for g in goals]}


def export_count(con: duckdb.DuckDBPyConnection, kind: str, filters: Filters,
                 detail: BudgetDetail | None = None) -> int:
    w = _export_where(kind, filters, detail)
    return int(_rows(con, f"SELECT count(*) FROM {DATASETS[kind]}{w.sql()}", w.params)[0][0])


def export_rows(con: duckdb.DuckDBPyConnection, kind: str, filters: Filters,
                limit: int | None = None, detail: BudgetDetail | None = None) -> pd.DataFrame:
    """The filtered rows of a dataset (budget, indicators, actions, submissions), all view columns;
    `detail` narrows a budget export further."""
    w = _export_where(kind, filters, detail)
    params = list(w.params)
    limit_sql = ""
    if limit is not None:
        limit_sql = " LIMIT ?"
        params.append(int(limit))
    return _frame(con, f"SELECT * FROM {DATASETS[kind]}{w.sql()} ORDER BY {_EXPORT_ORDER[kind]}{limit_sql}", params)
