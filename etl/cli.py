"""Command line: `python -m etl COMMAND …` (SPEC §8). A thin layer over etl.load, store and analytics.exports.

Exit codes: 0 done (committed, valid with --dry-run, or a duplicate: nothing changed); 1 the file has
errors (nothing committed) or the command could not be done; 2 usage error; 3 the database is held
by another program (the message says what to do); 4 the database is damaged or cannot be written (one
line says what is wrong and what to do, never a traceback).

Everything printed that a file, a cell, an account or the database supplied goes through
`formatting.printable`: a control character (a terminal escape) or a bidi override shows visibly.

The command line is an administrator's tool: whoever may write the database file may manage `users` and
`entities`. `--user NAME` (load, rollback, entities add) applies that account's role and agencies.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

import duckdb

import store.connection
import store.transactions
import store.writes
from core.errors import DatabaseBusy, DatabaseDamaged, DatabaseUnwritable, FileError, StoreUnavailable
from core.formatting import printable
from core.schema import KINDS
from etl import limits

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_BUSY, EXIT_STORE = 0, 1, 2, 3, 4
#: files read and loaded together: at most load.BATCH_FILES of them and this many bytes (read only when their
#: turn comes, each refused by its size on disk before it is read)
BATCH_BYTES = 4 * limits.MAX_FILE_BYTES
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
    parser.add_argument(
        "--db", help="database file, or a shared store's URL ducklake:postgres:… (default $UNCT_DB or data/unct.duckdb)"
    )
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
    period = brief.add_mutually_exclusive_group()
    period.add_argument("--year", type=int)
    period.add_argument("--quarter", metavar="YYYYQn", help="e.g. 2025Q3")
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

    migrate = command(
        "migrate", "copy the database file (--db), with its history and kept originals, into a new shared store"
    )
    migrate.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="ducklake:postgres:dbname=… host=… port=… user=… ($UNCT_DATA_PATH: its data folder)",
    )
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


def _connect(args, writes: bool = True):
    """The database, for this command (its advice when the file is busy). A command that only reads opens a
    file it cannot write read-only."""
    path = store.connection.target(getattr(args, "db", None))
    try:
        return store.connection.connect(path, busy_advice=BUSY_ADVICE[args.command])
    except DatabaseUnwritable:
        if writes or not Path(path).is_file():
            raise
        return store.connection.connect(path, read_only=True, busy_advice=BUSY_ADVICE[args.command])


def _saved(con, args) -> None:
    """After a command's change is committed: written into the database file now (a full disk is said here)."""
    store.connection.checkpoint(con, getattr(args, "db", None))


def cmd_load(args) -> int:
    for path in args.files:
        if not path.is_file():
            say(f"{path}: no such file", err=True)
            return EXIT_USAGE
    from etl.load import BATCH_FILES, load_many
    from store import accounts

    con = _connect(args)
    allowed = None
    if args.user:
        try:
            allowed = accounts.upload_scope(con, args.user)
        except accounts.PermissionDenied as exc:
            say(exc, err=True)
            return EXIT_ERRORS
    sizes = [path.stat().st_size for path in args.files]
    bar = ProgressBar(1, enabled=False if args.quiet or (len(args.files) < 3 and sum(sizes) < 5_000_000) else None)
    worst, done = EXIT_OK, 0
    for batch in _batches(list(zip(args.files, sizes)), BATCH_FILES, BATCH_BYTES):
        files = []
        for path, _ in batch:
            try:  # refused by its size on disk before it is read
                files.append((limits.read_capped(path), path.name))
            except FileError as exc:
                say(f"{path.name}: 1 error(s); nothing was loaded")
                say(f"  error: {exc}")
                worst = EXIT_ERRORS
            except OSError as exc:
                say(f"{path}: cannot be read ({exc.strerror or exc}); nothing was loaded", err=True)
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
                progress=lambda f, t: bar.update(share[0] + f * share[1], t),
                workers=min(len(files), os.cpu_count() or 1, 4),
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
        _saved(con, args)
    return worst


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
    con = _connect(args, writes=False)
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

    con = _connect(args)
    try:
        if args.user:
            accounts.check_rollback(con, args.user, args.submission_id)
        done = store.writes.rollback(con, args.submission_id, args.user)
    except (store.writes.RollbackError, accounts.PermissionDenied) as exc:
        say(exc, err=True)
        return EXIT_ERRORS
    _saved(con, args)
    say(
        f"Rolled back submission {done['submission_id']}: {done['rows_hidden']} row(s) withdrawn, "
        f"{done['rows_restored']} earlier row(s) restored."
    )
    return EXIT_OK


