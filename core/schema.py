"""Dataset kinds and the datasets the dashboard reads: one registry entry declares everything about each.

A `Kind` is what a user uploads (budget, indicators, actions): its input columns (types, synonyms, help), key
and grain for the readers, the validator and the templates; its fact table and stored columns (the store and the
staging tables of etl.load); the scope a new submission replaces (SQL shared by loads and rollbacks); its view;
its labels and empty-state text. A `Dataset` is what the dashboard reads and exports: a view of the query surface
(SPEC §9). Every kind is a dataset; "submissions" (the history) is a dataset but no kind, and a budget's sub-outputs
and indirect costs are datasets of tables its uploads fill. An unknown name is an error, never a silent default.
What each entry declares is in core.registry; the words users write (statuses, responses, currencies) in
core.vocabulary.

Adding a kind: its entry here, a migration creating its table (store.migrations), its validation (etl.validate),
the row completion of etl.load and its page (README: How it is built).
"""

from __future__ import annotations

from core.registry import Column, Dataset, Kind, Registry, Table, View, stored
from core.vocabulary import OPEN_ACTION_STATUSES, sql_list

# ---------------------------------------------------------------- tables, views and the scopes loads replace

#: staged row `s` and stored row `t` are of the same country: plans of one name in two countries (UN INFO
#: has many "United Nations Sustainable Development Cooperation Framework") are two plans
SAME_COUNTRY = "(s.country IS NULL OR t.country IS NULL OR s.country = t.country)"

_SUBOUTPUT = """country plan strategic_priority_code strategic_priority outcome_code outcome_title output_code
    output_title suboutput_code suboutput_title suboutput_id suboutput_status start_date:DATE end_date:DATE
    contributing_partners sdg_goals agency joint:BOOLEAN"""
_FIGURES = "required:DOUBLE available:DOUBLE expenditure:DOUBLE"

BUDGET_LINES = Table(
    "budget_lines",
    stored(f"{_SUBOUTPUT} funding_source year:INTEGER {_FIGURES} currency"),
    replace_scope=f"""t.suboutput_id IS NULL AND s.plan = t.plan AND {SAME_COUNTRY}
              AND s.agency IS NOT DISTINCT FROM t.agency AND s.year = t.year""",
    scope_key="plan",
)
#: a UN INFO export's sub-outputs, with or without figures (replaced by their ID)
SUBOUTPUTS = Table("suboutputs", stored(_SUBOUTPUT))
#: a budget's indirect costs (programme support cost, administrative agent fee…), kept apart from its lines. A
#: later budget (lines or indirect costs) of the same plan and agency retires them, for their year, or for any
#: year when either side states none (a support cost on several years' lines is stale once any of them is replaced)
INDIRECT_COST_ROWS = Table(
    "indirect_cost_rows",
    stored(f"country plan year:INTEGER agency cost_type label rate:DOUBLE {_FIGURES} currency"),
    replace_scope=f"""s.plan = t.plan AND {SAME_COUNTRY}
              AND s.agency IS NOT DISTINCT FROM t.agency AND (s.year IS NULL OR t.year IS NULL OR s.year = t.year)""",
)
INDICATOR_ROWS = Table(
    "indicator_rows",
    stored("""country plan indicator_code indicator result_code unit baseline:DOUBLE baseline_year:INTEGER
               target:DOUBLE target_year:INTEGER period period_end:DATE actual:DOUBLE agency means_of_verification"""),
    replace_scope=f"""s.plan = t.plan AND {SAME_COUNTRY}
              AND s.agency IS NOT DISTINCT FROM t.agency AND s.period = t.period""",
    scope_key="plan",
)
ACTION_ROWS = Table(
    "action_rows",
    stored("""plan country source_type source_title recommendation_no recommendation management_response action_no
               action responsible agency deadline:DATE status comments as_of:DATE
               planned_cost:DOUBLE funded:DOUBLE funding_source work_group currency"""),
    replace_scope=f"""s.source_title = t.source_title AND {SAME_COUNTRY}
              AND s.agency IS NOT DISTINCT FROM t.agency""",
    scope_key="source_title",
)


def _current(table: Table, name: str) -> View:
    """The view of a table's current rows: its columns and the submission of each."""
    return View(name, table.name, (*table.column_names, "submission_id"))


