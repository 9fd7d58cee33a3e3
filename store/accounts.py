"""Local accounts and permissions (SPEC §10).

Roles: viewer (dashboards and exports), focal_point (also uploads and rolls back, for the agencies on
the account only), admin (everything). Only a bcrypt hash of a password is kept; an account is found by its
user name or its e-mail (the e-mail in any letter case, as identity providers send it).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

import bcrypt

from core.entities import EntityResolver
from core.schema import KINDS
from store import writes
from store.transactions import write_transaction

ROLES = ("viewer", "focal_point", "admin")
MIN_PASSWORD = 8


class PermissionDenied(PermissionError):
    """What the account may not do; the text is shown to the user."""


#: marks a hash of the password's HMAC-SHA256 (any length); a hash without it is bcrypt of the password itself
PREHASHED = "bcrypt-sha256$"
_BCRYPT_SALT_LENGTH = 29  # "$2b$12$" and 22 characters


def _utf8(password: str) -> bytes:
    return password.encode("utf-8", "surrogatepass")  # any str, even one read from a terminal in another encoding


def _prehash(password: str, salt: bytes) -> bytes:
    """HMAC-SHA256 of the password keyed by the bcrypt salt, in base64: 44 bytes, so that bcrypt, which refuses
    more than 72 bytes, takes a passphrase of any length whole; keyed, so that an unsalted SHA-256 of the password
    found elsewhere cannot be tried against the bcrypt hash."""
    return base64.b64encode(hmac.new(salt, _utf8(password), hashlib.sha256).digest())


def hash_password(password: str) -> str:
    salt = bcrypt.gensalt(rounds=12)
    return PREHASHED + bcrypt.hashpw(_prehash(password, salt), salt).decode()


def check_password(password: str, stored: str) -> bool:
    """Whether the password matches the stored hash, of either kind; False (never an error) for a damaged hash,
    and for a password over 72 bytes against a hash made before prehashing (bcrypt alone cannot take it)."""
    try:
        if stored.startswith(PREHASHED):
            hashed = stored[len(PREHASHED) :].encode()
            return bcrypt.checkpw(_prehash(password, hashed[:_BCRYPT_SALT_LENGTH]), hashed)
        return bcrypt.checkpw(_utf8(password), stored.encode())
    except ValueError:
        return False


def add_user(con, name: str, role: str, agencies: list[str], password: str | None, email: str | None = None) -> None:
    """Create or update an account; agencies are resolved to entity codes."""
    name = (name or "").strip()
    if not name:
        raise ValueError("An account needs a name.")
    if role not in ROLES:
        raise ValueError(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    if password is not None and len(password) < MIN_PASSWORD:
        raise ValueError(f"The password must have at least {MIN_PASSWORD} characters.")
    email = (email or "").strip() or None
    resolver = EntityResolver(writes.entities(con))
    codes = [resolver.resolve(a) for a in agencies]
    if role == "focal_point" and not codes:
        raise ValueError("A focal point needs at least one --agency.")
    hashed = hash_password(password) if password else None

    def write(con) -> None:  # the names are checked where they are written: a shared store has no unique keys
        _refuse_ambiguous_names(con, name, email)
        changed = con.execute(
            """UPDATE users SET email = ?, role = ?, agencies = ?,
                                 password_hash = coalesce(?, password_hash) WHERE user_name = ?""",
            [email, role, codes, hashed, name],
        ).fetchone()[0]
        if not changed:
            con.execute(
                "INSERT INTO users (user_name, email, role, agencies, password_hash) VALUES (?, ?, ?, ?, ?)",
                [name, email, role, codes, hashed],
            )

    write_transaction(con, write)


def _refuse_ambiguous_names(con, name: str, email: str | None) -> None:
    """A user name or e-mail must name one account only: a sign-in or a single sign-on by it could otherwise land
    in the wrong account."""
    clash = con.execute(  # inside the write transaction: what it will commit beside
        """SELECT user_name, email FROM users WHERE user_name <> ?
           AND (lower(email) IN (lower(?), lower(?)) OR lower(user_name) = lower(?)) ORDER BY user_name LIMIT 1""",
        [name, name, email, email],
    ).fetchone()
    if clash:
        other, other_email = clash
        taken = other_email if other_email and other_email.lower() in (name.lower(), (email or "").lower()) else other
        raise ValueError(f"{taken} already names account {other}: a user name or e-mail may name one account only.")


def list_users(con) -> list[dict]:
    rows = (
        con.cursor()
        .execute("SELECT user_name, role, agencies, email, created_at FROM users ORDER BY user_name")
        .fetchall()
    )
    return [dict(zip(("user_name", "role", "agencies", "email", "created_at"), r)) for r in rows]


def remove_user(con, name: str) -> bool:
    return write_transaction(
        con, lambda con: con.execute("DELETE FROM users WHERE user_name = ?", [name]).fetchone()[0] > 0
    )


def get_user(con, name: str) -> dict | None:
    """The account whose user name is `name`, else the one account whose e-mail is `name` in any letter case
    (None when several older accounts share that e-mail: it names none of them)."""
    rows = (
        con.cursor()
        .execute(
            """SELECT user_name, role, agencies, email, password_hash FROM users
           WHERE user_name = ? OR lower(email) = lower(?) ORDER BY user_name = ? DESC""",
            [name, name, name],
        )
        .fetchall()
    )
    if not rows or (len(rows) > 1 and rows[0][0] != name):
        return None
    return dict(zip(("user_name", "role", "agencies", "email", "password_hash"), rows[0]))


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when the name is unknown, so an unknown name takes as long as a wrong password."""
    return hash_password("not a real password")


