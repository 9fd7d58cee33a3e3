"""Cells of a worksheet piece checked against the sheet's `<dimension>` at C speed: numpy arrays (`cells_inside`),
or a regex bounded by the dimension (`odd_cell`) where they leave doubt. Part of the workbook scanner
(etl/xlsx_guard.py)."""

from __future__ import annotations

import re
import threading

from etl.limits import MAX_ELEMENT_BYTES, MB

try:  # installed with pandas; without it cells are checked by regex alone (see cells_inside)
    import numpy as np
except ImportError:  # pragma: no cover
    np = None  # type: ignore[assignment]

CHUNK = MB  # inflated bytes handled at a time


def column_number(letters: bytes | str) -> int:
    """b'A' → 1, b'XFD' → 16384 (case-insensitive)."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.upper().decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ---------------------------------------------------------------- regexes bounded by a sheet's dimension


def _up_to(bound: bytes, first_low: int, low: int, high: int) -> bytes:
    """A regex for the strings over the characters low…high (the first one at least first_low), one to
    len(bound) long, that are at most `bound` when exactly as long as it. Written as a trie, one
    character class per position, so a match hardly ever backtracks: the regex is tried at every cell of a
    piece the array check (`cells_inside`) leaves in doubt."""

    def chars(a: int, b: int) -> bytes:
        return re.escape(bytes([a])) if a == b else b"[%c-%c]" % (a, b)

    def rest(n: int) -> bytes:
        return b"" if n <= 0 else chars(low, high) + (b"?" if n == 1 else b"{0,%d}" % n)

    def from_(i: int, lowest: int) -> bytes:
        left, top = len(bound) - i - 1, bound[i]  # positions after this one; the bound's character here
        if not left:
            return chars(min(lowest, top), top)
        alternatives = []
        if top > lowest:  # below the bound here: any shorter or equally long continuation
            alternatives.append(chars(lowest, top - 1) + rest(left))
        alternatives.append(re.escape(bytes([top])) + from_(i + 1, low) + (b"?" if left == 1 else b""))
        if top < high:  # above the bound here: only a shorter string
            alternatives.append(chars(top + 1, high) + rest(left - 1))
        if i:  # the string may end before this position (an empty alternative: cheaper than an optional group)
            alternatives.append(b"")
        return b"(?:" + b"|".join(alternatives) + b")"

    return from_(0, first_low)


def _numbers_up_to(n: int) -> bytes:
    """A regex for the decimal numbers 1…n written without leading zeros."""
    return _up_to(str(n).encode(), ord("1"), ord("0"), ord("9"))


def _letters_up_to(letters: str) -> bytes:
    """A regex for the column letters A…letters, in upper case (a lower-case reference, which Excel never
    writes, is read the slower way)."""
    return _up_to(letters.upper().encode(), ord("A"), ord("A"), ord("Z"))


def odd_cell(rows: int, columns: int) -> re.Pattern:
    """Matches a cell start other than `<c r="…"` with a reference inside A1:(columns, rows)."""
    inside = _letters_up_to(column_letters(columns)) + _numbers_up_to(rows)
    return re.compile(rb'<c(?! r="' + inside + rb'")[\s>/]')


if np is not None:
    _CELL_NEXT = np.zeros(256, bool)  # what follows `<c` in a cell start: \s, > or / (the `odd_cell` regex)
    _CELL_NEXT[list(b" \t\n\r\x0b\x0c>/")] = True
_SCRATCH = threading.local()
_SCRATCH_BYTES = 4 * MB  # at most this much scratch space is kept, by each thread that checks workbooks


def _work(size: int):
    """A scratch array of at least `size` booleans. Kept by the thread for the next piece: a fresh megabyte
    costs more to map into memory than the comparisons written into it."""
    if size > _SCRATCH_BYTES:
        return np.empty(size, bool)
    work = getattr(_SCRATCH, "work", None)
    if work is None or len(work) < size:
        work = _SCRATCH.work = np.empty(size, bool)
    return work


def cells_inside(buf: bytes, end: int, letters: bytes, digits: bytes) -> int | None:  # noqa: C901 (one vectorised pass; README)
    """The number of cells in buf[:end] when `odd_cell(int(digits), columns of letters)` finds none there:
    every cell start `<c` followed by \\s, > or / is `<c r="…"` with a reference inside A1:letters digits (upper-
    case letters, a number without leading zeros). None when that is not certain; the regex then decides.

    The same test done on arrays (numpy) for all cells at once, a third of the regex's time. The bytes after
    each `<c` are read 8 at a time, as many as ` r="`, the longest reference inside and its closing quote
    take: a cell start whose bytes would pass the end of the piece leaves the answer to the regex."""
    if np is None or not 64 <= end <= 4 * CHUNK + MAX_ELEMENT_BYTES // 4:
        return None
    a = np.frombuffer(buf, np.uint8, end)
    work = _work(2 * end)
    starts = np.equal(a[:-1], ord("<"), out=work[: end - 1])
    starts &= np.equal(a[1:], ord("c"), out=work[end : 2 * end - 1])
    at = np.flatnonzero(starts)
    del starts, work
    if len(at) > end // 8:
        return None
    size = 4 + len(letters) + len(digits) + 1  # ` r="`, the longest reference inside, its closing quote
    words = (size + 7) // 8
    if len(at) and at[-1] + 2 + 8 * words > end:  # near the end only a `<c` that starts no cell may be
        tail = at[at + 2 + 8 * words > end]
        if any(p + 2 < end and _CELL_NEXT[a[p + 2]] for p in tail.tolist()):
            return None
        at = at[: len(at) - len(tail)]
    if not len(at):
        return 0
    at += 2
    eights = np.ndarray((end - 7,), "<u8", buf, 0, (1,))  # the 8 bytes from each position
    after = [eights[at + 8 * i].view(np.uint8).reshape(-1, 8) for i in range(words)]  # row: bytes after a `<c`
    del at
    cells = _CELL_NEXT[after[0][:, 0]]
    if not cells.all():  # <col>, <cfRule> …
        after = [block[cells] for block in after]
    n = len(after[0])
    if not n:
        return 0
    if not (after[0].view("<u4")[:, 0] == int.from_bytes(b' r="', "little")).all():
        return None
    ref = [after[i // 8][:, i % 8] for i in range(4, size)]  # a column per byte of the reference

    def upper(column):
        return column - np.uint8(ord("A")) < 26

    if not upper(ref[0]).all():
        return None
    count = np.ones(n, np.int8)  # letters: 1 … len(letters); more end in a letter where a digit must come
    run = np.ones(n, bool)
    for column in ref[1 : len(letters)]:
        run &= upper(column)
        count += run
    number = ref[1 : len(digits) + 2]  # the bytes after the letters
    for k in range(2, len(letters) + 1):
        shifted = count == k
        number = [np.where(shifted, ref[i + k], byte) for i, byte in enumerate(number)]
    if not (number[0] - np.uint8(ord("1")) < 9).all():
        return None
    length = np.ones(n, np.int8)  # digits: 1 … len(digits), then the closing quote
    more = np.ones(n, bool)
    for byte in number[1:]:
        digit = byte - np.uint8(ord("0")) < 10
        if (more & ~digit & (byte != ord('"'))).any():
            return None
        more &= digit
        length += more
    if more.any():
        return None
    for columns, lengths, bound in ((ref, count, letters), (number, length, digits)):
        longest = lengths == len(bound)  # as long as the bound: compared with it, as big-endian integers
        if longest.any():
            value = np.zeros(int(longest.sum()), np.int64)
            for byte in columns[: len(bound)]:
                value = value * 256 + byte[longest]
            if value.max() > int.from_bytes(bound, "big"):
                return None
    return n
