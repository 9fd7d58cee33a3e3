"""The brief's "needs attention" page and its notes: what the figures leave out, and the metric definitions."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics import budget, metrics
from analytics import filters as registry
from analytics.filters import Filters
from app import notes
from brief.document import Attention, moment_label
from brief.request import Period
from core.formatting import (
    DASH,
    NO_PLAN,
    UNTITLED_INDICATOR,
    format_count,
    format_money,
    format_rate,
    shorten,
    text,
)

#: items per concern on the "needs attention" page
ATTENTION_ITEMS = 4


def attention(
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


# --- notes --------------------------------------------------------------------------------------------


def not_reported(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    h: dict,
    completeness: pd.DataFrame,
    period: Period,
    at: dt.datetime | None,
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
    out.append(
        "Overdue counts and days late are as of today."
        if at is None
        else f"Every figure is as the dashboard showed it at {moment_label(at)}, overdue counts and days late "
        "included; later loads and roll-backs are not in it."
    )
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
    (f"Work plans: {metrics.PLANNED_COST.label.lower()}", metrics.PLANNED_COST.help or ""),
    (f"Work plans: {metrics.COST_GAP.label.lower()}", metrics.COST_GAP.help or ""),
    (
        "Change since",
        "How a figure moved since the end of the previous quarter, against the figure as the dashboard "
        "showed it at the end of that day (UTC); a rate moves in percentage points (pts).",
    ),
    (
        "Not reported",
        "A blank available or spent figure is not reported, never zero: the line is left out of both "
        "sides of each ratio. A ratio with nothing to divide by is shown as “—”, never 0 %.",
    ),
]
