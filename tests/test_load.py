"""Load semantics (SPEC §7): all or nothing, idempotent, replace-and-keep, rollback, every error listed."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

import store.connection
import store.migrations
import store.writes
from core.registry import Kind, UnknownKind
from core.schema import DATASETS, EXPORTS, KINDS
from etl.load import load_bytes

PLAN = "UNSDCF 2023-2027"


def workbook_bytes(sheets: dict[str, list[list]], hidden: tuple[str, ...] = (), merges: dict | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
        for ref in (merges or {}).get(name, ()):
            sheet.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BUDGET_HEADER = [
    "Fiscal year",
    "Outcome",
    "Outcome description",
    "Output no.",
    "UN entity",
    "Total Required Resources (USD)",
    "Funded",
    "Spent",
]


#: the columns of a UN INFO export a load reads (the real ones have about 90), two year blocks
UNINFO_HEADER = [
    "Country",
    "Plan name",
    "Outcome code",
    "Outcome",
    "Output code",
    "Output",
    "Sub-Output code",
    "Sub-Output",
    "ID",
    "Agency abbreviations",
    "Agencies",
    "Total required resources",
    "2025 Required",
    "2025 Available",
    "2025 Expenditure",
    "2026 Required",
    "2026 Available",
    "2026 Expenditure",
]


def uninfo_row(
    sub_id: int, agencies: str, *required: float | None, country: str = "Kenya", plan: str = "UNSDCF"
) -> list:
    """One sub-output of a UN INFO export: its required money per year (2025, 2026), half of it available and a
    quarter spent; no figure at all for a sub-output without money."""
    years = [
        [amount, amount / 2, amount / 4] if amount is not None else [None] * 3
        for amount in (list(required) + [None, None])[:2]
    ]
    return [
        country,
        plan,
        "1",
        "Outcome 1",
        "1.1",
        "Output 1.1",
        str(sub_id % 100),
        f"Sub-output {sub_id}",
        sub_id,
        agencies,
        None,
        sum(a for a in required if a is not None),
        *years[0],
        *years[1],
    ]


def uninfo_file(*rows: list) -> bytes:
    return workbook_bytes({"Data Explorer": [UNINFO_HEADER, *rows]})


def budget_file(rows: list[list], title=True) -> bytes:
    top = [["Common Budgetary Framework 2025 — Governance Results Group"], []] if title else []
    return workbook_bytes(
        {
            "Pivot": [["Agency", "Sum of required"], ["UNDP", 1000]],
            "Budget": [*top, BUDGET_HEADER, *rows],
            "Old": [BUDGET_HEADER, [2020, "1.1", "x", "1.1.1", "UNDP", 5, 5, 5]],
        },
        hidden=("Old",),
    )


@pytest.fixture
def con(tmp_path):
    connection = store.connection.connect(tmp_path / "test.duckdb")
    yield connection
    connection.close()


def budget_totals(con, agency=None):
    sql = "SELECT count(*), sum(required), sum(available), sum(expenditure) FROM budget"
    if agency:
        return con.execute(sql + " WHERE agency = ?", [agency]).fetchone()
    return con.execute(sql).fetchone()


GOOD_ROWS = [
    [2025, "1.1", "Governance is accountable", "1.1.1", "UNDP", "USD 250,000", "180,000", 120000],
    [2025, "1.1", None, "1.1.2", "UN-Women", 100000, None, None],
    ["Total", None, None, None, None, 350000, 180000, 120000],
    [2026, "1.2", "Justice for all", "1.2.1", "unicef", "(0)", "", ""],
]


def test_commit_reads_the_data_sheet_and_says_what_it_passed_over(con):
    data = budget_file(GOOD_ROWS)
    result = load_bytes(con, data, "cbf.xlsx", plan=PLAN, user="amina")
    assert result.status == "committed", [str(e) for e in result.errors]
    assert result.rows_added == 3
    warnings = [str(w) for w in result.warnings]
    assert "cbf.xlsx Budget!A6: 'Total': total row skipped (totals are computed, never loaded)" in warnings
    assert "cbf.xlsx Old: hidden sheet not read" in warnings
    assert any(w.startswith("cbf.xlsx Pivot: passed over") for w in warnings)
    rows = con.execute("""SELECT plan, year, outcome_code, output_code, agency, required, available, expenditure
                          FROM budget ORDER BY year, output_code""").fetchall()
    assert rows == [
        (PLAN, 2025, "1.1", "1.1.1", "UNDP", 250000.0, 180000.0, 120000.0),
        (PLAN, 2025, "1.1", "1.1.2", "UN Women", 100000.0, None, None),
        (PLAN, 2026, "1.2", "1.2.1", "UNICEF", 0.0, None, None),
    ]
    # merged-free rows keep their outcome title; a blank title stays blank
    assert (
        con.execute("SELECT outcome_title FROM budget WHERE output_code = '1.1.1'").fetchone()[0]
        == "Governance is accountable"
    )
    sub = con.execute("SELECT user_name, status, rows_added, file_name FROM submissions").fetchone()
    assert sub == ("amina", "committed", 3, "cbf.xlsx")
    assert store.writes.original_file(con, result.submission_id) == ("cbf.xlsx", data)


def test_a_file_with_errors_commits_nothing_and_lists_every_error(con):
    load_bytes(con, budget_file(GOOD_ROWS), "cbf.xlsx", plan=PLAN)
    before = budget_totals(con)
    broken = [
        [2025, "1.1", "x", "1.1.1", "UNDPP", 1000, 500, 100],
        [1899, "1.1", "x", "1.1.2", "UNFPA", "12abc", 500, 100],
        [2025, "1.1", "x", "1.1.3", "WHO", 1000, "(1,000)", 100],
    ]
    result = load_bytes(con, budget_file(broken), "broken.xlsx", plan=PLAN)
    assert result.status == "rejected"
    assert [(e.sheet, e.cell, e.column, e.value) for e in result.errors] == [
        ("Budget", "E4", "agency", "UNDPP"),
        ("Budget", "A5", "year", 1899),
        ("Budget", "F5", "required", "12abc"),
        ("Budget", "G6", "available", "(1,000)"),
    ]
    assert "did you mean UNDP?" in result.errors[0].expected
    assert str(result.errors[3]) == "broken.xlsx Budget!G6 column available: '(1,000)': an amount ≥ 0"
    assert budget_totals(con) == before
    assert con.execute("SELECT status, rows_added FROM submissions WHERE file_name = 'broken.xlsx'").fetchone() == (
        "rejected",
        0,
    )


def test_the_same_file_twice_changes_nothing_and_says_when(con):
    data = budget_file(GOOD_ROWS)
    first = load_bytes(con, data, "cbf.xlsx", plan=PLAN, user="amina")
    before = budget_totals(con)
    again = load_bytes(con, data, "cbf-copy.xlsx", plan=PLAN, user="jo")
    assert again.status == "duplicate"
    assert again.duplicate_of["submission_id"] == first.submission_id
    assert "already loaded on" in again.summary and "by amina" in again.summary
    assert budget_totals(con) == before
    assert con.execute("SELECT status FROM submissions ORDER BY submission_id").fetchall() == [
        ("committed",),
        ("duplicate",),
    ]


def test_a_resubmission_replaces_that_agencys_rows_and_rollback_restores_them_exactly(con):
    load_bytes(con, budget_file(GOOD_ROWS), "cbf.xlsx", plan=PLAN)
    before_all, before_undp = budget_totals(con), budget_totals(con, "UNDP")
    revised = [
        [2025, "1.1", "Governance", "1.1.1", "UNDP", 300000, 250000, 200000],
        [2025, "1.1", "Governance", "1.1.4", "UNDP", 50000, 0, 0],
    ]
    second = load_bytes(con, budget_file(revised, title=False), "cbf-undp-v2.xlsx", plan=PLAN)
    assert (second.status, second.rows_added, second.rows_replaced) == ("committed", 2, 1)
    assert budget_totals(con, "UNDP") == (2, 350000.0, 250000.0, 200000.0)
    assert budget_totals(con, "UNICEF") == (1, 0.0, None, None)  # other agencies untouched
    done = store.writes.rollback(con, second.submission_id, "admin")
    assert done == {"submission_id": second.submission_id, "rows_hidden": 2, "rows_restored": 1}
    assert budget_totals(con) == before_all
    assert budget_totals(con, "UNDP") == before_undp
    assert con.execute(
        "SELECT status, rolled_back_by FROM submissions WHERE submission_id = ?", [second.submission_id]
    ).fetchone() == ("rolled_back", "admin")
    # the rolled-back file may be loaded again (it is no longer a duplicate)
    assert load_bytes(con, budget_file(revised, title=False), "v2.xlsx", plan=PLAN).status == "committed"


def test_a_load_that_fails_halfway_changes_nothing(con, monkeypatch):
    load_bytes(con, budget_file(GOOD_ROWS), "cbf.xlsx", plan=PLAN)
    before = budget_totals(con)
    submissions_before = con.execute("SELECT count(*) FROM submissions").fetchone()
    real_insert = store.writes.replace_and_insert

    def crash_after_retiring(con_, scope, sid, columns):
        real_insert(con_, scope, sid, columns)  # rows retired and new rows written…
        raise OSError("disk full")  # …then the process fails

    monkeypatch.setattr(store.writes, "replace_and_insert", crash_after_retiring)
    revised = [[2025, "1.1", "Governance", "1.1.1", "UNDP", 1, 1, 1]]
    with pytest.raises(OSError):
        load_bytes(con, budget_file(revised), "v2.xlsx", plan=PLAN)
    assert budget_totals(con) == before
    assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == submissions_before[0] + 1
    assert con.execute(
        "SELECT file_name, status, rows_added FROM submissions ORDER BY submission_id DESC"
    ).fetchone() == ("v2.xlsx", "failed", 0)


def test_dry_run_previews_exactly_what_commit_does(con):
    load_bytes(con, budget_file(GOOD_ROWS), "cbf.xlsx", plan=PLAN)
    before = budget_totals(con)
    revised = [[2025, "1.1", "Governance", "1.1.1", "UNDP", 300000, 250000, 200000]]
    preview = load_bytes(con, budget_file(revised), "v2.xlsx", plan=PLAN, dry_run=True)
    assert (preview.status, preview.rows_added, preview.rows_replaced) == ("valid", 1, 1)
    scope = {"scopes": [PLAN], "agencies": ["UNDP"]}  # what the totals cover
    before_undp = {"rows": 1, "required": 250000.0, "available": 180000.0, "expenditure": 120000.0}
    after_undp = {"rows": 1, "required": 300000.0, "available": 250000.0, "expenditure": 200000.0}
    assert preview.preview["before"] == {**before_undp, "by_agency": {"UNDP": before_undp}, **scope}
    assert preview.preview["after"] == {**after_undp, "by_agency": {"UNDP": after_undp}, **scope}
    assert preview.preview["others"] == []  # it replaces no other agency's rows
    assert budget_totals(con) == before
    assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1


@pytest.mark.parametrize("encoding,delimiter", [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", "\t")])
def test_csv_encodings_and_delimiters(con, encoding, delimiter):
    lines = [
        ["Budget année 2025 — Côte d'Ivoire"],
        ["plan", "year", "outcome_code", "output_code", "agency", "required", "available", "expenditure"],
        [PLAN, "2025", "2.1", "2.1.1", "UNFPA", "1 234,00" if delimiter == ";" else "1234", "1000", ""],
    ]
    text = "\r\n".join(delimiter.join(cells) for cells in lines) + "\r\n"
    result = load_bytes(con, text.encode(encoding), "cbf.csv")
    if delimiter == ";":  # '1 234,00' is not a plain amount: the message says what was expected
        assert result.status == "rejected"
        assert result.errors[0].cell == "F3"
        return
    assert result.status == "committed", [str(e) for e in result.errors]
    assert con.execute("SELECT agency, required, available, expenditure FROM budget").fetchone() == (
        "UNFPA",
        1234.0,
        1000.0,
        None,
    )


def test_actions_with_merged_recommendations_and_month_deadlines(con):
    header = [
        "Rec. No.",
        "Recommendation",
        "Management response",
        "Key action no.",
        "Key action(s)",
        "Responsible unit(s)",
        "Deadline",
        "Status",
        "Comments",
    ]
    rows = [
        ["Management response to the evaluation"],
        header,
        ["1", "Strengthen partnerships", "Accepted", "1.1", "Map partners", "SPD", "2018/12", "[COMPLETED]", ""],
        [None, None, None, "1.2", "Partnership strategy", "SPD", "Dec 2019", "Initiated", "@risk: draft shared"],
        [
            "2",
            "Improve monitoring",
            "Partially agree",
            "2.1",
            "Results framework",
            "IEO",
            "2099-06-30",
            "Not started",
            "",
        ],
    ]
    data = workbook_bytes({"Management response": rows}, merges={"Management response": ["A3:A4", "B3:B4", "C3:C4"]})
    result = load_bytes(con, data, "mr.xlsx", source="Evaluation of UN Women strategic partnerships")
    assert result.status == "committed", [str(e) for e in result.errors]
    got = con.execute("""SELECT recommendation_no, recommendation, management_response, action_no, deadline,
                                status, comments, overdue, source_type FROM actions ORDER BY action_no""").fetchall()
    assert got == [
        (
            "1",
            "Strengthen partnerships",
            "accepted",
            "1.1",
            dt.date(2018, 12, 31),
            "completed",
            None,
            False,
            "evaluation",
        ),
        (
            "1",
            "Strengthen partnerships",
            "accepted",
            "1.2",
            dt.date(2019, 12, 31),
            "ongoing",
            "@risk: draft shared",
            True,
            "evaluation",
        ),
        (
            "2",
            "Improve monitoring",
            "partially_accepted",
            "2.1",
            dt.date(2099, 6, 30),
            "not_started",
            None,
            False,
            "evaluation",
        ),
    ]


def test_an_unknown_status_names_the_cell_and_the_accepted_words(con):
    header = ["Source title", "Rec. No.", "Key action no.", "Key action(s)", "Status"]
    data = workbook_bytes({"Actions": [header, ["Audit 2024", "1", "1.1", "Fix it", "Almost there"]]})
    result = load_bytes(con, data, "actions.xlsx")
    assert result.status == "rejected"
    error = result.errors[0]
    assert (error.sheet, error.cell, error.column, error.value) == ("Actions", "E2", "status", "Almost there")
    assert "completed" in error.expected and "no_longer_applicable" in error.expected


def test_indicators_load_with_period_ends(con):
    header = [
        "Indicator code",
        "Indicator",
        "Result code",
        "Unit",
        "Baseline",
        "Baseline year",
        "Target",
        "Target year",
        "Reporting period",
        "Actual value",
        "Agency",
    ]
    rows = [
        header,
        ["1.1.a", "Births attended by skilled personnel", "1.1", "%", 42, 2022, 60, 2027, "2025", 51, "UNICEF"],
        ["1.1.a", "Births attended by skilled personnel", "1.1", "%", 42, 2022, 60, 2027, "Q2 2026", None, "UNICEF"],
    ]
    result = load_bytes(con, workbook_bytes({"Indicators": rows}), "ind.xlsx", plan=PLAN, country="Demoland")
    assert result.status == "committed", [str(e) for e in result.errors]
    assert con.execute(
        "SELECT country, period, period_end, actual FROM indicator_values ORDER BY period"
    ).fetchall() == [
        ("Demoland", "2025", dt.date(2025, 12, 31), 51.0),
        ("Demoland", "2026-Q2", dt.date(2026, 6, 30), None),
    ]


INDICATOR_HEADER = [
    "Indicator code",
    "Indicator",
    "Result code",
    "Unit",
    "Baseline",
    "Baseline year",
    "Target",
    "Target year",
    "Reporting period",
    "Actual value",
    "Agency",
]


def load_budget_of(con, country: str, plan: str, agency: str = "UNDP"):
    """A one-line budget of `agency` for `plan` of `country` (given with the file, as `--country`)."""
    data = workbook_bytes({"Budget": [BUDGET_HEADER, [2025, "1.1", country, "1.1.1", agency, 10, 5, 1]]})
    return load_bytes(con, data, f"{country}-{agency}.xlsx", plan=plan, country=country)


def load_indicator_of(con, code: str, plan: str, country: str | None = None, agency: str = "UNICEF", **options):
    """A one-row indicators file of `agency` for `plan`, without a country column (`country`: as `--country`)."""
    rows = [INDICATOR_HEADER, [code, "Births attended", "1.1", "%", 42, 2022, 60, 2027, "2025", 51, agency]]
    return load_bytes(con, workbook_bytes({"Indicators": rows}), f"{code}.xlsx", plan=plan, country=country, **options)


CHOOSE = "choose the country (--country, or the Upload page's Country field)"


def test_a_row_without_a_country_takes_the_one_chosen_for_the_file_else_its_plans(con):
    """The country rule: the file's column, else the country chosen for the file, else the plan's when its name is
    known in one country; a name known in several countries refuses the file listing them; an unknown one loads
    without a country, with a warning. The country is stored in the rows."""
    for country, plan, agency in (("Demoland", PLAN, "UNDP"), ("Kenya", "UNSDCF", "UNDP"), ("Ghana", "UNSDCF", "WHO")):
        assert load_budget_of(con, country, plan, agency).status == "committed"
    for code, plan, country in (("a", PLAN, None), ("c", "UNSDCF", "Ghana"), ("d", "UNSDCF", "Kenya")):
        result = load_indicator_of(con, code, plan, country)
        assert (result.status, result.rows_replaced, result.warnings) == ("committed", 0, []), [
            str(p) for p in result.errors + result.warnings
        ]
    # d (Kenya's UNSDCF) did not replace c (Ghana's UNSDCF): same plan name, agency and period, two countries
    assert con.execute("SELECT indicator_code, plan, country FROM indicator_rows ORDER BY 1").fetchall() == [
        ("a", PLAN, "Demoland"),
        ("c", "UNSDCF", "Ghana"),
        ("d", "UNSDCF", "Kenya"),
    ]

    refused = load_indicator_of(con, "b", "UNSDCF", agency="UNFPA")
    assert refused.status == "rejected"
    assert [str(e) for e in refused.errors] == [
        f"b.xlsx Indicators column country: plan 'UNSDCF' exists in Ghana, Kenya (2 countries): {CHOOSE}"
    ]
    assert con.execute("SELECT count(*) FROM indicator_rows").fetchone()[0] == 3
    assert con.execute("SELECT status, rows_added FROM submissions WHERE file_name = 'b.xlsx'").fetchall() == [
        ("rejected", 0)
    ]

    unknown = load_indicator_of(con, "e", "A plan nobody loaded", agency="UNFPA")
    assert unknown.status == "committed"
    assert [str(w) for w in unknown.warnings] == [
        "e.xlsx Indicators column country: plan 'A plan nobody loaded' is not known in any country yet: 1 row(s) "
        f"loaded without a country show only under 'All countries' (to place them in a country, {CHOOSE})"
    ]
    assert con.execute("SELECT country FROM indicator_rows WHERE indicator_code = 'e'").fetchall() == [(None,)]


def test_a_budget_takes_the_country_of_its_file_or_its_plan(con):
    """A CBF has no country (the Upload page had no Country field): its rows took none and were invisible under
    every country. They now take the file's column, the country chosen for the file, or their plan's."""
    from analytics import budget
    from analytics.filters import Filters

    assert load_budget_of(con, "Kenya", "UNSDCF").status == "committed"
    unicef = workbook_bytes({"Budget": [BUDGET_HEADER, [2025, "2.1", "x", "2.1.1", "UNICEF", 100, 50, 10]]})
    assert load_bytes(con, unicef, "unicef.xlsx", plan="UNSDCF").status == "committed"
    assert budget.totals(con, Filters(country="Kenya"))["lines"] == 2
    assert load_budget_of(con, "Ghana", "UNSDCF", "WHO").status == "committed"
    unfpa = workbook_bytes({"Budget": [BUDGET_HEADER, [2025, "2.1", "x", "2.1.1", "UNFPA", 7, 5, 1]]})
    refused = load_bytes(con, unfpa, "unfpa.xlsx", plan="UNSDCF")
    assert [str(e) for e in refused.errors] == [
        f"unfpa.xlsx Budget column country: plan 'UNSDCF' exists in Ghana, Kenya (2 countries): {CHOOSE}"
    ]
    assert load_bytes(con, unfpa, "unfpa.xlsx", plan="UNSDCF", country="Ghana").status == "committed"
    # a country column: each row its own; a blank cell takes the file's own country for a plan nobody loaded yet
    header = [*BUDGET_HEADER, "Country"]
    rows = [[2025, "3.1", "x", "3.1.1", "FAO", 1, 1, 1, "Ghana"], [2025, "3.1", "x", "3.1.1", "FAO", 2, 1, 1, "Kenya"]]
    new = [[2025, "3.1", "x", "3.1.1", "FAO", 3, 1, 1, "Togo"], [2025, "3.1", "x", "3.1.2", "FAO", 4, 1, 1, None]]
    assert load_bytes(con, workbook_bytes({"Budget": [header, *rows]}), "fao.xlsx", plan="UNSDCF").status == "committed"
    done = load_bytes(con, workbook_bytes({"Budget": [header, *new]}), "fao-togo.xlsx", plan="New plan")
    assert (done.status, done.warnings) == ("committed", [])
    assert con.execute(
        "SELECT plan, country, required FROM budget WHERE agency = 'FAO' ORDER BY required"
    ).fetchall() == [
        ("UNSDCF", "Ghana", 1.0),
        ("UNSDCF", "Kenya", 2.0),
        ("New plan", "Togo", 3.0),
        ("New plan", "Togo", 4.0),
    ]
    assert con.execute("SELECT country FROM submissions WHERE file_name = 'unicef.xlsx'").fetchall() == [("Kenya",)]


def test_a_row_that_takes_its_plans_country_may_not_repeat_another(con):
    assert load_budget_of(con, "Kenya", "UNSDCF").status == "committed"
    header = [*BUDGET_HEADER, "Country"]
    rows = [
        [2025, "1.1", "x", "1.1.1", "UNICEF", 10, 5, 1, "Kenya"],
        [2025, "1.1", "x", "1.1.1", "UNICEF", 20, 5, 1, None],
    ]
    result = load_bytes(con, workbook_bytes({"Budget": [header, *rows]}), "twice.xlsx", plan="UNSDCF")
    assert [(e.cell, e.expected) for e in result.errors] == [
        ("row 3", "a unique row: the same plan, country, year, output_code, agency, funding_source is already on row 2")
    ]
    assert con.execute("SELECT count(*) FROM budget WHERE agency = 'UNICEF'").fetchone()[0] == 0


ACTION_HEADER = ["Source title", "Rec. No.", "Key action no.", "Key action(s)", "Status", "Agency"]


@pytest.mark.parametrize("kind", ["indicators", "actions", "budget"])
def test_another_agencys_load_never_moves_rows_out_of_their_country(con, kind):
    """UNICEF's rows loaded without a country show under their plan's country. WHO's budget for a plan of the
    same name in another country used to change that: indicators dropped out of every country (their country,
    derived in a view, became ambiguous), actions showed under both countries, and a CBF never had one."""
    from analytics import exports
    from analytics.filters import Filters

    assert load_budget_of(con, "Kenya", "UNSDCF").status == "committed"
    data = {
        "indicators": workbook_bytes(
            {
                "Indicators": [
                    INDICATOR_HEADER,
                    ["a", "Births attended", "1.1", "%", 42, 2022, 60, 2027, "2025", 51, "UNICEF"],
                ]
            }
        ),
        "actions": workbook_bytes(
            {"Actions": [ACTION_HEADER, ["CF evaluation", "1", "1.1", "Fix it", "Ongoing", "UNICEF"]]}
        ),
        "budget": workbook_bytes({"Budget": [BUDGET_HEADER, [2025, "2.1", "x", "2.1.1", "UNICEF", 100, 50, 10]]}),
    }
    assert load_bytes(con, data[kind], "unicef.xlsx", plan="UNSDCF").status == "committed"

    def shown() -> dict[str, int]:
        return {
            country: exports.count(con, Filters(country=country, agency="UNICEF"), kind)
            for country in ("Kenya", "Ghana")
        }

    assert shown() == {"Kenya": 1, "Ghana": 0}
    assert load_budget_of(con, "Ghana", "UNSDCF", "WHO").status == "committed"
    assert shown() == {"Kenya": 1, "Ghana": 0}


def test_a_countrys_history_holds_the_submissions_of_its_plans_only(con):
    """A submission is of its plan's country: a plan name two countries use no longer lists it under both."""
    from analytics import activity
    from analytics.filters import Filters

    for country in ("Kenya", "Ghana"):
        assert load_budget_of(con, country, "UNSDCF").status == "committed"
    assert (
        load_bytes(
            con,
            workbook_bytes(
                {
                    "Indicators": [
                        INDICATOR_HEADER,
                        ["a", "Births attended", "1.1", "%", 42, 2022, 60, 2027, "2025", 51, "UNICEF"],
                    ]
                }
            ),
            "kenya-indicators.xlsx",
            plan="UNSDCF",
            country="Kenya",
        ).status
        == "committed"
    )
    history = activity.submission_history(con, Filters(country="Kenya"))
    assert sorted(history["file"]) == ["Kenya-UNDP.xlsx", "kenya-indicators.xlsx"]


