"""analytics/ on the seeded database: every figure equals the plain-Python model (tests/model.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import uuid

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analytics.sql as analytics_sql
import store.connection
from analytics import actions, activity, budget, exports, indicators, metrics
from analytics.exports import safe_csv_bytes, safe_excel_bytes
from analytics.filters import Filters, where
from analytics.identity import outcome_key
from core.formatting import format_money, format_rate, outcome_label, shorten, unique_labels
from tests import model
from tests.fixtures import ACTION_ROWS, ANGOLA, BUDGET_ROWS, EVALUATION, INDICATOR_COLUMNS, PLAN_A, PLAN_B, VIET_NAM
from tests.null_data import NULL_HEAVY, _budget_line, datasets, write_db

HEALTH = outcome_key(PLAN_A, "1", "By 2027, more children and women use quality health and nutrition services")
GOVERNANCE = outcome_key(PLAN_A, "1", "By 2027, public institutions are more accountable and transparent")
CLIMATE = outcome_key(PLAN_B, "2", "By 2026, communities are more resilient to climate change and disasters")

FILTER_CASES = [
    Filters(),
    Filters(country=ANGOLA),
    Filters(country=VIET_NAM),
    Filters(plan=PLAN_B),
    Filters(year_from=2024, year_to=2024),
    Filters(year_from=2024, year_to=2025),
    Filters(outcome=HEALTH),
    Filters(outcome=GOVERNANCE),
    Filters(agency="UNDP"),
    Filters(agency="UNICEF"),
    Filters(agency="WHO"),
    Filters(country=VIET_NAM, agency="WHO", year_from=2025, year_to=2025),  # zero required and available
    Filters(country=ANGOLA, agency="UNFPA"),  # available 0 → delivery undefined
    Filters(country=ANGOLA, outcome=CLIMATE),  # contradictory: nothing
    Filters(agency="UN Women"),
]
IDS = [repr({k: v for k, v in vars(f).items() if v is not None}) or "all" for f in FILTER_CASES]


def close(a, b) -> bool:
    """Equal figures, where None/NaN (undefined, not reported) only equals None/NaN."""
    a_missing = a is None or (isinstance(a, float) and math.isnan(a))
    b_missing = b is None or (isinstance(b, float) and math.isnan(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def assert_money(actual: dict | pd.Series, expected: model.Money) -> None:
    for field in (
        "required",
        "available",
        "expenditure",
        "funding_gap",
        "coverage",
        "delivery_rate",
        "burn_rate",
        "lines",
        "lines_without_available",
        "lines_without_expenditure",
    ):
        assert close(actual[field], getattr(expected, field)), (field, actual[field], getattr(expected, field))


# --- budget -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_budget_totals_equal_the_model(seeded_db, filters):
    assert_money(budget.totals(seeded_db, filters), model.money(model.budget_rows(filters)))


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_budget_figures_from_partial_sums_equal_those_from_the_lines(seeded_db, filters):
    """Totals and summaries aggregate the lines into partial sums first (README: Benchmarks): every metric, missing
    figures and zero denominators included, must come out as the metric's definition gives it over the lines."""
    w = where("budget", filters)
    direct = seeded_db.execute(f"SELECT {metrics.BUDGET_METRICS} FROM budget{w.sql()}", w.params).df()
    totals = budget.totals(seeded_db, filters)
    for name in direct.columns:
        assert close(totals[name], direct[name].iloc[0]), (name, totals[name], direct[name].iloc[0])
    by_year = seeded_db.execute(
        f"SELECT year, {metrics.BUDGET_METRICS} FROM budget{w.sql()} GROUP BY year ORDER BY year", w.params
    ).df()
    pd.testing.assert_frame_equal(
        budget.by(seeded_db, filters, "year")[list(by_year.columns)], by_year, check_dtype=False
    )


def test_partial_sums_refuse_a_metric_that_counts_anything_but_lines():
    assert (
        metrics.of_partials("count(*) FILTER (WHERE available IS NULL)")
        == "coalesce(sum(_lines) FILTER (WHERE available IS NULL), 0)::BIGINT"
    )
    with pytest.raises(ValueError, match="not a sum or a count of budget lines"):
        metrics.of_partials("count(DISTINCT agency)")


def test_headline_unfiltered_figures(seeded_db):
    h = activity.headline(seeded_db, Filters())
    # written out once by hand from tests/fixtures.py, as a check on the model itself
    assert h["required"] == 6_020_000
    assert h["available"] == 4_150_000
    assert h["expenditure"] == 2_820_000
    assert h["funding_gap"] == 1_420_000  # over the 14 lines with available reported
    assert h["lines_without_available"] == 2 and h["lines_without_expenditure"] == 4
    assert math.isclose(h["delivery_rate"], 2_820_000 / 3_750_000)
    assert math.isclose(h["coverage"], 4_150_000 / 5_570_000)
    assert (
        h["indicators"],
        h["indicators_achieved"],
        h["indicators_on_track"],
        h["indicators_off_track"],
        h["indicators_no_data"],
    ) == (7, 2, 2, 2, 1)
    assert (h["actions"], h["actions_completed"], h["actions_overdue"]) == (12, 3, 4)
    assert math.isclose(h["actions_implementation_rate"], 3 / 10)
    assert h["currencies"] == ["USD"] and h["joint_lines"] == 2


