"""When the data of a file were reported (etl.reported, schema migration 8): a UN INFO export's date, a date the file
states, a date in its name, the workbook's saved date, else its load; "days since last submission" counts from it and
the Overview says which day it is. Hostile properties parts cost the date, never the load."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import store.connection
import store.migrations
from analytics import activity
from analytics.filters import Filters
from app.testing import open_page
from core.formatting import reported_phrase
from etl.limits import MAX_PROPERTIES_BYTES
from etl.load import load_bytes
from etl.read import Sheet
from etl.reported import EXPORT_DATE, FILE_DATE, FILE_NAME, STATED, Reported, reported
from tests.test_load import BUDGET_HEADER, workbook_bytes

UNINFO = Path(__file__).resolve().parents[2] / "shared" / "data" / "uninfo"
TODAY = dt.date(2026, 11, 30)
BUDGET_ROW = [2025, "1", "x", "1.1", "UNDP", 100, 50, 10]


def core_xml(
    modified: str | None = "2025-03-12T10:00:00Z", created: str | None = "2025-01-05T08:00:00Z", before_root: str = ""
) -> bytes:
    stamps = "".join(
        f'<dcterms:{name} xsi:type="dcterms:W3CDTF">{value}</dcterms:{name}>'
        for name, value in (("created", created), ("modified", modified))
        if value
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + before_root
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{stamps}</cp:coreProperties>"
    ).encode()


def with_properties(book: bytes, properties: bytes | None) -> bytes:
    """The workbook with its docProps/core.xml replaced (removed when None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "docProps/core.xml":
                if properties is not None:
                    target.writestr(info.filename, properties)
            else:
                target.writestr(info, source.read(info))
    return out.getvalue()


def sheet(rows: list[list], name: str = "Budget", visible: bool = True) -> Sheet:
    return Sheet(name, rows, visible)


# --- where the day comes from ---------------------------------------------------------------------------------


def test_un_info_names_its_sheet_after_the_export_day():
    found = reported(b"", "Africa_food.xlsx", [sheet([["Country"]], "export_2025-06-11")], today=TODAY)
    assert found == Reported(dt.date(2025, 6, 11), EXPORT_DATE)
    # a hidden sheet says nothing; a sheet merely named "export" neither
    assert (
        reported(b"", "x.xlsx", [sheet([], "export_2025-06-11", visible=False), sheet([], "export")], today=TODAY)
        is None
    )


@pytest.mark.parametrize(
    "title,expected",
    [
        ([["Reported on: 12 Mar 2025"]], dt.date(2025, 3, 12)),
        ([["UNDP CBF"], ["Date of report", None, "2025-03-12"]], dt.date(2025, 3, 12)),
        ([["Exported on", dt.datetime(2025, 3, 12, 17, 5)]], dt.date(2025, 3, 12)),
        ([["Data as of 31/01/2025"]], dt.date(2025, 1, 31)),
    ],
)
def test_a_date_the_file_states_above_its_table(title, expected):
    rows = [*title, BUDGET_HEADER, BUDGET_ROW]
    assert reported(core_xml(), "cbf.xlsx", [sheet(rows)], today=TODAY) == Reported(expected, STATED)


def test_the_latest_status_date_of_an_actions_file():
    rows = [
        {"as_of": dt.date(2025, 2, 1)},
        {"as_of": dt.date(2025, 4, 30)},
        {"as_of": None},
        {"as_of": dt.date(2031, 1, 1)},
    ]  # a status date in the future is a typing error, not the report's date
    assert reported(b"", "mr.csv", [sheet([["Action no", "As of"]])], rows, today=TODAY) == Reported(
        dt.date(2025, 4, 30), STATED
    )


def test_a_date_in_the_file_name_then_the_workbook_saved_day():
    assert reported(b"", "cbf_undp_2025-03-12.csv", [sheet([BUDGET_HEADER])], today=TODAY) == Reported(
        dt.date(2025, 3, 12), FILE_NAME
    )
    assert reported(b"", "cbf 12-03-2025.csv", [sheet([BUDGET_HEADER])], today=TODAY) is None  # day or month first?
    book = with_properties(workbook_bytes({"B": [BUDGET_HEADER, BUDGET_ROW]}), core_xml())
    assert reported(book, "cbf.xlsx", [sheet([BUDGET_HEADER])], today=TODAY) == Reported(
        dt.date(2025, 3, 12), FILE_DATE
    )
    created_only = with_properties(book, core_xml(modified=None))
    assert reported(created_only, "cbf.xlsx", [sheet([])], today=TODAY) == Reported(dt.date(2025, 1, 5), FILE_DATE)


def test_a_day_in_the_future_or_before_2000_is_passed_over():
    rows = [["Reported on: 12 Mar 2029"], BUDGET_HEADER]
    book = with_properties(workbook_bytes({"B": rows}), core_xml(modified="1980-01-01T00:00:00Z"))
    assert reported(book, "cbf.xlsx", [sheet(rows)], today=TODAY) == Reported(dt.date(2025, 1, 5), FILE_DATE)
    assert (
        reported(
            with_properties(book, core_xml("2031-01-01T00:00:00Z", "2030-01-01T00:00:00Z")),
            "cbf.xlsx",
            [sheet(rows)],
            today=TODAY,
        )
        is None
    )


def test_a_header_named_as_of_is_no_stated_date():
    rows = [["Action no", "Action", "Status", "As of", "Planned cost"], ["1", "Train", "ongoing", None, 5]]
    assert reported(b"", "mr.csv", [sheet(rows)], today=TODAY) is None


# --- hostile properties: the date is lost, nothing else ------------------------------------------------------


@pytest.mark.parametrize(
    "properties",
    [
        core_xml(before_root='<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'),  # entities
        core_xml(before_root='<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),  # external entity
        core_xml().replace(b"</cp:coreProperties>", b"<!--" + b"x" * MAX_PROPERTIES_BYTES + b"--></cp:coreProperties>"),
        b"not xml at all <<<",
        b"",
        None,  # no properties part
    ],
)
def test_hostile_or_missing_properties_give_no_date(properties):
    book = with_properties(workbook_bytes({"B": [BUDGET_HEADER, BUDGET_ROW]}), properties)
    assert reported(book, "cbf.xlsx", [sheet([BUDGET_HEADER])], today=TODAY) is None


def test_a_workbook_with_oversized_properties_still_loads(tmp_path):
    big = core_xml().replace(
        b"</cp:coreProperties>", b"<!--" + b"x" * (4 * MAX_PROPERTIES_BYTES) + b"--></cp:coreProperties>"
    )
    con = store.connection.connect(tmp_path / "db.duckdb")
    result = load_bytes(
        con,
        with_properties(workbook_bytes({"B": [BUDGET_HEADER, BUDGET_ROW]}), big),
        "cbf.xlsx",
        plan="UNSDCF 2023-2027",
        country="Kenya",
    )
    assert result.status == "committed" and not result.warnings
    assert con.execute("SELECT reported_on, reported_from FROM submissions").fetchall() == [(None, None)]
    con.close()


# --- recorded at load, counted from on the pages --------------------------------------------------------------


def test_a_load_records_when_the_data_were_reported(tmp_path):
    con = store.connection.connect(tmp_path / "db.duckdb")
    titled = workbook_bytes(
        {"B": [["UNDP Common Budgetary Framework"], ["Reported on:", "2025-03-12"], BUDGET_HEADER, BUDGET_ROW]}
    )
    assert load_bytes(con, titled, "cbf.xlsx", plan="UNSDCF 2023-2027", country="Kenya").status == "committed"
    csv = ("\n".join(",".join(map(str, r)) for r in [BUDGET_HEADER, [*BUDGET_ROW[:4], "WHO", 1, 1, 1]])).encode()
    assert (
        load_bytes(con, csv, "who_cbf_2025-05-02.csv", plan="UNSDCF 2023-2027", country="Kenya").status == "committed"
    )
    assert (
        load_bytes(con, csv.replace(b"WHO", b"FAO"), "fao.csv", plan="UNSDCF 2023-2027", country="Kenya").status
        == "committed"
    )
    assert con.execute("SELECT file_name, reported_on, reported_from FROM submissions ORDER BY 1").fetchall() == [
        ("cbf.xlsx", dt.date(2025, 3, 12), STATED),
        ("fao.csv", None, None),
        ("who_cbf_2025-05-02.csv", dt.date(2025, 5, 2), FILE_NAME),
    ]
    fresh = activity.freshness(con, Filters()).set_index("agency")
    today = dt.date.today()
    assert fresh.loc["UNDP", "days_since"] == (today - dt.date(2025, 3, 12)).days
    assert fresh.loc["FAO", "days_since"] == 0 and fresh.loc["FAO", "reported_from"] == "loaded"
    assert list(fresh.index) == ["UNDP", "WHO", "FAO"]  # oldest report first, whatever the order of loading
    con.close()


def test_a_real_un_info_export_is_dated_by_its_export(tmp_path):
    con = store.connection.connect(tmp_path / "db.duckdb")
    for name in ("Africa_digital.xlsx", "Africa_crime.xlsx"):  # the second's sheet was renamed "Crime"
        assert load_bytes(con, (UNINFO / name).read_bytes(), name).status == "committed"
    assert con.execute("SELECT file_name, reported_on, reported_from FROM submissions ORDER BY 1").fetchall() == [
        ("Africa_crime.xlsx", dt.date(2025, 6, 22), FILE_DATE),
        ("Africa_digital.xlsx", dt.date(2025, 6, 11), EXPORT_DATE),
    ]
    completeness = activity.reporting_completeness(con, Filters(country="Kenya"))
    assert set(completeness["reported_from"]) <= {FILE_DATE, EXPORT_DATE} and len(completeness)
    con.close()


def test_migration_8_leaves_earlier_submissions_dated_by_their_load(tmp_path):
    path = tmp_path / "v7.duckdb"
    con = store.connection.connect(path)
    assert (
        load_bytes(
            con, workbook_bytes({"B": [BUDGET_HEADER, BUDGET_ROW]}), "cbf.xlsx", plan="P", country="Kenya"
        ).status
        == "committed"
    )
    con.execute("DELETE FROM schema_migrations WHERE version = 8")
    con.execute("DROP VIEW submissions")
    con.execute("DROP TABLE submission_dates")
    con.close()
    con = store.connection.connect(path)
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == store.migrations.SCHEMA_VERSION
    assert con.execute("SELECT reported_on, reported_from FROM submissions").fetchall() == [(None, None)]
    fresh = activity.freshness(con, Filters())
    assert (fresh["reported_from"][0], fresh["days_since"][0]) == ("loaded", 0)
    con.close()


def test_a_process_stopped_right_after_migration_8_leaves_a_database_that_opens(tmp_path):
    """DuckDB 1.5 cannot replay an ALTER TABLE … ADD COLUMN on submission_log (its created_at default is a
    function) from the write-ahead log: the migration adds a table instead."""
    path = tmp_path / "v7.duckdb"
    con = store.connection.connect(path)
    con.execute("DELETE FROM schema_migrations WHERE version = 8")
    con.execute("DROP VIEW submissions")
    con.execute("DROP TABLE submission_dates")
    con.close()  # checkpointed: the database as release 7 left it
    code = (
        f"import os, store.connection; con = store.connection.connect({str(path)!r}); "
        "os._exit(0)"
    )  # migrated, then gone before any checkpoint
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])
    assert path.with_name(path.name + ".wal").exists()
    con = store.connection.connect(path)
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == store.migrations.SCHEMA_VERSION
    con.close()


def test_the_overview_says_which_day_it_is(dashboard_db):
    app = open_page("overview")
    assert not app.exception
    table = next(df.value for df in app.dataframe if "Last reported" in df.value.columns).set_index("Agency")
    assert table.loc["WHO", "Last reported"] == "reported 20 May 2025 (date in the file)"
    assert table.loc["FAO", "Last reported"] == "loaded 7 May 2025"
    captions = " ".join(c.value for c in app.caption).replace("\\", "")
    # per plan, the latest of its budget and indicator files: Angola's indicators state their day, Viet Nam's not
    assert "Data last reported 20 May 2025 (date in the file)." in captions
    assert "Data last loaded 2 Jun 2025." in captions


@pytest.mark.parametrize(
    "day,source,said",
    [
        (dt.date(2025, 3, 12), "file date", "reported 12 Mar 2025 (file date)"),
        (dt.date(2025, 3, 2), "loaded", "loaded 2 Mar 2025"),
        (dt.date(2025, 3, 2), None, "loaded 2 Mar 2025"),
        (None, "export date", "—"),
    ],
)
def test_the_day_is_said_with_its_source(day, source, said):
    assert reported_phrase(day, source) == said
