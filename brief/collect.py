"""A meeting brief's figures, gathered from the store by the query functions the pages read (`analytics.*`, one
definition per metric) and drawn by the pages' own chart builders (`app.charts`): the brief can never disagree
with the dashboard. Everything the brief reads from the store is read here; `brief.html`, `brief.pdf` and
`brief.xlsx` only lay out the `Brief` this returns."""

from __future__ import annotations

import datetime as dt
import difflib

import duckdb
import pandas as pd

from analytics import actions, activity, budget, indicators, metrics
from analytics import filters as registry
from analytics.filters import Filters
from app import cards, charts, notes, tables
from brief.document import Attention, Brief, Card, Period, Section, Table
from core.formatting import (
    DASH,
    NO_PLAN,
    UNTITLED_INDICATOR,
    UNTITLED_SOURCE,
    count_of,
    format_count,
    format_money,
    format_rate,
    is_missing,
    shorten,
    text,
)

#: rows the PDF shows of each table (the workbook holds every row); chosen so each part fits its page
OUTCOMES_SHOWN, AGENCIES_SHOWN, INDICATORS_SHOWN, OVERDUE_SHOWN, SOURCES_SHOWN = 8, 12, 10, 8, 5
#: items per concern on the "needs attention" page
ATTENTION_ITEMS = 4
#: indicator statuses, the one needing attention first
_STATUS_ORDER = {"off track": 0, "no data": 1, "on track": 2, "achieved": 3}


class BriefError(ValueError):
    """A brief that cannot be made as asked (unknown country or plan, a date it cannot take); the text is what
    the user reads."""


