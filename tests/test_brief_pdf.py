"""The PDF meeting brief, printed by the system Chromium and read back with pdftotext: country, period, totals
and the overdue count equal the store's queries, on a fixture with indicators and actions, on NULL-heavy data, on
hostile text and on the 22 real UN INFO exports (issue 13)."""

from __future__ import annotations

import http.server
import io
import re
import shutil
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest
from openpyxl import load_workbook

import brief
import store.connection
import store.summaries
import store.writes
from analytics import actions, activity, budget
from analytics.filters import Filters
from app.charts import ACTION_STATUS_LABELS
from brief import Period, pdf
from core.formatting import format_money, format_rate
from demo import content as demo
from demo import generate
from etl import cli
from etl.load import load_bytes, load_path
from store import history
from tests.fixtures import ANGOLA
from tests.null_data import NULL_HEAVY, write_db
from tests.test_brief import HOSTILE
from tests.test_costed import plan_file
from tests.test_load import BUDGET_HEADER, workbook_bytes

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
        store.summaries.refresh(con)  # the rows changed bypassing the loads
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


# --- the brief as of a moment, the print page's locks ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def chromium_profile(tmp_path_factory, monkeypatch):
    """Briefs printed with a profile of the test session's (not the user's cache folder), kept between tests."""
    monkeypatch.setenv("UNCT_BRIEF_CACHE", str(tmp_path_factory.getbasetemp() / "brief-chromium"))


PREPARED = re.compile(r"Prepared \d{4}-\d\d-\d\d \d\d:\d\d")


def cells(data: bytes) -> dict[str, list[list]]:
    """Every cell of every sheet of a workbook (the cover's "Prepared" stamp left out: the time it was made)."""
    book = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [list(r) for r in sheet.iter_rows(values_only=True) if not r or r[0] != "Prepared"]
        for sheet in book
    }


def same_cells(got: dict, expected: dict) -> None:
    """Equal cell by cell; numbers to 12 significant digits (DuckDB adds doubles in the order its threads meet the
    rows, so a sum may differ in its last bit between two reads of the same rows)."""
    assert list(got) == list(expected)
    for name in expected:
        assert len(got[name]) == len(expected[name]), name
        for row, want in zip(got[name], expected[name]):
            assert [pytest.approx(v, rel=1e-12) if isinstance(v, float) else v for v in want] == row, name


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    generate.build_demo(path)
    return path


