"""Store benchmark: the embedded file against DuckLake on PostgreSQL (a private cluster, tests/postgres.py).

    python bench/store.py [--runs 3]

Measures, on the demo database (bench/demo.duckdb, built if missing):
- migrate --to: the whole `python -m etl migrate --to URL` process copying it into a new shared store;
- connect: `store.connect` in a new process (what a command pays), and the open + close of the file that the
  dashboard now pays at each script run (it holds the file only while runs use it);
- pages: median cold and warm script runs of every page (bench/pages.py's measure) on each store;
- the command line beside a serving dashboard: `python -m etl users add` while another process runs the
  Overview without a pause (cold caches), against the same command with no dashboard.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import build  # noqa: E402
from tests.postgres import PostgresCluster  # noqa: E402

DEMO = ROOT / "bench" / "demo.duckdb"
#: a dashboard process that runs the Overview over and over (each run cold: caches cleared), until killed
DASHBOARD_LOOP = """
import sys, time
import streamlit as st
from app.testing import open_page
app = open_page("overview", timeout=120)
print("serving", flush=True)
while True:
    st.cache_data.clear()
    app.run(timeout=120)
"""


def run(argv: list[str], stdin: str | None = None) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, input=stdin)
    return time.perf_counter() - started, done


def connect_seconds(target: str) -> float:
    """`store.connect` in a fresh process, imports excluded."""
    code = (
        "import sys, time; import store.connection; t = time.perf_counter(); "
        "store.connection.connect(sys.argv[1]).close(); print(time.perf_counter() - t)"
    )
    _, done = run([sys.executable, "-c", code, target])
    if done.returncode:
        raise RuntimeError(done.stderr)
    return float(done.stdout)


def reopen_ms(path: Path, runs: int = 30) -> float:
    """Open + close of the file, as the dashboard does around its script runs (median, ms)."""
    import store.connection

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        store.connection.connect(path).close()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def pages(target: str, runs: int) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); from bench.pages import measure; "
        f"print(json.dumps(measure(sys.argv[1], {runs})))"
    )
    _, done = run([sys.executable, "-c", code, target])
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def command_beside_dashboard(target: str, runs: int) -> tuple[float, float, float, int]:
    """Median seconds of `users add` with no dashboard, median and worst beside a busy one; failures."""

    def users_add(n: int) -> tuple[float, int]:
        seconds, done = run(
            [sys.executable, "-m", "etl", "--db", target, "users", "add", f"bench{n}", "--role", "viewer"],
            stdin="a long enough password\n",
        )
        return seconds, done.returncode

    alone = [users_add(n)[0] for n in range(runs)]
    dashboard = subprocess.Popen(
        [sys.executable, "-c", DASHBOARD_LOOP],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "UNCT_DB": target},
    )
    try:
        assert dashboard.stdout.readline().strip() == "serving"
        beside = [users_add(100 + n) for n in range(runs)]
    finally:
        dashboard.kill()
        dashboard.wait()
    waits = [seconds for seconds, _ in beside]
    return statistics.median(alone), statistics.median(waits), max(waits), sum(code != 0 for _, code in beside)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    build("demo", DEMO, 0, False)
    print(f"machine load (1-minute average) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with PostgresCluster() as pg, tempfile.TemporaryDirectory() as scratch:
        os.environ["UNCT_DATA_PATH"] = str(Path(scratch) / "lake-data")
        url = "ducklake:postgres:" + pg.dsn
        seconds, done = run([sys.executable, "-m", "etl", "--db", str(DEMO), "migrate", "--to", url])
        if done.returncode:
            raise RuntimeError(done.stderr)
        print(f"migrate --to (whole process): {seconds:.1f} s — {done.stdout.splitlines()[0]}")
        print(
            f"connect in a new process: file {connect_seconds(str(DEMO)):.2f} s, "
            f"DuckLake {statistics.median(connect_seconds(url) for _ in range(args.runs)):.2f} s"
        )
        print(f"dashboard's open + close of the file per script run: {reopen_ms(DEMO):.1f} ms")
        results = {name: pages(target, args.runs) for name, target in (("file", str(DEMO)), ("ducklake", url))}
        print(f"{'page':44} {'file cold':>10} {'warm':>7} {'lake cold':>10} {'warm':>7}")
        for file_page, lake_page in zip(results["file"]["pages"], results["ducklake"]["pages"]):
            print(
                f"{file_page['page']:44} {file_page['cold']:9.3f}s {file_page['warm']:6.3f}s "
                f"{lake_page['cold']:9.3f}s {lake_page['warm']:6.3f}s"
            )
        print(
            f"peak RSS: file {results['file']['peak_rss_mib']:.0f} MiB, "
            f"DuckLake {results['ducklake']['peak_rss_mib']:.0f} MiB"
        )
        copy = Path(scratch) / "beside.duckdb"
        copy.write_bytes(DEMO.read_bytes())
        for name, target in (("file", str(copy)), ("ducklake", url)):
            alone, median, worst, failed = command_beside_dashboard(target, args.runs)
            print(
                f"users add beside a busy dashboard ({name}): {median:.2f} s median, {worst:.2f} s worst "
                f"(alone {alone:.2f} s; extra wait {median - alone:+.2f} s), {failed} failed"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