def test_not_reported_is_not_zero(seeded_db):
    """WHO 2025 in Angola has neither available nor expenditure: it is in 'required' and nowhere else."""
    f = Filters(country=ANGOLA, agency="WHO", year_from=2025, year_to=2025)
    t = budget.totals(seeded_db, f)
    assert t["required"] == 250_000
    assert t["available"] is None and t["expenditure"] is None
    assert t["funding_gap"] is None and t["coverage"] is None and t["delivery_rate"] is None
    assert t["lines_without_available"] == 1 and t["lines_without_expenditure"] == 1


def test_zero_denominators_give_none(seeded_db):
    t = budget.totals(seeded_db, Filters(country=VIET_NAM, agency="WHO", year_from=2025, year_to=2025))
    assert t["required"] == 0 and t["available"] == 0
    assert t["coverage"] is None and t["delivery_rate"] is None and t["burn_rate"] is None
    assert format_rate(t["coverage"]) == "—"
    t = budget.totals(seeded_db, Filters(country=ANGOLA, agency="UNFPA"))
    assert t["available"] == 0 and t["delivery_rate"] is None and t["coverage"] == 0


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_by_outcome_equals_model_and_adds_up(seeded_db, filters):
    df = budget.by(seeded_db, filters, "outcome")
    rows = model.budget_rows(filters)
    expected = model.by(rows, lambda r: outcome_key(r["plan"], r["outcome_code"], r["outcome_title"]))
    assert set(df["outcome_key"]) == set(expected)
    for rec in df.to_dict("records"):
        assert_money(rec, expected[rec["outcome_key"]])
    assert df["outcome"].is_unique  # labels stay distinct although outcome codes repeat
    assert close(df["required"].sum() if len(df) else None, model.money(rows).required)


def test_outcome_codes_are_not_unique(seeded_db):
    """Outcome '1' exists three times (two plans, two strategic priorities): three separate groups."""
    df = budget.by(seeded_db, Filters(), "outcome")
    assert sorted(df["outcome_code"]) == ["1", "1", "1", "2"]
    health = df[df["outcome_key"] == HEALTH].iloc[0]
    assert health["required"] == 500_000 + 600_000 + 300_000 + 250_000 + 400_000 + 450_000 + 150_000


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_by_agency_shows_joint_once(seeded_db, filters):
    df = budget.by(seeded_db, filters, "agency")
    rows = model.budget_rows(filters)
    expected = model.by(rows, model.agency_group)
    assert set(df["agency"]) == set(expected)
    for rec in df.to_dict("records"):
        assert_money(rec, expected[rec["agency"]])
    # never split, never double-counted: the slices add up to the total
    assert close(df["required"].sum() if len(df) else None, model.money(rows).required)


def test_agency_filter_includes_joint_lines_it_takes_part_in(seeded_db):
    df = budget.by(seeded_db, Filters(agency="UNICEF"), "agency")
    assert sorted(df["agency"]) == ["Joint", "UNICEF"]
    assert df.set_index("agency").loc["Joint", "required"] == 850_000
    assert df.set_index("agency").loc["Joint", "agency_name"].startswith("Joint")
    assert budget.totals(seeded_db, Filters(agency="UNICEF"))["joint_lines"] == 2
    assert budget.totals(seeded_db, Filters(agency="FAO"))["joint_lines"] == 0


@pytest.mark.parametrize(
    "by,key",
    [
        ("year", lambda r: r["year"]),
        ("funding_source", lambda r: r["funding_source"] or "Not specified"),
    ],
)
@pytest.mark.parametrize("filters", FILTER_CASES[:10], ids=IDS[:10])
def test_by_year_and_funding_source(seeded_db, filters, by, key):
    df = budget.by(seeded_db, filters, by)
    expected = model.by(model.budget_rows(filters), key)
    assert set(df[by]) == set(expected)
    for rec in df.to_dict("records"):
        assert_money(rec, expected[rec[by]])


def test_by_output_within_an_outcome(seeded_db):
    df = budget.by(seeded_db, Filters(outcome=HEALTH), "output")
    expected = model.by(model.budget_rows(Filters(outcome=HEALTH)), lambda r: r["output_code"])
    assert sorted(df["output_code"]) == ["1.1", "1.2"]
    for rec in df.to_dict("records"):
        assert_money(rec, expected[rec["output_code"]])


def test_output_agency_table_adds_up(seeded_db):
    df = budget.by(seeded_db, Filters(), "output_agency")
    assert df["required"].sum() == sum(r["required"] for r in BUDGET_ROWS)
    joint = df[df["agency"] == "Joint"]
    assert len(joint) == 1 and joint.iloc[0]["agencies"] == "UNDP;UNICEF"