def cmd_export(args) -> int:
    from analytics import exports
    from analytics.filters import Filters, parse_day
    from store import history

    day = parse_day(args.as_of)
    if args.as_of and day is None:
        return _usage(f"--as-of {args.as_of!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-09-30.")
    con = _connect(args, writes=False)
    filters = Filters(
        country=args.country, plan=args.plan, agency=args.agency, year_from=args.year, year_to=args.year, as_of=day
    )
    detail = exports.BudgetDetail(
        strategic_priority=args.strategic_priority,
        suboutput_status=args.suboutput_status,
        sdg_goal=args.sdg_goal,
        partner=args.partner,
    )
    if args.kind != "budget" and detail != exports.BudgetDetail():
        return _usage("--strategic-priority, --suboutput-status, --sdg-goal and --partner narrow a budget export only.")
    frame = exports.rows(history.as_of(con, day), filters, args.kind, detail=detail)
    if args.output is None:
        data = exports.safe_csv_bytes(frame)
        if sys.stdout.isatty():  # read, not saved: a carriage return inside a cell shows too (no byte-order mark)
            data = printable(data.decode("utf-8-sig").replace("\r\n", "\n"), keep="\t\n").encode()
        sys.stdout.buffer.write(data)
        return EXIT_OK
    data = (
        exports.safe_excel_bytes(frame, sheet_name=args.kind)
        if args.output.suffix.lower() == ".xlsx"
        else exports.safe_csv_bytes(frame)
    )
    if not _write_file(args.output, data):
        return EXIT_ERRORS
    say(f"{len(frame)} row(s) written to {args.output}")
    return EXIT_OK


