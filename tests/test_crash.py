"""Crash safety: a load killed (SIGKILL) at a random point leaves the figures as before or as after,
the history says failed or committed accordingly, and a retry succeeds."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import store.connection
from etl.load import load_path

ROOT = Path(__file__).resolve().parents[1]
UNINFO = ROOT.parent / "shared" / "data" / "uninfo"
BASE_FILE = UNINFO / "Africa_youth.xlsx"
LOADED_FILE = UNINFO / "Africa_work.xlsx"  # shares sub-outputs with the base file: it replaces rows
TOTALS = "SELECT count(*), round(sum(required), 2), round(sum(available), 2) FROM budget"
CHILD = """
import sys
import store.connection
from etl.load import load_path
con = store.connection.connect(sys.argv[1])
print("start", flush=True)
load_path(con, sys.argv[2])
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    base = folder / "base.duckdb"
    con = store.connection.connect(base)
    assert load_path(con, BASE_FILE).status == "committed"
    before = con.execute(TOTALS).fetchone()
    con.close()
    after_db = folder / "after.duckdb"
    shutil.copy(base, after_db)
    con = store.connection.connect(after_db)
    assert load_path(con, LOADED_FILE).status == "committed"
    after = con.execute(TOTALS).fetchone()
    con.close()
    assert before != after
    return base, before, after


def test_killing_a_load_at_random_points_never_half_loads(states, tmp_path):
    base, before, after = states
    rng = random.Random(7)
    outcomes = []
    for attempt in range(10):
        db = tmp_path / f"run{attempt}.duckdb"
        shutil.copy(base, db)
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db), str(LOADED_FILE)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout.readline().strip() == "start"
        time.sleep(rng.uniform(0.0, 1.5))
        child.send_signal(signal.SIGKILL)
        child.wait()
        con = store.connection.connect(db)
        totals = con.execute(TOTALS).fetchone()
        statuses = [
            s
            for (s,) in con.execute(
                "SELECT status FROM submissions WHERE file_name = ? ORDER BY submission_id", [LOADED_FILE.name]
            ).fetchall()
        ]
        assert "loading" not in statuses
        if totals == after:
            assert statuses == ["committed"]
            outcomes.append("after")
        else:
            assert totals == before
            assert statuses in ([], ["failed"])
            outcomes.append("before")
            retry = load_path(con, LOADED_FILE)
            assert retry.status == "committed"
            assert con.execute(TOTALS).fetchone() == after
        con.close()
    print("kill outcomes:", outcomes)
    assert "before" in outcomes  # the kills did land mid-load
