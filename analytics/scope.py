"""What the figures in view cover: the plans (each with its own years, for "Plan name (years)"), the years of
the data in view, the years of a country's or plan's data (the year slider's bounds), each country's current
plan (the view choosing a country opens on, and the view the dashboard opens on: `Filters.current_plans`), and the
agencies present in a country or plan (the agency list).

A plan's years are those of its data: budget years and the years its indicator periods end in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from analytics import activity
from analytics.filters import EVERYTHING, Filters, where
from analytics.identity import AGENCY_LIST, CURRENT_FIRST
from analytics.sql import parts, rows
from core.formatting import A_YEAR
from core.schema import KINDS
from core.summaries import BUDGET_ROLLUP, PLAN_YEARS, SCOPES

#: every plan's data years, per country ('' for none): kept by the store (core.summaries)
_PLAN_SPANS = f"SELECT country, plan, first_year, last_year FROM {PLAN_YEARS}"


def in_view(
    con: duckdb.DuckDBPyConnection, filters: Filters, datasets: tuple[str, ...] = ("budget", "indicators")
) -> list[dict[str, Any]]:
    """The plans with rows of `datasets` in view, each with its country, the years of its rows in view
    (`year_from`, `year_to`) and the plan's own years (`first_year`, `last_year`), by plan and country."""
    parts, params = [], []
    for dataset in datasets:
        view, year = (BUDGET_ROLLUP if dataset == "budget" else KINDS[dataset].view.name), KINDS[dataset].year
        w = where(dataset, filters)
        parts.append(f"SELECT coalesce(country, '') AS country, plan, {year} AS year FROM {view}{w.sql()}")
        params += w.params
    return [
        dict(zip(("country", "plan", "year_from", "year_to", "first_year", "last_year"), r))
        for r in rows(
            con,
            f"""
        WITH v AS ({" UNION ALL ".join(parts)}), spans AS ({_PLAN_SPANS})
        SELECT nullif(v.country, '') AS country, v.plan, min(v.year), max(v.year),
               any_value(s.first_year), any_value(s.last_year)
        FROM v LEFT JOIN spans s ON s.country = v.country AND s.plan = v.plan
        GROUP BY v.country, v.plan ORDER BY v.plan NULLS LAST, v.country""",
            params,
        )
    ]


def year_bounds(con: duckdb.DuckDBPyConnection, filters: Filters = EVERYTHING) -> tuple[int | None, int | None]:
    """The first and last year of the budget and indicator data of the chosen country and plan — in the view the
    dashboard opens on, of the current plan of each country up to this year (the other filters do not narrow the
    slider's scale)."""
    scope = Filters(country=filters.country, plan=filters.plan, current_plans=filters.current_plans)
    bw, iw = where("budget", scope), where("indicators", scope)
    lo, hi = rows(
        con,
        f"""SELECT min(y), max(y) FROM (
        SELECT year AS y FROM budget_scope{bw.sql()}
        UNION ALL SELECT year(period_end) FROM indicator_scope{iw.sql()})""",
        [*bw.params, *iw.params],
    )[0]
    return (None if lo is None else int(lo)), (None if hi is None else int(hi))


def plan_spans(con: duckdb.DuckDBPyConnection, filters: Filters = EVERYTHING) -> dict[str, dict[str, Any]]:
    """Plan name → its years (`first_year`, `last_year`, over its countries) and how many countries use the name,
    for the plans of the chosen country (every plan without one)."""
    country = "WHERE country = ?" if filters.country else ""
    return {
        plan: {"first_year": first, "last_year": last, "countries": countries}
        for plan, first, last, countries in rows(
            con,
            f"""SELECT plan, min(first_year), max(last_year), count(DISTINCT nullif(country, ''))
                             FROM ({_PLAN_SPANS}) {country} GROUP BY plan""",
            [filters.country] if filters.country else [],
        )
    }


def plan_spans_by_country(
    con: duckdb.DuckDBPyConnection, filters: Filters = EVERYTHING
) -> dict[str, dict[str, dict[str, Any]]]:
    """Country ('' for none) → what `plan_spans` gives for that country, for every country in one read: a table
    names the plans of many countries (one read each was 0.1 s apiece at 10 M lines)."""
    spans: dict[str, dict[str, dict[str, Any]]] = {}
    for country, plan, first, last in rows(con, f"SELECT country, plan, first_year, last_year FROM ({_PLAN_SPANS})"):
        spans.setdefault(country, {})[plan] = {"first_year": first, "last_year": last, "countries": 1}
    return spans


