"""The UNCT meeting brief: a country's figures for a period as an A4 PDF (cover, headline cards, money by outcome,
agencies' delivery, indicators, recommendations, what needs attention, footnotes) or as an Excel workbook with
one sheet per table. `build` is what the command line (`python -m etl brief`) and the Overview's button call."""

from __future__ import annotations

import datetime as dt

import duckdb

from brief.document import Period, PeriodError

FORMATS = ("pdf", "xlsx")

__all__ = ["FORMATS", "Period", "PeriodError", "build"]


def build(
    con: duckdb.DuckDBPyConnection,
    country: str,
    plan: str | None = None,
    period: Period | None = None,
    fmt: str = "pdf",
    as_of: dt.datetime | None = None,
) -> bytes:
    """The brief's bytes: `fmt` "pdf" or "xlsx". `as_of` is not applied yet (see `brief.collect.collect`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown brief format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        from brief import collect, xlsx

        return xlsx.workbook_bytes(collect.collect(con, country, plan, period or Period(), as_of=as_of))
    from brief import html, pdf

    with pdf.Printer.start() as printer:  # Chromium starts while the figures are gathered
        from brief import collect

        content = collect.collect(con, country, plan, period or Period(), as_of=as_of)
        body, figures = html.body(content)
        return printer.print(html.title(content), body, figures, html.footer(content))
