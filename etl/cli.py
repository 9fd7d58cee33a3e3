"""Command line: `python -m etl COMMAND …` (SPEC §8). A thin layer over etl.load, store and analytics.exports.

Exit codes: 0 done (committed, valid with --dry-run, or a duplicate: nothing changed); 1 the file has
errors (nothing committed) or the command could not be done; 2 usage error; 3 the database is held
by another program (the message says what to do); 4 the database is damaged or cannot be written (one
line says what is wrong and what to do, never a traceback).

Everything printed that a file, a cell, an account or the database supplied goes through
`formatting.printable`: a control character (a terminal escape) or a bidi override shows visibly.

The command line is an administrator's tool: whoever may write the database file may manage `users` and
`entities`. `--user NAME` (load, rollback, entities add) applies that account's role and agencies. This module
holds the parser and the data commands; the administration commands (users, entities, closed periods) are in
etl.admin, and what every command shares (exit codes, printing, the database for a command) in etl.console.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.abc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb

import store.connection
import store.writes
from core.errors import DatabaseBusy, DatabaseDamaged, FileError, StoreUnavailable
from core.formatting import printable
from core.schema import KINDS
from etl import limits
from etl.admin import cmd_entities, cmd_migrate, cmd_period, cmd_periods, cmd_users
from etl.console import (
    BUSY_ADVICE,
    EXIT_BUSY,
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_STORE,
    EXIT_USAGE,
    connect,
    saved,
    say,
    usage,
)
from etl.outputs import cmd_brief, cmd_export, cmd_template

#: files read and loaded together: at most load.BATCH_FILES of them and this many bytes (read only when their
#: turn comes, each refused by its size on disk before it is read)
BATCH_BYTES = 4 * limits.MAX_FILE_BYTES


def _part_of(bar: ProgressBar, share: tuple[float, float], fraction: float, text: str) -> None:
    """Progress of one batch as its share (start, width) of the whole bar."""
    bar.update(share[0] + fraction * share[1], text)


class ProgressBar:
    """A one-line text progress bar on stderr (only when stderr is a terminal or forced)."""

    def __init__(self, total: int, enabled: bool | None = None, width: int = 30):
        self.total, self.width = max(total, 1), width
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.done = 0

    def update(self, done: float, text: str = "") -> None:
        if not self.enabled:
            return
        fraction = min(max(done / self.total, 0.0), 1.0)
        filled = int(fraction * self.width)
        text = printable(text)[:60]
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} {text:<60}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description="UNCT Results Dashboard data tools")
    parser.add_argument("--db", help="database file or shared store URL (default $UNCT_DB or data/unct.duckdb)")
    # --db is also accepted after any command or sub-action (SPEC §8); SUPPRESS keeps a value given
    # earlier on the line from being overwritten by None where the option is not repeated
    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument("--db", default=argparse.SUPPRESS, help="database file")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, within=commands) -> argparse.ArgumentParser:
        return within.add_parser(name, help=help_text, description=help_text, parents=[db_option])

    load = command("load", "validate and load files (all or nothing per file)")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--kind", choices=list(KINDS))
    load.add_argument("--plan", help="plan name for a file without a plan column")
    load.add_argument("--country", help="country for a file without a country column")
    load.add_argument("--source", help="source title for an actions file without one")
    load.add_argument("--agency", help="agency for a file without an agency column")
    load.add_argument("--user", help="load as this account (its role and agencies apply)")
    load.add_argument("--dry-run", action="store_true", help="validate and show what would change; write nothing")
    load.add_argument("--quiet", action="store_true", help="no progress bar")

    command("submissions", "the submission history")
    rollback = command("rollback", "undo a submission, restoring what it replaced")
    rollback.add_argument("submission_id", type=int, metavar="SUBMISSION_ID")
    rollback.add_argument("--user", help="roll back as this account")

    export = command("export", "export the current rows of a dataset, filtered and formula-safe")
    export.add_argument("kind", choices=list(KINDS), metavar="KIND")
    for option in ("country", "plan", "agency"):
        export.add_argument(f"--{option}")
    export.add_argument("--year", type=int)
    for option, what in (
        ("strategic-priority", "its title as written"),
        ("suboutput-status", "e.g. closed"),
        ("sdg-goal", "e.g. '5 Gender Equality'"),
        ("partner", "text a contributing partner contains"),
    ):
        export.add_argument(f"--{option}", help=f"budget (UN INFO fields): {what}")
    export.add_argument("-o", "--output", type=Path, help="FILE.csv or FILE.xlsx (default: CSV on stdout)")
    export.add_argument("--as-of", metavar="DATE", help="the rows as they stood at the end of DATE (YYYY-MM-DD, UTC)")

    for verb, what in (
        ("close", "close a plan's year (or quarter): no load or roll-back may change it"),
        ("reopen", "reopen a closed period"),
    ):
        period = command(verb, what)
        period.add_argument("--country", required=True)
        period.add_argument("--plan", required=True)
        period.add_argument("--year", type=int, required=True)
        period.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
        period.add_argument("--user", help="as this account (it must be an admin)")
    command("periods", "the closed periods, and every closing and reopening")

    brief = command("brief", "the UNCT meeting brief of a country for a period, as PDF or Excel")
    brief.add_argument("--country", required=True)
    brief.add_argument("--plan", help="one of the country's plans (default: all of them)")
    when = brief.add_mutually_exclusive_group()
    when.add_argument("--year", type=int)
    when.add_argument("--quarter", metavar="YYYYQn", help="e.g. 2025Q3")
    brief.add_argument(
        "--as-of",
        metavar="DATE",
        help="the figures as they stood at the end of DATE (YYYY-MM-DD, UTC), e.g. the last meeting",
    )
    brief.add_argument("-o", "--output", type=Path, required=True, help="FILE.pdf or FILE.xlsx")

    template = command("template", "write an empty template workbook for a dataset kind")
    template.add_argument("kind", choices=list(KINDS), metavar="KIND")
    template.add_argument("-o", "--output", type=Path, required=True)

    demo = command("demo", "(re)build the demo database")
    demo.add_argument(
        "--files",
        type=Path,
        metavar="DIR",
        help="only write the demo spreadsheets into DIR (the database is left alone)",
    )
    demo.add_argument(
        "--replace",
        action="store_true",
        help="rebuild even when the database holds submissions other than the demo's (deleted)",
    )

    users = command("users", "local accounts")
    actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = command("add", "add or update an account; the password is read from stdin", actions)
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["viewer", "focal_point", "admin"])
    add.add_argument(
        "--agency",
        action="extend",
        nargs="+",
        default=[],
        metavar="A",
        help="agencies of a focal point: --agency A B or --agency A --agency B",
    )
    add.add_argument("--email")
    command("list", "list accounts", actions)
    remove = command("remove", "remove an account", actions)
    remove.add_argument("name")

    entities = command("entities", "the list of UN entities that agency values resolve to (SPEC §4)")
    actions = entities.add_subparsers(dest="entities_command", required=True, metavar="ACTION")
    command("list", "list the entities: code, origin, name, aliases", actions)
    add = command("add", "add an entity, or update the name of an existing code and add aliases", actions)
    add.add_argument("code", metavar="CODE")
    add.add_argument("name", metavar="NAME")
    add.add_argument(
        "--alias",
        action="extend",
        nargs="+",
        default=[],
        metavar="A",
        help="other spellings that resolve to CODE: --alias A B or --alias A --alias B",
    )
    add.add_argument("--user", help="as this account (it must be an admin)")
    migrate = command("migrate", "copy the database file (--db), history included, into a new shared store")
    migrate.add_argument("--to", required=True, metavar="URL", help="ducklake:postgres:dbname=… host=… user=…")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = HANDLERS[args.command]
    try:
        return handler(args)
    except BrokenPipeError:  # the reader went away (`… submissions | head`): no traceback, nothing more to print
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except StoreUnavailable as exc:
        say(exc, err=True)
        return EXIT_BUSY if isinstance(exc, DatabaseBusy) else EXIT_STORE
    except duckdb.Error as exc:  # met while the command ran: a block that fails its checksum, a full disk …
        failure = store.connection.unusable(exc, store.connection.target(getattr(args, "db", None)))
        if failure is None:
            raise
        say(failure, err=True)
        return EXIT_STORE


def cmd_load(args) -> int:
    with contextlib.nullcontext() if args.dry_run else _without_pandas():  # a dry run's sample is a pandas frame
        return _load(args)


class _NoPandas(importlib.abc.MetaPathFinder):
    """`import pandas` fails as if it were not installed (see _without_pandas)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r} (not imported during a load)", name=name)
        return None


