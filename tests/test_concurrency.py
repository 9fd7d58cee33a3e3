"""Concurrency (SPEC §7): readers never see half a submission; uploads are serialised; a second
process gets a plain message, not a raw lock error."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import store.connection
import store.writes
from etl.load import load_bytes
from tests.test_load import PLAN, budget_file

ROOT = Path(__file__).resolve().parents[1]
V1 = [
    [2025, "1.1", "Governance", "1.1.1", "UNDP", 100, 50, 10],
    [2025, "1.1", "Governance", "1.1.2", "UNDP", 200, 50, 10],
    [2025, "1.2", "Justice", "1.2.1", "UNICEF", 1000, 900, 800],
]
V2 = [
    [2025, "1.1", "Governance", "1.1.1", "UNDP", 300, 300, 30],
    [2025, "1.1", "Governance", "1.1.3", "UNDP", 400, 0, 0],
    [2025, "1.1", "Governance", "1.1.4", "UNDP", 500, 10, 0],
]
STATE = (
    "SELECT count(*), sum(required), (SELECT sum(s) FROM (SELECT sum(required) AS s FROM budget GROUP BY agency)) "
    "FROM budget"
)


def test_readers_see_the_state_before_or_after_a_submission_never_a_mix(tmp_path):
    con = store.connection.connect(tmp_path / "c.duckdb")
    assert load_bytes(con, budget_file(V1), "v1.xlsx", plan=PLAN).status == "committed"
    before = con.execute(STATE).fetchone()
    v2 = budget_file(V2, title=False)
    first = load_bytes(con, v2, "v2.xlsx", plan=PLAN)
    after = con.execute(STATE).fetchone()
    store.writes.rollback(con, first.submission_id)
    assert before == (3, 1300.0, 1300.0) and after == (4, 2200.0, 2200.0)

    stop = threading.Event()
    seen: list[tuple] = []
    failures: list[BaseException] = []

    def reader():
        cursor = con.cursor()
        try:
            while not stop.is_set():
                seen.append(cursor.execute(STATE).fetchone())
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            cursor.close()

    threads = [threading.Thread(target=reader) for _ in range(20)]
    for t in threads:
        t.start()
    try:
        for n in range(8):
            result = load_bytes(con, v2, f"v2-{n}.xlsx", plan=PLAN)
            assert result.status == "committed"
            store.writes.rollback(con, result.submission_id)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not failures
    assert len(seen) > 100
    assert set(seen) <= {before, after}
    assert con.execute(STATE).fetchone() == before


def test_two_uploads_for_the_same_agency_at_once_are_serialised(tmp_path):
    con = store.connection.connect(tmp_path / "c.duckdb")
    load_bytes(con, budget_file(V1), "v1.xlsx", plan=PLAN)
    v2a = budget_file(V2, title=False)
    v2b = budget_file([[2025, "1.1", "Governance", "1.1.1", "UNDP", 7, 7, 7]], title=False)
    results = {}

    def upload(name, data):
        results[name] = load_bytes(con, data, name, plan=PLAN)

    threads = [threading.Thread(target=upload, args=a) for a in (("a.xlsx", v2a), ("b.xlsx", v2b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {r.status for r in results.values()} == {"committed"}
    last = max(results.values(), key=lambda r: r.submission_id)
    undp = con.execute("SELECT count(*), sum(required) FROM budget WHERE agency = 'UNDP'").fetchone()
    assert undp == ((3, 1200.0) if last.file_name == "a.xlsx" else (1, 7.0))
    # the later upload replaced exactly the rows the earlier one had committed
    first = min(results.values(), key=lambda r: r.submission_id)
    assert last.rows_replaced == first.rows_added


def test_a_command_line_load_while_the_dashboard_holds_the_file_gets_a_plain_message(tmp_path):
    path = tmp_path / "held.duckdb"
    store.connection.connect(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        sample = tmp_path / "cbf.xlsx"
        sample.write_bytes(budget_file(V1))
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "etl", "--db", str(path), "load", str(sample), "--plan", PLAN],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "UNCT_LOCK_WAIT": "2"},
            timeout=60,
        )
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 3
    assert "is in use by another program" in done.stderr
    assert "Upload page" in done.stderr and "Traceback" not in done.stderr
    assert 2 <= waited < 30
