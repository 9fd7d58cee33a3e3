"""Page benchmark: the median script-run time of every dashboard page (AppTest) and the peak memory,
for the demo database and for one scaled to ≥ 1,000,000 budget lines.

    python bench/pages.py                 # builds bench/demo.duckdb and bench/scaled.duckdb if missing
    python bench/pages.py --rows 2000000 --runs 7 --rebuild
    python bench/pages.py --db 'ducklake:postgres:dbname=unct host=…'   # one store only, as it is (e.g. DuckLake)
    python bench/pages.py --db bench/scaled-10000000.duckdb --reads overview   # each read of a cold run, timed
    python bench/pages.py --db bench/scaled-10000000.duckdb --lake --runs 3   # that store, then a DuckLake copy

Each database is measured in its own process, so the peak resident memory (RSS) is that database's. `--lake` also
copies each one into DuckLake on a private PostgreSQL cluster (tests/postgres.py; `python -m etl migrate --to`,
its data files in a temporary folder) and measures the pages there, right after the file.
"cold" runs start with empty query caches (what the first visitor after a new submission waits);
"warm" runs hit the per-filter cache (every later visitor). Goal: ≤ 0.5 s per page on the demo data,
≤ 1.5 s at 1 M rows.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH = Path(__file__).resolve().parent
GOALS = {"demo": 0.5, "scaled": 1.5}
#: pages and the filtered view measured on each (a filter exercises the WHERE paths too)
VIEWS = [
    ("overview", {}),
    ("overview", {"country": "__first_country__"}),
    ("delivery", {}),
    ("funding_gaps", {}),
    ("indicators", {}),
    ("recommendations", {}),
    ("data_export", {}),
]


def measure(db: Path | str, runs: int) -> dict:
    """In this process: time every page `runs` times cold and warm; peak RSS at the end."""
    os.environ["UNCT_DB"] = str(db)
    import streamlit as st

    import store.connection
    from analytics import activity
    from app.testing import open_page

    con = store.connection.connect(db)
    countries = activity.filter_options(con)["countries"]
    budget_rows = (con.execute("SELECT count(*) FROM budget").fetchone() or (0,))[0]
    con.close()
    results = []
    for page, params in VIEWS:
        params = {k: (countries[0] if v == "__first_country__" and countries else v) for k, v in params.items()}
        app = open_page(page, params, timeout=120)  # also warms imports
        if app.exception:
            raise RuntimeError(f"{page}: {app.exception[0].value}")
        cold, warm = [], []
        for _ in range(runs):
            st.cache_data.clear()
            started = time.perf_counter()
            app.run(timeout=120)
            cold.append(time.perf_counter() - started)
        for _ in range(runs):
            started = time.perf_counter()
            app.run(timeout=120)
            warm.append(time.perf_counter() - started)
        label = page + ("" if not params else " (" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")")
        results.append({"page": label, "cold": statistics.median(cold), "warm": statistics.median(warm)})
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"db": str(db), "budget_rows": budget_rows, "pages": results, "peak_rss_mib": peak_kib / 1024}


def reads(db: Path | str, page: str) -> None:
    """In this process: one cold run of `page`, each read it makes (`app.data.cached`) timed, slowest first — where a
    cold page's time goes, before choosing what to change (a warm run that is slow does work outside the reads)."""
    os.environ["UNCT_DB"] = str(db)
    import streamlit as st

    from app import data
    from app.testing import open_page

    timed: list[tuple[float, str, str, str]] = []
    cached, cached_since = data.cached, data.cached_since

    def note(started: float, read, filters, args: tuple) -> None:
        chosen = {k: v for k, v in zip(filters.__dataclass_fields__, filters.as_tuple()) if v} if filters else {}
        name = f"{read.__module__}.{read.__qualname__}"
        timed.append((time.perf_counter() - started, name, repr(args), repr(chosen)))

    def timing(read, filters=None, *args):
        started = time.perf_counter()
        try:
            return cached(read, filters, *args)
        finally:
            note(started, read, filters, args)

    def timing_since(read, day, filters=None, *args):
        started = time.perf_counter()
        try:
            return cached_since(read, day, filters, *args)
        finally:
            note(started, read, filters, (day, *args))

    data.cached, data.cached_since = timing, timing_since  # pages call them through the module
    app = open_page(page, {}, timeout=600)
    timed.clear()
    st.cache_data.clear()
    started = time.perf_counter()
    app.run(timeout=600)
    total = time.perf_counter() - started
    print(f"{page}, cold: {total:.2f} s; {len(timed)} reads, {sum(t[0] for t in timed):.2f} s")
    for seconds, read, args, chosen in sorted(timed, reverse=True):
        print(f"  {seconds:6.2f} s  {read}{'' if args == '()' else ' ' + args}  {chosen if chosen != '{}' else ''}")


