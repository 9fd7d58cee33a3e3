"""A corpus of hostile and broken uploads, generated here (never downloaded), each with its expected outcome.

    python tests/hostile/make_corpus.py [FOLDER]     # writes the files (default: a new temporary folder)
    from tests.hostile.make_corpus import build_corpus
    cases = build_corpus(folder)                     # list[Case]

Workbooks are built with openpyxl or, where a test needs exact markup (decompression bombs, entity
declarations, far-away cells, text that must not turn into formulas), by writing the XML parts and
the zip container by hand. The decompression bomb is streamed: one megabyte of `<row>` markup is
deflated once and its compressed bytes repeated, so a 1 GiB sheet costs a few megabytes and about a
second to write.

A case says what `etl.load.load_bytes` must answer: `rejected` with substrings of its errors, or
`committed` with SQL checks of what the database then holds. `pending_warnings` are warnings the
loader should give once the validator reports `Sheet.formulas_without_value` (see the test).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from etl.read import column_letter  # noqa: E402

PLAN = "UNSDCF Hostile 2025-2029"
SOURCE = "Evaluation of the hostile corpus"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_JS = "javascript:alert(1)"


def markdown_payloads(host: str = "127.0.0.1:9") -> list[str]:
    """Text that Markdown, Streamlit's directives or its autolinks would turn into a link, styling, an icon,
    a formula or a request to `host`: stored as typed, and shown as typed (tests/test_hostile_browser.py)."""
    return [
        "[click](https://evil.example/a)",
        '[click](<https://evil.example/b> "title")',
        "Session expired, sign in again at https://evil.example/sso",
        "www.evil.example/c",
        "WWW.EVIL.EXAMPLE",
        "help@evil.example",
        "**bold** __strong__ _it_ ~~gone~~",
        ":red[red text] :blue-background[blue]",
        ":material/warning: :smile:",
        "$x^2$ and $$y$$",
        f"<img src=http://{host}/html onerror=alert(1)>",
        f"![i](http://{host}/md)",
        "[x](javascript:alert(1))",
        "<https://evil.example/auto>",
        "&lt;b&gt; &amp;",
    ]


BOMB_BYTES = 2**30  # uncompressed size of the bomb's sheet


@dataclass
class Case:
    name: str
    file_name: str
    description: str
    status: str  # 'rejected' or 'committed'
    #: substrings that must appear in the errors (rejected) — each names the file, cell or limit
    messages: tuple[str, ...] = ()
    #: substrings that must appear among the warnings
    warnings: tuple[str, ...] = ()
    #: warnings expected once the validator reports formulas saved without a value
    pending_warnings: tuple[str, ...] = ()
    #: load_bytes keyword arguments
    options: dict = field(default_factory=dict)
    #: (SQL, expected fetchall()) once committed
    checks: tuple[tuple[str, list], ...] = ()
    #: expected etl.read.formulas_without_values(data, file_name), when not None
    formulas: dict | None = None
    path: Path | None = None

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path else 0


# ---------------------------------------------------------------- a small zip writer (bytes or a precompressed stream)


class ZipWriter:
    """Writes a zip archive part by part; sizes and CRCs may be declared falsely on purpose."""

    def __init__(self, path: Path):
        self.file = open(path, "wb")
        self.entries: list[tuple[bytes, int, int, int, int, int, int]] = []

    def add(
        self, name: str, data: bytes, *, declared_size: int | None = None, flags: int = 0, stored: bool = False
    ) -> None:
        if stored:
            self.add_raw(
                name, [data], size=len(data), crc=zlib.crc32(data), method=0, declared_size=declared_size, flags=flags
            )
            return
        deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
        raw = deflater.compress(data) + deflater.flush()
        self.add_raw(name, [raw], size=len(data), crc=zlib.crc32(data), declared_size=declared_size, flags=flags)

    def add_raw(
        self,
        name: str,
        pieces,
        *,
        size: int,
        crc: int,
        method: int = 8,
        declared_size: int | None = None,
        flags: int = 0,
    ) -> None:
        """A part from already deflated (raw) pieces, written as they come."""
        encoded = name.encode()
        offset = self.file.tell()
        declared = size if declared_size is None else declared_size
        header_at = offset + 18
        self.file.write(
            struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, 0, declared, len(encoded), 0)
            + encoded
        )
        written = 0
        for piece in pieces:
            self.file.write(piece)
            written += len(piece)
        end = self.file.tell()
        self.file.seek(header_at)
        self.file.write(struct.pack("<L", written))  # compressed size, known now
        self.file.seek(end)
        self.entries.append((encoded, flags, method, crc, written, declared, offset))

    def close(self) -> None:
        start = self.file.tell()
        for encoded, flags, method, crc, compressed, declared, offset in self.entries:
            self.file.write(
                struct.pack(
                    "<4s6H3L5H2L",
                    b"PK\x01\x02",
                    20,
                    20,
                    flags,
                    method,
                    0,
                    0x21,
                    crc,
                    compressed,
                    declared,
                    len(encoded),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + encoded
            )
        size = self.file.tell() - start
        count = len(self.entries)
        self.file.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, size, start, 0))
        self.file.close()


# ---------------------------------------------------------------- workbook parts written by hand

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def content_types(sheets: int, shared_strings: bool) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, sheets + 1)
    )
    if shared_strings:
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    return (
        DECLARATION + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>"
    )


ROOT_RELS = (
    DECLARATION + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def workbook_xml(names: list[str], hidden: tuple[str, ...] = ()) -> str:
    sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"'
        f"{' state=' + chr(34) + 'hidden' + chr(34) if name in hidden else ''}/>"
        for i, name in enumerate(names, 1)
    )
    return DECLARATION + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{sheets}</sheets></workbook>'


def workbook_rels(sheets: int, shared_strings: bool) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    if shared_strings:
        rels += f'<Relationship Id="rId{sheets + 1}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    return (
        DECLARATION + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}</Relationships>"
    )


def text_xml(value: str) -> str:
    """Text for an inline string, every character kept (tab and CR written as character references)."""
    return escape(value).replace("\t", "&#9;").replace("\r", "&#13;").replace("\n", "&#10;")


def cells_xml(rows: list[list]) -> str:
    """Rows of Python values → <row> elements (numbers as numbers, text as inline strings)."""
    out = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{column_letter(c)}{r}"
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                text = text_xml(str(value))
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(out)


def sheet_xml(body: str, dimension: str | None = None, prolog: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'{DECLARATION}{prolog}<worksheet xmlns="{MAIN_NS}">{dim}<sheetData>{body}</sheetData></worksheet>'


def write_workbook(
    path: Path, sheets: dict[str, str | bytes], shared_strings: str | None = None, hidden: tuple[str, ...] = ()
) -> Path:
    """A minimal .xlsx from sheet XML written by hand."""
    writer = ZipWriter(path)
    writer.add("[Content_Types].xml", content_types(len(sheets), shared_strings is not None).encode())
    writer.add("_rels/.rels", ROOT_RELS.encode())
    writer.add("xl/workbook.xml", workbook_xml(list(sheets), hidden).encode())
    writer.add("xl/_rels/workbook.xml.rels", workbook_rels(len(sheets), shared_strings is not None).encode())
    for i, xml in enumerate(sheets.values(), 1):
        writer.add(f"xl/worksheets/sheet{i}.xml", xml if isinstance(xml, bytes) else xml.encode())
    if shared_strings is not None:
        writer.add("xl/sharedStrings.xml", shared_strings.encode())
    writer.close()
    return path


def openpyxl_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook written by openpyxl (formulas are saved without a value, as by any program but Excel)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def csv_text(rows: list[list]) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------- the cases

BUDGET_HEADER = [
    "Fiscal year",
    "Outcome",
    "Outcome description",
    "Output no.",
    "UN entity",
    "Total Required Resources (USD)",
    "Funded",
    "Spent",
]
BUDGET_ROWS = [
    [2025, "1.1", "Governance", "1.1.1", "UNDP", 250000, 180000, 120000],
    [2025, "1.1", "Governance", "1.1.2", "UNICEF", 100000, 50000, 20000],
    [2026, "1.2", "Justice", "1.2.1", "WHO", 80000, 40000, 10000],
]
ACTION_HEADER = ["Rec. no.", "Recommendation", "Key action no.", "Key action", "Responsible unit", "Status", "Comments"]
BUDGET = {"plan": PLAN}
ACTIONS = {"source": SOURCE}
NOTHING = (
    "SELECT (SELECT count(*) FROM budget) + (SELECT count(*) FROM actions) + (SELECT count(*) FROM indicator_values)"
)

Builder = Callable[[Path], Case]
BUILDERS: dict[str, Builder] = {}


def case(builder: Builder) -> Builder:
    BUILDERS[builder.__name__] = builder
    return builder


def _deflated_stream(segments: list[tuple[bytes, int]]) -> tuple[list[bytes], int, int]:
    """Raw deflate pieces, total size and CRC of a part made of segments, each repeated `count` times. A
    segment is deflated once, flushed so that its compressed bytes can be repeated: a part of hundreds of
    megabytes costs a few megabytes of memory and about a second to write."""
    pieces, total, crc = [], 0, 0
    for data, count in segments:
        deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
        pieces += [deflater.compress(data) + deflater.flush(zlib.Z_FULL_FLUSH)] * count
        total += len(data) * count
        for _ in range(count):
            crc = zlib.crc32(data, crc)
    pieces.append(zlib.compressobj(6, zlib.DEFLATED, -15).flush(zlib.Z_FINISH))  # an empty last block
    return pieces, total, crc


def _bomb_stream(size: int) -> tuple[list[bytes], int, int]:
    """Raw deflate pieces of a sheet of `size` bytes: a run of <row> elements, one megabyte deflated once."""
    head = f'{DECLARATION}<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    tail = b"</sheetData></worksheet>"
    unit = b'<row><c t="s"><v>0</v></c></row>'
    block = unit * (2**20 // len(unit))
    count = -(-(size - len(head) - len(tail)) // len(block))
    return _deflated_stream([(head, 1), (block, count), (tail, 1)])


def _bomb(path: Path, size: int, declared_size: int | None = None) -> Path:
    pieces, total, crc = _bomb_stream(size)
    writer = ZipWriter(path)
    writer.add("[Content_Types].xml", content_types(1, True).encode())
    writer.add("_rels/.rels", ROOT_RELS.encode())
    writer.add("xl/workbook.xml", workbook_xml(["Budget"]).encode())
    writer.add("xl/_rels/workbook.xml.rels", workbook_rels(1, True).encode())
    writer.add("xl/sharedStrings.xml", f'{DECLARATION}<sst xmlns="{MAIN_NS}"><si><t>x</t></si></sst>'.encode())
    writer.add_raw("xl/worksheets/sheet1.xml", pieces, size=total, crc=crc, declared_size=declared_size)
    writer.close()
    return path


@case
def bomb(folder: Path) -> Case:
    return Case(
        "bomb",
        "bomb.xlsx",
        f"decompression bomb: a {BOMB_BYTES // 2**20:,} MB sheet in a few MB",
        "rejected",
        ("unpacks to more than", "the limit is", "it was not read"),
        options=BUDGET,
        path=_bomb(folder / "bomb.xlsx", BOMB_BYTES),
    )


@case
def bomb_disguised(folder: Path) -> Case:
    return Case(
        "bomb_disguised",
        "disguised_bomb.xlsx",
        "bomb whose zip directory declares 64 KB for a 256 MB sheet",
        "rejected",
        ("unpacks to more than the 65,536 bytes its directory entry declares",),
        options=BUDGET,
        path=_bomb(folder / "disguised_bomb.xlsx", 2**28, declared_size=2**16),
    )


@case
def bomb_within_the_size_caps(folder: Path) -> Case:
    return Case(
        "bomb_within_the_size_caps",
        "bomb_250mb.xlsx",
        "a 250 MB sheet (within the sheet and workbook caps) compressed about 1000:1",
        "rejected",
        ("xl/worksheets/sheet1.xml is compressed", "beyond the limit of 200:1"),
        options=BUDGET,
        path=_bomb(folder / "bomb_250mb.xlsx", 250 * 2**20),
    )


GIANT_TEXT_MB = 200  # the one text of the giant-text cases (the cap is 16 MB)


def _prose(size: int = 2**20) -> bytes:
    """`size` bytes of text that deflate about 20:1 (a sentence repeated, with varying words between)."""
    rng = random.Random(7)
    sentence = b"The joint programme strengthens accountable governance and social protection. "
    out = bytearray()
    while len(out) < size:
        out += bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz ") for _ in range(200)) + sentence * 49
    return bytes(out[:size])


def _giant_text_workbook(
    path: Path,
    cell: str,
    strings: list[tuple[bytes, int]] | None = None,
    sheet_cell: list[tuple[bytes, int]] | None = None,
) -> Path:
    """A budget workbook whose outcome description (C2) is a giant text: the shared string `strings` (the
    segments of the <sst> part between its root tags, streamed) or, inline, the cell C2 itself (`sheet_cell`,
    its segments), with `cell` the rest of row 2's markup."""
    row = cells_xml([BUDGET_HEADER, [2025, "1.1", None, "1.1.1", "UNDP", 1000, 500, 100]])
    head, tail = row.split('<c r="D2"', 1)
    sheet_head = sheet_xml(head + cell).split("</sheetData>")[0]
    sheet_tail = '<c r="D2"' + tail + "</sheetData></worksheet>"
    writer = ZipWriter(path)
    writer.add("[Content_Types].xml", content_types(1, True).encode())
    writer.add("_rels/.rels", ROOT_RELS.encode())
    writer.add("xl/workbook.xml", workbook_xml(["Budget"]).encode())
    writer.add("xl/_rels/workbook.xml.rels", workbook_rels(1, True).encode())
    if sheet_cell is None:
        writer.add("xl/worksheets/sheet1.xml", (sheet_head + sheet_tail).encode())
    else:
        pieces, total, crc = _deflated_stream([(sheet_head.encode(), 1), *sheet_cell, (sheet_tail.encode(), 1)])
        writer.add_raw("xl/worksheets/sheet1.xml", pieces, size=total, crc=crc)
    root = f'{DECLARATION}<sst xmlns="{MAIN_NS}" count="2" uniqueCount="2">'.encode()
    pieces, total, crc = _deflated_stream(
        [(root, 1), *(strings or [(b"<si><t>x</t></si>", 1)]), (b"<si><t>y</t></si></sst>", 1)]
    )
    writer.add_raw("xl/sharedStrings.xml", pieces, size=total, crc=crc)
    writer.close()
    return path


