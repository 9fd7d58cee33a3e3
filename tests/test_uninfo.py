"""The 22 real UN INFO exports load as-is and reconcile with their own Total columns (SPEC §2.1b)."""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

import store.connection
import store.writes
from etl.load import load_bytes, load_path

UNINFO = Path(__file__).resolve().parents[2] / "shared" / "data" / "uninfo"
FILES = sorted(UNINFO.glob("*.xlsx"))
MEASURES = ("Required", "Available", "Expenditure")


def _amount(value) -> float | None:
    if value in ("", "-", None):
        return None
    return float(str(value).replace(",", "")) if isinstance(value, str) else float(value)


def expected_from_files() -> dict:
    """Independent reading: per sub-output ID the last file (in load order) wins."""
    by_id = {}
    for path in FILES:
        book = CalamineWorkbook.from_path(path)
        rows = book.get_sheet_by_index(0).to_python()
        header = [str(h).strip() for h in rows[0]]
        at = {name: i for i, name in enumerate(header)}
        years = sorted({int(h[:4]) for h in header if h[:4].isdigit()})
        for row in rows[1:]:
            sub_id = str(int(row[at["ID"]]))
            by_year = {y: [_amount(row[at[f"{y} {m}"]]) for m in MEASURES] for y in years}
            totals = [_amount(row[at[f"Total {m.lower()} resources"]]) or 0.0 for m in MEASURES]
            by_id[sub_id] = (row[at["Country"]], by_year, totals)
    return by_id


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    assert len(FILES) == 22, f"expected the 22 UN INFO exports in {UNINFO}"
    path = tmp_path_factory.mktemp("uninfo") / "uninfo.duckdb"
    con = store.connection.connect(path)
    results = [load_path(con, f) for f in FILES]
    yield con, results
    con.close()


def test_every_file_commits(loaded):
    _, results = loaded
    assert [r.status for r in results] == ["committed"] * 22
    assert all(not r.errors for r in results)


def test_one_row_per_suboutput_and_year_with_figures(loaded):
    con, _ = loaded
    expected = expected_from_files()
    want = sum(
        1 for _, by_year, _ in expected.values() for figures in by_year.values() if any(v is not None for v in figures)
    )
    got, distinct = con.execute("SELECT count(*), count(DISTINCT (suboutput_id, year)) FROM budget").fetchone()
    assert got == distinct == want


def test_totals_per_country_equal_the_files_total_columns(loaded):
    con, _ = loaded
    want = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
    for country, _, totals in expected_from_files().values():
        for i, amount in enumerate(totals):
            want[country][i] += amount
    got = {
        c: (r, a, e)
        for c, r, a, e in con.execute(
            """SELECT country, coalesce(sum(required), 0), coalesce(sum(available), 0),
                  coalesce(sum(expenditure), 0) FROM budget GROUP BY country"""
        ).fetchall()
    }
    assert set(got) <= set(want)
    for country, (required, available, expenditure) in want.items():
        r, a, e = got.get(country, (0.0, 0.0, 0.0))
        assert r == pytest.approx(required, abs=0.01), country
        assert a == pytest.approx(available, abs=0.01), country
        assert e == pytest.approx(expenditure, abs=0.01), country


def test_totals_per_year_equal_the_year_columns(loaded):
    con, _ = loaded
    want = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
    for _, by_year, _ in expected_from_files().values():
        for year, figures in by_year.items():
            for i, amount in enumerate(figures):
                want[year][i] += amount or 0.0
    got = dict(
        (y, (r, a, e))
        for y, r, a, e in con.execute(
            """SELECT year, coalesce(sum(required), 0), coalesce(sum(available), 0), coalesce(sum(expenditure), 0)
           FROM budget GROUP BY year"""
        ).fetchall()
    )
    for year, figures in want.items():
        assert got.get(year, (0.0, 0.0, 0.0)) == pytest.approx(tuple(figures), abs=0.01), year


def test_joint_suboutputs_keep_every_agency_without_splitting_money(loaded):
    con, _ = loaded
    agency, joint = con.execute("SELECT agency, joint FROM suboutput_list WHERE suboutput_id = '88692'").fetchone()
    assert (agency, joint) == ("FAO;WHO", True)
    # UN INFO lists entities no fixed list has: added from the file's own Agencies column
    name = con.execute("SELECT name FROM entities WHERE code = 'MONUSCO'").fetchone()[0]
    assert name == "United Nations Organization Stabilization Mission in the Democratic Republic of the Congo"


