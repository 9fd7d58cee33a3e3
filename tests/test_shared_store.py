"""The shared store (DuckLake on PostgreSQL, store/lake.py) keeps SPEC §7 as the embedded file does: all or nothing,
duplicates, replace with history, agency permissions, closed periods, figures as of a moment, the same page figures —
and writes from several processes at once end as if they had run one after the other. `migrate --to` copies a file
into it, figures identical. (Rollback in any order, and closed periods, run on both stores in test_rollback.py and
test_periods.py.)"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

import store.connection
import store.transactions
import store.writes
from analytics import actions, activity, budget, indicators, sql
from analytics.filters import Filters
from core.errors import StoreUnavailable
from etl import load
from etl.load import load_bytes, load_many
from store import accounts, history, lake, periods
from tests import model
from tests import test_rollback as files
from tests.fixtures import VIET_NAM
from tests.test_rollback import PLAN, UNINFO, ind

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long enough password"
COUNTRY = "Demoland"
#: the reads behind the pages, called with (con, Filters()), compared across stores and moments
PAGE_READS = {
    "headline": activity.headline,
    "budget_totals": budget.totals,
    "suboutput_totals": budget.suboutput_totals,
    "plan_summary": budget.plan_summary,
    "completeness": activity.reporting_completeness,
    "filter_options": activity.filter_options,
    "progress": indicators.progress,
    "action_totals": actions.totals,
    "cost_totals": actions.cost_totals,
    **{
        f"budget_by_{level}": (lambda con, f, level=level: budget.by(con, f, level))
        for level in ("outcome", "agency", "year")
    },
    "actions_by_agency": actions.by_agency,
}


def undp(*figures, year: int = 2025) -> bytes:
    """A budget file of UNDP lines, one per (sub-output code, required)."""
    return files.budget(*([year, "1.1", "Gov", code, "UNDP", required, required // 2, 0] for code, required in figures))


def etl(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """`python -m etl ARGS` in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
        env={**os.environ, **env},
    )


def test_all_or_nothing_duplicates_and_replacement_with_history(store_target):
    con = store.connection.connect(store_target)
    broken = files.budget(
        [2025, "1.1", "Gov", "1.1.1", "UNDP", 100, 50, 10], [2025, "1.1", "Gov", "1.1.2", "UNDP", "lots", 0, 0]
    )
    refused = load_bytes(con, broken, "broken.xlsx", plan=PLAN)
    assert refused.status == "rejected" and any("lots" in str(e) for e in refused.errors)
    assert con.execute("SELECT count(*) FROM budget_lines").fetchone()[0] == 0

    v1, v2 = undp(("1.1.1", 100), ("1.1.2", 200)), undp(("1.1.1", 150))
    first = load_bytes(con, v1, "v1.xlsx", plan=PLAN)
    again = load_bytes(con, v1, "v1 again.xlsx", plan=PLAN)
    second = load_bytes(con, v2, "v2.xlsx", plan=PLAN)
    assert (first.status, again.status, second.status) == ("committed", "duplicate", "committed")
    assert again.duplicate_of["submission_id"] == first.submission_id
    assert (second.rows_added, second.rows_replaced) == (1, 2)
    assert con.execute("SELECT count(*), sum(required) FROM budget").fetchone() == (1, 150.0)
    assert (
        con.execute("SELECT count(*) FROM budget_lines WHERE replaced_by = ?", [second.submission_id]).fetchone()[0]
        == 2
    )  # the earlier version is kept
    assert con.execute("SELECT submission_id, status, warning_count FROM submissions ORDER BY 1").fetchall() == [
        (1, "rejected", 0),
        (2, "committed", 1),
        (3, "duplicate", 0),
        (4, "committed", 1),
    ]
    assert store.writes.original_file(con, second.submission_id) == ("v2.xlsx", v2)
    assert con.execute("SELECT count(*) FROM plans").fetchone()[0] == 1  # one plan, however often it is loaded
    con.close()


