"""Opening the database: the one connection factory, its lock-down, DuckDB's errors as one-line messages, and the
checkpoint that makes a full disk say so.

Reads (analytics) and writes (store.writes) both go through `connect()`: a database file, or a shared store
(DuckLake on PostgreSQL or SQLite, store.lake) named by a `ducklake:` URL — callers do not tell them apart.
Opening a writable database migrates it (store.migrations).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb

from core.errors import DatabaseBusy, DatabaseDamaged, DatabaseUnwritable, StoreUnavailable
from store import lake
from store.migrations import SCHEMA_VERSION, migrate

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "unct.duckdb"
LOCK_WAIT_SECONDS = float(os.environ.get("UNCT_LOCK_WAIT", "10"))


#: what DuckDB says when another process holds the file (its other errors never say this)
_LOCK_CONFLICT = "Could not set lock on file"
_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")
#: the advice of DatabaseBusy when the caller gives none (the dashboard opening a file a command holds)
BUSY_ADVICE = "Try again once it has finished."
#: DuckDB's (and the file system's) words for a file that cannot be written → what the user reads
_UNWRITABLE = (
    ("Read-only file system", "the file system is read-only", "Commands that only read it still work."),
    ("Permission denied", "permission denied", "Give this account write access to it and its folder."),
    ("No space left on device", "the disk is full", "Free some space and run the command again."),
    ("Disk quota exceeded", "the disk quota is used up", "Free some space and run the command again."),
    (
        "File too large",
        "the file has reached the largest size this process may write",
        "Raise that limit (ulimit -f) and run the command again.",
    ),
)
#: … for a file that cannot be read as a database → what it is (after "The database PATH")
_DAMAGED = (
    (
        re.compile(r"Corrupt WAL file: entry at byte position (\d+)"),
        lambda m, wal: f"has a damaged write-ahead log, {wal} (entry at byte {int(m[1]):,})",
    ),
    (
        re.compile(r"Corrupt database file:.*block at location (\d+)"),
        lambda m, wal: f"is damaged: a block fails its checksum (at byte {int(m[1]):,})",
    ),
    (re.compile(r"Corrupt database file|checksum"), lambda m, wal: "is damaged: a block fails its checksum"),
    (re.compile(r"Could not read enough bytes"), lambda m, wal: "is damaged: the file is cut short"),
    (re.compile(r"not a valid DuckDB database file"), lambda m, wal: "is not a DuckDB database file"),
    (re.compile(r"Is a directory"), lambda m, wal: "is a folder, not a database file"),
    (
        re.compile(r'Extension "(\w+)" is an existing extension'),
        lambda m, wal: f"is not a DuckDB database file (DuckDB takes it for a {m[1]} file)",
    ),
    (
        re.compile(r"version number (\d+).*can only read version (\d+)"),
        lambda m, wal: f"was written by another DuckDB release (storage version {m[1]}; this one reads {m[2]})",
    ),
)


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file: the argument, else $UNCT_DB, else data/unct.duckdb (a shared store's URL: `target`)."""
    return Path(path or os.environ.get("UNCT_DB") or DEFAULT_DB)


def shared_url(path: str | os.PathLike | None = None) -> str | None:
    """The shared store's `ducklake:` URL when the argument, else $UNCT_DB, names one; else None (a file)."""
    named = str(path or os.environ.get("UNCT_DB") or "")
    return named if lake.is_lake(named) else None


def target(path: str | os.PathLike | None = None) -> str:
    """The store as named: a shared store's `ducklake:` URL as given, else the database file's path."""
    return shared_url(path) or str(db_path(path))


def describe(path: str | os.PathLike | None = None) -> str:
    """The store as the user may read it (a password in a shared store's URL masked)."""
    return lake.describe(target(path))


def local_folder(path: str | os.PathLike | None = None) -> Path:
    """The folder of this installation's own files (the session secret, the signed-out list): the database file's,
    or for a shared store the project's data/ folder (never the working directory a URL's 'parent' would be)."""
    return (DEFAULT_DB if shared_url(path) else db_path(path)).resolve().parent


#: extensions come from the pinned pip packages only (store.lake), never downloaded
_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


#: a database file smaller than this is loaded into with one DuckDB thread (`load_threads`)
ONE_THREAD_BELOW = 128 * 2**20


