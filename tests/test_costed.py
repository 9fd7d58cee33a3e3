"""Costed work plans (issue 13): a deliverable's planned cost, funds secured, their source and its group, from the
template and the words focal points type to the actions view and the Recommendations page's sums; the status
change since a date from the submission history; the budget pages' year-on-year comparison.

Expected figures are computed here in plain Python from the rows written (the demo work plans' own data, the
seeded fixture's model), never with the SQL under test."""

from __future__ import annotations

import datetime as dt
import io
import math

import openpyxl
import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto

import store.connection
import store.migrations
import store.writes
from analytics import actions, compare, metrics
from analytics.filters import Filters
from analytics.identity import outcome_key
from app.charts import NOTHING_TO_DRAW
from app.testing import open_page
from core.formatting import format_count, format_money, format_rate
from core.schema import ACTIONS
from demo import content, generate
from etl.load import load_bytes
from etl.template import template_bytes
from etl.validate import match_header
from store import history
from tests import model
from tests.fixtures import BUDGET_ROWS

PLAN = "UNSDCF Demoland 2025-2029"
SOURCE = "Human Rights Working Group work plan 2026"


def workbook(rows: list[list], sheet: str = "Work plan") -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = [
    "Deliverable no.",
    "Priority area",
    "Deliverable",
    "Agency",
    "Status",
    "Cost (USD)",
    "Funds secured",
    "Source of funds",
    "Pillar",
    "Source type",
]


def plan_file(*rows: list) -> bytes:
    return workbook([HEADER, *([*row, "workplan"] for row in rows)])


@pytest.fixture
def con(tmp_path):
    con = store.connection.connect(tmp_path / "costed.duckdb")
    yield con
    con.close()


def load(con, data: bytes, name: str = "plan.xlsx", **options):
    return load_bytes(con, data, name, plan=PLAN, country="Demoland", source=SOURCE, **options)


# --- template, synonyms, validation ------------------------------------------------------------------------------


def test_the_template_round_trip_carries_cost_funding_source_and_group(con):
    """The actions template has the five new columns; a filled copy loads them into the actions view as written,
    and a blank cost stays NULL (not costed), never 0."""
    book = openpyxl.load_workbook(io.BytesIO(template_bytes("actions", store.writes.entities(con))))
    sheet = book[ACTIONS.sheet_title]
    header = [c.value for c in sheet[1]]
    for name in ("planned_cost", "funded", "funding_source", "work_group", "currency"):
        assert name in header
    at = {name: header.index(name) + 1 for name in header}
    for r, values in enumerate(
        (
            {
                "action_no": "1.1",
                "recommendation": "Follow-up to the mechanisms",
                "action": "UPR submission",
                "status": "completed",
                "planned_cost": 38000,
                "funded": 38000,
                "funding_source": "OHCHR",
                "work_group": "Rule of law pillar",
            },
            {
                "action_no": "1.2",
                "recommendation": "Follow-up to the mechanisms",
                "action": "HRDDP training",
                "status": "ongoing",
                "planned_cost": 52000.5,
                "funded": None,
                "funding_source": None,
                "work_group": "Rule of law pillar",
                "currency": "EUR",
            },
            {"action_no": "2.1", "recommendation": "Advocacy", "action": "Human Rights Day", "status": "not_started"},
        ),
        start=2,
    ):
        for name, value in values.items():
            sheet.cell(row=r, column=at[name], value=value)
    out = io.BytesIO()
    book.save(out)
    result = load(con, out.getvalue(), "filled-template.xlsx")
    assert result.status == "committed", [str(e) for e in result.errors]
    assert result.warnings == []
    assert con.execute("""SELECT action_no, planned_cost, funded, funding_source, work_group, currency FROM actions
                          ORDER BY action_no""").fetchall() == [
        ("1.1", 38000.0, 38000.0, "OHCHR", "Rule of law pillar", "USD"),
        ("1.2", 52000.5, None, None, "Rule of law pillar", "EUR"),
        ("2.1", None, None, None, None, "USD"),
    ]


