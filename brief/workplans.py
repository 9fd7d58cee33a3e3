"""The brief's work-plan part: each working group's deliverables with cost, funds secured and status, and how
many changed status since the previous quarter (read through the store as it stood then)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics import actions, metrics
from analytics.filters import Filters
from app import charts, notes
from brief.document import Card, Section, Table
from core.formatting import (
    UNTITLED_SOURCE,
    count_of,
    format_count,
    shorten,
    text,
)

#: deliverables the PDF lists (the workbook holds every one); chosen so the part fits its pages
DELIVERABLES_SHOWN = 14
#: a deliverable without a working group, pillar or priority area
NO_GROUP = "(no group)"


def workplan_section(
    con: duckdb.DuckDBPyConnection, earlier: duckdb.DuckDBPyConnection, filters: Filters, since: dt.date
) -> Section:
    """Each working group's deliverables with cost, funds secured, status and the status change since `since`
    (the previous quarter's end): the statuses then are read through `earlier`, the store as it stood then."""
    when = f"{since:%-d %b %Y}"
    section = Section(
        "workplans",
        "Work plans: deliverables by working group",
        lead=f"The costed work plans' deliverables by working group or pillar: cost, funds secured, "
        f"status, and the status change since {when}, the end of the previous quarter (statuses "
        "as the dashboard showed them then).",
    )
    since_then = actions.status_changes(con, earlier, filters, since, workplans_only=True)
    changes, counts = since_then.rows, since_then.counts
    if changes.empty:
        section.empty = "No work-plan deliverables are loaded for this country and period."
        return section
    costs = actions.cost_totals(con, filters, workplans_only=True)
    section.cards = [
        Card(
            "Deliverables",
            format_count(costs["actions"]),
            f"{format_count(costs['costed'])} costed, {format_count(costs['without_cost'])} without a cost",
        ),
        Card(
            metrics.PLANNED_COST.label,
            metrics.PLANNED_COST.shown(costs["planned_cost"]),
            f"{metrics.FUNDED.label} {metrics.FUNDED.shown(costs['funded'])}",
        ),
        Card(
            metrics.COST_GAP.label,
            metrics.COST_GAP.shown(costs["cost_gap"]),
            f"{metrics.FUNDED_SHARE.label} {metrics.FUNDED_SHARE.shown(costs['funded_share'])}",
        ),
        Card(
            f"Changed since {when}",
            format_count(counts.get("changed", 0)),
            f"{format_count(counts.get('new', 0))} new, {format_count(counts.get('unchanged', 0))} unchanged",
        ),
    ]
    groups = actions.cost_by(con, filters, "group", workplans_only=True)
    moved = (
        changes.assign(changed=changes["change"] == "changed", new=changes["change"] == "new")
        .groupby(["source_title", "work_group"], dropna=False)[["changed", "new"]]
        .sum()
        .reset_index()
    )
    groups = groups.merge(moved, on=["source_title", "work_group"], how="left")
    groups[["changed", "new"]] = groups[["changed", "new"]].fillna(0).astype(int)
    money = (metrics.PLANNED_COST, metrics.FUNDED, metrics.COST_GAP, metrics.FUNDED_SHARE)
    several = changes["source_title"].nunique() > 1
    section.tables.append(
        Table(
            "workgroups",
            "By working group",
            pd.DataFrame(
                {
                    "Group or pillar": [text(v) or NO_GROUP for v in groups["work_group"]],
                    "Work plan": [text(v) or UNTITLED_SOURCE for v in groups["source_title"]],
                    "Deliverables": groups["actions"],
                    "Costed": groups["costed"],
                    **{metrics.COST_HEADERS[m.name]: groups[m.name] for m in money},
                    f"Changed since {when}": groups["changed"],
                    f"New since {when}": groups["new"],
                }
            ),
            kinds={
                "Deliverables": "count",
                "Costed": "count",
                f"Changed since {when}": "count",
                f"New since {when}": "count",
                **{metrics.COST_HEADERS[m.name]: "rate" if m.rate else "money" for m in money},
            },
            in_pdf=False,
            total={
                "Group or pillar": "Total",
                "Deliverables": costs["actions"],
                "Costed": costs["costed"],
                **{metrics.COST_HEADERS[m.name]: costs[m.name] for m in money},
                f"Changed since {when}": int(counts.get("changed", 0)),
                f"New since {when}": int(counts.get("new", 0)),
            },
        )
    )
    # the PDF lists the deliverables under a heading per group, which says the group's figures
    headings = {
        _group_name(g, s, several): (
            f"{count_of(r.actions, 'deliverable')}, {metrics.PLANNED_COST.shown(r.planned_cost)} planned, "
            f"{metrics.FUNDED.shown(r.funded)} secured"
        )
        for g, s, r in zip(groups["work_group"], groups["source_title"], groups.itertuples())
    }
    section.tables.append(
        Table(
            "deliverables",
            "Deliverables",
            pd.DataFrame(
                {
                    "Group or pillar": [
                        _group_name(g, s, several) for g, s in zip(changes["work_group"], changes["source_title"])
                    ],
                    "No.": [text(v) or "" for v in changes["action_no"]],
                    "Deliverable": [text(v) or "" for v in changes["action"]],
                    "Responsible": [
                        text(v) or text(a) or "" for v, a in zip(changes["responsible"], changes["agency"])
                    ],
                    metrics.COST_HEADERS["planned_cost"]: changes["planned_cost"],
                    metrics.COST_HEADERS["funded"]: changes["funded"],
                    "Funding source": [text(v) or "" for v in changes["funding_source"]],
                    f"Status on {when}": [
                        charts.ACTION_STATUS_LABELS.get(v, v) if isinstance(v, str) else "(new)"
                        for v in changes["previous_status"]
                    ],
                    "Status": [charts.ACTION_STATUS_LABELS.get(v, v) for v in changes["status"]],
                    "Change": [c.capitalize() for c in changes["change"]],
                    "Work plan": [text(v) or UNTITLED_SOURCE for v in changes["source_title"]],
                    "Deadline": changes["deadline"],
                }
            ),
            kinds={
                metrics.COST_HEADERS["planned_cost"]: "money",
                metrics.COST_HEADERS["funded"]: "money",
                "Deadline": "date",
            },
            shown=DELIVERABLES_SHOWN,
            clip=38,
            wide="Deliverable",
            group="Group or pillar",
            group_notes=headings,
            pdf_columns=[
                "No.",
                "Deliverable",
                metrics.COST_HEADERS["planned_cost"],
                metrics.COST_HEADERS["funded"],
                f"Status on {when}",
                "Status",
            ],
            note=notes.join_notes(
                f"The first {DELIVERABLES_SHOWN} of {len(changes):,} deliverables, by work plan and group; every row "
                "is in the Excel brief."
                if len(changes) > DELIVERABLES_SHOWN
                else None,
                "A deliverable's group is its working group, results group or pillar, else its priority area. Costs "
                "are summed over the deliverables that state them; “—”: no cost or funding stated.",
            ),
        )
    )
    return section


def _group_name(group: object, source: object, several: bool) -> str:
    """A work-plan group as the brief names it (with its work plan when several are in view)."""
    name = text(group) or NO_GROUP
    return f"{shorten(text(source) or UNTITLED_SOURCE, 32)} › {name}" if several else name