@contextlib.contextmanager
def _without_pandas() -> Iterator[None]:
    """pandas cannot be imported while a load runs in a process that has not imported it (the command line's). A load
    needs none (a dry run's sample of rows does): its rows reach DuckDB as Arrow tables. But DuckDB's client imports
    it at the first statement with a parameter, to tell pandas' missing values among the parameters (0.5 s and 47 MB
    of the command's 4 s and 500 MB: bench/ingest.py); without it there is nothing to tell, and DuckDB and pyarrow go
    on without. The worker processes forked meanwhile inherit this. After, pandas can be imported again (pyarrow,
    having been told it is missing, no longer converts to pandas in this process: the command line never asks it
    to)."""
    if "pandas" in sys.modules:  # a process that has it already (the dashboard's, a test's): nothing to save
        yield
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def _load(args) -> int:
    for path in args.files:
        if not path.is_file():
            say(f"{path}: no such file", err=True)
            return EXIT_USAGE
    from etl.load import BATCH_FILES, load_many
    from store import accounts

    sizes = [path.stat().st_size for path in args.files]
    batches = _batches(list(zip(args.files, sizes)), BATCH_FILES, BATCH_BYTES)
    first = _read_batch(batches[0])
    reading = _start_reading(args, first[0])
    try:
        con = connect(args, threads=store.connection.load_threads(getattr(args, "db", None)))
        allowed = None
        if args.user:
            try:
                allowed = accounts.upload_scope(con, args.user)
            except accounts.PermissionDenied as exc:
                say(exc, err=True)
                return EXIT_ERRORS
        bar = ProgressBar(1, enabled=False if args.quiet or (len(args.files) < 3 and sum(sizes) < 5_000_000) else None)
        worst, done = EXIT_OK, 0
        for n, batch in enumerate(batches):
            files, unread = first if n == 0 else _read_batch(batch)
            for lines, err in unread:
                for line in lines:
                    say(line, err=err)
                worst = EXIT_ERRORS
            share = (done / len(args.files), len(batch) / len(args.files))
            done += len(batch)
            if not files:
                continue
            try:
                results = load_many(
                    con,
                    files,
                    kind=args.kind,
                    plan=args.plan,
                    country=args.country,
                    source=args.source,
                    agency=args.agency,
                    user=args.user,
                    allowed_agencies=allowed,
                    dry_run=args.dry_run,
                    progress=functools.partial(_part_of, bar, share),
                    workers=_workers(files),
                    reading=reading if n == 0 else None,
                )
            except duckdb.Error as exc:  # the store failed mid-load (a full disk): say which files it took down
                failure = store.connection.unusable(exc, store.connection.target(getattr(args, "db", None)))
                if failure is None:
                    raise
                bar.close()
                for _, name in files:
                    say(f"{name}: not loaded: the database could not be written")
                raise failure from exc
            for result in results:
                worst = max(worst, _report(result))
        bar.close()
        if not args.dry_run:  # loads, rejections and duplicates are recorded
            saved(con, args)
        return worst
    finally:
        if reading is not None:
            reading.close()


