"""A meeting brief's figures, gathered from the store by the query functions the pages read (`analytics.*`, one
definition per metric) and drawn by the pages' own chart builders (`app.charts`): the brief can never disagree
with the dashboard. Every read goes through the store's history (`store.history`: the views as they stood at the
brief's moment, as the pages' "Figures as of" does), and so does the change since the previous quarter. Everything
the brief reads from the store is read here; `brief.html`, `brief.pdf` and `brief.xlsx` only lay out the `Brief`
this returns."""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import replace

import duckdb
import pandas as pd

from analytics import actions, activity, budget, indicators, metrics
from analytics import filters as registry
from analytics.filters import Filters
from app import cards, charts, notes, tables
from brief.document import Attention, Brief, Card, Section, Table, moment_label
from brief.request import BriefError, Period
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
from store import history

#: rows the PDF shows of each table (the workbook holds every row); chosen so each part fits its page
OUTCOMES_SHOWN, AGENCIES_SHOWN, INDICATORS_SHOWN, OVERDUE_SHOWN, SOURCES_SHOWN = 8, 12, 10, 5, 5
DELIVERABLES_SHOWN = 14
#: a deliverable without a working group, pillar or priority area
NO_GROUP = "(no group)"
#: items per concern on the "needs attention" page
ATTENTION_ITEMS = 4
#: indicator statuses, the one needing attention first
_STATUS_ORDER = {"off track": 0, "no data": 1, "on track": 2, "achieved": 3}

__all__ = ["BriefError", "collect", "problem", "scope"]


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
    choices = [(p, c) for p, c, _, _ in activity.plan_choices(con) if text(c)]
    countries = sorted({c for _, c in choices})
    if not countries and when:
        raise BriefError(f"Nothing had been loaded{when}: choose a later date.")
    if country not in countries:
        raise BriefError(f"No data for country {country!r}{when}: "
                         f"{_choices(country, countries, 'countries with data' + when)}")
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
        raise BriefError(f"The figures as of {at.date():%-d %b %Y} are not known yet: choose today or an earlier "
                         "date (or leave out the as-of date for the current figures).")
    return at, at.date()


def collect(con: duckdb.DuckDBPyConnection, country: str, plan: str | None = None, period: Period | None = None,
            as_of: dt.date | dt.datetime | None = None, now: dt.datetime | None = None) -> Brief:
    """The brief of a country (and one of its plans) for a period, with the figures as they stood at `as_of` (the
    end of that day, UTC, or that moment; None: now). The cards' change and the work plans' status change are
    since the end of the quarter before the figures' day, from the same history. All the figures are read in one
    session (`history.Session`: one state, even if a load commits meanwhile), those of the quarter's end in another."""
    at, day = moment(as_of)
    since = actions.previous_quarter_end(day)
    with history.Session(con, at) as reader, history.Session(con, history.end_of_day(since)) as earlier:
        return _collect(reader, earlier, country, plan, period or Period(), at, day, since, now)


def _collect(reader: history.Session, earlier: history.Session, country: str, plan: str | None, period: Period,
             at: dt.datetime | None, day: dt.date, since: dt.date, now: dt.datetime | None) -> Brief:
    plans = scope(reader, country, plan, f" on {day:%-d %b %Y}" if at else "")
    filters = Filters(country=country, plan=plan, year_from=period.year, year_to=period.year,
                      as_of=day if at else None)
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
        _workplan_section(reader, earlier, filters, since),
    ]
    data_as_of = fresh["last_submission"].max() if len(fresh) else None
    return Brief(
        country=country, plans=plans, period=period,
        generated_at=(now or dt.datetime.now()).replace(microsecond=0),
        data_as_of=None if is_missing(data_as_of) else pd.Timestamp(data_as_of).to_pydatetime(),
        as_of=at, since=since, completeness=completeness, headline=_headline_table(h, then),
        cards=[Card(c.label, c.value, c.caption, cards.delta(c, then)) for c in cards.headline(h)],
        sections=sections,
        attention=_attention(outcomes, agencies, progress, overdue, h, completeness.frame),
        not_reported=_not_reported(reader, filters, h, completeness.frame, period, at),
        definitions=DEFINITIONS)