def _choices(wanted: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
    close += [k for k in known if k.casefold() == wanted.casefold() and k not in close]
    if close:
        return f"did you mean {' or '.join(repr(c) for c in close)}?"
    listed = ", ".join(known[:25]) + (f" and {len(known) - 25} more" if len(known) > 25 else "")
    return f"{what}: {listed}" if known else f"there are no {what} yet: load data first"


def scope(con: duckdb.DuckDBPyConnection, country: str, plan: str | None) -> list[str]:
    """The plans a brief of `country` (and `plan`) covers; a BriefError names the choices when either is unknown."""
    countries = activity.filter_options(con)["countries"]
    if country not in countries:
        raise BriefError(f"No data for country {country!r}: {_choices(country, countries, 'countries with data')}")
    plans = activity.filter_options(con, Filters(country=country))["plans"]
    if plan is None:
        return plans
    if plan not in plans:
        raise BriefError(f"{country} has no plan {plan!r}: {_choices(plan, plans, f'plans of {country}')}")
    return [plan]


def collect(
    con: duckdb.DuckDBPyConnection,
    country: str,
    plan: str | None = None,
    period: Period | None = None,
    as_of: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Brief:
    """The brief of a country (and one of its plans) for a period, from the current data.

    `as_of` (figures as they stood at a moment) is part of the interface for the as-of work to come; it is not
    applied yet, so any value other than None is refused rather than silently ignored."""
    if as_of is not None:
        raise BriefError(
            "Figures as of a date are not available yet: the brief shows the current figures "
            "(leave out the as-of date)."
        )
    plans = scope(con, country, plan)
    period = period or Period()
    filters = Filters(country=country, plan=plan, year_from=period.year, year_to=period.year)
    h = activity.headline(con, filters)
    completeness = _completeness(activity.reporting_completeness(con, filters), several=len(plans) > 1)
    fresh = activity.freshness(con, filters)
    outcomes = budget.by(con, filters, "outcome")
    agencies = budget.by(con, filters, "agency")
    progress = indicators.progress(con, filters)
    overdue = actions.overdue(con, filters, limit=10_000)
    sections = [
        _money_section(outcomes, h, several=len(plans) > 1),
        _agency_section(agencies, h),
        _indicator_section(con, filters, progress, h, several=len(plans) > 1),
        _action_section(con, filters, overdue, h),
    ]
    data_as_of = fresh["last_submission"].max() if len(fresh) else None
    return Brief(
        country=country,
        plans=plans,
        period=period,
        generated_at=(now or dt.datetime.now()).replace(microsecond=0),
        data_as_of=None if is_missing(data_as_of) else pd.Timestamp(data_as_of).to_pydatetime(),
        as_of=as_of,
        completeness=completeness,
        headline=_headline_table(h),
        cards=[Card(c.label, c.value, c.caption) for c in cards.headline(h)],
        sections=sections,
        attention=_attention(outcomes, agencies, progress, overdue, h, completeness.frame),
        not_reported=_not_reported(con, filters, h, completeness.frame, period),
        definitions=DEFINITIONS,
    )


# --- the parts ------------------------------------------------------------------------------------------


def _completeness(df: pd.DataFrame, several: bool) -> Table:
    """Per plan: the agencies that have submitted data for its reporting year, of those expected."""
    frame = pd.DataFrame(
        {
            "Plan": [text(p) or NO_PLAN for p in df["plan"]],
            "Year": df["year"],
            "Submitted": df["agencies_reported"],
            "Expected": df["agencies_expected"],
            metrics.COMPLETENESS.label: df["completeness"],
            "Not yet submitted": [text(v) or "" for v in df["not_reported"]],
            "Spending not reported": [text(v) or "" for v in df["no_expenditure"]],
        }
    )
    return Table(
        "completeness",
        "Reporting completeness",
        frame,
        clip=60,
        kinds={"Year": "year", "Submitted": "count", "Expected": "count", metrics.COMPLETENESS.label: "rate"},
        note=(metrics.COMPLETENESS.help or "") + (" Each plan in its own reporting year." if several else "")
        if len(frame)
        else "No budget lines: no agency is expected to report yet.",
    )


#: the headline figures, as the workbook lists them (the cards show them rounded)
_HEADLINE = (
    (metrics.REQUIRED, "money"),
    (metrics.AVAILABLE, "money"),
    (metrics.EXPENDITURE, "money"),
    (metrics.FUNDING_GAP, "money"),
    (metrics.COVERAGE, "rate"),
    (metrics.DELIVERY_RATE, "rate"),
    (metrics.BURN_RATE, "rate"),
    (metrics.LINES, "count"),
    (metrics.LINES_WITHOUT_AVAILABLE, "count"),
    (metrics.LINES_WITHOUT_EXPENDITURE, "count"),
)
_HEADLINE_COUNTS = (
    ("indicators", "Indicators"),
    ("indicators_achieved", "Indicators achieved"),
    ("indicators_on_track", "Indicators on track"),
    ("indicators_off_track", "Indicators off track"),
    ("indicators_no_data", "Indicators without data"),
    ("actions", "Actions"),
    ("actions_completed", "Actions completed"),
    ("actions_open", "Actions open"),
    ("actions_overdue", "Actions overdue"),
    ("actions_set_aside", "Actions set aside"),
)


def _headline_table(h: dict) -> Table:
    names = [m.label for m, _ in _HEADLINE] + [label for _, label in _HEADLINE_COUNTS]
    values = [h[m.name] for m, _ in _HEADLINE] + [h[key] for key, _ in _HEADLINE_COUNTS]
    kinds = [kind for _, kind in _HEADLINE] + ["count"] * len(_HEADLINE_COUNTS)
    names.append(metrics.IMPLEMENTATION_RATE.label)
    values.append(h["actions_implementation_rate"])
    kinds.append("rate")
    frame = pd.DataFrame(
        {
            "Figure": names,
            "Value": pd.Series(values, dtype="object"),
            "Unit": [{"money": "USD", "rate": "%", "count": ""}[k] for k in kinds],
        }
    )
    return Table("headline", "Headline figures", frame, kinds={"Value": "row"}, row_kinds=kinds)


def _budget_frame(df: pd.DataFrame, label: str, label_column: str, extra: dict[str, str] | None = None) -> pd.DataFrame:
    columns: dict[str, object] = {label: [text(v) or DASH for v in tables.full_names(df, label_column)]}
    for source, header in (extra or {}).items():
        columns[header] = [text(v) or "" for v in df[source]]
    for m in (
        metrics.REQUIRED,
        metrics.AVAILABLE,
        metrics.EXPENDITURE,
        metrics.FUNDING_GAP,
        metrics.COVERAGE,
        metrics.DELIVERY_RATE,
    ):
        columns[m.label] = df[m.name]
    return pd.DataFrame(columns)


_BUDGET_KINDS = {
    m.label: "rate" if m.rate else "money"
    for m in (
        metrics.REQUIRED,
        metrics.AVAILABLE,
        metrics.EXPENDITURE,
        metrics.FUNDING_GAP,
        metrics.COVERAGE,
        metrics.DELIVERY_RATE,
    )
}


def _budget_total(h: dict, label: str) -> dict[str, object]:
    total: dict[str, object] = {label: "Total"}
    total.update(
        {
            m.label: h[m.name]
            for m in (
                metrics.REQUIRED,
                metrics.AVAILABLE,
                metrics.EXPENDITURE,
                metrics.FUNDING_GAP,
                metrics.COVERAGE,
                metrics.DELIVERY_RATE,
            )
        }
    )
    return total


def _money_section(outcomes: pd.DataFrame, h: dict, several: bool) -> Section:
    section = Section(
        "money",
        "Money by outcome",
        lead="Required, available and spent per outcome; the funding gap and what it leaves "
        "unfunded; delivery (spent ÷ available).",
    )
    if outcomes.empty:
        section.empty = "No budget lines for this country and period."
        return section
    shown = outcomes.head(OUTCOMES_SHOWN)
    section.chart = charts.gap_bars(shown, "outcome", "outcome_key")
    section.chart_note = (
        f"The {len(shown)} outcomes with the largest requirement, of {len(outcomes)}."
        if len(outcomes) > len(shown)
        else None
    )
    frame = _budget_frame(outcomes, "Outcome", "outcome", {"plan": "Plan"} if several else None)
    section.tables.append(
        Table(
            "outcomes",
            "By outcome",
            frame,
            kinds=_BUDGET_KINDS,
            shown=OUTCOMES_SHOWN,
            clip=56,
            wide="Outcome",
            pdf_columns=[c for c in frame.columns if c != "Plan"],
            total=_budget_total(h, "Outcome"),
            note=_cut_note(len(frame), OUTCOMES_SHOWN, "outcomes", "the largest requirement"),
        )
    )
    return section


def _agency_section(agencies: pd.DataFrame, h: dict) -> Section:
    section = Section(
        "agencies", "Agencies' delivery", lead=f"{metrics.DELIVERY_RATE.label} per agency: {metrics.DELIVERY_RATE.help}"
    )
    if agencies.empty:
        section.empty = "No budget lines for this country and period."
        return section
    shown = agencies.head(AGENCIES_SHOWN)
    if shown["delivery_rate"].notna().any():
        section.chart = charts.agency_delivery_bars(shown)
        section.chart_note = (
            "“Joint” = sub-outputs run jointly by several agencies (money not split). "
            "'—' = no line with both available and spent reported."
        )
    else:
        section.lead = (
            "No agency has both available and spent figures reported for this period, so there is no "
            "delivery rate to show."
        )
    frame = _budget_frame(agencies, "Agency", "agency", {"agency_name": "Name"})
    section.tables.append(
        Table(
            "agencies",
            "By agency",
            frame,
            kinds=_BUDGET_KINDS,
            shown=AGENCIES_SHOWN,
            clip=60,
            pdf_columns=[c for c in frame.columns if c != "Name"],
            total=_budget_total(h, "Agency"),
            note=_cut_note(len(frame), AGENCIES_SHOWN, "agencies", "the largest requirement"),
        )
    )
    return section


def _indicator_section(
    con: duckdb.DuckDBPyConnection, filters: Filters, progress: pd.DataFrame, h: dict, several: bool
) -> Section:
    section = Section(
        "indicators", "Indicators", lead="Status and progress to target of each indicator, those off track first."
    )
    if progress.empty:
        section.empty = "No indicator values are loaded for this country and period."
        return section
    counts = indicators.status_counts(con, filters)
    on_track = h["indicators_on_track"] + h["indicators_achieved"]
    section.cards = [
        Card("Indicators", format_count(h["indicators"])),
        Card("Achieved or on track", f"{on_track} of {h['indicators']}"),
        Card("Off track", format_count(h["indicators_off_track"])),
        Card("No data", format_count(h["indicators_no_data"])),
    ]
    section.chart = charts.indicator_status_bars(counts)
    ordered = progress.assign(rank=progress["status"].map(_STATUS_ORDER)).sort_values(
        ["rank", "progress"], kind="stable", na_position="last"
    )
    frame = pd.DataFrame(
        {
            "Code": [text(v) or "" for v in ordered["indicator_code"]],
            "Indicator": [text(v) or UNTITLED_INDICATOR for v in ordered["indicator"]],
            **({"Plan": [text(v) or NO_PLAN for v in ordered["plan"]]} if several else {}),
            "Status": [s.capitalize() for s in ordered["status"]],
            "Latest period": [text(v) or "" for v in ordered["latest_period"]],
            "Baseline": ordered["baseline"],
            "Latest value": ordered["latest_actual"],
            "Target": ordered["target"],
            "Unit": [text(v) or "" for v in ordered["unit"]],
            metrics.PROGRESS.label: ordered["progress"],
            metrics.EXPECTED_PROGRESS.label: ordered["expected_progress"],
        }
    )
    section.tables.append(
        Table(
            "indicators",
            "Progress to target",
            frame,
            shown=INDICATORS_SHOWN,
            clip=60,
            wide="Indicator",
            pdf_columns=[c for c in frame.columns if c not in ("Unit", "Plan")],
            kinds={
                "Baseline": "number",
                "Latest value": "number",
                "Target": "number",
                metrics.PROGRESS.label: "rate",
                metrics.EXPECTED_PROGRESS.label: "rate",
            },
            note=_cut_note(len(frame), INDICATORS_SHOWN, "indicators", "the most need of attention"),
        )
    )
    return section


def _action_section(con: duckdb.DuckDBPyConnection, filters: Filters, overdue: pd.DataFrame, h: dict) -> Section:
    section = Section(
        "actions",
        "Recommendations and key actions",
        lead="Evaluation, audit and review recommendations and work-plan deliverables.",
    )
    if not h["actions"]:
        section.empty = "No recommendations or key actions are loaded for this country and period."
        return section
    section.cards = [
        Card(
            metrics.IMPLEMENTATION_RATE.label,
            format_rate(h["actions_implementation_rate"]),
            f"{count_of(h['actions_completed'], 'action')} completed of "
            f"{format_count(h['actions'] - h['actions_set_aside'])} applicable",
        ),
        Card("Actions", format_count(h["actions"]), f"{format_count(h['actions_set_aside'])} set aside"),
        Card(metrics.OPEN.label, format_count(h["actions_open"]), metrics.OPEN.help),
        Card(metrics.OVERDUE.label, format_count(h["actions_overdue"]), "past the deadline"),
    ]
    section.chart = charts.action_status_bars(actions.status_counts(con, filters))
    frame = pd.DataFrame(
        {
            "Days late": overdue["days_late"],
            "Deadline": overdue["deadline"],
            "Action no.": [text(v) or "" for v in overdue["action_no"]],
            "Action": [text(v) or "" for v in overdue["action"]],
            "Responsible": [text(v) or "" for v in overdue["responsible"]],
            "Agency": [text(v) or "" for v in overdue["agency"]],
            "Status": [charts.ACTION_STATUS_LABELS.get(s, s) for s in overdue["status"]],
            "Recommendation no.": [text(v) or "" for v in overdue["recommendation_no"]],
            "Source": [text(v) or UNTITLED_SOURCE for v in overdue["source_title"]],
        }
    )
    section.tables.append(
        Table(
            "overdue",
            f"Overdue key actions ({format_count(h['actions_overdue'])})",
            frame,
            shown=OVERDUE_SHOWN,
            clip=80,
            kinds={"Days late": "count", "Deadline": "date"},
            pdf_columns=["Days late", "Deadline", "Action no.", "Action", "Responsible", "Agency", "Status"],
            wide="Action",
            note=notes.join_notes(
                _cut_note(len(frame), OVERDUE_SHOWN, "overdue actions", "the longest delay"), metrics.OVERDUE.help
            )
            if len(frame)
            else "No action is overdue.",
        )
    )
    sources = actions.by_source(con, filters).sort_values("actions", ascending=False, kind="stable")
    section.tables.append(
        Table(
            "sources",
            "By source",
            pd.DataFrame(
                {
                    "Source": [text(v) or UNTITLED_SOURCE for v in sources["source_title"]],
                    "Type": [text(v) or "" for v in sources["source_type"]],
                    "Actions": sources["actions"],
                    "Completed": sources["completed"],
                    "Overdue": sources["overdue"],
                    metrics.IMPLEMENTATION_RATE.label: sources["implementation_rate"],
                }
            ),
            kinds={
                "Actions": "count",
                "Completed": "count",
                "Overdue": "count",
                metrics.IMPLEMENTATION_RATE.label: "rate",
            },
            shown=SOURCES_SHOWN,
            clip=90,
            wide="Source",
            note=_cut_note(len(sources), SOURCES_SHOWN, "sources", "the most actions"),
        )
    )
    return section


def _cut_note(rows: int, shown: int, what: str, measure: str) -> str | None:
    if rows <= shown:
        return None
    return f"The {shown} {what} with {measure}, of {rows:,}; every row is in the Excel brief."


# --- needs attention --------------------------------------------------------------------------------------


def _attention(
    outcomes: pd.DataFrame,
    agencies: pd.DataFrame,
    progress: pd.DataFrame,
    overdue: pd.DataFrame,
    h: dict,
    completeness: pd.DataFrame,
) -> list[Attention]:
    gaps = (
        outcomes[outcomes["funding_gap"].fillna(0) > 0]
        .sort_values("funding_gap", ascending=False)
        .head(ATTENTION_ITEMS)
    )
    rated = agencies[agencies["delivery_rate"].notna() & ~agencies["agency"].isin(("Joint",))]
    low = rated.sort_values("delivery_rate", kind="stable").head(ATTENTION_ITEMS)
    over = rated[rated["delivery_rate"] > 1].sort_values("delivery_rate", ascending=False).head(ATTENTION_ITEMS)
    off = progress[progress["status"] == "off track"].sort_values("progress", na_position="first").head(ATTENTION_ITEMS)
    plans = list(
        zip(
            completeness["Plan"],
            completeness["Year"],
            completeness["Not yet submitted"],
            completeness["Spending not reported"],
        )
    )
    return [
        Attention(
            "Largest funding gaps",
            [
                f"{shorten(r.outcome, 90)}: gap {format_money(r.funding_gap)} of {format_money(r.required)} required "
                f"(coverage {format_rate(r.coverage)})"
                for r in gaps.itertuples()
            ],
            "No outcome has a funding gap." if len(outcomes) else "No budget lines.",
        ),
        Attention(
            "Lowest delivery",
            [
                f"{r.agency}: {format_rate(r.delivery_rate)} of {format_money(r.available_with_expenditure)} available "
                f"spent"
                for r in low.itertuples()
            ],
            "No agency has a delivery rate (available and spent reported).",
        ),
        Attention(
            "Spent more than available",
            [
                f"{r.agency}: {format_rate(r.delivery_rate)} — {format_money(r.expenditure_with_available)} spent of "
                f"{format_money(r.available_with_expenditure)}; worth checking with the agency"
                for r in over.itertuples()
            ],
            "No agency reports more spent than available.",
        ),
        Attention(
            f"Indicators off track ({format_count(h['indicators_off_track'])})",
            [
                f"{text(r.indicator_code) or ''} {shorten(text(r.indicator) or UNTITLED_INDICATOR, 90)}: progress "
                f"{format_rate(r.progress)}, expected {format_rate(r.expected_progress)} "
                f"by {text(r.latest_period) or DASH}"
                for r in off.itertuples()
            ],
            "No indicator is off track." if len(progress) else "No indicator values loaded.",
        ),
        Attention(
            f"Overdue key actions ({format_count(h['actions_overdue'])})",
            [
                f"{format_count(r.days_late)} days late — {text(r.action_no) or ''} "
                f"{shorten(text(r.action) or '', 90)} "
                f"(responsible: {text(r.responsible) or text(r.agency) or 'not assigned'})"
                for r in overdue.head(ATTENTION_ITEMS).itertuples()
            ],
            "No key action is overdue." if h["actions"] else "No recommendations or key actions loaded.",
        ),
        Attention(
            "Not yet reported",
            [f"{plan} ({year}): no data yet from {agencies}" for plan, year, agencies, _ in plans if agencies]
            + [
                f"{plan} ({year}): spending not reported by {agencies}" for plan, year, _, agencies in plans if agencies
            ],
            "Every agency expected has reported." if len(completeness) else "No agency is expected to report yet.",
        ),
    ]


# --- footnotes --------------------------------------------------------------------------------------------


def _not_reported(
    con: duckdb.DuckDBPyConnection, filters: Filters, h: dict, completeness: pd.DataFrame, period: Period
) -> list[str]:
    """What the figures leave out, and why, in the words of the pages' notes."""
    out = [notes.missing_figures_note(h), notes.suboutputs_note(budget.suboutput_totals(con, filters))]
    for row in budget.plan_summary(con, filters).itertuples():
        out.append(
            f"{text(row.plan) or NO_PLAN}: indirect costs (programme support costs "
            f"{format_money(row.support_costs, row.currency)}, fees {format_money(row.fees, row.currency)}) "
            f"come on top of the programme's {format_money(row.programme, row.currency)} required and are in "
            "none of the figures above."
        )
    if len(h["currencies"]) > 1:
        out.append(
            f"Amounts are in several currencies ({', '.join(h['currencies'])}); totals add them without conversion."
        )
    out.append(notes.joint_note(h["joint_lines"]))
    for plan, year, pending in zip(completeness["Plan"], completeness["Year"], completeness["Not yet submitted"]):
        if pending:
            out.append(f"{plan}: no data yet for {year} from {pending}.")
    if period.quarter:
        out.append(
            f"Budgets are annual: the {period.label} brief shows the {period.year} budget figures, indicator "
            f"values of periods ending in {period.year} and actions with deadlines in {period.year}."
        )
    out.extend(registry.notes("indicators", filters) + registry.notes("actions", filters))
    out.append("Overdue counts and days late are as of today.")
    return [n for n in out if n]


def _status_definition() -> str:
    meanings = {s: metrics.INDICATOR_STATUS_HELP.get(s) for s in metrics.INDICATOR_STATUSES}
    meanings["off track"] = meanings["off track"] or "Below the progress expected by now."
    return " ".join(f"{s.capitalize()}: {m}" for s, m in meanings.items())


#: the metric definitions of SPEC §5, in the registry's words
DEFINITIONS: list[tuple[str, str]] = [
    (metrics.FUNDING_GAP.label, metrics.FUNDING_GAP.help or ""),
    (metrics.COVERAGE.label, metrics.COVERAGE.help or ""),
    (metrics.DELIVERY_RATE.label, metrics.DELIVERY_RATE.help or ""),
    (metrics.BURN_RATE.label, metrics.BURN_RATE.help or ""),
    (f"Indicator {metrics.PROGRESS.label.lower()}", metrics.PROGRESS.help or ""),
    ("Indicator status", _status_definition() + " " + (metrics.EXPECTED_PROGRESS.help or "")),
    (metrics.IMPLEMENTATION_RATE.label, metrics.IMPLEMENTATION_RATE.help or ""),
    ("Overdue action", metrics.OVERDUE.help or ""),
    (f"Reporting {metrics.COMPLETENESS.label.lower()}", metrics.COMPLETENESS.help or ""),
    (
        "Not reported",
        "A blank available or spent figure is not reported, never zero: the line is left out of both "
        "sides of each ratio. A ratio with nothing to divide by is shown as “—”, never 0 %.",
    ),
]