@pytest.mark.parametrize(
    "typed, column",
    [
        ("Budget", "planned_cost"),
        ("Cost (USD)", "planned_cost"),
        ("Estimated cost", "planned_cost"),
        ("Coût", "planned_cost"),
        ("Cout estime", "planned_cost"),
        ("Coût prévu (EUR)", "planned_cost"),
        ("Costo", "planned_cost"),
        ("Presupuesto", "planned_cost"),
        ("Funded", "funded"),
        ("Secured", "funded"),
        ("Funds secured (USD)", "funded"),
        ("Financé", "funded"),
        ("Fonds mobilisés", "funded"),
        ("Financiado", "funded"),
        ("Fondos asegurados", "funded"),
        ("Source of funds", "funding_source"),
        ("Funded by", "funding_source"),
        ("Source de financement", "funding_source"),
        ("Fuente de financiamiento", "funding_source"),
        ("Donor", "funding_source"),
        ("Pillar", "work_group"),
        ("Working group", "work_group"),
        ("Results group", "work_group"),
        ("Pilier", "work_group"),
        ("Groupe de travail", "work_group"),
        ("Grupo de trabajo", "work_group"),
        ("Pilar", "work_group"),
        ("Devise", "currency"),
    ],
)
def test_the_words_focal_points_type_for_cost_funding_and_group(typed, column):
    matched = match_header(["Deliverable no.", "Deliverable", "Status", typed], "actions")
    assert matched[3] == column


def test_source_still_names_the_source_and_budget_files_stay_budgets():
    """'Source' is the source's title, not the funds'; a budget's header is not mistaken for a costed plan."""
    assert match_header(["Source", "Source of funds"], "actions") == {0: "source_title", 1: "funding_source"}
    result_budget = match_header(["Fiscal year", "Outcome", "Output no.", "UN entity", "Budget", "Funded"], "budget")
    assert set(result_budget.values()) == {"year", "outcome_code", "output_code", "agency", "required", "available"}


def test_bad_amounts_are_refused_by_cell_and_funds_above_cost_warned(con):
    result = load(
        con,
        plan_file(
            ["1.1", "Area", "A", "OHCHR", "Ongoing", "12abc", None, None, None],
            ["1.2", "Area", "B", "OHCHR", "Ongoing", "(50)", "-3", None, None],
            ["1.3", "Area", "C", "OHCHR", "Ongoing", "20000000000000", None, None, None],
            ["1.4", "Area", "D", "OHCHR", "Ongoing", 1000, 1500, "UNDP", None],
        ),
    )
    assert result.status == "rejected"
    assert [str(e) for e in result.errors] == [
        "plan.xlsx Work plan!F2 column planned_cost: '12abc': an amount such as 1,234.50 or USD 1,234",
        "plan.xlsx Work plan!F3 column planned_cost: '(50)': an amount ≥ 0",
        "plan.xlsx Work plan!G3 column funded: '-3': an amount ≥ 0",
        "plan.xlsx Work plan!F4 column planned_cost: '20000000000000': an amount below 10,000,000,000,000",
    ]
    assert [str(w) for w in result.warnings if w.code == "above_ceiling"] == [
        "plan.xlsx Work plan!G5 column funded: 1500: at most the planned_cost (1,000.00 in F5): funded is 500.00 "
        "above it (kept as written)"
    ]
    assert con.execute("SELECT count(*) FROM action_rows").fetchone()[0] == 0


def test_funds_above_cost_load_with_the_warning_and_a_cent_is_no_excess(con):
    result = load(
        con,
        plan_file(
            ["1.1", "Area", "D", "OHCHR", "Ongoing", 1000, 1500, "UNDP", None],
            ["1.2", "Area", "E", "OHCHR", "Ongoing", 1000, 1000.004, "UNDP", None],
        ),
    )
    assert result.status == "committed"
    assert [w.cell for w in result.warnings if w.code == "above_ceiling"] == ["G2"]
    assert con.execute("SELECT funded FROM actions ORDER BY action_no").fetchall() == [(1500.0,), (1000.004,)]