# --- the parts ------------------------------------------------------------------------------------------

def _completeness(df: pd.DataFrame, several: bool) -> Table:
    """Per plan: the agencies that have submitted data for its reporting year, of those expected."""
    frame = pd.DataFrame({
        "Plan": [text(p) or NO_PLAN for p in df["plan"]],
        "Year": df["year"],
        "Submitted": df["agencies_reported"],
        "Expected": df["agencies_expected"],
        metrics.COMPLETENESS.label: df["completeness"],
        "Not yet submitted": [text(v) or "" for v in df["not_reported"]],
        "Spending not reported": [text(v) or "" for v in df["no_expenditure"]],
    })
    return Table("completeness", "Reporting completeness", frame, clip=60,
                 kinds={"Year": "year", "Submitted": "count", "Expected": "count",
                        metrics.COMPLETENESS.label: "rate"},
                 note=(metrics.COMPLETENESS.help or "") + (" Each plan in its own reporting year." if several else "")
                 if len(frame) else "No budget lines: no agency is expected to report yet.")


#: the headline figures, as the workbook lists them (the cards show them rounded)
_HEADLINE = (
    (metrics.REQUIRED, "money"), (metrics.AVAILABLE, "money"), (metrics.EXPENDITURE, "money"),
    (metrics.FUNDING_GAP, "money"), (metrics.COVERAGE, "rate"), (metrics.DELIVERY_RATE, "rate"),
    (metrics.BURN_RATE, "rate"), (metrics.LINES, "count"), (metrics.LINES_WITHOUT_AVAILABLE, "count"),
    (metrics.LINES_WITHOUT_EXPENDITURE, "count"))
_HEADLINE_COUNTS = (
    ("indicators", "Indicators"), ("indicators_achieved", "Indicators achieved"),
    ("indicators_on_track", "Indicators on track"), ("indicators_off_track", "Indicators off track"),
    ("indicators_no_data", "Indicators without data"), ("actions", "Actions"),
    ("actions_completed", "Actions completed"), ("actions_open", "Actions open"),
    ("actions_overdue", "Actions overdue"), ("actions_set_aside", "Actions set aside"))


def _headline_table(h: dict, then: cards.Then) -> Table:
    """The headline figures with their value at the end of the previous quarter (`then`, from the history)."""
    keys = [m.name for m, _ in _HEADLINE] + [key for key, _ in _HEADLINE_COUNTS] + ["actions_implementation_rate"]
    names = [m.label for m, _ in _HEADLINE] + [label for _, label in _HEADLINE_COUNTS]
    names.append(metrics.IMPLEMENTATION_RATE.label)
    kinds = [kind for _, kind in _HEADLINE] + ["count"] * len(_HEADLINE_COUNTS) + ["rate"]
    earlier = f"On {then.day:%-d %b %Y}"
    frame = pd.DataFrame({"Figure": names, "Value": pd.Series([h[k] for k in keys], dtype="object"),
                          earlier: pd.Series([then.figures[k] for k in keys], dtype="object"),
                          "Unit": [{"money": "USD", "rate": "%", "count": ""}[k] for k in kinds]})
    return Table("headline", "Headline figures", frame, kinds={"Value": "row", earlier: "row"}, row_kinds=kinds,
                 note=f"“{earlier}”: the figures as the dashboard showed them at the end of that day, the end of the "
                      "previous quarter.")


def _budget_frame(df: pd.DataFrame, label: str, label_column: str, extra: dict[str, str] | None = None) -> pd.DataFrame:
    columns: dict[str, object] = {label: [text(v) or DASH for v in tables.full_names(df, label_column)]}
    for source, header in (extra or {}).items():
        columns[header] = [text(v) or "" for v in df[source]]
    for m in (metrics.REQUIRED, metrics.AVAILABLE, metrics.EXPENDITURE, metrics.FUNDING_GAP, metrics.COVERAGE,
              metrics.DELIVERY_RATE):
        columns[m.label] = df[m.name]
    return pd.DataFrame(columns)