def test_actions_of_one_source_in_two_countries_do_not_replace_each_other(con):
    def actions(status: str) -> bytes:
        return workbook_bytes({"Actions": [ACTION_HEADER, ["CF evaluation", "1", "1.1", "Fix it", status, "UNDP"]]})

    assert load_bytes(con, actions("Ongoing"), "kenya.xlsx", country="Kenya").status == "committed"
    ghana = load_bytes(con, actions("Completed"), "ghana.xlsx", country="Ghana")
    assert (ghana.status, ghana.rows_added, ghana.rows_replaced) == ("committed", 1, 0)
    assert con.execute("SELECT country, status FROM actions ORDER BY 1").fetchall() == [
        ("Ghana", "completed"),
        ("Kenya", "ongoing"),
    ]


def test_a_plan_name_shared_by_two_countries_is_two_plans(con):
    assert load_budget_of(con, "Kenya", "UNSDCF").status == "committed"
    ghana = load_budget_of(con, "Ghana", "UNSDCF")
    assert (ghana.status, ghana.rows_added, ghana.rows_replaced) == ("committed", 1, 0)
    assert con.execute("SELECT country FROM budget ORDER BY 1").fetchall() == [("Ghana",), ("Kenya",)]
    again = load_bytes(
        con,
        workbook_bytes({"Budget": [BUDGET_HEADER, [2025, "1.1", "v2", "1.1.1", "UNDP", 20, 5, 1]]}),
        "kenya-v2.xlsx",
        plan="UNSDCF",
        country="Kenya",
        dry_run=True,
    )
    assert (again.rows_added, again.rows_replaced) == (1, 1)  # Kenya's line only
    assert again.preview["before"]["rows"] == 1 and again.preview["before"]["required"] == 10


