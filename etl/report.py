"""The validation report as a workbook: what is wrong, where, and how to fix it (SPEC §7).

`error_report_bytes` writes
- "Errors": one row per problem (errors first, then warnings): severity, sheet, cell, column, the bad
  value, what was expected and a one-line "how to fix"; the cell links to the copy below;
- a copy of the uploaded file's sheets (their values; for a CSV, one sheet of its rows) at the same
  cell addresses, every offending cell filled red (amber for a warning) with a note holding the
  message; a problem on a whole row ('row 7') marks that row.

Everything written is formula-safe: text is always stored as text (never as a formula), and text a
spreadsheet would evaluate (= + - − @ tab CR) also carries Excel's quote prefix.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Number

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from core import palette
from core.errors import Problem
from core.formatting import FORMULA_TRIGGERS, as_typed
from core.schema import KINDS
from core.vocabulary import RESPONSES, SOURCE_TYPES, STATUSES
from etl.read import read_file
from etl.uninfo import YEAR_BLOCK

ERRORS_TITLE = "Errors"
ERROR_FILL = PatternFill("solid", fgColor=palette.EXCEL_ERROR_FILL)
WARNING_FILL = PatternFill("solid", fgColor=palette.EXCEL_WARNING_FILL)
ERROR_FONT = Font(color=palette.EXCEL_ERROR_TEXT)
WARNING_FONT = Font(color=palette.EXCEL_WARNING_TEXT)
HEADER_FILL = PatternFill("solid", fgColor=palette.EXCEL_HEADER_FILL)
HEADER_FONT = Font(bold=True, color=palette.EXCEL_HEADER_TEXT)
REPORT_COLUMNS = ("severity", "sheet", "cell", "column", "value", "what was expected", "how to fix")
REPORT_WIDTHS = (10, 18, 9, 20, 24, 60, 70)
#: the template's own sheets (etl.template marks them in A1): not copied unless a problem points into them
TEMPLATE_MARKERS = ("UNCT template instructions", "UNCT template lists")
MAX_NOTES_PER_SHEET = 5000

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_ROW = re.compile(r"^row\s+(\d+)$", re.IGNORECASE)
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")

#: column name → type, over every kind (agency is "agency" in all of them) and the UN INFO columns
COLUMN_TYPES: dict[str, str] = {c.name: c.type for kind in KINDS.values() for c in kind.columns}
COLUMN_TYPES.update({"Agency abbreviations": "agency", "Start date": "date", "End date": "date", "ID": "code"})
FILE_LEVEL = {c.name for kind in KINDS.values() for c in kind.columns if c.file_level}


# ---------------------------------------------------------------- how to fix


def _column_type(column: str | None) -> str | None:
    if not column:
        return None
    if column in COLUMN_TYPES:
        return COLUMN_TYPES[column]
    if YEAR_BLOCK.match(column):
        return "money"
    return None


_TYPE_FIX = {
    "agency": "Use a UN entity code from the template's agency drop-down, e.g. UNDP; an administrator can add a "
    "missing entity.",
    "status": f"Use one of: {', '.join(STATUSES)} (accepted spellings such as 'in progress' or 'done' also work).",
    "response": f"Use one of: {', '.join(RESPONSES)} (agree / partially agree / disagree also work).",
    "source_type": f"Use one of: {', '.join(SOURCE_TYPES)}, or leave it blank for evaluation.",
    "year": "Enter a whole year between 2000 and 2100 as a number, e.g. 2025.",
    "int": "Enter a whole number, e.g. 2025.",
    "money": "Enter the amount as a number, e.g. 1234.50 (1,234.50 and USD 1,234 are also read); leave it blank "
    "when not reported.",
    "number": "Enter a number, e.g. 42, 1,234.5 or 45%; leave it blank when not reported.",
    "date": "Enter a date as yyyy-mm-dd, e.g. 2026-06-30.",
    "deadline": "Enter a month (2026/12 or Dec 2026) or a day (2026-12-31).",
    "period": "Enter the reporting period as 2025, 2025-Q3 or 2025-H1.",
    "currency": "Enter a 3-letter ISO currency code such as USD or EUR (blank means USD).",
}


def _by_type(problem: Problem) -> str:
    """How to write a value of the problem's column (by the column's type), else what was expected."""
    fix = _TYPE_FIX.get(_column_type(problem.column) or "")
    if fix:
        return fix
    return f"Change the value to {problem.expected}." if problem.expected else "Correct the value."


def _agency(problem: Problem) -> str:
    if problem.suggestion:
        return (
            f"Replace the value with {problem.suggestion} (or another code from the agency drop-down); "
            "an administrator can add a missing entity."
        )
    return _by_type(problem)


def _missing_column(problem: Problem) -> str:
    return (
        f"Add a column headed '{problem.column}' to the header row (or rename the column that holds it); "
        "the template has every column."
    )


def _missing_one_of(problem: Problem) -> str:
    names = " or ".join(repr(c.strip()) for c in (problem.column or "").split("/"))
    return f"Add a column headed {names} to the header row."


def _value_required(problem: Problem) -> str:
    extra = " (or choose it for the whole file at upload time)" if problem.column in FILE_LEVEL else ""
    return f"Fill in this cell: {problem.column} is required{extra}."


NO_CHANGE = "No change needed: the file loads with this warning."
LEFT_EMPTY = "Correct the cell if its value matters; it was loaded as empty."
CHECK_ARITHMETIC = "Check the amount against its rate and the lines above it; it was loaded as written."
RESAVE = "Open the file in Excel, save it as .xlsx (or CSV UTF-8) and upload it again; or start from the template."

#: one line telling the focal point what to change, by the problem's code: a text, or a function of the problem
#: for a line that names its column or a suggested value (tests/test_report.py checks that every code raised has
#: one and that every one is raised somewhere)
HINTS: dict[str, str | Callable[[Problem], str]] = {
    # warnings: the file loads
    "hidden_sheet": "Nothing to do: hidden sheets are never loaded. Unhide the sheet if its rows should be loaded.",
    "sheet_passed_over": "Nothing to do if this sheet holds no data to load; otherwise give it the template's header "
    "row.",
    "total_row": "Nothing to do: totals are computed. Delete the row to silence this warning.",
    "unknown_column": "Rename the header to one of the listed column names if the column should be loaded; otherwise "
    "delete it or ignore this warning.",
    "code_missing": "Fill in the code if it is known; the row is loaded with the code unknown.",
    "entity_added": "Nothing to do if the entity is right; an administrator can correct its name.",
    "value_left_empty": LEFT_EMPTY,
    "formula_left_empty": LEFT_EMPTY,
    "indirect_cost_arithmetic": CHECK_ARITHMETIC,
    "total_arithmetic": CHECK_ARITHMETIC,
    "above_ceiling": "Check both figures (a wrong column or unit?); if they are right, nothing to do: the row was "
    "loaded as written.",
    "suboutput_differs": "Nothing to do if the later row is right; otherwise delete it from the file and load it "
    "again.",
    "country_unknown": "To show these rows under their country, choose it for the file (the Upload page's Country "
    "field, --country on the command line) or fill the country column; else nothing to do.",
    "indirect_cost": NO_CHANGE,
    "indirect_costs_unchecked": NO_CHANGE,
    "suboutput_repeated": NO_CHANGE,
    "suboutput_without_money": NO_CHANGE,
    "agency_missing": NO_CHANGE,
    "text_repaired": NO_CHANGE,
    # errors: nothing is loaded
    "unreadable_file": RESAVE,
    "unknown_kind": RESAVE,
    "no_header": "Use the template for this kind: its header row names the columns the loader looks for.",
    "no_data_rows": "Add the data rows below the header row.",
    "missing_column": _missing_column,
    "missing_one_of_columns": _missing_one_of,
    "value_required": _value_required,
    "duplicate_row": "Delete the duplicate row, or correct its key columns so that every row is unique.",
    "country_ambiguous": "Choose the plan's country for the file (the Upload page's Country field, --country on the "
    "command line), or fill the file's country column.",
    "replaces_other_agency": "Remove this row: it would replace another agency's rows (a sub-output ID is that "
    "agency's). Its focal point or an administrator loads them.",
    "period_closed": "Ask an administrator to reopen the period (the command in the message, or the Closed periods "
    "page) if its figures must change; then load the file again.",
    "foreign_agency_row": "Remove the rows of other agencies, or ask an administrator to add the agency to your "
    "account.",
    "figure_out_of_bounds": "Check the figure: no real one is that large (or that small): a wrong unit or a formula "
    "error?",
    "excel_error": "Replace the Excel error (#N/A, #REF!, …) with a value, or leave the cell blank if it is optional.",
    "unknown_agency": _agency,
    "negative_amount": "Enter the amount as a positive number, without a minus sign or brackets.",
    # a value to write as its column's type says
    "bad_value": _by_type,
    "formula_without_value": _by_type,
    "currency_conflict": _by_type,
    "two_currencies": _by_type,
    "missing_one_of_values": _by_type,
    "uninfo_missing_column": _by_type,
    "suboutput_id_missing": _by_type,
    "indirect_cost_without_amount": _by_type,
    "indirect_cost_two_amounts": _by_type,
    "indirect_cost_without_plan": _by_type,
}


def how_to_fix(problem: Problem) -> str:
    """One line telling the focal point what to change (HINTS, by the problem's code)."""
    hint = HINTS[problem.code]
    return hint if isinstance(hint, str) else hint(problem)


# ---------------------------------------------------------------- formula-safe cells


def _clean(value: object) -> object:
    """A value openpyxl can store: XML-illegal characters dropped, unknown types as text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, (bool, Number, dt.date, dt.datetime, dt.time, dt.timedelta)):
        if isinstance(value, float) and value != value:  # NaN
            return None
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _cell(sheet, value: object) -> WriteOnlyCell:
    """A write-only cell; text is stored as text, and formula-looking text with Excel's quote prefix."""
    cleaned = _clean(value)
    cell = WriteOnlyCell(sheet, value=cleaned)
    if isinstance(cleaned, str):
        cell.data_type = "s"
        if cleaned.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    return cell


def _shown(value: object) -> str:
    return "" if value is None or value == "" else repr(value) if isinstance(value, str) else as_typed(value)


def _message(problem: Problem) -> str:
    value = _shown(problem.value)
    head = f"{problem.severity.upper()}" + (f" ({problem.column})" if problem.column else "")
    return f"{head}: {value + ' — ' if value else ''}expected {problem.expected}\nFix: {how_to_fix(problem)}"


# ---------------------------------------------------------------- locations


@dataclass
class _Marks:
    """Problems on one copied sheet, by cell (row, col) and by whole row; 1-based."""

    cells: dict[tuple[int, int], list[Problem]] = field(default_factory=dict)
    rows: dict[int, list[Problem]] = field(default_factory=dict)


def _locate(cell: str | None) -> tuple[int, int | None] | None:
    """'E14' → (14, 5); 'row 7' → (7, None); anything else → None."""
    if not cell:
        return None
    text = str(cell).strip()
    match = _CELL.match(text)
    if match:
        letters, row = match.group(1).upper(), int(match.group(2))
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        return row, col
    match = _ROW.match(text)
    if match:
        return int(match.group(1)), None
    return None


def _title(name: str, taken: set[str]) -> str:
    base = _BAD_TITLE.sub("_", str(name)).strip("'") or "Sheet"
    base = base[:31]
    title, n = base, 1
    while title.lower() in taken:
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def _is_marker_sheet(rows: list[list]) -> bool:
    return bool(rows and rows[0] and rows[0][0] in TEMPLATE_MARKERS)


# ---------------------------------------------------------------- the workbook


def _write_errors_sheet(book: Workbook, problems: list[Problem], titles: dict[str, str]) -> None:
    sheet = book.create_sheet(ERRORS_TITLE)
    for index, width in enumerate(REPORT_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(REPORT_COLUMNS))}{max(1, len(problems) + 1)}"
    header = []
    for name in REPORT_COLUMNS:
        cell = _cell(sheet, name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for problem in problems:
        severity = _cell(sheet, problem.severity)
        is_error = problem.severity == "error"
        severity.fill = ERROR_FILL if is_error else WARNING_FILL
        severity.font = ERROR_FONT if is_error else WARNING_FONT
        where = _cell(sheet, problem.cell)
        located = _locate(problem.cell)
        if problem.sheet in titles and located:
            row, col = located
            target = f"'{titles[problem.sheet]}'!{get_column_letter(col or 1)}{row}"
            where.hyperlink = Hyperlink(ref="", location=target, tooltip="show the cell in the copy of the file")
            where.font = Font(color=palette.EXCEL_LINK, underline="single")
        expected, fix = _cell(sheet, problem.expected), _cell(sheet, how_to_fix(problem))
        expected.alignment = fix.alignment = wrap
        sheet.append(
            [
                severity,
                _cell(sheet, problem.sheet),
                where,
                _cell(sheet, problem.column),
                _cell(sheet, problem.value),
                expected,
                fix,
            ]
        )


def _write_copy(book: Workbook, title: str, rows: list[list], marks: _Marks) -> None:
    sheet = book.create_sheet(title)
    width = max((len(r) for r in rows), default=0)
    last_row = max([len(rows), *(r for r, _ in marks.cells), *marks.rows])
    width = max([width, *(c for _, c in marks.cells)])
    for col in range(1, width + 1):
        longest = max(
            (len(str(r[col - 1])) for r in rows[:60] if col - 1 < len(r) and r[col - 1] is not None), default=8
        )
        sheet.column_dimensions[get_column_letter(col)].width = max(8, min(48, longest + 2))
    notes = 0
    for r in range(1, last_row + 1):
        values = rows[r - 1] if r - 1 < len(rows) else []
        row_problems = marks.rows.get(r, [])
        marked_cols = {c for (mr, c) in marks.cells if mr == r}
        span = width if row_problems else max([len(values), *marked_cols]) if marked_cols else len(values)
        out = []
        for c in range(1, span + 1):
            cell = _cell(sheet, values[c - 1] if c - 1 < len(values) else None)
            here = marks.cells.get((r, c), [])
            if here or row_problems:
                problems = here or row_problems
                cell.fill = ERROR_FILL if any(p.severity == "error" for p in problems) else WARNING_FILL
                # the note goes on the cell itself, or on the first cell of a marked row
                if (here or c == 1) and notes < MAX_NOTES_PER_SHEET:
                    comment = Comment(
                        "\n\n".join(_message(p) for p in (here or []) + (row_problems if c == 1 else [])),
                        "UNCT validation",
                    )
                    comment.width, comment.height = 360, 160
                    cell.comment = comment
                    notes += 1
            out.append(cell)
        sheet.append(out)


def error_report_bytes(file_name: str, data: bytes, problems: list[Problem]) -> bytes:
    """The validation report workbook: the Errors table, then the upload's sheets with offending cells marked."""
    ordered = [p for p in problems if p.severity == "error"] + [p for p in problems if p.severity != "error"]
    try:
        sheets = read_file(data, file_name) if data else []
    except Exception:  # an unreadable upload (FileError or worse): the report still lists its problems
        sheets = []
    marks: dict[str, _Marks] = {}
    for problem in ordered:
        located = _locate(problem.cell)
        if problem.sheet is None or located is None:
            continue
        row, col = located
        sheet_marks = marks.setdefault(problem.sheet, _Marks())
        if col is None:
            sheet_marks.rows.setdefault(row, []).append(problem)
        else:
            sheet_marks.cells.setdefault((row, col), []).append(problem)
    copied = [s for s in sheets if s.name in marks or (s.visible and not _is_marker_sheet(s.rows))]
    taken = {ERRORS_TITLE.lower()}
    titles = {s.name: _title(s.name, taken) for s in copied}

    book = Workbook(write_only=True)
    _write_errors_sheet(book, ordered, titles)
    for sheet in copied:
        _write_copy(book, titles[sheet.name], sheet.rows, marks.get(sheet.name, _Marks()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
