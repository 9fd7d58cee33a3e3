"""Who is using the dashboard (SPEC §10): local accounts with a sign-in form, or single sign-on through
Streamlit's OIDC login (`st.login`) when `.streamlit/secrets.toml` has an `[auth]` section.

- Viewing needs a sign-in only when `UNCT_REQUIRE_LOGIN=1` (or `require_login = true` under `[unct]`
  in secrets.toml); uploading always does.
- The account's role and agencies always come from the local account table (`store.accounts`), keyed by
  user name, or by e-mail for single sign-on. The session keeps only the user name and reads the
  account again on every run, so a removed or demoted account loses its rights at once.
- A sign-in with a password survives a reload through a signed, expiring, HttpOnly cookie (app/session.py);
  single sign-on through Streamlit's own cookie. Signing out ends either.
- Failed sign-ins are limited per account for the whole server process, whether the user name or the e-mail
  was typed (per typed identifier for names of no account, so that probing them is limited too), and per
  browser session.
"""

from __future__ import annotations

import functools
import html
import importlib.util
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

import store.connection
from app import data, session
from app.text import md_escape
from store import accounts

SESSION_KEY = "unct_user"  # the signed-in user name
SESSION_TOKEN_KEY = "unct_session_token"  # the token of a sign-in with a password (app/session.py)
HAND_OFF_KEY = "unct_session_ticket"  # a ticket the browser has still to swap for its cookie
AFTER_SIGN_IN_KEY = "unct_after_sign_in"
SSO_UNKNOWN_KEY = "unct_sso_unknown"
MAX_ATTEMPTS = 5
LOCKOUT_SECONDS = 60
MAX_PROBED_NAMES = 10_000  # identifiers of no account whose failures are remembered (the oldest are forgotten)
ROLE_LABELS = {"viewer": "viewer", "focal_point": "focal point", "admin": "administrator"}
#: session keys that belong to a signed-in user's work (cleared at sign-out, see pages/upload.py)
USER_STATE_PREFIXES = ("upload_", "_upload")


# ---------------------------------------------------------------------------------------- settings


def _secrets_section(name: str) -> dict:
    try:
        section = st.secrets.get(name, {})
    except Exception:  # no secrets.toml at all, or an unreadable one
        return {}
    return _plain(section) if isinstance(section, Mapping) else {}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def sso_providers() -> list[str | None]:
    """The OIDC providers configured in secrets.toml: [None] for the single provider written directly
    under [auth], or the names of the [auth.NAME] sections; [] when single sign-on is not configured."""
    section = _secrets_section("auth")
    if not (section.get("redirect_uri") and section.get("cookie_secret")):
        return []
    if all(section.get(k) for k in _PROVIDER_KEYS):
        return [None]
    return [
        name
        for name, value in section.items()
        if isinstance(value, dict) and all(value.get(k) for k in _PROVIDER_KEYS) and "_" not in name
    ]


def oidc_configured() -> bool:
    """Single sign-on is offered when secrets.toml has an [auth] section with a complete provider."""
    return bool(sso_providers())


def sso_ready() -> bool:
    """st.login needs Authlib and the HTTP client its Starlette integration uses (requirements.txt installs both)."""
    return all(importlib.util.find_spec(name) is not None for name in ("authlib", "httpx2"))


def login_required_to_view() -> bool:
    setting = os.environ.get("UNCT_REQUIRE_LOGIN") or str(_secrets_section("unct").get("require_login", ""))
    return setting.strip().lower() in ("1", "true", "yes", "on")


# ---------------------------------------------------------------------------------------- the user


def _public(account: dict) -> dict:
    return {"user_name": account["user_name"], "role": account["role"], "agencies": sorted(account["agencies"] or [])}


def _sso_user() -> Any:
    user = getattr(st, "user", None)
    return user if user is not None and getattr(user, "is_logged_in", False) else None


def current_user(con) -> dict | None:
    """The signed-in account {user_name, role, agencies}, or None (read from the account table)."""
    st.session_state.pop(SSO_UNKNOWN_KEY, None)
    name = st.session_state.get(SESSION_KEY) or _remembered()
    if name:
        account = accounts.get_user(con, name)
        if account and account["user_name"] == name and _sign_in_holds(account):
            return _public(account)
        # removed or renamed meanwhile, its password changed, or its sign-in expired or ended in another tab
        st.session_state.pop(SESSION_KEY, None)
        st.session_state.pop(SESSION_TOKEN_KEY, None)
    identity = _sso_user() if oidc_configured() else None
    if identity is not None:  # roles, groups and other claims are not read: the account table decides
        email = str(identity.get("email") or "").strip()
        verified = identity.get("email_verified")
        account = accounts.get_user(con, email) if email and verified is not False else None
        if account:
            st.session_state[SESSION_KEY] = account["user_name"]
            return _public(account)
        st.session_state[SSO_UNKNOWN_KEY] = email or "(no e-mail given)"
    return None