def test_duplicate_keys_inside_one_file_are_refused_listing_the_rows(con):
    rows = [[2025, "1.1", "x", "1.1.1", "UNDP", 10, 5, 1], [2025, "1.1", "x", "1.1.1", "UNDP", 20, 5, 1]]
    result = load_bytes(con, budget_file(rows, title=False), "dup.xlsx", plan=PLAN)
    assert result.status == "rejected"
    assert [(e.cell, e.expected) for e in result.errors] == [
        ("row 3", "a unique row: the same plan, country, year, output_code, agency, funding_source is already on row 2")
    ]


def test_schema_migrates_in_place(tmp_path):
    path = tmp_path / "old.duckdb"
    con = store.connection.connect(path)
    con.close()
    con = store.connection.connect(path)  # second open: nothing to migrate, views intact
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == store.migrations.SCHEMA_VERSION
    assert {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()} >= {
        "budget",
        "indicator_values",
        "actions",
        "submissions",
    }
    con.close()


def test_the_registry_describes_the_migrated_database(con):
    """core.schema's tables, stored columns, SQL types and views are the database's: the staging tables of a load
    (typed from the registry) fit the tables the migrations made, and every view has the registry's columns."""
    tables = {t.name: t for kind in KINDS.values() for t in kind.tables}
    assert set(tables) == {"budget_lines", "suboutputs", "indirect_cost_rows", "indicator_rows", "action_rows"}
    for name, table in tables.items():
        found = {
            c: t
            for c, t in con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?", [name]
            ).fetchall()
        }
        assert found == {
            **{c.name: c.type for c in table.columns},
            "submission_id": "BIGINT",
            "current": "BOOLEAN",
            "replaced_by": "BIGINT",
        }, name
    for dataset in DATASETS.values():
        columns = [r[0] for r in con.execute(f"DESCRIBE {dataset.view.name}").fetchall()]
        assert columns == list(dataset.view.columns), dataset.name
    # every table a kind fills is read through exactly one dataset's view
    assert sorted(d.view.source for d in DATASETS.values() if d.view.source in tables) == sorted(tables)