def test_migration_7_leaves_earlier_rows_without_cost(tmp_path):
    """A database from before the costed columns: its actions gain them, NULL (never 0), and keep loading."""
    path = tmp_path / "v4.duckdb"
    con = store.connection.connect(path)
    con.execute("DELETE FROM schema_migrations WHERE version = 7")
    con.execute("DROP VIEW actions")
    for column in ("planned_cost", "funded", "funding_source", "work_group", "currency"):
        con.execute(f"ALTER TABLE action_rows DROP COLUMN {column}")
    con.execute("""INSERT INTO action_rows (plan, source_type, source_title, action_no, status, submission_id)
                   VALUES ('P', 'workplan', 'Old plan', '1', 'ongoing', 9)""")
    con.close()
    con = store.connection.connect(path)
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == store.migrations.SCHEMA_VERSION
    assert con.execute(
        "SELECT action_no, planned_cost, funded, funding_source, work_group, currency FROM actions"
    ).fetchall() == [("1", None, None, None, None, None)]
    totals = actions.cost_totals(con, Filters())
    assert (totals["planned_cost"], totals["costed"], totals["without_cost"]) == (None, 0, 1)
    con.close()


# --- the sums of the Recommendations page ---------------------------------------------------------------------


def _demo_deliverables() -> list[dict]:
    """The demo work plans' deliverables as the generator holds them (status words folded by hand)."""
    statuses = {
        "[COMPLETED]": "completed",
        "[ONGOING]": "ongoing",
        "[PLANNED]": "not_started",
        "[CONTINUOUS]": "continuous",
        "[DE-PRIORITIZED]": "deprioritized",
        "Cancelled": "no_longer_applicable",
        "Completed": "completed",
        "Ongoing": "ongoing",
        "Not started": "not_started",
        "Planned": "not_started",
    }
    out = []
    for n, (area, items) in enumerate(content.WORKPLAN, 1):
        for i, (_, _, _, _, status, _) in enumerate(items, 1):
            cost, funded, _ = content.WORKPLAN_COSTS.get(f"{n}.{i}", (None, None, None))
            out.append(
                {
                    "source": content.DEMO_WORKPLAN,
                    "group": area,
                    "status": statuses[status],
                    "cost": cost,
                    "funded": funded,
                }
            )
    for pillar, _, items in content.HRWG_WORKPLAN:
        for _, _, _, _, status, cost, funded, _, _ in items:
            out.append(
                {
                    "source": content.DEMO_HRWG,
                    "group": pillar,
                    "status": statuses[status],
                    "cost": cost,
                    "funded": funded,
                }
            )
    return out


def expected_costs(rows: list[dict]) -> dict:
    costed = [r for r in rows if r["cost"] is not None]
    both = [r for r in costed if r["funded"] is not None]
    funded = [r["funded"] for r in rows if r["funded"] is not None]
    return {
        "planned_cost": sum(r["cost"] for r in costed) if costed else None,
        "funded": sum(funded) if funded else None,
        "cost_gap": sum(r["cost"] - r["funded"] for r in both) if both else None,
        "funded_share": model.ratio(sum(r["funded"] for r in both), sum(r["cost"] for r in both)),
        "costed": len(costed),
        "without_cost": len(rows) - len(costed),
        "cost_without_funding": sum(r["cost"] for r in costed if r["funded"] is None)
        if any(r["funded"] is None for r in costed)
        else None,
    }


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    generate.build_demo(path)
    return path


def same(got: dict, expected: dict) -> None:
    for name, value in expected.items():
        if value is None:
            assert got[name] is None or (isinstance(got[name], float) and math.isnan(got[name])), name
        else:
            assert got[name] == pytest.approx(value), name