def sso_refusal() -> None:
    """Tell a person whose organisation account has no account here so, plainly, on whatever page they land
    (the identity provider sends them back to the start page), with a way out of that organisation account."""
    unknown = st.session_state.get(SSO_UNKNOWN_KEY)
    if not unknown:
        return
    st.warning(
        f"Your organisation account ({md_escape(unknown)}) has no access to this dashboard yet. Ask "
        "the dashboard's administrator (usually the RCO data officer) to add it, with your role and "
        "agency (administrators: `python -m etl users add NAME --role viewer --email EMAIL`). An e-mail "
        "that your organisation marks as not verified is not accepted.",
        icon=":material/block:",
    )
    st.button("Sign out of this organisation account", key="sso_refused_sign_out", on_click=logout)


@functools.lru_cache(maxsize=8)
def _sessions_of(folder: str, configured_secret: str) -> session.Sessions:
    return session.Sessions(Path(folder), configured_secret or None)


def _sessions() -> session.Sessions:
    """The remembered sign-ins of the database's folder."""
    folder = store.connection.local_folder()
    return _sessions_of(str(folder), str(_secrets_section("unct").get("session_secret") or ""))


def _remembered() -> str | None:
    """The user name of the browser's remembered sign-in (its cookie, sent when the page was loaded), when the
    token is genuine, current and not signed out; the session then holds that sign-in."""
    token = st.context.cookies.get(session.COOKIE)
    claims = _sessions().read(token) if isinstance(token, str) else None
    if claims is None:
        return None
    st.session_state[SESSION_KEY] = claims.user_name
    st.session_state[SESSION_TOKEN_KEY] = token
    return claims.user_name


def _sign_in_holds(account: dict) -> bool:
    """A sign-in with a password holds while its token is current, not signed out, and the account's password
    is still the one it was made with (a single sign-on has no token: Streamlit's cookie carries it)."""
    token = st.session_state.get(SESSION_TOKEN_KEY)
    if token is None:
        return True
    claims = _sessions().read(token)
    return (
        claims is not None
        and claims.user_name == account["user_name"]
        and claims.password == _sessions().fingerprint(account["password_hash"])
    )


def can_upload(user: dict | None) -> bool:
    return user["role"] in ("focal_point", "admin") if user else False


def describe(user: dict) -> str:
    """'amina (focal point · UNDP, UNFPA)' — plain text, escape before markdown."""
    role = ROLE_LABELS.get(user["role"], user["role"])
    agencies = "" if user["role"] == "admin" or not user["agencies"] else " · " + ", ".join(user["agencies"])
    return f"{user['user_name']} ({role}{agencies})"


# ---------------------------------------------------------------------------------------- signing in


