"""The Metric registry: every figure of SPEC §5 defined once — its SQL, and the label, unit, help text and
precision every page, table header, export and test takes from here.

Money rules (SPEC §2.1, §2.1b):
- a NULL `available` or `expenditure` is "not reported", never zero: a ratio leaves such lines out of
  BOTH its numerator and its denominator, and every budget summary says how many lines lack a figure;
- a joint sub-output (agency 'UNDP;UNICEF') is one line: by-agency summaries show it as "Joint" and
  never split its money (see `analytics.identity`).
A ratio with a zero denominator is NULL (shown as '—'), never 0 % or infinity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.formatting import format_count, format_money, format_rate
from core.summaries import SUMS_OF_PARTIALS
from core.vocabulary import OPEN_ACTION_STATUSES, sql_list


@dataclass(frozen=True)
class Metric:
    """One figure: the column every read returns it as, its one SQL definition, and how it is shown."""

    name: str
    #: an aggregate over a view's rows (indicator progress and its expected share: over one indicator's row)
    sql: str
    #: what cards, legends and table headers call it
    label: str
    #: "USD" (money), "%" (a ratio, shown as a percentage) or "" (a count)
    unit: str = ""
    #: the card's tooltip: what is counted and what is left out
    help: str | None = None
    #: decimal places worth writing (money: cents; a ratio: of its percentage)
    precision: int = 0

    @property
    def rate(self) -> bool:
        """A ratio: 0.752 in the data, 75.2 in tables and CSVs, '75 %' on cards."""
        return self.unit == "%"

    @property
    def header(self) -> str:
        """'Required (USD)', 'Coverage (%)', 'Budget lines'."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def shown(self, value: object) -> str:
        """The value as a card shows it ('USD 1.2 M', '63 %', '1,234'; '—' when missing)."""
        if self.rate:
            return format_rate(value)
        return format_money(value) if self.unit == "USD" else format_count(value)


def _money(name: str, sql: str, label: str, help: str | None = None) -> Metric:
    return Metric(name, sql, label, "USD", help, precision=2)


def _rate(name: str, sql: str, label: str, help: str | None = None) -> Metric:
    return Metric(name, sql, label, "%", help, precision=1)


# --- budget lines (view `budget`) -----------------------------------------------------------------