def test_a_focal_point_can_neither_replace_nor_roll_back_another_agencys_rows(store_target):
    con = store.connection.connect(store_target)
    accounts.add_user(con, "fatou", "focal_point", ["UNICEF"], PASSWORD)
    theirs = load_bytes(con, undp(("1.1.1", 100)), "undp.xlsx", plan=PLAN)
    refused = load_bytes(
        con,
        undp(("1.1.1", 999)),
        "mine.xlsx",
        plan=PLAN,
        user="fatou",
        allowed_agencies=accounts.upload_scope(con, "fatou"),
    )
    assert refused.status == "rejected"
    assert con.execute("SELECT sum(required) FROM budget").fetchone()[0] == 100
    with pytest.raises(accounts.PermissionDenied):
        accounts.check_rollback(con, "fatou", theirs.submission_id)
    con.close()


def test_accounts_and_entities_keep_one_name_each_without_a_unique_key(store_target):
    con = store.connection.connect(store_target)
    accounts.add_user(con, "ann", "viewer", [], PASSWORD, email="ann@un.org")
    accounts.add_user(con, "ann", "admin", [], None, email="ann@un.org")  # an update: the password stays
    with pytest.raises(ValueError, match="already names account ann"):
        accounts.add_user(con, "ann2", "viewer", [], PASSWORD, email="ANN@un.org")
    listed = [(u["user_name"], u["role"], u["email"]) for u in accounts.list_users(con)]
    assert listed == [("ann", "admin", "ann@un.org")]
    assert accounts.authenticate(con, "ann", PASSWORD)
    assert accounts.remove_user(con, "ann") and not accounts.list_users(con)
    entities = len(store.writes.entities(con))
    for _ in range(2):
        store.transactions.write_transaction(con, store.writes.add_entity, "UNOSSC", "South-South", ("SSC",), "admin")
    assert len(store.writes.entities(con)) == entities + 1
    con.close()


def test_a_load_that_fails_halfway_leaves_nothing_but_its_failed_record(store_target, monkeypatch):
    con = store.connection.connect(store_target)
    load_bytes(con, undp(("1.1.1", 100)), "v1.xlsx", plan=PLAN)
    before = con.execute("SELECT * FROM budget_lines ORDER BY ALL").fetchall()

    def halfway(writer, todo, *args):
        writer.execute("UPDATE budget_lines SET required = -1")  # a write the failure must take back
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(load, "_write_items", halfway)
    with pytest.raises(RuntimeError, match="the disk went away"):
        load_bytes(con, undp(("1.1.1", 150)), "v2.xlsx", plan=PLAN)
    assert con.execute("SELECT * FROM budget_lines ORDER BY ALL").fetchall() == before
    assert con.execute("SELECT file_name, status FROM submission_log ORDER BY submission_id").fetchall() == [
        ("v1.xlsx", "committed"),
        ("v2.xlsx", "failed"),
    ]
    con.close()


def test_a_closed_period_holds_on_both_stores(store_target):
    con = store.connection.connect(store_target)
    first = load_bytes(con, undp(("1.1.1", 100)), "v1.xlsx", plan=PLAN, country=COUNTRY)
    periods.close(con, periods.Period(COUNTRY, PLAN, 2025), "vera")
    refused = load_bytes(con, undp(("1.1.1", 150)), "v2.xlsx", plan=PLAN, country=COUNTRY)
    assert refused.status == "rejected" and [e.code for e in refused.errors] == ["period_closed"]
    with pytest.raises(periods.PeriodClosed):
        store.writes.rollback(con, first.submission_id)
    assert load_bytes(con, undp(("1.1.1", 150), year=2026), "2026.xlsx", plan=PLAN, country=COUNTRY).ok
    periods.reopen(con, periods.Period(COUNTRY, PLAN, 2025), "vera")
    assert store.writes.rollback(con, first.submission_id)["rows_hidden"] == 1
    assert [e["action"] for e in periods.log(con)] == ["reopened", "closed"]
    con.close()