def test_budget_tree_and_lines(seeded_db):
    tree, leaves = budget.tree(seeded_db, Filters())
    assert leaves == len(tree) == 11
    assert tree["required"].sum() == sum(r["required"] for r in BUDGET_ROWS)
    assert "Joint: UNDP + UNICEF" in set(tree["agency_label"])
    top, leaves = budget.tree(seeded_db, Filters(), limit=3)
    assert len(top) == 3 and leaves == 11
    lines, count = budget.lines(seeded_db, Filters(agency="UNICEF"))
    assert count == len(model.budget_rows(Filters(agency="UNICEF"))) == len(lines) == 4


def test_reporting_completeness(seeded_db):
    """SPEC §5: agencies with a submission for the period ÷ agencies expected in the plan."""
    df = activity.reporting_completeness(seeded_db, Filters()).set_index("plan")
    # the reporting year is the latest with spending reported, 2025. Angola expects UNICEF, WHO, UNDP, FAO,
    # UNFPA (budget lines); 2025 data: budget lines of WHO, the joint UNDP;UNICEF line and FAO (+ UNICEF's
    # indicator values) — UNFPA has nothing for 2025. Spending for 2025: UNDP, UNICEF (joint line), FAO.
    angola = df.loc[PLAN_A]
    assert (angola["year"], angola["agencies_expected"], angola["agencies_reported"]) == (2025, 5, 4)
    assert angola["completeness"] == pytest.approx(4 / 5) and angola["not_reported"] == "UNFPA"
    assert (angola["agencies_with_expenditure"], angola["no_expenditure"]) == (3, "UNFPA, WHO")
    assert df.loc[PLAN_B, "agencies_expected"] == 4
    df = activity.reporting_completeness(seeded_db, Filters(year_from=2023, year_to=2024)).set_index("plan")
    angola = df.loc[PLAN_A]
    assert (angola["year"], angola["agencies_reported"], angola["not_reported"]) == (
        2024,
        4,
        "FAO",
    )  # FAO starts in 2025
    assert angola["no_expenditure"] == "FAO, WHO"  # WHO left 2024 spending blank; UNFPA reported 0, which counts


def test_indicator_values_for_the_year_count_as_a_submission(tmp_path):
    from etl.load import load_bytes
    from tests.test_load import BUDGET_HEADER, INDICATOR_HEADER, workbook_bytes

    con = store.connection.connect(tmp_path / "c.duckdb")
    budget_rows = [
        BUDGET_HEADER,
        [2024, "1", "x", "1.1", "UNDP", 10, 5, 1],
        [2024, "1", "x", "1.1", "WHO", 10, 5, 1],
        [2025, "1", "x", "1.1", "UNDP", 10, 5, 2],
    ]
    values = [INDICATOR_HEADER, ["1.1.a", "Births attended", "1.1", "%", 40, 2022, 60, 2027, "2025", 50, "WHO"]]
    for name, data in (("b.xlsx", workbook_bytes({"Budget": budget_rows})), ("i.xlsx", workbook_bytes({"I": values}))):
        assert load_bytes(con, data, name, plan="P", country="C").status == "committed"
    row = activity.reporting_completeness(con, Filters()).iloc[0]
    # 2025: UNDP has a budget line; WHO only indicator values — both submitted; WHO's spending is missing
    assert (row["year"], row["agencies_expected"], row["agencies_reported"], row["not_reported"]) == (2025, 2, 2, None)
    assert (row["agencies_with_expenditure"], row["no_expenditure"]) == (1, "WHO")
    con.close()


# --- indicators -------------------------------------------------------------------------------------

INDICATOR_CASES = [
    Filters(),
    Filters(country=VIET_NAM),
    Filters(year_from=2023, year_to=2024),
    Filters(year_from=2024, year_to=2024),
    Filters(outcome=HEALTH),
    Filters(outcome=GOVERNANCE),
    Filters(agency="UNICEF"),
    Filters(plan=PLAN_A, year_to=2023, year_from=2023),
]


@pytest.mark.parametrize("filters", INDICATOR_CASES, ids=[repr(vars(f)) for f in INDICATOR_CASES])
def test_indicator_progress_equals_model(seeded_db, filters):
    df = indicators.progress(seeded_db, filters)
    expected = model.indicator_status(filters)
    assert len(df) == len(expected)
    for rec in df.to_dict("records"):
        e = expected[(rec["country"], rec["plan"], rec["indicator_code"])]
        assert rec["status"] == e["status"], rec["indicator_code"]
        assert close(rec["progress"], e["progress"])
        assert close(rec["expected_progress"], e["expected"])
        assert close(rec["latest_actual"], e["latest"])
    counts = indicators.status_counts(seeded_db, filters)
    assert dict(zip(counts["status"], counts["indicators"])) == model.status_counts(filters)