def test_loading_the_same_files_again_changes_nothing(loaded):
    con, _ = loaded
    before = con.execute("SELECT count(*), sum(required) FROM budget").fetchone()
    again = load_path(con, FILES[0])
    assert again.status == "duplicate"
    assert "already loaded on" in again.summary
    assert con.execute("SELECT count(*), sum(required) FROM budget").fetchone() == before


def test_one_batch_equals_loading_the_files_one_by_one(loaded, tmp_path):
    """`python -m etl load *.xlsx` writes the files in one transaction: same rows, same history."""
    from etl.load import load_many

    con, one_by_one = loaded
    batch_con = store.connection.connect(tmp_path / "batch.duckdb")
    results = load_many(batch_con, [(f.read_bytes(), f.name) for f in FILES], workers=2)
    assert [(r.status, r.rows_added, r.rows_replaced) for r in results] == [
        (r.status, r.rows_added, r.rows_replaced) for r in one_by_one
    ]
    snapshot = """SELECT suboutput_id, year, required, available, expenditure, agency, submission_id
                  FROM budget ORDER BY ALL"""
    assert batch_con.execute(snapshot).fetchall() == con.execute(snapshot).fetchall()
    # rolling back the last file restores the versions it replaced, as for files loaded one by one
    before_last = batch_con.execute("SELECT sum(required) FROM budget").fetchone()
    done = store.writes.rollback(batch_con, results[-1].submission_id)
    assert done["rows_restored"] == results[-1].rows_replaced
    assert (
        batch_con.execute(
            "SELECT count(*) FROM budget WHERE submission_id = ?", [results[-1].submission_id]
        ).fetchone()[0]
        == 0
    )
    assert batch_con.execute("SELECT sum(required) FROM budget").fetchone() != before_last
    batch_con.close()


def test_the_command_line_reads_before_the_store_opens_and_loads_the_same(loaded, tmp_path, capsys):
    """`python -m etl load` starts reading and validating its files in worker processes before it opens the store
    (etl.prepare.Reading): the same rows and history as the files loaded one by one; loaded again, every file is a
    duplicate (the reading of the duplicates is stopped)."""
    from etl.cli import main

    con, one_by_one = loaded
    db = tmp_path / "early.duckdb"
    args = ["load", "--db", str(db), "--quiet", *map(str, FILES)]
    assert main(args) == 0
    early = store.connection.connect(db)
    snapshot = (
        "SELECT suboutput_id, year, required, available, expenditure, agency, submission_id FROM budget ORDER BY ALL"
    )
    assert early.execute(snapshot).fetchall() == con.execute(snapshot).fetchall()
    assert early.execute("SELECT rows_added, rows_replaced FROM submission_log ORDER BY submission_id").fetchall() == [
        (r.rows_added, r.rows_replaced) for r in one_by_one
    ]
    early.close()
    capsys.readouterr()
    assert main(args) == 0
    said = capsys.readouterr().out
    assert said.count("already loaded") == len(FILES), said[:2000]


def test_files_read_with_another_entity_list_than_the_stores_are_read_again(tmp_path):
    """The entity list a reading started with is the store's as it was before it opened; when the opened store's
    differs (an entity added meanwhile), the files are validated again against the store's."""
    from core.entities import SHIPPED_ENTITIES
    from etl.load import load_many
    from etl.prepare import Options, Reading

    files = [(f.read_bytes(), f.name) for f in FILES[:2]]  # Africa_crime names MONUSCO, not a shipped entity
    con = store.connection.connect(tmp_path / "added.duckdb")
    store.writes.add_entity(con, "MONUSCO", "UN Stabilization Mission in the DR Congo", origin="admin")
    reading = Reading(files, Options(), sorted(SHIPPED_ENTITIES, key=lambda e: e.code), workers=2)
    try:
        results = load_many(con, files, workers=2, reading=reading)
    finally:
        reading.close()
    assert [r.status for r in results] == ["committed", "committed"]
    warned = " ".join(str(w) for r in results for w in r.warnings)
    assert "'MONUSCO': not in the UN entity list" not in warned
    assert "'MINUSCA': not in the UN entity list" in warned  # not added: still said
    con.close()


