"""The validation report workbook (SPEC §7): every problem with its cell, the cells marked in a copy."""
from __future__ import annotations

import io

import openpyxl
import pytest

from etl import store
from etl.load import load_bytes
from etl.report import ERROR_FILL_COLOR, REPORT_COLUMNS, error_report_bytes, how_to_fix
from etl.validate import Problem

PLAN = "UNSDCF 2023-2027"
HEADER = ["year", "outcome_code", "output_code", "agency", "required", "available", "expenditure"]


@pytest.fixture
def con(tmp_path):
    connection = store.connect(tmp_path / "t.duckdb")
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
        ("Budget", "A4", "year"), ("Budget", "D3", "agency"), ("Budget", "E5", "required")]
    for row in listed:
        assert row["what was expected"] and row["how to fix"]
    by_cell = {r["cell"]: r for r in listed}
    assert "UNDP" in by_cell["D3"]["how to fix"]
    assert "2000" in by_cell["A4"]["how to fix"]

    copy = report["Budget"]
    assert [c.value for c in copy[1]] == HEADER
    for ref in ("D3", "A4", "E5"):
        cell = copy[ref]
        assert cell.fill.fgColor.rgb.endswith(ERROR_FILL_COLOR)
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
    data = "year;output_code;agency\n2025;1.1.1;UNDP\n2025;1.1.1;UNDP\n".encode()
    problems = [
        Problem("b.csv", "b", "row 3", "plan, year", "2025 / 1.1.1", "a unique row: the same key is already on row 2"),
        Problem("b.csv", "b", "C2", "agency", "@SUM(A1)", "a known UN entity code such as UNDP"),
        Problem("b.csv", None, None, None, None, "the file is damaged"),
        Problem("b.csv", "b", "D1", None, "+cmd", "unknown column ignored", "warning"),
    ]
    report = openpyxl.load_workbook(io.BytesIO(error_report_bytes("b.csv", data, problems)))
    assert report.sheetnames == ["Errors", "b"]
    rows = _rows(report["Errors"])
    assert [r["severity"] for r in rows] == ["error", "error", "error", "warning"]
    copy = report["b"]
    for ref in ("A3", "B3", "C3", "C2"):
        assert copy[ref].fill.fgColor.rgb.endswith(ERROR_FILL_COLOR), ref
    assert copy["A2"].fill.fgColor.rgb in (None, "00000000")
    assert copy["A3"].comment is not None
    assert copy["C2"].value == "UNDP"
    values = {r["cell"]: r["value"] for r in rows}
    assert values["C2"] == "@SUM(A1)" and report["Errors"]["E3"].data_type == "s"
    assert report["Errors"]["E3"].quotePrefix


def test_how_to_fix_lines():
    def fix(column, expected, severity="error"):
        return how_to_fix(Problem("f", "S", "A1", column, "x", expected, severity))

    assert "one of: completed" in fix("status", "a status: completed, ongoing")
    assert "UNDP" in fix("agency", "a known UN entity — did you mean UNDP?")
    assert "yyyy-mm-dd" in fix("as_of", "a date such as 2018-12-31")
    assert "header row" in fix("required", "missing required column 'required' (also accepted: budget)")
    assert "Fill in" in fix("output_code", "a value (the output_code column must be filled in)")
    assert fix(None, "total row skipped (totals are computed, never loaded)", "warning").startswith("Nothing to do")
    assert fix("required", "an amount below 10,000,000,000,000").startswith("Check the figure")
    assert fix("2024 Available", "an amount below 10,000,000,000,000").startswith("Check the figure")
    assert "loaded as written" in fix("required", "7 % of the direct costs above it (100.00) is 7.00: this programme "
                                                  "support cost differs by +1.00 (kept as written)", "warning")
    assert "later row" in fix("ID", "the same sub-output as row 4, differing in End date: this later row wins "
                                    "(its details and figures replace those of row 4)", "warning")
    assert "Country field" in fix("country", "plan 'UNSDCF' exists in Ghana, Kenya (2 countries): choose the country "
                                             "(--country, or the Upload page's Country field)")
    assert fix("ID", "ID 101 is a sub-output of UNICEF; your account may replace only UNDP's rows").startswith(
        "Remove this row")
    assert "Country field" in fix("country", "plan 'X' is not known in any country yet: 1 row(s) loaded without a "
                                             "country show only under 'All countries'", "warning")
