"""Caps on what an upload may hold, set in one place (README: Reliability and security).

The file size is checked here before a file is read; the rest of the caps are checked by the workbook scanner
(etl.xlsx_guard) before python-calamine parses a workbook, and on the rows read (etl.read).
All caps can be changed through the environment: UNCT_MAX_FILE_MB, UNCT_MAX_UNCOMPRESSED_MB,
UNCT_MAX_SHEET_MB, UNCT_MAX_ROWS, UNCT_MAX_CELLS.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

from core.errors import FileError

MB = 2**20
MAX_FILE_BYTES = int(os.environ.get("UNCT_MAX_FILE_MB", "50")) * MB
MAX_UNCOMPRESSED_BYTES = int(os.environ.get("UNCT_MAX_UNCOMPRESSED_MB", "400")) * MB
MAX_SHEET_BYTES = int(os.environ.get("UNCT_MAX_SHEET_MB", "256")) * MB
MAX_COMPRESSION_RATIO = 200
#: the ratio is checked only for parts unpacking to more than this: a smaller part, however repetitive (a column
#: of long texts repeated row after row compresses 300:1), is inflated in chunks and scanned like any other
RATIO_CHECKED_ABOVE = 64 * MB
MAX_ROWS = int(os.environ.get("UNCT_MAX_ROWS", "200000"))
MAX_COLUMNS = 500
#: cells python-calamine lays out (rows × columns of each sheet's grid, summed over the sheets)
MAX_CELLS = int(os.environ.get("UNCT_MAX_CELLS", "5000000"))
MAX_PARTS = 10_000
#: an XML prolog (declaration, comments) or a single cell longer than this is not a spreadsheet
MAX_PROLOG_BYTES = MB
MAX_ELEMENT_BYTES = 16 * MB
#: a workbook's properties part (docProps/core.xml: when it was saved) is read for the report date up to this size
MAX_PROPERTIES_BYTES = 64 * 1024
#: the text of every cell that refers to a shared string, summed (python-calamine copies the string into each)
MAX_SHARED_TEXT_BYTES = int(os.environ.get("UNCT_MAX_SHARED_TEXT_MB", "128")) * MB
#: problem cells remembered per sheet (errors, formulas without a value); the count is always exact
MAX_CELLS_LISTED = 1000


def refuse(file_name: str, reason: str) -> NoReturn:
    """Refuse the file: FileError naming it and the cap it breaks."""
    raise FileError(file_name, reason)


def check_file_size(data: bytes, file_name: str) -> None:
    _check_size(len(data), file_name)


def _check_size(size: int, file_name: str) -> None:
    if size > MAX_FILE_BYTES:
        refuse(file_name, f"the file is {size / 1e6:,.1f} MB; the limit is {MAX_FILE_BYTES // MB} MB")


def read_capped(path: str | os.PathLike) -> bytes:
    """A file's bytes, refused by its size on disk before any is read (and by what reading gives, should it
    grow meanwhile): a 2 GB file costs no memory to refuse."""
    path = Path(path)
    _check_size(path.stat().st_size, path.name)
    with open(path, "rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    check_file_size(data, path.name)
    return data


def check_rows(rows: int, columns: int, file_name: str, sheet: str | None = None) -> None:
    where = f"sheet '{sheet}' " if sheet else ""
    if rows > MAX_ROWS:
        refuse(file_name, f"{where}has {rows:,} rows; the limit is {MAX_ROWS:,} rows")
    if columns > MAX_COLUMNS:
        refuse(file_name, f"{where}has {columns:,} columns; the limit is {MAX_COLUMNS:,} columns")