#: the day figures are taken at: the SQL variable an as-of cursor sets (store.history.AsOf), else today
FIGURES_DAY = "figures_day"
TODAY = f"coalesce(getvariable('{FIGURES_DAY}'), current_date)"

#: an action is overdue when it is still to be done and its deadline has passed (SPEC §9)
OVERDUE = f"coalesce(status IN {sql_list(OPEN_ACTION_STATUSES)} AND deadline < current_date, FALSE)"

#: a plan is a plan of a country, and one plan name is used in many (27 countries call theirs "United Nations
#: Sustainable Development Cooperation Framework" in UN INFO): rows may name their country (etl.load)
COUNTRY_SYNONYMS = ("country name", "programme country", "program country")
COUNTRY_HELP = (
    "Country of the plan; blank: the country chosen for the file, else the plan's country when the "
    "plan's name is known in one country only"
)


BUDGET = Kind(
    name="budget",
    title="Common Budgetary Framework and expenditure",
    grain="one row per plan × year × output × agency (× funding source)",
    sheet_title="Budget",
    key=("plan", "country", "year", "output_code", "agency", "funding_source"),
    upload_label="Budget (CBF or UN INFO export)",
    table=BUDGET_LINES,
    parts=(SUBOUTPUTS, INDIRECT_COST_ROWS),
    totals=("required", "available", "expenditure"),
    view=_current(BUDGET_LINES, "budget"),
    export_title="Budget (CBF and expenditure)",
    export_order="plan, outcome_code, output_code, agency, year",
    year="year",
    sample=(
        "country",
        "plan",
        "outcome_code",
        "output_code",
        "suboutput_title",
        "agency",
        "year",
        "required",
        "available",
        "expenditure",
        "currency",
    ),
    empty="No budget data yet — upload a CBF or UN INFO export on the Upload page, "
    "or run `python -m etl demo` to load the demo data.",
    filter_note="All filters apply. The agency filter keeps joint sub-outputs that list the agency.",
    columns=(
        Column(
            "plan",
            "text",
            True,
            ("framework", "cooperation framework", "unsdcf", "undaf", "one plan", "plan name"),
            "Name of the Cooperation Framework",
            "UNSDCF 2023-2027",
            file_level=True,
        ),
        Column("country", "text", False, COUNTRY_SYNONYMS, COUNTRY_HELP, "Angola", file_level=True),
        Column(
            "year",
            "year",
            True,
            ("fiscal year", "fy", "budget year"),
            "Calendar year of the figures (2000–2100)",
            "2025",
        ),
        Column(
            "outcome_code",
            "text",
            True,
            ("outcome", "outcome no", "outcome number", "outcome code"),
            "Outcome number as in the plan",
            "4.1",
        ),
        Column(
            "outcome_title",
            "text",
            False,
            ("outcome description", "outcome title", "outcome statement"),
            "Outcome statement",
            "People live free from violence",
        ),
        Column(
            "output_code",
            "text",
            True,
            ("output", "output no", "output number", "output code"),
            "Output number as in the plan",
            "4.1.2",
        ),
        Column(
            "output_title",
            "text",
            False,
            ("output description", "output title", "output statement"),
            "Output statement",
            "Justice institutions strengthened",
        ),
        Column(
            "agency",
            "agency",
            True,
            (
                "un entity",
                "organization",
                "organisation",
                "puno",
                "agency fund programme",
                "agency/fund/programme",
                "entity",
            ),
            "UN entity code (see the list on the Instructions sheet)",
            "UNDP",
            file_level=True,
        ),
        Column(
            "funding_source",
            "text",
            False,
            ("source", "core non core", "core/non-core", "fund", "funding"),
            "Core, non-core or the fund's name",
            "Core",
        ),
        Column(
            "required",
            "money",
            True,
            (
                "total required resources",
                "required resources",
                "planned budget",
                "budget",
                "requested funds",
                "required",
            ),
            "Money required for the year (≥ 0)",
            "250000",
        ),
        Column(
            "available",
            "money",
            False,
            ("available resources", "total available resources", "funded", "secured", "resources available"),
            "Money available (secured) for the year (≥ 0); blank = not reported",
            "180000",
        ),
        Column(
            "expenditure",
            "money",
            False,
            ("expenditures", "spent", "delivery", "actual", "total expenditure resources", "expenditure resources"),
            "Money spent in the year (≥ 0); blank = not reported",
            "120000",
        ),
        Column("currency", "currency", False, ("ccy",), "ISO 4217 code; default USD", "USD"),
    ),
)