def current_plan(
    con: duckdb.DuckDBPyConnection, filters: Filters, today: dt.date | None = None
) -> dict[str, Any] | None:
    """The plan the chosen country is in now: the one whose years hold this year (the latest-starting when several do),
    else the latest-starting one that has begun, else the first to come; None without plans."""
    year = (today or dt.date.today()).year
    found = rows(
        con,
        f"""SELECT plan, first_year, last_year FROM ({_PLAN_SPANS}) WHERE country = ?
                          ORDER BY {CURRENT_FIRST.format(year="?")} LIMIT 1""",
        [filters.country, year, year, year, year],
    )
    return dict(zip(("plan", "first_year", "last_year"), found[0])) if found else None


def filter_options(con: duckdb.DuckDBPyConnection, filters: Filters = EVERYTHING) -> dict[str, Any]:
    """`activity.filter_options` with the agencies narrowed to those with rows in the chosen country and plan
    (budget lines, indicators, actions, sub-outputs; each agency of a joint sub-output), the outcomes and agencies
    to those of the current plans in the view the dashboard opens on."""
    options = activity.filter_options(con, filters)
    scope = Filters(country=filters.country, plan=filters.plan, current_plans=filters.current_plans)
    # one statement (a shared store's catalog is asked once): the agencies with rows in scope, and the plans in view
    agencies, params = [], []
    for dataset, view in (("budget", "budget"), ("indicators", "indicator_values"), ("actions", "actions")):
        w = where(dataset, scope)
        agencies.append(f"SELECT DISTINCT agency FROM {SCOPES[view]}{w.sql()}")
        params += w.params
    w = where("suboutputs", scope)
    agencies.append(f"SELECT DISTINCT agency FROM suboutput_scope s{w.sql()}")
    params += w.params
    sql = f"""SELECT 'agencies', to_json(list(DISTINCT code))
              FROM (SELECT trim(unnest({AGENCY_LIST})) AS code
                    FROM ({" UNION ".join(agencies)}) WHERE agency IS NOT NULL)"""
    if filters.current_plans:
        budget, suboutputs = where("budget", scope), where("suboutputs", scope)
        sql += f"""
            UNION ALL
            SELECT 'plans', to_json(list(DISTINCT plan))
            FROM (SELECT plan FROM budget_scope{budget.sql()}
                  UNION SELECT plan FROM suboutput_scope s{suboutputs.sql()})"""
        params += budget.params + suboutputs.params
    part = parts(con, sql, params)
    if filters.current_plans:
        current = set(part["plans"])
        options["outcomes"] = [o for o in options["outcomes"] if o["plan"] in current]
    present = set(part["agencies"])
    options["agencies"] = [a for a in options["agencies"] if a["code"] in present]
    return options


def has_rows(con: duckdb.DuckDBPyConnection, filters: Filters, dataset: str) -> bool:
    """Whether the chosen country and plan hold any row of `dataset` (budget, indicators, actions) whatever the
    other filters: a page says "no indicator data for Jordan yet" rather than "nothing matches these filters"."""
    view = KINDS[dataset].view.name
    w = where(dataset, Filters(country=filters.country, plan=filters.plan, current_plans=filters.current_plans))
    return bool(rows(con, f"SELECT EXISTS (SELECT 1 FROM {view}{w.sql()})", w.params)[0][0])


def ended_plans(
    con: duckdb.DuckDBPyConnection, filters: Filters, today: dt.date | None = None
) -> set[tuple[str | None, str]]:
    """(country, plan) of the plans in view that have ended: the last year their name states is past ('UNDAF
    2019-2023'), or, for a name that states none, their data stop before last year (a current plan whose
    figures for this year are not in yet has not ended). Reporting completeness never judges such a plan."""
    year = (today or dt.date.today()).year
    undated = filters.without("year_from", "year_to")
    w = where("budget", undated)
    ended = set()
    for country, plan, last in rows(
        con, f"SELECT country, plan, max(year) FROM {BUDGET_ROLLUP}{w.sql()} GROUP BY ALL", w.params
    ):
        named = [int(y) for y in A_YEAR.findall(plan or "")]
        if (max(named) < year) if named else (last is not None and last < year - 1):
            ended.add((country, plan))
    return ended
