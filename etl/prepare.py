"""The first half of a load: read and validate each file against the entity list, and check a focal point's
agencies, touching no database — in worker processes when a batch has several files (etl.load writes them)."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from core.entities import EntityResolver
from core.errors import FileError, ParseError
from etl.dataset import Dataset
from etl.read import read_file
from etl.reported import Reported, reported
from etl.validate import validate


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Options:
    """What the user chose for a whole upload (SPEC §8 `load` options)."""

    kind: str | None = None
    plan: str | None = None
    country: str | None = None
    source: str | None = None
    agency: str | None = None
    user: str | None = None
    allowed_agencies: set[str] | None = None  # a focal point's agencies; None = any


@dataclass
class Prepared:
    """One file read and validated, not yet written: pure data, so it can cross process boundaries."""

    data: bytes
    digest: str
    dataset: Dataset
    #: when its data were reported, as far as the file says (etl.reported); None: dated by its load
    reported: Reported | None = None


def prepare_all(jobs: list[tuple], workers: int):
    if workers > 1 and len(jobs) > 1:
        with _pool(workers, len(jobs)) as pool:
            yield from pool.map(_prepare_job, jobs)
    else:
        yield from map(_prepare_job, jobs)


def _pool(workers: int, jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        min(workers, jobs),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_die_with,
        initargs=(os.getpid(),),
    )


class Reading:
    """Files being read and validated in worker processes from before the store is opened: the load command starts
    its first batch so (etl.cli), with the entity list the store holds before it is opened
    (store.writes.entities_before_open), so that opening the store — creating and migrating a new one, which imports
    pandas (duckdb's client does on the first statement with parameters: 0.45 s) — and the duplicate check run
    while the workers read. `results` hands the work over only for the same files, options and entity list."""

    def __init__(self, files: list[tuple[bytes, str]], opts: Options, entities: list, workers: int) -> None:
        self.files, self.opts, self.entities = files, opts, entities
        self._pool = _pool(workers, len(files))
        self._futures = [
            self._pool.submit(prepare, data, file_name, sha256(data), opts, entities) for data, file_name in files
        ]

    def results(self, files: list[tuple[bytes, str]], opts: Options, entities: list, wanted: list[int]):
        """The results of the files at places `wanted` of `files`, in order (the others' reading is stopped: the
        duplicates'), when this reading is of `files` (the same list) with these options and this entity list (the
        store's, now opened: another process may have added an entity meanwhile); else None, the reading stopped
        (the caller prepares the files itself)."""
        if files is not self.files or opts != self.opts or entities != self.entities:
            self.close()
            return None
        for n, future in enumerate(self._futures):
            if n not in wanted:
                future.cancel()
        return (self._futures[n].result() for n in wanted)

    def close(self) -> None:
        """Stop: files not started yet are not read (a duplicate's, or all after an error); the workers end."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _die_with(parent: int) -> None:
    """Start of a worker: have the kernel kill it when the loading process ends (Linux's PR_SET_PDEATHSIG),
    however that ends (SIGKILL included), so that the workers of a killed load never outlive it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown is all there is
        return
    if os.getppid() != parent:  # the parent ended before the signal was armed
        os._exit(1)


def _prepare_job(job: tuple) -> Prepared:
    return prepare(*job)


def prepare(data: bytes, file_name: str, digest: str, opts: Options, entities: list) -> Prepared:
    """Read and validate one file against the entity list; touches no database."""
    ds = Dataset(file_name)
    try:
        sheets = read_file(data, file_name)
    except FileError as exc:
        ds.error(None, None, None, None, exc.reason, code="unreadable_file")
        return Prepared(data, digest, ds)
    fill = {"plan": opts.plan, "country": opts.country, "source_title": opts.source}
    if opts.agency:
        try:
            fill["agency"] = EntityResolver(entities).resolve(opts.agency)
        except ParseError as exc:
            ds.error(
                None,
                None,
                "agency",
                opts.agency,
                f"the agency chosen for the file: {exc.expected}",
                code=exc.code,
                suggestion=exc.suggestion,
            )
            return Prepared(data, digest, ds)
    ds = validate(sheets, file_name, entities, opts.kind, fill)
    given = {k: v for k, v in (("country", opts.country), ("plan", opts.plan)) if v}
    if ds.layout == "canonical":  # the file's own column wins; the option fills what it lacks
        for row in [*ds.rows, *ds.indirect_costs]:
            for key, value in given.items():
                if row.get(key) is None:
                    row[key] = value
    if opts.allowed_agencies is not None and not ds.errors:
        check_agencies(ds, opts.allowed_agencies)
    return Prepared(data, digest, ds, reported(data, file_name, sheets, ds.rows))


def check_agencies(ds: Dataset, allowed: set[str]) -> None:
    """A focal point may load only their agencies' rows: one foreign row rejects the file (SPEC §10)."""
    for row in _rows_with_agency(ds):
        codes = [c for c in (row.get("agency") or "").split(";") if c]
        foreign = [c for c in codes if c not in allowed]
        if foreign or not codes:
            shown = ", ".join(foreign) or "no agency"
            ds.error(
                row["_sheet"],
                f"row {row['_row']}",
                "agency",
                shown,
                f"a row of your agencies ({', '.join(sorted(allowed)) or 'none on your account'}); "
                "your account may not load other agencies' rows",
                code="foreign_agency_row",
            )


def _rows_with_agency(ds: Dataset):
    return ds.suboutputs if ds.layout == "uninfo" else [*ds.rows, *ds.indirect_costs]