def test_an_unknown_kind_or_dataset_is_an_error_naming_the_known_ones():
    with pytest.raises(UnknownKind, match=r"^unknown dataset kind 'submissions'; one of budget, indicators, actions$"):
        KINDS["submissions"]
    with pytest.raises(
        UnknownKind,
        match=r"^unknown dataset 'budgets'; one of budget, indicators, actions, "
        r"submissions, suboutputs, indirect_costs$",
    ):
        DATASETS["budgets"]
    assert list(EXPORTS) == ["budget", "indicators", "actions", "submissions"]
    assert DATASETS["submissions"].exportable and not isinstance(DATASETS["submissions"], Kind)


#: the views as migration 4 found them: an indicator took its plan's country when exactly one country had a plan
#: of that name; actions had no country (pages placed them through their plan)
VIEWS_BEFORE_4 = [
    """CREATE OR REPLACE VIEW indicator_values AS
       SELECT coalesce(i.country, p.country) AS country, i.plan, indicator_code, indicator, result_code, unit,
              baseline, baseline_year, target, target_year, period, period_end, actual, agency,
              means_of_verification, submission_id
       FROM indicator_rows i LEFT JOIN (
           SELECT plan, min(country) AS country FROM plans WHERE coalesce(country, '') <> ''
           GROUP BY plan HAVING count(DISTINCT country) = 1) p ON p.plan = i.plan
       WHERE i.current""",
    """CREATE OR REPLACE VIEW actions AS
       SELECT source_type, source_title, recommendation_no, recommendation, management_response, action_no,
              action, responsible, agency, deadline, status, comments, as_of, FALSE AS overdue, plan, submission_id
       FROM action_rows WHERE current""",
]