INDICATORS = Kind(
    name="indicators",
    title="Results indicators and their values",
    grain="one row per indicator × reporting period",
    sheet_title="Indicators",
    key=("plan", "country", "indicator_code", "period", "agency"),
    upload_label="Indicators",
    table=INDICATOR_ROWS,
    view=_current(INDICATOR_ROWS, "indicator_values"),
    export_title="Indicator values",
    export_order="plan, indicator_code, period_end, agency",
    year="year(period_end)",
    sample=("country", "plan", "indicator_code", "indicator", "period", "actual", "target", "agency"),
    empty="No indicator data yet — upload an indicators workbook on the Upload page, or run `python -m etl demo`.",
    filter_note="Country, plan, agency and outcome (indicators whose result code is the outcome's or its outputs' "
    "code) apply; the year range applies to the reporting period.",
    columns=(
        Column(
            "plan",
            "text",
            True,
            ("framework", "cooperation framework", "unsdcf", "undaf", "one plan", "plan name"),
            "Name of the Cooperation Framework",
            "UNSDCF 2023-2027",
            file_level=True,
        ),
        Column("country", "text", False, COUNTRY_SYNONYMS, COUNTRY_HELP, "Angola", file_level=True),
        Column(
            "indicator_code",
            "text",
            True,
            ("indicator code", "indicator no", "indicator number", "indicator id"),
            "Indicator number as in the results framework",
            "1.1.a",
        ),
        Column(
            "indicator",
            "text",
            True,
            ("indicator name", "indicator description", "indicator wording", "indicator title"),
            "Wording of the indicator",
            "Share of births attended by skilled personnel",
        ),
        Column(
            "result_code",
            "text",
            True,
            ("result", "result code", "outcome output", "outcome/output", "measures"),
            "Outcome or output code the indicator measures",
            "1.1",
        ),
        Column("unit", "text", False, ("unit of measure", "measure", "uom"), "%, number, index or yes/no", "%"),
        Column("baseline", "number", True, ("baseline value",), "Baseline value", "42"),
        Column("baseline_year", "year", False, ("baseline year",), "Year of the baseline", "2022"),
        Column("target", "number", True, ("target value", "end target"), "Target value", "60"),
        Column("target_year", "year", False, ("target year",), "Year the target should be met", "2027"),
        Column(
            "period",
            "period",
            True,
            ("reporting period", "reporting year", "year", "as of period"),
            "Reporting period: 2025, 2025-Q3 or 2025-H1",
            "2025",
        ),
        Column(
            "actual",
            "number",
            False,
            ("actual value", "value", "result value", "achieved", "progress"),
            "Value reached in the period; blank = not reported",
            "51",
        ),
        Column(
            "agency",
            "agency",
            False,
            ("un entity", "organization", "organisation", "reporting agency", "entity"),
            "UN entity reporting the value",
            "UNICEF",
        ),
        Column(
            "means_of_verification",
            "text",
            False,
            ("means of verification", "mov", "source of data", "data source", "source"),
            "Where the value comes from",
            "DHS 2025",
        ),
    ),
)

