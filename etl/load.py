"""Load one file: read, validate, then commit all of it in one transaction, or nothing (SPEC §7).

The command line and the Upload page both call `load_bytes`; neither has load logic of its own. Reading and
validating (in worker processes for a batch) is etl.prepare; what the stored data decide is etl.stored.
A dry run performs the whole load inside a transaction, measures what it would change (the
preview) and rolls it back, so the preview is exactly what Commit will do.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import duckdb
import pyarrow as pa

import store.connection
import store.transactions
import store.writes
from core import parse
from core.errors import FileError, Problem
from core.registry import Stored
from core.schema import BUDGET_LINES, INDIRECT_COST_ROWS, KINDS, SUBOUTPUTS
from etl import limits
from etl.dataset import Dataset
from etl.prepare import Options, Prepared, Reading, prepare_all, sha256
from etl.stored import check_boundaries, preview_before, preview_sample, preview_totals, settle_countries
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
    def sid(self) -> int:
        """The submission id of a result being written (`_write` sets it before the file writes anything)."""
        assert self.submission_id is not None
        return self.submission_id

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
    reading: Reading | None = None,
    **options,
) -> list[LoadResult]:
    """Validate and load several files; each file is all or nothing on its own.

    Files are read and validated (in `workers` processes when > 1; by `reading` when it started on them before the
    store opened, with its entity list), then every valid file is written in one transaction: a batch commits once
    instead of once per file. `record_rejected` records a rejected file even on a dry run (the Upload page's check).
    """
    if len(files) > BATCH_FILES:  # bounded memory: validated files are held until their batch is written
        batches: list[LoadResult] = []
        for start in range(0, len(files), BATCH_FILES):
            share = (start / len(files), min(BATCH_FILES, len(files) - start) / len(files))
            part = (lambda f, t, s=share: progress(s[0] + f * s[1], t)) if progress else None
            batches += load_many(
                con,
                files[start : start + BATCH_FILES],
                dry_run=dry_run,
                progress=part,
                workers=workers,
                record_rejected=record_rejected,
                **options,
            )
        return batches
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
    outcomes = reading.results(files, opts, entities, [n for n, *_ in pending]) if reading is not None else None
    if outcomes is None:
        outcomes = prepare_all([(data, name, digest, opts, entities) for _, data, name, digest in pending], workers)
    prepared = []
    for done, (job, outcome) in enumerate(zip(pending, outcomes)):
        n = job[0]
        step(0.8 * (done + 1) / max(len(pending), 1), f"checked {job[2]}")
        if outcome.dataset.errors:
            # a rejected file is recorded in the history (the Upload page's check asks for it even on a dry run)
            results[n] = _reject(con, outcome, opts.user, dry_run and not record_rejected)
        else:
            prepared.append((n, outcome))
    step(0.85, "writing" if not dry_run else "measuring the changes")
    while prepared:  # the same content twice in one call: the second is written after, as a duplicate
        seen: set[str] = set()
        batch: list[tuple[int, Prepared]] = []
        later: list[tuple[int, Prepared]] = []
        for n, item in prepared:
            (later if item.digest in seen else batch).append((n, item))
            seen.add(item.digest)
        for (n, _), result in zip(batch, _write(con, [item for _, item in batch], opts, dry_run, record_rejected)):
            results[n] = result
        prepared = later
    step(1.0, "done")
    return cast(list[LoadResult], results)  # every file has its result by now


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
            "currency": r.get("currency") or "USD",  # of the cost and funding, as a budget's
        }
        for r in rows
    ]


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
            return _write_shared(con, batch, opts)
        results: list[LoadResult] = []
        todo: list[tuple[Prepared, LoadResult]] = []
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
            result.submission_id = store.writes.next_submission_id(con, after=todo[-1][1].sid if todo else 0)
            results.append(result)
            todo.append((item, result))
        writer = con.cursor()  # this batch's own connection: its staging and transaction stay private
        try:
            if not dry_run:
                writer.execute("BEGIN")
                store.transactions.bump_version(writer)
                for item, result in todo:
                    store.writes.record_submission(
                        writer, result.sid, status="loading", **_submission_meta(item, opts.user)
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
                    history.record_load(writer, [r.sid for _, r in todo if r.status == "committed"])
                    writer.execute("COMMIT")
            except BaseException as exc:
                store.transactions.abandon(writer, exc)
                if not dry_run:
                    try:
                        for _, result in todo:
                            store.writes.finish_submission(writer, result.sid, status="failed")
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


def _write_shared(con, batch: list[Prepared], opts: Options) -> list[LoadResult]:
    """`_write` on a shared store: one write transaction (store.transactions.write_transaction), run again from the
    files as validated when another process committed meanwhile; a load that raises is recorded as failed."""
    writer = con.cursor()
    try:
        return store.transactions.write_transaction(writer, _write_batch, batch, opts)
    except Exception as exc:
        try:
            for item in batch:
                store.writes.log_submission(con, **{**_submission_meta(item, opts.user), "status": "failed"})
        except duckdb.Error as failure:  # the catalog is gone too
            exc.add_note(f"(recording the load as failed failed too: {failure})")
        raise
    finally:
        writer.close()


def _write_batch(writer, batch: list[Prepared], opts: Options) -> list[LoadResult]:
    """Inside the write transaction: number the files, record them, write their rows (each attempt starts from a
    copy of the files as validated: a refused attempt settled their countries and boundaries on older data)."""
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
        result.submission_id = store.writes.next_submission_id(writer, after=todo[-1][1].sid if todo else 0)
        store.writes.record_submission(writer, result.sid, status="loading", **_submission_meta(item, opts.user))
        results.append(result)
        todo.append((item, result))
    _write_items(writer, todo, opts, False)
    history.record_load(writer, [r.sid for _, r in todo if r.status == "committed"])
    return results


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
        reported_on=item.reported and item.reported.day,
        reported_from=item.reported and item.reported.source,
    )


def _refuse(writer, item: Prepared, result: LoadResult, dry_run: bool) -> None:
    """Inside the open transaction, before the file wrote anything: the file is rejected, its errors listed."""
    ds = item.dataset
    result.status, result.errors, result.warnings = "rejected", ds.errors, ds.warnings
    result.rows_added = result.rows_replaced = 0
    if not dry_run:
        store.writes.finish_submission(writer, result.sid, **_rejected_fields(ds))


def _stage_uninfo(writer, group: list[tuple[Prepared, LoadResult]]) -> None:
    figures, subs = [], []
    for item, result in group:
        frames = build_frames(item.dataset)
        sid = pa.array([result.sid] * frames["staged_figures"].num_rows, type=pa.int64())
        figures.append(frames["staged_figures"].append_column("sid", sid))
        sid = pa.array([result.sid] * frames["staged_suboutputs"].num_rows, type=pa.int64())
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
                check_boundaries(writer, item.dataset, opts.allowed_agencies, result.sid)
            periods.check_load(writer, item.dataset, result.sid)  # a closed period's rows may not change
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
            before = preview_before(writer, "budget", [item.dataset for item, _ in group])
            for item, result in group:  # a dry run records nothing outside its transaction
                store.writes.record_submission(
                    writer, result.sid, status="loading", **_submission_meta(item, opts.user)
                )
        entities = {e.code: e for item, _ in group for e in item.dataset.new_entities}
        for entity in entities.values():
            store.writes.add_entity(writer, entity.code, entity.name, origin="uninfo")
        store.writes.upsert_plans(writer, group[0][1].sid, source="staged_suboutputs")
        counts = store.writes.replace_and_insert_uninfo(writer, [result.sid for _, result in group])
        for item, result in group:
            result.rows_added, result.rows_replaced = counts.get(result.sid, (0, 0))
            store.writes.finish_submission(
                writer, result.sid, status="committed", rows_added=result.rows_added, rows_replaced=result.rows_replaced
            )
            if not dry_run:
                store.writes.keep_file(writer, result.sid, item.data)
        if dry_run:
            group[0][1].preview = {
                **before,
                "after": preview_totals(writer, "budget"),
                "sample": preview_sample(writer, "budget", [r.sid for _, r in group]),
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
    ds, sid = item.dataset, result.sid
    kind = ds.kind
    assert kind is not None  # a validated file has its kind
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
            store.writes.stage_retiring(writer, kind, uninfo=False)
        if opts.allowed_agencies is not None:
            check_boundaries(writer, ds, opts.allowed_agencies)
        periods.check_load(writer, ds)  # a closed period's rows may not change
        if ds.errors:
            return _refuse(writer, item, result, dry_run)
        if dry_run:
            before = preview_before(writer, kind, [ds])
            store.writes.record_submission(writer, sid, status="loading", **_submission_meta(item, opts.user))
        for entity in ds.new_entities:
            store.writes.add_entity(writer, entity.code, entity.name, origin="uninfo")
        store.writes.upsert_plans(writer, sid)
        added, replaced = store.writes.replace_and_insert(writer, kind, sid, columns)
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
                "after": preview_totals(writer, kind),
                "sample": preview_sample(writer, kind, [sid]),
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