def test_a_brief_as_of_a_moment_is_the_same_after_later_loads_and_rollbacks(demo_path, tmp_path):
    """Issue 13's test: load, take a brief as of now, load and roll back more, and get the same brief again as of
    the first moment — PDF text and Excel cells — while the current brief has moved on."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_path, db)
    con = store.connection.connect(db)
    try:
        moment = history.now()
        first_pdf = brief.build(con, demo.DEMO_COUNTRY, fmt="pdf", as_of=moment)
        first_xlsx = brief.build(con, demo.DEMO_COUNTRY, fmt="xlsx", as_of=moment)
        current_then = brief.build(con, demo.DEMO_COUNTRY, fmt="xlsx")
        overdue_then = activity.headline(con, Filters(country=demo.DEMO_COUNTRY))["actions_overdue"]

        # later: a quarterly update of the human rights work plan, a new budget, the indicators rolled back
        update = plan_file(
            ["1.1", "Area", "UPR submission", "OHCHR", "Completed", 38000, 38000, "OHCHR", "Rule of law"]
        )
        assert (
            load_bytes(
                con, update, "hrwg-q4.xlsx", plan=demo.DEMO_PLAN, country=demo.DEMO_COUNTRY, source=demo.DEMO_HRWG
            ).status
            == "committed"
        )
        cbf = workbook_bytes({"Budget": [BUDGET_HEADER, [2026, "1.1", "Health", "1.1.9", "UNDP", 5e6, 1e6, 5e5]]})
        assert load_bytes(con, cbf, "cbf.xlsx", plan=demo.DEMO_PLAN, country=demo.DEMO_COUNTRY).status == "committed"
        indicators_id = con.execute(
            "SELECT max(submission_id) FROM submission_log WHERE kind = 'indicators'"
        ).fetchone()[0]
        store.writes.rollback(con, indicators_id)

        again_pdf = brief.build(con, demo.DEMO_COUNTRY, fmt="pdf", as_of=moment)
        again_xlsx = brief.build(con, demo.DEMO_COUNTRY, fmt="xlsx", as_of=moment)
        current_now = brief.build(con, demo.DEMO_COUNTRY, fmt="xlsx")
    finally:
        con.close()
    first, pages = read_pdf(first_pdf, tmp_path)
    again, _ = read_pdf(again_pdf, tmp_path)
    assert 4 <= pages <= 8
    assert PREPARED.sub("", again) == PREPARED.sub("", first)
    assert f"Figures as of {moment:%Y-%m-%d %H:%M:%S} UTC" in first
    assert f"Overdue key actions ({overdue_then})" in first
    same_cells(cells(again_xlsx), cells(first_xlsx))
    # as of that moment the brief was the current one; the current brief has moved on since
    then = cells(current_then)
    same_cells(
        {k: v for k, v in cells(first_xlsx).items() if k != "Brief"}, {k: v for k, v in then.items() if k != "Brief"}
    )
    now = cells(current_now)
    assert "Progress to target" in then and "Progress to target" not in now  # the indicators were rolled back
    assert now["By outcome"][-1] != then["By outcome"][-1] and now["Deliverables"] != then["Deliverables"]


def test_the_excel_brief_work_plans_equal_the_recommendations_pages_queries(demo_path):
    con = store.connection.connect(demo_path, read_only=True)
    try:
        filters = Filters(country=demo.DEMO_COUNTRY)
        book = load_workbook(io.BytesIO(brief.build(con, demo.DEMO_COUNTRY, fmt="xlsx")))
        since = actions.previous_quarter_end(history.now().date())
        groups = actions.cost_by(con, filters, "group", workplans_only=True)
        costs = actions.cost_totals(con, filters, workplans_only=True)
        listing = actions.status_changes(con, history.as_of(con, since), filters, since, workplans_only=True).rows
        then = activity.headline(history.as_of(con, since), filters)
    finally:
        con.close()
    sheet = [list(r) for r in book["By working group"].iter_rows(values_only=True)]
    header, body, total = sheet[0], sheet[1:-1], sheet[-1]
    assert header[:4] == ["Group or pillar", "Work plan", "Deliverables", "Costed"]
    assert [(r[0], r[1], r[2], r[3]) for r in body] == list(
        zip(
            [g if isinstance(g, str) else "(no group)" for g in groups["work_group"]],
            groups["source_title"],
            groups["actions"],
            groups["costed"],
        )
    )
    for i, name in ((4, "planned_cost"), (5, "funded"), (6, "cost_gap"), (7, "funded_share")):
        assert [r[i] for r in body] == [None if v != v else pytest.approx(v) for v in groups[name]], name
        assert total[i] == (None if costs[name] is None else pytest.approx(costs[name])), name
    assert total[:4] == ["Total", None, costs["actions"], costs["costed"]]

    sheet = [list(r) for r in book["Deliverables"].iter_rows(values_only=True)]
    assert len(sheet) - 1 == len(listing) == costs["actions"] > 0
    rows = [dict(zip(sheet[0], r)) for r in sheet[1:]]
    assert [r["No."] for r in rows] == list(listing["action_no"])
    assert [r["Planned cost (USD)"] for r in rows] == [None if v != v else v for v in listing["planned_cost"]]
    assert [r["Change"] for r in rows] == [c.capitalize() for c in listing["change"]]
    assert [r[f"Status on {since:%-d %b %Y}"] for r in rows] == [
        "(new)" if not isinstance(p, str) else ACTION_STATUS_LABELS[p] for p in listing["previous_status"]
    ]

    # the headline sheet: each figure now and at the end of the previous quarter, from the history
    sheet = [list(r) for r in book["Headline figures"].iter_rows(values_only=True)]
    assert sheet[0] == ["Figure", "Value", f"On {since:%-d %b %Y}", "Unit"]
    earlier = {r[0]: r[2] for r in sheet[1:]}
    assert earlier["Actions overdue"] == then["actions_overdue"]
    assert earlier["Required"] == (None if then["required"] is None else pytest.approx(then["required"]))


def test_the_print_page_reaches_nothing_but_its_own_files(tmp_path):
    """Stored text is escaped before it reaches the page; were markup to get through all the same, the page's
    policy lets it load nothing and run nothing: a local server sees no request from it."""
    seen: list[str] = []

    class Spy(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    spy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Spy)
    threading.Thread(target=spy.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{spy.server_address[1]}"
    body = (
        f'<img src="{url}/img"><img src="x" onerror="fetch(\'{url}/script\')">'
        f'<link rel="stylesheet" href="{url}/css"><iframe src="{url}/frame"></iframe>'
        f'<img src="http://example.com/named.png"><p>printed</p>'
    )
    try:
        with pdf.Printer.start() as printer:
            data = printer.print("t", body, [], "<span></span>")
        urllib.request.urlopen(f"{url}/control", timeout=5).close()  # the spy does answer
    finally:
        spy.shutdown()
    assert data.startswith(b"%PDF-")
    assert seen == ["/control"]


def test_a_second_brief_printing_at_once_uses_a_profile_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("UNCT_BRIEF_CACHE", str(tmp_path / "kept"))
    with pdf._profile() as first, pdf._profile() as second:
        assert first == tmp_path / "kept" and second != first and second.is_dir()
    with pdf._profile() as again:
        assert again == tmp_path / "kept"  # released: the next brief has the kept one again
