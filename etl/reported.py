"""When the data in a file were reported, as far as the file says: what "days since last submission" counts from,
rather than the moment the file was loaded (a file sent in March and loaded in June was reported in March).

In this order, the first that gives a day between 2000 and today:
- the export's date: UN INFO's Data Explorer names its sheet after the day of the export (`export_2025-06-11`);
- a date the file states: a title cell above the table (`Reported on: 12 Mar 2025`, `Exported on`, `Data as of`,
  `Date of report`… with the date in the same cell or the next one to its right), else the latest status date
  (`as_of`) of its rows, which the actions template carries;
- a date in the file's name (`cbf-undp-2025-03-12.xlsx`, ISO order only: `03-12-2025` could be either month);
- the workbook's own properties (docProps/core.xml): when it was last saved, else created.
A file that states none of these (a CSV named without a date) is dated by its load.

The workbook has passed `etl.xlsx_guard` before this reads it; its properties part is still read within a small
cap and parsed with defusedxml (no DTD): they are metadata, so a damaged or oversized part costs the date, never
the load.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from defusedxml import ElementTree as SafeElementTree

from core import parse
from core.errors import ParseError
from etl.limits import MAX_PROPERTIES_BYTES
from etl.read import Sheet

#: where the day comes from, as the dashboard says it ("reported 12 Mar 2025 (export date)")
EXPORT_DATE, STATED, FILE_NAME, FILE_DATE = "export date", "date in the file", "date in the file name", "file date"
#: title rows looked at for a stated date
TITLE_ROWS = 10
EARLIEST = dt.date(2000, 1, 1)

_EXPORT_SHEET = re.compile(r"^export_(\d{4}-\d{2}-\d{2})$", re.IGNORECASE)
_LABEL = re.compile(
    r"^\s*(?:date\s+of\s+(?:the\s+)?(?:export|report|reporting|submission|update)|"
    r"(?:exported|extracted|reported|submitted|updated|generated)\s+on|export\s+date|report\s+date|"
    r"reporting\s+date|submission\s+date|(?:data|figures|status)\s+as\s+of|as\s+of)\s*[:\-–]?\s*",
    re.IGNORECASE,
)
_ISO_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.](0[1-9]|1[0-2])[-_.](0[1-9]|[12]\d|3[01])(?!\d)")
_W3CDTF = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Reported:
    """The day the data were reported and where that day comes from (one of EXPORT_DATE … FILE_DATE)."""

    day: dt.date
    source: str


def reported(
    data: bytes, file_name: str, sheets: list[Sheet], rows: Iterable[dict] = (), today: dt.date | None = None
) -> Reported | None:
    """The day a file's data were reported (see the module's docstring), or None: dated by its load."""
    latest = (today or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1)  # a day ahead: time zones

    def plausible(day: dt.date | None) -> bool:
        return day is not None and EARLIEST <= day <= latest

    visible = [s for s in sheets if s.visible]
    candidates = itertools.chain(
        (
            (EXPORT_DATE, _export_day(visible)),
            (STATED, _stated_day(visible)),
            (STATED, _latest_as_of(rows, plausible)),
            (FILE_NAME, _day_in_name(file_name)),
        ),
        ((FILE_DATE, day) for day in _saved_days(data)),
    )  # read only when nothing before gives a day
    return next((Reported(day, source) for source, day in candidates if day is not None and plausible(day)), None)


def _export_day(sheets: list[Sheet]) -> dt.date | None:
    for sheet in sheets:
        found = _EXPORT_SHEET.match(sheet.name.strip())
        if found:
            return _iso(found.group(1))
    return None


def _stated_day(sheets: list[Sheet]) -> dt.date | None:
    """A date a title cell states: the label and the date in one cell, or the date in the next filled cell."""
    for sheet in sheets:
        for row in sheet.rows[:TITLE_ROWS]:
            for i, cell in enumerate(row):
                if not isinstance(cell, str) or len(cell) > 200:
                    continue
                label = _LABEL.match(cell)
                if not label:
                    continue
                rest = cell[label.end() :].strip()
                if rest:
                    return _day(rest)
                following = next((c for c in row[i + 1 :] if not parse.is_blank(c)), None)
                return _day(following) if following is not None else None
    return None


def _latest_as_of(rows: Iterable[dict], plausible) -> dt.date | None:
    """The latest status date of the rows (an actions file's `as_of`) that is not in the future."""
    days = [r.get("as_of") for r in rows]
    return max((d for d in days if isinstance(d, dt.date) and plausible(d)), default=None)


def _day_in_name(file_name: str) -> dt.date | None:
    found = _ISO_IN_NAME.search(file_name)
    return _iso("-".join(found.groups())) if found else None


def _saved_days(data: bytes) -> list[dt.date]:
    """dcterms:modified, then dcterms:created, of a workbook's docProps/core.xml (none for a CSV, or when the part
    is missing, over MAX_PROPERTIES_BYTES, or not plain XML)."""
    if not data.startswith(b"PK\x03\x04"):
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("docProps/core.xml")
            if info.file_size > MAX_PROPERTIES_BYTES or info.flag_bits & 0x1:
                return []
            with archive.open(info) as part:
                content = part.read(MAX_PROPERTIES_BYTES + 1)
        if len(content) > MAX_PROPERTIES_BYTES:
            return []
        root = SafeElementTree.fromstring(content, forbid_dtd=True)
    except Exception:  # noqa: BLE001  (metadata: a missing or damaged part costs the date, never the load)
        return []
    stamps = {element.tag.rsplit("}", 1)[-1]: (element.text or "") for element in root}
    found = (_W3CDTF.match(stamps.get(name, "")) for name in ("modified", "created"))
    return [day for match in found if match and (day := _iso("-".join(match.groups()))) is not None]


def _iso(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return parse.parse_date(value)
    except (ParseError, ValueError, OverflowError):
        return None
