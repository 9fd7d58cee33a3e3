"""What a meeting brief holds, as plain data: the facts of its cover, its cards, its tables and charts, what needs
attention and its footnotes. `brief.collect` fills it from the store's queries; `brief.html`, `brief.pdf` and
`brief.xlsx` only lay it out, so the PDF and the workbook can never disagree."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

#: how a table column is shown: money (USD), rate (a fraction, shown as %), count, number (an indicator's value),
#: year, date, text; "row": each row's own kind (`Table.row_kinds`). Columns not listed are text.
COLUMN_KINDS = ("money", "rate", "count", "number", "year", "date", "text", "row")


class PeriodError(ValueError):
    """A --year or --quarter the brief cannot take; its text is what the user reads."""


_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")
_QUARTER_MONTHS = {1: "Jan–Mar", 2: "Apr–Jun", 3: "Jul–Sep", 4: "Oct–Dec"}


@dataclass(frozen=True)
class Period:
    """The period a brief covers: one year, one quarter of a year, or (neither) every year in view."""

    year: int | None = None
    quarter: int | None = None

    @classmethod
    def parse(cls, year: int | None = None, quarter: str | None = None) -> Period:
        """From --year Y or --quarter 2025Q3 (also 2025-Q3, 2025 q3); at most one of the two."""
        if year is not None and quarter:
            raise PeriodError("Give --year or --quarter, not both.")
        if quarter:
            match = _QUARTER.match(quarter)
            if not match:
                raise PeriodError(f"--quarter {quarter!r}: a quarter such as 2025Q3 (year, Q, 1 to 4)")
            year, number = int(match.group(1)), int(match.group(2))
            cls._check_year(year, "--quarter")
            return cls(year=year, quarter=number)
        if year is not None:
            cls._check_year(year, "--year")
            return cls(year=year)
        return cls()

    @staticmethod
    def _check_year(year: int, option: str) -> None:
        if not 2000 <= year <= 2100:
            raise PeriodError(f"{option}: {year} is not a year from 2000 to 2100")

    @property
    def label(self) -> str:
        if self.quarter:
            return f"{self.year} Q{self.quarter} ({_QUARTER_MONTHS[self.quarter]} {self.year})"
        return str(self.year) if self.year else "All years"

    @property
    def end(self) -> dt.date | None:
        """The period's last day (None for every year)."""
        if self.year is None:
            return None
        if self.quarter:
            month = self.quarter * 3
            return dt.date(self.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(self.year, 12, 31)


@dataclass
class Card:
    """A headline figure: its label, the value as shown, and a line saying what it covers."""

    label: str
    value: str
    caption: str | None = None


@dataclass
class Table:
    """A table of the brief. `frame` holds the values as the queries return them (money in USD, rates as
    fractions) under the headers the reader sees; `kinds` says how to show each column. The PDF shows the first
    `shown` rows (None: all) and says so in `note`; the workbook always holds every row."""

    key: str
    title: str
    frame: pd.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    shown: int | None = None
    total: dict[str, object] | None = None  # a totals row under the table (header → value), from the queries
    row_kinds: list[str] | None = None  # the kind of each row's value in a column of kind "row"
    clip: int | None = None  # the PDF shortens longer texts to this many characters (the workbook never does)
    pdf_columns: list[str] | None = None  # the columns the PDF shows (None: all; the workbook has all)
    wide: str | None = None  # the text column the PDF gives most of the width to

    def kind(self, column: str, row: int | None = None) -> str:
        kind = self.kinds.get(column, "text")
        if kind == "row":
            return self.row_kinds[row] if self.row_kinds is not None and row is not None else "text"
        return kind

    @property
    def pdf_rows(self) -> pd.DataFrame:
        frame = self.frame if self.pdf_columns is None else self.frame[self.pdf_columns]
        return frame if self.shown is None else frame.head(self.shown)


@dataclass
class Section:
    """A part of the brief: a heading, what it says first, its cards, chart and tables, and its notes. A
    section with nothing to show has only `empty` (why)."""

    key: str
    title: str
    lead: str | None = None
    cards: list[Card] = field(default_factory=list)
    chart: go.Figure | None = None
    chart_note: str | None = None
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty: str | None = None


@dataclass
class Attention:
    """One concern of the 'needs attention' page: a heading and its items, worst first."""

    title: str
    items: list[str]
    none: str  # what to say when nothing is in it


@dataclass
class Brief:
    """A whole meeting brief."""

    country: str
    plans: list[str]
    period: Period
    generated_at: dt.datetime
    data_as_of: dt.datetime | None  # the latest submission whose rows are in the brief
    as_of: dt.datetime | None  # the moment the figures are taken at (None: now, the current figures)
    completeness: Table
    headline: Table
    cards: list[Card]
    sections: list[Section]
    attention: list[Attention]
    not_reported: list[str]
    definitions: list[tuple[str, str]]

    @property
    def plan_label(self) -> str:
        if not self.plans:
            return "No plan"
        return self.plans[0] if len(self.plans) == 1 else f"{len(self.plans)} plans: " + "; ".join(self.plans)

    def tables(self) -> list[Table]:
        """Every table, in the order the PDF shows them (the workbook's sheets)."""
        return [self.completeness, self.headline, *(t for s in self.sections for t in s.tables)]
