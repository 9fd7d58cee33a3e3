"""Two `streamlit run` processes on one store, in a real browser: a command-line load while both serve shows in both
(on the embedded file, which each holds only while a script run uses it, and on DuckLake on PostgreSQL); a server
killed during an upload — its rows written, not yet committed — leaves the other serving and no half-loaded
submission in the store."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import store.connection
from analytics import activity
from analytics.filters import Filters
from core.formatting import format_money
from etl.load import load_bytes
from store import accounts
from tests import test_browser
from tests.test_browser import free_port, metrics, new_page, open_url
from tests.test_rollback import PLAN, UNINFO
from tests.test_shared_store import undp
from tests.test_upload import PASSWORD  # the one sign_in types
from tests.test_upload_browser import go, sign_in

ROOT = Path(__file__).resolve().parent.parent
browser = test_browser.browser  # the same fixture: one Chromium per module
#: a dashboard whose load stops inside its write transaction, the rows written and not committed, and says so
#: (the file named by $UNCT_TEST_WRITING appears): the moment the test kills it
WRITING_THEN_STALLED = """
import os, pathlib, sys, time
from etl import load
write = load._write_items
def stalled(writer, todo, opts, dry_run):
    write(writer, todo, opts, dry_run)
    if not dry_run:  # the Commit, not the check
        pathlib.Path(os.environ["UNCT_TEST_WRITING"]).touch()
        time.sleep(600)
load._write_items = stalled
from streamlit.web import cli
sys.argv = ["streamlit", "run", *sys.argv[1:]]
sys.exit(cli.main())
"""


@contextlib.contextmanager
def serving(target: str, log: Path, stall: Path | None = None):
    """`streamlit run dashboard.py` on `target` (a file or a DuckLake URL): (base URL, process). With `stall`, its
    loads stop inside their transaction (WRITING_THEN_STALLED) and `stall` appears."""
    port = free_port()
    start = [sys.executable, "-c", WRITING_THEN_STALLED] if stall else [sys.executable, "-m", "streamlit", "run"]
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                *start,
                str(ROOT / "dashboard.py"),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env={**os.environ, "UNCT_DB": target, **({"UNCT_TEST_WRITING": str(stall)} if stall else {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start: " + log.read_text())
                time.sleep(0.3)
            yield base, process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


def required(target: str) -> str:
    """The Overview's Required card on all the data, read from the store by a connection of its own."""
    con = store.connection.connect(target)
    try:
        return format_money(activity.headline(con, Filters())["required"])
    finally:
        con.close()


def test_a_command_line_load_shows_in_two_dashboards_serving_one_store(store_target, browser, tmp_path):
    con = store.connection.connect(store_target)
    load_bytes(con, undp(("1.1.1", 100_000), ("1.1.2", 200_000)), "v1.xlsx", plan=PLAN)
    con.close()
    before = required(store_target)
    with (
        serving(store_target, tmp_path / "a.log") as (first, _),
        serving(store_target, tmp_path / "b.log") as (second, _),
    ):
        pages = [new_page(browser), new_page(browser)]
        for page, base in zip(pages, (first, second)):
            open_url(page, base)
            assert metrics(page)["Required"] == before
        sample = tmp_path / "v2.xlsx"
        sample.write_bytes(undp(("1.1.1", 150_000), ("1.1.2", 250_000), ("1.1.3", 1_000_000)))
        done = subprocess.run(
            [sys.executable, "-m", "etl", "--db", store_target, "load", str(sample), "--plan", PLAN],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        after = required(store_target)
        assert after != before
        for page, base in zip(pages, (first, second)):
            open_url(page, base)  # the next page run reads the store's new version
            assert metrics(page)["Required"] == after


def test_a_server_killed_during_an_upload_leaves_the_other_serving_and_no_half_loaded_submission(
    store_target, browser, tmp_path
):
    con = store.connection.connect(store_target)
    accounts.add_user(con, "ada", "admin", [], PASSWORD)
    load_bytes(con, undp(("1.1.1", 100_000)), "v1.xlsx", plan=PLAN)
    con.close()
    before = required(store_target)
    export = min(UNINFO.glob("*.xlsx"), key=lambda p: p.stat().st_size)
    writing = tmp_path / "writing"
    with (
        serving(store_target, tmp_path / "a.log", stall=writing) as (first, victim),
        serving(store_target, tmp_path / "b.log") as (second, _),
    ):
        page = new_page(browser)
        sign_in(page, first, "ada")
        go(page, "Upload")
        page.set_input_files('[data-testid="stMain"] input[type=file]', str(export))
        page.get_by_text(f"Read and checked {export.name}").wait_for(timeout=120_000)
        page.get_by_role("button", name="Commit").click()
        deadline = time.monotonic() + 180
        while not writing.exists():  # its rows are written, the transaction open
            assert time.monotonic() < deadline and victim.poll() is None, (tmp_path / "a.log").read_text()
            time.sleep(0.1)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)

        other = new_page(browser)
        open_url(other, second)
        assert metrics(other)["Required"] == before == required(store_target)

    con = store.connection.connect(store_target)
    log = con.execute("SELECT file_name, status FROM submission_log ORDER BY submission_id").fetchall()
    # the file's history says the load was cut off (a 'loading' record the next opening marks failed); the shared
    # store's load was one transaction, its record included: nothing of it is there
    assert log == [("v1.xlsx", "committed")] + ([(export.name, "failed")] if store_target.endswith(".duckdb") else [])
    for table in ("budget_lines", "suboutputs", "submission_files", "row_visibility"):
        assert (
            con.execute(
                f"SELECT count(*) FROM {table} t JOIN submission_log l USING (submission_id) "
                "WHERE l.status <> 'committed'"
            ).fetchone()[0]
            == 0
        ), table
    assert con.execute("SELECT count(*) FROM budget_lines").fetchone()[0] == 1
    con.close()
