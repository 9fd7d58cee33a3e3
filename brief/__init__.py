"""The UNCT meeting brief: a country's figures for a period as an A4 PDF (cover, headline cards, money by outcome,
agencies' delivery, indicators, recommendations, work plans, what needs attention, footnotes) or as an Excel
workbook with one sheet per table, as they stand now or as they stood at a date. `build` is what the command line
(`python -m etl brief`) and the Overview's "Meeting brief" button call."""

from __future__ import annotations

import datetime as dt

from brief.request import BriefError, Period, PeriodError, file_name

FORMATS = ("pdf", "xlsx")

__all__ = ["FORMATS", "BriefError", "Period", "PeriodError", "build", "file_name"]


def build(
    con,
    country: str,
    plan: str | None = None,
    period: Period | None = None,
    fmt: str = "pdf",
    as_of: dt.date | dt.datetime | None = None,
) -> bytes:
    """The brief's bytes: `fmt` "pdf" or "xlsx"; `as_of` the figures as they stood at the end of that day (UTC) or,
    a datetime, at that moment (UTC); None: as they are now. `con` is the store's connection."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown brief format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        from brief import collect, xlsx

        return xlsx.workbook_bytes(collect.collect(con, country, plan, period or Period(), as_of=as_of))
    from brief import pdf

    with pdf.Printer.start() as printer:  # Chromium starts while the rest is imported and the figures gathered
        from brief import collect, html

        content = collect.collect(con, country, plan, period or Period(), as_of=as_of)
        body, figures = html.body(content)
        return printer.print(html.title(content), body, figures, html.footer(content))