class FailedSignIns:
    """Failed sign-ins of the last LOCKOUT_SECONDS, for the whole server process: per account (whichever of its
    user name or e-mail was typed) and, for identifiers of no account, per identifier lower-cased. Only the
    latter are capped (MAX_PROBED_NAMES, the oldest forgotten first), so that typing many unknown names never
    wipes an account's count."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, list[float]] = {}
        self._probed: OrderedDict[str, list[float]] = OrderedDict()

    def _times(self, account: dict | None, identifier: str) -> tuple[dict, str]:
        if account:
            return self._accounts, account["user_name"]
        return self._probed, identifier.strip().lower()

    def count(self, account: dict | None, identifier: str) -> int:
        table, key = self._times(account, identifier)
        now = time.time()
        with self._lock:
            kept = [t for t in table.get(key, ()) if now - t < LOCKOUT_SECONDS]
            if kept:
                table[key] = kept
            else:
                table.pop(key, None)
            return len(kept)

    def record(self, account: dict | None, identifier: str) -> None:
        table, key = self._times(account, identifier)
        with self._lock:
            table.setdefault(key, []).append(time.time())
            if table is self._probed:
                self._probed.move_to_end(key)
                while len(self._probed) > MAX_PROBED_NAMES:
                    self._probed.popitem(last=False)

    def forget(self, account: dict) -> None:
        with self._lock:
            self._accounts.pop(account["user_name"], None)


failed_sign_ins = FailedSignIns()


def sign_in(con, name: str, password: str) -> str | None:
    """Check the password; on success the session is signed in and None is returned, else the message
    to show (the same for an unknown name and a wrong password)."""
    name = (name or "").strip()
    this_session = [t for t in st.session_state.get("_login_attempts", []) if time.time() - t < LOCKOUT_SECONDS]
    if not name or not password:
        return "Enter your user name and password."
    named = accounts.get_user(con, name)  # the account the name or e-mail names, whose count it shares
    if failed_sign_ins.count(named, name) >= MAX_ATTEMPTS or len(this_session) >= MAX_ATTEMPTS:
        return f"Too many attempts. Wait {LOCKOUT_SECONDS} seconds and try again."
    account = accounts.authenticate(con, name, password)
    if account is None:
        failed_sign_ins.record(named, name)
        st.session_state["_login_attempts"] = [*this_session, time.time()]
        return "The user name or password is not right."
    failed_sign_ins.forget(account)
    _clear_user_state()
    st.session_state[SESSION_KEY] = account["user_name"]
    token = _sessions().issue(account["user_name"], account["password_hash"])
    st.session_state[SESSION_TOKEN_KEY] = token
    st.session_state[HAND_OFF_KEY] = session.hand_off(token)
    return None


def login_form(key: str = "login", *, after: str | None = None) -> None:
    """The local-account form, and the single sign-on button(s) when configured.

    `after`: on success, remember it (AFTER_SIGN_IN_KEY) so dashboard.py can open the right page.
    The password is checked in the submit callback, which empties the password field at once."""
    with st.form(key, border=True, enter_to_submit=True):
        st.markdown("**Sign in with your dashboard account**")
        st.text_input("User name or e-mail", autocomplete="username", key=f"{key}_name")
        st.text_input("Password", type="password", autocomplete="current-password", key=f"{key}_password")
        st.form_submit_button("Sign in", type="primary", on_click=_submit, args=(key, after))
    problem = st.session_state.pop(f"{key}_problem", None)
    if problem:
        st.error(problem)
    sso_buttons(key)
    st.caption(
        "No account yet? Ask the dashboard's administrator (usually the RCO data officer) for one, naming your agency.",
        help="Administrators: `python -m etl users add NAME --role focal_point --agency UNDP` (see the README).",
    )


def _submit(key: str, after: str | None) -> None:
    """Sign-in callback; it runs at the start of the next script run, with that run's connection."""
    name = st.session_state.get(f"{key}_name") or ""
    password = st.session_state.get(f"{key}_password") or ""
    st.session_state[f"{key}_password"] = ""
    problem = sign_in(data.connection(), name, password)
    if problem:
        st.session_state[f"{key}_problem"] = problem
    elif after:
        st.session_state[AFTER_SIGN_IN_KEY] = after


def sso_buttons(key: str) -> None:
    providers = sso_providers()
    if not providers:
        return
    if not sso_ready():
        st.caption(
            "Single sign-on is configured, but the Authlib or httpx2 package is missing: "
            "`pip install -r requirements.txt`."
        )
        return
    st.markdown("or")
    for provider in providers:
        label = (
            "Sign in with your organisation's account"
            if provider is None
            else f"Sign in with {provider.replace('-', ' ').title()}"
        )
        st.button(
            label,
            key=f"{key}_sso_{provider or 'default'}",
            icon=":material/badge:",
            on_click=st.login,
            args=() if provider is None else (provider,),
        )


def _clear_user_state() -> None:
    for name in list(st.session_state.keys()):
        if str(name).startswith(USER_STATE_PREFIXES) or name in (SSO_UNKNOWN_KEY,):
            del st.session_state[name]


def hand_off_cookie() -> None:
    """Until the browser has swapped its ticket, show the invisible image through which it gets (or drops)
    the remembered sign-in's cookie (app/session.py)."""
    ticket = st.session_state.get(HAND_OFF_KEY)
    if not ticket:
        return
    if not session.pending(ticket):
        del st.session_state[HAND_OFF_KEY]
        return
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    url = "/" + "/".join(p for p in (base, session.ROUTE) if p) + "?ticket=" + ticket
    st.sidebar.html(f'<img src="{html.escape(url)}" alt="" width="1" height="1">')


def logout() -> None:
    """Forget the signed-in account and whatever it was working on; a sign-in with a password is signed out for
    good (every tab of the browser, and its cookie, which the browser is told to drop)."""
    token = st.session_state.pop(SESSION_TOKEN_KEY, None)
    if token:
        _sessions().sign_out(token)
        st.session_state[HAND_OFF_KEY] = session.hand_off(None)
    st.session_state.pop(SESSION_KEY, None)
    _clear_user_state()
    if oidc_configured() and _sso_user() is not None:
        st.logout()