def test_cost_sums_by_status_and_group_equal_the_work_plans(demo_db):
    con = store.connection.connect(demo_db)
    try:
        workplans = _demo_deliverables()
        every = con.execute("SELECT count(*) FROM actions").fetchone()[0]
        evaluation_actions = every - len(workplans)  # the management response states no cost
        totals = actions.cost_totals(con, Filters())
        same(
            totals,
            {
                **expected_costs(workplans),
                "without_cost": expected_costs(workplans)["without_cost"] + evaluation_actions,
                "actions": every,
            },
        )
        assert totals["planned_cost"] == 656_000 and totals["funded"] == 353_000 and totals["cost_gap"] == 259_000
        assert totals["currencies"] == ["USD"]

        by_status = actions.cost_by(con, Filters(), "status").set_index("status")
        for status in {r["status"] for r in workplans}:
            mine = [r for r in workplans if r["status"] == status]
            expected = expected_costs(mine)
            same(by_status.loc[status].to_dict(), {k: v for k, v in expected.items() if k != "without_cost"})

        groups = actions.cost_by(con, Filters(), "group")
        for (source, group), row in zip(zip(groups["source_title"], groups["work_group"]), groups.to_dict("records")):
            mine = [r for r in workplans if r["source"] == source and r["group"] == group]
            if source in (content.DEMO_WORKPLAN, content.DEMO_HRWG):
                same(row, expected_costs(mine))
            else:
                assert row["planned_cost"] is None or math.isnan(row["planned_cost"])
                assert row["without_cost"] == row["actions"]
        pillars = groups[groups["source_title"] == content.DEMO_HRWG]
        assert set(pillars["work_group"]) == {p for p, _, _ in content.HRWG_WORKPLAN}
    finally:
        con.close()


def test_no_cost_is_not_zero_cost(con):
    """Deliverables without a cost are counted as such and left out of every sum; funding without a cost is
    outside the gap; a plan with no cost at all sums to NULL (shown '—'), never USD 0."""
    result = load(
        con,
        plan_file(
            ["1.1", "Area", "A", "OHCHR", "Ongoing", None, None, None, None],
            ["1.2", "Area", "B", "OHCHR", "Ongoing", None, 5000, "UNDP", None],
        ),
    )
    assert result.status == "committed"
    totals = actions.cost_totals(con, Filters())
    assert (totals["planned_cost"], totals["cost_gap"], totals["funded_share"]) == (None, None, None)
    assert (totals["costed"], totals["without_cost"], totals["funded"], totals["funded_without_cost"]) == (
        0,
        2,
        5000.0,
        5000.0,
    )
    assert metrics.PLANNED_COST.shown(totals["planned_cost"]) == "—"


# --- status changes since a date (the quarterly update) ---------------------------------------------------------


def _changes(con, since: dt.date, workplans_only: bool = False) -> pd.DataFrame:
    """Each action's status now and as the store showed it at the end of `since` (the page's and the brief's read)."""
    return actions.status_changes(con, history.as_of(con, since), Filters(), since, workplans_only).rows


def _shown(con, submission_id: int, start: dt.datetime, end: dt.datetime | None = None) -> None:
    """A submission's rows shown from `start` (and, when closed, until `end`): the history as if loaded then."""
    con.execute("UPDATE row_visibility SET shown_from = ? WHERE submission_id = ?", [start, submission_id])
    if end is not None:
        con.execute(
            "UPDATE row_visibility SET shown_until = ? WHERE submission_id = ? AND shown_until IS NOT NULL",
            [end, submission_id],
        )


#: a quarter's work plan and the next quarter's update: 1.1 completed, 1.2 unchanged, 1.3 dropped, 1.4 new
_Q3 = (
    ["1.1", "Area", "UPR submission", "OHCHR", "Ongoing", 38000, 20000, "OHCHR", "Rule of law"],
    ["1.2", "Area", "HRDDP training", "OHCHR", "Not started", 52000, 0, None, "Rule of law"],
    ["1.3", "Area", "Dropped later", "OHCHR", "Ongoing", None, None, None, "Rule of law"],
)
_Q4 = (
    ["1.1", "Area", "UPR submission", "OHCHR", "Completed", 38000, 38000, "OHCHR", "Rule of law"],
    ["1.2", "Area", "HRDDP training", "OHCHR", "Not started", 52000, 30000, None, "Rule of law"],
    ["1.4", "Area", "Human Rights Day", "OHCHR", "Planned", 15000, 15000, "Pooled", "Development"],
)


