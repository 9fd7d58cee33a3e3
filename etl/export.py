"""Formula-safe exports (SPEC §7): CSV and Excel bytes in which no text cell can run as a formula.

A text cell that begins with = + - − @, a tab or a carriage return is prefixed with an apostrophe,
so Excel, LibreOffice and Google Sheets show it as text. Numbers, dates and booleans stay typed.
Control characters (which an .xlsx cannot hold: one such cell used to break the whole workbook, and
which a terminal runs as escapes) and the bidi controls that reverse text ('U+202E gnp.exe' reads
'exe.png') are shown visibly ('␛', '<U+202E>'), in both formats; tab, newline and carriage return,
and the bidi marks right-to-left text uses (U+200E, U+200F, U+061C), are kept.
"""
from __future__ import annotations

import io

import pandas as pd

from core.formatting import printable

#: first characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection)
FORMULA_TRIGGERS = ("=", "+", "-", "\u2212", "@", "\t", "\r")
#: characters `printable` leaves in exported text
KEPT = "\t\n\r\u200e\u200f\u061c"


def neutralise(value: object) -> object:
    """The value, with control characters shown visibly and an apostrophe in front when it is text that a
    spreadsheet would evaluate."""
    if isinstance(value, str):
        value = printable(value, keep=KEPT)
        if value.startswith(FORMULA_TRIGGERS):
            return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells are neutralised (see `neutralise`); numeric, date and boolean columns
    untouched."""
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series) \
                or pd.api.types.is_datetime64_any_dtype(series):
            continue
        out[column] = series.map(neutralise, na_action="ignore")
    # column names are text cells too
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def safe_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel picks the encoding) and CRLF line ends (RFC 4180,
    which also makes a cell holding a lone carriage return quoted), formula-safe."""
    return safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def safe_excel_bytes(df: pd.DataFrame, sheet_name: str = "Data") -> bytes:
    """An .xlsx workbook with one sheet, formula-safe: every text cell is written as text (never a
    formula or a link), numbers and dates stay numbers and dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    frame = safe_frame(df)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])
    sheet.freeze_panes = "A2"
    for i, column in enumerate(frame.columns):
        sheet.column_dimensions[_letter(i)].width = min(60, max(10, len(str(column)) + 2))
    bold = Font(bold=True)

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell

    header = []
    for name in frame.columns:
        cell = text_cell(str(name))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in frame.itertuples(index=False, name=None):
        sheet.append([text_cell(v) if isinstance(v, str) else _excel_value(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _excel_value(value):
    """Missing → empty cell; time-zone-aware timestamps lose the zone (Excel has none)."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value
