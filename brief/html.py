"""The brief as printable HTML (A4): every text it shows is HTML-escaped here, every chart is the dashboard's
Plotly figure drawn by the plotly.js bundle of the installed plotly package (no network).

Stored text is never markup: cells, labels and notes go through `esc`; a figure travels as JSON text, handed to
`drawBrief` as a string (never parsed as HTML); chart labels are entity-escaped by the chart builders, as on the
pages."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import plotly.graph_objects as go

from brief.document import Attention, Brief, Card, Section, Table, moment_label
from core.formatting import DASH, format_count, format_money, format_number, format_rate, is_missing, shorten

#: the width of a chart on an A4 page with 14 mm margins (182 mm at 96 px per inch), and its greatest height
CHART_WIDTH, CHART_HEIGHT = 680, 420
#: a chart of horizontal bars labelled in one line is printed no taller than its axis and margins and a row per
#: bar, and at least so tall
BAR_BASE, BAR_ROW, CHART_MIN = 70, 26, 180

#: patterns laid over bar colours that are hard to tell apart in black-and-white print (same colours kept)
PRINT_PATTERNS = {
    "#D55E00": "/",  # funding gap, off track (vermillion)
    "#009E73": ".",  # spent, completed, on track (bluish green)
    "#E69F00": "x",  # not started (orange)
}

#: drawn over the bar's own colour (overlay), in black lines dense enough to tell apart in grey
PATTERN = dict(fillmode="overlay", fgcolor="black", fgopacity=0.55, size=8, solidity=0.3)


def esc(value: object) -> str:
    """Any value as HTML text (quotes too: it may land in an attribute)."""
    return html.escape("" if is_missing(value) else str(value), quote=True)


def cell_text(value: object, kind: str) -> str:
    """A table cell as the PDF shows it: money in USD with thousands separators, rates in %, counts, dates."""
    if is_missing(value):
        return DASH
    if kind == "money":
        return format_money(value)
    if kind == "rate":
        return format_rate(value)
    if kind == "count":
        return format_count(value)
    if kind == "number":
        return format_number(value)
    if kind == "year":
        return f"{value:.0f}"
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)


def stamp(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else DASH


def _cell(table: Table, column: str, value: object, row: int | None) -> str:
    kind = table.kind(column, row)
    shown = cell_text(value, kind)
    if kind == "text" and table.clip:
        shown = shorten(shown, table.clip)
    return f'<td class="{kind}">{esc(shown)}</td>'


def _table(table: Table) -> str:
    rows = table.pdf_rows
    head = "".join(
        f'<th class="{table.kind(c, 0)}{" wide" if c == table.wide else ""}">{esc(c)}</th>' for c in rows.columns
    )
    groups = list(table.frame[table.group].head(len(rows))) if table.group else [None] * len(rows)
    body, heading = [], None
    for i, (group, record) in enumerate(zip(groups, rows.itertuples(index=False, name=None))):
        if table.group and (i == 0 or group != heading):  # a run of rows of one group: its heading first
            heading = group
            text = table.group_notes.get(str(group), "") if table.group_notes else ""
            body.append(
                f'<tr class="group"><td colspan="{len(rows.columns)}"><div>{esc(shorten(str(group), 80))}'
                f"{f' <span>· {esc(text)}</span>' if text else ''}</div></td></tr>"
            )
        body.append("<tr>" + "".join(_cell(table, c, v, i) for c, v in zip(rows.columns, record)) + "</tr>")
    foot = ""
    if table.total is not None:
        cells = "".join(
            _cell(table, c, table.total.get(c), None) if c in table.total else "<td></td>" for c in rows.columns
        )
        foot = f"<tfoot><tr>{cells}</tr></tfoot>"
    title = f"<h3>{esc(table.title)}</h3>" if table.title else ""
    note = f'<p class="note">{esc(table.note)}</p>' if table.note else ""
    return (
        f'<div class="block">{title}<table class="data" data-table="{esc(table.key)}"><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody>{foot}</table>{note}</div>"
    )


def _cards(cards: list[Card]) -> str:
    out = []
    for card in cards:
        caption = f'<div class="caption">{esc(card.caption)}</div>' if card.caption else ""
        change = f'<div class="change">{esc(card.change)}</div>' if card.change else ""
        out.append(
            f'<div class="card"><div class="label">{esc(card.label)}</div>'
            f'<div class="value">{esc(card.value)}</div>{change}{caption}</div>'
        )
    return f'<div class="cards">{"".join(out)}</div>'


def print_figure(fig: go.Figure) -> go.Figure:
    """A copy of a dashboard figure sized for the A4 page, static, with patterns on the bar colours that
    grey alike in black-and-white print (the colours themselves are the dashboard's)."""
    fig = go.Figure(fig)
    height = min(fig.layout.height or CHART_HEIGHT, CHART_HEIGHT)
    labels = [str(v) for t in fig.data if t.type == "bar" and t.orientation == "h" and t.y is not None for v in t.y]
    if labels and not any("<br>" in v for v in labels):  # one line per bar: a status chart needs less height
        height = min(height, max(BAR_BASE + BAR_ROW * len(dict.fromkeys(labels)), CHART_MIN))
    fig.update_layout(width=CHART_WIDTH, height=height, paper_bgcolor="white", plot_bgcolor="white")
    fig.update_xaxes(showgrid=True, gridcolor="#D0D0D0", linecolor="#333333", zerolinecolor="#333333")
    fig.update_yaxes(gridcolor="#D0D0D0", linecolor="#333333")
    for trace in fig.data:
        if trace.type != "bar":
            continue
        color = trace.marker.color
        if isinstance(color, str) and color.upper() in PRINT_PATTERNS:
            trace.marker.pattern = dict(PATTERN, shape=PRINT_PATTERNS[color.upper()])
        elif isinstance(color, (list, tuple)):
            shapes = [PRINT_PATTERNS.get(str(c).upper(), "") for c in color]
            if any(shapes):
                trace.marker.pattern = dict(PATTERN, shape=shapes, bgcolor=list(color))
    return fig


def _section(section: Section, charts: list[str]) -> str:
    # a part with nothing to show is a paragraph under the previous one, not a page of its own
    kind = "short" if section.empty else "page"
    parts = [f'<section class="{kind}" id="{esc(section.key)}"><h2>{esc(section.title)}</h2>']
    if section.lead:
        parts.append(f'<p class="lead">{esc(section.lead)}</p>')
    if section.empty:
        parts.append(f'<p class="empty">{esc(section.empty)}</p></section>')
        return "".join(parts)
    if section.cards:
        parts.append(_cards(section.cards))
    if section.chart is not None:
        charts.append(print_figure(section.chart).to_json())
        parts.append(f'<div class="chart" id="chart-{len(charts) - 1}"></div>')
        if section.chart_note:
            parts.append(f'<p class="note">{esc(section.chart_note)}</p>')
    parts.extend(_table(t) for t in section.tables if t.in_pdf)
    parts.extend(f'<p class="note">{esc(n)}</p>' for n in section.notes)
    parts.append("</section>")
    return "".join(parts)


def _attention(items: list[Attention]) -> str:
    blocks = []
    for concern in items:
        listed = (
            "<ol>" + "".join(f"<li>{esc(i)}</li>" for i in concern.items) + "</ol>"
            if concern.items
            else f'<p class="none">{esc(concern.none)}</p>'
        )
        blocks.append(f'<div class="concern"><h3>{esc(concern.title)}</h3>{listed}</div>')
    return f'<section class="page" id="attention"><h2>Needs attention</h2>{"".join(blocks)}</section>'


def _cover(brief: Brief) -> str:
    facts = [
        ("Country", brief.country),
        ("Plan", brief.plan_label),
        ("Period", brief.period.label),
        ("Figures as of", moment_label(brief.as_of)),
        (
            "Data as of",
            f"{stamp(brief.data_as_of)} (the latest submission in this brief)"
            if brief.data_as_of
            else "no submission yet",
        ),
        ("Change since", f"{brief.since:%-d %b %Y}, the end of the previous quarter"),
        ("Prepared", stamp(brief.generated_at)),
    ]
    rows = "".join(f'<tr><th>{esc(k)}</th><td data-fact="{esc(k)}">{esc(v)}</td></tr>' for k, v in facts)
    return (
        f'<section class="cover"><p class="kicker">UNCT meeting brief</p><h1>{esc(brief.country)}</h1>'
        f'<p class="subtitle">{esc(brief.period.label)} · {esc(brief.plan_label)}</p>'
        f'<table class="facts">{rows}</table>'
        f"<h2>Reporting completeness</h2>{_table(brief.completeness)}"
        f"<h2>Headline figures</h2>{_cards(brief.cards)}</section>"
    )


def _footnotes(brief: Brief) -> str:
    definitions = "".join(f"<dt>{esc(name)}</dt><dd>{esc(meaning)}</dd>" for name, meaning in brief.definitions)
    missing = "".join(f"<li>{esc(n)}</li>" for n in brief.not_reported) or "<li>Every figure in view is reported.</li>"
    return (
        f'<section class="page" id="notes"><h2>Notes</h2><h3>What is not reported</h3><ul>{missing}</ul>'
        f"<h3>How each figure is computed</h3><dl>{definitions}</dl></section>"
    )


def body(brief: Brief) -> tuple[str, list[str]]:
    """The brief's body (escaped HTML) and the JSON of its charts, in the order of their places (chart-0, …)."""
    charts: list[str] = []
    parts = [_cover(brief), _attention(brief.attention)]
    parts.extend(_section(s, charts) for s in brief.sections)
    parts.append(_footnotes(brief))
    return "".join(parts), charts


def title(brief: Brief) -> str:
    return f"UNCT meeting brief — {brief.country} — {brief.period.label}"


def footer(brief: Brief) -> str:
    """Chromium's footer template: the brief's name and the page number (escaped like the rest)."""
    what = esc(f"UNCT meeting brief · {brief.country} · {brief.period.label}")
    return (
        "<div style=\"font-family: 'DejaVu Sans', sans-serif; font-size: 8pt; width: 100%; margin: 0 14mm; "
        f'display: flex; justify-content: space-between;"><span>{what}</span>'
        '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
    )
