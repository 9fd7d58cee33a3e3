"""Each country's plans and their years, in SQL: what the current-plan condition (analytics.identity.current_plan)
and the "Plan name (years)" labels (analytics.scope) read.

A plan's years are those of its data: budget years and the years its indicator periods end in. Computing them reads
every current budget line and indicator value (0.25 s at 10 M lines, and the current-plan condition is part of
nearly every read of the opening view), so the store keeps them in a small table, `plan_years`, refreshed in the
transaction of every load and roll-back (store.summaries); a read as of a date gets a temporary view of the same
name computed over the views of that moment (store.history.as_of_views)."""

from __future__ import annotations

#: the table (and, as of a date, the temporary view) holding `PLAN_SPANS`
PLAN_YEARS = "plan_years"
#: each country's plans with data, over the views of SPEC §9: country ('' for none), plan, first and last year
PLAN_SPANS = """SELECT coalesce(country, '') AS country, plan, min(year) AS first_year, max(year) AS last_year
    FROM (SELECT country, plan, year FROM budget
          UNION ALL SELECT country, plan, year(period_end) FROM indicator_values)
    WHERE coalesce(plan, '') <> '' GROUP BY ALL"""