def test_status_change_since_the_previous_quarter_from_the_history(con):
    q3, q4 = plan_file(*_Q3), plan_file(*_Q4)
    first = load(con, q3, "q3.xlsx")
    second = load(con, q4, "q4.xlsx")
    _shown(con, first.submission_id, dt.datetime(2026, 9, 15, 10, 0), dt.datetime(2026, 11, 20, 10, 0))
    _shown(con, second.submission_id, dt.datetime(2026, 11, 20, 10, 0))

    quarter_end = actions.previous_quarter_end(dt.date(2026, 11, 30))
    assert quarter_end == dt.date(2026, 9, 30)
    changes = _changes(con, quarter_end).sort_values("action_no")
    assert [
        (
            r["action_no"],
            r["previous_status"] if r["previous_status"] == r["previous_status"] else None,
            r["status"],
            r["change"],
        )
        for r in changes.to_dict("records")
    ] == [
        ("1.1", "ongoing", "completed", "changed"),
        ("1.2", "not_started", "not_started", "unchanged"),
        ("1.4", None, "not_started", "new"),
    ]
    # before anything was shown everything is new; shown by the day's end counts (a date is its day's end)
    assert set(_changes(con, dt.date(2026, 9, 1))["change"]) == {"new"}
    assert list(_changes(con, dt.date(2026, 11, 20))["change"]) == ["unchanged"] * 3

    brief = _changes(con, quarter_end, workplans_only=True)
    assert list(brief.columns[:3]) == ["source_type", "source_title", "work_group"]
    assert [
        (r["work_group"], r["action_no"], r["planned_cost"], r["funded"], r["cost_gap"])
        for r in brief.to_dict("records")
    ] == [
        ("Development", "1.4", 15000.0, 15000.0, 0.0),
        ("Rule of law", "1.1", 38000.0, 38000.0, 0.0),
        ("Rule of law", "1.2", 52000.0, 30000.0, 22000.0),
    ]

    # the Q4 update rolled back (after the quarter's end): the Q3 rows are current again, nothing changed since
    store.writes.rollback(con, second.submission_id)
    assert list(_changes(con, quarter_end)["change"]) == ["unchanged"] * 3
    # the Q3 file was rolled back before the quarter's end (its first showing ended on 20 Sep), the Q4 one is
    # loaded again: nothing stood at the quarter's end
    store.writes.rollback(con, first.submission_id)
    con.execute(
        "UPDATE row_visibility SET shown_until = ? WHERE submission_id = ? AND shown_from < ?",
        [dt.datetime(2026, 9, 20), first.submission_id, dt.datetime(2026, 9, 16)],
    )
    assert load(con, q4, "q4.xlsx").status == "committed"
    assert list(_changes(con, quarter_end)["change"]) == ["new"] * 3


def test_the_recommendations_page_lists_the_statuses_that_moved_since_the_date(tmp_path, monkeypatch):
    """The page's "Status change since" section on the history above: the counts of all three kinds, and a table of
    only the changed and new actions, with the status then and now (an unchanged one is not listed)."""
    path = tmp_path / "changes.duckdb"
    con = store.connection.connect(path)
    try:
        first = load(con, plan_file(*_Q3), "q3.xlsx")
        second = load(con, plan_file(*_Q4), "q4.xlsx")
        _shown(con, first.submission_id, dt.datetime(2026, 9, 15, 10, 0), dt.datetime(2026, 11, 20, 10, 0))
        _shown(con, second.submission_id, dt.datetime(2026, 11, 20, 10, 0))
    finally:
        con.close()
    monkeypatch.setenv("UNCT_DB", str(path))
    app = open_page("recommendations", {"since": "2026-09-30"})
    assert not app.exception and not app.error
    captions = " ".join(c.value for c in app.caption)
    assert "Since 30 Sep 2026 (the sidebar's “Change since”): 1 changed status, 1 new (loaded since), 1 unchanged" in (
        captions
    )
    table = next(d.value for d in app.dataframe if "Status now" in d.value.columns)
    shown = table[["Action no.", "Status on 30 Sep 2026", "Status now", "Change"]].astype(object)
    assert [tuple(r) for r in shown.where(shown.notna(), None).values] == [  # by group: Development first
        ("1.4", None, "Not started", "new"),
        ("1.1", "Ongoing", "Completed", "changed"),
    ]