def _write_file(path: Path, data: bytes) -> bool:
    """Write an output file; a one-line message when it cannot be."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        say(f"{path}: cannot be written ({exc.strerror or exc})", err=True)
        return False
    return True


def cmd_brief(args) -> int:
    from brief import FORMATS, Period, PeriodError, build
    from brief.collect import BriefError
    from brief.pdf import PdfError

    fmt = args.output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        return _usage(f"-o {args.output}: the brief is written as FILE.pdf or FILE.xlsx")
    try:
        period = Period.parse(args.year, args.quarter)
    except PeriodError as exc:
        return _usage(str(exc))
    con = _connect(args, writes=False)
    try:
        data = build(con, args.country, args.plan, period, fmt)
    except (BriefError, PdfError) as exc:
        say(exc, err=True)
        return EXIT_ERRORS
    if not _write_file(args.output, data):
        return EXIT_ERRORS
    say(f"Brief for {args.country}, {period.label}, written to {args.output}")
    return EXIT_OK


def cmd_template(args) -> int:
    from etl import template

    con = _connect(args, writes=False)
    if not _write_file(args.output, template.template_bytes(args.kind, store.writes.entities(con))):
        return EXIT_ERRORS
    say(f"Template for {args.kind} written to {args.output}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from etl import demo

    if args.files:
        for path in demo.write_demo_files(args.files):
            say(path)
        return EXIT_OK
    if store.connection.shared_url(getattr(args, "db", None)):
        return _usage(
            "demo builds a database file: build it into one (--db FILE), then copy it into the shared "
            "store with: python -m etl --db FILE migrate --to URL"
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
    summary = demo.build_demo(path, progress=ProgressBar(1).update)
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


def cmd_users(args) -> int:
    from store import accounts

    con = _connect(args, writes=args.users_command != "list")
    if args.users_command == "list":
        for user in accounts.list_users(con):
            say(
                f"{printable(user['user_name']):16} {user['role']:12} "
                f"{printable(', '.join(user['agencies'])) or '-':20} {user['email'] or ''}"
            )
        return EXIT_OK
    if args.users_command == "remove":
        removed = accounts.remove_user(con, args.name)
        if removed:
            _saved(con, args)
        say(f"Removed {args.name}." if removed else f"There is no account {args.name}.")
        return EXIT_OK if removed else EXIT_ERRORS
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else _ask_password()
    if not password and args.email:
        password = None  # a single-sign-on account: it signs in through the identity provider only
    try:
        accounts.add_user(con, args.name, args.role, args.agency, password, email=args.email)
    except ValueError as exc:
        say(exc, err=True)
        return EXIT_ERRORS
    _saved(con, args)
    say(f"Account {args.name} ({args.role}) saved.")
    return EXIT_OK


def cmd_entities(args) -> int:
    con = _connect(args, writes=args.entities_command != "list")
    if args.entities_command == "list":
        rows = [
            (printable(code), origin, printable(name), printable("; ".join(aliases or ())))
            for code, origin, name, aliases in con.execute(
                "SELECT code, origin, name, aliases FROM entities ORDER BY code"
            ).fetchall()
        ]
        width = max([len(code) for code, *_ in rows] + [4])
        name_width = max(len(name) for _, _, name, _ in rows)  # the shipped entities are always there
        say(f"{'code':{width}}  {'origin':7}  {'name':{name_width}}  aliases")
        for code, origin, name, aliases in rows:
            say(f"{code:{width}}  {origin:7}  {name:{name_width}}  {aliases}".rstrip())
        return EXIT_OK
    return _add_entity(con, args)


def _add_entity(con, args) -> int:
    """`entities add`: check the code, name and aliases against the list, then add or update (origin 'admin')."""
    from core.entities import EntityResolver, entity_key
    from store import accounts

    if args.user:  # as with load and rollback, --user is checked when given
        user = accounts.get_user(con, args.user)
        if user is None or user["role"] != "admin":
            say(
                f"There is no account {args.user!r}."
                if user is None
                else f"{args.user} is a {user['role']}: only admins may add or change entities.",
                err=True,
            )
            return EXIT_ERRORS
    code, name = " ".join(args.code.split()), " ".join(args.name.split())
    aliases = [" ".join(a.split()) for a in args.alias]
    # codes are stored as written and matched ignoring case, spaces and punctuation (core.entities),
    # so 'UN Women' and 'World Bank' are valid codes; ';' and ',' separate agencies in a cell
    if not entity_key(code) or len(code) > 20 or any(c in code for c in ";,"):
        return _usage(
            f"{args.code!r} is not an entity code: give a short code such as UNOSSC "
            "(at most 20 characters, no ';' or ',')."
        )
    if not entity_key(name):
        return _usage(
            f"{args.name!r} is not an entity name: give the full name, e.g. "
            '"United Nations Office for South-South Cooperation".'
        )
    current = {e.code: e for e in store.writes.entities(con)}
    resolver = EntityResolver(current.values())
    taken = resolver.try_resolve(code)
    if taken is not None and taken != code:
        how = "the entity list writes it" if entity_key(taken) == entity_key(code) else "it already stands for"
        return _usage(
            f"Code {code!r} is taken: {how} {taken}. To change {taken}, run: "
            f"python -m etl entities add {shlex.quote(taken)} NAME"
        )
    for label in [name, *aliases]:
        other = resolver.try_resolve(label)
        if other is not None and other != code:
            return _usage(f"{label!r} already stands for {other}: it cannot also name {code}.")
    old = current.get(code)
    if old is None:
        store.transactions.write_transaction(
            con, store.writes.add_entity, code, name, tuple(dict.fromkeys(aliases)), "admin"
        )
        _saved(con, args)
        say(f"Added {code} ({name}).")
        return EXIT_OK
    # an existing code: new name, aliases added to its own
    known = {entity_key(label) for label in (old.code, old.name, *old.aliases)}
    added = [a for a in dict.fromkeys(aliases) if entity_key(a) not in known]
    changes = ([f"name {old.name!r} → {name!r}"] if name != old.name else []) + (
        [f"alias(es) {', '.join(added)} added"] if added else []
    )
    if not changes:
        say(f"{code} already reads so: nothing changed.")
        return EXIT_OK
    store.writes.update_entity(con, code, name, (*old.aliases, *added))
    _saved(con, args)
    say(f"Updated {code}: {'; '.join(changes)}.")
    return EXIT_OK


def cmd_migrate(args) -> int:
    """`migrate --to URL`: the database file, whole, into a new shared store (store.lake.copy_into)."""
    from store import lake

    source = store.connection.target(getattr(args, "db", None))
    if lake.is_lake(source) or not Path(source).is_file():
        return _usage(f"{lake.describe(source)}: not a database file; --db names the file to copy.")
    if not lake.is_lake(args.to):
        return _usage(f"--to {args.to}: not a shared store; use ducklake:postgres:dbname=… host=… port=… user=….")
    started = time.monotonic()
    file = store.connection.connect(source, wait=0, busy_advice=BUSY_ADVICE["migrate"])
    try:
        shared = store.connection.connect(args.to)
        try:
            counts = lake.copy_into(file, shared, args.to)
        except lake.NotEmpty as exc:
            say(exc, err=True)
            return EXIT_ERRORS
        finally:
            shared.close()
    finally:
        file.close()
    say(
        f"Copied {source} into {lake.describe(args.to)} in {time.monotonic() - started:.1f} s: "
        f"{counts.get('submission_log', 0):,} submissions, {counts.get('budget_lines', 0):,} budget lines, "
        f"{counts.get('submission_files', 0):,} original files, {counts.get('users', 0):,} accounts."
    )
    say(f"Point the dashboard and the commands at it: UNCT_DB='{lake.describe(args.to)}'")
    return EXIT_OK


def cmd_period(args) -> int:
    """`close` and `reopen`: an administrator's (with --user, the account must be an admin), recorded in the log."""
    from store import periods

    con = _connect(args)
    if args.user and not _is_admin(con, args.user, "close or reopen periods"):
        return EXIT_ERRORS
    period = periods.Period(" ".join(args.country.split()), " ".join(args.plan.split()), args.year, args.quarter)
    try:
        (periods.close if args.command == "close" else periods.reopen)(con, period, args.user)
    except periods.PeriodError as exc:
        say(exc, err=True)
        return EXIT_ERRORS
    _saved(con, args)
    if args.command == "close":
        say(
            f"Closed {period}: loads and roll-backs that would change it are refused until it is reopened "
            f"({period.command('reopen')})."
        )
    else:
        say(f"Reopened {period}.")
    return EXIT_OK


