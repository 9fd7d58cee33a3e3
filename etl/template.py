"""Upload templates (SPEC §8 `template KIND`): one .xlsx workbook per dataset kind.

The workbook holds, in this order:
- the data sheet (named by `Kind.sheet_title`, first and active): one header row of the canonical
  column names, frozen, styled, required columns darker and every header cell carrying a note with the
  column's description, synonyms and an example; drop-down lists (agency, status, management response,
  source type, currency) and a whole-number check on year columns for rows 2..1000; money and date
  number formats set on the columns, so whatever is typed in them takes the format;
- "Instructions": every column explained, and how to upload;
- "Lists" (hidden): the values the drop-downs offer, referenced by range formulas.

The Instructions and Lists sheets carry a marker in A1 (`INSTRUCTIONS_MARKER`, `LISTS_MARKER`), by
which `etl.validate.validate` knows them as the template's own sheets and passes them over silently,
so a filled template loads with no warnings.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core import palette
from core.entities import Entity
from core.registry import Column, Kind
from core.schema import KINDS
from core.vocabulary import RESPONSES, SOURCE_TYPES, STATUSES

#: the template of each kind, by file name (`Kind.template_file`)
TEMPLATE_FILE_NAMES: dict[str, str] = {name: kind.template_file for name, kind in KINDS.items()}

#: A1 of the template's own sheets; etl.validate passes sheets so marked over without a warning
INSTRUCTIONS_MARKER = "UNCT template instructions"
LISTS_MARKER = "UNCT template lists"
INSTRUCTIONS_TITLE = "Instructions"
LISTS_TITLE = "Lists"

#: data validations and column formats cover these rows of the data sheet
FIRST_DATA_ROW, LAST_DATA_ROW = 2, 1000
CURRENCIES = ("USD", "EUR")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
#: codes typed into these columns stay text ("4.10" must not become the number 4.1)
TEXT_COLUMNS = {
    "outcome_code",
    "output_code",
    "indicator_code",
    "result_code",
    "recommendation_no",
    "action_no",
    "period",
}

REQUIRED_FILL = PatternFill("solid", fgColor=palette.EXCEL_HEADER_FILL)
OPTIONAL_FILL = PatternFill("solid", fgColor=palette.EXCEL_OPTIONAL_FILL)
REQUIRED_FONT = Font(bold=True, color=palette.EXCEL_HEADER_TEXT)
OPTIONAL_FONT = Font(bold=True, color=palette.EXCEL_OPTIONAL_TEXT)
_THIN = Side(style="thin", color=palette.EXCEL_BORDER)
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)

TYPE_LABELS = {
    "text": "text",
    "int": "whole number",
    "year": "year: whole number 2000–2100",
    "money": "amount ≥ 0 (number; 1,234.50 or USD 1,234 also read)",
    "number": "number (42, 1,234.5 or 45%)",
    "date": "date (yyyy-mm-dd)",
    "deadline": "a month (2026/12, Dec 2026) or a day (2026-12-31)",
    "agency": "UN entity code (drop-down)",
    "status": "status (drop-down)",
    "response": "management response (drop-down)",
    "period": "period: 2025, 2025-Q3 or 2025-H1",
    "source_type": "source type (drop-down)",
    "currency": "ISO 4217 code (drop-down or type another)",
}

#: command-line option that fills a file-level column for the whole file
FILE_LEVEL_OPTIONS = {"plan": "--plan", "country": "--country", "source_title": "--source", "agency": "--agency"}


def _text(value: object) -> object:
    """Strings without characters XML forbids; other values unchanged."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _put(sheet, row: int, column: int, value: object):
    """Write a cell; text is always text (never a formula), whatever it starts with."""
    cell = sheet.cell(row=row, column=column)
    cell.value = _text(value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _lists(kind: Kind, entities: list[Entity]) -> dict[str, tuple[str, ...]]:
    """Drop-down name → values, for the column types this kind has."""
    types = {c.type for c in kind.columns}
    lists: dict[str, tuple[str, ...]] = {}
    if "agency" in types:
        lists["agency"] = tuple(dict.fromkeys(e.code for e in entities if e.code))
    if "status" in types:
        lists["status"] = STATUSES
    if "response" in types:
        lists["management_response"] = RESPONSES
    if "source_type" in types:
        lists["source_type"] = SOURCE_TYPES
    if "currency" in types:
        lists["currency"] = CURRENCIES
    return lists


LIST_FOR_TYPE = {
    "agency": "agency",
    "status": "status",
    "response": "management_response",
    "source_type": "source_type",
    "currency": "currency",
}


def _required_label(kind: Kind, column: Column) -> str:
    option = FILE_LEVEL_OPTIONS.get(column.name, "")
    if column.file_level and column.required:
        return f"yes — or choose it once for the whole file at upload time ({option} on the command line)"
    if column.file_level:
        return (
            f"no — or choose it once for the whole file at upload time ({option} on the command line); needed "
            "when the plan's name is used in several countries"
        )
    if column.required:
        return "yes"
    for group in kind.one_of:
        if column.name in group:
            return "one of " + " / ".join(group) + " (at least one of them)"
    return "no"


def _note(kind: Kind, column: Column) -> str:
    lines = [f"{column.name} — {'REQUIRED' if column.required else 'optional'}"]
    if column.file_level:
        lines.append(
            "(or chosen once for the whole file at upload time)"
            if column.required
            else "(or chosen once for the whole file at upload time; needed when the plan's name is used in "
            "several countries)"
        )
    if column.description:
        lines.append(column.description)
    lines.append(f"Type: {TYPE_LABELS.get(column.type, column.type)}")
    if column.synonyms:
        lines.append("Also accepted as header: " + ", ".join(column.synonyms))
    if column.example:
        lines.append(f"Example: {column.example}")
    return "\n".join(lines)


def _write_lists(book: Workbook, lists: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The hidden Lists sheet; returns drop-down name → range formula."""
    sheet = book.create_sheet(LISTS_TITLE)
    _put(sheet, 1, 1, LISTS_MARKER)
    formulas = {}
    for index, (name, values) in enumerate(lists.items(), start=2):
        letter = get_column_letter(index)
        _put(sheet, 1, index, name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            _put(sheet, row, index, value)
        last = max(2, len(values) + 1)
        formulas[name] = f"{LISTS_TITLE}!${letter}$2:${letter}${last}"
        sheet.column_dimensions[letter].width = max(12, min(40, max((len(v) for v in values), default=8) + 2))
    sheet.column_dimensions["A"].width = len(LISTS_MARKER) + 2
    sheet.sheet_state = "hidden"
    return formulas


def _validation(column: Column, formulas: dict[str, str]) -> DataValidation | None:
    title = column.name[:32]
    prompt = (column.description or column.name)[:255]
    if column.type == "year":
        dv = DataValidation(
            type="whole",
            operator="between",
            formula1="2000",
            formula2="2100",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=title,
            error="Enter a whole year between 2000 and 2100, e.g. 2025.",
        )
    elif column.type in LIST_FOR_TYPE and LIST_FOR_TYPE[column.type] in formulas:
        formula = formulas[LIST_FOR_TYPE[column.type]]
        free = column.type == "currency"  # another ISO code may be typed
        dv = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showDropDown=False,
            showErrorMessage=not free,
            errorStyle="stop",
            errorTitle=title,
            error=f"Choose a value from the list ({column.name}).",
        )
    else:
        return None
    dv.showInputMessage = True
    dv.promptTitle = title
    dv.prompt = prompt
    return dv


def _write_data_sheet(sheet, kind: Kind, formulas: dict[str, str]) -> None:
    sheet.title = kind.sheet_title or kind.name.title()
    for index, column in enumerate(kind.columns, start=1):
        letter = get_column_letter(index)
        cell = _put(sheet, 1, index, column.name)
        cell.font = REQUIRED_FONT if column.required else OPTIONAL_FONT
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.border = BORDER
        cell.alignment = HEADER_ALIGNMENT
        comment = Comment(_note(kind, column), "UNCT template")
        comment.width, comment.height = 320, 180
        cell.comment = comment
        width = max(len(column.name) + 4, len(column.example or "") + 2, 12)
        dimension = sheet.column_dimensions[letter]
        dimension.width = min(width, 48)
        # column styles: Excel and LibreOffice give them to every cell typed in the column
        if column.type == "money":
            dimension.number_format = MONEY_FORMAT
        elif column.type == "date":
            dimension.number_format = DATE_FORMAT
        elif column.name in TEXT_COLUMNS or column.type == "deadline":
            dimension.number_format = TEXT_FORMAT
        validation = _validation(column, formulas)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_DATA_ROW}")
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(kind.columns))}1"


def _write_instructions(book: Workbook, kind: Kind, entities: list[Entity]) -> None:
    sheet = book.create_sheet(INSTRUCTIONS_TITLE)
    data_title = kind.sheet_title or kind.name.title()
    _put(sheet, 1, 1, INSTRUCTIONS_MARKER).font = Font(bold=True, size=14)
    _put(sheet, 2, 1, f"{kind.title} — {kind.grain}.").font = Font(bold=True)
    _put(
        sheet,
        3,
        1,
        f"Fill the '{data_title}' sheet: keep its header row as it is and add one row per "
        f"{kind.grain.removeprefix('one row per ')}. Dark headers are required columns, light ones "
        "optional; point at a header to read its note. This sheet and the hidden Lists sheet are "
        "not read when you upload.",
    )
    row = 5
    headers = (
        "column",
        "required?",
        "type",
        "what it means",
        "accepted synonyms (also read as this column)",
        "example",
    )
    for index, text in enumerate(headers, start=1):
        cell = _put(sheet, row, index, text)
        cell.font, cell.fill, cell.border, cell.alignment = OPTIONAL_FONT, OPTIONAL_FILL, BORDER, HEADER_ALIGNMENT
    for column in kind.columns:
        row += 1
        values = (
            column.name,
            _required_label(kind, column),
            TYPE_LABELS.get(column.type, column.type),
            column.description,
            ", ".join(column.synonyms),
            column.example,
        )
        for index, value in enumerate(values, start=1):
            cell = _put(sheet, row, index, value)
            cell.border, cell.alignment = BORDER, WRAP
        if column.required:
            sheet.cell(row=row, column=1).font = Font(bold=True)

    row += 2
    _put(sheet, row, 1, "Good to know").font = Font(bold=True, size=12)
    for note in _good_to_know(kind):
        row += 1
        _put(sheet, row, 1, "• " + note).alignment = Alignment(wrap_text=False, vertical="top")

    row += 2
    _put(sheet, row, 1, "How to upload").font = Font(bold=True, size=12)
    file_name = kind.template_file
    options = " ".join(f'{FILE_LEVEL_OPTIONS[c.name]} "…"' for c in kind.columns if c.file_level)
    steps = [
        "In the dashboard: open the Upload page, choose this file, read the validation report, then commit it.",
        f"On the command line: python -m etl load {file_name} {options}".rstrip()
        + "   (add --dry-run to check the file without loading it).",
        "A file-level value ("
        + ", ".join(f"{c.name} via {FILE_LEVEL_OPTIONS[c.name]}" for c in kind.columns if c.file_level)
        + ") chosen at upload fills that column where it is blank, so the column may be left empty.",
    ]
    for step in steps:
        row += 1
        _put(sheet, row, 1, step)

    if any(c.type == "agency" for c in kind.columns) and entities:
        row += 2
        _put(sheet, row, 1, "UN entity codes").font = Font(bold=True, size=12)
        for entity in entities:
            row += 1
            _put(sheet, row, 1, entity.code)
            _put(sheet, row, 2, entity.name)
            if entity.aliases:
                _put(sheet, row, 4, "also: " + ", ".join(entity.aliases))

    widths = (24, 30, 30, 50, 50, 30)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A6"


def _good_to_know(kind: Kind) -> list[str]:
    """The instructions' notes for a kind: blanks, countries, totals, lists, money, dates, replacing, errors."""
    types = {c.type for c in kind.columns}
    notes = []
    if kind.name == "budget":
        notes.append(
            'Blank is not zero: a blank available or expenditure means "not reported", never 0; totals '
            "and rates leave such rows out and say how many lack a figure."
        )
    elif kind.name == "indicators":
        notes.append('Blank is not zero: a blank actual means "not reported", never 0.')
    else:
        notes.append("A blank source_type means evaluation; a blank as_of means the upload date.")
    if "country" in kind.column_names:
        notes.append(
            'A plan is a plan of a country: many countries use the same plan name ("United Nations '
            'Sustainable Development Cooperation Framework"). A blank country takes the country chosen '
            "for the file, else the plan's country when its name is known in one country only; a plan "
            "name known in several countries needs the country, or the file is refused."
        )
    notes.append("Do not add total or subtotal rows: totals are computed by the dashboard (such rows are skipped).")
    if types & set(LIST_FOR_TYPE):
        notes.append(
            "Drop-down columns take the values of their list"
            + (
                "; agency takes the UN entity code (the codes and names are listed below)."
                if "agency" in types
                else "."
            )
        )
    if "money" in types:
        notes.append("Money as plain numbers (e.g. 250000) in the row's currency (blank currency = USD).")
    if types & {"date", "deadline"}:
        notes.append("Dates as yyyy-mm-dd (e.g. 2026-06-30); a deadline may also be a month (2026/12).")
    notes += [
        "Uploading the same agency, plan and period again replaces the earlier figures (which are kept and can "
        "be restored); uploading the identical file twice changes nothing.",
        "A file with any error loads nothing: the validation report lists every error with its cell and how "
        "to fix it. Correct the file and upload it again.",
    ]
    return notes


def template_bytes(kind: str, entities: list[Entity]) -> bytes:
    """The .xlsx upload template for a dataset kind (data sheet first, then Instructions, hidden Lists)."""
    spec = KINDS[kind]  # UnknownKind (a ValueError) for another name
    book = Workbook()
    data_sheet = book.active
    lists = _lists(spec, list(entities))
    _write_instructions(book, spec, list(entities))
    formulas = _write_lists(book, lists)
    _write_data_sheet(data_sheet, spec, formulas)
    book.active = 0
    data_sheet.sheet_view.tabSelected = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