_BUDGET_KINDS = {m.label: "rate" if m.rate else "money" for m in (
    metrics.REQUIRED, metrics.AVAILABLE, metrics.EXPENDITURE, metrics.FUNDING_GAP, metrics.COVERAGE,
    metrics.DELIVERY_RATE)}


def _budget_total(h: dict, label: str) -> dict[str, object]:
    total: dict[str, object] = {label: "Total"}
    total.update({m.label: h[m.name] for m in (metrics.REQUIRED, metrics.AVAILABLE, metrics.EXPENDITURE,
                                               metrics.FUNDING_GAP, metrics.COVERAGE, metrics.DELIVERY_RATE)})
    return total


def _money_section(outcomes: pd.DataFrame, h: dict, several: bool) -> Section:
    section = Section("money", "Money by outcome",
                      lead="Required, available and spent per outcome; the funding gap and what it leaves "
                           "unfunded; delivery (spent ÷ available).")
    if outcomes.empty:
        section.empty = "No budget lines for this country and period."
        return section
    shown = outcomes.head(OUTCOMES_SHOWN)
    section.chart = charts.gap_bars(shown, "outcome", "outcome_key")
    section.chart_note = (f"The {len(shown)} outcomes with the largest requirement, of {len(outcomes)}."
                          if len(outcomes) > len(shown) else None)
    frame = _budget_frame(outcomes, "Outcome", "outcome", {"plan": "Plan"} if several else None)
    section.tables.append(Table(
        "outcomes", "By outcome", frame, kinds=_BUDGET_KINDS, shown=OUTCOMES_SHOWN, clip=44, wide="Outcome",
        pdf_columns=[c for c in frame.columns if c != "Plan"],
        total=_budget_total(h, "Outcome"),
        note=_cut_note(len(frame), OUTCOMES_SHOWN, "outcomes", "the largest requirement")))
    return section


def _agency_section(agencies: pd.DataFrame, h: dict) -> Section:
    section = Section("agencies", "Agencies' delivery",
                      lead=f"{metrics.DELIVERY_RATE.label} per agency: {metrics.DELIVERY_RATE.help}")
    if agencies.empty:
        section.empty = "No budget lines for this country and period."
        return section
    shown = agencies.head(AGENCIES_SHOWN)
    if shown["delivery_rate"].notna().any():
        section.chart = charts.agency_delivery_bars(shown)
        section.chart_note = ("“Joint” = sub-outputs run jointly by several agencies (money not split). "
                              "'—' = no line with both available and spent reported.")
    else:
        section.lead = ("No agency has both available and spent figures reported for this period, so there is no "
                        "delivery rate to show.")
    frame = _budget_frame(agencies, "Agency", "agency", {"agency_name": "Name"})
    section.tables.append(Table(
        "agencies", "By agency", frame, kinds=_BUDGET_KINDS, shown=AGENCIES_SHOWN, clip=60,
        pdf_columns=[c for c in frame.columns if c != "Name"],
        total=_budget_total(h, "Agency"),
        note=_cut_note(len(frame), AGENCIES_SHOWN, "agencies", "the largest requirement")))
    return section