def test_the_entity_list_before_the_store_opens_is_the_stores(tmp_path):
    db = tmp_path / "entities.duckdb"
    before = store.writes.entities_before_open(db)  # no file yet: the shipped list, as the new store holds it
    con = store.connection.connect(db)
    assert before == store.writes.entities(con)
    store.writes.add_entity(con, "UNOSSC", "UN Office for South-South Cooperation", ("SSC",))
    store.connection.checkpoint(con, db)
    con.close()
    after = store.writes.entities_before_open(db)
    assert after is not None and "UNOSSC" in [e.code for e in after]
    con = store.connection.connect(db)
    assert after == store.writes.entities(con)
    con.execute("INSERT INTO entities (code, name) VALUES ('UNX', 'Not checkpointed')")  # a write-ahead log to replay
    # the file is held (here, by this process's connection; a dashboard's elsewhere) and has a log to replay:
    # not known before the store is opened
    assert store.writes.entities_before_open(db) is None
    con.close()
    assert store.writes.entities_before_open("ducklake:sqlite:/nowhere/catalog.sqlite") is None


def test_the_funding_gap_reconciles_with_the_cards_and_the_bars(loaded):
    """Year blocks with money available but no requirement exist in the real exports: the gap leaves
    them out (and says so), and each gap bar adds up to the requirement, never more."""
    from analytics import budget
    from analytics.filters import Filters
    from app.charts import gap_segments
    from app.notes import missing_figures_note

    con, _ = loaded
    expected = expected_from_files()
    no_required = [
        (by_year[y][1] or 0.0)
        for _, by_year, _ in expected.values()
        for y in by_year
        if by_year[y][0] is None and by_year[y][1] is not None
    ]
    totals = budget.totals(con, Filters())
    assert no_required and totals["lines_without_required"] >= len(no_required)
    assert totals["available_without_required"] == pytest.approx(sum(no_required), abs=0.05)
    both = con.execute(
        "SELECT sum(required) - sum(available) FROM budget WHERE required IS NOT NULL AND available IS NOT NULL"
    ).fetchone()[0]
    assert totals["funding_gap"] == pytest.approx(both, abs=0.05)
    assert totals["funding_gap"] == pytest.approx(
        (totals["required"] - totals["required_without_available"])
        - (totals["available"] - totals["available_without_required"]),
        abs=0.05,
    )
    note = missing_figures_note(totals)
    assert f"{totals['lines_without_required']:,} of {totals['lines']:,} budget lines have no required figure" in note
    years = budget.by(con, Filters(), "year")
    parts = gap_segments(years)
    for i, row in years.iterrows():  # funded + gap + not reported = the requirement (a surplus lies beyond it)
        inside = parts.loc[i, "funded"] + parts.loc[i, "gap"] + parts.loc[i, "not_reported"]
        assert inside == pytest.approx(row["required"] or 0.0, abs=0.05), row["year"]


def test_new_entities_take_their_own_full_names(loaded):
    """A row naming two unknown abbreviations (UNSOA, UNSOM): each gets the full name its initials match,
    whatever the order the Agencies column lists them in."""
    con, _ = loaded
    names = dict(con.execute("SELECT code, name FROM entities WHERE code IN ('UNSOA', 'UNSOM', 'UNAMA')").fetchall())
    assert names == {
        "UNSOA": "United Nations Support Office for AMISOM",
        "UNSOM": "The United Nations Assistance Mission in Somalia",
        "UNAMA": "United Nations Assistance Mission in Afghanistan",
    }


