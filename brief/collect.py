"""A meeting brief's figures, gathered from the store by the query functions the pages read (`analytics.*`, one
definition per metric) and drawn by the pages' own chart builders (`app.charts`): the brief can never disagree
with the dashboard. Every read goes through the store's history (`store.history`: the views as they stood at the
brief's moment, as the pages' "Figures as of" does), and so does the change since the previous quarter. Everything
the brief reads from the store is read here; `brief.html`, `brief.pdf` and `brief.xlsx` only lay out the `Brief`
this returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import duckdb
import pandas as pd

from analytics import actions, activity, budget, indicators, metrics
from analytics.filters import Filters
from app import cards, charts, notes, tables
from brief.attention import DEFINITIONS, attention, not_reported
from brief.document import Brief, Card, Section, Table
from brief.request import BriefError, Period
from brief.scope import moment, problem, scope
from brief.workplans import workplan_section
from core.formatting import (
    DASH,
    NO_PLAN,
    UNTITLED_INDICATOR,
    UNTITLED_SOURCE,
    count_of,
    format_count,
    format_rate,
    is_missing,
    text,
)
from store import history

#: rows the PDF shows of each table (the workbook holds every row); chosen so each part fits its page
OUTCOMES_SHOWN, AGENCIES_SHOWN, INDICATORS_SHOWN, OVERDUE_SHOWN, SOURCES_SHOWN = 8, 12, 10, 5, 5
#: indicator statuses, the one needing attention first
_STATUS_ORDER = {"off track": 0, "no data": 1, "on track": 2, "achieved": 3}

__all__ = ["BriefError", "collect", "problem", "scope"]


def collect(
    con: duckdb.DuckDBPyConnection,
    country: str,
    plan: str | None = None,
    period: Period | None = None,
    as_of: dt.date | dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Brief:
    """The brief of a country (and one of its plans) for a period, with the figures as they stood at `as_of` (the
    end of that day, UTC, or that moment; None: now). The cards' change and the work plans' status change are
    since the end of the quarter before the figures' day, from the same history. All the figures are read in one
    session (`history.Session`: one state, even if a load commits meanwhile), those of the quarter's end in another."""
    at, day = moment(as_of)
    since = actions.previous_quarter_end(day)
    with history.Session(con, at) as now_, history.Session(con, history.end_of_day(since)) as then_:
        return _collect(now_.con, then_.con, country, plan, period or Period(), at, day, since, now)


def _collect(
    reader: duckdb.DuckDBPyConnection,
    earlier: duckdb.DuckDBPyConnection,
    country: str,
    plan: str | None,
    period: Period,
    at: dt.datetime | None,
    day: dt.date,
    since: dt.date,
    now: dt.datetime | None,
) -> Brief:
    plans = scope(reader, country, plan, f" on {day:%-d %b %Y}" if at else "")
    filters = Filters(country=country, plan=plan, year_from=period.year, year_to=period.year, as_of=day if at else None)
    h = activity.headline(reader, filters)
    then = cards.Then(since, activity.headline(earlier, replace(filters, as_of=since)))
    completeness = _completeness(activity.reporting_completeness(reader, filters), several=len(plans) > 1)
    fresh = activity.freshness(reader, filters)
    outcomes = budget.by(reader, filters, "outcome")
    agencies = budget.by(reader, filters, "agency")
    progress = indicators.progress(reader, filters)
    overdue = actions.overdue(reader, filters, limit=10_000)
    sections = [
        _money_section(outcomes, h, several=len(plans) > 1),
        _agency_section(agencies, h),
        _indicator_section(reader, filters, progress, h, several=len(plans) > 1),
        _action_section(reader, filters, overdue, h, day),
        workplan_section(reader, earlier, filters, since),
    ]
    data_as_of = fresh["last_submission"].max() if len(fresh) else None
    return Brief(
        country=country,
        plans=plans,
        period=period,
        generated_at=(now or dt.datetime.now()).replace(microsecond=0),
        data_as_of=None if is_missing(data_as_of) else pd.Timestamp(data_as_of).to_pydatetime(),
        as_of=at,
        since=since,
        completeness=completeness,
        headline=_headline_table(h, then),
        cards=[Card(c.label, c.value, c.caption, cards.delta(c, then)) for c in cards.headline(h)],
        sections=sections,
        attention=attention(outcomes, agencies, progress, overdue, h, completeness.frame),
        not_reported=not_reported(reader, filters, h, completeness.frame, period, at),
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


def _headline_table(h: dict, then: cards.Then) -> Table:
    """The headline figures with their value at the end of the previous quarter (`then`, from the history)."""
    keys = [m.name for m, _ in _HEADLINE] + [key for key, _ in _HEADLINE_COUNTS] + ["actions_implementation_rate"]
    names = [m.label for m, _ in _HEADLINE] + [label for _, label in _HEADLINE_COUNTS]
    names.append(metrics.IMPLEMENTATION_RATE.label)
    kinds = [kind for _, kind in _HEADLINE] + ["count"] * len(_HEADLINE_COUNTS) + ["rate"]
    earlier = f"On {then.day:%-d %b %Y}"
    frame = pd.DataFrame(
        {
            "Figure": names,
            "Value": pd.Series([h[k] for k in keys], dtype="object"),
            earlier: pd.Series([then.figures[k] for k in keys], dtype="object"),
            "Unit": [{"money": "USD", "rate": "%", "count": ""}[k] for k in kinds],
        }
    )
    return Table(
        "headline",
        "Headline figures",
        frame,
        kinds={"Value": "row", earlier: "row"},
        row_kinds=kinds,
        note=f"“{earlier}”: the figures as the dashboard showed them at the end of that day, the end of the "
        "previous quarter.",
    )


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
            clip=44,
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


def _action_section(
    con: duckdb.DuckDBPyConnection, filters: Filters, overdue: pd.DataFrame, h: dict, day: dt.date
) -> Section:
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
        Card(metrics.OVERDUE.label, format_count(h["actions_overdue"]), f"past the deadline on {day:%-d %b %Y}"),
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
            clip=56,
            kinds={"Days late": "count", "Deadline": "date"},
            pdf_columns=["Days late", "Deadline", "Action no.", "Action", "Responsible", "Agency", "Status"],
            wide="Action",
            note=notes.join_notes(
                _cut_note(len(frame), OVERDUE_SHOWN, "overdue actions", "the longest delay"),
                metrics.OVERDUE.help,
                f"Days late are counted to {day:%-d %b %Y}.",
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
            clip=60,
            wide="Source",
            note=_cut_note(len(sources), SOURCES_SHOWN, "sources", "the most actions"),
        )
    )
    return section


def _cut_note(rows: int, shown: int, what: str, measure: str) -> str | None:
    if rows <= shown:
        return None
    return f"The {shown} {what} with {measure}, of {rows:,}; every row is in the Excel brief."