def _indicator_section(con: duckdb.DuckDBPyConnection, filters: Filters, progress: pd.DataFrame, h: dict,
                       several: bool) -> Section:
    section = Section("indicators", "Indicators",
                      lead="Status and progress to target of each indicator, those off track first.")
    if progress.empty:
        section.empty = "No indicator values are loaded for this country and period."
        return section
    counts = indicators.status_counts(con, filters)
    on_track = h["indicators_on_track"] + h["indicators_achieved"]
    section.cards = [Card("Indicators", format_count(h["indicators"])),
                     Card("Achieved or on track", f"{on_track} of {h['indicators']}"),
                     Card("Off track", format_count(h["indicators_off_track"])),
                     Card("No data", format_count(h["indicators_no_data"]))]
    section.chart = charts.indicator_status_bars(counts)
    ordered = progress.assign(rank=progress["status"].map(_STATUS_ORDER)).sort_values(
        ["rank", "progress"], kind="stable", na_position="last")
    frame = pd.DataFrame({
        "Code": [text(v) or "" for v in ordered["indicator_code"]],
        "Indicator": [text(v) or UNTITLED_INDICATOR for v in ordered["indicator"]],
        **({"Plan": [text(v) or NO_PLAN for v in ordered["plan"]]} if several else {}),
        "Status": [s.capitalize() for s in ordered["status"]],
        "Latest period": [text(v) or "" for v in ordered["latest_period"]],
        "Baseline": ordered["baseline"], "Latest value": ordered["latest_actual"], "Target": ordered["target"],
        "Unit": [text(v) or "" for v in ordered["unit"]],
        metrics.PROGRESS.label: ordered["progress"],
        metrics.EXPECTED_PROGRESS.label: ordered["expected_progress"],
    })
    section.tables.append(Table(
        "indicators", "Progress to target", frame, shown=INDICATORS_SHOWN, clip=60, wide="Indicator",
        pdf_columns=[c for c in frame.columns if c not in ("Unit", "Plan")],
        kinds={"Baseline": "number", "Latest value": "number", "Target": "number",
               metrics.PROGRESS.label: "rate", metrics.EXPECTED_PROGRESS.label: "rate"},
        note=_cut_note(len(frame), INDICATORS_SHOWN, "indicators", "the most need of attention")))
    return section


def _action_section(con: duckdb.DuckDBPyConnection, filters: Filters, overdue: pd.DataFrame, h: dict,
                    day: dt.date) -> Section:
    section = Section("actions", "Recommendations and key actions",
                      lead="Evaluation, audit and review recommendations and work-plan deliverables.")
    if not h["actions"]:
        section.empty = "No recommendations or key actions are loaded for this country and period."
        return section
    section.cards = [
        Card(metrics.IMPLEMENTATION_RATE.label, format_rate(h["actions_implementation_rate"]),
             f"{count_of(h['actions_completed'], 'action')} completed of "
             f"{format_count(h['actions'] - h['actions_set_aside'])} applicable"),
        Card("Actions", format_count(h["actions"]), f"{format_count(h['actions_set_aside'])} set aside"),
        Card(metrics.OPEN.label, format_count(h["actions_open"]), metrics.OPEN.help),
        Card(metrics.OVERDUE.label, format_count(h["actions_overdue"]), f"past the deadline on {day:%-d %b %Y}")]
    section.chart = charts.action_status_bars(actions.status_counts(con, filters))
    frame = pd.DataFrame({
        "Days late": overdue["days_late"], "Deadline": overdue["deadline"],
        "Action no.": [text(v) or "" for v in overdue["action_no"]],
        "Action": [text(v) or "" for v in overdue["action"]],
        "Responsible": [text(v) or "" for v in overdue["responsible"]],
        "Agency": [text(v) or "" for v in overdue["agency"]],
        "Status": [charts.ACTION_STATUS_LABELS.get(s, s) for s in overdue["status"]],
        "Recommendation no.": [text(v) or "" for v in overdue["recommendation_no"]],
        "Source": [text(v) or UNTITLED_SOURCE for v in overdue["source_title"]],
    })
    section.tables.append(Table(
        "overdue", f"Overdue key actions ({format_count(h['actions_overdue'])})", frame, shown=OVERDUE_SHOWN,
        clip=56, kinds={"Days late": "count", "Deadline": "date"},
        pdf_columns=["Days late", "Deadline", "Action no.", "Action", "Responsible", "Agency", "Status"], wide="Action",
        note=notes.join_notes(_cut_note(len(frame), OVERDUE_SHOWN, "overdue actions", "the longest delay"),
                              metrics.OVERDUE.help, f"Days late are counted to {day:%-d %b %Y}.")
        if len(frame) else "No action is overdue."))
    sources = actions.by_source(con, filters).sort_values("actions", ascending=False, kind="stable")
    section.tables.append(Table(
        "sources", "By source", pd.DataFrame({
            "Source": [text(v) or UNTITLED_SOURCE for v in sources["source_title"]],
            "Type": [text(v) or "" for v in sources["source_type"]],
            "Actions": sources["actions"], "Completed": sources["completed"], "Overdue": sources["overdue"],
            metrics.IMPLEMENTATION_RATE.label: sources["implementation_rate"]}),
        kinds={"Actions": "count", "Completed": "count", "Overdue": "count",
               metrics.IMPLEMENTATION_RATE.label: "rate"},
        shown=SOURCES_SHOWN, clip=60, wide="Source",
        note=_cut_note(len(sources), SOURCES_SHOWN, "sources", "the most actions")))
    return section


