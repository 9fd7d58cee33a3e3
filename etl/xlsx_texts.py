"""Texts python-calamine builds whole (a shared string, an inline string, a cell's value), followed from their start
tag to their end tag and refused over MAX_ELEMENT_BYTES before they are built. Part of the workbook scanner
(etl/xlsx_guard.py)."""

from __future__ import annotations

import re

from etl.limits import MAX_CELLS, MAX_ELEMENT_BYTES, MB, refuse

#: markup among cells or strings that could hide a false end tag from a byte scan: comments, CDATA sections,
#: processing instructions (`<!`, `<?`: found by bytes.find), and an attribute value holding '<' (not XML,
#: but python-calamine's parser reads past it). A piece that ends before a '<' (the part's next tag) ends
#: no attribute value: one still open there holds that '<'.
_QUOTED_LT = re.compile(rb"=\s*+(?:\"[^\"<]*+<|'[^'<]*+<)")
_QUOTED_LT_AT_END = re.compile(rb"=\s*+(?:\"[^\"<]*+(?:<|\Z)|'[^'<]*+(?:<|\Z))")
#: a whole tag, its quoted attribute values holding any '>'
_WHOLE_TAG = re.compile(rb"<[^<>\"']*+(?:(?:\"[^\"]*+\"|'[^']*+')[^<>\"']*+)*+>")
#: the start tag of a cell, for naming the cell of a text
CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c\s[^<>]*?\br\s*=\s*[\"']([A-Za-z]{1,3}[0-9]{1,7})[\"']")


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
            refuse(
                self.file_name,
                f"part {self.part} holds an XML comment, CDATA section or processing instruction "
                f"among its {self.where}, which spreadsheet programs never write (it could hide "
                "where a text ends); it was not read",
            )
        if (_QUOTED_LT_AT_END if at_tag else _QUOTED_LT).search(buf, start, end):
            refuse(
                self.file_name,
                f"part {self.part} holds '<' inside an attribute value, which is not well-formed "
                "XML (it could hide where a text ends); it was not read",
            )
        if self.open_at is not None:  # a text begun in an earlier piece
            closed = self.end.search(buf, start, end)
            self._check((closed.start() if closed else end) + base - self.open_at)
            if closed is None:
                return
            self.open_at, start = None, closed.end()
        if end - start > MAX_ELEMENT_BYTES:  # texts begun and ended within the piece may be over the cap too
            self._within(buf, start, end)
        last_end = _rfind_tag(buf, start, end, self.ends, self.end)
        opened = self.start.search(buf, last_end if last_end != -1 else start, end)  # a text still open at the end
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
            refuse(
                self.file_name,
                f"{self.label} holds more than {MAX_ELEMENT_BYTES // MB} MB of text, which no "
                "spreadsheet cell needs; it was not read",
            )

    def _describe(self, buf: bytes, start: int, at: int) -> str:
        raise NotImplementedError


class CellTexts(_TextBound):
    """Inline strings (<is>) and values (<v>) of a worksheet's cells."""

    names, body, where = (b"v", b"is"), b"sheetData", "cells"

    def __init__(self, file_name: str, part: str, sheet: str):
        super().__init__(file_name, part)
        self.sheet = sheet

    def _describe(self, buf: bytes, start: int, at: int) -> str:
        cell = _rfind_tag(buf, max(start, at - 4096), at, [b"<c", b":c"], CELL_TAG)
        tag = CELL_TAG.match(buf, cell) if cell != -1 else None
        ref = tag.group(1).decode().upper() if tag else None
        return f"sheet '{self.sheet}' " + (f"cell {ref}" if ref else "has a cell that")


class SharedTexts(_TextBound):
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
                refuse(
                    self.file_name, f"part {self.part} holds a tag over {MAX_ELEMENT_BYTES // MB} MB; it was not read"
                )
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