ACTIONS = Kind(
    name="actions",
    title="Recommendations, work-plan deliverables and their key actions",
    grain="one row per key action (or deliverable)",
    sheet_title="Actions",
    key=("source_title", "country", "recommendation_no", "recommendation", "action_no"),
    one_of=(("recommendation_no", "recommendation"),),
    upload_label="Recommendations and actions",
    table=ACTION_ROWS,
    view=View(
        "actions",
        ACTION_ROWS.name,
        (
            "source_type",
            "source_title",
            "recommendation_no",
            "recommendation",
            "management_response",
            "action_no",
            "action",
            "responsible",
            "agency",
            "deadline",
            "status",
            "comments",
            "as_of",
            f"{OVERDUE} AS overdue",
            "country",
            "plan",
            "submission_id",
            "planned_cost",
            "funded",
            "funding_source",
            "work_group",
            "currency",
        ),
    ),
    export_title="Recommendations and actions",
    export_order="source_title, recommendation_no, action_no",
    year="year(deadline)",
    sample=("source_title", "recommendation_no", "action_no", "action", "agency", "deadline", "status"),
    empty="No recommendations or actions yet — upload a management response or work plan on the Upload page, "
    "or run `python -m etl demo`.",
    filter_note="Country (through the plan), plan and agency apply; the year range applies to deadlines (actions "
    "without a deadline are kept); actions have no outcome.",
    columns=(
        Column(
            "source_type",
            "source_type",
            False,
            ("source type", "type of source"),
            "evaluation, audit, review, human_rights_mechanism or workplan (default evaluation)",
            "evaluation",
        ),
        Column(
            "source_title",
            "text",
            True,
            ("source", "evaluation", "evaluation title", "source title", "report"),
            "Title of the evaluation, audit, review or work plan",
            "Evaluation of UN Women strategic partnerships",
            file_level=True,
        ),
        Column("country", "text", False, COUNTRY_SYNONYMS, COUNTRY_HELP, "Angola", file_level=True),
        Column(
            "recommendation_no",
            "text",
            False,
            ("rec no", "recommendation no", "recommendation number", "rec"),
            "Number of the recommendation",
            "R3",
        ),
        Column(
            "recommendation",
            "text",
            False,
            ("evaluation recommendation", "priority area", "finding", "recommendation text"),
            "Text of the recommendation",
            "Strengthen partnerships with civil society",
        ),
        Column(
            "management_response",
            "response",
            False,
            ("management response category", "response category", "management response"),
            "accepted, partially_accepted, rejected or noted",
            "accepted",
        ),
        Column(
            "action_no",
            "text",
            True,
            ("key action no", "deliverable no", "action number", "key action number", "action no"),
            "Number of the key action",
            "3.1",
        ),
        Column(
            "action",
            "text",
            True,
            ("key action", "key actions", "deliverable", "concrete deliverable", "action description"),
            "What will be done",
            "Develop a partnership strategy",
        ),
        Column(
            "responsible",
            "text",
            False,
            ("responsible unit", "responsible units", "lead", "leads", "responsible unit(s)", "lead(s)"),
            "Units or agencies responsible (free text)",
            "Strategic Partnerships Division",
        ),
        Column(
            "agency",
            "agency",
            False,
            ("un entity", "organization", "organisation", "owner", "entity"),
            "UN entity that owns the action",
            "UN Women",
        ),
        Column(
            "deadline",
            "deadline",
            False,
            ("due date", "timeline", "deadline date", "time frame", "timeframe"),
            "A month (2026/12, Dec 2026) or a day (2026-12-31)",
            "2026/12",
        ),
        Column(
            "status",
            "status",
            True,
            ("implementation status", "status of implementation", "progress status"),
            "completed, ongoing, not_started, continuous, no_longer_applicable, deprioritized",
            "ongoing",
        ),
        Column(
            "comments",
            "text",
            False,
            ("comment", "remarks", "notes", "progress comments"),
            "Progress notes",
            "Draft strategy circulated",
        ),
        Column(
            "as_of",
            "date",
            False,
            ("as of", "status date", "reported on", "date of update"),
            "Date the status was reported (default: upload date)",
            "2026-06-30",
        ),
        # a costed work plan (SPEC §2.3): what a deliverable costs, what is secured for it and from whom
        Column(
            "planned_cost",
            "money",
            False,
            (
                "cost",
                "costs",
                "budget",
                "planned cost",
                "estimated cost",
                "total cost",
                "cost estimate",
                "planned budget",
                "indicative budget",
                "budget required",
                "coût",
                "cout",
                "coûts",
                "couts",
                "coût estimé",
                "cout estime",
                "coût prévu",
                "budget prévu",
                "costo",
                "costos",
                "costo estimado",
                "costo previsto",
                "presupuesto",
                "presupuesto estimado",
            ),
            "What the deliverable costs (≥ 0); blank = not costed",
            "45000",
        ),
        Column(
            "funded",
            "money",
            False,
            (
                "funds secured",
                "funding secured",
                "secured",
                "secured funding",
                "amount secured",
                "available",
                "funds available",
                "funds mobilized",
                "funds mobilised",
                "resources mobilized",
                "financé",
                "finance",
                "financement acquis",
                "fonds mobilisés",
                "fonds mobilises",
                "montant mobilisé",
                "financiado",
                "fondos asegurados",
                "fondos movilizados",
                "financiamiento asegurado",
                "financiación asegurada",
            ),
            "Money secured for it (≥ 0); blank = not reported",
            "30000",
        ),
        Column(
            "funding_source",
            "text",
            False,
            (
                "source of funds",
                "source of funding",
                "funded by",
                "funding source",
                "donor",
                "fund",
                "source des fonds",
                "source de financement",
                "financé par",
                "finance par",
                "bailleur",
                "bailleur de fonds",
                "fuente de financiamiento",
                "fuente de financiación",
                "fuente de fondos",
                "financiado por",
                "donante",
            ),
            "Where the money comes from (core, a fund, a donor)",
            "UN Peacebuilding Fund",
        ),
        Column(
            "work_group",
            "text",
            False,
            (
                "group",
                "pillar",
                "results group",
                "working group",
                "thematic group",
                "programme pillar",
                "program pillar",
                "one programme pillar",
                "groupe",
                "groupe de travail",
                "groupe de résultats",
                "groupe thématique",
                "pilier",
                "grupo",
                "grupo de trabajo",
                "grupo de resultados",
                "grupo temático",
                "pilar",
            ),
            "The working group, results group or pillar that owns the deliverable",
            "Human Rights Working Group",
        ),
        Column(
            "currency",
            "currency",
            False,
            ("ccy", "devise", "moneda"),
            "ISO 4217 code of the cost and funding; default USD",
            "USD",
        ),
    ),
    not_above=(("funded", "planned_cost"),),
)