def sample_files() -> list[tuple[bytes, str]]:
    """Files of every kind: a CBF budget, indicators, costed actions and two real UN INFO exports."""
    exports = sorted(UNINFO.glob("*.xlsx"), key=lambda p: p.stat().st_size)[:2]
    return [
        (undp(("1.1.1", 100), ("1.1.2", 200)), "cbf.xlsx"),
        (files.indicators(ind("a", "2025", 50), ind("b", "2025", 30)), "indicators.xlsx"),
        (files.actions(["Audit 2024", "1", "1.1", "Fix it", "Not started", "UNDP"]), "actions.xlsx"),
        *((p.read_bytes(), p.name) for p in exports),
    ]


def page_figures(con) -> dict:
    """What the pages show, comparable with ==: tables as sorted records (rows tied on the sort key come in
    either order), a missing figure (NaN) as None, amounts to a ten-thousandth (a sum of doubles depends on the
    order its terms are added in)."""

    def plain(value):
        if hasattr(value, "to_dict"):
            return sorted(plain(value.to_dict("records")), key=repr)
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        if isinstance(value, float):
            return None if math.isnan(value) else round(value, 4)
        return value

    return {name: plain(read(con, Filters())) for name, read in PAGE_READS.items()}


def test_the_pages_show_the_same_figures_on_both_stores_now_and_as_of_a_moment(lake_url, tmp_path):
    figures = []
    for target in (str(tmp_path / "file.duckdb"), lake_url):
        con = store.connection.connect(target)
        results = load_many(con, sample_files(), plan=PLAN, country=COUNTRY)
        assert [r.status for r in results] == ["committed"] * 5
        moment = history.now()
        store.writes.rollback(con, results[0].submission_id)
        load_bytes(con, undp(("1.1.1", 170)), "v2.xlsx", plan=PLAN, country=COUNTRY)
        figures.append((page_figures(con), page_figures(history.AsOf(con, moment))))
        con.close()
    (now, then), (shared_now, shared_then) = figures
    assert now["headline"]["required"] and now["completeness"] and now["progress"] and now["action_totals"]["actions"]
    assert then != now  # the moment before the roll-back and the last load shows other figures …
    assert (shared_now, shared_then) == (now, then)  # … on both stores alike


def test_a_commit_by_another_process_is_seen_by_the_next_query(lake_url, tmp_path):
    con = store.connection.connect(lake_url)
    before = activity.data_version(con)
    sample = tmp_path / "v1.xlsx"
    sample.write_bytes(undp(("1.1.1", 100)))
    done = etl("--db", lake_url, "load", str(sample), "--plan", PLAN)
    assert done.returncode == 0, done.stderr
    assert activity.data_version(con) != before
    assert con.execute("SELECT sum(required) FROM budget").fetchone()[0] == 100
    version = activity.data_version(con)
    assert etl("--db", lake_url, "users", "add", "ann", "--role", "viewer", stdin=PASSWORD).returncode == 0
    assert activity.data_version(con) != version  # an account, too, is a new version of the store
    con.close()


def test_a_page_runs_reads_see_one_state_of_the_store_and_the_next_run_sees_a_commit(store_target, monkeypatch):
    """Every read of a script run, and the data version its cached reads are kept under, see one state of the store
    (app.data's read transaction), even when a load commits meanwhile; the next run, or a read after the run asked
    for the connection to write, sees the commit; a read that fails does not make the run's later reads fail."""
    from app import data

    monkeypatch.setenv("UNCT_DB", store_target)
    writer = store.connection.connect(store_target)  # another program's connection (the same process: a file)
    assert load_bytes(writer, undp(("1.1.1", 100)), "v1.xlsx", plan=PLAN).status == "committed"

    def required(con, filters):  # reads take the store as analytics' reads do: its cursors
        return sql.rows(con, "SELECT sum(required) FROM budget")[0][0]

    def by_year(con, filters):
        return budget.by(con, filters, "year")["required"].sum()

    version = data.data_version()  # the run's first read (the filter bar's)
    assert data.cached(required, Filters()) == 100
    assert load_bytes(writer, undp(("1.1.1", 250)), "v2.xlsx", plan=PLAN).status == "committed"  # meanwhile
    assert data.data_version() == version  # the same run: the same state, its reads kept under its version
    assert data.cached(by_year, Filters()) == 100  # a read the run had not made yet
    with pytest.raises(duckdb.ConversionException):  # a statement failing aborts the transaction it runs in
        data.cached(lambda con, f: sql.rows(con, "SELECT 'x'::INTEGER FROM budget"), Filters())
    assert data.cached(by_year, Filters(agency="UNDP")) == 250  # the run's next read began another
    data.end_run()

    assert data.data_version() != version  # the next run
    assert data.cached(required, Filters()) == 250
    assert load_bytes(writer, undp(("1.1.1", 400)), "v3.xlsx", plan=PLAN).status == "committed"
    assert data.cached(by_year, Filters(year_from=2025)) == 250  # still the run's state
    data.connection()  # the run asks for the connection (to write): its later reads see what was committed
    assert data.cached(by_year, Filters(year_from=2024)) == 400
    data.end_run()
    assert data._held.reads == {}  # every read transaction ended with its run
    writer.close()