def authenticate(con, name: str, password: str) -> dict | None:
    """The account when the password matches, else None (same answer for unknown names)."""
    user = get_user(con, name)
    stored = (user or {}).get("password_hash") or _dummy_hash()
    ok = check_password(password, stored)
    return user if user and ok and user.get("password_hash") else None


def upload_scope(con, name: str) -> set[str] | None:
    """Agencies the account may load (None = any, for admins); raises when it may not load at all."""
    user = get_user(con, name)
    if user is None:
        raise PermissionDenied(f"There is no account {name!r}.")
    if user["role"] == "admin":
        return None
    if user["role"] != "focal_point":
        raise PermissionDenied(f"{name} is a {user['role']}: only focal points and admins may load data.")
    return set(user["agencies"] or ())


def check_rollback(con, name: str, submission_id: int) -> None:
    """A focal point may roll back only submissions of their agencies; admins any."""
    reason = rollback_refusals(con, name, [submission_id]).get(submission_id)
    if reason:
        raise PermissionDenied(reason)


def rollback_refusals(con, name: str, submission_ids: list[int]) -> dict[int, str]:
    """Why the account may not roll back each of these submissions (absent: it may; admins may roll back any).

    A focal point may roll back a submission whose rows are all of their agencies and which replaced rows of
    their agencies only (a joint row counts as each of its agencies'): rolling it back changes nothing of
    another agency's. A submission an administrator loaded over another agency's rows is theirs to undo.
    """
    scope = upload_scope(con, name)
    if scope is None or not submission_ids:
        return {}
    cur = con.cursor()
    ids = [int(i) for i in submission_ids]
    owners = dict(
        cur.execute(
            "SELECT submission_id, agency FROM submission_log WHERE submission_id IN (SELECT unnest(?))", [ids]
        ).fetchall()
    )
    replaced: dict[int, set[str]] = {}
    tables = (*(kind.table.name for kind in KINDS.values()), "suboutputs")
    for sid, agency in cur.execute(
        f"""SELECT DISTINCT replaced_by, agency FROM (
            {" UNION ALL ".join(f"SELECT replaced_by, agency FROM {t}" for t in tables)})
            WHERE replaced_by IN (SELECT unnest(?))""",
        [ids],
    ).fetchall():
        if not set((agency or "").split(";")) & scope:
            replaced.setdefault(sid, set()).add(agency or "no agency")
    mine = ", ".join(sorted(scope))
    refusals = {}
    for sid in ids:
        codes = set((owners.get(sid) or "").split(";")) - {""}
        if sid in owners and (not codes or not codes <= scope):
            refusals[sid] = (
                f"Submission {sid} holds rows of {owners[sid] or 'several agencies'}; "
                f"{name} may roll back only submissions of {mine}."
            )
        elif sid in replaced:
            refusals[sid] = (
                f"Submission {sid} replaced rows of {', '.join(sorted(replaced[sid]))}: rolling it back "
                f"would change them; {name} may roll back only submissions that changed rows of {mine} "
                "alone (an administrator may roll it back)."
            )
    return refusals