REQUIRED = _money("required", "sum(required)", "Required", "Total required resources of the budget lines in view.")
AVAILABLE = _money(
    "available",
    "sum(available)",
    "Available",
    "Resources available (secured). Lines with no available figure are not counted as zero.",
)
EXPENDITURE = _money(
    "expenditure", "sum(expenditure)", "Spent", "Expenditure. Lines with no expenditure figure are not counted as zero."
)
#: required − available; lines whose available (or, in UN INFO exports, required) is not reported drop out (NULL
#: arithmetic), so the gap covers exactly the lines that `coverage` covers. Negative = over-funded (a surplus).
FUNDING_GAP = _money(
    "funding_gap",
    "sum(required - available)",
    "Funding gap",
    "Required minus available, over the lines whose available figure is reported. Negative "
    "(over-funded) lines offset the others.",
)
COVERAGE = _rate(
    "coverage",
    "sum(available) FILTER (WHERE required IS NOT NULL)"
    " / NULLIF(sum(required) FILTER (WHERE available IS NOT NULL), 0)",
    "Coverage",
    "Available ÷ required, over the lines whose available figure is reported.",
)
DELIVERY_RATE = _rate(
    "delivery_rate",
    "sum(expenditure) FILTER (WHERE available IS NOT NULL)"
    " / NULLIF(sum(available) FILTER (WHERE expenditure IS NOT NULL), 0)",
    "Delivery rate",
    "Spent ÷ available, over the budget lines where both figures are reported. '—' when nothing is available.",
)
BURN_RATE = _rate(
    "burn_rate",
    "sum(expenditure) FILTER (WHERE required IS NOT NULL)"
    " / NULLIF(sum(required) FILTER (WHERE expenditure IS NOT NULL), 0)",
    "Spent of required",
    "Spent ÷ required (burn rate of the requirement), over lines where spending is reported.",
)
LINES = Metric("lines", "count(*)", "Budget lines")
LINES_WITHOUT_AVAILABLE = Metric(
    "lines_without_available", "count(*) FILTER (WHERE available IS NULL)", "Lines, no available figure"
)
LINES_WITHOUT_EXPENDITURE = Metric(
    "lines_without_expenditure", "count(*) FILTER (WHERE expenditure IS NULL)", "Lines, no spent figure"
)
REQUIRED_WITHOUT_AVAILABLE = _money(
    "required_without_available", "sum(required) FILTER (WHERE available IS NULL)", "Required, available not reported"
)
#: UN INFO year blocks can hold money available with no requirement stated: outside gap and coverage
LINES_WITHOUT_REQUIRED = Metric(
    "lines_without_required", "count(*) FILTER (WHERE required IS NULL)", "Lines, no required figure"
)
AVAILABLE_WITHOUT_REQUIRED = _money(
    "available_without_required", "sum(available) FILTER (WHERE required IS NULL)", "Available, no requirement stated"
)
#: the two sides of the delivery rate, so a chart can show exactly what the rate divides
AVAILABLE_WITH_EXPENDITURE = _money(
    "available_with_expenditure",
    "sum(available) FILTER (WHERE expenditure IS NOT NULL)",
    "Available, spending reported",
)
EXPENDITURE_WITH_AVAILABLE = _money(
    "expenditure_with_available", "sum(expenditure) FILTER (WHERE available IS NOT NULL)", "Spent, available reported"
)
#: the available side of the funding gap: required = this + funding gap + required without an available figure
AVAILABLE_WITH_REQUIRED = _money(
    "available_with_required", "sum(available) FILTER (WHERE required IS NOT NULL)", "Available, requirement stated"
)
#: how much of the money a ratio rests on: a card states it when the ratio leaves some out
DELIVERY_BASIS = _rate(
    "delivery_basis",
    "sum(available) FILTER (WHERE expenditure IS NOT NULL) / NULLIF(sum(available), 0)",
    "Delivery rate basis",
    "The share of the money available that is on lines with spending reported: the delivery rate rests on it alone.",
)
COVERAGE_BASIS = _rate(
    "coverage_basis",
    "sum(required) FILTER (WHERE available IS NOT NULL) / NULLIF(sum(required), 0)",
    "Coverage basis",
    "The share of the requirement that is on lines with an available figure: "
    "coverage and the funding gap rest on it alone.",
)

#: every budget summary's figures, in this order (`BUDGET_METRICS`)
BUDGET = (
    REQUIRED,
    AVAILABLE,
    EXPENDITURE,
    FUNDING_GAP,
    COVERAGE,
    DELIVERY_RATE,
    BURN_RATE,
    LINES,
    LINES_WITHOUT_AVAILABLE,
    LINES_WITHOUT_EXPENDITURE,
    REQUIRED_WITHOUT_AVAILABLE,
    LINES_WITHOUT_REQUIRED,
    AVAILABLE_WITHOUT_REQUIRED,
    AVAILABLE_WITH_EXPENDITURE,
    EXPENDITURE_WITH_AVAILABLE,
    AVAILABLE_WITH_REQUIRED,
    DELIVERY_BASIS,
    COVERAGE_BASIS,
)
BUDGET_METRICS = ",\n    ".join(f"{m.sql} AS {m.name}" for m in BUDGET)
#: budget reads in two levels: the lines reduced to partial sums by the read's groups and pattern of missing figures
#: (core.summaries.PARTIAL_SUMS, MISSING_PATTERN): in a row, a figure's sum is NULL exactly when the lines lack it,
#: and `_lines` counts them. Over such rows `BUDGET_METRICS_OF_PARTIALS` — the same definitions, each line count a sum
#: of `_lines` — gives the figures `BUDGET_METRICS` gives over the lines, with one plain aggregation instead of
#: fifteen filtered ones (4 × faster at 10 M lines; README: Benchmarks). The reads take their partial sums from the
#: cube the store keeps (core.summaries.BUDGET_CUBE: the lines already so reduced by every column a budget read
#: groups or filters by, a ninth as many rows at 10 M lines; most read its rollup, BUDGET_ROLLUP, without the funding
#: source, an eighth of that), summing its rows again:
PARTIAL_SUMS_OF_CUBE = SUMS_OF_PARTIALS
_LINE_COUNT = re.compile(r"count\(\*\)( FILTER \(WHERE [^()]*\))?")


