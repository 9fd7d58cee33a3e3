"""Sessions benchmark: page runs under 20 concurrent sessions, served by 1 or by 2 dashboard processes.

Each session is an AppTest (the page's whole script run, as Streamlit's server runs it for a browser tab, without
the websocket and the browser's drawing) in its own thread; a dashboard process holds its share of the sessions,
and its query cache and DuckDB connection are shared by them, as in `streamlit run`. Every session opens its page,
then runs it `--runs` times, the query cache cleared by each process before its first run (the first visitors
after a new submission) and kept after. Printed per setting: the median and 90th-percentile page time a session
waited, and the page runs served per second.

On the embedded file each of 2 processes gets its own copy of the database (what two machines with a copy each would
do); a shared store (`--db ducklake:…`) is served by every process at once, as a deployment behind a proxy does.

    python bench/sessions.py [--db bench/demo.duckdb | --db 'ducklake:postgres:…'] [--sessions 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH = Path(__file__).resolve().parent


def _share_the_runtime() -> None:
    """AppTest installs a mock Streamlit Runtime for each run and removes it at the end: sessions running at once
    in threads would find none. Here the last one installed stays visible to all of them (a real server has one
    Runtime for all its sessions)."""
    from streamlit.runtime import Runtime

    kept: list[Any] = []
    original = Runtime.instance.__func__

    def instance(cls: type[Runtime]) -> Runtime:
        if cls._instance is not None:
            kept[:] = [cls._instance]
            return cls._instance
        return kept[0] if kept else original(cls)

    Runtime.instance = classmethod(instance)  # type: ignore[method-assign, assignment]
    Runtime.exists = classmethod(lambda cls: cls._instance is not None or bool(kept))  # type: ignore[method-assign]


def serve(db: Path | str, sessions: int, runs: int, page: str, start_at: float) -> dict:
    """In this process (one dashboard process): `sessions` threads each running the page `runs` times."""
    os.environ["UNCT_DB"] = str(db)
    import streamlit as st

    from app.testing import open_page

    _share_the_runtime()
    open_page(page, timeout=600)  # imports and the connection, before the clock starts
    st.cache_data.clear()
    waits: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def session() -> None:
        try:
            mine = []
            started = time.perf_counter()
            app = open_page(page, timeout=600)
            mine.append(time.perf_counter() - started)
            for _ in range(runs - 1):
                started = time.perf_counter()
                app.run(timeout=600)
                mine.append(time.perf_counter() - started)
            if app.exception:
                raise RuntimeError(app.exception[0].value)
            with lock:
                waits.extend(mine)
        except Exception as exc:  # noqa: BLE001 - reported, and the benchmark fails
            with lock:
                failures.append(repr(exc))

    time.sleep(max(0.0, start_at - time.time()))  # all processes start their sessions together
    began = time.perf_counter()
    threads = [threading.Thread(target=session) for _ in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"waits": waits, "failures": failures, "seconds": time.perf_counter() - began}


def measure(db: str, processes: int, sessions: int, runs: int, page: str) -> dict:
    """`sessions` sessions spread over `processes` dashboard processes, each on its own copy of a database file, or
    all on one shared store."""
    with tempfile.TemporaryDirectory() as folder:
        start_at = time.time() + 20 + 10 * processes  # time for every process to start and warm its imports
        children = []
        for n in range(processes):
            served = db
            if not db.startswith("ducklake:"):
                copy = Path(folder) / f"copy{n}" / Path(db).name
                copy.parent.mkdir()
                shutil.copyfile(db, copy)
                served = str(copy)
            share = sessions // processes + (1 if n < sessions % processes else 0)
            children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        __file__,
                        "--serve",
                        served,
                        "--sessions",
                        str(share),
                        "--runs",
                        str(runs),
                        "--page",
                        page,
                        "--start-at",
                        str(start_at),
                    ],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        results = []
        for child in children:
            out, _ = child.communicate()
            if child.returncode != 0:
                raise RuntimeError(f"a dashboard process failed ({child.returncode})")
            results.append(json.loads(out.strip().splitlines()[-1]))
    waits = sorted(w for r in results for w in r["waits"])
    failures = [f for r in results for f in r["failures"]]
    wall = max(r["seconds"] for r in results)
    return {
        "processes": processes,
        "median": statistics.median(waits) if waits else None,
        "p90": waits[int(0.9 * (len(waits) - 1))] if waits else None,
        "runs_per_second": len(waits) / wall,
        "wall": wall,
        "failures": failures,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(BENCH / "demo.duckdb"), help="a database file or a shared store's URL")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5, help="page runs per session (the first cold)")
    parser.add_argument("--page", default="overview")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # child: one dashboard process
    parser.add_argument("--start-at", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        print(json.dumps(serve(args.serve, args.sessions, args.runs, args.page, args.start_at)))
        return 0
    if not args.db.startswith("ducklake:") and not Path(args.db).exists():
        from demo.generate import build_demo

        build_demo(args.db)
    print(f"{args.page} page, {args.sessions} concurrent sessions × {args.runs} runs, {args.db}")
    print(f"machine load (1-minute average) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  {'processes':>9} {'median wait':>12} {'90th pct':>10} {'runs/s':>8} {'wall':>8}")
    ok = True
    for processes in args.processes:
        r = measure(args.db, processes, args.sessions, args.runs, args.page)
        ok &= not r["failures"]
        print(
            f"  {processes:>9} {r['median']:>10.2f} s {r['p90']:>8.2f} s {r['runs_per_second']:>8.2f} "
            f"{r['wall']:>6.1f} s" + (f"  {len(r['failures'])} failed: {r['failures'][0]}" if r["failures"] else "")
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
