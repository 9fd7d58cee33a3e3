"""Who is using the dashboard (SPEC §10): local accounts with a login form, or single sign-on
through Streamlit's OIDC login (`st.login`) when `.streamlit/secrets.toml` has an `[auth]` section.

Viewing needs a login only when `UNCT_REQUIRE_LOGIN=1` (or `require_login = true` under
`[unct]` in secrets.toml); uploading always does. The account's role and agencies always come
from the local account table (keyed by user name, or by e-mail for single sign-on).
"""
from __future__ import annotations

import os
import time

import streamlit as st

from etl import accounts

SESSION_KEY = "unct_user"
MAX_ATTEMPTS = 5
LOCKOUT_SECONDS = 60


def _secrets_section(name: str) -> dict:
    try:
        return dict(st.secrets.get(name, {}))
    except Exception:  # no secrets.toml at all
        return {}


def oidc_configured() -> bool:
    """Single sign-on is offered when secrets.toml has an [auth] section with a provider."""
    section = _secrets_section("auth")
    return bool(section.get("redirect_uri") and (section.get("client_id") or any(
        isinstance(v, dict) for v in section.values())))


def login_required_to_view() -> bool:
    setting = os.environ.get("UNCT_REQUIRE_LOGIN") or str(_secrets_section("unct").get("require_login", ""))
    return setting.strip().lower() in ("1", "true", "yes")


def current_user(con) -> dict | None:
    """The signed-in account (user_name, role, agencies), or None."""
    user = st.session_state.get(SESSION_KEY)
    if user:
        return user
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        email = st.user.get("email")
        account = accounts.get_user(con, email) if email else None
        if account:
            st.session_state[SESSION_KEY] = _public(account)
            return st.session_state[SESSION_KEY]
    return None


def _public(account: dict) -> dict:
    return {"user_name": account["user_name"], "role": account["role"], "agencies": list(account["agencies"] or [])}


def can_upload(user: dict | None) -> bool:
    return bool(user) and user["role"] in ("focal_point", "admin")


def login_form(con, key: str = "login") -> None:
    """The local-account form (and the single sign-on button when configured)."""
    attempts = st.session_state.setdefault("_login_attempts", [])
    recent = [t for t in attempts if time.time() - t < LOCKOUT_SECONDS]
    st.session_state["_login_attempts"] = recent
    with st.form(key, border=True):
        st.markdown("**Sign in**")
        name = st.text_input("User name or e-mail", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        if len(recent) >= MAX_ATTEMPTS:
            st.error(f"Too many attempts. Wait {LOCKOUT_SECONDS} seconds and try again.")
        else:
            account = accounts.authenticate(con, name.strip(), password)
            if account is None:
                st.session_state["_login_attempts"].append(time.time())
                st.error("The user name or password is not right.")
            else:
                st.session_state[SESSION_KEY] = _public(account)
                st.rerun()
    if oidc_configured():
        st.button("Sign in with your organisation's account", on_click=st.login, key=f"{key}_sso")
    st.caption("No account yet? An administrator creates it with "
               "`python -m etl users add NAME --role focal_point --agency UNDP`.")


def logout() -> None:
    st.session_state.pop(SESSION_KEY, None)
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()