def test_migration_4_stores_the_country_the_view_derived(tmp_path):
    """Rows loaded before migration 4 keep the country they were shown under, now stored; from then on a plan
    of the same name in another country changes nothing."""
    path = tmp_path / "v2.duckdb"
    con = store.connection.connect(path)
    for country, plan, agency in (("Demoland", PLAN, "UNDP"), ("Kenya", "UNSDCF", "UNDP"), ("Ghana", "UNSDCF", "WHO")):
        assert load_budget_of(con, country, plan, agency).status == "committed"
    con.execute("DELETE FROM schema_migrations WHERE version = 4")
    con.execute("DROP VIEW actions")
    con.execute("ALTER TABLE action_rows DROP COLUMN country")
    for sql in VIEWS_BEFORE_4:
        con.execute(sql)
    con.executemany(
        """INSERT INTO indicator_rows (country, plan, indicator_code, period, current, submission_id)
                       VALUES (?, ?, ?, '2025', ?, 9)""",
        [
            [None, PLAN, "a", True],
            [None, PLAN, "a-old", False],
            [None, "UNSDCF", "b", True],
            ["Ghana", "UNSDCF", "c", True],
            [None, "Nobody's plan", "d", True],
        ],
    )
    con.executemany(
        """INSERT INTO action_rows (plan, source_type, source_title, action_no, status, submission_id)
                       VALUES (?, 'evaluation', 'CF evaluation', ?, 'ongoing', 9)""",
        [[PLAN, "1"], ["UNSDCF", "2"], [None, "3"]],
    )
    shown_before = con.execute("SELECT indicator_code, country FROM indicator_values ORDER BY 1").fetchall()
    assert shown_before == [("a", "Demoland"), ("b", None), ("c", "Ghana"), ("d", None)]
    con.close()

    con = store.connection.connect(path)
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == store.migrations.SCHEMA_VERSION
    assert con.execute("SELECT indicator_code, country FROM indicator_values ORDER BY 1").fetchall() == shown_before
    assert con.execute("SELECT indicator_code, country FROM indicator_rows ORDER BY 1").fetchall() == [
        ("a", "Demoland"),
        ("a-old", "Demoland"),
        ("b", None),
        ("c", "Ghana"),
        ("d", None),
    ]  # retired rows too
    assert con.execute("SELECT action_no, country FROM actions ORDER BY 1").fetchall() == [
        ("1", "Demoland"),
        ("2", None),
        ("3", None),
    ]
    assert load_budget_of(con, "Atlantis", PLAN, "WHO").status == "committed"  # the name now in two countries
    assert con.execute("SELECT indicator_code, country FROM indicator_values ORDER BY 1").fetchall() == shown_before
    assert con.execute("SELECT action_no, country FROM actions ORDER BY 1").fetchall()[0] == ("1", "Demoland")
    con.close()


