"""One worksheet part scanned in chunks (`SheetScanner`): the grid python-calamine will allocate, Excel error cells
and formulas saved without a value. Part of the workbook scanner (etl/xlsx_guard.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NoReturn

from etl.limits import (
    MAX_CELLS,
    MAX_CELLS_LISTED,
    MAX_COLUMNS,
    MAX_ELEMENT_BYTES,
    MAX_ROWS,
    MB,
    check_rows,
    refuse,
)
from etl.xlsx_bounds import cells_inside, column_letters, column_number, odd_cell
from etl.xlsx_texts import CELL_TAG, CellTexts

_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s[^<>]*?\bref\s*=\s*[\"']([^\"'<]*)[\"']")
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData[\s/>]")
_RANGE_END = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_REF = re.compile(rb"^([A-Za-z]+)([0-9]+)$")
_ROW_REF = re.compile(rb'<row r="([0-9]{1,10})"')
_CELL_REF = re.compile(rb'<c r="([A-Za-z]{1,7})([0-9]{1,10})"')
#: the start of a row or cell element, with or without a namespace prefix
_ROW_OR_CELL_START = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)[\s/>]")
_PREFIXED_ROW_OR_CELL = re.compile(rb"</?([\w.-]+):(?:c|row|f|v)[\s/>]")
#: a cheap test for _PREFIXED_ROW_OR_CELL: b":c" or b":row" in a piece
_PREFIXED_HINT = re.compile(rb":(?:c|row)")
#: a row element not written `<row r="…`
_UNNUMBERED_ROW = re.compile(rb'w(?<=<row)(?! r=")')  # found by its rare w
#: what marks a cell holding a formula or an Excel error (regex searches outpace bytes.find on these)
_FORMULA_MARK = re.compile(rb"f(?<=<f)")  # matching its rare f (see _marks)
_ERROR_MARK = re.compile(rb"e[\"'](?<=t=\"e\"|t='e')")  # t="e" or t='e', found by its e at .start() + 3
#: pieces read the fast way whose rows are followed only once needed: at most this many bytes of them are kept
_UNFOLLOWED_BYTES = 4 * MB
#: a row or cell start is looked for in a buffer's last bytes first
_CUT_TAIL = 16 * 1024
#: elements whose names start with c but are not cells (<col>, <cfRule>, <c:…> …)
_NOT_A_CELL = re.compile(rb"<c[^\s>/]")
#: the elements the cell-by-cell scan follows; quoted attribute values may hold '>' but never '<' (XML), so
#: no attempt runs past the next '<' and the scan stays linear however broken the markup
_TOKEN = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c|f|v)(?=[\s/>])((?:[^<>\"'/]|/(?!>)|\"[^\"<]*\"|'[^'<]*')*)(/?)>")
_ATTR_R = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ATTR_T = re.compile(rb"(?:^|\s)t\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ERROR_TEXT = re.compile(r"#[A-Za-z0-9/!?_.]{1,20}")


@dataclass
class SheetScan:
    """What the scan learnt about one worksheet part (positions are zero-based (row, column))."""

    part: str
    name: str
    visible: bool = True
    rows: int = 0  # grid python-calamine will lay out: rows × columns
    columns: int = 0
    cells: int = 0  # <c> elements
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # Excel error cells: position → '#REF!'
    error_count: int = 0
    unsaved_formulas: list[tuple[int, int]] = field(default_factory=list)  # formulas without a saved value
    unsaved_formula_count: int = 0


class SheetScanner:
    """Follows one worksheet's XML in chunks: grid size, error cells, formulas without a saved value.

    Each chunk is cut before its last row or cell start, so no cell straddles two pieces. A piece is
    handled the fast way (array operations and a few regex searches, all at C speed, each over the piece
    once) when every cell in it is written `<c r="…"` inside the sheet's verified dimension; its cells
    holding a formula or an error are then found by their markers and read one by one. Otherwise it is
    tokenised element by element, following python-calamine's placement of cells.
    """

    def __init__(self, scan: SheetScan, file_name: str, long_texts: bool = False):
        self.scan, self.file_name = scan, file_name
        self.texts = CellTexts(file_name, scan.part, scan.name) if long_texts else None  # see _TextBound
        self.claim: tuple[int, int] | None = None  # (rows, columns) of a dimension found before <sheetData>
        self.odd: re.Pattern | None = None  # a cell start other than <c r="…"> inside the dimension
        self.bound: tuple[bytes, bytes] = (b"", b"")  # the dimension's end: column letters, row number
        self.fast_cells = False  # some piece was accepted on the dimension's word
        self.max_row = self.max_col = -1
        # python-calamine places a cell written without r= in the row of its <row> element, one column
        # after the previous cell (whatever address that cell gave), and a <row> written without r=
        # after the previous <row> element
        self.row_counter = -1  # row of the last <row> element (0-based)
        self.col = -1  # column of the last cell placed
        self.cell: list | None = None  # open cell: [row, col, type, has_formula, value or None, value start]
        self.unfollowed: list[tuple[bytes, int]] = []  # pieces (buf, end) read the fast way that the counters do
        self.unfollowed_bytes = 0  # not reflect yet: they matter only to a later piece read element by element
        self.started = False

    # -- driving
    def run(self, chunks) -> None:
        carry = b""
        for chunk in chunks:
            buf = carry + chunk if carry else chunk
            if not self.started:
                if not self._start(buf):
                    carry = buf
                    if len(carry) > MAX_ELEMENT_BYTES:
                        self._refuse_element(carry)
                    continue
            cut = self._cut(buf, max(0, len(carry) - 64))  # the carry holds no cut point of its own
            if cut == 0:
                carry = buf
                if len(carry) > MAX_ELEMENT_BYTES:
                    self._refuse_element(carry)
                continue
            if self.texts:
                self.texts.feed(buf, 0, cut)
            self._piece(buf, cut)
            carry = buf[cut:]
        if not self.started:
            self._start(carry, final=True)
        if carry:
            if self.texts:
                self.texts.feed(carry, 0, len(carry))
            self._piece(carry, len(carry), last=True)
        if self.texts:
            self.texts.finish()
        self._finish()

    def _start(self, buf: bytes, final: bool = False) -> bool:
        """Read the dimension claim once <sheetData> (or the end) is in view."""
        data_at = _SHEET_DATA.search(buf)
        if data_at is None and not final:
            return False
        self.started = True
        head = buf[: data_at.start()] if data_at else buf
        match = _DIMENSION.search(head)
        if match:
            ref = match.group(1).decode("ascii", "replace").strip().split(":")[-1]
            end = _RANGE_END.match(ref)
            if end:
                rows, columns = int(end.group(2)), column_number(end.group(1))
                self._check_grid(rows, columns, claimed=match.group(1).decode("ascii", "replace"))
                self.claim = (rows, columns)
                self.odd = odd_cell(rows, columns)
                self.bound = (column_letters(columns).encode(), str(rows).encode())
        return True

    @staticmethod
    def _cut(buf: bytes, since: int = 0) -> int:
        """Position of the last row or cell start at or after `since` (0 when there is none)."""
        tail = max(since, len(buf) - _CUT_TAIL)  # a start in the tail is the last one: the whole buffer is
        best = SheetScanner._last_start(buf, tail)  # searched only when the tail holds none
        return best if best or tail == since else SheetScanner._last_start(buf, since)

    @staticmethod
    def _last_start(buf: bytes, since: int) -> int:
        best = 0
        for needle in (b"<c", b"<row", b":c", b":row"):
            at = len(buf)
            while True:
                at = buf.rfind(needle, since, at)
                if at <= best:
                    break
                start = at if needle[0] == 0x3C else buf.rfind(b"<", max(since, at - 64), at)
                if start > best and _ROW_OR_CELL_START.match(buf, start):
                    best = start
                    break
        return best

    def _piece(self, buf: bytes, end: int, last: bool = False) -> None:
        """Read the piece buf[:end] (sliced off only when it is read one of the slower ways)."""
        if _PREFIXED_HINT.search(buf, 0, end):  # b":c" or b":row" in the piece
            original = buf[:end]
            plain = _unprefixed(original)
            if plain is None:  # unusual prefixes: element by element
                self._rows_followed()
                self._tokens(original)
                return
            buf, end = plain, len(plain)
        written = None if self.odd is None else cells_inside(buf, end, *self.bound)
        if written is None:
            written = buf.count(b'<c r="', 0, end)
            fast = self.odd is not None and not self.odd.search(buf, 0, end)
        else:
            fast = True
        if fast:
            self.fast_cells = self.fast_cells or written > 0  # every cell <c r="…"> inside the dimension
        else:
            piece = buf[:end]
            if piece.count(b"<c") - len(_NOT_A_CELL.findall(piece)) != written or not self._refs(piece, written):
                self._rows_followed()
                self._tokens(piece)  # a cell not written <c r="A1">: placed by position, element by element
                return
        if written:
            self.scan.cells += written
            self._check_cells()
        if not last:  # rows are followed only once a later piece needs them; nothing follows the last one
            self.unfollowed.append((buf, end))
            self.unfollowed_bytes += end
            while self.unfollowed_bytes > _UNFOLLOWED_BYTES:
                self._follow_rows(*self.unfollowed[0])
                self.unfollowed_bytes -= self.unfollowed.pop(0)[1]
        self._special_cells(buf, end)  # its outcome depends on no row or column counter

    def _rows_followed(self) -> None:
        """Bring the row and column counters past the pieces read the fast way since they were last used."""
        for buf, end in self.unfollowed:
            self._follow_rows(buf, end)
        self.unfollowed.clear()
        self.unfollowed_bytes = 0

    def _follow_rows(self, buf: bytes, end: int) -> None:
        """Where the next piece's cells written without r= would go, after a piece (buf[:end]) read the fast way."""
        last_row = buf.rfind(b"<row", 0, end)
        if last_row != -1:
            explicit = _ROW_REF.match(buf, last_row, end)
            if explicit and not _UNNUMBERED_ROW.search(buf, 0, end):  # every <row is <row r="
                self.row_counter = int(explicit.group(1)) - 1
            else:  # rows without r= count on from the previous one: a bound never below the truth
                piece = buf[:end]
                rows = piece.count(b"<row")
                numbered = [int(r) - 1 for r in _ROW_REF.findall(piece)]
                self.row_counter = max([self.row_counter, *numbered]) + rows - len(numbered)
        last_cell = buf.rfind(b'<c r="', 0, end)
        if last_cell > last_row:
            ref = _REF.match(buf[last_cell + 6 : buf.find(b'"', last_cell + 6, end)])
            assert ref is not None  # the piece's cells are all `<c r="…"` inside the dimension
            self.col = column_number(ref.group(1)) - 1
        elif last_row != -1:
            self.col = -1

    def _refs(self, piece: bytes, written: int) -> bool:
        """Farthest row and column of cells beyond (or without) the dimension; False when a reference is odd."""
        if not written:
            return True
        refs = _CELL_REF.findall(piece)
        if len(refs) != written:
            return False
        rows = max(map(int, map(itemgetter(1), refs)))
        columns = max(map(column_number, set(map(itemgetter(0), refs))))
        if rows - 1 > self.max_row or columns - 1 > self.max_col:
            self.max_row, self.max_col = max(self.max_row, rows - 1), max(self.max_col, columns - 1)
            if self.max_row >= MAX_ROWS or self.max_col >= MAX_COLUMNS:
                worst = max(
                    refs,
                    key=lambda ref: (
                        int(ref[1]) > MAX_ROWS or column_number(ref[0]) > MAX_COLUMNS,
                        int(ref[1]),
                        column_number(ref[0]),
                    ),
                )
                self._refuse_cell(int(worst[1]) - 1, column_number(worst[0]) - 1)
        return True

    def _special_cells(self, buf: bytes, end: int) -> None:
        """Cells of the piece buf[:end] holding a formula or an Excel error, found by their markers (<f, t="e",
        t='e') and read one by one. No marker overlaps a `<c r="`, so a marker's cell starts at the last one
        before it."""
        starts = set()
        for marks in (
            _marks(buf, end, b"f", b"<f", _FORMULA_MARK),
            (found.start() - 3 for found in _ERROR_MARK.finditer(buf, 0, end)),
        ):
            start, since = -1, 0
            for at in marks:  # each stretch of the piece is searched once: linear
                start = max(start, buf.rfind(b'<c r="', since, at))
                if start != -1:
                    starts.add(start)
                since = at
        if not starts:
            return
        state = (self.scan.cells, self.row_counter, self.col, self.max_row, self.max_col)
        for start in sorted(starts):
            stop = buf.find(b"<c", start + 2, end)
            self._tokens(buf[start : stop if stop != -1 else end])
            self._close_cell()
        self.scan.cells, self.row_counter, self.col, self.max_row, self.max_col = state

    # -- cell-by-cell
    def _tokens(self, piece: bytes) -> None:
        for token in _TOKEN.finditer(piece):
            closing, name, attrs, empty = token.groups()
            if name == b"c":
                if closing:
                    self._close_cell()
                else:
                    self._open_cell(attrs)
                    if empty:
                        self._close_cell()
            elif name == b"row":
                if not closing:
                    r = _attr(_ATTR_R, attrs)
                    if r is not None:
                        if not r.isdigit():
                            self._refuse_ref(r)
                        self.row_counter = int(r) - 1
                    else:
                        self.row_counter += 1
                    self.col = -1
            elif self.cell is not None:
                if name == b"f" and not closing:
                    self.cell[3] = True
                elif name == b"v":
                    if closing:
                        if self.cell[5] is not None:
                            self.cell[4] = piece[self.cell[5] : token.start()]
                    elif empty:
                        self.cell[4] = b""
                    else:
                        self.cell[5] = token.end()

    def _open_cell(self, attrs: bytes) -> None:
        if self.cell is not None:
            self._close_cell()
        self.scan.cells += 1
        ref = _attr(_ATTR_R, attrs)
        if ref is not None:
            match = _REF.match(ref)
            if not match:
                self._refuse_ref(ref)
            row, col = int(match.group(2)) - 1, column_number(match.group(1)) - 1
        else:
            row, col = max(self.row_counter, 0), self.col + 1
        self.col = col
        if row > self.max_row or col > self.max_col:
            self.max_row, self.max_col = max(self.max_row, row), max(self.max_col, col)
            if self.max_row >= MAX_ROWS or self.max_col >= MAX_COLUMNS:
                self._refuse_cell(row, col)
        if self.scan.cells % 4096 == 0:
            self._check_cells()
        self.cell = [row, col, _attr(_ATTR_T, attrs), False, None, None]

    def _close_cell(self) -> None:
        cell, self.cell = self.cell, None
        if cell is None:
            return
        row, col, kind, has_formula, value, _ = cell
        if kind == b"e" and value:
            self.scan.error_count += 1
            if len(self.scan.errors) < MAX_CELLS_LISTED:
                text = value.decode("utf-8", "replace").strip()
                self.scan.errors[(row, col)] = text if _ERROR_TEXT.fullmatch(text) else "#VALUE!"
        elif has_formula and (value is None or (value.strip() == b"" and kind not in (b"str", b"inlineStr"))):
            self.scan.unsaved_formula_count += 1
            if len(self.scan.unsaved_formulas) < MAX_CELLS_LISTED:
                self.scan.unsaved_formulas.append((row, col))

    # -- limits
    def _finish(self) -> None:
        self._close_cell()
        rows, columns = self.max_row + 1, self.max_col + 1
        if self.fast_cells and self.claim is not None:  # a fast piece was read on the claim's word
            rows, columns = max(rows, self.claim[0]), max(columns, self.claim[1])
        self.scan.rows, self.scan.columns = rows, columns
        self._check_grid(rows, columns)
        self._check_cells()

    def _check_grid(self, rows: int, columns: int, claimed: str | None = None) -> None:
        sheet = self.scan.name
        if claimed is not None and (rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS):
            refuse(
                self.file_name,
                f"sheet '{sheet}' claims {rows:,} rows × {columns:,} columns (its <dimension> "
                f"is {claimed}); the limit is {MAX_ROWS:,} rows, {MAX_COLUMNS:,} columns and "
                f"{MAX_CELLS:,} cells; it was not read",
            )
        check_rows(rows, columns, self.file_name, sheet)
        if rows * columns > MAX_CELLS:
            refuse(
                self.file_name,
                f"sheet '{sheet}' spans {rows:,} rows × {columns:,} columns = {rows * columns:,} "
                f"cells; the limit is {MAX_CELLS:,} cells (is a stray cell far below or to the "
                "right of the data?)",
            )

    def _check_cells(self) -> None:
        if self.scan.cells > MAX_CELLS:
            refuse(
                self.file_name,
                f"sheet '{self.scan.name}' holds more than {MAX_CELLS:,} cells; the limit is {MAX_CELLS:,} cells",
            )

    def _refuse_cell(self, row: int, col: int) -> NoReturn:
        ref = f"{column_letters(col + 1)}{row + 1}"
        refuse(
            self.file_name,
            f"sheet '{self.scan.name}' has a cell at {ref}, beyond the limit of {MAX_ROWS:,} rows "
            f"and {MAX_COLUMNS:,} columns; it was not read",
        )

    def _refuse_ref(self, ref: bytes) -> NoReturn:
        refuse(
            self.file_name,
            f"sheet '{self.scan.name}' has a cell reference {ref[:20].decode('utf-8', 'replace')!r} "
            "that is not a cell address; it was not read",
        )

    def _refuse_element(self, carry: bytes) -> NoReturn:
        cell = CELL_TAG.match(carry)  # the carry starts at the last row or cell start
        what = f"cell {cell.group(1).decode().upper()} holds more than" if cell else "holds a single XML element over"
        refuse(
            self.file_name,
            f"sheet '{self.scan.name}' {what} {MAX_ELEMENT_BYTES // MB} MB, which no spreadsheet "
            "cell needs; it was not read",
        )


