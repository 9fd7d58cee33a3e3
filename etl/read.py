"""Readers: turn an uploaded file into sheets of raw cell values.

Workbooks are read with python-calamine (fast, gives merged ranges and sheet visibility); CSV files
with encoding and delimiter detection. Files are recognised by their content, not their extension.
Nothing here knows about dataset kinds: see `etl.validate`.

Before python-calamine sees a workbook, `etl.xlsx_guard.check_workbook` vets it (decompression bombs,
entity declarations, sheets whose cells span more than the caps) and notes what python-calamine
reads as an empty cell although it is not: an Excel error cell (`#REF!`, `#DIV/0!` …) is given back
its error text here, so the validator names the cell and the error; a formula saved without a value
(a file written by a program, never opened in Excel) is listed in `Sheet.formulas_without_value`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from core.errors import FileError
from etl import limits, xlsx_guard

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
CSV_DELIMITERS = (",", ";", "\t")


@dataclass
class Sheet:
    """One sheet's cells, row 0 = sheet row 1 and column 0 = column A."""

    name: str
    rows: list[list]
    visible: bool = True
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    #: cells ('F12') holding a formula saved without its value: python-calamine reads them as empty
    formulas_without_value: list[str] = field(default_factory=list)


#: what to tell the user about a cell of `Sheet.formulas_without_value`
FORMULA_WITHOUT_VALUE = "formula without a saved value: open the file in Excel and save it again"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """Zero-based (row, col) → 'E14'."""
    return f"{column_letter(col)}{row + 1}"


def cell_position(ref: str) -> tuple[int, int]:
    """'E14' → (13, 4), the inverse of `cell_ref`."""
    letters = ref.rstrip("0123456789")
    column = 0
    for ch in letters.upper():
        column = column * 26 + ord(ch) - 64
    return int(ref[len(letters) :]) - 1, column - 1


def detect_format(data: bytes, file_name: str) -> str:
    """'xlsx', 'xls' or 'csv', from the first bytes; the extension only has to agree."""
    suffix = Path(file_name).suffix.lower()
    if not data.strip():
        raise FileError(file_name, "the file is empty")
    if data.startswith(XLSX_MAGIC):
        if suffix == ".csv":
            raise FileError(file_name, "the file is named .csv but is an Excel workbook; rename it to .xlsx")
        return "xlsx"
    if data.startswith(XLS_MAGIC):
        return "xls"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise FileError(
            file_name,
            "the file is UTF-16 text (Excel's 'Unicode Text'); save it as 'CSV UTF-8' or as an Excel workbook (.xlsx)",
        )
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise FileError(
            file_name,
            f"the file is named {suffix} but is not an Excel workbook "
            "(it looks like a text/CSV file); save it as .xlsx or rename it to .csv",
        )
    if b"\x00" in data[:4096]:
        raise FileError(file_name, "the file is neither an Excel workbook nor a text (CSV) file")
    return "csv"


def read_file(data: bytes, file_name: str) -> list[Sheet]:
    """All sheets of the file (hidden ones flagged), merged ranges filled."""
    limits.check_file_size(data, file_name)
    fmt = detect_format(data, file_name)
    if fmt == "csv":
        return [read_csv(data, file_name)]
    if fmt == "xls":
        raise FileError(
            file_name,
            "the file is an Excel 97-2003 workbook (.xls) or a password-protected workbook; "
            "open it in Excel and save it as an Excel Workbook (.xlsx) without a password",
        )
    scan = xlsx_guard.check_workbook(data, file_name)
    return read_workbook(data, file_name, scan)


def formulas_without_values(data: bytes, file_name: str) -> dict[str, list[str]]:
    """{sheet name: ['F12', …]} of the visible sheets' formulas saved without a value (empty for a CSV).

    python-calamine reads such a cell as empty, so a SUM that was never calculated would silently
    count as "not reported". Raises FileError for a file `read_file` would refuse.
    """
    if detect_format(data, file_name) != "xlsx":
        return {}
    return {
        scan.name: [cell_ref(r, c) for r, c in scan.unsaved_formulas]
        for scan in xlsx_guard.check_workbook(data, file_name).sheets
        if scan.visible and scan.unsaved_formulas
    }


def read_workbook(data: bytes, file_name: str, scan: xlsx_guard.WorkbookScan | None = None) -> list[Sheet]:
    """Every sheet of a workbook; `scan` is `xlsx_guard.check_workbook`'s verdict (made here when not given)."""
    if scan is None:
        scan = xlsx_guard.check_workbook(data, file_name)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, Exception) as exc:  # calamine raises several types for broken archives
        raise FileError(file_name, f"the workbook cannot be opened ({exc})") from None
    sheets = []
    for meta in book.sheets_metadata:
        try:
            raw = book.get_sheet_by_name(meta.name)
            rows = raw.to_python(skip_empty_area=False)
            merged = raw.merged_cell_ranges or []
        except Exception as exc:  # a damaged sheet: say which
            raise FileError(file_name, f"sheet '{meta.name}' cannot be read ({exc})") from None
        sheet = Sheet(meta.name, rows, meta.visible == SheetVisibleEnum.Visible, list(merged))
        found = scan.sheet(meta.name)
        if found is not None:
            restore_errors(sheet, found.errors)
            if sheet.visible:
                sheet.formulas_without_value = [cell_ref(r, c) for r, c in found.unsaved_formulas]
        fill_merged(sheet)
        sheets.append(sheet)
    return sheets


def restore_errors(sheet: Sheet, errors: dict[tuple[int, int], str]) -> None:
    """Put back the text of Excel error cells ('#REF!'), which python-calamine reads as empty."""
    for (r, c), text in errors.items():
        if r < len(sheet.rows) and c < len(sheet.rows[r]) and sheet.rows[r][c] in ("", None):
            sheet.rows[r][c] = text


def fill_merged(sheet: Sheet) -> None:
    """Give a merged range's value to every cell it covers (a recommendation over its key actions)."""
    for (r1, c1), (r2, c2) in sheet.merged:
        if r1 >= len(sheet.rows) or c1 >= len(sheet.rows[r1]):
            continue
        value = sheet.rows[r1][c1]
        for r in range(r1, min(r2, len(sheet.rows) - 1) + 1):
            row = sheet.rows[r]
            for c in range(c1, min(c2, len(row) - 1) + 1):
                if (r, c) != (r1, c1):
                    row[c] = value


def decode_text(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(file_name, "the text is neither UTF-8 nor Windows-1252; save it as 'CSV UTF-8'")


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab that splits the first lines most consistently."""
    lines = [line for line in text[:65536].splitlines()[:30] if line.strip()]
    best, best_score = ",", -1
    for delimiter in CSV_DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines]
        widest = max(counts, default=1)
        score = (widest > 1) * (sum(c == widest for c in counts) * 1000 + widest)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data: bytes, file_name: str) -> Sheet:
    text = decode_text(data, file_name)
    delimiter = sniff_delimiter(text)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)  # checked as they come, so a file of blank lines or commas is refused early
            if len(rows) > limits.MAX_ROWS or len(row) > limits.MAX_COLUMNS:
                limits.check_rows(len(rows), len(row), file_name)
    except csv.Error as exc:
        where = f"line {len(rows) + 1}"
        if "field larger than field limit" in str(exc):
            raise FileError(
                file_name,
                f"{where} holds a cell of more than {csv.field_size_limit():,} characters, "
                "which no spreadsheet cell holds",
            ) from None
        raise FileError(file_name, f"{where} cannot be read as CSV ({exc})") from None
    return Sheet(Path(file_name).stem, rows)
