"""One writer at a time: in this process (`write_lock`), and across the processes sharing a store
(`write_transaction`); the roll-back after a failed write (used by migrations, loads and rollbacks)."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb

from core.errors import WriteConflict

#: one writer at a time in this process: uploads from several sessions are serialised (SPEC §7)
write_lock = threading.RLock()
#: how long a write transaction is run again while other processes' commits conflict with it (seconds)
CONFLICT_WAIT_SECONDS = float(os.environ.get("UNCT_CONFLICT_WAIT", "120"))
#: what DuckDB (and DuckLake) say when a commit conflicts with another transaction's
_CONFLICT = "Transaction conflict"

T = TypeVar("T")


def abandon(con, error: BaseException) -> None:
    """Roll back the open transaction after `error`. A failing ROLLBACK (a failed COMMIT has already ended the
    transaction) is noted on `error`, never raised in its place."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error as failure:
        error.add_note(f"(the ROLLBACK after it failed too: {failure})")


def is_conflict(error: BaseException) -> bool:
    """Whether `error` is a commit refused because another transaction changed the same data first."""
    return isinstance(error, duckdb.TransactionException) and _CONFLICT in str(error)


def write_transaction(con, work: Callable[..., T], *args: Any, wait: float | None = None) -> T:
    """Run `work(con, *args)` in one transaction that first bumps the store's version, and commit it, holding
    `write_lock`. When another process committed meanwhile (a shared store, store.lake), the commit is refused:
    everything is rolled back and `work` runs again on the newer data, until `wait` seconds have passed (then
    WriteConflict). `work` must start from its arguments each time (no state kept from a refused attempt)."""
    deadline = time.monotonic() + (CONFLICT_WAIT_SECONDS if wait is None else wait)
    attempt = 0
    with write_lock:
        while True:
            attempt += 1
            con.execute("BEGIN")
            try:
                bump_version(con)
                done = work(con, *args)
                con.execute("COMMIT")
                return done
            except Exception as exc:
                abandon(con, exc)
                if not is_conflict(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise WriteConflict(
                        "Other changes to the store kept coming while this one was being written; "
                        "nothing of it was stored. Run it again."
                    ) from exc
            time.sleep(random.uniform(0.01, 0.05) * min(attempt, 20))


def bump_version(con) -> None:
    """Inside a write transaction: the store's version goes up by one (every process's caches see the change; and
    two write transactions on a shared store always conflict, so they run one after the other)."""
    con.execute("UPDATE store_version SET version = version + 1")
