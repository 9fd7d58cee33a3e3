"""The PDF meeting brief, printed by the system Chromium and read back with pdftotext: country, period, totals
and the overdue count equal the store's queries, on a fixture with indicators and actions, on NULL-heavy data, on
hostile text and on the 22 real UN INFO exports (issue 13)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

import brief
import store.connection
from analytics import actions, activity, budget
from analytics.filters import Filters
from brief import Period
from core.formatting import format_money, format_rate
from etl import cli
from etl.load import load_path
from tests.fixtures import ANGOLA
from tests.null_data import NULL_HEAVY, write_db
from tests.test_brief import HOSTILE

UNINFO = Path(__file__).resolve().parents[2] / "shared" / "data" / "uninfo"


def read_pdf(data: bytes, tmp_path: Path) -> tuple[str, int]:
    """The PDF's text (whitespace collapsed) and its number of pages."""
    path = tmp_path / "brief.pdf"
    path.write_bytes(data)
    assert data.startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split()), text.count("\f")


def money_cards(h: dict) -> str:
    """The first row of headline cards as pdftotext reads it: the four labels, then the four amounts."""
    return "REQUIRED AVAILABLE SPENT FUNDING GAP " + " ".join(
        format_money(h[k]) for k in ("required", "available", "expenditure", "funding_gap")
    )


def test_pdf_brief_reads_back_the_stores_figures(seeded_db, tmp_path):
    text, pages = read_pdf(brief.build(seeded_db, ANGOLA, fmt="pdf"), tmp_path)
    h = activity.headline(seeded_db, Filters(country=ANGOLA))
    assert 4 <= pages <= 8
    assert text.startswith(f"UNCT MEETING BRIEF {ANGOLA} All years")
    assert money_cards(h) in text
    total = " ".join(format_money(h[k]) for k in ("required", "available", "expenditure", "funding_gap"))
    assert f"Total {total} {format_rate(h['coverage'])} {format_rate(h['delivery_rate'])}" in text
    assert f"Overdue key actions ({h['actions_overdue']})" in text and h["actions_overdue"] > 0
    assert text.count(f"Overdue key actions ({h['actions_overdue']})") == 2  # the attention page and the table
    overdue = actions.overdue(seeded_db, Filters(country=ANGOLA))
    for days, number in zip(overdue["days_late"], overdue["action_no"]):
        assert f"{days} days late — {number} " in text
    assert f"{h['indicators_on_track'] + h['indicators_achieved']} of {h['indicators']}" in text
    for section in (
        "Reporting completeness",
        "Headline figures",
        "Needs attention",
        "Money by outcome",
        "Agencies' delivery",
        "Indicators",
        "Recommendations and key actions",
        "What is not reported",
        "How each figure is computed",
    ):
        assert section in text, section
    assert f"page 1 of {pages}" in text


def test_pdf_brief_of_a_quarter_from_the_command_line(seeded_db_path, tmp_path, capsys):
    out = tmp_path / "q.pdf"
    assert (
        cli.main(["--db", str(seeded_db_path), "brief", "--country", ANGOLA, "--quarter", "2025Q3", "-o", str(out)])
        == 0
    )
    assert capsys.readouterr().out == f"Brief for {ANGOLA}, 2025 Q3 (Jul–Sep 2025), written to {out}\n"
    text, _ = read_pdf(out.read_bytes(), tmp_path)
    con = store.connection.connect(seeded_db_path)
    try:
        h = activity.headline(con, Filters(country=ANGOLA, year_from=2025, year_to=2025))
    finally:
        con.close()
    assert f"{ANGOLA} 2025 Q3 (Jul–Sep 2025)" in text
    assert money_cards(h) in text
    assert "Budgets are annual: the 2025 Q3 (Jul–Sep 2025) brief shows the 2025 budget figures" in text


def test_hostile_text_prints_as_typed(fresh_db_path, tmp_path):
    con = store.connection.connect(fresh_db_path)
    try:
        con.execute("UPDATE budget_lines SET outcome_title = ? WHERE country = ?", [HOSTILE["markup"], ANGOLA])
        con.execute("UPDATE action_rows SET action = ? WHERE country = ?", [HOSTILE["formula"], ANGOLA])
        text, _ = read_pdf(brief.build(con, ANGOLA, fmt="pdf"), tmp_path)
    finally:
        con.close()
    assert HOSTILE["markup"] in text  # shown, not run: the script, the bold and the image are text
    assert HOSTILE["formula"] in text


def test_null_heavy_data_prints(tmp_path):
    con = store.connection.connect(write_db(tmp_path / "nulls.duckdb", NULL_HEAVY))
    try:
        for country in ("Angola", "Kenya"):
            text, pages = read_pdf(brief.build(con, country, fmt="pdf"), tmp_path)
            assert 4 <= pages <= 8 and text.startswith(f"UNCT MEETING BRIEF {country}")
            assert " nan " not in f" {text.lower()} " and "None" not in text
    finally:
        con.close()


@pytest.fixture(scope="module")
def uninfo(tmp_path_factory):
    files = sorted(UNINFO.glob("*.xlsx"))
    assert len(files) == 22, f"expected the 22 UN INFO exports in {UNINFO}"
    con = store.connection.connect(tmp_path_factory.mktemp("uninfo") / "uninfo.duckdb")
    for path in files:
        assert load_path(con, path).status == "committed"
    yield con
    con.close()


@pytest.mark.parametrize(("country", "year"), [("Tanzania", None), ("Nepal", 2024)])
def test_brief_on_the_real_uninfo_exports(uninfo, tmp_path, country, year):
    filters = Filters(country=country, year_from=year, year_to=year)
    h = activity.headline(uninfo, filters)
    text, pages = read_pdf(brief.build(uninfo, country, period=Period(year=year), fmt="pdf"), tmp_path)
    assert 4 <= pages <= 8
    assert text.startswith(f"UNCT MEETING BRIEF {country} {year or 'All years'}")
    assert money_cards(h) in text
    assert "No recommendations or key actions are loaded for this country and period." in text
    book = load_workbook(io.BytesIO(brief.build(uninfo, country, period=Period(year=year), fmt="xlsx")))
    outcomes = budget.by(uninfo, filters, "outcome")
    sheet = [list(r) for r in book["By outcome"].iter_rows(values_only=True)]
    assert len(sheet) == len(outcomes) + 2  # header and total
    assert [r[sheet[0].index("Required")] for r in sheet[1:-1]] == pytest.approx(list(outcomes["required"]))
    assert sheet[-1][sheet[0].index("Required")] == pytest.approx(h["required"])
    assert sheet[-1][sheet[0].index("Spent")] == pytest.approx(h["expenditure"])
