"""Load one file: read, validate, then commit all of it in one transaction, or nothing (SPEC §7).

The command line and the Upload page both call `load_bytes`; neither has load logic of its own.
A dry run performs the whole load inside a transaction, measures what it would change (the
preview) and rolls it back, so the preview is exactly what Commit will do.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyarrow as pa

from etl import parse, store
from etl.read import FileError, read_file
from etl.store import ACTION_COLUMNS, BUDGET_COLUMNS, INDICATOR_COLUMNS, SUBOUTPUT_COLUMNS
from etl.validate import Dataset, Problem, validate

Progress = Callable[[float, str], None]


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
            return (f"{self.file_name}: already loaded on {when} by {who} (submission {d.get('submission_id')}); "
                    "nothing changed")
        if self.status == "rejected":
            return f"{self.file_name}: {len(self.errors)} error(s); nothing was loaded"
        verb = "would add" if self.status == "valid" else "added"
        sid = f" as submission {self.submission_id}" if self.submission_id and self.status == "committed" else ""
        return (f"{self.file_name}: {self.kind}{' (UN INFO export)' if self.layout == 'uninfo' else ''} "
                f"{verb} {self.rows_added} row(s), replacing {self.rows_replaced}{sid}; "
                f"{len(self.warnings)} warning(s)")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_path(con, path: str | Path, **options) -> LoadResult:
    path = Path(path)
    return load_bytes(con, path.read_bytes(), path.name, **options)


def load_bytes(con, data: bytes, file_name: str, *, kind: str | None = None, plan: str | None = None,
               country: str | None = None, source: str | None = None, agency: str | None = None,
               user: str | None = None, allowed_agencies: set[str] | None = None, dry_run: bool = False,
               progress: Progress | None = None) -> LoadResult:
    """Validate and load one file. `allowed_agencies` (a focal point's) rejects rows of other agencies."""
    step = progress or (lambda fraction, text: None)
    digest = sha256(data)
    previous = store.find_duplicate(con, digest, kind)
    if previous:
        return _duplicate(con, file_name, kind, digest, user, previous, dry_run)

    step(0.05, f"Reading {file_name}")
    try:
        sheets = read_file(data, file_name)
    except FileError as exc:
        ds = Dataset(file_name)
        ds.error(None, None, None, None, exc.reason)
        return _reject(con, ds, digest, user, dry_run)
    step(0.35, "Checking every cell")
    fill = {"plan": plan, "source_title": source}
    if agency:
        fill["agency"] = parse_agency(con, agency)
    ds = validate(sheets, file_name, store.entities(con), kind, fill)
    given = {k: v for k, v in (("country", country), ("plan", plan)) if v}
    if ds.layout == "canonical":  # the file's own column wins; the option fills what it lacks
        for row in ds.rows:
            for key, value in given.items():
                if row.get(key) is None:
                    row[key] = value
    if allowed_agencies is not None and not ds.errors:
        check_agencies(ds, allowed_agencies)
    if ds.errors:
        return _reject(con, ds, digest, user, dry_run)

    step(0.6, "Preparing rows")
    frames = build_frames(ds)
    step(0.75, "Writing" if not dry_run else "Measuring the changes")
    return _write(con, ds, frames, data, digest, user, dry_run)


def parse_agency(con, value: str) -> str:
    from etl.entities import EntityResolver

    return EntityResolver(store.entities(con)).resolve(value)


def check_agencies(ds: Dataset, allowed: set[str]) -> None:
    """A focal point may load only their agencies' rows: one foreign row rejects the file (SPEC §10)."""
    for row in _rows_with_agency(ds):
        codes = [c for c in (row.get("agency") or "").split(";") if c]
        foreign = [c for c in codes if c not in allowed]
        if foreign or not codes:
            shown = ", ".join(foreign) or "no agency"
            ds.error(row["_sheet"], f"row {row['_row']}", "agency", shown,
                     f"a row of your agencies ({', '.join(sorted(allowed)) or 'none on your account'}); "
                     "your account may not load other agencies' rows")


def _rows_with_agency(ds: Dataset):
    return ds.suboutputs if ds.layout == "uninfo" else ds.rows


def build_frames(ds: Dataset) -> dict[str, pa.Table]:
    """Canonical rows → the typed tables staged for the insert, one column per table column."""
    if ds.layout == "uninfo":  # figures and sub-outputs are joined in the database (see store.stage_uninfo)
        return {"staged_figures": _table(ds.rows, ("suboutput_id", "year", "required", "available", "expenditure")),
                "staged_suboutputs": _table(ds.suboutputs, SUBOUTPUT_COLUMNS)}
    if ds.kind == "budget":
        rows = [{**r, "joint": False, "currency": r.get("currency") or "USD"} for r in ds.rows]
        return {"staged": _table(rows, BUDGET_COLUMNS)}
    if ds.kind == "indicators":
        rows = [{**r, "period_end": parse.period_end(r["period"])} for r in ds.rows]
        return {"staged": _table(rows, INDICATOR_COLUMNS)}
    today = dt.date.today()
    rows = [{**r, "source_type": r.get("source_type") or "evaluation", "as_of": r.get("as_of") or today}
            for r in ds.rows]
    return {"staged": _table(rows, ACTION_COLUMNS)}


COLUMN_TYPES = {
    **dict.fromkeys(("required", "available", "expenditure", "baseline", "target", "actual"), pa.float64()),
    **dict.fromkeys(("year", "baseline_year", "target_year"), pa.int32()),
    **dict.fromkeys(("start_date", "end_date", "period_end", "deadline", "as_of"), pa.date32()),
    "joint": pa.bool_(),
}


def _table(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    """Explicit column types so DuckDB never guesses a type from the first values."""
    return pa.table({c: pa.array([r.get(c) for r in rows], type=COLUMN_TYPES.get(c, pa.string())) for c in columns})


def _single(values) -> str | None:
    distinct = {v for v in values if v}
    return distinct.pop() if len(distinct) == 1 else None


def _reject(con, ds: Dataset, digest: str, user: str | None, dry_run: bool) -> LoadResult:
    result = LoadResult(ds.file_name, "rejected", ds.kind, ds.layout, errors=ds.errors, warnings=ds.warnings)
    if not dry_run:
        result.submission_id = store.next_submission_id(con)
        store.record_submission(con, result.submission_id, kind=ds.kind, layout=ds.layout, file_name=ds.file_name,
                                sha256=digest, user_name=user, status="rejected", rows_rejected=len(ds.rows),
                                errors=[str(p) for p in ds.errors[:1000]],
                                warnings=[str(p) for p in ds.warnings[:1000]])
    return result


def _write(con, ds: Dataset, frames: dict, data: bytes, digest: str, user: str | None, dry_run: bool) -> LoadResult:
    """Commit the validated rows in one transaction, one writer at a time (SPEC §7).

    A committed load is first recorded as 'loading' so that a process killed mid-load leaves a
    trace: the next start marks it 'failed' (see store.connect); its rows were never committed.
    """
    rows_for_meta = ds.suboutputs if ds.layout == "uninfo" else ds.rows
    meta = dict(kind=ds.kind, layout=ds.layout, file_name=ds.file_name, sha256=digest, user_name=user,
                agency=_single(r.get("agency") for r in rows_for_meta),
                plan=_single(r.get("plan") for r in rows_for_meta),
                country=_single(r.get("country") for r in rows_for_meta),
                warnings=[str(p) for p in ds.warnings[:1000]])
    scope = "uninfo" if ds.layout == "uninfo" else ds.kind
    result = LoadResult(ds.file_name, "valid" if dry_run else "committed", ds.kind, ds.layout, warnings=ds.warnings)
    with store.write_lock:
        previous = store.find_duplicate(con, digest, ds.kind)
        if previous:  # the same content committed meanwhile by a concurrent upload
            return _duplicate(con, ds.file_name, ds.kind, digest, user, previous, dry_run)
        writer = con.cursor()  # this load's own connection: its staging and transaction stay private
        for name, frame in frames.items():
            store.stage(writer, name, frame)
        if ds.layout == "uninfo":
            store.stage_uninfo(writer)
        columns = BUDGET_COLUMNS if ds.layout == "uninfo" else tuple(frames["staged"].column_names)
        sid = store.next_submission_id(writer)
        if not dry_run:
            store.record_submission(writer, sid, status="loading", **meta)
        writer.execute("BEGIN")
        try:
            before = preview_totals(writer, ds.kind) if dry_run else None
            if dry_run:
                store.record_submission(writer, sid, status="loading", **meta)
            for entity in ds.new_entities:
                store.add_entity(writer, entity.code, entity.name, origin="uninfo")
            store.upsert_plans(writer, sid, with_country="country" in columns)
            added, replaced = store.replace_and_insert(writer, scope, sid, columns)
            store.finish_submission(writer, sid, status="committed", rows_added=added, rows_replaced=replaced)
            result.rows_added, result.rows_replaced = added, replaced
            if dry_run:
                result.preview = {"before": before, "after": preview_totals(writer, ds.kind)}
                writer.execute("ROLLBACK")
            else:
                store.keep_file(writer, sid, data)
                writer.execute("COMMIT")
                result.submission_id = sid
        except BaseException:
            writer.execute("ROLLBACK")
            if not dry_run:
                store.finish_submission(writer, sid, status="failed")
            raise
        finally:
            writer.close()
    return result


def _duplicate(con, file_name, kind, digest, user, previous, dry_run) -> LoadResult:
    kind = kind or previous.get("kind")
    result = LoadResult(file_name, "duplicate", kind, duplicate_of=previous)
    if not dry_run:
        result.submission_id = store.next_submission_id(con)
        store.record_submission(con, result.submission_id, kind=kind, file_name=file_name, sha256=digest,
                                user_name=user, status="duplicate", duplicate_of=previous["submission_id"])
    return result


def preview_totals(con, kind: str) -> dict:
    """Totals of the current rows in the staged rows' plans and agencies (for before → after)."""
    cur = con  # the loading connection: it sees the staged tables and its own open transaction
    if kind == "budget":
        row = cur.execute(
            """SELECT count(*), sum(required), sum(available), sum(expenditure) FROM budget b
               WHERE b.plan IN (SELECT plan FROM staged) AND b.agency IN (SELECT agency FROM staged)""").fetchone()
        return dict(zip(("rows", "required", "available", "expenditure"), row))
    view = "indicator_values" if kind == "indicators" else "actions"
    key = "plan" if kind == "indicators" else "source_title"
    row = cur.execute(f"""SELECT count(*) FROM {view} v WHERE v.{key} IN (SELECT {key} FROM staged)
                          AND coalesce(v.agency, '') IN (SELECT coalesce(agency, '') FROM staged)""").fetchone()
    return {"rows": row[0]}