def build(name: str, path: Path, rows: int, rebuild: bool) -> None:
    if path.exists() and not rebuild:
        return
    started = time.perf_counter()
    if name == "demo":
        from demo.generate import build_demo

        build_demo(path)
    else:
        from bench.scale import build_scaled_db

        build_scaled_db(path, rows)
    print(f"built {path} in {time.perf_counter() - started:.1f} s", flush=True)


def report(name: str, result: dict) -> bool:
    goal = GOALS[name]
    print(f"\n{name}: {result['db']} — {result['budget_rows']:,} budget lines; goal ≤ {goal} s per page")
    print(f"  {'page':<42} {'cold median':>12} {'warm median':>12}")
    ok = True
    for row in result["pages"]:
        flag = "" if row["cold"] <= goal else "  over goal"
        ok &= row["cold"] <= goal
        print(f"  {row['page']:<42} {row['cold']:>10.3f} s {row['warm']:>10.3f} s{flag}")
    print(f"  peak memory (RSS) of the measuring process: {result['peak_rss_mib']:.0f} MiB")
    return ok


def _in_lake(stack: contextlib.ExitStack, path: str | Path) -> str:
    """A copy of the database file `path` in DuckLake: a new catalog database on a private PostgreSQL cluster
    (started once, stopped with `stack`), its data files in a temporary folder ($UNCT_DATA_PATH, which the measuring
    child process inherits); its URL."""
    from tests.postgres import PostgresCluster

    if "pg" not in _LAKE:
        _LAKE["pg"] = stack.enter_context(PostgresCluster())
        os.environ["UNCT_DATA_PATH"] = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-lake-"))
    url = "ducklake:postgres:" + _LAKE["pg"].createdb(f"bench{len(_LAKE)}")
    _LAKE[url] = path
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "etl", "--db", str(path), "migrate", "--to", url], check=True, cwd=ROOT)
    print(f"copied {path} into DuckLake in {time.perf_counter() - started:.1f} s", flush=True)
    return url


#: the PostgreSQL cluster of `--lake` ("pg") and each DuckLake copy's URL → the file it copies
_LAKE: dict = {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="budget lines in the scaled database")
    parser.add_argument("--runs", type=int, default=5, help="runs per page and mode (median reported)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the databases even if present")
    parser.add_argument("--demo-db", type=Path, default=BENCH / "demo.duckdb")
    parser.add_argument("--scaled-db", type=Path, default=BENCH / "scaled.duckdb")
    parser.add_argument("--db", help="measure this store only, as it is: a database file or a shared store's URL")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child process: measure one database
    parser.add_argument("--reads", metavar="PAGE", help="with --db: each read of one cold run of PAGE, slowest first")
    parser.add_argument(
        "--lake", action="store_true", help="also measure a copy of each store in DuckLake on PostgreSQL"
    )
    args = parser.parse_args()

    if args.reads:
        reads(args.db or args.scaled_db, args.reads)
        return 0

    if args.measure:
        print(json.dumps(measure(args.measure, args.runs)))
        return 0

    stores: list[tuple[str | None, str | Path]] = (
        [(None, args.db)] if args.db else [("demo", args.demo_db), ("scaled", args.scaled_db)]
    )
    for name, path in stores:
        if name:
            build(name, Path(path), args.rows, args.rebuild)
    with contextlib.ExitStack() as stack:
        if args.lake:
            stores = [store for name, path in stores for store in ((name, path), (name, _in_lake(stack, path)))]
        all_ok = True
        for name, path in stores:
            child = subprocess.run(
                [sys.executable, __file__, "--measure", str(path), "--runs", str(args.runs)],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if child.returncode != 0:
                print(child.stderr[-4000:], file=sys.stderr)
                return 2
            result = json.loads(child.stdout.strip().splitlines()[-1])
            all_ok &= report(name or ("scaled" if result["budget_rows"] >= 1_000_000 else "demo"), result)
    print("\nall pages within the goal" if all_ok else "\nsome pages are over the goal")
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
