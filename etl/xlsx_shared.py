"""Shared strings repeated beyond memory: python-calamine copies a shared string into every cell that refers to it,
so a 40 KB workbook whose 20,000 cells all refer to one 1 MB string would cost 20 GB once read. The text the cells
would hold, summed over every reference, is checked against MAX_SHARED_TEXT_BYTES before anything is read. Part of
the workbook scanner (etl/xlsx_guard.py), run after it has checked every part's true size and prolog."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from etl.limits import MAX_SHARED_TEXT_BYTES, MB, refuse

#: the end of a shared string (<si>…</si>, or an empty <si/>): the bytes from one end to the next bound the text
#: python-calamine builds
_STRING_END = re.compile(rb"</(?:[\w.-]+:)?si\s*>|<(?:[\w.-]+:)?si(?:\s[^<>]*)?/>")
#: a cell that refers to a shared string, to the index in its value (<v>, after anything else in the cell). Found
#: from the attribute value "s" rather than from t="s" or the cell's start: a literal the scan jumps to, several
#: times faster; any attribute whose value is "s" counts, so the sum is an upper bound. Single quotes, rare, are
#: looked for only in a piece that has them.
_CELL_REST = rb"""[^<>]*>(?:[^<]|<(?!/?(?:[\w.-]+:)?c[\s>/]))*?<(?:[\w.-]+:)?v\s*>\s*(\d{1,10})"""
_DOUBLE_QUOTED = re.compile(rb'"s"' + _CELL_REST)
_EITHER_QUOTED = re.compile(rb"""(?:"s"|'s')""" + _CELL_REST)
#: the start tag of a cell, for naming the cell that crosses the cap
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c\s[^<>]*")
_CELL = re.compile(rb"\br\s*=\s*[\"']([A-Za-z]{1,3}[0-9]{1,7})[\"']")
#: a piece of a part ends before the last cell tag it holds (the rest is carried into the next piece)
_LAST_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")


def check_shared_text(
    chunks_of: Callable[[str], Iterable[bytes]], sheets: Mapping[str, str], strings: Iterable[str], file_name: str
) -> None:
    """Refuse the workbook when its sheets' references to shared strings add up to more than MAX_SHARED_TEXT_BYTES
    of text, naming the sheet and the cell where the sum crosses it. `chunks_of(part)`: the part's inflated bytes
    piece by piece; `sheets`: sheet part → sheet name; `strings`: the shared-string parts python-calamine reads."""
    sizes = _string_sizes(chunks_of, strings)
    if not sizes.size:
        return
    total = 0
    for part, sheet in sheets.items():
        for piece in _whole_cells(chunks_of(part)):
            found = _references(piece).findall(piece)
            if not found:
                continue
            refs = np.fromiter(map(int, found), dtype=np.int64, count=len(found))
            used = np.where(refs < sizes.size, sizes[np.minimum(refs, sizes.size - 1)], 0)
            running = total + np.cumsum(used)
            if running[-1] > MAX_SHARED_TEXT_BYTES:
                at = int(np.searchsorted(running, MAX_SHARED_TEXT_BYTES, side="right"))
                _refuse(file_name, sheet, piece, at, sizes, _earlier(chunks_of(part), piece) + [refs[: at + 1]])
            total = int(running[-1])


def _references(piece: bytes) -> re.Pattern:
    return _EITHER_QUOTED if b"'s'" in piece else _DOUBLE_QUOTED


def _string_sizes(chunks_of: Callable[[str], Iterable[bytes]], strings: Iterable[str]) -> np.ndarray:
    """The size in bytes of each shared string's XML (an upper bound of the text it makes), in index order."""
    widest = np.zeros(0, dtype=np.int64)
    for part in strings:  # one, but its name's case may vary: the largest sizes of any
        sizes = _sizes_in(chunks_of(part))
        if sizes.size > widest.size:
            sizes, widest = widest, sizes
        widest[: sizes.size] = np.maximum(widest[: sizes.size], sizes)
    return widest


def _sizes_in(chunks: Iterable[bytes]) -> np.ndarray:
    sizes: list[int] = []
    carried = b""
    for chunk in chunks:
        pieces = _STRING_END.split(carried + chunk)  # a string's XML, its end tag excluded (an end tag cut between
        carried = pieces.pop()  # two chunks is found with the next one: the last piece is carried)
        sizes += map(len, pieces)
    return np.array(sizes, dtype=np.int64)


def _earlier(chunks: Iterable[bytes], until: bytes) -> list[np.ndarray]:
    """The references of the sheet's pieces before the piece `until`."""
    refs = []
    for piece in _whole_cells(chunks):
        if piece == until:
            break
        refs.append(np.fromiter(map(int, _references(piece).findall(piece)), dtype=np.int64))
    return refs


def _whole_cells(chunks: Iterable[bytes]) -> Iterable[bytes]:
    """The part's bytes in pieces that never cut a cell's start tag and value apart."""
    carried = b""
    for chunk in chunks:
        piece = carried + chunk
        starts = list(_LAST_CELL.finditer(piece, max(0, len(piece) - 65536)))
        cut = starts[-1].start() if starts else len(piece)
        yield piece[:cut]
        carried = piece[cut:]
    if carried:
        yield carried


def _refuse(file_name: str, sheet: str, piece: bytes, at: int, sizes: np.ndarray, refs: list[np.ndarray]) -> None:
    """Refuse naming the cell at which the repeated text crosses the cap, and the text that weighs most in it
    (`refs`: the sheet's references up to that cell)."""
    match = next(m for i, m in enumerate(_references(piece).finditer(piece)) if i == at)
    tags = list(_CELL_TAG.finditer(piece, max(0, match.start() - 65536), match.end()))
    cell = _CELL.search(tags[-1].group(0)) if tags else None
    where = f"sheet '{sheet}' cell {cell.group(1).decode().upper()}" if cell else f"sheet '{sheet}'"
    every = np.concatenate(refs)
    valid = every[every < sizes.size]
    weights = np.bincount(valid, weights=sizes[valid])
    heaviest = int(weights.argmax())
    times = int(np.count_nonzero(valid == heaviest))
    refuse(
        file_name,
        f"{where}: the cells up to here repeat the workbook's shared texts to more than "
        f"{MAX_SHARED_TEXT_BYTES // MB} MB of text (one text of {sizes[heaviest] / MB:,.1f} MB is used "
        f"in {times:,} cells of the sheet by then); reading it would take that much memory and more. The "
        f"limit is {MAX_SHARED_TEXT_BYTES // MB} MB of cell text per workbook; it was not read",
    )
