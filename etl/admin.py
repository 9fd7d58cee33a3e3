"""The administration commands of `python -m etl`: accounts (`users`), the UN entity list (`entities`), closed
periods (`close`, `reopen`, `periods`) and the move to a shared store (`migrate`). Whoever may write the database
file may run them; `--user NAME` applies that account's role where a command says so."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import store.transactions
import store.writes
from core.formatting import printable
from etl.console import BUSY_ADVICE, EXIT_ERRORS, EXIT_OK, connect, saved, say, usage


def cmd_users(args) -> int:
    from store import accounts

    con = connect(args, writes=args.users_command != "list")
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
            saved(con, args)
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
    saved(con, args)
    say(f"Account {args.name} ({args.role}) saved.")
    return EXIT_OK


def cmd_entities(args) -> int:
    con = connect(args, writes=args.entities_command != "list")
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
        return usage(
            f"{args.code!r} is not an entity code: give a short code such as UNOSSC "
            "(at most 20 characters, no ';' or ',')."
        )
    if not entity_key(name):
        return usage(
            f"{args.name!r} is not an entity name: give the full name, e.g. "
            '"United Nations Office for South-South Cooperation".'
        )
    current = {e.code: e for e in store.writes.entities(con)}
    resolver = EntityResolver(current.values())
    taken = resolver.try_resolve(code)
    if taken is not None and taken != code:
        how = "the entity list writes it" if entity_key(taken) == entity_key(code) else "it already stands for"
        return usage(
            f"Code {code!r} is taken: {how} {taken}. To change {taken}, run: "
            f"python -m etl entities add {shlex.quote(taken)} NAME"
        )
    for label in [name, *aliases]:
        other = resolver.try_resolve(label)
        if other is not None and other != code:
            return usage(f"{label!r} already stands for {other}: it cannot also name {code}.")
    old = current.get(code)
    if old is None:
        store.transactions.write_transaction(
            con, store.writes.add_entity, code, name, tuple(dict.fromkeys(aliases)), "admin"
        )
        saved(con, args)
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
    saved(con, args)
    say(f"Updated {code}: {'; '.join(changes)}.")
    return EXIT_OK


def cmd_period(args) -> int:
    """`close` and `reopen`: an administrator's (with --user, the account must be an admin), recorded in the log."""
    from store import periods

    con = connect(args)
    if args.user and not _is_admin(con, args.user, "close or reopen periods"):
        return EXIT_ERRORS
    period = periods.Period(" ".join(args.country.split()), " ".join(args.plan.split()), args.year, args.quarter)
    try:
        (periods.close if args.command == "close" else periods.reopen)(con, period, args.user)
    except periods.PeriodError as exc:
        say(exc, err=True)
        return EXIT_ERRORS
    saved(con, args)
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

    con = connect(args, writes=False)
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


def _ask_password() -> str:
    import getpass

    return getpass.getpass("Password: ")


def cmd_migrate(args) -> int:
    """`migrate --to URL`: the database file, whole, into a new shared store (store.lake.copy_into)."""
    import store.connection
    from store import lake

    source = store.connection.target(getattr(args, "db", None))
    if lake.is_lake(source) or not Path(source).is_file():
        return usage(f"{lake.describe(source)}: not a database file; --db names the file to copy.")
    if not lake.is_lake(args.to):
        return usage(f"--to {args.to}: not a shared store; use ducklake:postgres:dbname=… host=… port=… user=….")
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
