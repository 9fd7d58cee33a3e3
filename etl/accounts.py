"""Local accounts and permissions (SPEC §10).

Roles: viewer (dashboards and exports), focal_point (also uploads and rolls back, for the agencies on
the account only), admin (everything). Only a bcrypt hash of a password is kept.
"""
from __future__ import annotations

import functools

import bcrypt

from etl.entities import EntityResolver
from etl import store

ROLES = ("viewer", "focal_point", "admin")
MIN_PASSWORD = 8


class PermissionDenied(PermissionError):
    """What the account may not do; the text is shown to the user."""


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


def add_user(con, name: str, role: str, agencies: list[str], password: str | None, email: str | None = None) -> None:
    """Create or update an account; agencies are resolved to entity codes."""
    name = (name or "").strip()
    if not name:
        raise ValueError("An account needs a name.")
    if role not in ROLES:
        raise ValueError(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    if password is not None and len(password) < MIN_PASSWORD:
        raise ValueError(f"The password must have at least {MIN_PASSWORD} characters.")
    resolver = EntityResolver(store.entities(con))
    codes = [resolver.resolve(a) for a in agencies]
    if role == "focal_point" and not codes:
        raise ValueError("A focal point needs at least one --agency.")
    hashed = hash_password(password) if password else None
    con.execute("""INSERT INTO users (user_name, email, role, agencies, password_hash) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (user_name) DO UPDATE SET email = excluded.email, role = excluded.role,
                   agencies = excluded.agencies, password_hash = coalesce(excluded.password_hash, users.password_hash)""",
                [name, email, role, codes, hashed])


def list_users(con) -> list[dict]:
    rows = con.cursor().execute(
        "SELECT user_name, role, agencies, email, created_at FROM users ORDER BY user_name").fetchall()
    return [dict(zip(("user_name", "role", "agencies", "email", "created_at"), r)) for r in rows]


def remove_user(con, name: str) -> bool:
    return con.execute("DELETE FROM users WHERE user_name = ?", [name]).fetchone()[0] > 0


def get_user(con, name: str) -> dict | None:
    row = con.cursor().execute(
        "SELECT user_name, role, agencies, email, password_hash FROM users WHERE user_name = ? OR email = ?",
        [name, name]).fetchone()
    return dict(zip(("user_name", "role", "agencies", "email", "password_hash"), row)) if row else None


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when the name is unknown, so an unknown name takes as long as a wrong password."""
    return hash_password("not a real password")


def authenticate(con, name: str, password: str) -> dict | None:
    """The account when the password matches, else None (same answer for unknown names)."""
    user = get_user(con, name)
    stored = (user or {}).get("password_hash") or _dummy_hash()
    ok = bcrypt.checkpw(password.encode(), stored.encode())
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
    scope = upload_scope(con, name)
    if scope is None:
        return
    info = store.submission(con, submission_id)
    if info is None:
        return
    owner = info.get("agency")
    codes = set((owner or "").split(";")) - {""}
    if not codes or not codes <= scope:
        raise PermissionDenied(f"Submission {submission_id} holds rows of {owner or 'several agencies'}; "
                               f"{name} may roll back only submissions of {', '.join(sorted(scope))}.")