#: the kinds users upload, in the order the pages offer them
KINDS: Registry = Registry("dataset kind", (BUDGET, INDICATORS, ACTIONS))

SUBMISSIONS = Dataset(
    name="submissions",
    view=View(
        "submissions",
        "submission_log LEFT JOIN submission_dates USING (submission_id)",
        (
            "submission_id",
            "kind",
            "file_name",
            "sha256",
            "user_name",
            "agency",
            "plan",
            "created_at",
            "rows_added",
            "rows_replaced",
            "rows_rejected",
            "status",
            "country",
            "layout",
            "duplicate_of",
            "rolled_back_at",
            "rolled_back_by",
            "coalesce(len(warnings), 0) AS warning_count",
            "reported_on",
            "reported_from",
        ),
        current_only=False,
    ),
    export_title="Submissions",
    export_order="submission_id",
    empty="No submissions yet — upload a file on the Upload page, or run `python -m etl demo`.",
    filter_note="Country (through the plan), plan and agency apply; years and outcome do not.",
)
#: every dataset the dashboard reads: the kinds, the submission history, then the tables a budget fills besides
#: its lines (`cost_type` of an indirect cost: 'support', a programme support cost on the direct costs, or 'fee',
#: an administrative agent fee on the contributions; `rate` as its label states it, 0.07, NULL when none)
DATASETS: Registry = Registry(
    "dataset",
    (
        *KINDS.values(),
        SUBMISSIONS,
        Dataset(name="suboutputs", view=_current(SUBOUTPUTS, "suboutput_list")),
        Dataset(name="indirect_costs", view=_current(INDIRECT_COST_ROWS, "indirect_costs")),
    ),
)
#: the datasets the Data export page and `python -m etl export` offer, in their order
EXPORTS: Registry = Registry("dataset", (d for d in DATASETS.values() if d.exportable))


def kind(name: str | None) -> Kind:
    """The kind of this name; UnknownKind for any other name."""
    return KINDS[name]


def dataset(name: str | None) -> Dataset:
    """The dataset of this name; UnknownKind for any other name."""
    return DATASETS[name]


# Which current rows a staged submission replaces (SPEC §7): per kind, the table and the condition
# that stored row `t` lies in the scope of staged row `s` (loads, rollbacks, history and closed periods share it).
REPLACE_SCOPE = {
    **{name: (k.table.name, k.table.replace_scope) for name, k in KINDS.items()},
    "indirect_costs": (INDIRECT_COST_ROWS.name, INDIRECT_COST_ROWS.replace_scope),
}

#: every plan of the current rows with its country, and the year of each budget line (NULL for a plan known from
#: sub-outputs without figures, indicators or actions): the plans an upload may name (etl.load, the Upload page)
PLAN_COUNTRIES = """SELECT country, plan, year FROM budget
    UNION ALL SELECT country, plan, NULL FROM suboutput_list
    UNION ALL SELECT country, plan, NULL FROM indicator_values
    UNION ALL SELECT country, plan, NULL FROM actions"""
