"""The workbook scanner: a workbook is checked before python-calamine parses it, so a hostile file is refused
with a plain message instead of exhausting memory or killing the process:

- the archive: at most MAX_PARTS parts, only stored or deflated parts, no encryption, declared sizes
  within the caps (the whole workbook, each sheet and the shared strings, the compression ratio of a part
  over RATIO_CHECKED_ABOVE);
- every XML part's prolog: no DOCTYPE/ENTITY declaration in its first 4 KB or anywhere before its
  root element (billion laughs, external entities), and UTF-8 only. The declared sizes are what
  python-calamine's zip reader enforces, so other parts are not inflated beyond their prolog;
- every worksheet part is inflated here, in chunks, and scanned: its true size must match the size it
  declares (a disguised bomb is refused), and the grid python-calamine will allocate must stay within
  the caps. python-calamine allocates a dense grid from A1 to the farthest cell, so a 400-byte sheet
  holding A1 and XFD1048576 would ask for 500 GB and abort the whole process. The scan trusts a
  sheet's `<dimension>` only after checking, at C speed (numpy arrays, or a regex where they leave
  doubt), that every cell lies inside it; sheets without one, with cells beyond it or with unusual
  markup are read cell by cell instead;
- every text python-calamine builds whole (a shared string, an inline string, a cell's value) must stay
  within MAX_ELEMENT_BYTES: followed, in parts large enough to hold a larger one, from its start tag to the
  end tag that python-calamine would stop at (`_TextBound`).

The same pass records cells python-calamine reads as empty although they are not: Excel error
cells (`#REF!`, `#DIV/0!` …) and formulas saved without a value (see `etl.read`).

The caps themselves are set in etl.limits.
"""
from __future__ import annotations

import io
import itertools
import posixpath
import re
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from operator import itemgetter

from etl.limits import (
    MAX_CELLS,
    MAX_CELLS_LISTED,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_ELEMENT_BYTES,
    MAX_PARTS,
    MAX_PROLOG_BYTES,
    MAX_ROWS,
    MAX_SHEET_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    MB,
    RATIO_CHECKED_ABOVE,
    check_rows,
    refuse,
)
from etl.xlsx_shared import check_shared_text

try:  # installed with pandas; without it cells are checked by regex alone (see _cells_inside)
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

try:  # SPEC: workbooks are untrusted XML; every XML parse here goes through defusedxml
    import defusedxml  # noqa: F401
    from defusedxml import ElementTree as SafeElementTree
except ImportError as exc:  # pragma: no cover - a broken installation
    raise ImportError("defusedxml is required to read uploaded workbooks safely: "
                      "pip install -r requirements.txt") from exc

CHUNK = MB  # inflated bytes handled at a time
_PROBE = 4096  # inflated first, of a part only its prolog is checked in
_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_ENTRY = re.compile(b"PK\x01\x02")  # a regex search outpaces bytes.count on compressed data

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
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


# ---------------------------------------------------------------- results of the scan

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


@dataclass
class WorkbookScan:
    sheets: list[SheetScan] = field(default_factory=list)  # workbook order

    def sheet(self, name: str) -> SheetScan | None:
        return next((s for s in self.sheets if s.name == name), None)


def _column_number(letters: bytes | str) -> int:
    """b'A' → 1, b'XFD' → 16384 (case-insensitive)."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.upper().decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(number: int) -> str:
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
    piece the array check (`_cells_inside`) leaves in doubt."""
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


def _odd_cell(rows: int, columns: int) -> re.Pattern:
    """Matches a cell start other than `<c r="…"` with a reference inside A1:(columns, rows)."""
    inside = _letters_up_to(_column_letters(columns)) + _numbers_up_to(rows)
    return re.compile(rb'<c(?! r="' + inside + rb'")[\s>/]')


if np is not None:
    _CELL_NEXT = np.zeros(256, bool)  # what follows `<c` in a cell start: \s, > or / (the `_odd_cell` regex)
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