def test_the_change_since_is_read_from_the_visibility_history_not_the_log(con):
    """A deliverable replaced and shown again: the submission log cannot say when it came back, the history can. The
    statuses at a date are those the store showed then, whatever the log's times say."""
    q3 = plan_file(["1.1", "Area", "UPR submission", "OHCHR", "Ongoing", None, None, None, "Rule of law"])
    q4 = plan_file(["1.1", "Area", "UPR submission", "OHCHR", "Completed", None, None, None, "Rule of law"])
    first, second = load(con, q3, "q3.xlsx"), load(con, q4, "q4.xlsx")
    # the log says the Q4 file came before the quarter's end; the history says Q3 was shown until 20 Nov
    con.execute(
        "UPDATE submission_log SET created_at = ? WHERE submission_id = ?",
        [dt.datetime(2026, 9, 1), second.submission_id],
    )
    _shown(con, first.submission_id, dt.datetime(2026, 9, 15, 10, 0), dt.datetime(2026, 11, 20, 10, 0))
    _shown(con, second.submission_id, dt.datetime(2026, 11, 20, 10, 0))
    changes = _changes(con, dt.date(2026, 9, 30))
    assert list(zip(changes["previous_status"], changes["status"], changes["change"])) == [
        ("ongoing", "completed", "changed")
    ]


def test_another_agencys_plan_of_the_same_source_is_its_own_history(con):
    """Two agencies' rows of one source are two scopes: a later load by one does not hide the other's past."""
    load(con, plan_file(["1.1", "Area", "A", "OHCHR", "Ongoing", None, None, None, None]), "ohchr.xlsx")
    load(con, plan_file(["1.1", "Area", "A", "UNDP", "Completed", None, None, None, None]), "undp.xlsx")
    changes = _changes(con, history.now().date())
    assert sorted(zip(changes["agency"], changes["previous_status"], changes["change"])) == [
        ("OHCHR", "ongoing", "unchanged"),
        ("UNDP", "completed", "unchanged"),
    ]


# --- year on year ----------------------------------------------------------------------------------------------


def test_year_on_year_by_outcome_equals_each_year_on_its_own(seeded_db):
    """Every figure of both years and the change equal the plain-Python model of that outcome and year."""
    for page, figures in compare.FIGURES.items():
        df = compare.side_by_side(seeded_db, Filters(), "outcome", 2024, 2025, page)
        outcomes = {
            outcome_key(r["plan"], r["outcome_code"], r["outcome_title"])
            for r in BUDGET_ROWS
            if r["year"] in (2024, 2025)
        }
        assert set(df["outcome_key"]) == outcomes
        for row in df.to_dict("records"):
            by_year = {}
            for year in (2024, 2025):
                lines = model.budget_rows(Filters(outcome=row["outcome_key"], year_from=year, year_to=year))
                by_year[year] = model.money(lines) if lines else None
                _approx(row[f"lines_{year}"], len(lines) or None)
            for m in figures:
                values = {y: getattr(by_year[y], m.name) if by_year[y] else None for y in by_year}
                for year, value in values.items():
                    _approx(row[f"{m.name}_{year}"], value)
                change = None if None in values.values() else values[2025] - values[2024]
                _approx(row[f"{m.name}_change"], change)


def test_year_on_year_by_agency_keeps_joint_lines_whole_and_ignores_the_year_range(seeded_db):
    df = compare.side_by_side(seeded_db, Filters(year_from=2025, year_to=2025), "agency", 2024, 2025, "gaps")
    for row in df.to_dict("records"):
        for year in (2024, 2025):
            lines = [
                r
                for r in BUDGET_ROWS
                if r["year"] == year
                and (
                    ("Joint" if ";" in (r["agency"] or "") or r["joint"] else r["agency"] or "(no agency)")
                    == row["agency"]
                )
            ]
            required = [r["required"] for r in lines if r["required"] is not None]
            _approx(row[f"required_{year}"], sum(required) if required else None)
    assert "Joint" in set(df["agency"])


def test_year_on_year_years_are_those_with_lines(seeded_db):
    assert compare.years(seeded_db, Filters(year_from=2025)) == sorted({r["year"] for r in BUDGET_ROWS}, reverse=True)
    with pytest.raises(ValueError):
        compare.side_by_side(seeded_db, Filters(), "output", 2024, 2025)