def test_a_budget_export_narrowed_on_the_uninfo_fields(loaded, tmp_path):
    """Export (page and command line) by SDG goal, sub-output status and partner, against the files' own cells."""
    import csv
    import subprocess
    import sys

    con, _ = loaded
    by_id = {}  # the last file (in load order) holding a sub-output wins, as in the store
    for path in FILES:
        rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
        at = {str(h).strip(): i for i, h in enumerate(rows[0])}
        for row in rows[1:]:
            goals = [g.strip() for g in str(row[at["SDG Goals"]] or "").split(";")]
            years = {
                int(h[:4])
                for h in at
                if h[:4].isdigit() and any(_amount(row[at[f"{h[:4]} {m}"]]) is not None for m in MEASURES)
            }
            by_id[str(int(row[at["ID"]]))] = (goals, str(row[at["Status"]]).strip().lower(), len(years))
    expected = {i: n for i, (goals, status, n) in by_id.items() if "5 Gender Equality" in goals and status == "closed"}
    from analytics import exports
    from analytics.filters import Filters

    detail = exports.BudgetDetail(sdg_goal="5 Gender Equality", suboutput_status="closed")
    count = exports.count(con, Filters(), "budget", detail)
    assert count == sum(expected.values()) > 0  # one row per sub-output and year with figures
    shown = exports.rows(con, Filters(), "budget", detail=detail)
    assert set(shown["suboutput_id"]) == {i for i, years in expected.items() if years}
    db = tmp_path / "copy.duckdb"
    con.execute("CHECKPOINT")
    import shutil

    shutil.copy(
        con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0], db
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "etl",
            "--db",
            str(db),
            "export",
            "budget",
            "--sdg-goal",
            "5 Gender Equality",
            "--suboutput-status",
            "closed",
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(done.stdout.splitlines()))
    assert rows and {r["suboutput_status"] for r in rows} == {"closed"}
    assert all("5 Gender Equality" in r["sdg_goals"].split("; ") for r in rows)
    copy = store.connection.connect(db)
    try:  # the command line exports what the page's query counts, on the same file
        assert len(rows) == exports.count(copy, Filters(), "budget", detail)
    finally:
        copy.close()


def test_garbled_accents_in_the_real_exports_are_repaired_and_said(loaded):
    """Several exports hold UTF-8 read as Mac Roman ('D‚Äôici', 'Gesti√≥n'): stored as typed, one plan
    instead of two ('UNSDCF 2022 ‚Äì 2026' and 'UNSDCF 2022 – 2026'), and each such file says so once."""
    con, results = loaded
    garbled = "%‚Ä%"
    for column in (
        "country",
        "plan",
        "strategic_priority",
        "outcome_title",
        "output_title",
        "suboutput_title",
        "contributing_partners",
    ):
        assert (
            con.execute(
                f"SELECT count(*) FROM budget WHERE {column} LIKE ? OR {column} LIKE '%√%'", [garbled]
            ).fetchone()[0]
            == 0
        ), column
    assert (
        con.execute("SELECT count(*) FROM entities WHERE name LIKE ? OR name LIKE '%√%'", [garbled]).fetchone()[0] == 0
    )
    assert con.execute("SELECT DISTINCT plan FROM budget WHERE country = 'Cameroon'").fetchall() == [
        ("UNSDCF 2022 – 2026",)
    ]
    said = [r.file_name for r in results if any("garbled accents" in w.expected for w in r.warnings)]
    assert "Africa_crime.xlsx" in said and all(
        sum("garbled accents" in w.expected for w in r.warnings) <= 1 for r in results
    )


# ---------------------------------------------------------------- the plan's structure, with or without money


def _as_typed(text: str) -> str:
    """UTF-8 read as Mac Roman ('Gesti√≥n') back to what was typed, else the text unchanged."""
    try:
        return text.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _title(value) -> str | None:
    text = _as_typed(str(value).strip()) if value not in (None, "") else ""
    return None if text in ("", "-") else text


def _code(value) -> str | None:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(value or "").split()).rstrip(" :.")
    return None if text in ("", "-") else text


def structure_from_files() -> dict[str, tuple]:
    """Independent reading: per sub-output ID (the last file in load order wins) its outcome (plan, code,
    title), its output (code, title), the years holding a figure, and its country."""
    by_id = {}
    for path in FILES:
        rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
        at = {str(h).strip(): i for i, h in reversed(list(enumerate(rows[0])))}
        years = sorted({int(h[:4]) for h in at if h[:4].isdigit()})
        for row in rows[1:]:
            with_figures = {y for y in years if any(_amount(row[at[f"{y} {m}"]]) is not None for m in MEASURES)}
            outcome = (_title(row[at["Plan name"]]), _code(row[at["Outcome code"]]), _title(row[at["Outcome"]]))
            output = (_code(row[at["Output code"]]), _title(row[at["Output"]]))
            by_id[str(int(row[at["ID"]]))] = (outcome, output, with_figures, _title(row[at["Country"]]))
    return by_id