def test_the_dashboard_holds_the_file_only_while_its_runs_use_it(tmp_path):
    """A command writes the file as soon as no script run of the dashboard uses it, also after a run that never said
    it ended (its thread is gone)."""
    from app.data import _HeldFile

    path = str(tmp_path / "held.duckdb")
    store.connection.connect(path).close()
    held = _HeldFile()
    run = threading.Thread(target=held.connection, args=(path,))  # a run that ends without release()
    run.start()
    run.join()
    con = held.connection(path)  # this thread's run
    assert con is held.open[path]
    busy = etl("--db", path, "users", "add", "ann", "--role", "viewer", stdin=PASSWORD, UNCT_LOCK_WAIT="0")
    assert busy.returncode == 3 and "is in use by another program" in busy.stderr
    held.release()  # the last run ends: the file is let go of
    assert held.open == {} and held.holders == {}
    done = etl("--db", path, "users", "add", "ann", "--role", "viewer", stdin=PASSWORD, UNCT_LOCK_WAIT="0")
    assert done.returncode == 0, done.stderr
    assert [u["user_name"] for u in accounts.list_users(held.connection(path))] == ["ann"]  # opened again
    held.release()


def test_a_file_made_on_click_opens_the_store_for_itself(tmp_path, monkeypatch, seeded_db_path):
    """A download's file is made after the page's run has let go of the file (Streamlit calls it in a thread of its
    server): data.on_click opens the store for its call, as of the filters' date, and lets go after."""
    from analytics import exports
    from app import data

    path = tmp_path / "clicked.duckdb"
    shutil.copy(seeded_db_path, path)
    monkeypatch.setenv("UNCT_DB", str(path))
    run_con = data.connection()  # the page's run
    filters = Filters(country=VIET_NAM)
    make = data.on_click(lambda con: len(exports.rows(con, filters, "budget")), filters)
    before = data.on_click(lambda con: len(exports.rows(con, filters, "budget")), Filters(as_of=dt.date(2000, 1, 1)))
    data.end_run()  # the run is over: its connection is closed
    with pytest.raises(duckdb.ConnectionException):
        run_con.cursor()
    made: list = []
    clicked = threading.Thread(target=lambda: made.extend([make(), before()]))  # the server's thread
    clicked.start()
    clicked.join()
    assert made == [len(model.budget_rows(filters)), 0]  # as of a day before any load: nothing
    assert data._held.open == {}  # let go of again: a command may write
    done = etl("--db", str(path), "users", "add", "ann", "--role", "viewer", stdin=PASSWORD, UNCT_LOCK_WAIT="0")
    assert done.returncode == 0, done.stderr


#: a process whose write pauses inside its write transaction until the test says go, so that two writes certainly
#: overlap; it prints how many times its writes ran (a refused commit runs them again)
PAUSED = """
import pathlib, sys, time
import store.transactions
from etl import cli
go, ready = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
bump, runs = store.transactions.bump_version, []
def paused(con):
    bump(con)
    runs.append(1)
    ready.touch()
    while not go.exists():
        time.sleep(0.05)
    time.sleep(0.5 if len(runs) == 1 else 0)
store.transactions.bump_version = paused
code = cli.main(sys.argv[3:])
print("runs", len(runs))
sys.exit(code)
"""


