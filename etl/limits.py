"""Caps on what an upload may hold, set in one place (README: Reliability and security).

Checked before a workbook is parsed, so a decompression bomb or a sheet that claims a million
rows is refused with a plain message instead of exhausting memory.
"""
from __future__ import annotations

import io
import os
import re
import zipfile

MAX_FILE_BYTES = int(os.environ.get("UNCT_MAX_FILE_MB", "50")) * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = int(os.environ.get("UNCT_MAX_UNCOMPRESSED_MB", "400")) * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = int(os.environ.get("UNCT_MAX_ROWS", "200000"))
MAX_COLUMNS = 500

_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _fail(file_name: str, reason: str):
    from etl.read import FileError  # FileError lives with the readers

    raise FileError(file_name, reason)


def check_file_size(data: bytes, file_name: str) -> None:
    if len(data) > MAX_FILE_BYTES:
        _fail(file_name, f"the file is {len(data) / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_rows(rows: int, columns: int, file_name: str, sheet: str | None = None) -> None:
    where = f"sheet '{sheet}' " if sheet else ""
    if rows > MAX_ROWS:
        _fail(file_name, f"{where}has {rows:,} rows; the limit is {MAX_ROWS:,} rows")
    if columns > MAX_COLUMNS:
        _fail(file_name, f"{where}has {columns:,} columns; the limit is {MAX_COLUMNS:,} columns")


def check_workbook(data: bytes, file_name: str) -> None:
    """Refuse zip bombs, oversized sheet dimensions and XML entity declarations before parsing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        _fail(file_name, "the workbook is damaged (not a valid .xlsx archive)")
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            _fail(file_name, f"the workbook unpacks to more than {MAX_UNCOMPRESSED_BYTES // 2**20} MB "
                             "(a decompression bomb or an oversized sheet); it was not read")
        if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO and info.file_size > 2**22:
            _fail(file_name, f"part {info.filename} is compressed {info.file_size // info.compress_size}:1, "
                             "which only a decompression bomb does; it was not read")
    for info in archive.infolist():
        if not info.filename.endswith(".xml"):
            continue
        with archive.open(info) as part:
            head = part.read(4096)
        if _DOCTYPE.search(head):
            _fail(file_name, f"part {info.filename} declares XML entities (DOCTYPE/ENTITY), which a workbook "
                             "never needs; it was refused")
        if info.filename.startswith("xl/worksheets/"):
            match = _DIMENSION.search(head)
            if match and match.group(4):
                rows = int(match.group(4))
                columns = _column_number(match.group(3))
                sheet = info.filename.rsplit("/", 1)[-1]
                check_rows(rows, columns, file_name, sheet)