def _workplan_section(con: duckdb.DuckDBPyConnection, earlier: duckdb.DuckDBPyConnection, filters: Filters,
                      since: dt.date) -> Section:
    """Each working group's deliverables with cost, funds secured, status and the status change since `since`
    (the previous quarter's end): the statuses then are read through `earlier`, the store as it stood then."""
    when = f"{since:%-d %b %Y}"
    section = Section("workplans", "Work plans: deliverables by working group",
                      lead=f"The costed work plans' deliverables by working group or pillar: cost, funds secured, "
                           f"status, and the status change since {when}, the end of the previous quarter (statuses "
                           "as the dashboard showed them then).")
    now = actions.listing(con, filters, workplans_only=True)
    if now.empty:
        section.empty = "No work-plan deliverables are loaded for this country and period."
        return section
    changes = actions.status_changes(now, actions.listing(earlier, actions.earlier(filters, since),
                                                          workplans_only=True))
    counts = changes["change"].value_counts()
    costs = actions.cost_totals(con, filters, workplans_only=True)
    section.cards = [
        Card("Deliverables", format_count(costs["actions"]),
             f"{format_count(costs['costed'])} costed, {format_count(costs['without_cost'])} without a cost"),
        Card(metrics.PLANNED_COST.label, metrics.PLANNED_COST.shown(costs["planned_cost"]),
             f"{metrics.FUNDED.label} {metrics.FUNDED.shown(costs['funded'])}"),
        Card(metrics.COST_GAP.label, metrics.COST_GAP.shown(costs["cost_gap"]),
             f"{metrics.FUNDED_SHARE.label} {metrics.FUNDED_SHARE.shown(costs['funded_share'])}"),
        Card(f"Changed since {when}", format_count(counts.get("changed", 0)),
             f"{format_count(counts.get('new', 0))} new, {format_count(counts.get('unchanged', 0))} unchanged")]
    groups = actions.cost_by(con, filters, "group", workplans_only=True)
    moved = changes.assign(changed=changes["change"] == "changed", new=changes["change"] == "new").groupby(
        ["source_title", "work_group"], dropna=False)[["changed", "new"]].sum().reset_index()
    groups = groups.merge(moved, on=["source_title", "work_group"], how="left")
    groups[["changed", "new"]] = groups[["changed", "new"]].fillna(0).astype(int)
    money = (metrics.PLANNED_COST, metrics.FUNDED, metrics.COST_GAP, metrics.FUNDED_SHARE)
    several = changes["source_title"].nunique() > 1
    section.tables.append(Table(
        "workgroups", "By working group", pd.DataFrame({
            "Group or pillar": [text(v) or NO_GROUP for v in groups["work_group"]],
            "Work plan": [text(v) or UNTITLED_SOURCE for v in groups["source_title"]],
            "Deliverables": groups["actions"], "Costed": groups["costed"],
            **{metrics.COST_HEADERS[m.name]: groups[m.name] for m in money},
            f"Changed since {when}": groups["changed"], f"New since {when}": groups["new"]}),
        kinds={"Deliverables": "count", "Costed": "count", f"Changed since {when}": "count",
               f"New since {when}": "count", **{metrics.COST_HEADERS[m.name]: "rate" if m.rate else "money"
                                                for m in money}},
        in_pdf=False,
        total={"Group or pillar": "Total", "Deliverables": costs["actions"], "Costed": costs["costed"],
               **{metrics.COST_HEADERS[m.name]: costs[m.name] for m in money},
               f"Changed since {when}": int(counts.get("changed", 0)), f"New since {when}": int(counts.get("new", 0))}))
    # the PDF lists the deliverables under a heading per group, which says the group's figures
    headings = {_group_name(g, s, several): (
        f"{count_of(r.actions, 'deliverable')}, {metrics.PLANNED_COST.shown(r.planned_cost)} planned, "
        f"{metrics.FUNDED.shown(r.funded)} secured")
        for g, s, r in zip(groups["work_group"], groups["source_title"], groups.itertuples())}
    section.tables.append(Table(
        "deliverables", "Deliverables", pd.DataFrame({
            "Group or pillar": [_group_name(g, s, several) for g, s in zip(changes["work_group"],
                                                                            changes["source_title"])],
            "No.": [text(v) or "" for v in changes["action_no"]],
            "Deliverable": [text(v) or "" for v in changes["action"]],
            "Responsible": [text(v) or text(a) or "" for v, a in zip(changes["responsible"], changes["agency"])],
            metrics.COST_HEADERS["planned_cost"]: changes["planned_cost"],
            metrics.COST_HEADERS["funded"]: changes["funded"],
            "Funding source": [text(v) or "" for v in changes["funding_source"]],
            f"Status on {when}": [charts.ACTION_STATUS_LABELS.get(v, v) if isinstance(v, str) else "(new)"
                                  for v in changes["previous_status"]],
            "Status": [charts.ACTION_STATUS_LABELS.get(v, v) for v in changes["status"]],
            "Change": [c.capitalize() for c in changes["change"]],
            "Work plan": [text(v) or UNTITLED_SOURCE for v in changes["source_title"]],
            "Deadline": changes["deadline"]}),
        kinds={metrics.COST_HEADERS["planned_cost"]: "money", metrics.COST_HEADERS["funded"]: "money",
               "Deadline": "date"},
        shown=DELIVERABLES_SHOWN, clip=38, wide="Deliverable", group="Group or pillar", group_notes=headings,
        pdf_columns=["No.", "Deliverable", metrics.COST_HEADERS["planned_cost"], metrics.COST_HEADERS["funded"],
                     f"Status on {when}", "Status"],
        note=notes.join_notes(
            f"The first {DELIVERABLES_SHOWN} of {len(changes):,} deliverables, by work plan and group; every row is "
            "in the Excel brief." if len(changes) > DELIVERABLES_SHOWN else None,
            "A deliverable's group is its working group, results group or pillar, else its priority area. Costs "
            "are summed over the deliverables that state them; “—”: no cost or funding stated.")))
    return section


