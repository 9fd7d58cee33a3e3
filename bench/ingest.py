"""Benchmark: `python -m etl load` of the 22 UN INFO exports into a new database, as users run it, vs. a Python
process that only reads them with python-calamine.

Both are whole processes (interpreter start, imports, the new database's creation, the worker pool, the final
checkpoint: everything the user waits for), timed by their wall time from here, alternately, `--repeat` times;
the medians, their ratio (goal ≤ 2.0) and the load's peak memory (goal < 500 MB) are printed. `--loaders 2`
also times two loads at once into two new databases (the second user's wait), and two loads of different halves
of the exports into one database (the second waits for the file lock, then loads).

    .venv/bin/python bench/ingest.py [--repeat 5] [--loaders 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNINFO = ROOT.parent / "shared" / "data" / "uninfo"
#: the read-only process: what any reader of these workbooks must spend
READ_ONLY = """
import sys
from python_calamine import CalamineWorkbook
for path in sys.argv[1:]:
    book = CalamineWorkbook.from_path(path)
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
"""


def run(command: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, (peak if peak > before else 0) / 1024


def load_command(db: Path, files: list[Path]) -> list[str]:
    return [sys.executable, "-m", "etl", "load", "--db", str(db), "--quiet", *map(str, files)]


def concurrent(commands: list[list[str]]) -> list[float]:
    """Wall time of each of several processes started together (a load waits up to 5 minutes for the file)."""
    env = {**os.environ, "UNCT_LOCK_WAIT": "300"}
    started = time.perf_counter()
    children = [
        subprocess.Popen(c, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in commands
    ]
    ends: list[float | None] = [None] * len(children)
    while None in ends:
        for n, child in enumerate(children):
            if ends[n] is None and child.poll() is not None:
                ends[n] = time.perf_counter() - started
                if child.returncode not in (0, 1):  # 1: a file had errors the CLI reports; anything else failed
                    raise RuntimeError(child.stderr.read().decode()[-2000:])
        time.sleep(0.05)
    return [end for end in ends if end is not None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--loaders", type=int, default=1, help="also time this many loads started together")
    args = parser.parse_args()
    files = sorted(UNINFO.glob("*.xlsx"))
    reads, loads, peaks = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for n in range(args.repeat):  # alternately, so that both see the same machine load
            reads.append(run([sys.executable, "-c", READ_ONLY, *map(str, files)])[0])
            db = Path(folder) / f"load{n}.duckdb"
            elapsed, peak = run(load_command(db, files))
            loads.append(elapsed)
            peaks.append(peak)
        read, load = statistics.median(reads), statistics.median(loads)
        print(f"machine load (1-minute average) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"files                        {len(files)}")
        print(
            f"read only (python-calamine)  {read:6.2f} s  median of {args.repeat}: "
            + ", ".join(f"{t:.2f}" for t in reads)
        )
        print(
            f"python -m etl load, new db   {load:6.2f} s  median of {args.repeat}: "
            + ", ".join(f"{t:.2f}" for t in loads)
        )
        print(f"ratio load / read            {load / read:6.2f}    (goal ≤ 2.0)")
        print(f"peak memory (RSS) of a load  {max(peaks):6.0f} MB  (goal < 500 MB)")
        if args.loaders > 1:
            both = [
                concurrent([load_command(Path(folder) / f"c{r}_{i}.duckdb", files) for i in range(args.loaders)])
                for r in range(args.repeat)
            ]
            print(
                f"{args.loaders} loads at once, new dbs    "
                + "; ".join(
                    f"loader {i + 1} {statistics.median(t[i] for t in both):.2f} s" for i in range(args.loaders)
                )
                + f" (median of {args.repeat})"
            )
            halves = [files[i :: args.loaders] for i in range(args.loaders)]
            shared = [
                concurrent([load_command(Path(folder) / f"s{r}.duckdb", half) for half in halves])
                for r in range(args.repeat)
            ]
            print(
                f"{args.loaders} loads at once, one db     "
                + "; ".join(
                    f"loader {i + 1} {statistics.median(t[i] for t in shared):.2f} s" for i in range(args.loaders)
                )
                + f" (median of {args.repeat}; each loads 1/{args.loaders} of the files, the second waits for "
                "the file lock)"
            )


if __name__ == "__main__":
    main()
