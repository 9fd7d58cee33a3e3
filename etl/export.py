"""Formula-safe exports (SPEC §7): CSV and Excel bytes in which no text cell can run as a formula.

A text cell that begins with = + - − @, a tab or a carriage return is prefixed with an apostrophe,
so Excel, LibreOffice and Google Sheets show it as text. Numbers, dates and booleans stay typed.
"""
from __future__ import annotations

import io

import pandas as pd

#: first characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection)
FORMULA_TRIGGERS = ("=", "+", "-", "\u2212", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """The value, with an apostrophe in front when it is text that a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells are neutralised; numeric, date and boolean columns untouched."""
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
    """An .xlsx workbook with one sheet, formula-safe; text is never written as a formula or link."""
    frame = safe_frame(df)
    for column in frame.columns:  # Excel has no time zones
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_localize(None)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False,
                                                   "strings_to_numbers": False}}) as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet_name[:31])
        sheet = writer.sheets[sheet_name[:31]]
        sheet.freeze_panes(1, 0)
        for i, column in enumerate(frame.columns):
            width = min(60, max(10, len(str(column)) + 2))
            sheet.set_column(i, i, width)
    return buffer.getvalue()