def _approx(got, expected) -> None:
    if expected is None:
        assert got is None or pd.isna(got), (got, expected)  # NULL (NaN / NA in a frame)
    else:
        assert got == pytest.approx(expected), (got, expected)


# --- pages ------------------------------------------------------------------------------------------------------


def test_the_recommendations_page_sums_cost_and_says_what_has_none(demo_db, monkeypatch):
    monkeypatch.setenv("UNCT_DB", str(demo_db))
    app = open_page("recommendations")
    assert not app.exception and not app.error
    cards = {m.label: m.value for m in app.metric}
    assert cards["Planned cost"] == format_money(656_000)
    assert cards["Funds secured"] == format_money(353_000)
    assert cards["Funding gap"] == format_money(259_000)
    assert cards["Funded"] == format_rate(353_000 / (656_000 - 20_000 - 24_000))  # costs without funding left out
    captions = " ".join(c.value for c in app.caption)
    every = len(_demo_deliverables()) + sum(len(a) for _, _, _, a in content.RECOMMENDATIONS)
    costed = sum(r["cost"] is not None for r in _demo_deliverables())
    assert f"{format_count(costed)} of {format_count(every)} costed" in captions
    assert f"{format_count(every - costed)} of {format_count(every)} deliverables and actions state no cost" in captions
    assert f"{format_money(44_000)} of cost has no funding figure" in captions
    assert "Status change since the previous quarter" in " ".join(m.value for m in app.markdown) or any(
        "Status change" in str(h.value) for h in app.subheader
    )


def test_the_cost_bars_say_so_when_every_cost_stated_is_zero(tmp_path, monkeypatch):
    """A work plan whose deliverables state a cost of 0 (and no funds, or 0) is costed, not uncosted: the cards say
    USD 0 and the bars, which would be empty, give way to a sentence saying the costs are 0 and the table."""
    path = tmp_path / "zero.duckdb"
    con = store.connection.connect(path)
    try:
        assert (
            load(
                con,
                plan_file(
                    ["1.1", "Area", "Free event", "OHCHR", "Ongoing", 0, None, None, "Rule of law"],
                    ["1.2", "Area", "Volunteer work", "OHCHR", "Completed", 0, 0, "OHCHR", "Development"],
                ),
            ).status
            == "committed"
        )
    finally:
        con.close()
    monkeypatch.setenv("UNCT_DB", str(path))
    app = open_page("recommendations")
    assert not app.exception and not app.error
    planned = next(m for m in app.metric if m.label == "Planned cost")
    assert planned.value == format_money(0)
    assert planned.proto.delta.startswith("no change since")  # nothing was loaded then: USD 0 then, USD 0 now
    assert planned.proto.direction == MetricProto.MetricDirection.NONE  # no arrow up or down on "no change"
    captions = [c.value for c in app.caption]
    zero = "Every cost stated here is 0, with no funds secured above it: there is no bar to draw. The table lists"
    assert sum(c.startswith(zero) for c in captions) == 2  # by status and by group
    assert NOTHING_TO_DRAW not in captions
    assert not [c for c in captions if "USD 0 of cost" in c or "USD 0 is secured" in c]  # nothing to say of USD 0
    assert not [c for c in app.get("plotly_chart") if "cost-by" in c.proto.id]
    by_status = next(d.value for d in app.dataframe if d.value.columns[0] == "Status")
    assert sorted(by_status["Status"]) == ["Completed", "Ongoing"]


@pytest.mark.parametrize("page, lead", [("delivery", "Spent"), ("funding_gaps", "Funding gap")])
def test_the_budget_pages_compare_two_years(dashboard_db, page, lead):
    app = open_page(page)
    assert not app.exception and not app.error
    year = app.selectbox(key=f"compare-{'delivery' if page == 'delivery' else 'gaps'}-year")
    assert year.value == max(r["year"] for r in BUDGET_ROWS) or year.value == dt.date.today().year
    year.set_value(2025).run()
    app.selectbox(key=f"compare-{'delivery' if page == 'delivery' else 'gaps'}-with").set_value(2024).run()
    assert not app.exception and not app.error
    captions = " ".join(c.value for c in app.caption)
    assert f"outcome's {lead.lower()} in 2024 and in 2025" in captions
    assert "Budget lines are yearly" in captions