def _giant(
    name: str,
    file_name: str,
    description: str,
    messages: tuple[str, ...],
    folder: Path,
    cell: str = '<c r="C2" t="s"><v>0</v></c>',
    **parts,
) -> Case:
    return Case(
        name,
        file_name,
        description,
        "rejected",
        messages,
        options=BUDGET,
        path=_giant_text_workbook(folder / file_name, cell, **parts),
    )


@case
def bomb_under_the_ratio_cap(folder: Path) -> Case:
    """Compressed far beyond 200:1 but unpacking to less than the ratio check's floor: inflated in chunks and
    refused by another cap long before python-calamine would build millions of texts."""
    return _giant(
        "bomb_under_the_ratio_cap",
        "bomb_strings.xlsx",
        "60 MB of empty shared strings compressed about 1000:1 (12 million texts)",
        ("holds more than 5,000,000 distinct texts",),
        folder,
        strings=[(b"<si/>" * (2**20 // 5), 60)],
    )


@case
def giant_shared_string(folder: Path) -> Case:
    """A 10 MB workbook whose one shared string unpacks to 200 MB (python-calamine would build it whole)."""
    return _giant(
        "giant_shared_string",
        "giant_string.xlsx",
        f"one {GIANT_TEXT_MB} MB shared string (about 20:1, within the ratio and size caps)",
        ("xl/sharedStrings.xml", "shared string 1 holds more than 16 MB of text", "it was not read"),
        folder,
        strings=[(b"<si><t>", 1), (_prose(), GIANT_TEXT_MB), (b"</t></si>", 1)],
    )


@case
def giant_shared_string_runs(folder: Path) -> Case:
    run = b"<r><rPr><b/></rPr><t>" + _prose() * 8 + b"</t></r>"
    return _giant(
        "giant_shared_string_runs",
        "giant_runs.xlsx",
        f"a {GIANT_TEXT_MB} MB shared string cut into 8 MB rich-text runs",
        ("shared string 1 holds more than 16 MB of text",),
        folder,
        strings=[(b"<si>", 1), (run, GIANT_TEXT_MB // 8), (b"</si>", 1)],
    )


@case
def giant_shared_string_hidden_ends(folder: Path) -> Case:
    """End tags inside comments: python-calamine skips them and goes on gathering the same text."""
    piece = _prose() * 8 + b"<!-- </t></si><si><t> -->"
    return _giant(
        "giant_shared_string_hidden_ends",
        "giant_comments.xlsx",
        f"a {GIANT_TEXT_MB} MB shared string with a false end tag in a comment every 8 MB",
        ("xl/sharedStrings.xml", "XML comment"),
        folder,
        strings=[(b"<si><t>", 1), (piece, GIANT_TEXT_MB // 8), (b"</t></si>", 1)],
    )


@case
def giant_shared_string_quoted_ends(folder: Path) -> Case:
    """End tags inside an attribute value: python-calamine's parser accepts '<' there and reads past them."""
    piece = _prose() * 8 + b'</t></r><r><rPr><rFont val="</t></r></si><si><r><t>"/></rPr><t>'
    return _giant(
        "giant_shared_string_quoted_ends",
        "giant_quoted.xlsx",
        f"a {GIANT_TEXT_MB} MB shared string with a false end tag in an attribute every 8 MB",
        ("xl/sharedStrings.xml", "'<' inside an attribute value"),
        folder,
        strings=[(b"<si><r><t>", 1), (piece, GIANT_TEXT_MB // 8), (b"</t></r></si>", 1)],
    )


def _repeated_string_workbook(path: Path, cell: str, rows: int) -> Path:
    """A budget workbook whose sheet refers `rows` × 10 times to one 1 MB shared string, the fourth (index 3, after
    three empty ones); `cell` the markup of a reference, formatted with its cell address `ref`."""
    header = cells_xml([BUDGET_HEADER])
    body = "".join(
        f'<row r="{r}">' + "".join(cell.format(ref=f"{column_letter(c)}{r}") for c in range(10)) + "</row>"
        for r in range(2, rows + 2)
    )
    prose = _prose().decode()
    strings = (
        f'{DECLARATION}<sst xmlns="{MAIN_NS}" count="{rows * 10}" uniqueCount="4"><si/><si/>'
        f"<si><t></t></si><si><t>{prose}</t></si></sst>"
    )
    return write_workbook(path, {"Budget": sheet_xml(header + body)}, shared_strings=strings)


@case
def shared_string_repeated(folder: Path) -> Case:
    """python-calamine copies a shared string into each cell that refers to it: 20,000 references to one 1 MB
    string in a 50 KB file would take 20 GB."""
    return Case(
        "shared_string_repeated",
        "repeated_string.xlsx",
        "one 1 MB shared string referred to by 20,000 cells (20 GB once read)",
        "rejected",
        (
            "sheet 'Budget' cell H14:",
            "more than 128 MB of text",
            "one text of 1.0 MB is used in 128 cells",
            "it was not read",
        ),
        options=BUDGET,
        path=_repeated_string_workbook(folder / "repeated_string.xlsx", '<c r="{ref}" t="s"><v>3</v></c>', 2000),
    )


@case
def shared_string_repeated_odd_markup(folder: Path) -> Case:
    """The same, written as python-calamine still reads it: the type after the address in single quotes with
    spaces, a prefixed value element with a space, a formula before the value."""
    return Case(
        "shared_string_repeated_odd_markup",
        "repeated_string_odd.xlsx",
        "the repeated shared string, its references in unusual but readable markup",
        "rejected",
        ("sheet 'Budget' cell H14:", "more than 128 MB of text", "it was not read"),
        options=BUDGET,
        path=_repeated_string_workbook(
            folder / "repeated_string_odd.xlsx", '<c s="0" r="{ref}" t = \'s\' ><f>A1</f><v > 3 </v></c>', 2000
        ),
    )


@case
def giant_inline_string(folder: Path) -> Case:
    return _giant(
        "giant_inline_string",
        "giant_inline.xlsx",
        "a 20 MB inline string",
        ("sheet 'Budget'", "C2", "more than 16 MB"),
        folder,
        cell="",
        sheet_cell=[(b'<c r="C2" t="inlineStr"><is><t>', 1), (_prose(), 20), (b"</t></is></c>", 1)],
    )


@case
def giant_inline_string_false_cells(folder: Path) -> Case:
    """Elements shaped like cells inside the inline string: python-calamine ignores them inside <is>."""
    piece = _prose() * 4 + b'</t><x><c r="Z2"/></x><t>'
    return _giant(
        "giant_inline_string_false_cells",
        "giant_inline_cells.xlsx",
        f"a {GIANT_TEXT_MB} MB inline string with a cell element every 4 MB inside it",
        ("sheet 'Budget' cell C2 holds more than 16 MB of text",),
        folder,
        cell="",
        sheet_cell=[(b'<c r="C2" t="inlineStr"><is><t>', 1), (piece, GIANT_TEXT_MB // 4), (b"</t></is></c>", 1)],
    )


@case
def giant_cell_value(folder: Path) -> Case:
    piece = _prose() * 4 + b'<x><c r="Z2"/></x>'
    return _giant(
        "giant_cell_value",
        "giant_value.xlsx",
        f'a {GIANT_TEXT_MB} MB text value (t="str") with a cell element every 4 MB inside it',
        ("sheet 'Budget' cell C2 holds more than 16 MB of text",),
        folder,
        cell="",
        sheet_cell=[(b'<c r="C2" t="str"><v>', 1), (piece, GIANT_TEXT_MB // 4), (b"</v></c>", 1)],
    )


@case
def dimension_claim(folder: Path) -> Case:
    body = cells_xml([BUDGET_HEADER, *BUDGET_ROWS])
    return Case(
        "dimension_claim",
        "full_sheet.xlsx",
        '<dimension ref="A1:XFD1048576"/> on a small table',
        "rejected",
        ("claims 1,048,576 rows × 16,384 columns", "A1:XFD1048576", "the limit is"),
        options=BUDGET,
        path=write_workbook(folder / "full_sheet.xlsx", {"Budget": sheet_xml(body, "A1:XFD1048576")}),
    )


@case
def far_cell(folder: Path) -> Case:
    """Would make python-calamine allocate a 1,048,576 × 16,384 grid (500 GB) and abort the process."""
    body = cells_xml([BUDGET_HEADER, *BUDGET_ROWS])[: -len("</row>")]
    body += '<c r="XFD1048576"><v>1</v></c></row>'
    return Case(
        "far_cell",
        "far_cell.xlsx",
        "a 1 KB sheet whose dimension says A1:H4 but holds a cell at XFD1048576",
        "rejected",
        ("has a cell at XFD1048576", "the limit of 200,000 rows"),
        options=BUDGET,
        path=write_workbook(folder / "far_cell.xlsx", {"Budget": sheet_xml(body, "A1:H4")}),
    )


@case
def far_cell_odd_markup(folder: Path) -> Case:
    body = (
        cells_xml([BUDGET_HEADER, *BUDGET_ROWS])
        .replace("<row", "<x:row")
        .replace("</row>", "</x:row>")
        .replace("<c ", "<x:c ")
        .replace("</c>", "</x:c>")
    )
    body += "<x:row><x:c s='0' r='xfd1048576'><x:v>1</x:v></x:c></x:row>"
    xml = f'{DECLARATION}<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData>{body}</x:sheetData></x:worksheet>'
    return Case(
        "far_cell_odd_markup",
        "far_cell_prefixed.xlsx",
        "far cell written <x:c s='0' r='xfd1048576'> (namespace prefix, quotes, case), no dimension",
        "rejected",
        ("has a cell at XFD1048576",),
        options=BUDGET,
        path=write_workbook(folder / "far_cell_prefixed.xlsx", {"Budget": xml}),
    )


@case
def far_cell_hidden_sheet(folder: Path) -> Case:
    data = sheet_xml(cells_xml([BUDGET_HEADER, *BUDGET_ROWS]), "A1:H4")
    junk = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row><row r="1000000"><c r="ZZ1000000"><v>1</v></c></row>')
    return Case(
        "far_cell_hidden_sheet",
        "far_cell_hidden.xlsx",
        "a hidden sheet holding A1 and ZZ1000000",
        "rejected",
        ("sheet 'Old' has a cell at ZZ1000000",),
        options=BUDGET,
        path=write_workbook(folder / "far_cell_hidden.xlsx", {"Budget": data, "Old": junk}, hidden=("Old",)),
    )


@case
def stray_cell_grid(folder: Path) -> Case:
    body = cells_xml([BUDGET_HEADER, *BUDGET_ROWS]) + '<row r="200000"><c r="SF200000"><v>1</v></c></row>'
    return Case(
        "stray_cell_grid",
        "stray_cell.xlsx",
        "a stray cell at SF200000 (within the row and column caps): a 100-million-cell grid",
        "rejected",
        ("spans 200,000 rows × 500 columns", "the limit is 5,000,000 cells"),
        options=BUDGET,
        path=write_workbook(folder / "stray_cell.xlsx", {"Budget": sheet_xml(body)}),
    )


@case
def billion_laughs(folder: Path) -> Case:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    sst = (
        f'{DECLARATION}<!DOCTYPE sst [{entities}]><sst xmlns="{MAIN_NS}" count="1" uniqueCount="1">'
        "<si><t>&lol9;</t></si></sst>"
    )
    body = cells_xml([BUDGET_HEADER]) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return Case(
        "billion_laughs",
        "laughs.xlsx",
        "entity expansion (billion laughs) in xl/sharedStrings.xml",
        "rejected",
        ("xl/sharedStrings.xml declares XML entities",),
        options=BUDGET,
        path=write_workbook(folder / "laughs.xlsx", {"Budget": sheet_xml(body)}, shared_strings=sst),
    )


@case
def external_entity(folder: Path) -> Case:
    sst = (
        f'{DECLARATION}<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'
    )
    body = cells_xml([BUDGET_HEADER]) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return Case(
        "external_entity",
        "xxe.xlsx",
        'external entity <!ENTITY xxe SYSTEM "file:///etc/passwd">',
        "rejected",
        ("xl/sharedStrings.xml declares XML entities",),
        options=BUDGET,
        path=write_workbook(folder / "xxe.xlsx", {"Budget": sheet_xml(body)}, shared_strings=sst),
    )


@case
def doctype_after_long_prolog(folder: Path) -> Case:
    prolog = "<!--" + "padding " * 2000 + "-->" + '<!DOCTYPE worksheet [<!ENTITY x "y">]>'
    xml = sheet_xml(cells_xml([BUDGET_HEADER, *BUDGET_ROWS]), "A1:H4", prolog=prolog)
    return Case(
        "doctype_after_long_prolog",
        "late_doctype.xlsx",
        "a DOCTYPE after a 16 KB comment in the sheet",
        "rejected",
        ("xl/worksheets/sheet1.xml declares XML entities",),
        options=BUDGET,
        path=write_workbook(folder / "late_doctype.xlsx", {"Budget": xml}),
    )


@case
def utf16_sheet(folder: Path) -> Case:
    xml = sheet_xml(cells_xml([BUDGET_HEADER, *BUDGET_ROWS]), "A1:H4").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return Case(
        "utf16_sheet",
        "utf16_part.xlsx",
        "a sheet part encoded as UTF-16 (a byte scan cannot vet it)",
        "rejected",
        ("is not UTF-8 XML",),
        options=BUDGET,
        path=write_workbook(folder / "utf16_part.xlsx", {"Budget": xml.encode("utf-16")}),
    )


@case
def many_parts(folder: Path) -> Case:
    path = folder / "many_parts.xlsx"
    writer = ZipWriter(path)
    for i in range(12_000):
        writer.add(f"xl/media/p{i}.bin", b"", stored=True)
    writer.close()
    return Case(
        "many_parts",
        "many_parts.xlsx",
        "a zip of 12,000 empty parts",
        "rejected",
        ("more than 10,000 parts",),
        options=BUDGET,
        path=path,
    )


@case
def encrypted_part(folder: Path) -> Case:
    path = folder / "encrypted.xlsx"
    writer = ZipWriter(path)
    writer.add("[Content_Types].xml", content_types(1, False).encode())
    writer.add("_rels/.rels", ROOT_RELS.encode())
    writer.add("xl/workbook.xml", workbook_xml(["Budget"]).encode())
    writer.add("xl/_rels/workbook.xml.rels", workbook_rels(1, False).encode())
    writer.add("xl/worksheets/sheet1.xml", sheet_xml(cells_xml([BUDGET_HEADER])).encode(), flags=1)
    writer.close()
    return Case(
        "encrypted_part",
        "encrypted.xlsx",
        "a zip part flagged as encrypted",
        "rejected",
        ("encrypted (password-protected)",),
        options=BUDGET,
        path=path,
    )


@case
def truncated_workbook(folder: Path) -> Case:
    full = openpyxl_workbook(folder / "whole.xlsx", {"Budget": [BUDGET_HEADER, *BUDGET_ROWS]}).read_bytes()
    (folder / "whole.xlsx").unlink()
    return Case(
        "truncated_workbook",
        "truncated.xlsx",
        "an .xlsx cut in half (an interrupted download)",
        "rejected",
        ("truncated.xlsx", "damaged"),
        options=BUDGET,
        path=write(folder / "truncated.xlsx", full[: len(full) // 2]),
    )


@case
def zip_not_a_workbook(folder: Path) -> Case:
    path = folder / "archive.xlsx"
    writer = ZipWriter(path)
    writer.add("budget.csv", csv_text([BUDGET_HEADER, *BUDGET_ROWS]))
    writer.close()
    return Case(
        "zip_not_a_workbook",
        "archive.xlsx",
        "a zip archive of a CSV, named .xlsx",
        "rejected",
        ("not an Excel .xlsx workbook",),
        options=BUDGET,
        path=path,
    )


@case
def old_xls(folder: Path) -> Case:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4088
    return Case(
        "old_xls",
        "budget.xls",
        "an Excel 97-2003 (or password-protected) compound file",
        "rejected",
        ("Excel 97-2003", "save it as an Excel Workbook (.xlsx)"),
        options=BUDGET,
        path=write(folder / "budget.xls", data),
    )


@case
def csv_renamed_xlsx(folder: Path) -> Case:
    return Case(
        "csv_renamed_xlsx",
        "cbf.xlsx",
        "a CSV file renamed .xlsx",
        "rejected",
        ("cbf.xlsx", "is named .xlsx but is not an Excel workbook"),
        options=BUDGET,
        path=write(folder / "cbf.xlsx", csv_text([BUDGET_HEADER, *BUDGET_ROWS])),
    )


@case
def xlsx_renamed_csv(folder: Path) -> Case:
    data = openpyxl_workbook(folder / "tmp.xlsx", {"Budget": [BUDGET_HEADER, *BUDGET_ROWS]}).read_bytes()
    (folder / "tmp.xlsx").unlink()
    return Case(
        "xlsx_renamed_csv",
        "cbf.csv",
        "an .xlsx workbook renamed .csv",
        "rejected",
        ("cbf.csv", "is named .csv but is an Excel workbook"),
        options=BUDGET,
        path=write(folder / "cbf.csv", data),
    )


@case
def empty_file(folder: Path) -> Case:
    return Case(
        "empty_file",
        "empty.xlsx",
        "an empty file",
        "rejected",
        ("empty.xlsx", "the file is empty"),
        options=BUDGET,
        path=write(folder / "empty.xlsx", b""),
    )


@case
def utf16_csv(folder: Path) -> Case:
    text = "\t".join(BUDGET_HEADER) + "\r\n" + "\r\n".join("\t".join(map(str, r)) for r in BUDGET_ROWS)
    return Case(
        "utf16_csv",
        "unicode.csv",
        "Excel's 'Unicode Text' (UTF-16) saved as .csv",
        "rejected",
        ("unicode.csv", "UTF-16"),
        options=BUDGET,
        path=write(folder / "unicode.csv", text.encode("utf-16")),
    )


@case
def header_only(folder: Path) -> Case:
    return Case(
        "header_only",
        "header_only.xlsx",
        "a workbook with the header row only",
        "rejected",
        ("header_only.xlsx", "the file has a header only"),
        options=BUDGET,
        path=openpyxl_workbook(folder / "header_only.xlsx", {"Budget": [BUDGET_HEADER]}),
    )


@case
def title_rows_only(folder: Path) -> Case:
    rows = [["Common Budgetary Framework 2025"], ["Governance Results Group"], [], ["Prepared by the RCO"]]
    return Case(
        "title_rows_only",
        "titles.xlsx",
        "a workbook of title rows only",
        "rejected",
        ("titles.xlsx", "no sheet holds a header row"),
        options=BUDGET,
        path=openpyxl_workbook(folder / "titles.xlsx", {"Budget": rows}),
    )


@case
def formulas_without_values(folder: Path) -> Case:
    rows = [
        BUDGET_HEADER,
        [2025, "1.1", "Governance", "1.1.1", "UNDP", 250000, "=F2*0.5", "=G2*0.5"],
        [2025, "1.1", "Governance", "1.1.2", "UNICEF", 100000, 50000, 20000],
    ]
    return Case(
        "formulas_without_values",
        "formulas.xlsx",
        "openpyxl formulas (no saved value) in the funded and spent columns",
        "committed",
        options=BUDGET,
        checks=(
            (
                "SELECT output_code, available, expenditure FROM budget ORDER BY output_code",
                [("1.1.1", None, None), ("1.1.2", 50000.0, 20000.0)],
            ),
        ),
        pending_warnings=("Budget!G2", "Budget!H2", "formula without a saved value"),
        formulas={"Budget": ["G2", "H2"]},
        path=openpyxl_workbook(folder / "formulas.xlsx", {"Budget": rows}),
    )


@case
def formula_without_value_required(folder: Path) -> Case:
    rows = [BUDGET_HEADER, [2025, "1.1", "Governance", "1.1.1", "UNDP", "=SUM(100000,150000)", 180000, 120000]]
    return Case(
        "formula_without_value_required",
        "formula_required.xlsx",
        "an unsaved formula in the required amount",
        "rejected",
        ("formula_required.xlsx Budget!F2",),
        pending_warnings=("formula without a saved value",),
        formulas={"Budget": ["F2"]},
        options=BUDGET,
        path=openpyxl_workbook(folder / "formula_required.xlsx", {"Budget": rows}),
    )


@case
def excel_errors(folder: Path) -> Case:
    rows = [
        BUDGET_HEADER,
        [2025, "1.1", "Governance", "1.1.1", "UNDP", "#REF!", 180000, 120000],
        [2025, "1.1", "Governance", "1.1.2", "UNICEF", 100000, "#DIV/0!", 20000],
        [2025, "1.1", "Governance", "1.1.3", "WHO", 100000, 5000, "#N/A"],
    ]
    return Case(
        "excel_errors",
        "errors.xlsx",
        "#REF!, #DIV/0! and #N/A cells in money columns",
        "rejected",
        (
            "errors.xlsx Budget!F2 column required",
            "the cell holds the Excel error #REF!",
            "Budget!G3 column available",
            "Excel error #DIV/0!",
            "Budget!H4",
            "Excel error #N/A",
        ),
        options=BUDGET,
        path=openpyxl_workbook(folder / "errors.xlsx", {"Budget": rows}),
    )


@case
def dates_as_text_and_serials(folder: Path) -> Case:
    header = ACTION_HEADER + ["Deadline", "As of"]
    rows = [
        header,
        ["1", "Strengthen data", "1.1", "Text month", "RCO", "Ongoing", None, "2018/12", "15/01/2019"],
        ["1", "Strengthen data", "1.2", "Month name", "RCO", "Ongoing", None, "Dec 2018", 43480],
        ["1", "Strengthen data", "1.3", "Day first", "RCO", "Completed", None, "31/12/2018", None],
        ["1", "Strengthen data", "1.4", "Serial number", "RCO", "Completed", None, 43465, None],
        ["1", "Strengthen data", "1.5", "Date cell", "RCO", "Not started", None, dt.date(2019, 6, 30), None],
        ["1", "Strengthen data", "1.6", "Year only", "RCO", "Ongoing", None, 2019, None],
    ]
    day = dt.date
    return Case(
        "dates_as_text_and_serials",
        "dates.xlsx",
        "deadlines and as-of dates as text, serials and dates",
        "committed",
        options=ACTIONS,
        checks=(
            (
                "SELECT action_no, deadline FROM actions ORDER BY action_no",
                [
                    ("1.1", day(2018, 12, 31)),
                    ("1.2", day(2018, 12, 31)),
                    ("1.3", day(2018, 12, 31)),
                    ("1.4", day(2018, 12, 31)),
                    ("1.5", day(2019, 6, 30)),
                    ("1.6", day(2019, 12, 31)),
                ],
            ),
            (
                "SELECT action_no, as_of FROM actions WHERE action_no IN ('1.1', '1.2') ORDER BY 1",
                [("1.1", day(2019, 1, 15)), ("1.2", day(2019, 1, 15))],
            ),
        ),
        path=openpyxl_workbook(folder / "dates.xlsx", {"Actions": rows}),
    )


@case
def not_available_words(folder: Path) -> Case:
    rows = [
        ACTION_HEADER,
        ["1", "NA", "1.1", "Review the plan", "N/A", "Ongoing", "NULL"],
        ["2", "N/A", "2.1", "NULL", "NA", "Completed", "N/A"],
    ]
    return Case(
        "not_available_words",
        "na.xlsx",
        "NA, N/A and NULL in text columns",
        "committed",
        options=ACTIONS,
        checks=(
            (
                "SELECT recommendation, action, responsible, comments FROM actions ORDER BY action_no",
                [("NA", "Review the plan", "N/A", "NULL"), ("N/A", "NULL", "NA", "N/A")],
            ),
        ),
        path=openpyxl_workbook(folder / "na.xlsx", {"Actions": rows}),
    )


@case
def leading_zeros(folder: Path) -> Case:
    rows = [
        BUDGET_HEADER + ["Fund"],
        [2025, "01", "Zero-padded", "01.1", "UNDP", 1000, 500, 100, "007"],
        [2025, "01", "Zero-padded", "01.10", "UNDP", 2000, None, None, "007"],
    ]
    return Case(
        "leading_zeros",
        "zeros.csv",
        "codes with leading (and trailing) zeros: '01', '01.1', '01.10'",
        "committed",
        options=BUDGET,
        checks=(
            (
                "SELECT outcome_code, output_code, funding_source FROM budget ORDER BY output_code",
                [("01", "01.1", "007"), ("01", "01.10", "007")],
            ),
        ),
        path=write(folder / "zeros.csv", csv_text(rows)),
    )


@case
def duplicate_keys(folder: Path) -> Case:
    rows = [BUDGET_HEADER, *BUDGET_ROWS, BUDGET_ROWS[0], BUDGET_ROWS[2]]
    return Case(
        "duplicate_keys",
        "duplicates.csv",
        "the same plan/year/output/agency twice in one file",
        "rejected",
        ("duplicates.csv", "row 5", "already on row 2", "row 6", "already on row 4"),
        options=BUDGET,
        path=write(folder / "duplicates.csv", csv_text(rows)),
    )


LONG_TEXT = 32_000  # characters: Excel holds at most 32,767 in a cell


def _long_text(row: int) -> str:
    text = f"Row {row}: the joint work plan is reviewed every quarter by the results group. " * 500
    return text[: LONG_TEXT - 1] + "."


@case
def long_repeated_text(folder: Path) -> Case:
    """Written by openpyxl: the sheet compresses about 265:1, beyond the bombs' ratio cap, yet unpacks to 5 MB."""
    rows = [ACTION_HEADER] + [
        [str(i), _long_text(i), f"{i}.1", _long_text(i), "RCO", "Ongoing", _long_text(i)] for i in range(1, 51)
    ]
    return Case(
        "long_repeated_text",
        "long_texts.xlsx",
        "50 rows of 32,000-character texts (openpyxl)",
        "committed",
        options=ACTIONS,
        checks=(
            (
                "SELECT count(*), min(length(recommendation)), max(length(comments)) FROM actions",
                [(50, LONG_TEXT, LONG_TEXT)],
            ),
        ),
        path=openpyxl_workbook(folder / "long_texts.xlsx", {"Actions": rows}),
    )


@case
def repeated_sentence(folder: Path) -> Case:
    sentence = (
        "The results group reviews the joint work plan every quarter and reports progress to the UNCT; the "
        "RCO follows each key action until it is closed, and the evaluation office checks the evidence."
    )
    rows = [ACTION_HEADER] + [
        [str(i), sentence, f"{i}.1", sentence, "RCO", "Ongoing", sentence] for i in range(1, 5001)
    ]
    return Case(
        "repeated_sentence",
        "sentence.xlsx",
        "5,000 rows of the same 200-character sentence (openpyxl)",
        "committed",
        options=ACTIONS,
        checks=(("SELECT count(*), count(DISTINCT comments) FROM actions", [(5000, 1)]),),
        path=openpyxl_workbook(folder / "sentence.xlsx", {"Actions": rows}),
    )


BIG_ROWS = 100_000


@case
def big_budget_csv(folder: Path) -> Case:
    agencies = ("UNDP", "UNICEF", "WHO", "FAO", "UNFPA")
    rows = [BUDGET_HEADER] + [
        [
            2025,
            f"{i // 1000 + 1}.1",
            "Outcome",
            f"{i // 1000 + 1}.1.{i % 1000 + 1}",
            agencies[i % 5],
            i % 1000 * 100,
            "",
            "",
        ]
        for i in range(BIG_ROWS)
    ]
    total = float(sum(i % 1000 * 100 for i in range(BIG_ROWS)))
    return Case(
        "big_budget_csv",
        "big_budget.csv",
        f"a {BIG_ROWS:,}-row budget CSV",
        "committed",
        options=BUDGET,
        checks=(("SELECT count(*), sum(required), count(available) FROM budget", [(BIG_ROWS, total, 0)]),),
        path=write(folder / "big_budget.csv", csv_text(rows)),
    )


FORMULA_LIKE = [
    "=1+1",
    "+41 22 917 1234",
    "-2+3 adjusted",
    "@SUM(A1:A2)",
    "\tTabbed note",
    "\rCarriage note",
    '=HYPERLINK("http://example.org","click")',
]


@case
def formula_like_text_xlsx(folder: Path) -> Case:
    rows = [ACTION_HEADER] + [
        [str(i), text, f"{i}.1", text, "RCO", "Ongoing", text] for i, text in enumerate(FORMULA_LIKE, 1)
    ]
    xml = sheet_xml(cells_xml(rows), f"A1:G{len(rows)}")
    return Case(
        "formula_like_text_xlsx",
        "formula_text.xlsx",
        "text cells beginning with = + - @ tab and CR (inline strings)",
        "committed",
        options=ACTIONS,
        checks=(
            (
                "SELECT recommendation, action, comments FROM actions ORDER BY recommendation_no",
                [(t.strip(), t.strip(), t.strip()) for t in FORMULA_LIKE],
            ),
        ),
        path=write_workbook(folder / "formula_text.xlsx", {"Actions": xml}),
    )


@case
def formula_like_text_csv(folder: Path) -> Case:
    rows = [BUDGET_HEADER + ["Output description"]] + [
        [2025, "1.1", text, f"1.1.{i}", "UNDP", 1000, None, None, text] for i, text in enumerate(FORMULA_LIKE, 1)
    ]
    return Case(
        "formula_like_text_csv",
        "formula_text.csv",
        "formula-like text in a CSV's title columns",
        "committed",
        options=BUDGET,
        checks=(
            (
                "SELECT outcome_title, output_title FROM budget ORDER BY output_code",
                [(t.strip(), t.strip()) for t in FORMULA_LIKE],
            ),
        ),
        path=write(folder / "formula_text.csv", csv_text(rows)),
    )


@case
def script_text(folder: Path) -> Case:
    payloads = [XSS_IMG, XSS_JS, "<script>alert(1)</script>", '"><svg onload=alert(1)>']
    rows = [ACTION_HEADER] + [
        [str(i), text, f"{i}.1", text, text, "Ongoing", text] for i, text in enumerate(payloads, 1)
    ]
    return Case(
        "script_text",
        "script.xlsx",
        "HTML and javascript: in recommendation, action, responsible, comments",
        "committed",
        options=ACTIONS,
        checks=(
            (
                "SELECT recommendation, action, responsible, comments FROM actions ORDER BY recommendation_no",
                [(t, t, t, t) for t in payloads],
            ),
        ),
        path=openpyxl_workbook(folder / "script.xlsx", {"Actions": rows}),
    )


@case
def script_outcome_csv(folder: Path) -> Case:
    rows = [BUDGET_HEADER + ["Output description"], [2025, "1.1", XSS_IMG, "1.1.1", "UNDP", 1000, None, None, XSS_JS]]
    return Case(
        "script_outcome_csv",
        "script.csv",
        "HTML in an outcome title, javascript: in an output title",
        "committed",
        options=BUDGET,
        checks=(("SELECT outcome_title, output_title FROM budget", [(XSS_IMG, XSS_JS)]),),
        path=write(folder / "script.csv", csv_text(rows)),
    )


TERMINAL_ESCAPES = "\x1b[2J\x1b]0;owned\x07"  # clear the screen, retitle the terminal
BIDI_SPOOF = "\u202egnp.exe"  # reads 'exe.png'


@case
def control_characters_xlsx(folder: Path) -> Case:
    """Excel writes a control character as _x001B_; python-calamine turns it back into the character."""
    sst = (
        f'{DECLARATION}<sst xmlns="{MAIN_NS}"><si><t>Review_x001B_[2J_x001B_]0;owned_x0007_</t></si>'
        f"<si><t>{BIDI_SPOOF}</t></si></sst>"
    )
    header = cells_xml([ACTION_HEADER])
    row = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c><c r="B2" t="inlineStr"><is><t>Data</t></is></c>'
        '<c r="C2" t="inlineStr"><is><t>1.1</t></is></c><c r="D2" t="s"><v>0</v></c>'
        '<c r="E2" t="inlineStr"><is><t>RCO</t></is></c><c r="F2" t="inlineStr"><is><t>Ongoing</t></is></c>'
        '<c r="G2" t="s"><v>1</v></c></row>'
    )
    return Case(
        "control_characters_xlsx",
        "controls.xlsx",
        "terminal escapes (_x001B_) and a bidi override in cells",
        "committed",
        options=ACTIONS,
        checks=(("SELECT action, comments FROM actions", [(f"Review{TERMINAL_ESCAPES}", BIDI_SPOOF)]),),
        path=write_workbook(folder / "controls.xlsx", {"Actions": sheet_xml(header + row)}, shared_strings=sst),
    )


@case
def control_characters_csv(folder: Path) -> Case:
    """Stored as typed; the command line and the exports show them visibly (tests/test_faults.py)."""
    name = f"budget{TERMINAL_ESCAPES}.csv"
    rows = [
        BUDGET_HEADER + ["Output description"],
        [2025, "1.1", f"Governance{TERMINAL_ESCAPES}", "1.1.1", "UNDP", 1000, None, None, BIDI_SPOOF],
    ]
    return Case(
        "control_characters_csv",
        name,
        "a file name and cells holding terminal escapes and a bidi override",
        "committed",
        options=BUDGET,
        checks=(
            ("SELECT outcome_title, output_title FROM budget", [(f"Governance{TERMINAL_ESCAPES}", BIDI_SPOOF)]),
            ("SELECT file_name FROM submissions", [(name,)]),
        ),
        path=write(folder / "controls.csv", csv_text(rows)),
    )


@case
def script_agency(folder: Path) -> Case:
    rows = [
        BUDGET_HEADER,
        [2025, "1.1", "Governance", "1.1.1", XSS_IMG, 1000, None, None],
        [2025, "1.1", "Governance", "1.1.2", XSS_JS, 1000, None, None],
    ]
    return Case(
        "script_agency",
        "script_agency.csv",
        "agency values that are HTML and javascript:",
        "rejected",
        (
            "script_agency.csv script_agency!E2 column agency",
            "'<img src=x onerror=alert(1)>'",
            "script_agency!E3",
            "'javascript:alert(1)'",
            "UN entity",
        ),
        options=BUDGET,
        path=write(folder / "script_agency.csv", csv_text(rows)),
    )


@case
def markdown_text(folder: Path) -> Case:
    payloads = markdown_payloads()
    rows = [ACTION_HEADER] + [
        [str(i), text, f"{i}.1", text, text, "Ongoing", text] for i, text in enumerate(payloads, 1)
    ]
    return Case(
        "markdown_text",
        "markdown.xlsx",
        "links, bare URLs, e-mail addresses, emphasis, colour directives, icons, LaTeX and Markdown images "
        "in recommendation, action, responsible and comments",
        "committed",
        options=ACTIONS,
        checks=(
            (
                "SELECT recommendation, action, responsible, comments FROM actions "
                "ORDER BY try_cast(recommendation_no AS INTEGER)",
                [(t, t, t, t) for t in payloads],
            ),
        ),
        path=openpyxl_workbook(folder / "markdown.xlsx", {"Actions": rows}),
    )


@case
def markdown_outcome_csv(folder: Path) -> Case:
    payloads = markdown_payloads()
    rows = [BUDGET_HEADER + ["Output description"]] + [
        [2025, f"{i}", text, f"{i}.1", "UNDP", 1000, None, None, text] for i, text in enumerate(payloads, 1)
    ]
    return Case(
        "markdown_outcome_csv",
        "markdown.csv",
        "Markdown and autolinks in outcome and output titles",
        "committed",
        options=BUDGET,
        checks=(
            (
                "SELECT outcome_title, output_title FROM budget ORDER BY try_cast(outcome_code AS INTEGER)",
                [(t, t) for t in payloads],
            ),
        ),
        path=write(folder / "markdown.csv", csv_text(rows)),
    )


@case
def markdown_agency(folder: Path) -> Case:
    rows = [
        BUDGET_HEADER,
        [2025, "1.1", "Governance", "1.1.1", "[UNDP](https://evil.example/a)", 1000, None, None],
        [2025, "1.1", "Governance", "1.1.2", ":red[UNX] $x$", 1000, None, None],
    ]
    return Case(
        "markdown_agency",
        "markdown_agency.csv",
        "agency values that are a Markdown link and a colour directive with LaTeX",
        "rejected",
        (
            "markdown_agency!E2 column agency",
            "'[UNDP](https://evil.example/a)'",
            "markdown_agency!E3",
            "':red[UNX] $x$'",
            "UN entity",
        ),
        options=BUDGET,
        path=write(folder / "markdown_agency.csv", csv_text(rows)),
    )


@case
def csv_giant_cell(folder: Path) -> Case:
    rows = [BUDGET_HEADER, [2025, "1.1", "x" * 200_000, "1.1.1", "UNDP", 1000, None, None]]
    return Case(
        "csv_giant_cell",
        "giant_cell.csv",
        "a CSV cell of 200,000 characters",
        "rejected",
        ("giant_cell.csv", "line 2", "more than 131,072 characters"),
        options=BUDGET,
        path=write(folder / "giant_cell.csv", csv_text(rows)),
    )


@case
def csv_blank_lines(folder: Path) -> Case:
    data = csv_text([BUDGET_HEADER]) + b"\r\n" * 300_000
    return Case(
        "csv_blank_lines",
        "blank_lines.csv",
        "a CSV header followed by 300,000 blank lines",
        "rejected",
        ("blank_lines.csv", "the limit is 200,000 rows"),
        options=BUDGET,
        path=write(folder / "blank_lines.csv", data),
    )


@case
def csv_wide_row(folder: Path) -> Case:
    data = csv_text([BUDGET_HEADER]) + b"," * 20_000 + b"\r\n"
    return Case(
        "csv_wide_row",
        "wide.csv",
        "a CSV row of 20,001 columns",
        "rejected",
        ("wide.csv", "20,001 columns; the limit is 500 columns"),
        options=BUDGET,
        path=write(folder / "wide.csv", data),
    )


# ---------------------------------------------------------------- entry points


def build_corpus(folder: str | Path) -> list[Case]:
    """Write every case's file into `folder` (created if needed); the cases in a stable order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, builder in BUILDERS.items():
        built = builder(folder)
        assert built.name == name, (built.name, name)
        cases.append(built)
    return cases


def main(argv: list[str]) -> None:
    import tempfile

    folder = Path(argv[1]) if len(argv) > 1 else Path(tempfile.mkdtemp(prefix="hostile-corpus-"))
    for built in build_corpus(folder):
        print(f"{built.name:32s} {built.size / 1e6:9.3f} MB  expect {built.status:9s} {built.description}")
    print(f"written to {folder}")


if __name__ == "__main__":
    main(sys.argv)
