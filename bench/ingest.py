"""Benchmark: load the 22 UN INFO exports vs. python-calamine alone reading them.

Prints the wall time of both, their ratio (goal ≤ 2.0) and the peak memory of the load (goal < 500 MB).
Run: .venv/bin/python bench/ingest.py [--repeat N]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from python_calamine import CalamineWorkbook  # noqa: E402

import store.connection  # noqa: E402
from etl.load import load_many  # noqa: E402

WORKERS = 2  # what `python -m etl load` uses on this 2-core machine (min(files, cores, 4))
UNINFO = Path(__file__).resolve().parents[2] / "shared" / "data" / "uninfo"


def read_only(files) -> float:
    start = time.perf_counter()
    for path in files:
        book = CalamineWorkbook.from_path(path)
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return time.perf_counter() - start


def full_load(files) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        con = store.connection.connect(Path(folder) / "bench.duckdb")
        start = time.perf_counter()
        batch = [(path.read_bytes(), path.name) for path in files]
        for result in load_many(con, batch, workers=WORKERS):
            assert result.status == "committed", result.summary
        elapsed = time.perf_counter() - start
        rows = con.execute("SELECT count(*) FROM budget").fetchone()[0]
        con.close()
    return elapsed, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted(UNINFO.glob("*.xlsx"))
    calamine = statistics.median(read_only(files) for _ in range(args.repeat))
    loads = [full_load(files) for _ in range(args.repeat)]
    load = statistics.median(t for t, _ in loads)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"files                      {len(files)}")
    print(f"budget rows loaded         {loads[0][1]:,}")
    print(f"python-calamine read only  {calamine:6.2f} s (median of {args.repeat})")
    print(f"full load (read+validate+commit) {load:6.2f} s (median of {args.repeat})")
    print(f"ratio load / read          {load / calamine:6.2f}   (goal ≤ 2.0)")
    print(f"peak memory (RSS)          {peak_mb:6.0f} MB (goal < 500 MB)")


if __name__ == "__main__":
    main()