def test_indicator_statuses_by_hand(seeded_db):
    df = indicators.progress(seeded_db, Filters()).set_index(["plan", "indicator_code"])
    assert df.loc[(PLAN_A, "1.1.a"), "status"] == "on track"  # 0.5 against 0.40 elapsed
    assert df.loc[(PLAN_A, "1.1.b"), "status"] == "off track"  # decreasing target, 0.15
    assert df.loc[(PLAN_A, "1.2.a"), "status"] == "achieved"  # 1.125
    assert df.loc[(PLAN_A, "2.1.a"), "status"] == "no data"
    assert df.loc[(PLAN_B, "2.1.b"), "status"] == "achieved" and pd.isna(df.loc[(PLAN_B, "2.1.b"), "progress"])
    assert math.isclose(df.loc[(PLAN_A, "1.1.b"), "progress"], 3 / 20)
    # limiting the years changes what 'latest' means: 1.2.a in 2024 is at 7 (H1), 5/8 of the way
    early = indicators.progress(seeded_db, Filters(year_from=2024, year_to=2024))
    early = early.set_index(["plan", "indicator_code"])
    assert early.loc[(PLAN_A, "1.2.a"), "latest_period"] == "2024-H1"
    assert math.isclose(early.loc[(PLAN_A, "1.2.a"), "progress"], 5 / 8)


def test_indicator_trend(seeded_db):
    progress = indicators.progress(seeded_db, Filters())
    key = progress[(progress["plan"] == PLAN_B) & (progress["indicator_code"] == "1.1.a")]["indicator_key"].iloc[0]
    trend = indicators.trend(seeded_db, Filters(), key)
    assert list(trend["period"]) == ["2023-Q3", "2024"]
    assert list(trend["actual"]) == [19.0, 18.5]


# --- actions ----------------------------------------------------------------------------------------

ACTION_CASES = [
    Filters(),
    Filters(plan=PLAN_A),
    Filters(country=VIET_NAM),
    Filters(agency="UNFPA"),
    Filters(year_from=2020, year_to=2020),
    Filters(outcome=HEALTH),
]


@pytest.mark.parametrize("filters", ACTION_CASES, ids=[repr(vars(f)) for f in ACTION_CASES])
def test_action_totals_equal_model(seeded_db, filters):
    totals = actions.totals(seeded_db, filters)
    expected = model.action_summary(filters)
    for field in ("actions", "completed", "open", "overdue", "implementation_rate"):
        assert close(totals[field], expected[field]), field
    counts = actions.status_counts(seeded_db, filters)
    rows = model.action_rows(filters)
    assert dict(zip(counts["status"], counts["actions"])) == {
        s: sum(r["status"] == s for r in rows) for s in actions.ACTION_STATUSES
    }


def test_actions_by_source_recommendation_agency(seeded_db):
    by_source = actions.by_source(seeded_db, Filters()).set_index("source_title")
    evaluation = [r for r in ACTION_ROWS if r["source_title"] == EVALUATION]
    assert by_source.loc[EVALUATION, "actions"] == len(evaluation)
    assert by_source.loc[EVALUATION, "completed"] == sum(r["status"] == "completed" for r in evaluation)
    assert by_source.loc[EVALUATION, "overdue"] == sum(model.is_overdue(r) for r in evaluation)
    recs = actions.by_recommendation(seeded_db, Filters(), EVALUATION)
    assert list(recs["recommendation_no"]) == ["1", "2", "3"]
    assert list(recs["actions"]) == [3, 2, 1]
    assert pd.isna(recs.iloc[2]["implementation_rate"])  # only a no-longer-applicable action
    agencies = actions.by_agency(seeded_db, Filters()).set_index("agency")
    assert agencies.loc["Not assigned", "actions"] == sum(r["agency"] is None for r in ACTION_ROWS)
    assert agencies["actions"].sum() == len(ACTION_ROWS)


def test_overdue_list_and_ageing(seeded_db):
    overdue = actions.overdue(seeded_db, Filters())
    expected = sorted((r for r in ACTION_ROWS if model.is_overdue(r)), key=lambda r: r["deadline"])
    assert list(overdue["action"]) == [r["action"] for r in expected]
    assert list(overdue["days_late"]) == [(model.dt.date.today() - r["deadline"]).days for r in expected]
    ageing = actions.ageing(seeded_db, Filters())
    open_rows = [r for r in ACTION_ROWS if r["status"] in ("ongoing", "not_started")]
    assert dict(zip(ageing["ageing"], ageing["open_actions"])) == {
        b: sum(model.ageing_bucket(r) == b for r in open_rows) for b in actions.AGEING_BUCKETS
    }


# --- submissions, freshness, version ----------------------------------------------------------------


def test_freshness_is_when_each_agency_s_rows_arrived(seeded_db):
    fresh = activity.freshness(seeded_db, Filters()).set_index("agency")
    expected = model.last_submission_per_agency()
    assert set(fresh.index) == set(expected)
    for agency, when in expected.items():
        assert fresh.loc[agency, "last_submission"] == pd.Timestamp(when["all"]), agency
    reported = model.last_reported_per_agency()
    for agency, when in reported.items():
        day, source = when["all"]
        assert (fresh.loc[agency, "last_reported"], fresh.loc[agency, "reported_from"]) == (pd.Timestamp(day), source)
        assert fresh.loc[agency, "days_since"] == (dt.date.today() - when["all"][0]).days, agency
        for dataset in ("budget", "indicators", "actions"):
            shown = fresh.loc[agency, f"last_{dataset}"]
            assert (pd.isna(shown) and dataset not in when) or shown == pd.Timestamp(when[dataset]), (agency, dataset)
    # WHO: the rolled-back who_cbf_v2.xlsx brought no current rows; the latest is the indicators file, which states
    # the day it was reported
    assert fresh.loc["WHO", "last_file"] == "angola_indicators.xlsx"
    assert fresh.loc["WHO", "last_budget"] == pd.Timestamp("2025-05-07")
    assert (fresh.loc["WHO", "last_reported"], fresh.loc["WHO", "reported_from"]) == (
        pd.Timestamp("2025-05-20"),
        "date in the file",
    )
    assert list(activity.freshness(seeded_db, Filters(agency="FAO"))["agency"]) == ["FAO"]