def test_the_database_reads_no_file_outside_its_folder_and_its_settings_are_locked(con):
    import duckdb

    with pytest.raises(duckdb.PermissionException, match="file system operations are disabled"):
        con.execute("SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(duckdb.Error, match="Cannot change configuration option"):
        con.execute("SET enable_external_access = true")
    settings = dict(
        con.execute("""SELECT name, value FROM duckdb_settings() WHERE name IN
        ('autoinstall_known_extensions', 'autoload_known_extensions', 'lock_configuration')""").fetchall()
    )
    assert settings == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "lock_configuration": "true",
    }


def test_many_files_are_written_in_bounded_batches(con, monkeypatch):
    from etl import load

    monkeypatch.setattr(load, "BATCH_FILES", 2)
    agencies = ["UNDP", "UNICEF", "UNFPA", "WHO", "FAO"]
    files = [
        (budget_file([[2025, "1.1", "x", f"1.1.{n}", a, 100 * (n + 1), 50, 10]]), f"{a}.xlsx")
        for n, a in enumerate(agencies)
    ]
    files.append(files[0])  # the same content again in the same call: a duplicate
    seen = []
    results = load.load_many(con, files, plan=PLAN, progress=lambda f, t: seen.append(f))
    assert [r.status for r in results] == ["committed"] * 5 + ["duplicate"]
    assert len({r.submission_id for r in results}) == 6  # every file is its own submission
    assert budget_totals(con) == (5, 1500.0, 250.0, 50.0)
    assert seen == sorted(seen) and seen[-1] == 1.0