def _cells_inside(buf: bytes, end: int, letters: bytes, digits: bytes) -> int | None:
    """The number of cells in buf[:end] when `_odd_cell(int(digits), columns of letters)` finds none there:
    every cell start `<c` followed by \\s, > or / is `<c r="…"` with a reference inside A1:letters digits (upper-
    case letters, a number without leading zeros). None when that is not certain; the regex then decides.

    The same test done on arrays (numpy) for all cells at once, a third of the regex's time. The bytes after
    each `<c` are read 8 at a time, as many as ` r="`, the longest reference inside and its closing quote
    take: a cell start whose bytes would pass the end of the piece leaves the answer to the regex."""
    if np is None or not 64 <= end <= 4 * CHUNK + MAX_ELEMENT_BYTES // 4:
        return None
    a = np.frombuffer(buf, np.uint8, end)
    work = _work(2 * end)
    starts = np.equal(a[:-1], ord("<"), out=work[:end - 1])
    starts &= np.equal(a[1:], ord("c"), out=work[end:2 * end - 1])
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
        at = at[:len(at) - len(tail)]
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
    for column in ref[1:len(letters)]:
        run &= upper(column)
        count += run
    number = ref[1:len(digits) + 2]  # the bytes after the letters
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
            for byte in columns[:len(bound)]:
                value = value * 256 + byte[longest]
            if value.max() > int.from_bytes(bound, "big"):
                return None
    return n


# ---------------------------------------------------------------- reading parts safely

