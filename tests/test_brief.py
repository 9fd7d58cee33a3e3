"""The meeting brief without a browser: its Excel workbook checked cell by cell against the pages' queries, the
command line's messages, the period it takes, and its HTML, in which stored text stays text (issue 13)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

import brief
import store.connection
import store.summaries
from analytics import actions, activity, budget, indicators, metrics
from analytics.filters import Filters
from app.testing import open_page
from app.text import md_escape
from brief import Period, PeriodError
from brief import html as brief_html
from brief.collect import BriefError, collect, problem
from etl import cli
from store import history
from tests.fixtures import ANGOLA, PLAN_A, VIET_NAM
from tests.null_data import NULL_HEAVY, write_db

ROOT = Path(__file__).resolve().parents[1]
#: text a cell could run, markup a page could render, a terminal escape, a bidi override
HOSTILE = {
    "formula": '=HYPERLINK("http://evil.example","click")',
    "markup": "<script>x()</script><b>bold</b> & <img src=x>",
    "control": "clear\x1b[2J screen",
    "bidi": "\u202egnp.exe",
    "at": "@SUM(A1:A9)",
}


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def rows_of(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def approx(value):
    return None if value is None else pytest.approx(value, rel=1e-12, abs=1e-9)


# --- the period ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "quarter", "expected"),
    [
        (None, None, ("All years", None)),
        (2025, None, ("2025", dt.date(2025, 12, 31))),
        (None, "2025Q3", ("2025 Q3 (Jul–Sep 2025)", dt.date(2025, 9, 30))),
        (None, "2024-q1", ("2024 Q1 (Jan–Mar 2024)", dt.date(2024, 3, 31))),
        (None, " 2025 Q4 ", ("2025 Q4 (Oct–Dec 2025)", dt.date(2025, 12, 31))),
    ],
)
def test_period_label_and_end(year, quarter, expected):
    period = Period.parse(year, quarter)
    assert (period.label, period.end) == expected


@pytest.mark.parametrize(
    ("year", "quarter", "message"),
    [
        (None, "2025Q5", "--quarter '2025Q5': a quarter such as 2025Q3 (year, Q, 1 to 4)"),
        (None, "Q3 2025", "--quarter 'Q3 2025': a quarter such as 2025Q3 (year, Q, 1 to 4)"),
        (1999, None, "--year: 1999 is not a year from 2000 to 2100"),
        (2025, "2025Q1", "Give --year or --quarter, not both."),
    ],
)
def test_a_period_it_cannot_take_is_refused(year, quarter, message):
    with pytest.raises(PeriodError) as refused:
        Period.parse(year, quarter)
    assert str(refused.value) == message


# --- the workbook, cell by cell ---------------------------------------------------------------------------


def test_excel_brief_equals_the_pages_queries(seeded_db):
    filters = Filters(country=ANGOLA)
    book = workbook(brief.build(seeded_db, ANGOLA, fmt="xlsx"))
    assert book.sheetnames[:3] == ["Brief", "Reporting completeness", "Headline figures"]

    cover = {r[0]: r[1] for r in rows_of(book["Brief"]) if r and r[0]}
    assert cover["Country"] == ANGOLA and cover["Period"] == "All years" and cover["Plan"] == PLAN_A
    assert cover["Figures as of"] == "now (the current figures)"

    h = activity.headline(seeded_db, filters)
    headline = {r[0]: r[1] for r in rows_of(book["Headline figures"])[1:]}
    for metric in (
        metrics.REQUIRED,
        metrics.AVAILABLE,
        metrics.EXPENDITURE,
        metrics.FUNDING_GAP,
        metrics.COVERAGE,
        metrics.DELIVERY_RATE,
        metrics.BURN_RATE,
    ):
        assert headline[metric.label] == approx(h[metric.name]), metric.name
    assert headline["Actions overdue"] == h["actions_overdue"] > 0
    assert headline["Indicators off track"] == h["indicators_off_track"]
    assert headline[metrics.IMPLEMENTATION_RATE.label] == approx(h["actions_implementation_rate"])

    outcomes = budget.by(seeded_db, filters, "outcome")
    sheet = rows_of(book["By outcome"])
    header, body, total = sheet[0], sheet[1:-1], sheet[-1]
    assert header == ["Outcome", "Required", "Available", "Spent", "Funding gap", "Coverage", "Delivery rate"]
    assert [r[0] for r in body] == [f"{c} · {t}" for c, t in zip(outcomes["outcome_code"], outcomes["outcome_title"])]
    for row, (_, want) in zip(body, outcomes.iterrows()):
        for i, name in enumerate(
            ("required", "available", "expenditure", "funding_gap", "coverage", "delivery_rate"), start=1
        ):
            assert row[i] == approx(None if want[name] != want[name] else want[name]), (row[0], name)
    assert total[0] == "Total" and total[1] == approx(h["required"]) and total[4] == approx(h["funding_gap"])

    agencies = budget.by(seeded_db, filters, "agency")
    sheet = rows_of(book["By agency"])
    assert sheet[0][:4] == ["Agency", "Name", "Required", "Available"]
    assert [(r[0], r[3], r[5]) for r in sheet[1:-1]] == [
        (a, approx(v), approx(None if g != g else g))
        for a, v, g in zip(agencies["agency"], agencies["available"], agencies["funding_gap"])
    ]

    progress = indicators.progress(seeded_db, filters)
    sheet = rows_of(book["Progress to target"])
    assert len(sheet) - 1 == len(progress)
    by_code = {r["indicator_code"]: r for _, r in progress.iterrows()}
    for row in sheet[1:]:
        record = dict(zip(sheet[0], row))
        want = by_code[record["Code"]]
        assert record["Status"] == want["status"].capitalize()
        assert record["Progress"] == approx(None if want["progress"] != want["progress"] else want["progress"])
    assert [r[2] for r in sheet[1:]][: h["indicators_off_track"]] == ["Off track"] * h["indicators_off_track"]

    overdue = actions.overdue(seeded_db, filters)
    name = next(n for n in book.sheetnames if n.startswith("Overdue key actions"))
    assert name == f"Overdue key actions ({h['actions_overdue']})"
    sheet = rows_of(book[name])
    assert [(r[0], r[2]) for r in sheet[1:]] == list(zip(overdue["days_late"], overdue["action_no"]))
    assert all(isinstance(r[1], dt.datetime) for r in sheet[1:])  # deadlines are dates, not text

    # rates keep their exact value and show as percentages
    cell = book["By outcome"]["F2"]
    assert cell.number_format == "0.0%"


def test_excel_brief_of_a_plan_and_a_year(seeded_db):
    filters = Filters(country=ANGOLA, plan=PLAN_A, year_from=2024, year_to=2024)
    book = workbook(brief.build(seeded_db, ANGOLA, PLAN_A, Period(year=2024), "xlsx"))
    h = activity.headline(seeded_db, filters)
    total = rows_of(book["By outcome"])[-1]
    assert total[:2] == ["Total", approx(h["required"])]
    completeness = activity.reporting_completeness(seeded_db, filters)
    sheet = rows_of(book["Reporting completeness"])
    assert [(r[1], r[2], r[3]) for r in sheet[1:]] == list(
        zip(completeness["year"], completeness["agencies_reported"], completeness["agencies_expected"])
    )


def test_hostile_text_stays_literal_in_the_workbook_and_the_html(fresh_db_path):
    con = store.connection.connect(fresh_db_path)
    try:
        con.execute("UPDATE budget_lines SET outcome_title = ? WHERE country = ?", [HOSTILE["markup"], ANGOLA])
        con.execute(
            "UPDATE action_rows SET action = ?, responsible = ?, source_title = ? WHERE country = ?",
            [HOSTILE["formula"], HOSTILE["control"], HOSTILE["at"], ANGOLA],
        )
        con.execute("UPDATE entities SET name = ? WHERE code = 'UNDP'", [HOSTILE["bidi"]])
        store.summaries.refresh(con)  # the rows changed bypassing the loads
        book = workbook(brief.build(con, ANGOLA, fmt="xlsx"))
        content = collect(con, ANGOLA)
        body, figures = brief_html.body(content)
    finally:
        con.close()
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert all(c.data_type != "f" for c in cells)
    assert "'" + HOSTILE["formula"] in texts and "'" + HOSTILE["at"] in texts
    assert "clear␛[2J screen" in texts and "<U+202E>gnp.exe" in texts
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)
    assert any(HOSTILE["markup"] in t for t in texts)
    # in the HTML: no element, attribute or script from stored text — only its escaped form
    assert "<script>x" not in body and "<img" not in body and "<b>bold" not in body
    assert "&lt;script&gt;x()&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x&gt;" in body
    # chart labels go to Plotly entity-escaped (Plotly shows them as typed), inside JSON handed over as a string
    assert any("&lt;script&gt;x()" in f for f in figures) and not any("<script>" in f for f in figures)


def test_null_heavy_data_makes_a_workbook(tmp_path):
    con = store.connection.connect(write_db(tmp_path / "nulls.duckdb", NULL_HEAVY))
    try:
        for country in ("Angola", "Kenya"):
            book = workbook(brief.build(con, country, fmt="xlsx"))
            assert rows_of(book["Brief"])[1][1] == country
            body, _ = brief_html.body(collect(con, country))
            assert "nan" not in body.lower().replace("financ", "")
    finally:
        con.close()


def test_an_unknown_country_or_plan_names_the_choices(seeded_db):
    with pytest.raises(BriefError) as refused:
        collect(seeded_db, "angola")
    assert str(refused.value) == "No data for country 'angola': did you mean 'Angola'?"
    with pytest.raises(BriefError) as refused:
        collect(seeded_db, VIET_NAM, PLAN_A)
    assert str(refused.value).startswith(f"Viet Nam has no plan '{PLAN_A}': ")


def test_a_date_the_history_cannot_answer_is_refused(seeded_db):
    tomorrow = history.now().date() + dt.timedelta(days=1)
    with pytest.raises(BriefError) as refused:
        collect(seeded_db, ANGOLA, as_of=tomorrow)
    assert str(refused.value) == (
        f"The figures as of {tomorrow:%-d %b %Y} are not known yet: choose today or an "
        "earlier date (or leave out the as-of date for the current figures)."
    )
    with pytest.raises(BriefError) as refused:
        collect(seeded_db, ANGOLA, as_of=dt.date(2001, 1, 1))
    assert str(refused.value) == "Nothing had been loaded on 1 Jan 2001: choose a later date."
    assert (
        problem(history.as_of(seeded_db, dt.date(2001, 1, 1)), Filters(country=ANGOLA, as_of=dt.date(2001, 1, 1)))
        == "Nothing had been loaded on 1 Jan 2001: choose a later date."
    )
    assert problem(seeded_db, Filters(country=ANGOLA)) is None


@pytest.mark.parametrize(
    ("plan", "period", "as_of", "fmt", "name"),
    [
        (None, Period(), None, "pdf", "meeting-brief-angola.pdf"),
        (PLAN_A, Period(year=2025), None, "xlsx", "meeting-brief-angola-unsdcf-angola-2023-2027-2025.xlsx"),
        (
            None,
            Period(year=2025, quarter=3),
            dt.date(2025, 9, 30),
            "pdf",
            "meeting-brief-angola-2025-q3-as-of-2025-09-30.pdf",
        ),
    ],
)
def test_the_file_name_carries_what_the_brief_covers(plan, period, as_of, fmt, name):
    assert brief.file_name(ANGOLA, plan, period, as_of, fmt) == name


# --- the command line -------------------------------------------------------------------------------------


def test_brief_command_writes_the_workbook(seeded_db_path, tmp_path, capsys):
    out = tmp_path / "brief.xlsx"
    assert cli.main(["--db", str(seeded_db_path), "brief", "--country", ANGOLA, "--year", "2025", "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"Brief for {ANGOLA}, 2025, written to {out}\n"
    assert rows_of(workbook(out.read_bytes())["Brief"])[3][1] == "2025"


def test_brief_command_as_of_a_date(seeded_db_path, tmp_path, capsys):
    day = history.now().date() - dt.timedelta(days=1)
    out = tmp_path / "brief.xlsx"
    assert (
        cli.main(
            ["--db", str(seeded_db_path), "brief", "--country", ANGOLA, "--as-of", day.isoformat(), "-o", str(out)]
        )
        == 0
    )
    assert capsys.readouterr().out == f"Brief for {ANGOLA}, All years, as of {day:%-d %b %Y}, written to {out}\n"
    cover = {r[0]: r[1] for r in rows_of(workbook(out.read_bytes())["Brief"]) if r and r[0]}
    assert cover["Figures as of"] == f"the end of {day:%-d %b %Y} (UTC)"
    con = store.connection.connect(seeded_db_path, read_only=True)
    try:
        h = activity.headline(history.as_of(con, day), Filters(country=ANGOLA, as_of=day))
    finally:
        con.close()
    headline = {r[0]: r[1] for r in rows_of(workbook(out.read_bytes())["Headline figures"])[1:]}
    assert headline["Required"] == approx(h["required"]) and headline["Actions overdue"] == h["actions_overdue"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--country", ANGOLA, "--as-of", "2025-02-30", "-o", "b.xlsx"],
            2,
            "python -m etl: error: --as-of '2025-02-30' is not a date: write it as YYYY-MM-DD, e.g. 2025-09-30.",
        ),
        (
            ["--country", ANGOLA, "--as-of", "2001-01-01", "-o", "b.xlsx"],
            1,
            "Nothing had been loaded on 1 Jan 2001: choose a later date.",
        ),
        (
            ["--country", ANGOLA, "-o", "brief.docx"],
            2,
            "python -m etl: error: -o brief.docx: the brief is written as FILE.pdf or FILE.xlsx",
        ),
        (
            ["--country", ANGOLA, "--quarter", "2025Q9", "-o", "b.xlsx"],
            2,
            "python -m etl: error: --quarter '2025Q9': a quarter such as 2025Q3 (year, Q, 1 to 4)",
        ),
        (
            ["--country", "Atlantis", "-o", "b.xlsx"],
            1,
            "No data for country 'Atlantis': countries with data: Angola, Viet Nam",
        ),
    ],
)
def test_brief_command_refuses_what_it_cannot_do(seeded_db_path, tmp_path, capsys, args, code, message):
    args = [a if not a.startswith("b") else str(tmp_path / a) for a in args]
    assert cli.main(["--db", str(seeded_db_path), "brief", *args]) == code
    assert capsys.readouterr().err.strip().replace(str(tmp_path) + "/", "") == message
    assert not list(tmp_path.iterdir())


def test_brief_command_runs_as_a_module(seeded_db_path, tmp_path):
    out = tmp_path / "b.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(seeded_db_path), "brief", "--country", ANGOLA, "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0


# --- the Overview's panel -----------------------------------------------------------------------------------


def test_the_overview_offers_the_brief_of_a_chosen_country_only(dashboard_db):
    app = open_page("overview")
    assert not app.exception
    assert any(
        i.value.startswith("The meeting brief is a country's: choose a **Country** in the sidebar") for i in app.info
    )
    assert not [b for b in app.get("download_button") if b.proto.label in ("PDF brief", "Excel brief")]

    app = open_page("overview", {"country": ANGOLA, "years": ["2024", "2025"]})
    assert not app.exception and not app.error
    period = app.selectbox(key="brief-period")
    assert (period.options, period.value) == (["2025", "2024", "All years"], "2025")
    assert [b.proto.label for b in app.get("download_button")][-2:] == ["PDF brief", "Excel brief"]
    assert any(
        c.value.startswith(md_escape(f"For all plans of {ANGOLA}, 2025, current figures: cover, needs "))
        for c in app.caption
    )


def test_the_overview_says_why_a_country_has_no_brief_at_a_date(dashboard_db):
    app = open_page("overview", {"country": ANGOLA, "as_of": "2001-01-01"})
    assert not app.exception
    assert [w.value for w in app.warning if "Nothing had been loaded" in w.value] == [
        md_escape("Nothing had been loaded on 1 Jan 2001: choose a later date.")
    ]
    assert not [b for b in app.get("download_button") if b.proto.label == "PDF brief"]