def test_data_version_changes_when_a_submission_lands_or_is_rolled_back(fresh_db_path):
    con = store.connection.connect(fresh_db_path)
    try:
        before = activity.data_version(con)
        assert activity.data_version(con) == before
        con.execute("UPDATE submission_log SET status = 'rolled_back' WHERE submission_id = 3")
        after_rollback = activity.data_version(con)
        assert after_rollback != before
        con.execute("""INSERT INTO submission_log (submission_id, kind, file_name, sha256, status)
                       VALUES (99, 'budget', 'x.xlsx', 'abc', 'committed')""")
        assert activity.data_version(con) != after_rollback
    finally:
        con.close()


# --- filter options, query params, injection --------------------------------------------------------


def test_filter_options(seeded_db):
    every = activity.filter_options(seeded_db)
    assert every["countries"] == [ANGOLA, VIET_NAM]
    assert every["plans"] == [PLAN_A, PLAN_B]
    assert (every["year_min"], every["year_max"]) == (2023, 2025)
    assert len(every["outcomes"]) == 4 and len({o["label"] for o in every["outcomes"]}) == 4
    assert [a["code"] for a in every["agencies"]] == sorted({"UNDP", "UNICEF", "WHO", "FAO", "UNFPA", "UN Women"})
    narrowed = activity.filter_options(seeded_db, Filters(country=VIET_NAM))
    assert narrowed["plans"] == [PLAN_B]
    assert {o["key"] for o in narrowed["outcomes"]} <= {o["key"] for o in every["outcomes"]}
    labels = {o["key"]: o["label"] for o in every["outcomes"]}
    assert all(labels[o["key"]] == o["label"] for o in narrowed["outcomes"])  # labels do not move


def test_the_filter_bars_choices_are_one_statement_each(seeded_db, monkeypatch):
    """On a shared store every statement, and every table it reads, asks the catalog again (7-10 round trips a
    table): the choices are read in one statement (the narrowed ones in one more), with the same answer as ever."""
    from analytics import scope

    statements: list[str] = []
    fetched = analytics_sql._fetched
    monkeypatch.setattr(analytics_sql, "_fetched", lambda con, sql, *a: statements.append(sql) or fetched(con, sql, *a))
    every = activity.filter_options(seeded_db)
    assert len(statements) == 1
    statements.clear()
    narrowed = scope.filter_options(seeded_db, Filters(country=VIET_NAM, current_plans=True))
    assert len(statements) == 2
    assert narrowed["countries"] == every["countries"] and narrowed["plans"] == [PLAN_B]
    viet_nam = Filters(country=VIET_NAM)  # its one plan is its current one
    rows = [*model.budget_rows(viet_nam), *model.indicator_rows(viet_nam), *model.action_rows(viet_nam)]
    assert [a["code"] for a in narrowed["agencies"]] == sorted({a for r in rows for a in model.agencies_of(r)})
    assert "UN Women" not in {a["code"] for a in narrowed["agencies"]}  # an agency of Angola only


def test_filters_round_trip_through_query_params():
    f = Filters(country=ANGOLA, plan=PLAN_A, year_from=2024, year_to=2025, outcome=HEALTH, agency="UNDP")
    params = f.to_query_params()
    assert params == {"country": ANGOLA, "plan": PLAN_A, "outcome": HEALTH, "agency": "UNDP", "years": ["2024", "2025"]}
    assert Filters.from_query_params(params) == f
    labels = {HEALTH: "1 · By 2027…"}
    assert Filters.from_query_params(f.to_query_params(labels), {v: k for k, v in labels.items()}) == f
    # the bare address is the view the dashboard opens on: the current plan of each country; everything is asked for
    assert Filters.from_query_params({}) == Filters(current_plans=True)
    assert Filters.from_query_params({"years": ["x"]}) == Filters(current_plans=True)
    assert Filters().to_query_params() == {"all_plans": "true"}
    assert Filters.from_query_params({"all_plans": "true"}) == Filters()
    assert Filters(current_plans=True, agency="UNDP").to_query_params() == {"agency": "UNDP"}
    assert Filters.from_query_params({"plan": PLAN_A, "all_plans": "true"}) == Filters(plan=PLAN_A)


def test_user_values_are_parameters_not_sql(seeded_db):
    evil = "Angola' OR '1'='1"
    assert budget.totals(seeded_db, Filters(country=evil))["lines"] == 0
    assert exports.count(seeded_db, Filters(agency=evil), "actions") == 0


