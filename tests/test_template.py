"""Upload templates (SPEC §8 `template KIND`): a filled template loads as-is, with no warnings at all."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

import store.connection
import store.writes
from core.schema import KINDS
from core.vocabulary import STATUSES
from etl.load import load_bytes
from etl.template import INSTRUCTIONS_MARKER, LISTS_MARKER, MONEY_FORMAT, TEMPLATE_FILE_NAMES, template_bytes

PLAN = "UNSDCF 2023-2027"
SOURCE = "Evaluation of UN Women strategic partnerships"

#: two realistic rows per kind, by canonical column (columns left out stay blank)
ROWS = {
    "budget": [
        {
            "plan": PLAN,
            "country": "Demoland",
            "year": 2025,
            "outcome_code": "4.1",
            "outcome_title": "People live free from violence",
            "output_code": "4.1.2",
            "output_title": "Justice institutions strengthened",
            "agency": "UNDP",
            "funding_source": "Core",
            "required": 250000,
            "available": 180000,
            "expenditure": 120000.5,
            "currency": "USD",
        },
        {
            "plan": PLAN,
            "country": "Demoland",
            "year": 2025,
            "outcome_code": "4.1",
            "outcome_title": "People live free from violence",
            "output_code": "4.1.3",
            "output_title": "Survivors reach support services",
            "agency": "UN Women",
            "funding_source": "Non-core",
            "required": 90000,
            "available": None,
            "expenditure": None,
            "currency": "USD",
        },
    ],
    "indicators": [
        {
            "plan": PLAN,
            "country": "Demoland",
            "indicator_code": "1.1.a",
            "indicator": "Share of births attended by skilled personnel",
            "result_code": "1.1",
            "unit": "%",
            "baseline": 42,
            "baseline_year": 2022,
            "target": 60,
            "target_year": 2027,
            "period": "2025",
            "actual": 51,
            "agency": "UNICEF",
            "means_of_verification": "DHS 2025",
        },
        {
            "plan": PLAN,
            "country": "Demoland",
            "indicator_code": "1.1.b",
            "indicator": "Number of districts with a costed nutrition plan",
            "result_code": "1.1",
            "unit": "number",
            "baseline": 3,
            "baseline_year": 2022,
            "target": 12,
            "target_year": 2027,
            "period": "2025-Q3",
            "actual": None,
            "agency": "WHO",
            "means_of_verification": "Ministry of Health",
        },
    ],
    "actions": [
        {
            "source_type": "evaluation",
            "source_title": SOURCE,
            "country": "Demoland",
            "recommendation_no": "R3",
            "recommendation": "Strengthen partnerships with civil society",
            "management_response": "accepted",
            "action_no": "3.1",
            "action": "Develop a partnership strategy",
            "responsible": "Partnerships Division",
            "agency": "UN Women",
            "deadline": "2026/12",
            "status": "ongoing",
            "comments": "Draft circulated",
            "as_of": dt.date(2026, 6, 30),
        },
        {
            "source_type": "evaluation",
            "source_title": SOURCE,
            "country": "Demoland",
            "recommendation_no": "R3",
            "recommendation": "Strengthen partnerships with civil society",
            "management_response": "accepted",
            "action_no": "3.2",
            "action": "Train country offices on the strategy",
            "responsible": "Regional offices",
            "agency": "UNDP",
            "deadline": dt.date(2027, 3, 31),
            "status": "not_started",
            "comments": None,
            "as_of": dt.date(2026, 6, 30),
        },
    ],
}


@pytest.fixture
def con(tmp_path):
    connection = store.connection.connect(tmp_path / "t.duckdb")
    yield connection
    connection.close()


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _fill(data: bytes, kind: str) -> bytes:
    """Write the rows into the data sheet under the template's header; everything else kept."""
    book = _book(data)
    sheet = book[KINDS[kind].sheet_title]
    header = [c.value for c in sheet[1]]
    for r, row in enumerate(ROWS[kind], start=2):
        for c, name in enumerate(header, start=1):
            if row.get(name) is not None:
                sheet.cell(row=r, column=c, value=row[name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", list(KINDS))
def test_filled_template_loads_with_no_warnings(con, kind):
    filled = _fill(template_bytes(kind, store.writes.entities(con)), kind)
    result = load_bytes(con, filled, "filled.xlsx", plan=PLAN, source=SOURCE)
    assert result.errors == []
    assert result.warnings == [], [str(w) for w in result.warnings]
    assert result.status == "committed"
    assert result.kind == kind
    assert result.rows_added == 2
    view = {"budget": "budget", "indicators": "indicator_values", "actions": "actions"}[kind]
    assert con.execute(f"SELECT DISTINCT country FROM {view}").fetchall() == [("Demoland",)]  # the country column


def test_filled_budget_keeps_not_reported_blank(con):
    load_bytes(con, _fill(template_bytes("budget", store.writes.entities(con)), "budget"), "filled.xlsx", plan=PLAN)
    rows = con.execute(
        "SELECT output_code, agency, required, available, expenditure FROM budget ORDER BY output_code"
    ).fetchall()
    assert rows == [("4.1.2", "UNDP", 250000.0, 180000.0, 120000.5), ("4.1.3", "UN Women", 90000.0, None, None)]


@pytest.mark.parametrize("kind", list(KINDS))
def test_template_layout(con, kind):
    spec = KINDS[kind]
    book = _book(template_bytes(kind, store.writes.entities(con)))
    # the data sheet first and active, then Instructions; Lists hidden
    assert book.sheetnames[0] == spec.sheet_title
    assert book.active.title == spec.sheet_title
    assert book.sheetnames.index("Instructions") > 0
    assert book["Lists"].sheet_state == "hidden"
    assert book["Lists"]["A1"].value == LISTS_MARKER
    assert book["Instructions"]["A1"].value == INSTRUCTIONS_MARKER
    sheet = book[spec.sheet_title]
    assert [c.value for c in sheet[1]] == spec.column_names
    assert sheet.freeze_panes == "A2"
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        assert cell.font.bold
        assert cell.comment is not None and column.name in cell.comment.text
        if column.example:
            assert column.example in cell.comment.text
    required = [sheet.cell(row=1, column=i + 1).fill.fgColor.rgb for i, c in enumerate(spec.columns) if c.required]
    optional = [sheet.cell(row=1, column=i + 1).fill.fgColor.rgb for i, c in enumerate(spec.columns) if not c.required]
    assert len(set(required)) == 1 and not set(required) & set(optional)
    # every column explained on the Instructions sheet
    text = "\n".join(str(c.value) for row in book["Instructions"].iter_rows() for c in row if c.value)
    for column in spec.columns:
        assert column.name in text
    assert "python -m etl load" in text and "Upload page" in text


def _validations(sheet) -> dict[str, object]:
    """Column letter → its data validation."""
    found = {}
    for dv in sheet.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            found[ref.split(":")[0].rstrip("0123456789")] = (dv, ref)
    return found


@pytest.mark.parametrize("kind", list(KINDS))
def test_drop_downs_reference_the_lists_sheet(con, kind):
    spec = KINDS[kind]
    book = _book(template_bytes(kind, store.writes.entities(con)))
    sheet = book[spec.sheet_title]
    validations = _validations(sheet)
    lists = book["Lists"]
    for index, column in enumerate(spec.columns, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        if column.type in ("agency", "status", "response", "source_type", "currency"):
            dv, ref = validations[letter]
            assert dv.type == "list"
            assert dv.formula1.startswith("Lists!$")
            assert ref == f"{letter}2:{letter}1000"
            # the range holds the list's values
            cells = lists[dv.formula1.split("!")[1].replace("$", "")]
            values = [c[0].value for c in cells]
            if column.type == "status":
                assert tuple(values) == STATUSES
            if column.type == "agency":
                assert {"UNDP", "UNICEF", "UN Women"} <= set(values)
            if column.type == "currency":
                assert "USD" in values and dv.showErrorMessage is False  # other codes may be typed
        elif column.type == "year":
            dv, ref = validations[letter]
            assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "2000", "2100")
            assert ref == f"{letter}2:{letter}1000"
        else:
            assert letter not in validations


def test_number_formats(con):
    sheet = _book(template_bytes("budget", store.writes.entities(con)))["Budget"]
    for index, column in enumerate(KINDS["budget"].columns, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        if column.type == "money":
            assert sheet.column_dimensions[letter].number_format == MONEY_FORMAT
    actions = _book(template_bytes("actions", store.writes.entities(con)))["Actions"]
    letter = openpyxl.utils.get_column_letter(KINDS["actions"].column_names.index("as_of") + 1)
    assert actions.column_dimensions[letter].number_format == "yyyy-mm-dd"


def test_file_names_and_unknown_kind(con):
    assert TEMPLATE_FILE_NAMES == {k: f"unct-{k}-template.xlsx" for k in KINDS}
    with pytest.raises(ValueError):
        template_bytes("nonsense", store.writes.entities(con))


def test_untouched_template_is_a_header_only_error(con):
    result = load_bytes(
        con, template_bytes("budget", store.writes.entities(con)), "empty.xlsx", plan=PLAN, dry_run=True
    )
    assert result.status == "rejected"
    assert result.warnings == []
    assert any("at least one data row" in e.expected for e in result.errors)