@pytest.fixture(scope="module")
def structure():
    return structure_from_files()


def test_every_suboutput_is_kept_with_or_without_money(loaded, structure):
    """Sub-outputs with no figure in any year are part of the plan: the store holds every distinct ID of
    the files, and exactly those with a figure have budget lines."""
    con, _ = loaded
    stored = {r[0] for r in con.execute("SELECT suboutput_id FROM suboutput_list").fetchall()}
    assert con.execute("SELECT count(*) FROM suboutput_list").fetchone()[0] == len(stored) == len(structure)
    assert stored == set(structure)
    funded = {r[0] for r in con.execute("SELECT DISTINCT suboutput_id FROM budget").fetchall()}
    without = {i for i, (_, _, years, _) in structure.items() if not years}
    assert funded == set(structure) - without
    assert len(without) == 604  # of 9,205 in the 22 exports


def test_outputs_and_suboutputs_per_outcome_equal_the_files(loaded, structure):
    from analytics import budget
    from analytics.filters import Filters

    con, _ = loaded
    want = collections.defaultdict(lambda: (set(), set(), set()))
    for sub_id, (outcome, output, years, _) in structure.items():
        outputs, subs, without = want[outcome]
        outputs.add(output)
        subs.add(sub_id)
        if not years:
            without.add(sub_id)
    got = budget.suboutputs_by_outcome(con, Filters())
    assert {
        (r.plan, r.outcome_code, r.outcome_title): (r.outputs, r.suboutputs, r.suboutputs_without_figures)
        for r in got.itertuples()
    } == {k: tuple(len(s) for s in v) for k, v in want.items()}
    totals = budget.suboutput_totals(con, Filters())
    assert totals == {
        "outcomes": len(want),
        "outputs": sum(len(v[0]) for v in want.values()),
        "suboutputs": len(structure),
        "suboutputs_without_figures": 604,
    }


@pytest.mark.parametrize("years", [(2023, 2023), (2020, 2021), (2030, 2031)])
def test_suboutputs_without_figures_count_whatever_the_years(loaded, structure, years):
    """A sub-output with figures counts when one of its years is in range; one without any figure has no
    year, so it counts whatever the range (the page's note says so)."""
    from analytics import budget
    from analytics.filters import Filters

    con, _ = loaded
    country = "Cameroon"
    mine = {i: v for i, v in structure.items() if v[3] == country}
    want_in = {i for i, (_, _, y, _) in mine.items() if not y or any(years[0] <= x <= years[1] for x in y)}
    want_without = {i for i, (_, _, y, _) in mine.items() if not y}
    got = budget.suboutput_totals(con, Filters(country=country, year_from=years[0], year_to=years[1]))
    assert (got["suboutputs"], got["suboutputs_without_figures"]) == (len(want_in), len(want_without))
    assert want_without and got["suboutputs"] > 0


def test_each_file_says_how_many_suboutputs_have_no_money(loaded):
    """One warning per file, with the count of its sub-outputs without figures and the first one's cell."""
    _, results = loaded
    for path, result in zip(FILES, results):
        rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
        at = {str(h).strip(): i for i, h in reversed(list(enumerate(rows[0])))}
        money = [i for h, i in at.items() if h[:4].isdigit() and not h.endswith("Narrative")]
        without = [r for r, row in enumerate(rows[1:], 2) if all(_amount(row[i]) is None for i in money)]
        said = [w for w in result.warnings if "no money figure in any year" in w.expected]
        if not without:
            assert not said, path.name
            continue
        assert len(said) == 1, path.name
        assert said[0].cell == f"L{without[0]}" and said[0].column == "ID"
        assert said[0].expected == (
            f"{len(without):,} of {len(rows) - 1:,} sub-output(s) have no money figure in "
            "any year: kept in the plan and counted (this is the first)"
        )


# ---------------------------------------------------------------- an export as it comes: repeated IDs, huge amounts


