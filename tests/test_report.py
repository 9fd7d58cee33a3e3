"""The validation report workbook (SPEC §7): every problem with its cell, the cells marked in a copy."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import openpyxl
import pytest

import store.connection
from core.errors import Problem
from core.palette import EXCEL_ERROR_FILL
from etl.load import load_bytes
from etl.report import HINTS, REPORT_COLUMNS, error_report_bytes, how_to_fix

PLAN = "UNSDCF 2023-2027"
HEADER = ["year", "outcome_code", "output_code", "agency", "required", "available", "expenditure"]


@pytest.fixture
def con(tmp_path):
    connection = store.connection.connect(tmp_path / "t.duckdb")
    yield connection
    connection.close()


def _bad_workbook() -> bytes:
    """Three errors: an unknown agency (D3), a formula-looking year (A4), a negative amount (E5)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Budget"
    sheet.append(HEADER)
    sheet.append([2025, "1.1", "1.1.1", "UNDP", 1000, 800, 500])
    sheet.append([2025, "1.1", "1.1.2", "UNDPP", 1000, 800, 500])
    sheet.append([None, "1.1", "1.1.3", "WHO", 1000, None, None])
    sheet["A4"].value = "=1+1"
    sheet["A4"].data_type = "s"  # stored as text, as a pasted value would be
    sheet.append([2025, "1.2", "1.2.1", "FAO", "(1,000)", None, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row)) for row in rows[1:]]


def test_report_lists_and_marks_every_error(con):
    data = _bad_workbook()
    result = load_bytes(con, data, "bad.xlsx", plan=PLAN, dry_run=True)
    assert result.status == "rejected"
    assert sorted(p.cell for p in result.errors) == ["A4", "D3", "E5"]

    report = openpyxl.load_workbook(io.BytesIO(error_report_bytes("bad.xlsx", data, result.errors + result.warnings)))
    assert report.sheetnames[0] == "Errors"
    errors = report["Errors"]
    assert tuple(c.value for c in errors[1]) == REPORT_COLUMNS
    listed = [r for r in _rows(errors) if r["severity"] == "error"]
    assert sorted((r["sheet"], r["cell"], r["column"]) for r in listed) == [
        ("Budget", "A4", "year"),
        ("Budget", "D3", "agency"),
        ("Budget", "E5", "required"),
    ]
    for row in listed:
        assert row["what was expected"] and row["how to fix"]
    by_cell = {r["cell"]: r for r in listed}
    assert "UNDP" in by_cell["D3"]["how to fix"]
    assert "2000" in by_cell["A4"]["how to fix"]

    copy = report["Budget"]
    assert [c.value for c in copy[1]] == HEADER
    for ref in ("D3", "A4", "E5"):
        cell = copy[ref]
        assert cell.fill.fgColor.rgb.endswith(EXCEL_ERROR_FILL)
        assert cell.comment is not None and "expected" in cell.comment.text
    assert copy["D3"].value == "UNDPP"
    # untouched cells stay unmarked
    assert copy["D2"].fill.fgColor.rgb in (None, "00000000")
    assert copy["D2"].comment is None


def test_formula_looking_values_stay_text(con):
    data = _bad_workbook()
    result = load_bytes(con, data, "bad.xlsx", plan=PLAN, dry_run=True)
    report = openpyxl.load_workbook(io.BytesIO(error_report_bytes("bad.xlsx", data, result.errors)))
    value_col = REPORT_COLUMNS.index("value") + 1
    formula_cells = [row[value_col - 1] for row in report["Errors"].iter_rows(min_row=2) if row[2].value == "A4"]
    assert len(formula_cells) == 1
    cell = formula_cells[0]
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert report["Budget"]["A4"].value == "=1+1" and report["Budget"]["A4"].data_type == "s"
    # no formula anywhere in the report
    for sheet in report.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate)


def test_hand_made_problems_rows_and_csv():
    data = b"year;output_code;agency\n2025;1.1.1;UNDP\n2025;1.1.1;UNDP\n"
    problems = [
        Problem(
            "b.csv",
            "b",
            "row 3",
            "plan, year",
            "2025 / 1.1.1",
            "a unique row: the same key is already on row 2",
            code="duplicate_row",
        ),
        Problem("b.csv", "b", "C2", "agency", "@SUM(A1)", "a known UN entity code such as UNDP", code="unknown_agency"),
        Problem("b.csv", None, None, None, None, "the file is damaged", code="unreadable_file"),
        Problem("b.csv", "b", "D1", None, "+cmd", "unknown column ignored", "warning", code="unknown_column"),
    ]
    report = openpyxl.load_workbook(io.BytesIO(error_report_bytes("b.csv", data, problems)))
    assert report.sheetnames == ["Errors", "b"]
    rows = _rows(report["Errors"])
    assert [r["severity"] for r in rows] == ["error", "error", "error", "warning"]
    copy = report["b"]
    for ref in ("A3", "B3", "C3", "C2"):
        assert copy[ref].fill.fgColor.rgb.endswith(EXCEL_ERROR_FILL), ref
    assert copy["A2"].fill.fgColor.rgb in (None, "00000000")
    assert copy["A3"].comment is not None
    assert copy["C2"].value == "UNDP"
    values = {r["cell"]: r["value"] for r in rows}
    assert values["C2"] == "@SUM(A1)" and report["Errors"]["E3"].data_type == "s"
    assert report["Errors"]["E3"].quotePrefix


