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
  end tag that python-calamine would stop at.

The same pass records cells python-calamine reads as empty although they are not: Excel error
cells (`#REF!`, `#DIV/0!` …) and formulas saved without a value (see `etl.read`).

The caps themselves are set in etl.limits. This module checks the archive and every part's prolog; a worksheet
is scanned by etl/xlsx_sheet.py, its cells checked against its dimension by etl/xlsx_bounds.py, texts followed
by etl/xlsx_texts.py.
"""

from __future__ import annotations

import io
import itertools
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from etl.limits import (
    MAX_CELLS,
    MAX_COMPRESSION_RATIO,
    MAX_ELEMENT_BYTES,
    MAX_PARTS,
    MAX_PROLOG_BYTES,
    MAX_SHEET_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    MB,
    RATIO_CHECKED_ABOVE,
    refuse,
)
from etl.xlsx_bounds import CHUNK
from etl.xlsx_shared import check_shared_text
from etl.xlsx_sheet import SheetScan, SheetScanner
from etl.xlsx_texts import SharedTexts

try:  # SPEC: workbooks are untrusted XML; every XML parse here goes through defusedxml
    import defusedxml  # noqa: F401
    from defusedxml import ElementTree as SafeElementTree
except ImportError as exc:  # pragma: no cover - a broken installation
    raise ImportError(
        "defusedxml is required to read uploaded workbooks safely: pip install -r requirements.txt"
    ) from exc

_PROBE = 4096  # inflated first, of a part only its prolog is checked in
_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_ENTRY = re.compile(b"PK\x01\x02")  # a regex search outpaces bytes.count on compressed data

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


@dataclass
class WorkbookScan:
    sheets: list[SheetScan] = field(default_factory=list)  # workbook order

    def sheet(self, name: str) -> SheetScan | None:
        return next((s for s in self.sheets if s.name == name), None)


# ---------------------------------------------------------------- reading parts safely


def _part_chunks(data: bytes, info: zipfile.ZipInfo, file_name: str, cap: int, first: int | None = None):
    """The part's inflated bytes, CHUNK at a time (the first piece `first` bytes at most, when given);
    refuses a part larger than its declared size or `cap`."""
    offset = info.header_offset
    header = data[offset : offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        refuse(file_name, f"the workbook is damaged (part {info.filename} cannot be found in the archive)")
    fields = _LOCAL_HEADER.unpack(header)
    start = offset + _LOCAL_HEADER.size + fields[-2] + fields[-1]
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        refuse(file_name, f"the workbook is damaged (part {info.filename} is cut short)")
    limit = min(info.file_size, cap)
    produced = 0
    size = first or CHUNK
    if info.compress_type == _STORED:
        at = 0
        while at < len(raw):
            piece = bytes(raw[at : at + size])
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
                    piece = inflater.decompress(raw[at : at + CHUNK], size)
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
        refuse(
            file_name,
            f"the workbook is damaged (part {info.filename} holds {produced:,} bytes but its "
            f"directory entry says {info.file_size:,}); it was not read",
        )


def _oversized(file_name: str, info: zipfile.ZipInfo, cap: int):
    if info.file_size <= cap:  # the directory entry understates the part: a disguised bomb
        refuse(
            file_name,
            f"part {info.filename} unpacks to more than the {info.file_size:,} bytes its directory "
            "entry declares (a disguised decompression bomb); it was not read",
        )
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
                refuse(
                    self.file_name,
                    f"part {self.part} is not UTF-8 XML, which a workbook saved by Excel always is; it was refused",
                )
            if verdict == "dtd":
                _refuse_dtd(self.file_name, self.part)
            self.root_found = verdict == "root"
            if not self.root_found and len(self.head) > MAX_PROLOG_BYTES:
                refuse(
                    self.file_name,
                    f"part {self.part} starts with more than {MAX_PROLOG_BYTES // MB} MB of XML prolog; it was refused",
                )
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
    refuse(
        file_name, f"part {part} declares XML entities (DOCTYPE/ENTITY), which a workbook never needs; it was refused"
    )


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
        refuse(
            file_name,
            "the file is a zip archive but not an Excel .xlsx workbook (it has no xl/workbook.xml); "
            "open it in Excel and save it as .xlsx",
        )
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
    check_shared_text(
        lambda part: _part_chunks(data, parts[part], file_name, MAX_SHEET_BYTES),
        sheet_names,
        sorted(strings & set(parts)),
        file_name,
    )
    ordered = [scans[part] for part, _, _ in sheets if part in scans]
    ordered += [scan for part, scan in scans.items() if scan not in ordered]
    return WorkbookScan(ordered)


def _open_archive(data: bytes, file_name: str) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The workbook's zip archive and its parts, refused when damaged or holding too many parts."""
    if next(itertools.islice(_CENTRAL_ENTRY.finditer(data), MAX_PARTS, None), None):  # > MAX_PARTS signatures
        refuse(
            file_name, f"the workbook has more than {MAX_PARTS:,} parts, which no spreadsheet needs; it was not read"
        )
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
            refuse(
                file_name,
                f"the workbook unpacks to more than {MAX_UNCOMPRESSED_BYTES // MB} MB; the limit is "
                f"{MAX_UNCOMPRESSED_BYTES // MB} MB (a decompression bomb or an oversized sheet); "
                "it was not read",
            )
        ratio = info.file_size / info.compress_size if info.compress_size else 0
        if ratio > MAX_COMPRESSION_RATIO and info.file_size > RATIO_CHECKED_ABOVE:
            refuse(
                file_name,
                f"part {info.filename} is compressed {info.file_size // info.compress_size}:1, "
                f"beyond the limit of {MAX_COMPRESSION_RATIO}:1 that only a decompression bomb "
                "exceeds; it was not read",
            )


def _check_part_sizes(infos: list[zipfile.ZipInfo], by_part: dict, strings: set[str], file_name: str) -> None:
    """Each sheet and the shared strings within MAX_SHEET_BYTES, by their declared sizes."""
    for info in infos:
        if info.filename in by_part and info.file_size > MAX_SHEET_BYTES:
            refuse(
                file_name,
                f"sheet '{by_part[info.filename][0]}' unpacks to {info.file_size / MB:,.0f} MB; the "
                f"limit is {MAX_SHEET_BYTES // MB} MB per sheet (a decompression bomb or an oversized "
                "sheet); it was not read",
            )
        if info.filename in strings and info.file_size > MAX_SHEET_BYTES:
            refuse(
                file_name,
                f"the shared strings (part {info.filename}) unpack to {info.file_size / MB:,.0f} MB; "
                f"the limit is {MAX_SHEET_BYTES // MB} MB per part; it was not read",
            )


def _scan_parts(
    data: bytes, infos: list[zipfile.ZipInfo], by_part: dict, strings: set[str], file_name: str
) -> dict[str, SheetScan]:
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
            SheetScanner(scan, file_name, info.file_size > MAX_ELEMENT_BYTES).run(
                _check_prolog(chunks, file_name, name)
            )
            grid += scan.rows * scan.columns
            if grid > MAX_CELLS:
                refuse(
                    file_name,
                    f"the workbook's sheets span {grid:,} cells; the limit is {MAX_CELLS:,} cells "
                    "(is a stray cell far below or to the right of the data?)",
                )
            scans[name] = scan
        elif long_strings:  # could hold a text over the cap, or more than MAX_CELLS <si/>
            SharedTexts(file_name, name).run(_check_prolog(chunks, file_name, name))
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
    return (
        name in by_part
        or name.lower().endswith((".xml", ".rels"))
        or head[:2] in (b"\xff\xfe", b"\xfe\xff")
        or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    )
