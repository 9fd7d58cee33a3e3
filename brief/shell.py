"""The page a brief is printed from, before its content: the print style, the plotly.js bundle of the installed
plotly package (the version the dashboard's charts are made for) and `drawBrief`, which puts the brief's body in
and draws each chart. Light on purpose (the standard library only): Chromium loads it while the figures are still
being imported and gathered (`brief.pdf`)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path


def plotly_js() -> Path:
    """The plotly.js bundle the installed plotly package ships (found without importing plotly)."""
    spec = importlib.util.find_spec("plotly")
    assert spec is not None and spec.origin is not None, "the plotly package is a requirement"
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


def plotly_js_name() -> str:
    """The bundle's address on the print page: named by the plotly version, so an upgrade is a new address (the
    browser's cache of the compiled script is keyed by it)."""
    return f"plotly-{importlib.metadata.version('plotly')}.min.js"


STYLE = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Source Sans Pro", Arial, sans-serif; font-size: 10pt; color: #000;
       line-height: 1.35; margin: 0; }
h1 { font-size: 30pt; margin: 2mm 0 1mm; }
h2 { font-size: 17pt; margin: 0 0 3mm; border-bottom: 2px solid #000; padding-bottom: 1mm; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; }
section.page { break-before: page; }
section.short { margin-top: 8mm; break-inside: avoid; }
.kicker { font-size: 12pt; text-transform: uppercase; letter-spacing: 0.08em; margin: 0; }
.subtitle { font-size: 13pt; margin: 0 0 5mm; }
.cover h2 { margin-top: 6mm; }
table.facts { border-collapse: collapse; font-size: 11pt; margin-bottom: 2mm; }
table.facts th { text-align: left; padding: 1mm 6mm 1mm 0; vertical-align: top; white-space: nowrap; }
table.facts td { padding: 1mm 0; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2.5mm; margin: 2mm 0 3mm; }
.card { border: 1.5px solid #000; padding: 2mm 2.5mm; break-inside: avoid; }
.card .label { font-size: 9pt; font-weight: bold; text-transform: uppercase; letter-spacing: 0.03em; }
.card .value { font-size: 15pt; font-weight: bold; margin: 1mm 0; white-space: nowrap; }
.card .caption { font-size: 8.5pt; }
.card .change { font-size: 9pt; font-weight: bold; }
th.wide { width: 40%; }
h2, h3 { break-after: avoid; }
table.data { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 1mm 0; }
table.data th { text-align: left; border-bottom: 1.5px solid #000; padding: 1mm 1.5mm; vertical-align: bottom; }
table.data td { border-bottom: 0.5px solid #888; padding: 0.8mm 1.5mm; vertical-align: top; }
table.data tbody tr:nth-child(even) td { background: #F0F0F0; }
table.data tr.group td { background: #FFFFFF; border-bottom: 1.5px solid #000; padding-top: 2mm; font-weight: bold; }
table.data tr.group td div { max-width: 180mm; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
table.data tr.group td span { font-weight: normal; }
table.data tfoot td { border-top: 1.5px solid #000; border-bottom: none; font-weight: bold; }
table.data .money, table.data .rate, table.data .count, table.data .number, table.data .year { text-align: right;
       font-variant-numeric: tabular-nums; }
table.data td.money, table.data td.rate, table.data td.count, table.data td.number, table.data td.year,
table.data td.date { white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.chart { width: 680px; margin: 1mm 0; break-inside: avoid; }
.note, .lead { font-size: 9pt; margin: 1mm 0 2mm; }
.lead { font-size: 10.5pt; }
.empty, .none { font-size: 11pt; font-style: italic; }
.concern { break-inside: avoid; }
.concern ol { margin: 0 0 2mm; padding-left: 6mm; font-size: 10pt; }
.concern li { margin-bottom: 0.8mm; }
dl { font-size: 9pt; } dt { font-weight: bold; margin-top: 1.5mm; } dd { margin: 0 0 0 5mm; }
ul { font-size: 9.5pt; padding-left: 5mm; }
"""

#: defines drawBrief(title, body, figures): the brief's body goes in, then each chart (its JSON text) is drawn into
#: its place; the promise settles when every chart is drawn
DRAW = """
window.drawBrief = (title, body, figures) => {
  document.title = title;
  document.body.innerHTML = body;
  return Promise.all(figures.map((text, i) => {
    const figure = JSON.parse(text);
    return Plotly.newPlot('chart-' + i, figure.data, figure.layout, {staticPlot: true});
  })).then(() => figures.length);
};
"""

#: the print page may load its own two scripts and nothing else (stored text is escaped before it gets there; this
#: is the second lock): no other script, frame, connection, image or font source
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "connect-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'"
)


def page(plotly_src: str, draw_src: str) -> str:
    """The print page's HTML: the style, then plotly.js and drawBrief from their addresses on the page's own
    origin."""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>UNCT meeting brief</title>'
        f'<style>{STYLE}</style><script src="{plotly_src}"></script><script src="{draw_src}"></script></head>'
        "<body></body></html>"
    )