def of_partials(sql: str) -> str:
    """Budget metrics' SQL over partial sums (core.summaries.PARTIAL_SUMS): each count of lines a sum of `_lines`."""
    done = _LINE_COUNT.sub(r"coalesce(sum(_lines)\1, 0)::BIGINT", sql)
    if "count(" in done:
        raise ValueError(f"not a sum or a count of budget lines: {sql}")
    return done


BUDGET_METRICS_OF_PARTIALS = of_partials(BUDGET_METRICS)

# --- indicators (view `indicator_values`, one row per indicator) --------------------------------------

#: (latest actual − baseline) ÷ (target − baseline); NULL when target = baseline
PROGRESS = _rate(
    "progress",
    "(latest_actual - baseline) / NULLIF(target - baseline, 0)",
    "Progress",
    "Progress = (latest value − baseline) ÷ (target − baseline); it works for targets that go down too.",
)
#: share of the baseline-year → target-year period elapsed at the latest reported period's end (or today when
#: nothing is reported), counted from 31 Dec of the baseline year to 31 Dec of the target year
EXPECTED_PROGRESS = _rate(
    "expected_progress",
    "greatest(0.0, least(1.0, date_diff('day', make_date(baseline_year, 12, 31),"
    " coalesce(latest_period_end, current_date))::DOUBLE"
    " / NULLIF(date_diff('day', make_date(baseline_year, 12, 31), make_date(target_year, 12, 31)), 0)))",
    "Expected by now",
    "“Expected by now” is the share of the time from the end of the baseline year to the end of "
    "the target year that had passed at the latest report.",
)
#: achieved (progress ≥ 1), on track (progress ≥ elapsed share; the whole period when years are unknown),
#: off track, no data. When target = baseline (progress undefined) the target is met or it is not.
INDICATOR_STATUS = """CASE
    WHEN latest_actual IS NULL THEN 'no data'
    WHEN target = baseline THEN CASE WHEN latest_actual = target THEN 'achieved' ELSE 'off track' END
    WHEN progress >= 1 THEN 'achieved'
    WHEN progress >= coalesce(expected_progress, 1.0) THEN 'on track'
    ELSE 'off track' END"""
INDICATOR_STATUSES = ("achieved", "on track", "off track", "no data")
#: what each status means, for the cards that count them
INDICATOR_STATUS_HELP = {
    "achieved": "Latest value reached the target (progress ≥ 100 %).",
    "on track": "Progress at least the share of the baseline-to-target period elapsed by the latest report.",
    "off track": None,
    "no data": "No value reported in the periods in view.",
}

# --- actions (view `actions`) ---------------------------------------------------------------------

#: actions that no longer count towards the implementation rate
SET_ASIDE_STATUSES = ("no_longer_applicable", "deprioritized")


#: an action is open (SQL; OPEN_ACTION_STATUSES: core.vocabulary, from which core.schema builds the overdue flag)
IS_OPEN = f"status IN {sql_list(OPEN_ACTION_STATUSES)}"

ACTIONS = Metric("actions", "count(*)", "Actions")
COMPLETED = Metric(
    "completed",
    "count(*) FILTER (WHERE status = 'completed')",
    "Completed",
    help="Key actions and deliverables marked completed.",
)
OPEN = Metric("open", f"count(*) FILTER (WHERE {IS_OPEN})", "Open", help="Ongoing or not started.")
OVERDUE = Metric(
    "overdue",
    "count(*) FILTER (WHERE overdue)",
    "Overdue",
    help="Ongoing or not started and past the deadline (the end of the month when only a month was given).",
)
SET_ASIDE = Metric(
    "set_aside",
    f"count(*) FILTER (WHERE status IN {sql_list(SET_ASIDE_STATUSES)})",
    "Set aside",
    help="No longer applicable or deprioritized.",
)
#: completed ÷ (all actions − no longer applicable − deprioritized)
IMPLEMENTATION_RATE = _rate(
    "implementation_rate",
    "(count(*) FILTER (WHERE status = 'completed'))::DOUBLE"
    f" / NULLIF(count(*) FILTER (WHERE status NOT IN {sql_list(SET_ASIDE_STATUSES)}), 0)",
    "Implementation rate",
    "Completed ÷ all actions except those no longer applicable or deprioritized.",
)