def test_the_year_on_year_section_says_when_no_year_has_the_figure(tmp_path, monkeypatch):
    """Two years of lines, none with spending reported: no chart of empty bars (an axis from -1 to 1), but a sentence
    naming the figure and the years, and the table of what the lines do have."""
    from tests.test_load import budget_file

    db = tmp_path / "unspent.duckdb"
    con = store.connection.connect(db)
    rows = [[year, "1.1", "Governance", f"1.1.{year}", "UNDP", 1000 * (year - 2020), "", ""] for year in (2024, 2025)]
    assert load_bytes(con, budget_file(rows), "cbf.xlsx", plan="Plan", country="Kenya").status == "committed"
    con.close()
    monkeypatch.setenv("UNCT_DB", str(db))
    app = open_page("delivery", {"all_plans": "true"})
    assert not app.exception and not app.error
    app.selectbox(key="compare-delivery-year").set_value(2025).run()
    captions = " ".join(c.value for c in app.caption)
    assert "Spent is not reported for any outcome in view, in 2024 or in 2025: there is no bar to draw." in captions
    # the lines over the years would be an empty axis too: the sentence and the table instead
    assert "Neither available nor spent money is reported for any year in view: there is no line to draw." in captions
    assert "chart-delivery-by-year" not in [c.proto.id.rsplit("-", 1)[-1] for c in app.get("plotly_chart")]
    assert (
        "No outcome in view has both available and spent money reported, so there are no bars to compare." in captions
    )
    by_year = next(t.value for t in app.dataframe if t.value.columns[0] == "Year")
    assert by_year["Year"].tolist() == [2024, 2025] and by_year["Required (USD)"].tolist() == [4000.0, 5000.0]
    table = next(t.value for t in app.dataframe if "Budget lines 2024" in t.value.columns)
    assert table["Budget lines 2024"].tolist() == [1] and table["Budget lines 2025"].tolist() == [1]
    assert table["Spent 2024 (USD)"].isna().all() and table["Spent 2025 (USD)"].isna().all()
    app = open_page("funding_gaps", {"all_plans": "true"})  # no gap either: nothing is available
    captions = " ".join(c.value for c in app.caption)
    assert (
        "Funding gap is not reported for any outcome in view, in 2024 or in 2025: there is no bar to draw." in captions
    )


def test_the_gap_bars_say_when_no_line_has_a_requirement(tmp_path, monkeypatch):
    """A line with money available and spent but no requirement stated (as a store written by other means can hold)
    and one whose requirement is zero and available money not reported: the gap bars — each the requirement, split —
    have nothing to draw: a sentence per chart and the table, never an empty axis; the years' lines still draw."""
    from tests.null_data import _budget_line, write_db

    lines = [
        _budget_line(
            country="Kenya",
            plan="Plan",
            outcome_code="1",
            outcome_title="Governance",
            output_code="1.1",
            agency=agency,
            required=required,
            available=available,
            expenditure=200.0,
            year=2025,
        )
        for agency, required, available in (("UNDP", None, 500.0), ("UNICEF", 0.0, None))
    ]
    db = write_db(tmp_path / "unrequired.duckdb", {"budget": lines, "indicators": [], "actions": [], "submissions": []})
    monkeypatch.setenv("UNCT_DB", str(db))
    app = open_page("funding_gaps", {"all_plans": "true"})
    assert not app.exception and not app.error
    captions = " ".join(c.value for c in app.caption)
    for level in ("outcome", "agency"):
        assert f"No {level} in view has a requirement reported: there is no bar to draw." in captions, level
    charts = [c.proto.id for c in app.get("plotly_chart")]
    assert not [c for c in charts if "gaps-by-outcome" in c or "gaps-by-agency" in c]
    assert [c for c in charts if c.endswith("chart-gaps-by-year")]
    agencies = next(t.value for t in app.dataframe if t.value.columns[0] == "Agency")
    assert sorted(agencies["Agency"]) == ["UNDP", "UNICEF"] and agencies["Available (USD)"].sum() == 500.0
