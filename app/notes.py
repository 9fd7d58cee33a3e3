"""The sentences under a budget page's cards and charts: figures not reported, sub-outputs without money, a
plan's indirect costs, joint sub-outputs. Each returns None when there is nothing to say."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analytics import budget
from app import data, scope
from app.text import md_escape
from core.formatting import count_of, format_count, format_money


def missing_figures_note(totals: Mapping[str, Any], expenditure: bool = True) -> str | None:
    """'2 of 16 budget lines have no available figure; 1 has no expenditure figure…' or None when every
    figure is reported (`expenditure=False` leaves spending out, for pages that do not show it)."""
    missing = [
        (totals["lines_without_required"], "required figure", totals["available_without_required"]),
        (totals["lines_without_available"], "available figure", None),
        (totals["lines_without_expenditure"] if expenditure else 0, "expenditure figure", None),
    ]
    parts: list[str] = []
    for count, what, available in missing:
        if not count:
            continue
        subject = (
            format_count(count) if parts else f"{format_count(count)} of {count_of(totals['lines'], 'budget line')}"
        )
        verb = "has" if count == 1 else "have"
        detail = f" ({format_money(available or 0)} available on them)" if available is not None else ""
        parts.append(f"{subject} {verb} no {what}{detail}")
    if not parts:
        return None
    return (
        "; ".join(parts) + ". Not reported is not zero: those lines are left out of both sides of each "
        "ratio (coverage, delivery rate) and of the funding gap, so the gap can differ from required "
        "minus available."
    )


def suboutputs_note(counts: Mapping[str, Any]) -> str | None:
    """'12 of 340 sub-outputs have no budget figures yet…' (`budget.suboutput_totals`), or None when every
    sub-output in view has some."""
    missing = counts.get("suboutputs_without_figures") or 0
    if not missing:
        return None
    has, they, are, add = ("has", "It", "is", "adds") if missing == 1 else ("have", "They", "are", "add")
    return (
        f"{format_count(missing)} of {count_of(counts['suboutputs'], 'sub-output')} {has} no budget figures "
        f"yet. {they} {are} part of the plan, counted among the {count_of(counts['outputs'], 'output')} and "
        f"{count_of(counts['suboutputs'], 'sub-output')} in view whatever the year range ({they.lower()} {has} "
        f"no year), but {add} nothing to the amounts."
    )


def indirect_costs_note(summary: pd.DataFrame) -> str | None:
    """'Plan X: programme USD 21,716,630.00 + support costs USD 1,520,164.10 + fees USD 232,367.94 = total USD
    23,469,162.04' per plan with indirect costs (`budget.plan_summary`), markdown-escaped; None if none."""
    if summary is None or not len(summary):
        return None

    def amount(value: float, currency: str) -> str:
        return f"{currency} {float(value):,.2f}"

    def country(value: object) -> str:
        return f" ({value})" if isinstance(value, str) and value else ""

    return md_escape(
        " · ".join(
            f"{row.plan}{country(row.country)}: programme {amount(row.programme, row.currency)} + support costs "
            f"{amount(row.support_costs, row.currency)} + fees {amount(row.fees, row.currency)} = total "
            f"{amount(row.total, row.currency)}"
            for row in summary.itertuples()
        )
    )


def plan_notes(indirect_costs: str = "always") -> list[str]:
    """The notes on the plan's structure a budget page shows under its cards: sub-outputs without budget
    figures, and a plan's 'programme + support costs + fees = total' (`indirect_costs`: 'always', 'never',
    or 'one plan': only when one plan is in view)."""
    filters = data.current_filters()
    notes = [suboutputs_note(data.cached(budget.suboutput_totals, filters))]
    one_plan = bool(filters.plan) or len(data.options().get("plans", [])) == 1
    if indirect_costs == "always" or (indirect_costs == "one plan" and one_plan):
        notes.append(indirect_costs_note(scope.with_plan_names(data.cached(budget.plan_summary, filters))))
    return [note for note in notes if note]


def joint_note(joint_lines: int) -> str | None:
    if not joint_lines:
        return None
    verb = "is a joint sub-output" if joint_lines == 1 else "are joint sub-outputs"
    return (
        f"{count_of(joint_lines, 'budget line')} {verb} of several agencies: they appear "
        "as “Joint” in by-agency views, and their money is never split or counted twice."
    )


def join_notes(*notes: str | None) -> str | None:
    """The notes given, in one caption (None when there is none)."""
    text = " ".join(n for n in notes if n)
    return text or None