def load_threads(path: str | os.PathLike | None = None) -> int | None:
    """DuckDB's threads for a load into the store: one for a new or small database file — its worker processes
    read on the machine's cores, the write has few rows to aggregate, and DuckDB's per-thread buffers cost 90-100
    MB of the load's peak memory (measured: README, Benchmarks) —, else DuckDB's default, one per core (a load into
    the 10 M-line store took 2.0 s on one thread, 1.4 s on two)."""
    if shared_url(path):
        return None
    target = db_path(path)
    return 1 if not target.exists() or target.stat().st_size < ONE_THREAD_BELOW else None


def is_new(path: str | os.PathLike | None = None) -> bool:
    """True for a database file not created yet (its first `connect` creates it)."""
    return shared_url(path) is None and not db_path(path).exists()


def peek(path: str | os.PathLike | None, sql: str) -> list[tuple] | None:
    """The rows of `sql` (a statement without parameters) in the database file as it is, without waiting for it,
    migrating or creating it; None when it cannot be read so: a shared store, no file, a file another process holds,
    a write-ahead log to replay first, a damaged file or one without what `sql` reads. For work started before the
    store is opened (the load command's reading), which the caller checks against the opened store after."""
    target = db_path(path)
    if shared_url(path) or not target.exists() or target.with_name(target.name + ".wal").exists():
        return None
    try:
        con = duckdb.connect(str(target), config=_CONFIG)
    except (duckdb.Error, OSError):
        return None
    try:
        return con.execute(sql).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()