def _workers(files: list) -> int:
    return min(len(files), os.cpu_count() or 1, 4)


def _read_batch(batch: list[tuple[Path, int]]) -> tuple[list[tuple[bytes, str]], list[tuple[list[str], bool]]]:
    """The batch's files as (content, name), each refused by its size on disk before it is read; and what to say
    of those that could not be read (its lines, and whether on stderr), said when the batch's turn comes."""
    files: list[tuple[bytes, str]] = []
    unread: list[tuple[list[str], bool]] = []
    for path, _ in batch:
        try:
            files.append((limits.read_capped(path), path.name))
        except FileError as exc:
            unread.append(([f"{path.name}: 1 error(s); nothing was loaded", f"  error: {exc}"], False))
        except OSError as exc:
            unread.append(([f"{path}: cannot be read ({exc.strerror or exc}); nothing was loaded"], True))
    return files, unread


def _start_reading(args, files: list[tuple[bytes, str]]):
    """The first batch's reading and validation started now, in worker processes, before the store is opened
    (etl.prepare.Reading) — unless an account's agencies take part in the validation (`--user`: they are read from
    the store), there is a single file, or the store's entity list cannot be known before it is opened."""
    from etl.prepare import Options, Reading

    if args.user or _workers(files) < 2:
        return None
    entities = store.writes.entities_before_open(store.connection.target(getattr(args, "db", None)))
    if entities is None:
        return None
    opts = Options(kind=args.kind, plan=args.plan, country=args.country, source=args.source, agency=args.agency)
    return Reading(files, opts, entities, _workers(files))