# --- export -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,rows,filters",
    [
        ("budget", lambda f: model.budget_rows(f), Filters(country=VIET_NAM)),
        ("budget", lambda f: model.budget_rows(f), Filters(agency="UNICEF", year_from=2024, year_to=2024)),
        ("indicators", lambda f: model.indicator_rows(f), Filters(plan=PLAN_A)),
        ("actions", lambda f: model.action_rows(f), Filters(country=VIET_NAM)),
    ],
)
def test_export_rows_match_the_filter(seeded_db, kind, rows, filters):
    df = exports.rows(seeded_db, filters, kind)
    assert len(df) == len(rows(filters)) == exports.count(seeded_db, filters, kind)
    assert len(exports.rows(seeded_db, filters, kind, limit=2)) == min(2, len(df))


def test_safe_csv_bytes_exact_text():
    df = pd.DataFrame(
        {
            "text": ["=1+1", "+CMD", "-2", "@SUM(A1)", "\tx", "\rx", "plain", None],
            "amount": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0, None],
        }
    )
    data = safe_csv_bytes(df)
    assert data == (
        "\ufefftext,amount\r\n'=1+1,1.5\r\n'+CMD,-2.0\r\n'-2,3.0\r\n'@SUM(A1),4.0\r\n"
        "'\tx,5.0\r\n\"'\rx\",6.0\r\nplain,7.0\r\n,\r\n"
    ).encode("utf-8")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["text", "amount"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+CMD", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "plain", ""]
    assert [r[1] for r in rows[1:]] == ["1.5", "-2.0", "3.0", "4.0", "5.0", "6.0", "7.0", ""]  # numbers stay numbers


def test_safe_excel_bytes_keeps_numbers_and_neutralises_text(tmp_path):
    df = pd.DataFrame({"title": ['=HYPERLINK("http://x")', "ok"], "required": [1000.0, None]})
    path = tmp_path / "x.xlsx"
    path.write_bytes(safe_excel_bytes(df))
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 1000 and sheet["B2"].data_type == "n"
    assert sheet["B3"].value is None


def test_export_of_seeded_text_is_formula_safe(seeded_db):
    df = exports.rows(seeded_db, Filters(outcome=HEALTH), "budget")
    rows = list(csv.DictReader(io.StringIO(safe_csv_bytes(df).decode("utf-8-sig"))))
    assert {r["suboutput_title"] for r in rows if r["suboutput_title"]} == {"'=Community nutrition (joint programme)"}
    assert all(float(r["required"]) > 0 for r in rows)


# --- formatting -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,text",
    [
        (12_400_000, "USD 12.4 M"),
        (999_600, "USD 1.0 M"),
        (450_000, "USD 450 K"),
        (0, "USD 0"),
        (-1_500_000, "USD -1.5 M"),
        (2_500_000_000, "USD 2.5 B"),
        (None, "—"),
        (float("nan"), "—"),
    ],
)
def test_format_money(value, text):
    assert format_money(value) == text


@pytest.mark.parametrize(
    "value,text", [(0.634, "63 %"), (1, "100 %"), (0, "0 %"), (None, "—"), (float("nan"), "—"), (float("inf"), "—")]
)
def test_format_rate(value, text):
    assert format_rate(value) == text


def test_labels():
    assert shorten("a" * 10, 20) == "a" * 10
    assert len(shorten("word " * 40, 30)) <= 30
    assert outcome_label("4.1", None) == "4.1" and outcome_label(None, None) == "(untitled outcome)"
    assert unique_labels(["x", "x", "y"], ["p", "q", "r"]) == ["x (p)", "x (q)", "y"]
    assert unique_labels(["x", "x"], ["p", "p"]) == ["x (p)", "x (p) #2"]


def test_work_plan_priority_areas_without_numbers_are_separate_recommendations(tmp_path):
    """A work plan names priority areas but numbers none: each area is its own row, labelled by its text."""
    from app.text import recommendation_label
    from etl.load import load_bytes
    from tests.test_load import workbook_bytes

    rows = [
        ["Source type", "Priority area", "Deliverable no.", "Deliverable", "Status"],
        ["workplan", "Protection at the centre", "1", "Indicators agreed", "[COMPLETED]"],
        ["workplan", "Protection at the centre", "2", "Review held", "[ONGOING]"],
        ["workplan", "Accountability to affected people", "1", "Feedback channels", "[CONTINUOUS]"],
    ]
    con = store.connection.connect(tmp_path / "wp.duckdb")
    result = load_bytes(con, workbook_bytes({"Workplan": rows}), "wp.xlsx", source="RG1 work plan")
    assert result.status == "committed", [str(e) for e in result.errors]
    table = actions.by_recommendation(con, Filters(), "RG1 work plan")
    labels = sorted(recommendation_label(n, t) for n, t in zip(table["recommendation_no"], table["recommendation"]))
    assert labels == ["Accountability to affected people", "Protection at the centre"]
    assert sorted(table["actions"]) == [1, 2]
    con.close()