@pytest.mark.parametrize(
    "label, total",
    [
        ("Total", True),
        ("TOTAL:", True),
        ("Sub-total", True),
        ("Subtotal outcome 1", True),
        ("Total outcome 2.1", True),
        ("Grand Total", True),
        ("Total 2025", True),
        ("Total for outcome 1", True),
        ("Total (USD)", True),
        ("Total budget", True),
        ("Total enrolment in primary school increased", False),
        ("Total factor productivity rises", False),
    ],
)
def test_total_rows_are_labels_not_sentences(label, total):
    from etl.dataset import is_total_row

    assert is_total_row([label, None, None]) is total


def test_a_title_beginning_with_total_is_data_not_a_total_row(con):
    rows = [
        [2025, "2.1", "Total enrolment in primary school increased", "2.1.1", "UNICEF", 500, 400, 300],
        ["Total", None, None, None, None, 500, 400, 300],
    ]
    result = load_bytes(con, budget_file(rows, title=False), "edu.xlsx", plan=PLAN)
    assert (result.status, result.rows_added) == ("committed", 1)
    assert [w.value for w in result.warnings if "total row" in w.expected] == ["Total"]
    assert con.execute("SELECT outcome_title, required FROM budget").fetchall() == [
        ("Total enrolment in primary school increased", 500.0)
    ]


def test_the_same_row_in_two_sheets_is_refused_naming_both(con):
    row = [2025, "1.1", "x", "1.1.1", "UNDP", 100, 50, 10]
    data = workbook_bytes(
        {"Q1": [BUDGET_HEADER, row], "Q2": [BUDGET_HEADER, [2025, "1.1", "x", "1.1.2", "UNDP", 1, 1, 1], row]}
    )
    result = load_bytes(con, data, "twice.xlsx", plan=PLAN)
    assert result.status == "rejected"
    assert [(e.sheet, e.cell, e.expected) for e in result.errors] == [
        (
            "Q2",
            "row 3",
            "a unique row: the same plan, country, year, output_code, agency, funding_source is already on "
            "row 2 of sheet 'Q1'",
        )
    ]
    assert budget_totals(con)[0] == 0