def paused(tmp_path: Path, n: int, lake_url: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", PAUSED, str(tmp_path / "go"), str(tmp_path / f"ready-{n}"), "--db", lake_url, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def until_ready(tmp_path: Path, n: int) -> None:
    deadline = time.monotonic() + 180
    while not all((tmp_path / f"ready-{i}").exists() for i in range(n)):
        assert time.monotonic() < deadline, "the writers did not reach their transactions"
        time.sleep(0.05)


@pytest.mark.parametrize("same_file", [False, True], ids=["overlapping scopes", "the same file"])
def test_two_loads_at_once_from_two_processes_end_as_if_one_ran_after_the_other(lake_url, tmp_path, same_file):
    con = store.connection.connect(lake_url)
    first = load_bytes(con, undp(("1.1.1", 100), ("1.1.2", 200)), "v1.xlsx", plan=PLAN)
    files = [tmp_path / "a.xlsx", tmp_path / "b.xlsx"]
    files[0].write_bytes(undp(("1.1.1", 110), ("1.1.3", 120)))
    files[1].write_bytes(files[0].read_bytes() if same_file else undp(("1.1.1", 7)))
    loaders = [paused(tmp_path, n, lake_url, "load", str(path), "--plan", PLAN) for n, path in enumerate(files)]
    until_ready(tmp_path, 2)
    (tmp_path / "go").touch()  # both are inside their write transactions now
    outputs = [loader.communicate(timeout=300) for loader in loaders]
    assert [loader.returncode for loader in loaders] == [0, 0], outputs
    assert sum(int(out.split("runs")[-1]) for out, _ in outputs) >= 3  # one commit was refused, its load ran again

    log = con.execute(
        "SELECT submission_id, file_name, status, rows_added, rows_replaced FROM submission_log ORDER BY submission_id"
    ).fetchall()
    assert [row[0] for row in log] == [1, 2, 3]  # numbered once each, no gap, no reuse
    if same_file:
        assert sorted(row[2] for row in log[1:]) == ["committed", "duplicate"]
        assert con.execute("SELECT count(*), sum(required) FROM budget").fetchone() == (2, 230.0)
    else:
        earlier, later = log[1], log[2]
        assert earlier[2] == later[2] == "committed"
        # the later load replaced exactly what the earlier one had committed (which had replaced v1)
        assert later[4] == earlier[3] and earlier[4] == first.rows_added
        current = con.execute("SELECT sum(required) FROM budget").fetchone()[0]
        assert current == (7.0 if later[1] == "b.xlsx" else 230.0)
    # when each row was shown follows the same serial order: one interval open per current group
    assert (
        con.execute(
            "SELECT count(*) FROM row_visibility WHERE tbl = 'budget_lines' AND shown_until IS NULL"
        ).fetchone()[0]
        == con.execute(
            "SELECT count(DISTINCT (submission_id, suboutput_id)) FROM budget_lines WHERE current"
        ).fetchone()[0]
    )
    con.close()


def test_a_period_closed_by_another_process_during_a_load_refuses_it(lake_url, tmp_path):
    """The load is under way in one process when another closes its year: the closing commits first, the load's
    commit is refused, it runs again on the closed period and is rejected — never slipped in after the closing."""
    con = store.connection.connect(lake_url)
    load_bytes(con, undp(("1.1.1", 100)), "v1.xlsx", plan=PLAN, country=COUNTRY)
    accounts.add_user(con, "vera", "admin", [], PASSWORD)
    before = con.execute("SELECT * FROM budget_lines ORDER BY ALL").fetchall()
    sample = tmp_path / "v2.xlsx"
    sample.write_bytes(undp(("1.1.1", 150)))
    loader = paused(tmp_path, 0, lake_url, "load", str(sample), "--plan", PLAN, "--country", COUNTRY)
    until_ready(tmp_path, 1)
    closing = etl("--db", lake_url, "close", "--country", COUNTRY, "--plan", PLAN, "--year", "2025", "--user", "vera")
    assert closing.returncode == 0, closing.stderr
    (tmp_path / "go").touch()
    out, err = loader.communicate(timeout=300)
    assert loader.returncode == 1, (out, err)
    assert "it would change 2 row(s) of UNSDCF 2023-2027 (Demoland) 2025, closed by vera" in out
    assert int(out.split("runs")[-1]) == 2
    assert con.execute("SELECT * FROM budget_lines ORDER BY ALL").fetchall() == before
    assert con.execute("SELECT status FROM submission_log ORDER BY submission_id").fetchall() == [
        ("committed",),
        ("rejected",),
    ]
    con.close()


def test_migrate_copies_a_file_with_its_history_into_a_shared_store(lake_url, tmp_path):
    path = tmp_path / "embedded.duckdb"
    con = store.connection.connect(path)
    results = load_many(con, sample_files(), plan=PLAN, country=COUNTRY)
    store.writes.rollback(con, results[1].submission_id, "admin")
    moment = history.now()
    load_bytes(con, undp(("1.1.1", 150)), "v2.xlsx", plan=PLAN, country=COUNTRY)
    accounts.add_user(con, "ann", "admin", [], PASSWORD)
    periods.close(con, periods.Period(COUNTRY, PLAN, 2024), "ann")
    tables = [name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    expected = {name: con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall() for name in tables}
    figures, then = page_figures(con), page_figures(history.AsOf(con, moment))
    con.close()

    done = etl("--db", str(path), "migrate", "--to", lake_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Copied {path} into {lake_url} in ")
    assert "6 submissions" in done.stdout and "1 accounts" in done.stdout

    shared = store.connection.connect(lake_url)
    assert {"row_visibility", "period_log", "store_version"} <= set(tables)
    for name in tables:
        assert shared.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall() == expected[name], name
    assert page_figures(shared) == figures and page_figures(history.AsOf(shared, moment)) == then
    assert accounts.authenticate(shared, "ann", PASSWORD)
    # the shared store goes on from there: the next submission follows, a rollback gives v2's line back
    latest = load_bytes(shared, undp(("1.1.1", 160)), "v3.xlsx", plan=PLAN, country=COUNTRY)
    assert latest.submission_id == 7
    store.writes.rollback(shared, latest.submission_id)
    assert (
        shared.execute(
            "SELECT sum(required) FROM budget WHERE agency = 'UNDP' AND year = 2025 AND plan = ?", [PLAN]
        ).fetchone()[0]
        == 150
    )
    shared.close()

    again = etl("--db", str(path), "migrate", "--to", lake_url)
    assert again.returncode == 1 and "already holds submissions or accounts" in again.stderr
    assert etl("--db", lake_url, "migrate", "--to", lake_url).returncode == 2


def test_a_new_store_needs_its_data_folder_and_a_lost_catalog_says_so(postgres, tmp_path):
    url = "ducklake:postgres:" + postgres.createdb("unnamed_folder")
    env = {k: v for k, v in os.environ.items() if k != "UNCT_DATA_PATH"}
    done = subprocess.run(
        [sys.executable, "-m", "etl", "--db", url, "submissions"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 4
    assert done.stderr == (
        f"The store {url} is new: set UNCT_DATA_PATH to the folder for its data files (every "
        "process must reach it at the same path), then run again.\n"
    )
    nowhere = f"ducklake:postgres:dbname=nowhere host=127.0.0.1 port={postgres.port} user=unct password=secret"
    done = etl("--db", nowhere, "submissions", UNCT_DATA_PATH=str(tmp_path))
    assert done.returncode == 4 and "Traceback" not in done.stderr and "secret" not in done.stderr
    assert done.stderr.startswith(f"The shared store {nowhere.replace('secret', '***')} cannot be used:")
    assert done.stderr.rstrip().endswith("Check that its catalog is running and reachable from this machine.")
    with pytest.raises(StoreUnavailable, match="not one this release opens"):
        lake.connect("ducklake:mysql:db=x")
