"""Command line: `python -m etl COMMAND …` (SPEC §8). A thin layer over etl.load, etl.store and etl.queries.

Exit codes: 0 done (committed, valid with --dry-run, or a duplicate: nothing changed); 1 the file has
errors (nothing committed) or the command could not be done; 2 usage error; 3 the database is held
by another program (the message says what to do).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from etl import store
from etl.schema import KINDS

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3


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
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} {text[:60]:<60}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description="UNCT Results Dashboard data tools")
    parser.add_argument("--db", help="database file (default $UNCT_DB or data/unct.duckdb)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", default=argparse.SUPPRESS, help="database file")
        return sub

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
    export.add_argument("-o", "--output", type=Path, help="FILE.csv or FILE.xlsx (default: CSV on stdout)")

    template = command("template", "write an empty template workbook for a dataset kind")
    template.add_argument("kind", choices=list(KINDS), metavar="KIND")
    template.add_argument("-o", "--output", type=Path, required=True)

    demo = command("demo", "(re)build the demo database")
    demo.add_argument("--files", type=Path, metavar="DIR",
                      help="only write the demo spreadsheets into DIR (the database is left alone)")

    users = command("users", "local accounts")
    actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add or update an account; the password is read from stdin")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["viewer", "focal_point", "admin"])
    add.add_argument("--agency", action="append", default=[], help="an agency of a focal point (repeatable)")
    add.add_argument("--email")
    actions.add_parser("list", help="list accounts")
    remove = actions.add_parser("remove", help="remove an account")
    remove.add_argument("name")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = HANDLERS[args.command]
    try:
        return handler(args)
    except store.DatabaseBusy as exc:
        print(exc, file=sys.stderr)
        return EXIT_BUSY


def _connect(args):
    return store.connect(getattr(args, "db", None))


def cmd_load(args) -> int:
    for path in args.files:
        if not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            return EXIT_USAGE
    from etl import accounts
    from etl.load import load_many

    con = _connect(args)
    allowed = None
    if args.user:
        try:
            allowed = accounts.upload_scope(con, args.user)
        except accounts.PermissionDenied as exc:
            print(exc, file=sys.stderr)
            return EXIT_ERRORS
    total_bytes = sum(p.stat().st_size for p in args.files)
    bar = ProgressBar(1, enabled=False if args.quiet or (len(args.files) < 3 and total_bytes < 5_000_000) else None)
    files = [(path.read_bytes(), path.name) for path in args.files]
    results = load_many(con, files, kind=args.kind, plan=args.plan, country=args.country, source=args.source,
                        agency=args.agency, user=args.user, allowed_agencies=allowed, dry_run=args.dry_run,
                        progress=bar.update, workers=min(len(files), os.cpu_count() or 1, 4))
    bar.close()
    worst = EXIT_OK
    for result in results:
        print(result.summary)
        for problem in result.errors:
            print(f"  error: {problem}")
        for problem in result.warnings[:20]:
            print(f"  warning: {problem}")
        if len(result.warnings) > 20:
            print(f"  … and {len(result.warnings) - 20} more warning(s)")
        if not result.ok:
            worst = EXIT_ERRORS
    return worst


def cmd_submissions(args) -> int:
    con = _connect(args)
    rows = con.execute("""SELECT submission_id, created_at, status, kind, coalesce(agency, ''), rows_added,
                                 rows_replaced, coalesce(user_name, ''), file_name
                          FROM submissions ORDER BY submission_id""").fetchall()
    if not rows:
        print("No submissions yet. Load a file with: python -m etl load FILE")
        return EXIT_OK
    print(f"{'id':>4}  {'when':16}  {'status':11}  {'kind':10}  {'agency':10}  {'added':>6}  {'replaced':>8}  "
          f"{'user':12}  file")
    for sid, when, status, kind, agency, added, replaced, user, name in rows:
        print(f"{sid:>4}  {when:%Y-%m-%d %H:%M}  {status:11}  {kind or '':10}  {agency[:10]:10}  {added or 0:>6}  "
              f"{replaced or 0:>8}  {user[:12]:12}  {name}")
    return EXIT_OK


def cmd_rollback(args) -> int:
    from etl import accounts

    con = _connect(args)
    try:
        if args.user:
            accounts.check_rollback(con, args.user, args.submission_id)
        done = store.rollback(con, args.submission_id, args.user)
    except (store.RollbackError, accounts.PermissionDenied) as exc:
        print(exc, file=sys.stderr)
        return EXIT_ERRORS
    print(f"Rolled back submission {done['submission_id']}: {done['rows_hidden']} row(s) withdrawn, "
          f"{done['rows_restored']} earlier row(s) restored.")
    return EXIT_OK


def cmd_export(args) -> int:
    from etl import export, queries

    con = _connect(args)
    filters = queries.Filters(country=args.country, plan=args.plan, agency=args.agency,
                              year_from=args.year, year_to=args.year)
    frame = queries.export_rows(con, args.kind, filters)
    if args.output is None:
        sys.stdout.buffer.write(export.safe_csv_bytes(frame))
    elif args.output.suffix.lower() == ".xlsx":
        args.output.write_bytes(export.safe_excel_bytes(frame, sheet_name=args.kind))
    else:
        args.output.write_bytes(export.safe_csv_bytes(frame))
    if args.output:
        print(f"{len(frame)} row(s) written to {args.output}")
    return EXIT_OK


def cmd_template(args) -> int:
    from etl import template

    con = _connect(args)
    args.output.write_bytes(template.template_bytes(args.kind, store.entities(con)))
    print(f"Template for {args.kind} written to {args.output}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from etl import demo

    if args.files:
        for path in demo.write_demo_files(args.files):
            print(path)
        return EXIT_OK
    path = store.db_path(getattr(args, "db", None))
    summary = demo.build_demo(path, progress=ProgressBar(1).update)
    print(summary)
    return EXIT_OK


def cmd_users(args) -> int:
    from etl import accounts

    con = _connect(args)
    if args.users_command == "list":
        for user in accounts.list_users(con):
            print(f"{user['user_name']:16} {user['role']:12} {', '.join(user['agencies']) or '-':20} "
                  f"{user['email'] or ''}")
        return EXIT_OK
    if args.users_command == "remove":
        removed = accounts.remove_user(con, args.name)
        print(f"Removed {args.name}." if removed else f"There is no account {args.name}.")
        return EXIT_OK if removed else EXIT_ERRORS
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else _ask_password()
    if not password and args.email:
        password = None  # a single-sign-on account: it signs in through the identity provider only
    try:
        accounts.add_user(con, args.name, args.role, args.agency, password, email=args.email)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_ERRORS
    print(f"Account {args.name} ({args.role}) saved.")
    return EXIT_OK


def _ask_password() -> str:
    import getpass

    return getpass.getpass("Password: ")


HANDLERS = {
    "load": cmd_load, "submissions": cmd_submissions, "rollback": cmd_rollback, "export": cmd_export,
    "template": cmd_template, "demo": cmd_demo, "users": cmd_users,
}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