def test_a_key_action_needs_its_recommendations_number_or_text(con):
    rows = [
        ["Source type", "Source title", "Recommendation no.", "Recommendation", "Action no.", "Key action", "Status"],
        ["evaluation", "CF evaluation", "1", None, "1.1", "Joint review", "Completed"],
        ["evaluation", "CF evaluation", None, "Strengthen data", "2.1", "Data plan", "Ongoing"],
        ["evaluation", "CF evaluation", None, None, "3.1", "Orphan", "Ongoing"],
    ]
    result = load_bytes(con, workbook_bytes({"Actions": rows}), "mr.xlsx")
    assert result.status == "rejected"
    assert [(e.cell, e.column, e.expected) for e in result.errors] == [
        (
            "C4",
            "recommendation_no / recommendation",
            "a value in recommendation_no or recommendation (one of the two is required on every row)",
        )
    ]


def test_the_agency_given_with_a_budget_file_fills_its_missing_column(con):
    header = [h for h in BUDGET_HEADER if h != "UN entity"]
    data = workbook_bytes({"Budget": [header, [2025, "1.1", "x", "1.1.1", 100, 50, 10]]})
    missing = load_bytes(con, data, "undp.xlsx", plan=PLAN)
    assert [e.expected for e in missing.errors] == [
        "missing required column 'agency' (also accepted: un entity, organization, organisation, puno) "
        "(or choose it for the whole file at upload time)"
    ]
    result = load_bytes(con, data, "undp.xlsx", plan=PLAN, agency="undp")
    assert result.status == "committed", [str(e) for e in result.errors]
    assert con.execute("SELECT agency, required FROM budget").fetchall() == [("UNDP", 100.0)]


def test_the_currency_a_header_carries_is_kept(con):
    header = ["Fiscal year", "Outcome", "Output no.", "UN entity", "Required (EUR)", "Funded (EUR)", "Spent (€)"]
    result = load_bytes(
        con, workbook_bytes({"CBF": [header, [2025, "1", "1.1", "UNDP", 100, 50, 10]]}), "eur.xlsx", plan=PLAN
    )
    assert result.status == "committed", [str(e) for e in result.errors]
    assert con.execute("SELECT required, currency FROM budget").fetchall() == [(100.0, "EUR")]
    gbp = [h.replace("(EUR)", "(GBP)").replace("(€)", "(GBP)") for h in header]
    result = load_bytes(
        con, workbook_bytes({"CBF": [gbp, [2026, "1", "1.1", "UNDP", 100, 50, 10]]}), "gbp.xlsx", plan=PLAN
    )
    assert result.status == "committed", [str(e) for e in result.errors]
    assert con.execute("SELECT currency FROM budget WHERE year = 2026").fetchall() == [("GBP",)]


def test_two_currencies_in_one_sheets_headers_or_a_row_against_its_header_are_refused(con):
    header = ["Fiscal year", "Outcome", "Output no.", "UN entity", "Required (USD)", "Funded (EUR)"]
    result = load_bytes(
        con, workbook_bytes({"CBF": [header, [2025, "1", "1.1", "UNDP", 100, 50]]}), "mixed.xlsx", plan=PLAN
    )
    assert [(e.cell, e.value, e.expected) for e in result.errors] == [
        ("E1", "EUR / USD", "one currency for every money column of a sheet (convert the amounts, or split the file)")
    ]
    header = ["Fiscal year", "Outcome", "Output no.", "UN entity", "Required (EUR)", "Currency"]
    rows = [header, [2025, "1", "1.1", "UNDP", 100, None], [2025, "1", "1.2", "UNDP", 100, "usd"]]
    result = load_bytes(con, workbook_bytes({"CBF": rows}), "row.xlsx", plan=PLAN)
    assert [(e.cell, e.value, e.expected) for e in result.errors] == [
        ("F3", "usd", "EUR, the currency the money columns' headers name")
    ]
    assert budget_totals(con)[0] == 0


def test_an_amount_beyond_a_sane_bound_is_refused_naming_the_cell(con):
    """Two amounts of 1e308 made every card 'USD inf B': one money cell above ten trillion (number or text),
    or a number of an indicator above 10^15, is refused with its cell; nothing is loaded."""
    rows = [
        [2025, "1.1", "x", "1.1.1", "UNDP", 1000, 1e308, 0],
        [2025, "1.1", "x", "1.1.2", "UNFPA", "USD 20,000,000,000,000", 1e308, 0],
        [2025, "1.1", "x", "1.1.3", "WHO", 9_999_999_999_999, 1e-300, 0],
    ]
    result = load_bytes(con, budget_file(rows), "huge.xlsx", plan=PLAN)
    assert result.status == "rejected"
    assert [str(e) for e in result.errors] == [
        "huge.xlsx Budget!G4 column available: 1e+308: an amount below 10,000,000,000,000",
        "huge.xlsx Budget!F5 column required: 'USD 20,000,000,000,000': an amount below 10,000,000,000,000",
        "huge.xlsx Budget!G5 column available: 1e+308: an amount below 10,000,000,000,000",
        "huge.xlsx Budget!G6 column available: 1e-300: 0, or a figure above 1e-100 in size (one this small is no "
        "real figure)",
    ]
    indicators = [INDICATOR_HEADER, ["1.1.a", "Births", "1.1", "%", 0, 2022, 1e300, 2027, "2025", 5, "UNICEF"]]
    result = load_bytes(con, workbook_bytes({"Indicators": indicators}), "i.xlsx", plan=PLAN)
    assert [str(e) for e in result.errors] == [
        "i.xlsx Indicators!G2 column target: 1e+300: a number below 1,000,000,000,000,000 in size"
    ]
    assert budget_totals(con) == (0, None, None, None)
    assert con.execute("SELECT count(*) FROM indicator_values").fetchone()[0] == 0
