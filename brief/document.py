"""What a meeting brief holds, as plain data: the facts of its cover, its cards, its tables and charts, what needs
attention and its footnotes. `brief.collect` fills it from the store's queries; `brief.html`, `brief.pdf` and
`brief.xlsx` only lay it out, so the PDF and the workbook can never disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from brief.request import Period

#: how a table column is shown: money (USD), rate (a fraction, shown as %), count, number (an indicator's value),
#: year, date, text; "row": each row's own kind (`Table.row_kinds`). Columns not listed are text.
COLUMN_KINDS = ("money", "rate", "count", "number", "year", "date", "text", "row")


def moment_label(at: dt.datetime | None) -> str:
    """When a brief's figures are taken: 'now (the current figures)', 'the end of 30 Sep 2025 (UTC)' for a day,
    '2026-11-30 05:40:12 UTC' for a moment."""
    if at is None:
        return "now (the current figures)"
    if at.time() == dt.time.max:
        return f"the end of {at:%-d %b %Y} (UTC)"
    return f"{at:%Y-%m-%d %H:%M:%S} UTC"


@dataclass
class Card:
    """A headline figure: its label, the value as shown, and a line saying what it covers."""

    label: str
    value: str
    caption: str | None = None
    change: str | None = None  # how it moved since the previous quarter's end ('+ USD 1.2 M since 30 Sep 2026')


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
    group: str | None = None  # a column whose runs of equal values the PDF heads with a row (then left out)
    group_notes: dict[str, str] | None = None  # what each group's heading row says after its name
    in_pdf: bool = True  # False: the workbook's only (the PDF says the same another way)

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
    since: dt.date  # the end of the previous quarter: what the cards' change and the status changes are since
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