def export_copy(path: Path, tmp_path: Path, edit) -> bytes:
    """A real export rewritten cell for cell (openpyxl), its rows first passed through `edit(rows)`."""
    import io

    import openpyxl

    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data Explorer"
    for row in edit([list(r) for r in rows]):
        sheet.append([None if v == "" else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SMALL = UNINFO / "Africa_poverty.xlsx"


def test_an_export_with_a_repeated_id_loads_copies_once_and_the_later_row_wins(tmp_path):
    """A real thematic export with one row repeated as an identical copy and one repeated with a changed
    figure and end date loads as it comes, with one warning each; the later row's figure wins."""
    rows = CalamineWorkbook.from_path(SMALL).get_sheet_by_index(0).to_python()
    at = {str(h).strip(): i for i, h in enumerate(rows[0])}
    copied, changed = [r for r in range(1, len(rows)) if _amount(rows[r][at["2023 Required"]])][:2]
    figure = _amount(rows[changed][at["2023 Required"]])

    def edit(table):
        again = list(table[changed])
        again[at["2023 Required"]] = figure + 1000.0
        again[at["Total required resources"]] = _amount(again[at["Total required resources"]]) + 1000.0
        again[at["End date"]] = dt.date(2030, 12, 31)
        return table[:40] + [list(table[copied])] + table[40:] + [again]

    con = store.connection.connect(tmp_path / "repeated.duckdb")
    result = load_bytes(con, export_copy(SMALL, tmp_path, edit), "Africa_poverty-repeated.xlsx")
    assert result.status == "committed", [str(e) for e in result.errors]
    said = [(w.cell, w.expected) for w in result.warnings if w.column == "ID" and "money figure" not in w.expected]
    last = len(rows) + 2  # the header, the copy and the changed row
    assert said == [
        (
            f"L{last}",
            f"the same sub-output as row {changed + 1}, differing in End date, Total required resources, "
            f"2023 Required: this later row wins (its details and figures replace those of row {changed + 1})",
        ),
        (
            "L41",
            f"1 row(s) repeat an earlier row of the same ID exactly (row 41 = row {copied + 1}): each sub-output "
            "is counted once",
        ),
    ]
    sub_id = str(int(rows[changed][at["ID"]]))
    assert con.execute(
        "SELECT required, end_date FROM budget WHERE suboutput_id = ? AND year = 2023", [sub_id]
    ).fetchone() == (figure + 1000.0, dt.date(2030, 12, 31))
    ids = {str(int(r[at["ID"]])) for r in rows[1:]}
    assert con.execute("SELECT count(DISTINCT suboutput_id), count(*) FROM suboutput_list").fetchone() == (
        len(ids),
        len(ids),
    )
    plain = store.connection.connect(tmp_path / "plain.duckdb")
    assert load_path(plain, SMALL).status == "committed"
    lines = "SELECT count(*), sum(required) FROM budget"
    (count, required), (plain_count, plain_required) = con.execute(lines).fetchone(), plain.execute(lines).fetchone()
    assert count == plain_count and required == pytest.approx(plain_required + 1000.0, abs=0.01)
    plain.close()
    con.close()


def test_an_amount_of_1e308_in_an_export_is_refused_naming_the_cell(tmp_path):
    """Two such amounts once summed to infinity ('USD inf B' on every card)."""
    rows = CalamineWorkbook.from_path(SMALL).get_sheet_by_index(0).to_python()
    at = {str(h).strip(): i for i, h in enumerate(rows[0])}

    def edit(table):
        table[1][at["2024 Available"]] = 1e308
        table[2][at["2025 Required"]] = "1e308"
        return table

    con = store.connection.connect(tmp_path / "huge.duckdb")
    result = load_bytes(con, export_copy(SMALL, tmp_path, edit), "huge.xlsx")
    assert result.status == "rejected"
    from etl.read import cell_ref

    assert [(e.cell, e.column, e.value, e.expected) for e in result.errors] == [
        (cell_ref(1, at["2024 Available"]), "2024 Available", 1e308, "an amount below 10,000,000,000,000"),
        (cell_ref(2, at["2025 Required"]), "2025 Required", "1e308", "an amount below 10,000,000,000,000"),
    ]
    assert con.execute("SELECT count(*) FROM budget").fetchone()[0] == 0
    con.close()