# --- costed work plans (view `actions`: a deliverable's planned_cost and the funds secured, `funded`) ------------
#: as for budget money, a blank cost or funding is "not stated", never zero: the gap and the funded share cover
#: the deliverables that state both, and the counts say how many state no cost

PLANNED_COST = _money(
    "planned_cost",
    "sum(planned_cost)",
    "Planned cost",
    "What the costed deliverables and actions cost. Those with no cost stated are not counted as zero.",
)
FUNDED = _money(
    "funded",
    "sum(funded)",
    "Funds secured",
    "Money secured for them. Those with no funding figure are not counted as zero.",
)
#: planned cost − funds secured over the deliverables stating both; negative lines (funds above cost) offset others
COST_GAP = _money(
    "cost_gap",
    "sum(planned_cost - funded)",
    "Funding gap",
    "Planned cost minus funds secured, over the deliverables stating both.",
)
FUNDED_SHARE = _rate(
    "funded_share",
    "sum(funded) FILTER (WHERE planned_cost IS NOT NULL)"
    " / NULLIF(sum(planned_cost) FILTER (WHERE funded IS NOT NULL), 0)",
    "Funded",
    "Funds secured ÷ planned cost, over the deliverables stating both.",
)
COSTED = Metric(
    "costed",
    "count(*) FILTER (WHERE planned_cost IS NOT NULL)",
    "Costed",
    "Deliverables and actions with a planned cost.",
)
WITHOUT_COST = Metric(
    "without_cost",
    "count(*) FILTER (WHERE planned_cost IS NULL)",
    "No cost stated",
    "Deliverables and actions without a planned cost (not counted as zero).",
)
COST_WITHOUT_FUNDING = _money(
    "cost_without_funding", "sum(planned_cost) FILTER (WHERE funded IS NULL)", "Cost, funding not reported"
)
#: every cost summary's figures, in this order (`COST_METRICS`)
WORK_PLAN_COST = (PLANNED_COST, FUNDED, COST_GAP, FUNDED_SHARE, ACTIONS, COSTED, WITHOUT_COST, COST_WITHOUT_FUNDING)
COST_METRICS = ",\n    ".join(f"{m.sql} AS {m.name}" for m in WORK_PLAN_COST)

# --- reporting ------------------------------------------------------------------------------------

#: agencies with a submission for the period (current data for the year: a budget line of that year or an
#: indicator value of a period ending in it) ÷ agencies expected in the plan (with a budget line in it)
COMPLETENESS = _rate(
    "completeness",
    "count(DISTINCT a) FILTER (WHERE reported) / NULLIF(count(DISTINCT a), 0)",
    "Completeness",
    "Agencies with data for the plan's reporting year ÷ agencies with a budget line in the plan.",
)

#: the registry: every metric by the column name reads return it as
METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        *BUDGET,
        PROGRESS,
        EXPECTED_PROGRESS,
        ACTIONS,
        COMPLETED,
        OPEN,
        OVERDUE,
        SET_ASIDE,
        IMPLEMENTATION_RATE,
        *WORK_PLAN_COST,
        COMPLETENESS,
    )
}
#: table headers of the budget figures ('Required (USD)')
BUDGET_HEADERS = {m.name: m.header for m in BUDGET}
#: table headers of the cost figures of work plans ('Planned cost (USD)')
COST_HEADERS = {m.name: m.header for m in WORK_PLAN_COST}
#: columns holding a ratio (shown as a percentage in tables and their CSVs)
RATE_COLUMNS = tuple(name for name, m in METRICS.items() if m.rate)
