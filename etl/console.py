"""What every `python -m etl` command shares: its exit codes, printing a line (control and bidi characters shown
visibly: `formatting.printable`), the database for a command (with what to do instead while another program
holds it), saving a change, and a usage error."""

from __future__ import annotations

import sys
from pathlib import Path

import store.connection
from core.errors import DatabaseUnwritable
from core.formatting import printable

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_BUSY, EXIT_STORE = 0, 1, 2, 3, 4
_AGAIN = "or stop the dashboard and run the command again."
#: what a command can do instead while another program (the dashboard) holds the database
BUSY_ADVICE = {
    "load": f"Upload the file through the dashboard's Upload page, {_AGAIN}",
    "rollback": f"Roll the submission back on the dashboard's Upload page, {_AGAIN}",
    "submissions": f"The dashboard's Upload page shows the history, {_AGAIN}",
    "export": f"Download the export from the dashboard's Data export page, {_AGAIN}",
    "template": f"Download the template from the dashboard's Upload page, {_AGAIN}",
    "users": "Accounts are managed here only: stop the dashboard, run the command, then start the dashboard again.",
    "entities": "The entity list is managed here only: stop the dashboard, run the command, then start the "
    "dashboard again.",
    "demo": "Stop the dashboard, rebuild the demo database, then start the dashboard again.",
    "brief": f"The brief reads only; if the database stays busy, {_AGAIN}",
    "close": f"Close the period on the dashboard's Closed periods page, {_AGAIN}",
    "reopen": f"Reopen the period on the dashboard's Closed periods page, {_AGAIN}",
    "periods": f"The dashboard's Closed periods page lists them, {_AGAIN}",
    "migrate": "Stop the dashboard while the database is copied, then run the command again.",
}


def say(text: object = "", err: bool = False) -> None:
    """Print a line, its control and bidi characters shown visibly (see the module's docstring)."""
    print(printable(text), file=sys.stderr if err else sys.stdout)


def connect(args, writes: bool = True, threads: int | None = None):
    """The database, for this command (its advice when the file is busy; `threads`: DuckDB's, None for one per
    core). A command that only reads opens a file it cannot write read-only."""
    path = store.connection.target(getattr(args, "db", None))  # a file, or a shared store's URL
    try:
        return store.connection.connect(path, busy_advice=BUSY_ADVICE[args.command], threads=threads)
    except DatabaseUnwritable:
        if writes or not Path(path).is_file():
            raise
        return store.connection.connect(path, read_only=True, busy_advice=BUSY_ADVICE[args.command])


def saved(con, args) -> None:
    """After a command's change is committed: written into the database file now (a full disk is said here)."""
    store.connection.checkpoint(con, getattr(args, "db", None))


def usage(message: str) -> int:
    say(f"python -m etl: error: {message}", err=True)
    return EXIT_USAGE
