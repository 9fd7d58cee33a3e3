"""Load one file: read, validate, then commit all of it in one transaction, or nothing (SPEC §7).

The command line and the Upload page both call `load_bytes`; neither has load logic of its own.
A dry run performs the whole load inside a transaction, measures what it would change (the
preview) and rolls it back, so the preview is exactly what Commit will do.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

import store.connection
import store.transactions
import store.writes
from core import parse
from core.entities import EntityResolver
from core.errors import FileError, ParseError, Problem
from core.schema import BUDGET_LINES, INDIRECT_COST_ROWS, KINDS, PLAN_COUNTRIES, SAME_COUNTRY, SUBOUTPUTS, Stored
from etl import limits
from etl.read import read_file
from etl.validate import Dataset, _check_duplicate_keys, validate
from store import history, lake, periods

Progress = Callable[[float, str], None]
#: files validated and written together by one load_many call (memory grows with the batch)
BATCH_FILES = 25


@dataclass
class LoadResult:
    file_name: str
    status: str  # committed, rejected, duplicate, valid (dry run)
    kind: str | None = None
    layout: str | None = None
    submission_id: int | None = None
    rows_added: int = 0
    rows_replaced: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    duplicate_of: dict | None = None
    preview: dict | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("committed", "valid", "duplicate")

    @property
    def summary(self) -> str:
        if self.status == "duplicate":
            d = self.duplicate_of or {}
            when = f"{d.get('created_at'):%Y-%m-%d %H:%M}" if d.get("created_at") else "earlier"
            who = d.get("user_name") or "an unnamed user"
            return (
                f"{self.file_name}: already loaded on {when} by {who} (submission {d.get('submission_id')}); "
                "nothing changed"
            )
        if self.status == "rejected":
            return f"{self.file_name}: {len(self.errors)} error(s); nothing was loaded"
        verb = "would add" if self.status == "valid" else "added"
        sid = f" as submission {self.submission_id}" if self.submission_id and self.status == "committed" else ""
        return (
            f"{self.file_name}: {self.kind}{' (UN INFO export)' if self.layout == 'uninfo' else ''} "
            f"{verb} {self.rows_added} row(s), replacing {self.rows_replaced}{sid}; "
            f"{len(self.warnings)} warning(s)"
        )


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


def load_path(con, path: str | Path, **options) -> LoadResult:
    """Load a file from disk (refused by its size on disk before it is read)."""
    path = Path(path)
    try:
        data = limits.read_capped(path)
    except FileError as exc:
        ds = Dataset(path.name)
        ds.error(None, None, None, None, exc.reason, code="unreadable_file")
        return LoadResult(path.name, "rejected", errors=ds.errors)
    return load_bytes(con, data, path.name, **options)


def load_bytes(
    con, data: bytes, file_name: str, *, dry_run: bool = False, progress: Progress | None = None, **options
) -> LoadResult:
    """Validate and load one file (options: see `Options`)."""
    return load_many(con, [(data, file_name)], dry_run=dry_run, progress=progress, **options)[0]


def load_many(
    con,
    files: list[tuple[bytes, str]],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    workers: int = 1,
    record_rejected: bool = False,
    **options,
) -> list[LoadResult]:
    """Validate and load several files; each file is all or nothing on its own.

    Files are read and validated (in `workers` processes when > 1), then every valid file is
    written in one transaction: a batch commits once instead of once per file. `record_rejected`
    records a rejected file in the history even on a dry run (the Upload page's check).
    """
    if len(files) > BATCH_FILES:  # bounded memory: validated files are held until their batch is written
        results = []
        for start in range(0, len(files), BATCH_FILES):
            share = (start / len(files), min(BATCH_FILES, len(files) - start) / len(files))
            part = (lambda f, t, s=share: progress(s[0] + f * s[1], t)) if progress else None
            results += load_many(
                con,
                files[start : start + BATCH_FILES],
                dry_run=dry_run,
                progress=part,
                workers=workers,
                record_rejected=record_rejected,
                **options,
            )
        return results
    opts = Options(**options)
    step = progress or (lambda fraction, text: None)
    results: list[LoadResult | None] = [None] * len(files)
    pending = []
    for n, (data, file_name) in enumerate(files):
        digest = sha256(data)
        previous = store.writes.find_duplicate(con, digest, opts.kind)
        if previous:
            results[n] = _duplicate(con, file_name, opts.kind, digest, opts.user, previous, dry_run)
        else:
            pending.append((n, data, file_name, digest))
    entities = store.writes.entities(con)
    jobs = [(data, file_name, digest, opts, entities) for _, data, file_name, digest in pending]
    prepared = []
    for done, (item, outcome) in enumerate(zip(pending, _prepare_all(jobs, workers))):
        n = item[0]
        step(0.8 * (done + 1) / max(len(pending), 1), f"checked {item[2]}")
        if outcome.dataset.errors:
            # a rejected file is recorded in the history (the Upload page's check asks for it even on a dry run)
            results[n] = _reject(con, outcome, opts.user, dry_run and not record_rejected)
        else:
            prepared.append((n, outcome))
    step(0.85, "writing" if not dry_run else "measuring the changes")
    while prepared:  # the same content twice in one call: the second is written after, as a duplicate
        seen, batch, later = set(), [], []
        for n, item in prepared:
            (later if item.digest in seen else batch).append((n, item))
            seen.add(item.digest)
        for (n, _), result in zip(batch, _write(con, [item for _, item in batch], opts, dry_run, record_rejected)):
            results[n] = result
        prepared = later
    step(1.0, "done")
    return results


def _prepare_all(jobs: list[tuple], workers: int):
    if workers > 1 and len(jobs) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(
            min(workers, len(jobs)),
            mp_context=multiprocessing.get_context("fork"),
            initializer=_die_with,
            initargs=(os.getpid(),),
        ) as pool:
            yield from pool.map(_prepare_job, jobs)
    else:
        yield from map(_prepare_job, jobs)


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
    return Prepared(data, digest, ds)


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


def build_frames(ds: Dataset) -> dict[str, pa.Table]:
    """Canonical rows → the typed tables staged for the insert, one column per stored column (core.schema)."""
    if ds.layout == "uninfo":  # figures and sub-outputs are joined in the database (see store.writes.stage_uninfo)
        figures = tuple(c for c in BUDGET_LINES.columns if c.name in UNINFO_FIGURES)
        return {
            "staged_figures": _table(ds.rows, figures),
            "staged_suboutputs": _table(ds.suboutputs, SUBOUTPUTS.columns),
        }
    kind = KINDS[ds.kind]
    frames = {"staged": _table(COMPLETE_ROWS[kind.name](ds.rows), kind.table.columns)}
    if INDIRECT_COST_ROWS in kind.parts:  # a budget's indirect costs go with its lines
        frames["staged_indirect"] = _table(ds.indirect_costs, INDIRECT_COST_ROWS.columns)
    return frames


#: the columns of a UN INFO export's budget lines staged apart from their sub-outputs
UNINFO_FIGURES = ("suboutput_id", "year", "required", "available", "expenditure")


def _budget_rows(rows: list[dict]) -> list[dict]:
    return [{**r, "joint": False, "currency": r.get("currency") or "USD"} for r in rows]


def _indicator_rows(rows: list[dict]) -> list[dict]:
    return [{**r, "period_end": parse.period_end(r["period"])} for r in rows]


def _action_rows(rows: list[dict]) -> list[dict]:
    today = dt.date.today()
    return [
        {
            **r,
            "source_type": r.get("source_type") or "evaluation",
            "as_of": r.get("as_of") or today,
            "currency": r.get("currency") or "USD",
        }
        for r in rows
    ]  # of the cost and funding, as a budget's


#: per kind, what its validated rows gain before they are stored (defaults and derived columns)
COMPLETE_ROWS = {"budget": _budget_rows, "indicators": _indicator_rows, "actions": _action_rows}
#: the Arrow type staged for each SQL type of a stored column, so DuckDB never guesses one from the first values
ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "DOUBLE": pa.float64(),
    "INTEGER": pa.int32(),
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
}


def _table(rows: list[dict], columns: tuple[Stored, ...]) -> pa.Table:
    return pa.table({c.name: pa.array([r.get(c.name) for r in rows], type=ARROW_TYPES[c.type]) for c in columns})


def _single(values) -> str | None:
    distinct = {v for v in values if v}
    return distinct.pop() if len(distinct) == 1 else None


def _reject(con, prepared: Prepared, user: str | None, dry_run: bool) -> LoadResult:
    ds = prepared.dataset
    result = LoadResult(ds.file_name, "rejected", ds.kind, ds.layout, errors=ds.errors, warnings=ds.warnings)
    if not dry_run:
        result.submission_id = store.writes.log_submission(
            con,
            kind=ds.kind,
            layout=ds.layout,
            file_name=ds.file_name,
            sha256=prepared.digest,
            user_name=user,
            **_rejected_fields(ds),
        )
    return result


def _rejected_fields(ds: Dataset) -> dict:
    return dict(
        status="rejected",
        rows_rejected=len(ds.suboutputs if ds.layout == "uninfo" else ds.rows),
        errors=[str(p) for p in ds.errors[:1000]],
        warnings=[str(p) for p in ds.warnings[:1000]],
    )


def _write(con, batch: list[Prepared], opts: Options, dry_run: bool, record_rejected: bool) -> list[LoadResult]:
    """Commit the validated files in one transaction, one writer at a time (SPEC §7).

    Each load is first recorded as 'loading' so that a process killed mid-load leaves a trace: the
    next start marks it 'failed' (see store.connection.connect); its rows were never committed. A dry run
    writes everything inside the transaction, measures the preview and rolls back. What depends on the
    stored data — the rows' country (`settle_countries`) and the agency boundaries of what a file replaces
    (`check_boundaries`) — is decided inside the transaction, before the file writes anything: a file
    refused there is recorded as rejected and the others of the batch load.

    On a shared store (store.lake) other processes load too: numbering, the duplicate check, the 'loading'
    records and the writes are then one write transaction (`_write_shared`), run again when another process
    committed meanwhile; a process killed mid-load leaves nothing there.
    """
    with store.transactions.write_lock:
        if not dry_run and lake.is_shared(con):
            writer = con.cursor()
            try:
                return store.transactions.write_transaction(writer, _write_shared, batch, opts)
            except Exception as exc:
                _record_failed(con, batch, opts, exc)
                raise
            finally:
                writer.close()
        results: list[LoadResult] = []
        todo = []
        for item in batch:
            previous = store.writes.find_duplicate(con, item.digest, item.dataset.kind)
            if previous:  # the same content was committed meanwhile (a concurrent upload, or earlier in this batch)
                results.append(
                    _duplicate(
                        con, item.dataset.file_name, item.dataset.kind, item.digest, opts.user, previous, dry_run
                    )
                )
                continue
            ds = item.dataset
            result = LoadResult(
                ds.file_name, "valid" if dry_run else "committed", ds.kind, ds.layout, warnings=ds.warnings
            )
            result.submission_id = store.writes.next_submission_id(con, after=todo[-1][1].submission_id if todo else 0)
            results.append(result)
            todo.append((item, result))
        writer = con.cursor()  # this batch's own connection: its staging and transaction stay private
        try:
            if not dry_run:
                writer.execute("BEGIN")
                store.transactions.bump_version(writer)
                for item, result in todo:
                    store.writes.record_submission(
                        writer, result.submission_id, status="loading", **_submission_meta(item, opts.user)
                    )
                writer.execute("COMMIT")
            writer.execute("BEGIN")
            try:
                if not dry_run:
                    store.transactions.bump_version(writer)
                _write_items(writer, todo, opts, dry_run)
                if dry_run:
                    writer.execute("ROLLBACK")
                else:
                    history.record_load(writer, [r.submission_id for _, r in todo if r.status == "committed"])
                    writer.execute("COMMIT")
            except BaseException as exc:
                store.transactions.abandon(writer, exc)
                if not dry_run:
                    try:
                        for _, result in todo:
                            store.writes.finish_submission(writer, result.submission_id, status="failed")
                    except duckdb.Error as failure:  # a full disk: the next store.connection.connect marks them failed
                        exc.add_note(f"(marking the load failed failed too: {failure})")
                raise
        finally:
            writer.close()
        if dry_run:
            for item, result in todo:  # the Upload page's check records a refused file, as it does a rejected one
                refused = result.status == "rejected" and record_rejected
                result.submission_id = (
                    store.writes.log_submission(
                        con,
                        kind=item.dataset.kind,
                        layout=item.dataset.layout,
                        file_name=item.dataset.file_name,
                        sha256=item.digest,
                        user_name=opts.user,
                        **_rejected_fields(item.dataset),
                    )
                    if refused
                    else None
                )
        return results


def _write_shared(writer, batch: list[Prepared], opts: Options) -> list[LoadResult]:
    """`_write` on a shared store, inside `store.transactions.write_transaction`: each attempt starts from the files
    as validated (an attempt refused by a conflict has settled their countries and boundaries on older data)."""
    batch = copy.deepcopy(batch)
    results: list[LoadResult] = []
    todo: list[tuple[Prepared, LoadResult]] = []
    for item in batch:
        ds = item.dataset
        previous = store.writes.find_duplicate(writer, item.digest, ds.kind)
        if previous:  # committed by another process meanwhile
            results.append(
                _duplicate(writer, ds.file_name, ds.kind, item.digest, opts.user, previous, False, in_transaction=True)
            )
            continue
        result = LoadResult(ds.file_name, "committed", ds.kind, ds.layout, warnings=ds.warnings)
        result.submission_id = store.writes.next_submission_id(writer, after=todo[-1][1].submission_id if todo else 0)
        store.writes.record_submission(
            writer, result.submission_id, status="loading", **_submission_meta(item, opts.user)
        )
        results.append(result)
        todo.append((item, result))
    _write_items(writer, todo, opts, False)
    history.record_load(writer, [r.submission_id for _, r in todo if r.status == "committed"])
    return results


def _record_failed(con, batch: list[Prepared], opts: Options, error: Exception) -> None:
    """A shared store's load that raised (nothing of it was committed): its files recorded as failed, as a load cut
    off is on the file."""
    try:
        for item in batch:
            store.writes.log_submission(con, **{**_submission_meta(item, opts.user), "status": "failed"})
    except duckdb.Error as failure:  # the catalog is gone too
        error.add_note(f"(recording the load as failed failed too: {failure})")


def _write_items(writer, todo: list[tuple[Prepared, LoadResult]], opts: Options, dry_run: bool) -> None:
    """Inside the open transaction: the numbered files' rows (UN INFO exports first, together)."""
    uninfo = [(item, result) for item, result in todo if item.dataset.layout == "uninfo"]
    if uninfo:  # UN INFO exports replace by sub-output ID: written together, set-based
        _write_uninfo(writer, uninfo, opts, dry_run)
    for item, result in todo:
        if item.dataset.layout != "uninfo":
            _write_one(writer, item, result, opts, dry_run)


def _submission_meta(item: Prepared, user: str | None) -> dict:
    ds = item.dataset
    rows = ds.suboutputs if ds.layout == "uninfo" else ds.rows
    return dict(
        kind=ds.kind,
        layout=ds.layout,
        file_name=ds.file_name,
        sha256=item.digest,
        user_name=user,
        agency=_single(r.get("agency") for r in rows),
        plan=_single(r.get("plan") for r in rows),
        country=_single(r.get("country") for r in rows),
        warnings=[str(p) for p in ds.warnings[:1000]],
    )


def _refuse(writer, item: Prepared, result: LoadResult, dry_run: bool) -> None:
    """Inside the open transaction, before the file wrote anything: the file is rejected, its errors listed."""
    ds = item.dataset
    result.status, result.errors, result.warnings = "rejected", ds.errors, ds.warnings
    result.rows_added = result.rows_replaced = 0
    if not dry_run:
        store.writes.finish_submission(writer, result.submission_id, **_rejected_fields(ds))


def _stage_uninfo(writer, group: list[tuple[Prepared, LoadResult]]) -> None:
    figures, subs = [], []
    for item, result in group:
        frames = build_frames(item.dataset)
        sid = pa.array([result.submission_id] * frames["staged_figures"].num_rows, type=pa.int64())
        figures.append(frames["staged_figures"].append_column("sid", sid))
        sid = pa.array([result.submission_id] * frames["staged_suboutputs"].num_rows, type=pa.int64())
        subs.append(frames["staged_suboutputs"].append_column("sid", sid))
    store.writes.stage(writer, "staged_figures", pa.concat_tables(figures))
    store.writes.stage(writer, "staged_suboutputs", pa.concat_tables(subs))
    store.writes.stage_uninfo(writer)


def _write_uninfo(writer, group: list[tuple[Prepared, LoadResult]], opts: Options, dry_run: bool) -> None:
    """Inside the open transaction: several UN INFO exports at once, in file order (later files win)."""
    try:
        _stage_uninfo(writer, group)
        if opts.allowed_agencies is not None or dry_run:  # what they would retire: to check, or to preview
            store.writes.stage_retiring(writer, "budget", uninfo=True)
        for item, result in group:
            if opts.allowed_agencies is not None:
                check_boundaries(writer, item.dataset, opts.allowed_agencies, result.submission_id)
            periods.check_load(writer, item.dataset, result.submission_id)  # a closed period's rows may not change
        refused = [(item, result) for item, result in group if item.dataset.errors]
        for item, result in refused:
            _refuse(writer, item, result, dry_run)
        if refused:
            group = [(item, result) for item, result in group if not item.dataset.errors]
            if not group:
                return
            _stage_uninfo(writer, group)  # the accepted files only
            if opts.allowed_agencies is not None or dry_run:
                store.writes.stage_retiring(writer, "budget", uninfo=True)
        if dry_run:
            before = _preview_before(writer, "budget", [item.dataset for item, _ in group])
            for item, result in group:  # a dry run records nothing outside its transaction
                store.writes.record_submission(
                    writer, result.submission_id, status="loading", **_submission_meta(item, opts.user)
                )
        entities = {e.code: e for item, _ in group for e in item.dataset.new_entities}
        for entity in entities.values():
            store.writes.add_entity(writer, entity.code, entity.name, origin="uninfo")
        store.writes.upsert_plans(writer, group[0][1].submission_id, source="staged_suboutputs")
        counts = store.writes.replace_and_insert_uninfo(writer, [result.submission_id for _, result in group])
        for item, result in group:
            result.rows_added, result.rows_replaced = counts.get(result.submission_id, (0, 0))
            store.writes.finish_submission(
                writer,
                result.submission_id,
                status="committed",
                rows_added=result.rows_added,
                rows_replaced=result.rows_replaced,
            )
            if not dry_run:
                store.writes.keep_file(writer, result.submission_id, item.data)
        if dry_run:
            group[0][1].preview = {
                **before,
                "after": preview_totals(writer, "budget"),
                "sample": preview_sample(writer, "budget", [r.submission_id for _, r in group]),
            }
    finally:
        writer.unregister("staged_figures")
        writer.unregister("staged_suboutputs")
        writer.execute("DROP VIEW IF EXISTS staged")
        writer.execute("DROP TABLE IF EXISTS retiring")
        writer.execute("DROP TABLE IF EXISTS preview_scope")


def _write_one(writer, item: Prepared, result: LoadResult, opts: Options, dry_run: bool) -> None:
    """Inside the open transaction: settle the rows' country, check what the file would replace, then retire
    it, insert the file's rows and mark it committed — or refuse the file, having written nothing."""
    ds, sid = item.dataset, result.submission_id
    settle_countries(writer, ds)
    result.warnings = ds.warnings
    if ds.errors:
        return _refuse(writer, item, result, dry_run)
    frames = build_frames(ds)
    columns = tuple(frames["staged"].column_names)
    # each staged row's number, so that what it would replace names the file's row
    frames["staged"] = frames["staged"].append_column("_n", pa.array(range(len(ds.rows)), type=pa.int64()))
    for name, frame in frames.items():
        store.writes.stage(writer, name, frame)
    try:
        if opts.allowed_agencies is not None or dry_run:  # what it would retire: to check, or to preview
            store.writes.stage_retiring(writer, ds.kind, uninfo=False)
        if opts.allowed_agencies is not None:
            check_boundaries(writer, ds, opts.allowed_agencies)
        periods.check_load(writer, ds)  # a closed period's rows may not change
        if ds.errors:
            return _refuse(writer, item, result, dry_run)
        if dry_run:
            before = _preview_before(writer, ds.kind, [ds])
            store.writes.record_submission(writer, sid, status="loading", **_submission_meta(item, opts.user))
        for entity in ds.new_entities:
            store.writes.add_entity(writer, entity.code, entity.name, origin="uninfo")
        store.writes.upsert_plans(writer, sid)
        added, replaced = store.writes.replace_and_insert(writer, ds.kind, sid, columns)
        if "staged_indirect" in frames:  # a budget's indirect costs go with its lines
            store.writes.replace_and_insert_indirect(writer, sid)
        store.writes.finish_submission(
            writer,
            sid,
            status="committed",
            rows_added=added,
            rows_replaced=replaced,
            country=_single(r.get("country") for r in ds.rows),
            warnings=[str(p) for p in ds.warnings[:1000]],
        )
        result.rows_added, result.rows_replaced = added, replaced
        if dry_run:
            result.preview = {
                **before,
                "after": preview_totals(writer, ds.kind),
                "sample": preview_sample(writer, ds.kind, [sid]),
            }
        else:
            store.writes.keep_file(writer, sid, item.data)
    finally:
        for name in frames:
            writer.unregister(name)
        writer.execute("DROP TABLE IF EXISTS retiring")
        writer.execute("DROP TABLE IF EXISTS preview_scope")


def _duplicate(con, file_name, kind, digest, user, previous, dry_run, in_transaction=False) -> LoadResult:
    """A file whose content was committed before: recorded as a duplicate (in the caller's open transaction when
    `in_transaction`, else in its own)."""
    kind = kind or previous.get("kind")
    result = LoadResult(file_name, "duplicate", kind, duplicate_of=previous)
    if not dry_run:
        fields = dict(
            kind=kind,
            file_name=file_name,
            sha256=digest,
            user_name=user,
            status="duplicate",
            duplicate_of=previous["submission_id"],
        )
        if in_transaction:
            result.submission_id = store.writes.next_submission_id(con)
            store.writes.record_submission(con, result.submission_id, **fields)
        else:
            result.submission_id = store.writes.log_submission(con, **fields)
    return result


# ---------------------------------------------------------------- what the stored data decide

CHOOSE_COUNTRY = "choose the country (--country, or the Upload page's Country field)"


def settle_countries(cur, ds: Dataset) -> None:
    """The country rule (README, Load), on the rows of a budget, indicators or actions file, at write time.

    A plan is a plan of a country, and one plan name is used in many. A row without a country (the file's
    column and the country chosen for the file both blank) takes its plan's when the plan's name is known
    in exactly one country (the current data, and the file's own rows with a country); a plan known in
    several countries refuses the file, naming them; an unknown plan loads without a country, with a
    warning. The country is stored in the rows: a later load never changes how they are shown.
    """
    if ds.layout == "uninfo":  # every sub-output names its country
        return
    open_rows: dict[str, list[dict]] = {}
    named: dict[str, set[str]] = {}
    for row in ds.rows:
        if not row.get("plan"):
            continue
        if row.get("country") is None:
            open_rows.setdefault(row["plan"], []).append(row)
        else:
            named.setdefault(row["plan"], set()).add(row["country"])
    if not open_rows:
        return
    known = dict(
        cur.execute(
            f"""SELECT plan, list(DISTINCT country) FROM ({PLAN_COUNTRIES})
                                 WHERE plan IN (SELECT unnest(?)) AND coalesce(country, '') <> ''
                                 GROUP BY plan""",
            [list(open_rows)],
        ).fetchall()
    )
    filled = False
    for plan, rows in open_rows.items():
        countries = sorted(set(known.get(plan) or ()) | named.get(plan, set()))
        if len(countries) == 1:
            for row in rows:
                row["country"] = countries[0]
            filled = True
        elif countries:
            ds.error(
                rows[0]["_sheet"],
                None,
                "country",
                None,
                f"plan '{plan}' exists in {', '.join(countries)} ({len(countries)} countries): {CHOOSE_COUNTRY}",
                code="country_ambiguous",
            )
        else:
            ds.warn(
                rows[0]["_sheet"],
                None,
                "country",
                None,
                f"plan '{plan}' is not known in any country yet: {len(rows):,} row(s) loaded without a country "
                f"show only under 'All countries' (to place them in a country, {CHOOSE_COUNTRY})",
                code="country_unknown",
            )
    if filled and not ds.errors:  # rows that now have the same country may repeat one another
        for sheet in ds.sheets:
            _check_duplicate_keys(ds, KINDS[ds.kind], sheet)


def check_boundaries(cur, ds: Dataset, allowed: set[str], sid: int | None = None) -> None:
    """A submission may retire only rows of the uploader's agencies (SPEC §2.1b, §10): each staged row that
    would retire a current row of another agency (a joint row: of none of the uploader's) is an error naming
    the row and the owner. Runs on the `retiring` table (`store.writes.stage_retiring`; `sid`: this UN INFO file's)."""
    mine = " or ".join(f"{code}'s" for code in sorted(allowed)) or "no agency's"
    owners: dict[str, set[str]] = {}
    for ref, agency, scope, country in _foreign(cur, allowed, sid):
        owners.setdefault(ref, set()).add(_owner(agency, scope, country, ds.layout))
    if ds.layout == "uninfo":
        rows = {sub["suboutput_id"]: sub for sub in ds.suboutputs}
        for ref, found in sorted(owners.items(), key=lambda o: rows[o[0]]["_row"]):
            row = rows[ref]
            ds.error(
                row["_sheet"],
                f"row {row['_row']}",
                "ID",
                None,
                f"ID {ref} is a sub-output of {' and '.join(sorted(found))}; your account may replace only {mine} rows",
                code="replaces_other_agency",
            )
        return
    for ref, found in sorted(owners.items(), key=lambda o: int(o[0])):
        row = ds.rows[int(ref)]
        ds.error(
            row["_sheet"],
            f"row {row['_row']}",
            "agency",
            row.get("agency"),
            f"it would replace current rows of {' and '.join(sorted(found))}; your account may replace only "
            f"{mine} rows",
            code="replaces_other_agency",
        )


def _foreign(cur, agencies: set[str], sid: int | None = None) -> list[tuple]:
    """Rows of `retiring` that belong to none of `agencies` (a joint row belongs to each of its agencies, a
    row without an agency to none): (staged row, agency, scope, country)."""
    return cur.execute(
        """SELECT ref, agency, scope, country FROM retiring
                          WHERE NOT coalesce(list_has_any(string_split(agency, ';'), ?::VARCHAR[]), FALSE)
                            AND coalesce(sid = ?, TRUE) ORDER BY ALL""",
        [sorted(agencies), sid],
    ).fetchall()


def _owner(agency: str | None, scope: str | None, country: str | None, layout: str) -> str:
    """'UNICEF', 'UNDP and UNICEF (joint)' or 'no agency'; with the plan or source outside UN INFO exports."""
    codes = [c for c in (agency or "").split(";") if c]
    who = " and ".join(codes) + (" (joint)" if len(codes) > 1 else "") if codes else "no agency"
    if layout == "uninfo":
        return who
    return f"{who} in '{scope}'" + (f" ({country})" if country else "")


# ---------------------------------------------------------------- the preview: totals before → after


def _preview_before(cur, kind: str, datasets: list[Dataset]) -> dict:
    """Fix what the preview covers (`preview_scope`), then measure it before the write: {'before', 'others'}."""
    uninfo = datasets[0].layout == "uninfo"
    source = "staged_suboutputs" if uninfo else "staged"
    cur.execute(f"""CREATE OR REPLACE TEMP TABLE preview_scope AS
                    SELECT DISTINCT {KINDS[kind].table.scope_key} AS scope, country, agency FROM {source}
                    UNION SELECT DISTINCT scope, country, agency FROM retiring""")
    own = {
        code
        for ds in datasets
        for row in (ds.suboutputs if uninfo else ds.rows)
        for code in (row.get("agency") or "").split(";")
        if code
    }
    others = sorted({agency or "" for _, agency, _, _ in _foreign(cur, own)})
    return {"before": preview_totals(cur, kind), "others": others}


def preview_totals(con, kind: str) -> dict:
    """Totals of the current rows in the preview's scope, in all and per agency (for before → after).

    The scope (`preview_scope`) is each plan (or evaluation) of a country and agency that the staged rows
    hold or that the rows they would retire belong to: a file that replaces another agency's rows shows
    that agency's change too. A plan is a plan of a country (`core.schema.SAME_COUNTRY`, the rule replacements
    follow): plans of the same name in other countries are outside it."""
    cur = con  # the loading connection: it sees the staged tables and its own open transaction
    view, measures = KINDS[kind].view.name, ("rows", *KINDS[kind].totals)
    sums = "".join(f", sum(t.{m})" for m in measures[1:])
    found = cur.execute(f"""SELECT grouping(t.agency) = 1, t.agency, count(*){sums} FROM {view} t
        WHERE EXISTS (SELECT 1 FROM preview_scope s WHERE s.scope = t.{KINDS[kind].table.scope_key}
                      AND {SAME_COUNTRY} AND s.agency IS NOT DISTINCT FROM t.agency)
        GROUP BY GROUPING SETS ((t.agency), ())""").fetchall()
    total = next((row[2:] for row in found if row[0]), (0, *[None] * (len(measures) - 1)))
    by_agency = {row[1]: dict(zip(measures, row[2:])) for row in found if not row[0]}
    return {**dict(zip(measures, total)), "by_agency": by_agency, **preview_scope(cur, kind)}


def preview_scope(con, kind: str) -> dict:
    """What the before → after totals cover: the plans (or evaluations) of a country and the agencies, sorted."""
    scopes = [
        f"{scope} ({country})" if country else scope
        for scope, country in con.execute(
            "SELECT DISTINCT scope, country FROM preview_scope WHERE scope IS NOT NULL ORDER BY 1, 2"
        ).fetchall()
    ]
    agencies = [
        r[0]
        for r in con.execute("SELECT DISTINCT agency FROM preview_scope WHERE agency IS NOT NULL ORDER BY 1").fetchall()
    ]
    return {"scopes": scopes, "agencies": agencies}


#: the columns a preview's sample shows of each kind's rows
SAMPLE_COLUMNS = {
    "budget": (
        "country",
        "plan",
        "outcome_code",
        "output_code",
        "suboutput_title",
        "agency",
        "year",
        "required",
        "available",
        "expenditure",
        "currency",
    ),
    "indicators": ("country", "plan", "indicator_code", "indicator", "period", "actual", "target", "agency"),
    "actions": ("source_title", "recommendation_no", "action_no", "action", "agency", "deadline", "status"),
}
SAMPLE_ROWS = 5


def preview_sample(cur, kind: str, sids: list[int]) -> dict:
    """A few of the rows Commit would add and of the current rows it would replace (inside the dry run's
    transaction, after the write): {'added': DataFrame, 'replaced': DataFrame}."""
    table, columns = KINDS[kind].table.name, ", ".join(SAMPLE_COLUMNS[kind])
    marks = ", ".join("?" * len(sids))
    return {
        "added": cur.execute(
            f"SELECT {columns} FROM {table} WHERE submission_id IN ({marks}) AND current LIMIT {SAMPLE_ROWS}", sids
        ).df(),
        "replaced": cur.execute(
            f"SELECT {columns} FROM {table} WHERE replaced_by IN ({marks}) LIMIT {SAMPLE_ROWS}", sids
        ).df(),
    }