def _group_name(group: object, source: object, several: bool) -> str:
    """A work-plan group as the brief names it (with its work plan when several are in view)."""
    name = text(group) or NO_GROUP
    return f"{shorten(text(source) or UNTITLED_SOURCE, 32)} › {name}" if several else name


def _cut_note(rows: int, shown: int, what: str, measure: str) -> str | None:
    if rows <= shown:
        return None
    return f"The {shown} {what} with {measure}, of {rows:,}; every row is in the Excel brief."


# --- needs attention --------------------------------------------------------------------------------------

def _attention(outcomes: pd.DataFrame, agencies: pd.DataFrame, progress: pd.DataFrame, overdue: pd.DataFrame,
               h: dict, completeness: pd.DataFrame) -> list[Attention]:
    gaps = outcomes[outcomes["funding_gap"].fillna(0) > 0].sort_values("funding_gap", ascending=False).head(
        ATTENTION_ITEMS)
    rated = agencies[agencies["delivery_rate"].notna() & ~agencies["agency"].isin(("Joint",))]
    low = rated.sort_values("delivery_rate", kind="stable").head(ATTENTION_ITEMS)
    over = rated[rated["delivery_rate"] > 1].sort_values("delivery_rate", ascending=False).head(ATTENTION_ITEMS)
    off = progress[progress["status"] == "off track"].sort_values("progress", na_position="first").head(
        ATTENTION_ITEMS)
    plans = list(zip(completeness["Plan"], completeness["Year"], completeness["Not yet submitted"],
                     completeness["Spending not reported"]))
    return [
        Attention("Largest funding gaps", [
            f"{shorten(r.outcome, 90)}: gap {format_money(r.funding_gap)} of {format_money(r.required)} required "
            f"(coverage {format_rate(r.coverage)})" for r in gaps.itertuples()],
            "No outcome has a funding gap." if len(outcomes) else "No budget lines."),
        Attention("Lowest delivery", [
            f"{r.agency}: {format_rate(r.delivery_rate)} of {format_money(r.available_with_expenditure)} available "
            f"spent" for r in low.itertuples()], "No agency has a delivery rate (available and spent reported)."),
        Attention("Spent more than available", [
            f"{r.agency}: {format_rate(r.delivery_rate)} — {format_money(r.expenditure_with_available)} spent of "
            f"{format_money(r.available_with_expenditure)}; worth checking with the agency"
            for r in over.itertuples()], "No agency reports more spent than available."),
        Attention(f"Indicators off track ({format_count(h['indicators_off_track'])})", [
            f"{text(r.indicator_code) or ''} {shorten(text(r.indicator) or UNTITLED_INDICATOR, 90)}: progress "
            f"{format_rate(r.progress)}, expected {format_rate(r.expected_progress)} by {text(r.latest_period) or DASH}"
            for r in off.itertuples()],
            "No indicator is off track." if len(progress) else "No indicator values loaded."),
        Attention(f"Overdue key actions ({format_count(h['actions_overdue'])})", [
            f"{format_count(r.days_late)} days late — {text(r.action_no) or ''} {shorten(text(r.action) or '', 90)} "
            f"(responsible: {text(r.responsible) or text(r.agency) or 'not assigned'})"
            for r in overdue.head(ATTENTION_ITEMS).itertuples()],
            "No key action is overdue." if h["actions"] else "No recommendations or key actions loaded."),
        Attention("Not yet reported", [
            f"{plan} ({year}): no data yet from {agencies}" for plan, year, agencies, _ in plans if agencies] + [
            f"{plan} ({year}): spending not reported by {agencies}" for plan, year, _, agencies in plans if agencies],
            "Every agency expected has reported." if len(completeness) else "No agency is expected to report yet."),
    ]


