"""Brief benchmark: `python -m etl brief` for one country of the 22 real UN INFO exports, as a user runs it (a new
process: imports, Chromium's start and plotly.js included), PDF and Excel. Goal: ≤ 10 s for the PDF.

    python bench/brief.py                        # loads the exports into bench/uninfo.duckdb if missing
    python bench/brief.py --country Nepal --runs 5 --rebuild

Prints the median and every run's wall time, and the PDF's stages measured in one process (gathering the figures
from the store, printing: Chromium starts while the figures are gathered, so the total is less than the sum).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH = Path(__file__).resolve().parent
UNINFO = ROOT.parent / "shared" / "data" / "uninfo"
GOAL_SECONDS = 10.0


def build_db(path: Path) -> None:
    import store.connection
    from etl.load import load_path

    path.unlink(missing_ok=True)
    con = store.connection.connect(path)
    try:
        for file in sorted(UNINFO.glob("*.xlsx")):
            load_path(con, file)
    finally:
        con.close()


def command_seconds(db: Path, country: str, output: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), "brief", "--country", country, "-o", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"brief failed: {done.stderr.strip()}")
    return elapsed


def stages(db: Path, country: str) -> dict[str, float]:
    """In this process: gathering the figures, and the whole PDF (imports paid before)."""
    import store.connection
    from brief import build, collect

    con = store.connection.connect(db, read_only=True)
    try:
        started = time.perf_counter()
        collect.collect(con, country)
        gathered = time.perf_counter()
        build(con, country, fmt="pdf")
        printed = time.perf_counter()
    finally:
        con.close()
    return {"gather figures": gathered - started, "whole PDF (warm imports)": printed - gathered}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--country", default="Tanzania", help="the country (default: the largest, Tanzania)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    db = BENCH / "uninfo.duckdb"
    if args.rebuild or not db.exists():
        print(f"loading the 22 UN INFO exports into {db} …", flush=True)
        build_db(db)
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("pdf", "xlsx"):
            times = [command_seconds(db, args.country, Path(folder) / f"brief.{fmt}") for _ in range(args.runs)]
            runs = ", ".join(f"{t:.2f}" for t in times)
            print(
                f"python -m etl brief --country {args.country} -o brief.{fmt}: "
                f"median {statistics.median(times):.2f} s (runs: {runs})"
            )
            if fmt == "pdf":
                pdf_median = statistics.median(times)
    for name, seconds in stages(db, args.country).items():
        print(f"  {name}: {seconds:.2f} s")
    print(f"goal ≤ {GOAL_SECONDS:.0f} s for the PDF: {'met' if pdf_median <= GOAL_SECONDS else 'NOT met'}")
    return 0 if pdf_median <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