def _part_chunks(data: bytes, info: zipfile.ZipInfo, file_name: str, cap: int, first: int | None = None):
    """The part's inflated bytes, CHUNK at a time (the first piece `first` bytes at most, when given);
    refuses a part larger than its declared size or `cap`."""
    offset = info.header_offset
    header = data[offset:offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        refuse(file_name, f"the workbook is damaged (part {info.filename} cannot be found in the archive)")
    fields = _LOCAL_HEADER.unpack(header)
    start = offset + _LOCAL_HEADER.size + fields[-2] + fields[-1]
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        refuse(file_name, f"the workbook is damaged (part {info.filename} is cut short)")
    limit = min(info.file_size, cap)
    produced = 0
    size = first or CHUNK
    if info.compress_type == _STORED:
        at = 0
        while at < len(raw):
            piece = bytes(raw[at:at + size])
            at += size
            size = CHUNK
            produced += len(piece)
            if produced > limit:
                _oversized(file_name, info, cap)
            yield piece
    else:
        inflater = zlib.decompressobj(-15)
        at = 0
        try:
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    piece = inflater.decompress(inflater.unconsumed_tail, size)
                elif at < len(raw):
                    piece = inflater.decompress(raw[at:at + CHUNK], size)
                    at += CHUNK
                else:
                    piece = inflater.decompress(b"", size)  # output zlib still holds
                    if not piece:
                        break
                size = CHUNK
                produced += len(piece)
                if produced > limit:
                    _oversized(file_name, info, cap)
                if piece:
                    yield piece
        except zlib.error:
            refuse(file_name, f"the workbook is damaged (part {info.filename} cannot be unpacked)")
        if not inflater.eof:
            refuse(file_name, f"the workbook is damaged (part {info.filename} is cut short)")
    if produced != info.file_size:
        refuse(file_name, f"the workbook is damaged (part {info.filename} holds {produced:,} bytes but its "
                         f"directory entry says {info.file_size:,}); it was not read")


def _oversized(file_name: str, info: zipfile.ZipInfo, cap: int):
    if info.file_size <= cap:  # the directory entry understates the part: a disguised bomb
        refuse(file_name, f"part {info.filename} unpacks to more than the {info.file_size:,} bytes its directory "
                         "entry declares (a disguised decompression bomb); it was not read")
    refuse(file_name, f"part {info.filename} unpacks to more than {cap // MB} MB; the limit is {cap // MB} MB")


class _Prolog:
    """Refuses a DOCTYPE or ENTITY declaration in a part's first 4 KB or anywhere before its root element
    (however long the prolog), and XML that is not UTF-8 (Excel always writes UTF-8), which a byte scan
    could not read. Fed chunk by chunk; `feed` returns True once nothing more needs to be seen."""

    def __init__(self, file_name: str, part: str):
        self.file_name, self.part = file_name, part
        self.head = b""
        self.first_checked = self.root_found = False

    def feed(self, chunk: bytes) -> bool:
        self.head += chunk
        if not self.first_checked and len(self.head) >= 4096:
            self.first_checked = True
            if _DOCTYPE.search(self.head, 0, 4096):
                _refuse_dtd(self.file_name, self.part)
        if not self.root_found:
            verdict = _prolog_verdict(self.head)
            if verdict == "not utf-8":
                refuse(self.file_name, f"part {self.part} is not UTF-8 XML, which a workbook saved by Excel always "
                                      "is; it was refused")
            if verdict == "dtd":
                _refuse_dtd(self.file_name, self.part)
            self.root_found = verdict == "root"
            if not self.root_found and len(self.head) > MAX_PROLOG_BYTES:
                refuse(self.file_name, f"part {self.part} starts with more than {MAX_PROLOG_BYTES // MB} MB of XML "
                                      "prolog; it was refused")
        if self.first_checked and self.root_found:
            self.head = b""
            return True
        return False

    def end(self) -> None:
        if _DOCTYPE.search(self.head, 0, 4096) or (not self.root_found and _prolog_verdict(self.head) == "dtd"):
            _refuse_dtd(self.file_name, self.part)


def _check_prolog(chunks, file_name: str, part: str):
    """Pass the chunks through a `_Prolog` check."""
    prolog = _Prolog(file_name, part)
    done = False
    for chunk in chunks:
        if not done:
            done = prolog.feed(chunk)
        yield chunk
    if not done:
        prolog.end()


def _check_prolog_only(chunks, file_name: str, part: str) -> None:
    """The `_Prolog` check, inflating no more of the part than it needs."""
    prolog = _Prolog(file_name, part)
    for chunk in chunks:
        if prolog.feed(chunk):
            return
    prolog.end()


def _refuse_dtd(file_name: str, part: str):
    refuse(file_name, f"part {part} declares XML entities (DOCTYPE/ENTITY), which a workbook never needs; "
                     "it was refused")


def _prolog_verdict(head: bytes) -> str:
    """'root' once the root element starts, 'dtd' on a DOCTYPE, 'more' while undecided."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        return "not utf-8"
    at = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while at < len(head) and head[at] in b" \t\r\n":
            at += 1
        if at >= len(head):
            return "more"
        if head[at] != 0x3C:  # text before the root: not XML; leave the verdict to the parser
            return "root"
        if head.startswith(b"<?", at):
            end, close = head.find(b"?>", at + 2), 2
        elif head.startswith(b"<!--", at):
            end, close = head.find(b"-->", at + 4), 3
        elif head.startswith(b"<!", at):
            return "dtd" if len(head) - at >= 9 or not b"<!DOCTYPE".startswith(head[at:]) else "more"
        elif len(head) - at < 4 and b"<!--".startswith(head[at:]):
            return "more"
        else:
            return "root"
        if end == -1:
            return "more"
        at = end + close


def _read_small(data: bytes, archive: zipfile.ZipFile, name: str, file_name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    return b"".join(_check_prolog(_part_chunks(data, info, file_name, 16 * MB), file_name, name))


def _parse_xml(content: bytes, file_name: str, part: str):
    try:
        return SafeElementTree.fromstring(content, forbid_dtd=True)
    except Exception:  # defusedxml's refusals and plain syntax errors alike
        refuse(file_name, f"the workbook is damaged (part {part} is not well-formed XML)")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(data: bytes, archive: zipfile.ZipFile, file_name: str) -> tuple[list[tuple[str, str, bool]], set[str]]:
    """(part, sheet name, visible) for each sheet of xl/workbook.xml, in workbook order; and the parts the
    workbook's relationships name as shared strings."""
    book = _read_small(data, archive, "xl/workbook.xml", file_name)
    if book is None:
        refuse(file_name, "the file is a zip archive but not an Excel .xlsx workbook (it has no xl/workbook.xml); "
                         "open it in Excel and save it as .xlsx")
    rels = _read_small(data, archive, "xl/_rels/workbook.xml.rels", file_name) or b"<Relationships/>"
    targets, strings = {}, set()
    for rel in _parse_xml(rels, file_name, "xl/_rels/workbook.xml.rels").iter():
        if _local(rel.tag) == "Relationship" and rel.get("Id") and rel.get("Target"):
            target = rel.get("Target").replace("\\", "/")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = target
            if (rel.get("Type") or "").endswith("/sharedStrings"):
                strings.add(target)
    sheets = []
    for element in _parse_xml(book, file_name, "xl/workbook.xml").iter():
        if _local(element.tag) != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        sheets.append((targets.get(rid, ""), element.get("name") or "", element.get("state", "visible") == "visible"))
    return sheets, strings


# ---------------------------------------------------------------- the workbook check

def check_workbook(data: bytes, file_name: str) -> WorkbookScan:
    """Refuse zip bombs, oversized or sparse sheets and XML entity declarations before parsing.

    Returns what the scan learnt of each worksheet (grid size, error cells, formulas without a value).
    """
    archive, infos = _open_archive(data, file_name)
    _check_declared_sizes(infos, file_name)
    sheets, strings = _sheet_parts(data, archive, file_name)
    by_part = {part: (name, visible) for part, name, visible in sheets if part}
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            by_part.setdefault(info.filename, (info.filename.rsplit("/", 1)[-1], False))
        if info.filename.lower() == "xl/sharedstrings.xml":  # the part python-calamine reads, whatever its case
            strings.add(info.filename)
    _check_part_sizes(infos, by_part, strings, file_name)
    scans = _scan_parts(data, infos, by_part, strings, file_name)
    parts = {info.filename: info for info in infos}
    sheet_names = {part: name for part, (name, _) in by_part.items() if part in parts}
    check_shared_text(lambda part: _part_chunks(data, parts[part], file_name, MAX_SHEET_BYTES), sheet_names,
                      sorted(strings & set(parts)), file_name)
    ordered = [scans[part] for part, _, _ in sheets if part in scans]
    ordered += [scan for part, scan in scans.items() if scan not in ordered]
    return WorkbookScan(ordered)


def _open_archive(data: bytes, file_name: str) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The workbook's zip archive and its parts, refused when damaged or holding too many parts."""
    if next(itertools.islice(_CENTRAL_ENTRY.finditer(data), MAX_PARTS, None), None):  # > MAX_PARTS signatures
        refuse(file_name, f"the workbook has more than {MAX_PARTS:,} parts, which no spreadsheet needs; it was not read")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # BadZipFile, but also struct/EOF/value errors of a mangled directory
        refuse(file_name, "the workbook is damaged (not a valid .xlsx archive)")
    if len(infos) > MAX_PARTS:
        refuse(file_name, f"the workbook has {len(infos):,} parts; the limit is {MAX_PARTS:,}; it was not read")
    return archive, infos


def _check_declared_sizes(infos: list[zipfile.ZipInfo], file_name: str) -> None:
    """No encryption, only stored or deflated parts, the declared sizes and compression ratios within the caps."""
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            refuse(file_name, "the workbook is encrypted (password-protected); remove the password and save it again")
        if info.compress_type not in (_STORED, _DEFLATED):
            refuse(file_name, f"part {info.filename} uses a compression Excel never writes; it was not read")
        total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            refuse(file_name, f"the workbook unpacks to more than {MAX_UNCOMPRESSED_BYTES // MB} MB; the limit is "
                              f"{MAX_UNCOMPRESSED_BYTES // MB} MB (a decompression bomb or an oversized sheet); "
                              "it was not read")
        ratio = info.file_size / info.compress_size if info.compress_size else 0
        if ratio > MAX_COMPRESSION_RATIO and info.file_size > RATIO_CHECKED_ABOVE:
            refuse(file_name, f"part {info.filename} is compressed {info.file_size // info.compress_size}:1, "
                              f"beyond the limit of {MAX_COMPRESSION_RATIO}:1 that only a decompression bomb "
                              "exceeds; it was not read")


def _check_part_sizes(infos: list[zipfile.ZipInfo], by_part: dict, strings: set[str], file_name: str) -> None:
    """Each sheet and the shared strings within MAX_SHEET_BYTES, by their declared sizes."""
    for info in infos:
        if info.filename in by_part and info.file_size > MAX_SHEET_BYTES:
            refuse(file_name, f"sheet '{by_part[info.filename][0]}' unpacks to {info.file_size / MB:,.0f} MB; the "
                              f"limit is {MAX_SHEET_BYTES // MB} MB per sheet (a decompression bomb or an oversized "
                              "sheet); it was not read")
        if info.filename in strings and info.file_size > MAX_SHEET_BYTES:
            refuse(file_name, f"the shared strings (part {info.filename}) unpack to {info.file_size / MB:,.0f} MB; "
                              f"the limit is {MAX_SHEET_BYTES // MB} MB per part; it was not read")


def _scan_parts(data: bytes, infos: list[zipfile.ZipInfo], by_part: dict, strings: set[str],
                file_name: str) -> dict[str, SheetScan]:
    """Every XML part checked: sheets inflated whole and scanned (their grids summed against MAX_CELLS), large
    shared strings followed text by text, other parts as far as their prolog. The scans by sheet part."""
    scans = {}
    grid = 0
    for info in infos:
        name = info.filename
        if name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            continue  # read above
        # shared strings large enough to hold a text over the cap (or more texts than cells) are read whole
        long_strings = name in strings and info.file_size > MAX_ELEMENT_BYTES
        whole = name in by_part or long_strings  # read to the end; other parts only as far as their prolog
        chunks, head = _first_chunks(data, info, file_name, whole)
        if not _is_xml(name, head, by_part):
            continue  # images, vbaProject.bin: never parsed
        if name in by_part:  # a sheet: inflated whole (its true size verified) and scanned
            scan = SheetScan(name, *by_part[name])
            _SheetScanner(scan, file_name, info.file_size > MAX_ELEMENT_BYTES).run(_check_prolog(chunks, file_name,
                                                                                                 name))
            grid += scan.rows * scan.columns
            if grid > MAX_CELLS:
                refuse(file_name, f"the workbook's sheets span {grid:,} cells; the limit is {MAX_CELLS:,} cells "
                                  "(is a stray cell far below or to the right of the data?)")
            scans[name] = scan
        elif long_strings:  # could hold a text over the cap, or more than MAX_CELLS <si/>
            _SharedTexts(file_name, name).run(_check_prolog(chunks, file_name, name))
        else:  # python-calamine's own zip reader stops at a part's declared size
            _check_prolog_only(chunks, file_name, name)
    return scans


def _first_chunks(data: bytes, info: zipfile.ZipInfo, file_name: str, whole: bool):
    """The part's inflated chunks (all of them when `whole`, else as far as its prolog) and its head: the first
    CHUNK bytes, or more of a part blank so far."""
    chunks = _part_chunks(data, info, file_name, MAX_SHEET_BYTES, None if whole else min(CHUNK, _PROBE))
    first = next(chunks, b"")
    while not whole and len(first) < CHUNK and not first.lstrip(b"\xef\xbb\xbf \t\r\n"):
        more = next(chunks, None)  # blank so far: judge the part on its first CHUNK bytes, as a sheet is
        if more is None:
            break
        first += more
    head = first if len(first) <= CHUNK else first[:CHUNK]
    return itertools.chain([first], chunks), head


def _is_xml(name: str, head: bytes, by_part: dict) -> bool:
    """A part python-calamine may parse as XML: a sheet, a .xml or .rels name, or content that looks like XML
    (parts are found through relationships, whatever their names)."""
    return (name in by_part or name.lower().endswith((".xml", ".rels")) or head[:2] in (b"\xff\xfe", b"\xfe\xff")
            or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"))


# ---------------------------------------------------------------- texts python-calamine builds whole

#: markup among cells or strings that could hide a false end tag from a byte scan: comments, CDATA sections,
#: processing instructions (`<!`, `<?`: found by bytes.find), and an attribute value holding '<' (not XML,
#: but python-calamine's parser reads past it). A piece that ends before a '<' (the part's next tag) ends
#: no attribute value: one still open there holds that '<'.
_QUOTED_LT = re.compile(rb"=\s*+(?:\"[^\"<]*+<|'[^'<]*+<)")
_QUOTED_LT_AT_END = re.compile(rb"=\s*+(?:\"[^\"<]*+(?:<|\Z)|'[^'<]*+(?:<|\Z))")
#: a whole tag, its quoted attribute values holding any '>'
_WHOLE_TAG = re.compile(rb"<[^<>\"']*+(?:(?:\"[^\"]*+\"|'[^']*+')[^<>\"']*+)*+>")
#: the start tag of a cell, for naming the cell of a text
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c\s[^<>]*?\br\s*=\s*[\"']([A-Za-z]{1,3}[0-9]{1,7})[\"']")


class _TextBound:
    """Refuses a text python-calamine would build from more than MAX_ELEMENT_BYTES of XML, before it is built.

    python-calamine builds a shared string from an <si> element, an inline string from <is> and a cell's value
    from <v>: from the start tag to the first end tag of that name, whatever lies between (rich-text runs,
    unknown elements, even elements shaped like cells or strings). The part's pieces are followed in order, an
    element still open at the end of one into the next. Markup that could hide a false end tag from this byte
    scan is refused: comments, CDATA sections and processing instructions (spreadsheet programs write none
    among cells or strings), and '<' inside an attribute value. Only parts larger than MAX_ELEMENT_BYTES are
    followed (a smaller part holds no larger text), so workbooks of usual size pay nothing for it.

    No piece may cut a tag in two; `at_tag` says the piece ends just before a '<' or at the part's end.
    """

    names: tuple[bytes, ...] = ()
    body = b""  # the element the followed markup starts with: what comes before it (the prolog) is not checked
    where = ""  # "cells", "shared strings": what the part holds, for messages

    def __init__(self, file_name: str, part: str):
        self.file_name, self.part = file_name, part
        names = b"|".join(self.names)
        self.start = re.compile(rb"<(?:[\w.-]+:)?(?:" + names + rb")(?:\s[^<>]*+)?(?<!/)>")  # not <v/>
        self.end = re.compile(rb"</(?:[\w.-]+:)?(?:" + names + rb")\s*>")
        self.ends = [b"</" + n for n in self.names] + [b":" + n for n in self.names]  # found from the end by these
        self.body_start = re.compile(rb"<(?:[\w.-]+:)?" + self.body + rb"[\s/>]")
        self.in_body = False
        self.offset = 0  # position in the part of the next piece
        self.open_at: int | None = None  # position in the part of the start tag of a text not yet ended
        self.label = ""  # which text that is, for the message

    def feed(self, buf: bytes, start: int, end: int, at_tag: bool = True) -> None:
        """Follow the piece buf[start:end], the part's next bytes."""
        base = self.offset - start  # a position in buf + base = the position in the part
        self.offset += end - start
        if not self.in_body:
            found = self.body_start.search(buf, start, end)
            if found is None:
                return
            self.in_body, start = True, found.start()
        if buf.find(b"<!", start, end) != -1 or buf.find(b"<?", start, end) != -1:
            refuse(self.file_name, f"part {self.part} holds an XML comment, CDATA section or processing instruction "
                                  f"among its {self.where}, which spreadsheet programs never write (it could hide "
                                  "where a text ends); it was not read")
        if (_QUOTED_LT_AT_END if at_tag else _QUOTED_LT).search(buf, start, end):
            refuse(self.file_name, f"part {self.part} holds '<' inside an attribute value, which is not well-formed "
                                  "XML (it could hide where a text ends); it was not read")
        if self.open_at is not None:  # a text begun in an earlier piece
            closed = self.end.search(buf, start, end)
            self._check((closed.start() if closed else end) + base - self.open_at)
            if closed is None:
                return
            self.open_at, start = None, closed.end()
        if end - start > MAX_ELEMENT_BYTES:  # texts begun and ended within the piece may be over the cap too
            self._within(buf, start, end)
        closed = _rfind_tag(buf, start, end, self.ends, self.end)
        opened = self.start.search(buf, closed if closed != -1 else start, end)  # a text still open at the end
        if opened is not None:
            self.open_at, self.label = opened.start() + base, self._describe(buf, start, opened.start())
            self._check(end + base - self.open_at)

    def finish(self) -> None:
        """At the part's end: a text never ended reaches to the end."""
        if self.open_at is not None:
            self._check(self.offset - self.open_at)

    def _within(self, buf: bytes, start: int, end: int) -> None:
        at = start
        while (opened := self.start.search(buf, at, end)) is not None:
            closed = self.end.search(buf, opened.end(), end)
            if closed is None:
                return  # still open at the piece's end: followed by `feed`
            if closed.start() - opened.start() > MAX_ELEMENT_BYTES:
                self.label = self._describe(buf, start, opened.start())
                self._check(closed.start() - opened.start())
            at = closed.end()

    def _check(self, size: int) -> None:
        if size > MAX_ELEMENT_BYTES:
            refuse(self.file_name, f"{self.label} holds more than {MAX_ELEMENT_BYTES // MB} MB of text, which no "
                                  "spreadsheet cell needs; it was not read")

    def _describe(self, buf: bytes, start: int, at: int) -> str:
        raise NotImplementedError


class _CellTexts(_TextBound):
    """Inline strings (<is>) and values (<v>) of a worksheet's cells."""

    names, body, where = (b"v", b"is"), b"sheetData", "cells"

    def __init__(self, file_name: str, part: str, sheet: str):
        super().__init__(file_name, part)
        self.sheet = sheet

    def _describe(self, buf: bytes, start: int, at: int) -> str:
        cell = _rfind_tag(buf, max(start, at - 4096), at, [b"<c", b":c"], _CELL_TAG)
        ref = _CELL_TAG.match(buf, cell).group(1).decode().upper() if cell != -1 else None
        return f"sheet '{self.sheet}' " + (f"cell {ref}" if ref else "has a cell that")


class _SharedTexts(_TextBound):
    """The shared strings (<si>); also refuses more of them than MAX_CELLS (cells could refer to)."""

    names, body, where = (b"si",), b"sst", "shared strings"

    def __init__(self, file_name: str, part: str):
        super().__init__(file_name, part)
        self.count = 0  # <si elements before the piece being followed

    def run(self, chunks) -> None:
        """Follow the part's chunks: all of a chunk when its last tag is whole (text may follow it: a long text
        is bounded as it is followed), else up to that tag, which is carried to the next chunk."""
        carry = b""
        for chunk in chunks:
            buf = carry + chunk if carry else chunk
            last = buf.rfind(b"<")
            cut, at_tag = (len(buf), False) if last == -1 or _WHOLE_TAG.match(buf, last) else (last, True)
            if len(buf) - cut > MAX_ELEMENT_BYTES:
                refuse(self.file_name, f"part {self.part} holds a tag over {MAX_ELEMENT_BYTES // MB} MB; it was "
                                      "not read")
            if cut:
                self._counted(buf, 0, cut, at_tag)
            carry = buf[cut:]
        if carry:
            self._counted(carry, 0, len(carry), True)
        self.finish()

    def _counted(self, buf: bytes, start: int, end: int, at_tag: bool) -> None:
        self.feed(buf, start, end, at_tag)
        self.count += buf.count(b"<si", start, end)
        if self.count > MAX_CELLS:
            refuse(self.file_name, f"the workbook holds more than {MAX_CELLS:,} distinct texts; it was not read")

    def _describe(self, buf: bytes, start: int, at: int) -> str:
        return f"part {self.part}: shared string {self.count + buf.count(b'<si', start, at) + 1:,}"


def _rfind_tag(buf: bytes, start: int, end: int, needles, pattern: re.Pattern) -> int:
    """Where the last tag of buf[start:end] that `pattern` matches starts, -1 if none. Found from the end by its
    needles: b'</v', or b':v' for the same name with a namespace prefix."""
    best = -1
    for needle in needles:
        at = end
        while True:
            at = buf.rfind(needle, start, at)
            if at <= best:
                break
            begin = at if needle[0] == 0x3C else buf.rfind(b"<", max(start, at - 64), at)
            if begin > best and pattern.match(buf, begin, end):
                best = begin
                break
    return best


# ---------------------------------------------------------------- one worksheet

class _SheetScanner:
    """Follows one worksheet's XML in chunks: grid size, error cells, formulas without a saved value.

    Each chunk is cut before its last row or cell start, so no cell straddles two pieces. A piece is
    handled the fast way (array operations and a few regex searches, all at C speed, each over the piece
    once) when every cell in it is written `<c r="…"` inside the sheet's verified dimension; its cells
    holding a formula or an error are then found by their markers and read one by one. Otherwise it is
    tokenised element by element, following python-calamine's placement of cells.
    """

    def __init__(self, scan: SheetScan, file_name: str, long_texts: bool = False):
        self.scan, self.file_name = scan, file_name
        self.texts = _CellTexts(file_name, scan.part, scan.name) if long_texts else None  # see _TextBound
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
        self.cell = None  # open cell: [row, col, type, has_formula, value or None, value start]
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
        head = buf[:data_at.start()] if data_at else buf
        match = _DIMENSION.search(head)
        if match:
            ref = match.group(1).decode("ascii", "replace").strip().split(":")[-1]
            end = _RANGE_END.match(ref)
            if end:
                rows, columns = int(end.group(2)), _column_number(end.group(1))
                self._check_grid(rows, columns, claimed=match.group(1).decode("ascii", "replace"))
                self.claim = (rows, columns)
                self.odd = _odd_cell(rows, columns)
                self.bound = (_column_letters(columns).encode(), str(rows).encode())
        return True

    @staticmethod
    def _cut(buf: bytes, since: int = 0) -> int:
        """Position of the last row or cell start at or after `since` (0 when there is none)."""
        tail = max(since, len(buf) - _CUT_TAIL)  # a start in the tail is the last one: the whole buffer is
        best = _SheetScanner._last_start(buf, tail)  # searched only when the tail holds none
        return best if best or tail == since else _SheetScanner._last_start(buf, since)

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
            buf = _unprefixed(original)
            if buf is None:  # unusual prefixes: element by element
                self._rows_followed()
                self._tokens(original)
                return
            end = len(buf)
        written = None if self.odd is None else _cells_inside(buf, end, *self.bound)
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
            ref = _REF.match(buf[last_cell + 6:buf.find(b'"', last_cell + 6, end)])
            self.col = _column_number(ref.group(1)) - 1
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
        columns = max(map(_column_number, set(map(itemgetter(0), refs))))
        if rows - 1 > self.max_row or columns - 1 > self.max_col:
            self.max_row, self.max_col = max(self.max_row, rows - 1), max(self.max_col, columns - 1)
            if self.max_row >= MAX_ROWS or self.max_col >= MAX_COLUMNS:
                worst = max(refs, key=lambda ref: (int(ref[1]) > MAX_ROWS or _column_number(ref[0]) > MAX_COLUMNS,
                                                  int(ref[1]), _column_number(ref[0])))
                self._refuse_cell(int(worst[1]) - 1, _column_number(worst[0]) - 1)
        return True

    def _special_cells(self, buf: bytes, end: int) -> None:
        """Cells of the piece buf[:end] holding a formula or an Excel error, found by their markers (<f, t="e",
        t='e') and read one by one. No marker overlaps a `<c r="`, so a marker's cell starts at the last one
        before it."""
        starts = set()
        for marks in (_marks(buf, end, b"f", b"<f", _FORMULA_MARK),
                      (found.start() - 3 for found in _ERROR_MARK.finditer(buf, 0, end))):
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
            self._tokens(buf[start:stop if stop != -1 else end])
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
                            self.cell[4] = piece[self.cell[5]:token.start()]
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
            row, col = int(match.group(2)) - 1, _column_number(match.group(1)) - 1
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
        if self.fast_cells:
            rows, columns = max(rows, self.claim[0]), max(columns, self.claim[1])
        self.scan.rows, self.scan.columns = rows, columns
        self._check_grid(rows, columns)
        self._check_cells()

    def _check_grid(self, rows: int, columns: int, claimed: str | None = None) -> None:
        sheet = self.scan.name
        if claimed is not None and (rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS):
            refuse(self.file_name, f"sheet '{sheet}' claims {rows:,} rows × {columns:,} columns (its <dimension> "
                                  f"is {claimed}); the limit is {MAX_ROWS:,} rows, {MAX_COLUMNS:,} columns and "
                                  f"{MAX_CELLS:,} cells; it was not read")
        check_rows(rows, columns, self.file_name, sheet)
        if rows * columns > MAX_CELLS:
            refuse(self.file_name, f"sheet '{sheet}' spans {rows:,} rows × {columns:,} columns = {rows * columns:,} "
                                  f"cells; the limit is {MAX_CELLS:,} cells (is a stray cell far below or to the "
                                  "right of the data?)")

    def _check_cells(self) -> None:
        if self.scan.cells > MAX_CELLS:
            refuse(self.file_name, f"sheet '{self.scan.name}' holds more than {MAX_CELLS:,} cells; the limit is "
                                  f"{MAX_CELLS:,} cells")

    def _refuse_cell(self, row: int, col: int) -> None:
        ref = f"{_column_letters(col + 1)}{row + 1}"
        refuse(self.file_name, f"sheet '{self.scan.name}' has a cell at {ref}, beyond the limit of {MAX_ROWS:,} rows "
                              f"and {MAX_COLUMNS:,} columns; it was not read")

    def _refuse_ref(self, ref: bytes) -> None:
        refuse(self.file_name, f"sheet '{self.scan.name}' has a cell reference {ref[:20].decode('utf-8', 'replace')!r} "
                              "that is not a cell address; it was not read")

    def _refuse_element(self, carry: bytes) -> None:
        cell = _CELL_TAG.match(carry)  # the carry starts at the last row or cell start
        what = f"cell {cell.group(1).decode().upper()} holds more than" if cell else "holds a single XML element over"
        refuse(self.file_name, f"sheet '{self.scan.name}' {what} {MAX_ELEMENT_BYTES // MB} MB, which no spreadsheet "
                              "cell needs; it was not read")


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
    done = set()
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
