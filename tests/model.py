"""The metrics of SPEC §5 recomputed in plain Python from the fixture rows, independently of the SQL
in analytics/, so tests compare two separate implementations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from analytics.filters import Filters
from analytics.identity import outcome_key
from tests.fixtures import ACTION_ROWS, BUDGET_ROWS, INDICATOR_ROWS, SUBMISSION_ROWS


def ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


def agencies_of(row: dict) -> list[str]:
    return [a.strip() for a in (row["agency"] or "").split(";") if a.strip()]


def budget_rows(f: Filters = Filters()) -> list[dict]:
    out = []
    for r in BUDGET_ROWS:
        if f.country and r["country"] != f.country:
            continue
        if f.plan and r["plan"] != f.plan:
            continue
        if f.year_from is not None and r["year"] < f.year_from:
            continue
        if f.year_to is not None and r["year"] > f.year_to:
            continue
        if f.outcome and outcome_key(r["plan"], r["outcome_code"], r["outcome_title"]) != f.outcome:
            continue
        if f.agency and f.agency not in agencies_of(r):
            continue
        out.append(r)
    return out


@dataclass
class Money:
    required: float | None
    available: float | None
    expenditure: float | None
    funding_gap: float | None
    coverage: float | None
    delivery_rate: float | None
    burn_rate: float | None
    lines: int
    lines_without_available: int
    lines_without_expenditure: int
    required_without_available: float
    #: the share of the money a ratio rests on: available on lines with spending reported ÷ all available, and
    #: required on lines with an available figure ÷ all required
    delivery_basis: float | None
    coverage_basis: float | None


def money(rows: list[dict]) -> Money:
    """Blank available/expenditure = not reported: out of both sides of every ratio."""

    def total(values):
        values = [v for v in values if v is not None]
        return sum(values) if values else None

    with_available = [r for r in rows if r["available"] is not None]
    with_expenditure = [r for r in rows if r["expenditure"] is not None]
    both = [r for r in rows if r["available"] is not None and r["expenditure"] is not None]
    return Money(
        required=total(r["required"] for r in rows),
        available=total(r["available"] for r in rows),
        expenditure=total(r["expenditure"] for r in rows),
        funding_gap=total(r["required"] - r["available"] for r in with_available),
        coverage=ratio(sum(r["available"] for r in with_available), sum(r["required"] for r in with_available)),
        delivery_rate=ratio(sum(r["expenditure"] for r in both), sum(r["available"] for r in both)),
        burn_rate=ratio(sum(r["expenditure"] for r in with_expenditure), sum(r["required"] for r in with_expenditure)),
        lines=len(rows),
        lines_without_available=len(rows) - len(with_available),
        lines_without_expenditure=len(rows) - len(with_expenditure),
        required_without_available=sum(r["required"] for r in rows if r["available"] is None),
        delivery_basis=ratio(sum(r["available"] for r in both), sum(r["available"] for r in with_available)),
        coverage_basis=ratio(sum(r["required"] for r in with_available), sum(r["required"] for r in rows)),
    )


def by(rows: list[dict], key) -> dict:
    groups: dict = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    return {k: money(v) for k, v in groups.items()}


def agency_group(row: dict) -> str:
    return "Joint" if len(agencies_of(row)) > 1 or row["joint"] else row["agency"]


# --- indicators -------------------------------------------------------------------------------------


def indicator_rows(f: Filters = Filters()) -> list[dict]:
    out = []
    for r in INDICATOR_ROWS:
        if f.country and r["country"] != f.country:
            continue
        if f.plan and r["plan"] != f.plan:
            continue
        if f.year_from is not None and r["period_end"].year < f.year_from:
            continue
        if f.year_to is not None and r["period_end"].year > f.year_to:
            continue
        if f.agency and r["agency"] != f.agency:
            continue
        if f.outcome:  # the outcome's own code or one of its outputs', in the outcome's country and plan
            of_outcome = [
                b for b in BUDGET_ROWS if outcome_key(b["plan"], b["outcome_code"], b["outcome_title"]) == f.outcome
            ]
            results = {
                (b["country"] or "", b["plan"], code)
                for b in of_outcome
                for code in (b["outcome_code"], b["output_code"])
            }
            if (r["country"] or "", r["plan"], r["result_code"]) not in results:
                continue
        out.append(r)
    return out


def indicator_status(f: Filters = Filters(), today: dt.date | None = None) -> dict[tuple, dict]:
    """(country, plan, code) → {'progress', 'expected', 'status', 'latest'} per SPEC §5."""
    today = today or dt.date.today()
    result = {}
    groups: dict = {}
    for r in indicator_rows(f):
        groups.setdefault((r["country"], r["plan"], r["indicator_code"]), []).append(r)
    for key, rows in groups.items():
        definition = max(rows, key=lambda r: r["period_end"])
        reported = [r for r in rows if r["actual"] is not None]
        latest = max(reported, key=lambda r: r["period_end"]) if reported else None
        base, target = definition["baseline"], definition["target"]
        at = latest["period_end"] if latest else today
        start = dt.date(definition["baseline_year"], 12, 31)
        end = dt.date(definition["target_year"], 12, 31)
        expected = min(1.0, max(0.0, (at - start).days / (end - start).days))
        if latest is None:
            progress, status = None, "no data"
        elif target == base:
            progress = None
            status = "achieved" if latest["actual"] == target else "off track"
        else:
            progress = (latest["actual"] - base) / (target - base)
            status = "achieved" if progress >= 1 else "on track" if progress >= expected else "off track"
        result[key] = {
            "progress": progress,
            "expected": expected,
            "status": status,
            "latest": latest["actual"] if latest else None,
        }
    return result


def status_counts(f: Filters = Filters()) -> dict[str, int]:
    counts = {"achieved": 0, "on track": 0, "off track": 0, "no data": 0}
    for v in indicator_status(f).values():
        counts[v["status"]] += 1
    return counts


# --- actions ----------------------------------------------------------------------------------------


def action_rows(f: Filters = Filters()) -> list[dict]:
    out = []
    for r in ACTION_ROWS:
        if f.country and r["country"] != f.country:
            continue
        if f.plan and r["plan"] != f.plan:
            continue
        if f.year_from is not None and r["deadline"] is not None and r["deadline"].year < f.year_from:
            continue
        if f.year_to is not None and r["deadline"] is not None and r["deadline"].year > f.year_to:
            continue
        if f.agency and r["agency"] != f.agency:
            continue
        out.append(r)
    return out


def is_overdue(r: dict, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    return r["status"] in ("ongoing", "not_started") and r["deadline"] is not None and r["deadline"] < today


def action_summary(f: Filters = Filters()) -> dict:
    rows = action_rows(f)
    applicable = [r for r in rows if r["status"] not in ("no_longer_applicable", "deprioritized")]
    completed = sum(r["status"] == "completed" for r in rows)
    return {
        "actions": len(rows),
        "completed": completed,
        "open": sum(r["status"] in ("ongoing", "not_started") for r in rows),
        "overdue": sum(is_overdue(r) for r in rows),
        "implementation_rate": ratio(completed, len(applicable)),
    }


def ageing_bucket(r: dict, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    if r["deadline"] is None:
        return "No deadline"
    late = (today - r["deadline"]).days
    if late <= 0:
        return "Not yet due"
    if late <= 90:
        return "1–90 days late"
    if late <= 180:
        return "91–180 days late"
    if late <= 365:
        return "181–365 days late"
    return "More than a year late"


# --- submissions ------------------------------------------------------------------------------------


def last_reported_per_agency() -> dict[str, dict]:
    """agency → {'all': (day, where it comes from), 'budget': day, …}: the day each submission's data were reported
    (its file's date when it states one, else the day it was loaded: 'loaded') over the submissions that brought
    the agency's rows; the latest day, its source that of the latest-loaded submission of that day."""
    said = {
        s["submission_id"]: (
            (s["reported_on"], s["reported_from"]) if s["reported_on"] else (s["created_at"].date(), "loaded"),
            s["created_at"],
        )
        for s in SUBMISSION_ROWS
    }
    last: dict[str, dict] = {}
    for dataset, rows in (("budget", BUDGET_ROWS), ("indicators", INDICATOR_ROWS), ("actions", ACTION_ROWS)):
        for r in rows:
            for agency in agencies_of(r):
                (day, source), loaded = said[r["submission_id"]]
                entry = last.setdefault(agency, {})
                if "all" not in entry or (day, loaded) > entry["order"]:
                    entry["all"], entry["order"] = (day, source), (day, loaded)
                entry[dataset] = max(entry.get(dataset, day), day)
    return last


def last_submission_per_agency() -> dict[str, dict]:
    """agency → {'all': latest, 'budget': …, 'indicators': …, 'actions': …} over the submissions that
    brought the agency's rows (a joint line counts for each of its agencies)."""
    created = {s["submission_id"]: s["created_at"] for s in SUBMISSION_ROWS}
    last: dict[str, dict] = {}
    for dataset, rows in (("budget", BUDGET_ROWS), ("indicators", INDICATOR_ROWS), ("actions", ACTION_ROWS)):
        for r in rows:
            for agency in agencies_of(r):
                when = created[r["submission_id"]]
                entry = last.setdefault(agency, {})
                entry["all"] = max(entry.get("all", when), when)
                entry[dataset] = max(entry.get(dataset, when), when)
    return last