def _marks(buf: bytes, end: int, byte: bytes, marker: bytes, pattern: re.Pattern):
    """Where the marker occurs in buf[:end], in order. It is found by `byte`, rare in a sheet: by bytes.find
    (memchr) while that byte stays rare, by `pattern` (which matches that byte in a marker) through the rest
    of the piece once it turns out common."""
    back = marker.index(byte)
    budget = 64 + end // 512
    at = buf.find(byte, 0, end)
    while at != -1:
        if not budget:
            for found in pattern.finditer(buf, at, end):
                yield found.start() - back
            return
        budget -= 1
        if at >= back and buf.startswith(marker, at - back, end):
            yield at - back
        at = buf.find(byte, at + 1, end)


def _unprefixed(piece: bytes) -> bytes | None:
    """The piece with namespace prefixes dropped from its row, cell, formula and value elements
    (`<x:c r="A1">` → `<c r="A1">`, which python-calamine reads alike); None if some remain."""
    done: set[bytes] = set()
    while True:
        match = _PREFIXED_ROW_OR_CELL.search(piece)
        if match is None:
            return piece
        if match.group(1) in done or len(done) > 8:
            return None
        prefix = match.group(1)
        done.add(prefix)
        for name in (b"c", b"row", b"f", b"v"):
            for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                piece = piece.replace(b"<" + prefix + b":" + name + end, b"<" + name + end)
                piece = piece.replace(b"</" + prefix + b":" + name + end, b"</" + name + end)


def _attr(pattern: re.Pattern, attrs: bytes) -> bytes | None:
    match = pattern.search(attrs)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)
