"""One writer at a time, and the roll-back after a failed write (used by migrations, loads and rollbacks)."""

from __future__ import annotations

import threading

import duckdb

#: one writer at a time in this process: uploads from several sessions are serialised (SPEC §7)
write_lock = threading.RLock()


def abandon(con, error: BaseException) -> None:
    """Roll back the open transaction after `error`. A failing ROLLBACK (a failed COMMIT has already ended the
    transaction) is noted on `error`, never raised in its place."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error as failure:
        error.add_note(f"(the ROLLBACK after it failed too: {failure})")