# --- footnotes --------------------------------------------------------------------------------------------

def _not_reported(con: duckdb.DuckDBPyConnection, filters: Filters, h: dict, completeness: pd.DataFrame,
                  period: Period, at: dt.datetime | None) -> list[str]:
    """What the figures leave out, and why, in the words of the pages' notes."""
    out = [notes.missing_figures_note(h), notes.suboutputs_note(budget.suboutput_totals(con, filters))]
    for row in budget.plan_summary(con, filters).itertuples():
        out.append(f"{text(row.plan) or NO_PLAN}: indirect costs (programme support costs "
                   f"{format_money(row.support_costs, row.currency)}, fees {format_money(row.fees, row.currency)}) "
                   f"come on top of the programme's {format_money(row.programme, row.currency)} required and are in "
                   "none of the figures above.")
    if len(h["currencies"]) > 1:
        out.append(f"Amounts are in several currencies ({', '.join(h['currencies'])}); totals add them without "
                   "conversion.")
    out.append(notes.joint_note(h["joint_lines"]))
    for plan, year, pending in zip(completeness["Plan"], completeness["Year"], completeness["Not yet submitted"]):
        if pending:
            out.append(f"{plan}: no data yet for {year} from {pending}.")
    if period.quarter:
        out.append(f"Budgets are annual: the {period.label} brief shows the {period.year} budget figures, indicator "
                   f"values of periods ending in {period.year} and actions with deadlines in {period.year}.")
    out.extend(registry.notes("indicators", filters) + registry.notes("actions", filters))
    out.append("Overdue counts and days late are as of today." if at is None else
               f"Every figure is as the dashboard showed it at {moment_label(at)}, overdue counts and days late "
               "included; later loads and roll-backs are not in it.")
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
    ("Change since", "How a figure moved since the end of the previous quarter, against the figure as the dashboard "
                     "showed it at the end of that day (UTC); a rate moves in percentage points (pts)."),
    ("Not reported", "A blank available or spent figure is not reported, never zero: the line is left out of both "
                     "sides of each ratio. A ratio with nothing to divide by is shown as “—”, never 0 %."),
]
