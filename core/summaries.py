"""What the store keeps computed from the views of SPEC §9, in SQL: each country's plans and their years (what the
current-plan condition, analytics.identity.current_plan, and the "Plan name (years)" labels read), the scope of
each dataset's rows (what the filter bar's choices read: countries, plans, years, outcomes, agencies), and the
budget lines reduced to partial sums (what the budget's figures read).

Computing them reads every current row — at 10 M budget lines 0.25 s for the plans' years, which nearly every read
of the opening view needs, 1.5 s for the filter bar's choices, which every page shows, 0.3–1.2 s for each budget
figure — while they change only when a load or a roll-back changes what is current. So the store keeps each in a
table of its name, recomputed for the plans a change touched in the transaction of every load and roll-back
(store.summaries); a read as of a date gets a temporary view of the same name over the views of that moment
(store.history.as_of_views). A summary's columns are its view's, so the filters' conditions on the view
(analytics.filters.where) apply to it unchanged. Changing a definition here takes a migration (even an empty one):
`migrate` recreates every summary after it."""

from __future__ import annotations

#: the budget lines reduced to partial sums (analytics.metrics.PARTIAL_SUMS) by every column a budget read groups
#: or filters by, and by submission (when each agency reported): budget totals, the figures by outcome, output,
#: agency, year and funding source, the tree, the year-on-year comparison and reporting completeness read it (at 10 M
#: lines a ninth as many rows). In a row a figure's sum is NULL exactly when its lines lack it (the lines of a row
#: lack the same figures); `_lines` counts them, so a metric over the lines is the same metric over the rows with
#: each count of lines a sum of `_lines` (analytics.metrics.of_partials).
BUDGET_CUBE = "budget_cube"
CUBE_COLUMNS = (
    "country, plan, outcome_code, outcome_title, output_code, output_title, agency, joint, funding_source, "
    "currency, year, submission_id"
)

#: a budget line's figures as partial sums (`SELECT <groups>, PARTIAL_SUMS FROM budget GROUP BY <groups>,
#: MISSING_PATTERN`): the cube's own, and analytics.metrics' two-level budget reads
PARTIAL_SUMS = (
    "sum(required) AS required, sum(available) AS available, sum(expenditure) AS expenditure, count(*) AS _lines"
)
MISSING_PATTERN = "required IS NULL, available IS NULL, expenditure IS NULL"
#: partial sums of rows that are partial sums (the cube's, grouped again by MISSING_PATTERN among their groups)
SUMS_OF_PARTIALS = (
    "sum(required) AS required, sum(available) AS available, sum(expenditure) AS expenditure, "
    "sum(_lines)::BIGINT AS _lines"
)
_CUBE = f"SELECT {CUBE_COLUMNS}, {PARTIAL_SUMS} FROM budget GROUP BY {CUBE_COLUMNS}, {MISSING_PATTERN}"

#: the cube without the funding source (at 10 M lines an eighth of its rows): what every budget read but the figures
#: by funding source reads — its rows are the cube's partial sums added up again, by the same pattern of missing
#: figures, so every metric over them is the same
BUDGET_ROLLUP = "budget_rollup"
ROLLUP_COLUMNS = CUBE_COLUMNS.replace(" funding_source,", "")
_ROLLUP = f"SELECT {ROLLUP_COLUMNS}, {SUMS_OF_PARTIALS} FROM {BUDGET_CUBE} GROUP BY {ROLLUP_COLUMNS}, {MISSING_PATTERN}"
#: the summaries kept per submission (refreshed by the submissions a change touched, and as of a moment the kept
#: rows of the submissions wholly shown then): each one's columns
PER_SUBMISSION = {BUDGET_CUBE: CUBE_COLUMNS, BUDGET_ROLLUP: ROLLUP_COLUMNS}

#: each plan's years as the store keeps them
PLAN_YEARS = "plan_years"
#: each country's plans with data: country ('' for none), plan, first and last year. A plan's years are those of its
#: data: budget years and the years its indicator periods end in (the budget's read from the rollup, kept first).
PLAN_SPANS = """SELECT coalesce(country, '') AS country, plan, min(year) AS first_year, max(year) AS last_year
    FROM (SELECT country, plan, year FROM budget_rollup
          UNION ALL SELECT country, plan, year(period_end) FROM indicator_values)
    WHERE coalesce(plan, '') <> '' GROUP BY ALL"""

#: the kept scope of each dataset's rows: its view → the summary's name (the columns the filter bar's choices read,
#: and those the country, plan and current-plan conditions read); the budget's read from the rollup
SCOPES = {
    "budget": "budget_scope",
    "indicator_values": "indicator_scope",
    "actions": "action_scope",
    "suboutput_list": "suboutput_scope",
}
_SCOPE_COLUMNS = {
    "budget": "country, plan, agency, year, outcome_code, outcome_title",
    "indicator_values": "country, plan, agency, period_end",
    "actions": "country, plan, agency",
    "suboutput_list": "country, plan, agency, outcome_code, outcome_title",
}

#: the sub-outputs with a budget line (the plan's structure counts those without any figure)
FUNDED_SUBOUTPUTS = "funded_suboutputs"
#: the UN INFO details of the budget lines in each scope (the budget export's refinements offer them)
BUDGET_DETAILS = "budget_details"

#: where a summary reads a view's rows from: the budget's from the rollup (at 10 M lines a seventieth as many rows)
_SOURCE = {"budget": BUDGET_ROLLUP}
#: every kept summary: its name → its definition over the views (and the cube and rollup, kept first), in the order
#: they are computed
SUMMARIES = {
    BUDGET_CUBE: _CUBE,
    BUDGET_ROLLUP: _ROLLUP,
    PLAN_YEARS: PLAN_SPANS,
    **{name: f"SELECT DISTINCT {_SCOPE_COLUMNS[view]} FROM {_SOURCE.get(view, view)}" for view, name in SCOPES.items()},
    FUNDED_SUBOUTPUTS: "SELECT DISTINCT country, plan, suboutput_id FROM budget WHERE suboutput_id IS NOT NULL",
    BUDGET_DETAILS: f"""SELECT DISTINCT {_SCOPE_COLUMNS["budget"]}, strategic_priority, suboutput_status, sdg_goals
        FROM budget""",
}