def cmd_periods(args) -> int:
    from store import periods

    con = _connect(args, writes=False)
    entries = periods.log(con)
    if not entries:
        say("No period has been closed. Close one with: python -m etl close --country C --plan P --year Y")
        return EXIT_OK
    now = periods.closed(con)
    say("Closed now:" if now else "No period is closed now.")
    for p in now:
        say(
            f"  {periods.Period(p['country'], p['plan'], p['year'], p['quarter'])}  closed by "
            f"{p['user_name'] or 'an unnamed user'} on {p['changed_at']:%Y-%m-%d %H:%M} UTC"
        )
    say("History:")
    for e in entries:
        period = periods.Period(e["country"], e["plan"], e["year"], e["quarter"])
        say(
            f"  {e['changed_at']:%Y-%m-%d %H:%M} UTC  {e['action']:8}  {period}  by "
            f"{e['user_name'] or 'an unnamed user'}"
        )
    return EXIT_OK


def _is_admin(con, name: str, what: str) -> bool:
    """Whether account `name` is an admin; else says so (as `entities add` does)."""
    from store import accounts

    user = accounts.get_user(con, name)
    if user is None or user["role"] != "admin":
        say(
            f"There is no account {name!r}."
            if user is None
            else f"{name} is a {user['role']}: only admins may {what}.",
            err=True,
        )
        return False
    return True


def _usage(message: str) -> int:
    say(f"python -m etl: error: {message}", err=True)
    return EXIT_USAGE


def _ask_password() -> str:
    import getpass

    return getpass.getpass("Password: ")


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
