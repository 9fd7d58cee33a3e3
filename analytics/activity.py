"""Across the datasets: the Overview's headline; what arrived when (submissions, each agency's freshness,
reporting completeness); what there is to choose from (filter options, plans); and the data version that
invalidates every cached read."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from analytics import actions, budget, indicators, metrics
from analytics.filters import EVERYTHING, Filters, where
from analytics.identity import AGENCY_LIST, OUTCOME_KEY, entity_names
from analytics.sql import frame, parts, rows
from core.formatting import outcome_label, unique_labels
from core.schema import PLAN_COUNTRIES
from core.summaries import BUDGET_ROLLUP

#: the views and tables every page reads
SURFACE = ("budget", "indicator_values", "actions", "submissions", "entities", "store_version")


def missing_surface(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the query surface's views/tables that this database lacks (empty when ready)."""
    present = {
        r[0]
        for r in rows(con, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
    }
    return [name for name in SURFACE if name not in present]


def data_version(con: duckdb.DuckDBPyConnection) -> tuple:
    """Changes whenever a submission lands, is rolled back or changes status, or any other write commits (the
    store's version, read from the store: a commit by any process shows at every process's next page run)."""
    row = rows(
        con,
        """SELECT (SELECT max(version) FROM store_version), count(*), max(submission_id),
                              max(created_at)::VARCHAR,
                              count(*) FILTER (WHERE status = 'committed'),
                              count(*) FILTER (WHERE status = 'rolled_back')
                       FROM submissions""",
    )[0]
    return tuple(None if v is None else str(v) for v in row)


def headline(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """The Overview cards: budget totals and rates, indicator statuses, action counts and rates."""
    result = dict(budget.totals(con, filters))
    statuses = indicators.status_counts(con, filters)
    counts = dict(zip(statuses["status"], statuses["indicators"]))
    result.update(
        {
            "indicator_statuses": statuses,  # the Overview's chart (measured once, see README: Benchmarks)
            "indicators": int(sum(counts.values())),
            "indicators_achieved": counts["achieved"],
            "indicators_on_track": counts["on track"],
            "indicators_off_track": counts["off track"],
            "indicators_no_data": counts["no data"],
        }
    )
    result.update({f"actions_{k}" if k != "actions" else k: v for k, v in actions.totals(con, filters).items()})
    return result


#: when a submission's data were reported: the day its file states (etl.reported), else the day it was loaded
REPORTED = "coalesce(s.reported_on, s.created_at::DATE)"
#: where that day comes from: 'export date', 'date in the file', 'date in the file name', 'file date' or 'loaded'
REPORTED_FROM = "CASE WHEN s.reported_on IS NOT NULL THEN coalesce(s.reported_from, 'file date') ELSE 'loaded' END"


def freshness(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per agency: when its current data were last reported (`last_reported`, the latest day of the submissions
    that brought any of its budget lines, indicator values or actions — the export's or file's date when the file
    states one, else the day it was loaded; `reported_from` says which) and the days since; per dataset the same
    day; when the latest of them was loaded (`last_submission`) and its file. A joint line counts for each of its
    agencies. Country, plan and agency filters apply; years and outcome do not (freshness is about when data came
    in). Oldest first."""
    undated = filters.without("year_from", "year_to", "outcome")
    bw, iw, aw = where("budget", undated), where("indicators", undated), where("actions", undated)
    agency_clause = " WHERE agency = ?" if filters.agency else ""
    df = frame(
        con,
        f"""
        WITH brought AS (
            SELECT trim(unnest({AGENCY_LIST})) AS a, submission_id, 'budget' AS dataset
                FROM (SELECT DISTINCT agency, submission_id FROM {BUDGET_ROLLUP}{bw.sql()})
            UNION ALL SELECT trim(agency), submission_id, 'indicators'
                FROM (SELECT DISTINCT agency, submission_id FROM indicator_values{iw.sql()})
            UNION ALL SELECT trim(agency), submission_id, 'actions'
                FROM (SELECT DISTINCT agency, submission_id FROM actions{aw.sql()})),
        per AS (
            SELECT b.a AS agency, b.dataset, s.created_at, s.file_name, b.submission_id,
                   {REPORTED} AS reported, {REPORTED_FROM} AS reported_from
            FROM brought b LEFT JOIN submissions s USING (submission_id)
            WHERE b.a IS NOT NULL AND b.a <> '')
        SELECT agency, max(reported) AS last_reported,
               arg_max(reported_from, (reported, created_at)) AS reported_from,
               date_diff('day', max(reported), current_date) AS days_since,
               max(created_at) AS last_submission,
               arg_max(file_name, created_at) AS last_file,
               max(reported) FILTER (WHERE dataset = 'budget') AS last_budget,
               max(reported) FILTER (WHERE dataset = 'indicators') AS last_indicators,
               max(reported) FILTER (WHERE dataset = 'actions') AS last_actions,
               count(DISTINCT submission_id) AS submissions
        FROM per{agency_clause}
        GROUP BY agency ORDER BY last_reported NULLS FIRST, agency""",
        [*bw.params, *iw.params, *aw.params, *([filters.agency] if filters.agency else [])],
    )
    names = entity_names(con)
    df.insert(1, "agency_name", [names.get(a, "") for a in df["agency"]])
    return df


def reporting_completeness(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per plan (of a country), for its reporting year — the end of the year range, else the plan's latest
    year up to this one with spending reported (plans run into future years and end in different years;
    a plan with none yet is taken this year, or its first year if it starts later): the
    agencies expected (a budget line in the plan), those with a submission for the year
    (`metrics.COMPLETENESS`) and the rest by name; and, as the RCO chases it too, the agencies whose
    expenditure for the year is not reported yet; when the plan's current data were last reported
    (`last_reported`, `reported_from`: as `freshness` says it). Least complete first."""
    undated = filters.without("year_from", "year_to")
    w, iw = where("budget", undated), where("indicators", undated)
    agency_clause = " AND l.a = ?" if filters.agency else ""
    # the lines are first reduced to one row per plan, agency field and year (a few thousand at 10 M lines):
    # splitting each line's agency field was most of the time (EXPLAIN ANALYZE; README: Benchmarks)
    return frame(
        con,
        f"""
        WITH lines AS (
            SELECT country, plan, trim(unnest({AGENCY_LIST})) AS a, year, has_spending, submission_id
            FROM (SELECT coalesce(country, '') AS country, plan, agency, year, submission_id,
                         bool_or(expenditure IS NOT NULL) AS has_spending
                  FROM {BUDGET_ROLLUP}{w.sql()} GROUP BY ALL)),
        years AS (  -- never a future year: a plan that has not reported spending yet is taken this year
            SELECT country, plan,
                   coalesce(?::INTEGER, max(year) FILTER (WHERE has_spending AND year <= year(current_date)),
                            greatest(min(year), least(max(year), year(current_date)))) AS year
            FROM lines GROUP BY country, plan),
        indicator_agencies AS (
            SELECT DISTINCT coalesce(country, '') AS country, plan, trim(unnest({AGENCY_LIST})) AS a,
                   year(period_end) AS year, submission_id
            FROM indicator_values{iw.sql()}),
        reported_days AS (
            SELECT b.country, b.plan, max({REPORTED}) AS last_reported,
                   arg_max({REPORTED_FROM}, ({REPORTED}, s.created_at)) AS reported_from
            FROM (SELECT DISTINCT country, plan, submission_id FROM lines
                  UNION SELECT DISTINCT country, plan, submission_id FROM indicator_agencies) b
            JOIN submissions s USING (submission_id) GROUP BY ALL),
        per AS (
            SELECT l.country, l.plan, l.a, y.year,
                   bool_or(l.year = y.year) OR bool_or(i.a IS NOT NULL) AS reported,
                   bool_or(l.year = y.year AND l.has_spending) AS spent
            FROM lines l JOIN years y USING (country, plan)
            LEFT JOIN indicator_agencies i ON i.country = l.country AND i.plan = l.plan AND i.a = l.a
                                          AND i.year = y.year
            WHERE l.a <> ''{agency_clause} GROUP BY l.country, l.plan, l.a, y.year)
        SELECT nullif(p.country, '') AS country, p.plan, p.year, count(DISTINCT p.a) AS agencies_expected,
               count(DISTINCT p.a) FILTER (WHERE p.reported) AS agencies_reported,
               {metrics.COMPLETENESS.sql} AS completeness,
               string_agg(p.a, ', ' ORDER BY p.a) FILTER (WHERE NOT p.reported) AS not_reported,
               count(DISTINCT p.a) FILTER (WHERE p.spent) AS agencies_with_expenditure,
               string_agg(p.a, ', ' ORDER BY p.a) FILTER (WHERE NOT p.spent) AS no_expenditure,
               any_value(r.last_reported) AS last_reported, any_value(r.reported_from) AS reported_from
        FROM per p LEFT JOIN reported_days r ON r.country = p.country AND r.plan = p.plan
        GROUP BY p.country, p.plan, p.year ORDER BY completeness, p.country, p.plan""",
        [*w.params, filters.year_to, *iw.params, *([filters.agency] if filters.agency else [])],
    )


def submission_history(
    con: duckdb.DuckDBPyConnection, filters: Filters = EVERYTHING, limit: int = 1000
) -> pd.DataFrame:
    """The latest submissions, newest first: who, when, what, how many rows, status, whether the original file is
    kept (for the Upload page's history, roll-back and download) and the day its file says it was reported."""
    w = where("submissions", filters)
    kept = (
        "EXISTS (SELECT 1 FROM submission_files f WHERE f.submission_id = s.submission_id)"
        if "submission_files" in {r[0] for r in rows(con, "SELECT table_name FROM information_schema.tables")}
        else "FALSE"
    )
    return frame(
        con,
        f"""
        SELECT submission_id AS id, created_at AS "when", kind AS dataset, file_name AS file, user_name AS "user",
               agency, plan, rows_added AS added, rows_replaced AS replaced, rows_rejected AS rejected, status,
               {kept} AS has_file, reported_on, reported_from
        FROM submissions s{w.sql()} ORDER BY created_at DESC, submission_id DESC LIMIT ?""",
        [*w.params, limit],
    )


def plan_choices(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None, int | None, int | None]]:
    """Every plan of the current data as (plan, country, first year, last year), sorted: a plan is a plan of a
    country (one name is used in many); the years are its budget's (none for a plan known only from indicators,
    actions or sub-outputs without figures)."""
    return rows(
        con,
        f"""SELECT plan, nullif(country, '') AS country, min(year), max(year)
                         FROM ({PLAN_COUNTRIES}) WHERE coalesce(plan, '') <> ''
                         GROUP BY ALL ORDER BY plan, country NULLS FIRST""",
    )


#: the filter bar's choices in one statement, each scope summary read once, a row per part (its values as JSON):
#: the countries; the plans (of the country $1 when one is chosen: then without the actions, which name no
#: country); the first and last year; the agencies with their names; which datasets hold data; the outcomes
#: (`in_country`: one of $1's). On a shared store each statement, and each table it reads, costs round trips to its
#: catalog: one statement here, not six. (One row of scalar subqueries instead costs DuckDB's join planner 50 ms.)
_OPTIONS = f"""
    WITH b AS MATERIALIZED (FROM budget_scope), i AS MATERIALIZED (FROM indicator_scope),
         a AS MATERIALIZED (FROM action_scope), s AS MATERIALIZED (FROM suboutput_scope)
    SELECT 'countries', to_json(list(country ORDER BY country))
    FROM (SELECT country FROM b UNION SELECT country FROM i UNION SELECT country FROM s)
    WHERE trim(country) <> ''
    UNION ALL
    SELECT 'plans', to_json(list(plan ORDER BY plan))
    FROM (SELECT plan FROM b WHERE $1 IS NULL OR country = $1
          UNION SELECT plan FROM i WHERE $1 IS NULL OR country = $1
          UNION SELECT plan FROM a WHERE $1 IS NULL
          UNION SELECT plan FROM s WHERE $1 IS NULL OR country = $1)
    WHERE trim(plan) <> ''
    UNION ALL
    SELECT 'years', to_json([min(year), max(year)]) FROM (SELECT year FROM b UNION ALL SELECT year(period_end) FROM i)
    UNION ALL
    SELECT 'agencies', to_json(list({{'code': code, 'name': name}} ORDER BY code))
    FROM (SELECT c.code, any_value(e.name) AS name
          FROM (SELECT DISTINCT trim(unnest({AGENCY_LIST})) AS code
                FROM (SELECT agency FROM b UNION SELECT agency FROM i UNION SELECT agency FROM a
                      UNION SELECT agency FROM s)
                WHERE agency IS NOT NULL) c
          LEFT JOIN entities e ON e.code = c.code
          WHERE c.code <> '' GROUP BY c.code)
    UNION ALL
    SELECT 'present', to_json([EXISTS (FROM b) OR EXISTS (FROM s), EXISTS (FROM i), EXISTS (FROM a),
                               EXISTS (FROM submissions)])
    UNION ALL
    SELECT 'outcomes', to_json(list(o ORDER BY plan, strip_accents(lower(coalesce(outcome_code, ''))), outcome_title))
    FROM (SELECT plan, outcome_code, outcome_title, {OUTCOME_KEY} AS outcome_key,
                 bool_or(coalesce(country = $1, TRUE)) AS in_country
          FROM (SELECT country, plan, outcome_code, outcome_title FROM b
                UNION SELECT country, plan, outcome_code, outcome_title FROM s)
          GROUP BY plan, outcome_code, outcome_title) o"""


def filter_options(con: duckdb.DuckDBPyConnection, filters: Filters = EVERYTHING) -> dict[str, Any]:
    """Choices for the filter bar: plans narrowed by country, outcomes by country and plan (the UN INFO
    sub-outputs without budget figures count: their plans and outcomes can be chosen too); and which datasets
    hold any data."""
    part = parts(con, _OPTIONS, [filters.country or None])
    (year_min, year_max), present = part["years"], part["present"]
    return {
        "countries": part["countries"],
        "plans": part["plans"],
        "year_min": year_min,
        "year_max": year_max,
        "outcomes": _outcome_options(part["outcomes"], filters),
        "agencies": part["agencies"],
        "has_budget": bool(present[0]),
        "has_indicators": bool(present[1]),
        "has_actions": bool(present[2]),
        "has_submissions": bool(present[3]),
    }


def _outcome_options(outcome_rows: list[dict[str, Any]], filters: Filters) -> list[dict[str, Any]]:
    """The outcomes of the country and plan chosen, with their keys and labels. Labels are made unique over ALL
    outcomes, so that an outcome keeps its label (which the URL carries) whatever the other filters are."""
    labels = unique_labels(
        [outcome_label(r["outcome_code"], r["outcome_title"]) for r in outcome_rows], [r["plan"] for r in outcome_rows]
    )
    return [
        {
            "key": r["outcome_key"],
            "label": label,
            "plan": r["plan"],
            "outcome_code": r["outcome_code"],
            "outcome_title": r["outcome_title"],
        }
        for r, label in zip(outcome_rows, labels)
        if (not filters.plan or r["plan"] == filters.plan) and (not filters.country or r["in_country"])
    ]