def test_an_outcome_keeps_only_its_own_countrys_indicators(tmp_path):
    """Two countries' plans of one name, each with an output 1.1 measured by an indicator: narrowing to
    Kenya's outcome keeps Kenya's indicator only."""
    from etl.load import load_bytes
    from tests.test_load import BUDGET_HEADER, INDICATOR_HEADER, workbook_bytes

    con = store.connection.connect(tmp_path / "two.duckdb")
    for country, title in (("Kenya", "Health for all"), ("Ghana", "Decent jobs")):
        budget_file = workbook_bytes({"Budget": [BUDGET_HEADER, [2025, "1", title, "1.1", "UNDP", 10, 5, 1]]})
        indicator_file = workbook_bytes(
            {
                "Indicators": [
                    INDICATOR_HEADER,
                    [f"1.1.{country[0]}", f"{country} indicator", "1.1", "%", 40, 2022, 60, 2027, "2025", 50, "UNDP"],
                ]
            }
        )
        for name, data in ((f"{country}-b.xlsx", budget_file), (f"{country}-i.xlsx", indicator_file)):
            result = load_bytes(con, data, name, plan="UNSDCF", country=country)
            assert result.status == "committed", [str(e) for e in result.errors]
    kenya = outcome_key("UNSDCF", "1", "Health for all")
    assert list(indicators.progress(con, Filters(outcome=kenya))["indicator_code"]) == ["1.1.K"]
    assert sorted(indicators.progress(con, Filters())["indicator_code"]) == ["1.1.G", "1.1.K"]
    con.close()


def test_each_plan_is_measured_in_its_own_latest_year_and_country(tmp_path):
    """Plans end in different years, and two countries can have plans of one name: each plan of a country
    gets its own reporting year (the latest with spending), least complete first."""
    from etl.load import load_bytes
    from tests.test_load import BUDGET_HEADER, workbook_bytes

    con = store.connection.connect(tmp_path / "plans.duckdb")
    files = {
        ("Kenya", "UNSDCF"): [
            [2021, "1", "x", "1.1", "UNDP", 10, 5, 1],
            [2022, "1", "x", "1.1", "UNDP", 10, 5, 1],
            [2021, "1", "x", "1.1", "WHO", 10, 5, 1],
        ],
        ("Ghana", "UNSDCF"): [
            [2025, "1", "x", "1.1", "UNDP", 10, 5, 1],
            [2025, "1", "x", "1.1", "WHO", 10, 5, 1],
            [2026, "1", "x", "1.1", "WHO", 10, None, None],
        ],
    }
    for (country, plan), rows in files.items():
        result = load_bytes(
            con, workbook_bytes({"B": [BUDGET_HEADER, *rows]}), f"{country}.xlsx", plan=plan, country=country
        )
        assert result.status == "committed", [str(e) for e in result.errors]
    df = activity.reporting_completeness(con, Filters())
    rows = df[["country", "plan", "year", "agencies_reported", "agencies_expected", "not_reported"]]
    assert [tuple(None if pd.isna(v) else v for v in r) for r in rows.itertuples(index=False)] == [
        ("Kenya", "UNSDCF", 2022, 1, 2, "WHO"),
        ("Ghana", "UNSDCF", 2025, 2, 2, None),
    ]
    chosen = activity.reporting_completeness(con, Filters(year_from=2021, year_to=2021))
    assert list(chosen["agencies_reported"]) == [0, 2]  # Ghana had nothing for 2021; Kenya both
    con.close()


@pytest.mark.parametrize(
    "f",
    [
        Filters(country=ANGOLA),
        Filters(outcome=HEALTH),
        Filters(agency="UNICEF", country=ANGOLA),
        Filters(plan=PLAN_A, year_from=2024, year_to=2024),
    ],
)
def test_reporting_completeness_under_every_filter(seeded_db, f):
    df = activity.reporting_completeness(seeded_db, f)
    assert len(df) >= 1 and (df["agencies_reported"] <= df["agencies_expected"]).all()
    if f.year_to:
        assert set(df["year"]) == {f.year_to}


def test_the_reporting_year_is_never_in_the_future(tmp_path):
    import datetime as dt

    from etl.load import load_bytes
    from tests.test_load import BUDGET_HEADER, workbook_bytes

    this_year = dt.date.today().year
    con = store.connection.connect(tmp_path / "future.duckdb")
    rows = [
        [this_year - 1, "1", "x", "1.1", "UNDP", 10, 5, None],
        [this_year, "1", "x", "1.1", "UNDP", 10, 5, None],
        [this_year + 1, "1", "x", "1.1", "WHO", 10, 5, 1],
    ]  # the only spending: a planned future year
    assert load_bytes(con, workbook_bytes({"B": [BUDGET_HEADER, *rows]}), "f.xlsx", plan="P").status == "committed"
    assert list(activity.reporting_completeness(con, Filters())["year"]) == [this_year]
    con.close()


# --- the export preview's first lines, placed through the rollup ---------------------------------------------

#: the budget export's order (core.schema): the preview's first lines are the first in it
_ORDER = "plan, outcome_code, output_code, agency, year"


def _first_keys(con, f: Filters, limit: int) -> list[tuple]:
    """The order's values of the first `limit` lines, by sorting every line (ties of the order come in any order,
    the values do not)."""
    w = where("budget", f)
    return con.execute(f"SELECT {_ORDER} FROM budget{w.sql()} ORDER BY {_ORDER} LIMIT ?", [*w.params, limit]).fetchall()


