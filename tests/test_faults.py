"""Faults of the machine and of the store (SPEC §8 exit codes): damaged, read-only, full or held database
files, loads killed with their workers, and text that would run in a terminal or break an export."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNINFO = ROOT.parent / "shared" / "data" / "uninfo"


def etl(*args, db: Path, stdin: str | None = None, env: dict | None = None, prefix: tuple = ()):
    """`python -m etl --db DB ARGS…` in a child process (`prefix` runs it through another command)."""
    return subprocess.run([*prefix, sys.executable, "-m", "etl", "--db", str(db), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, input=stdin, timeout=300,
                          env={**os.environ, "UNCT_LOCK_WAIT": "0.5", **(env or {})})


def one_line(done: subprocess.CompletedProcess) -> str:
    """The command's message on stderr, which must be a single line and never a traceback."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


# ---------------------------------------------------------------- workers of a killed load

def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (read from /proc: psutil is not installed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it is not)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_the_workers_of_a_killed_load_do_not_outlive_it(tmp_path, how):
    files = sorted(UNINFO.glob("*.xlsx"))
    assert len(files) == 22, f"the UN INFO exports are expected in {UNINFO}"
    load = subprocess.Popen([sys.executable, "-m", "etl", "--db", str(tmp_path / "k.duckdb"), "load", "--quiet",
                             *map(str, files)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers = []
    while not workers and time.monotonic() < deadline and load.poll() is None:
        workers = _children(load.pid)  # the validation has started in worker processes
        time.sleep(0.01)
    assert workers, "the load never started its workers"
    load.send_signal(how)
    load.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not survivors, f"{len(survivors)} worker(s) outlived the load killed by {how.name}"
