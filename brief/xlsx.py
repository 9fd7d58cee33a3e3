"""The brief as an Excel workbook: a cover sheet with the filters and the as-of date, then one sheet per table of
the PDF with every row (the PDF may show the first rows only). Values are the queries' own — money in USD,
rates as fractions formatted as percentages, dates as dates — so a Results Group chair can paste them into the
annual UN Country Results Report. Formula-safe as every export: text cells go through the export's
neutralising and are written as text, never as formulas or links."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from analytics.exports import neutralise, safe_frame
from brief.document import Brief, Table, moment_label
from brief.html import stamp

#: Excel number formats per column kind
NUMBER_FORMATS = {
    "money": "#,##0",
    "rate": "0.0%",
    "count": "#,##0",
    "year": "0",
    "date": "yyyy-mm-dd",
    "number": "General",
}
COVER_SHEET = "Brief"


def sheet_names(tables: list[Table]) -> list[str]:
    """The tables' sheet names (unique, at most 31 characters, none the cover's)."""
    names = [COVER_SHEET]
    for table in tables:
        name = table.title[:31]
        n = 2
        while name in names:
            name = f"{table.title[:27]} ({n})"
            n += 1
        names.append(name)
    return names[1:]


def _excel_value(value: object, kind: str) -> object:
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if kind == "date":
        return pd.Timestamp(value).to_pydatetime().replace(tzinfo=None)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _text_cell(sheet, value: object, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralise("" if value is None else str(value)))
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _write_table(book: Workbook, name: str, table: Table) -> None:
    sheet = book.create_sheet(name)
    safe = safe_frame(table.frame)
    for i, column in enumerate(table.frame.columns):
        wide = 60 if table.kind(column, 0) == "text" else 16
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(wide, max(10, len(str(column)) + 2))
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, c, bold=True) for c in safe.columns])
    rows: list[tuple[int | None, list]] = [(i, list(r)) for i, r in enumerate(safe.itertuples(index=False, name=None))]
    if table.total is not None:
        rows.append((None, [table.total.get(c) for c in table.frame.columns]))
    for row_number, row in rows:
        cells = []
        for column, value in zip(table.frame.columns, row):
            kind = table.kind(column, row_number)
            if isinstance(value, str):
                cells.append(_text_cell(sheet, value, bold=row_number is None))
                continue
            cell = WriteOnlyCell(sheet, value=_excel_value(value, kind))
            if kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[kind]
            cells.append(cell)
        sheet.append(cells)


def _write_cover(book: Workbook, brief: Brief) -> None:
    sheet = book.create_sheet(COVER_SHEET)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90
    wrap = Alignment(wrap_text=True, vertical="top")
    facts = [
        ("UNCT meeting brief", ""),
        ("Country", brief.country),
        ("Plan", "; ".join(brief.plans) or "(all)"),
        ("Period", brief.period.label),
        ("Years", str(brief.period.year) if brief.period.year else "all years in view"),
        ("Figures as of", moment_label(brief.as_of)),
        ("Data as of", stamp(brief.data_as_of)),
        ("Change since", f"{brief.since:%-d %b %Y}, the end of the previous quarter"),
        ("Prepared", stamp(brief.generated_at)),
        ("", ""),
        (
            "Sheets",
            "One per table of the PDF brief, every row (the PDF may show the first rows only). Money "
            "in USD; rates as percentages of the exact fraction.",
        ),
    ]
    for label, value in facts:
        value_cell = _text_cell(sheet, value)
        value_cell.alignment = wrap
        sheet.append([_text_cell(sheet, label, bold=True), value_cell])
    sheet.append([])
    sheet.append([_text_cell(sheet, "What is not reported", bold=True)])
    for note in brief.not_reported:
        cell = _text_cell(sheet, note)
        cell.alignment = wrap
        sheet.append([None, cell])
    sheet.append([])
    sheet.append([_text_cell(sheet, "Definitions", bold=True)])
    for name, meaning in brief.definitions:
        cell = _text_cell(sheet, meaning)
        cell.alignment = wrap
        sheet.append([_text_cell(sheet, name), cell])


def attention_table(brief: Brief) -> Table:
    """The 'needs attention' page as a table: one row per item, under its concern."""
    rows = [(concern.title, item) for concern in brief.attention for item in (concern.items or [concern.none])]
    return Table("attention", "Needs attention", pd.DataFrame(rows, columns=["Concern", "Item"]))


def workbook_bytes(brief: Brief) -> bytes:
    book = Workbook(write_only=True)
    _write_cover(book, brief)
    tables = [brief.tables()[0], brief.tables()[1], attention_table(brief), *brief.tables()[2:]]
    for name, table in zip(sheet_names(tables), tables):
        _write_table(book, name, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