def _preview_matches(con, f: Filters, limit: int) -> None:
    shown = exports.rows(con, f, "budget", limit)
    keys = [c.strip() for c in _ORDER.split(",")]
    got = [tuple(None if pd.isna(v) else v for v in r) for r in shown[keys].itertuples(index=False)]
    assert got == _first_keys(con, f, limit), (f, limit)
    w = where("budget", f)
    every = con.execute(f"SELECT * FROM budget{w.sql()}", w.params).df()
    assert len(shown.merge(every.drop_duplicates(), how="inner")) >= len(shown.drop_duplicates()), (f, limit)
    assert exports.count(con, f, "budget") == len(every), f


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 40, 200, 10_000])
def test_the_export_preview_is_the_first_lines_of_the_order(seeded_db, limit):
    """The rollup finds which groups of the order hold the first lines; the lines shown are those a sort of every
    line gives (their order's values; ties come in any order), whatever the filters, and the count is every line's."""
    for f in (
        Filters(),
        Filters(current_plans=True),
        Filters(country=ANGOLA),
        Filters(agency="UNDP"),
        Filters(year_from=2025, year_to=2025),
        Filters(plan=PLAN_B),
    ):
        _preview_matches(seeded_db, f, limit)


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5])
def test_the_export_preview_reaches_into_the_lines_whose_order_values_are_missing(tmp_path, limit):
    """The first lines' groups run from a value into the missing ones of one column (NULLs sort last): those lines
    are among the first too."""
    line = dict(country="Angola", plan="UNSDCF Angola 2023-2027", agency="UNDP", year=2024, submission_id=1)
    dataset = {
        "budget": [
            _budget_line(**line, outcome_code="1", output_code="1.1"),
            _budget_line(**line, outcome_code="1", output_code=None),
            _budget_line(**line, outcome_code=None, output_code="9.9"),
            _budget_line(**{**line, "agency": None}, outcome_code=None, output_code=None),
            _budget_line(**{**line, "agency": None, "year": 2025}, outcome_code=None, output_code=None),
        ],
        "indicators": [],
        "actions": [],
        "submissions": [dict(NULL_HEAVY["submissions"][0], submission_id=1, status="committed")],
    }
    con = store.connection.connect(write_db(tmp_path / "nulls-last.duckdb", dataset), read_only=True)
    try:
        _preview_matches(con, Filters(), limit)
    finally:
        con.close()


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(dataset=datasets(), limit=st.integers(1, 30))
def test_the_export_preview_is_the_first_lines_where_order_values_are_missing(tmp_path_factory, dataset, limit):
    """Missing plans, codes, agencies and years (NULLs sort last, the rollup's groups hold them too)."""
    db = write_db(tmp_path_factory.getbasetemp() / f"preview-{uuid.uuid4().hex}.duckdb", dataset)
    con = store.connection.connect(db, read_only=True)
    try:
        for f in (Filters(), Filters(current_plans=True), Filters(country="Angola")):
            _preview_matches(con, f, limit)
    finally:
        con.close()


def test_an_indicators_latest_row_is_the_latest_period_then_submission_then_agency(tmp_path):
    """Its definition (target, agency) and its latest actual come from its latest row: the latest period end, of
    those the latest submission, of those the agency first in alphabetical order; a missing period end or agency
    comes last."""

    def value(submission: int, period_end, agency, target: float, actual) -> dict:
        return {
            **dict.fromkeys(INDICATOR_COLUMNS),
            "country": ANGOLA,
            "plan": PLAN_B,
            "indicator_code": "I1",
            "indicator": f"wording of {agency} in {submission}",
            "baseline": 0.0,
            "baseline_year": 2023,
            "target": target,
            "target_year": 2030,
            "period": str(period_end),
            "period_end": period_end,
            "actual": actual,
            "agency": agency,
            "submission_id": submission,
        }

    end, earlier = dt.date(2025, 12, 31), dt.date(2024, 12, 31)
    dataset = {
        "budget": [],
        "indicators": [
            value(1, end, "UNICEF", 10.0, 3.0),
            value(2, end, "WHO", 20.0, 4.0),  # the latest submission's, with an actual
            value(2, end, "UNDP", 30.0, None),  # the latest submission's, first agency: the definition
            value(2, end, None, 40.0, 7.0),  # no agency: last
            value(3, earlier, "AAA", 50.0, 9.0),  # a later file, an earlier period
            value(3, None, "AAA", 60.0, 11.0),  # no period end: last
        ],
        "actions": [],
        "submissions": [dict(NULL_HEAVY["submissions"][0], submission_id=i, status="committed") for i in (1, 2, 3)],
    }
    con = store.connection.connect(write_db(tmp_path / "latest.duckdb", dataset), read_only=True)
    try:
        row = indicators.progress(con, Filters()).to_dict("records")
    finally:
        con.close()
    assert [(r["indicator"], r["agency"], r["target"], r["latest_actual"]) for r in row] == [
        ("wording of UNDP in 2", "UNDP", 30.0, 4.0)
    ]
    assert row[0]["progress"] == pytest.approx(4.0 / 30.0)