def test_how_to_fix_lines():
    def fix(code, column, expected, severity="error", **more):
        return how_to_fix(Problem("f", "S", "A1", column, "x", expected, severity, code=code, **more))

    assert "one of: completed" in fix("bad_value", "status", "a status: completed, ongoing")
    assert "UNDP" in fix("unknown_agency", "agency", "a known UN entity — did you mean UNDP?", suggestion="UNDP")
    assert fix("unknown_agency", "agency", "a known UN entity code such as UNDP").startswith("Use a UN entity code")
    assert "yyyy-mm-dd" in fix("bad_value", "as_of", "a date such as 2018-12-31")
    assert "header row" in fix("missing_column", "required", "missing required column 'required' (also accepted: x)")
    assert "Fill in" in fix("value_required", "output_code", "a value (the output_code column must be filled in)")
    assert fix("total_row", None, "total row skipped (totals are computed, never loaded)", "warning").startswith(
        "Nothing to do"
    )
    assert fix("figure_out_of_bounds", "required", "an amount below 10,000,000,000,000").startswith("Check the figure")
    assert fix("figure_out_of_bounds", "2024 Available", "an amount below 10,000,000,000,000").startswith(
        "Check the figure"
    )
    assert "loaded as written" in fix(
        "indirect_cost_arithmetic",
        "required",
        "7 % of the direct costs above it "
        "(100.00) is 7.00: this programme support cost differs by +1.00 "
        "(kept as written)",
        "warning",
    )
    assert "later row" in fix(
        "suboutput_differs",
        "ID",
        "the same sub-output as row 4, differing in End date: this "
        "later row wins (its details and figures replace those of row 4)",
        "warning",
    )
    assert "Country field" in fix(
        "country_ambiguous",
        "country",
        "plan 'UNSDCF' exists in Ghana, Kenya (2 countries): "
        "choose the country (--country, or the Upload page's Country field)",
    )
    assert fix(
        "replaces_other_agency", "ID", "ID 101 is a sub-output of UNICEF; your account may replace only UNDP's rows"
    ).startswith("Remove this row")
    assert "Country field" in fix(
        "country_unknown",
        "country",
        "plan 'X' is not known in any country yet: 1 row(s) loaded without a country show only under 'All countries'",
        "warning",
    )
    # the hint keys on the code, never on the words: a plan named like another problem's phrase changes nothing
    assert "Country field" in fix(
        "country_unknown", "country", "plan 'hidden sheet' is not known in any country yet", "warning"
    )


def test_every_problem_code_has_a_hint_and_every_hint_is_for_a_code_raised():
    """Codes given anywhere in the production code (`code="…"`, a ParseError's default) are exactly HINTS' keys; a
    code is only ever a literal or passed on (`exc.code`, a `code` parameter), so none escapes this count."""
    root = Path(__file__).resolve().parents[1]
    raised: set[str] = set()
    for path in sorted(p for folder in ("core", "store", "etl", "demo") for p in (root / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.keyword) and node.arg == "code":
                value = node.value
                choices = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
                for choice in choices:
                    if (isinstance(choice, ast.Attribute) and choice.attr == "code") or (
                        isinstance(choice, ast.Name) and choice.id == "code"
                    ):
                        continue  # passed on (a ParseError's, a parameter's)
                    assert isinstance(choice, ast.Constant) and isinstance(choice.value, str), (
                        f"{path.name}:{node.value.lineno}: a code is a literal"
                    )
                    raised.add(choice.value)
            elif isinstance(node, ast.arguments):
                named = [*node.posonlyargs, *node.args]
                for arg, default in zip(named[len(named) - len(node.defaults) :], node.defaults):
                    if arg.arg == "code" and isinstance(default, ast.Constant):
                        raised.add(default.value)
    assert raised - set(HINTS) == set(), "codes raised without a hint"
    assert set(HINTS) - raised == set(), "hints for codes never raised"