def connect(
    path: str | os.PathLike | None = None,
    read_only: bool = False,
    wait: float | None = None,
    busy_advice: str = BUSY_ADVICE,
    threads: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the database, creating and migrating it when writable; a `ducklake:` URL (here or in $UNCT_DB) opens
    the shared store (store.lake).

    When another process holds the file, retry for `wait` seconds, then raise DatabaseBusy (its text ends
    with `busy_advice`: what the caller can do instead). A damaged file raises DatabaseDamaged, one that
    cannot be written (or created) DatabaseUnwritable; a shared store that cannot be reached, StoreUnavailable.
    `threads`: DuckDB's threads for a database file (None: one per core).
    """
    url = shared_url(path)
    if url:
        return _connect_shared(url, read_only)
    target = db_path(path)
    # blocks a write-ahead log adds exist only in memory until the next checkpoint: the length check needs none
    replayed = target.with_name(target.name + ".wal").exists()
    deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
    while True:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(
                str(target), read_only=read_only, config={**_CONFIG, **({"threads": threads} if threads else {})}
            )
            break
        except (duckdb.Error, OSError) as exc:
            if _LOCK_CONFLICT not in str(exc):
                failure = unusable(exc, target)
                if failure is None:
                    raise
                raise failure from exc
            if time.monotonic() >= deadline:
                holder = _HOLDER.search(str(exc))
                by = f"process {holder[2]}, {Path(holder[1]).name}: " if holder else ""
                raise DatabaseBusy(
                    f"The database {target} is in use by another program ({by}most likely the "
                    f"running dashboard). {busy_advice}"
                ) from None
            time.sleep(0.25)
    try:
        if not replayed:
            _check_length(con, target)
        if not read_only:
            migrate(con)
            # a load still 'loading' when the file is opened was cut off (killed, crashed, a full disk):
            # nothing of it was committed, and the history says so
            con.execute("UPDATE submission_log SET status = 'failed' WHERE status = 'loading'")
        elif con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0] < SCHEMA_VERSION:  # type: ignore[index]  # an aggregate: one row
            raise DatabaseUnwritable(
                f"The database {target} needs this release's schema changes, which cannot be "
                "made while it is opened read-only; open it once where it can be written."
            )
        lock_down(con, target.parent)
    except BaseException as exc:
        con.close()
        failure = unusable(exc, target) if isinstance(exc, duckdb.Error) else None
        if failure is None:
            raise
        raise failure from exc
    return con


def _connect_shared(url: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    """The shared store, migrated (store.lake), locked down to its data folder."""
    con = lake.connect(url, read_only=read_only)
    try:
        lock_down(con, *lake.folders(con, url))
    except duckdb.Error as exc:
        con.close()
        raise lake.unreachable(exc, url) from exc
    except BaseException:
        con.close()
        raise
    return con


#: the file's three header blocks (DuckDB's main header and its two database headers)
_FILE_HEADERS = 3 * 4096


def _check_length(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """A file shorter than the blocks in use was cut short: DuckDB reads only the blocks a query needs, so
    without this check a truncated file would answer from what is left of it. (Free blocks at the end are
    trimmed from the file at a checkpoint: only used blocks must all be there.)"""
    block_size, blocks = con.execute("SELECT block_size, used_blocks FROM pragma_database_size()").fetchone()  # type: ignore[misc]  # one row
    if blocks and target.stat().st_size < _FILE_HEADERS + blocks * block_size:
        raise DatabaseDamaged(
            f"The database {target} is damaged: the file is cut short. Nothing was changed. "
            "Restore the last backup copy of it (README: Backing up and restoring the store)."
        )


#: errors about the store itself (its file, its catalog), not about a statement
_IO_ERRORS = (duckdb.IOException, duckdb.FatalException, OSError)


def unusable(error: BaseException, path: str | os.PathLike) -> StoreUnavailable | None:
    """What a DuckDB or file-system error says about the database file: DatabaseDamaged or DatabaseUnwritable
    with a one-line text (what is wrong, what to do), else StoreUnavailable with DuckDB's first line for any
    other input/output or fatal error; chained to the error. None for an error about something else (a bug).
    On a shared store (`path` a `ducklake:` URL), an input/output error is its catalog or data folder failing."""
    if lake.is_lake(path):
        return lake.unreachable(error, str(path)) if isinstance(error, _IO_ERRORS) else None
    text, path = str(error), Path(path)
    wal = path.with_name(path.name + ".wal")
    for words, reason, advice in _UNWRITABLE:
        if words in text:
            done: StoreUnavailable = DatabaseUnwritable(
                f"The database {path} cannot be written: {reason}. Nothing was changed. {advice}", reason
            )
            done.__cause__ = error
            return done
    for pattern, describe in _DAMAGED:
        found = pattern.search(text)
        if found:
            what = describe(found, wal)
            kept = (
                f" Keep {wal} with it: it holds the changes made since the file was last written."
                if wal.exists() and "write-ahead log" not in what
                else ""
            )
            done = DatabaseDamaged(
                f"The database {path} {what}. Nothing was changed. Restore the last backup copy "
                f"of it (README: Backing up and restoring the store).{kept}"
            )
            done.__cause__ = error
            return done
    if isinstance(error, _IO_ERRORS):  # about the file, in other words
        done = StoreUnavailable(f"The database {path} cannot be used: {text.splitlines()[0] if text else error!r}")
        done.__cause__ = error
        return done
    return None


def checkpoint(con, path: str | os.PathLike | None = None) -> None:
    """Write the committed changes into the database file now. DuckDB would do it when the connection closes,
    silently failing on a full disk; done here, the command that filled the disk says so. What was committed
    stays in the write-ahead log (applied when the file is next opened) when this fails. (A shared store's commits
    are in its data files already.)"""
    if shared_url(path):
        return
    try:
        con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        target = db_path(path)
        failure = unusable(exc, target)
        if failure is None:
            raise
        if not isinstance(failure, DatabaseUnwritable):
            raise failure from exc
        raise DatabaseUnwritable(
            f"The database {target} cannot be written: {failure.reason}. The change was "
            f"committed and is kept in {target.name}.wal, which is applied when the database "
            "is next opened; free some space before the next change.",
            failure.reason,
        ) from exc


def lock_down(con: duckdb.DuckDBPyConnection, *folders: Path) -> None:
    """No file access outside the database's folder (a shared store's: its data folder), then freeze the settings
    (README: Reliability).

    Uploaded files reach DuckDB only as registered Arrow tables, never as paths. Opening the same file again in
    this process shares the locked instance, so the settings are applied once.
    """
    if con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]:  # type: ignore[index]  # one row
        return
    allowed = ", ".join("'" + str(folder.resolve()).replace("'", "''") + "/'" for folder in folders)
    con.execute(f"SET allowed_directories = [{allowed}]")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