def _batches(items: list[tuple[Path, int]], most_files: int, most_bytes: int) -> list[list[tuple[Path, int]]]:
    """The (path, size) items in order, in groups of at most `most_files` items and `most_bytes` bytes (a single
    larger file makes a group of its own)."""
    groups: list[list[tuple[Path, int]]] = []
    for item in items:
        if groups and len(groups[-1]) < most_files and sum(size for _, size in groups[-1]) + item[1] <= most_bytes:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _report(result) -> int:
    """Print one file's outcome; its exit code."""
    say(result.summary)
    for problem in result.errors:
        say(f"  error: {problem}")
    for problem in result.warnings[:20]:
        say(f"  warning: {problem}")
    if len(result.warnings) > 20:
        say(f"  … and {len(result.warnings) - 20} more warning(s)")
    return EXIT_OK if result.ok else EXIT_ERRORS


def cmd_submissions(args) -> int:
    con = connect(args, writes=False)
    rows = con.execute("""SELECT submission_id, created_at, status, kind, coalesce(agency, ''), rows_added,
                                 rows_replaced, coalesce(user_name, ''), file_name
                          FROM submissions ORDER BY submission_id""").fetchall()
    if not rows:
        say("No submissions yet. Load a file with: python -m etl load FILE")
        return EXIT_OK
    say(
        f"{'id':>4}  {'when':16}  {'status':11}  {'kind':10}  {'agency':10}  {'added':>6}  {'replaced':>8}  "
        f"{'user':12}  file"
    )
    for sid, when, status, kind, agency, added, replaced, user, name in rows:
        agency, user = printable(agency), printable(user)  # cut after the control characters show, not before
        say(
            f"{sid:>4}  {when:%Y-%m-%d %H:%M}  {status:11}  {kind or '':10}  {agency[:10]:10}  {added or 0:>6}  "
            f"{replaced or 0:>8}  {user[:12]:12}  {name}"
        )
    return EXIT_OK


def cmd_rollback(args) -> int:
    from store import accounts

    con = connect(args)
    try:
        if args.user:
            accounts.check_rollback(con, args.user, args.submission_id)
        done = store.writes.rollback(con, args.submission_id, args.user)
    except (store.writes.RollbackError, accounts.PermissionDenied) as exc:
        say(exc, err=True)
        return EXIT_ERRORS
    saved(con, args)
    say(
        f"Rolled back submission {done['submission_id']}: {done['rows_hidden']} row(s) withdrawn, "
        f"{done['rows_restored']} earlier row(s) restored."
    )
    return EXIT_OK


def cmd_demo(args) -> int:
    from demo import generate

    if args.files:
        for path in generate.write_demo_files(args.files):
            say(path)
        return EXIT_OK
    if store.connection.shared_url(getattr(args, "db", None)):
        return usage(
            "demo builds a database file: build it (--db FILE), then: python -m etl --db FILE migrate --to URL"
        )
    path = store.connection.db_path(getattr(args, "db", None))
    if path.is_file():  # the rebuild deletes the file: not while another program holds it, nor real data unasked
        try:
            con = store.connection.connect(path, busy_advice=BUSY_ADVICE["demo"])
        except DatabaseDamaged:
            con = None  # replaced by the rebuild
        if con is not None:
            try:
                theirs = _not_demo_submissions(con)
            finally:
                con.close()
            if theirs and not args.replace:
                say(
                    f"{path} holds data that are not the demo's ({theirs}): rebuilding the demo would delete "
                    "them. Give another --db for the demo, or add --replace to delete them.",
                    err=True,
                )
                return EXIT_USAGE
    summary = generate.build_demo(path, progress=ProgressBar(1).update)
    say(summary)
    return EXIT_OK


def _not_demo_submissions(con) -> str:
    """The committed submissions not made by the demo's loader, in words ('3 submissions, the last uploaded by
    amina on 2025-03-02'); empty when there are none."""
    count, user, at = con.execute(
        """SELECT count(*), arg_max(user_name, created_at), max(created_at) FROM submission_log
           WHERE status = 'committed' AND user_name IS DISTINCT FROM 'demo'"""
    ).fetchone()
    if not count:
        return ""
    return (
        f"{count} submission{'s' if count != 1 else ''}, the last uploaded by {user or 'an unnamed user'} "
        f"on {at:%Y-%m-%d}"
    )


HANDLERS = {
    "load": cmd_load,
    "submissions": cmd_submissions,
    "rollback": cmd_rollback,
    "export": cmd_export,
    "template": cmd_template,
    "demo": cmd_demo,
    "brief": cmd_brief,
    "users": cmd_users,
    "entities": cmd_entities,
    "close": cmd_period,
    "reopen": cmd_period,
    "periods": cmd_periods,
    "migrate": cmd_migrate,
}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
