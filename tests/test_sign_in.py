"""Signing in with a local account under AppTest (SPEC §10): the lockout counts an account's failures whichever
identifier was typed, a password of any length is checked (never a crash), and the remembered sign-in (a signed,
expiring cookie, app/session.py) is honoured only when it is genuine, current and not signed out."""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import time

import pytest

import store.connection
from app import auth, session
from store import accounts
from tests import test_upload
from tests.test_accounts import old_hash
from tests.test_upload import PASSWORD, no_exception, open_app, texts

db = test_upload.db  # the same fixture: a private copy of the seeded database with the test accounts

NOT_RIGHT = "The user name or password is not right."
TOO_MANY = f"Too many attempts. Wait {auth.LOCKOUT_SECONDS} seconds and try again."


@pytest.fixture(autouse=True)
def no_earlier_failures(monkeypatch):
    """Each test starts with no failed sign-ins counted (the count is the server process's)."""
    monkeypatch.setattr(auth, "failed_sign_ins", auth.FailedSignIns())


def add_account(path, name: str, password: str, email: str | None = None, role: str = "focal_point") -> None:
    con = store.connection.connect(path)
    try:
        accounts.add_user(con, name, role, ["UNDP"] if role == "focal_point" else [], password, email=email)
    finally:
        con.close()


def attempt(identifier: str, password: str, app=None):
    """Type the identifier and password into the Upload page's form and submit, in a new browser session unless
    `app` (an open session) is given."""
    app = app or open_app()
    app.text_input(key="upload_login_name").input(identifier)
    app.text_input(key="upload_login_password").input(password)
    app.get("form_submit_button")[0].click()
    app.run()
    no_exception(app)
    return app


# --- lockout ---------------------------------------------------------------------------------------------


def test_the_lockout_counts_the_account_whichever_identifier_is_typed(db):
    add_account(db, "amina.k", PASSWORD, email="Amina.K@undp.org")
    identifiers = ["amina.k", "amina.k@undp.org", "amina.k", "AMINA.K@UNDP.ORG", "amina.k"]
    for identifier in identifiers:  # each from a new browser session: the session's own count never trips
        assert texts(attempt(identifier, "not the password").error) == [NOT_RIGHT]
    for identifier in ("amina.k", "amina.k@undp.org"):
        locked = attempt(identifier, PASSWORD)
        assert texts(locked.error) == [TOO_MANY]
        assert auth.SESSION_KEY not in locked.session_state and not locked.file_uploader


def test_a_right_password_forgets_the_accounts_failures(db):
    for _ in range(2):  # a forgetful user: four slips, then the right password, twice over
        for _ in range(auth.MAX_ATTEMPTS - 1):
            assert texts(attempt("amina", "not the password").error) == [NOT_RIGHT]
        assert attempt("amina", PASSWORD).session_state[auth.SESSION_KEY] == "amina"


def test_probing_a_name_of_no_account_locks_it_too(db):
    for _ in range(auth.MAX_ATTEMPTS):
        assert texts(attempt("Ghost", PASSWORD).error) == [NOT_RIGHT]
    assert texts(attempt("ghost", PASSWORD).error) == [TOO_MANY]  # the same answer as for an account
    assert texts(attempt("amina", "not the password").error) == [NOT_RIGHT]  # another name: its own count


def test_one_browser_session_is_limited_whatever_names_it_tries(db):
    app = open_app()
    for name in ("a1", "a2", "a3", "a4", "a5"):
        assert texts(attempt(name, PASSWORD, app).error) == [NOT_RIGHT]
    assert texts(attempt("amina", PASSWORD, app).error) == [TOO_MANY]


def test_typing_many_unknown_names_never_wipes_an_accounts_count(monkeypatch):
    monkeypatch.setattr(auth, "MAX_PROBED_NAMES", 3)
    failures = auth.FailedSignIns()
    amina = {"user_name": "amina"}
    for _ in range(auth.MAX_ATTEMPTS):
        failures.record(amina, "amina@undp.org")
    for n in range(10):
        failures.record(None, f"probe{n}")
    assert failures.count(amina, "amina") == auth.MAX_ATTEMPTS
    assert [failures.count(None, f"probe{n}") for n in range(10)] == [0] * 7 + [1] * 3  # the oldest forgotten


# --- long passwords ----------------------------------------------------------------------------------------


def test_a_password_over_72_bytes_signs_in_or_is_not_right(db):
    long_password = "a passphrase much longer than bcrypt's seventy-two bytes, typed whole " * 2
    add_account(db, "leila", long_password)
    con = store.connection.connect(db)  # kofi's hash as accounts made before prehashing have it
    con.execute("UPDATE users SET password_hash = ? WHERE user_name = 'kofi'", [old_hash(PASSWORD)])
    con.close()
    assert texts(attempt("leila", long_password[:-1] + "!").error) == [NOT_RIGHT]
    assert texts(attempt("kofi", long_password).error) == [NOT_RIGHT]  # bcrypt alone cannot take it: no crash
    assert attempt("leila", long_password).session_state[auth.SESSION_KEY] == "leila"
    assert attempt("kofi", PASSWORD).session_state[auth.SESSION_KEY] == "kofi"


# --- the remembered sign-in in the session ---------------------------------------------------------------------


def test_a_new_password_ends_the_accounts_sign_ins(db):
    app = attempt("amina", PASSWORD)
    token = app.session_state[auth.SESSION_TOKEN_KEY]
    assert auth._sessions().read(token).user_name == "amina" and app.file_uploader
    add_account(db, "amina", "a brand new password")
    app.run()
    assert auth.SESSION_KEY not in app.session_state and not app.file_uploader


def test_a_sign_in_ends_when_its_token_expires(db, monkeypatch):
    monkeypatch.setenv("UNCT_SESSION_HOURS", str(2 / 3600))  # two seconds
    app = attempt("amina", PASSWORD)
    assert app.file_uploader
    time.sleep(2.5)
    app.run()
    assert auth.SESSION_KEY not in app.session_state and not app.file_uploader


def test_a_sign_in_hands_the_browser_its_cookie_through_a_one_time_image(db):
    app = attempt("amina", PASSWORD)
    ticket = app.session_state[auth.HAND_OFF_KEY]
    assert session._tickets[ticket][0] == app.session_state[auth.SESSION_TOKEN_KEY]
    assert [h.proto.body for h in app.sidebar.get("html")] == [
        f'<img src="/{session.ROUTE}?ticket={ticket}" alt="" width="1" height="1">'
    ]
    session._take(ticket)  # the browser fetched it: the image is no longer shown
    app.run()
    assert not app.sidebar.get("html") and auth.HAND_OFF_KEY not in app.session_state


# --- the remembered sign-in: tokens, the secret, the signed-out list -----------------------------------------


@pytest.fixture
def sessions(tmp_path, monkeypatch) -> session.Sessions:
    monkeypatch.delenv("UNCT_SESSION_SECRET", raising=False)
    monkeypatch.delenv("UNCT_SESSION_HOURS", raising=False)
    return session.Sessions(tmp_path)


def test_a_token_says_whose_sign_in_until_when(sessions):
    token = sessions.issue("amina", "bcrypt-sha256$hash", now=1_000_000)
    claims = sessions.read(token, now=1_000_000 + 8 * 3600 - 1)
    assert (claims.user_name, claims.expires) == ("amina", 1_000_000 + 8 * 3600)
    assert claims.password == sessions.fingerprint("bcrypt-sha256$hash") != sessions.fingerprint("another hash")
    assert sessions.read(token, now=1_000_000 + 8 * 3600) is None  # expired
    assert sessions.issue("amina", "h").split(".")[0] != sessions.issue("amina", "h").split(".")[0]  # own ids


def tampered(token: str) -> list[str]:
    payload, signature = token.split(".")
    claims = json.loads(session._unb64(payload))
    forged = session._b64(json.dumps({**claims, "u": "root"}).encode())
    return [
        f"{forged}.{signature}",
        f"{payload}.{signature[:-2]}AA",
        payload,
        f"{payload}.",
        "",
        "..",
        "x" * 5000,
        f"{session._b64(b'not json')}.{signature}",
    ]


def test_a_tampered_or_foreign_token_is_refused(sessions, tmp_path):
    token = sessions.issue("amina", "h")
    assert all(sessions.read(bad) is None for bad in tampered(token))
    other = tmp_path / "other"
    other.mkdir()
    assert session.Sessions(other).read(token) is None  # signed with another secret


def test_the_lifetime_is_a_setting(sessions, monkeypatch):
    monkeypatch.setenv("UNCT_SESSION_HOURS", "0.5")
    assert sessions.read(sessions.issue("amina", "h", now=1_000_000), now=1_000_000 + 1800) is None


def test_signing_out_outlives_a_restart(sessions, tmp_path):
    token, other = sessions.issue("amina", "h"), sessions.issue("amina", "h")
    sessions.sign_out(token)
    assert sessions.read(token) is None and sessions.read(other) is not None  # that sign-in only
    restarted = session.Sessions(tmp_path)
    assert restarted.read(token) is None and restarted.read(other) is not None
    claims = json.loads(session._unb64(token.split(".")[0]))
    assert json.loads((tmp_path / session.SIGNED_OUT_FILE).read_text()) == {claims["s"]: claims["e"]}


def test_the_generated_secret_is_kept_private_and_reused(sessions, tmp_path):
    path = tmp_path / session.SECRET_FILE
    assert path.stat().st_mode & 0o777 == 0o600 and len(path.read_text()) == 64
    assert session.Sessions(tmp_path).read(sessions.issue("amina", "h")) is not None
    path.write_text("")  # cut off while being written
    with pytest.raises(session.SessionSecretError, match="holds no usable session secret: delete it"):
        session.Sessions(tmp_path)
    with pytest.raises(
        session.SessionSecretError,
        match="No session secret can be kept in .*: set "
        r"\$UNCT_SESSION_SECRET",
    ):
        session.Sessions(tmp_path / "no such folder")


def test_a_configured_secret_must_be_long(tmp_path, monkeypatch):
    monkeypatch.setenv("UNCT_SESSION_SECRET", "short")
    with pytest.raises(session.SessionSecretError, match="has 5 characters; it needs at least 32"):
        session.Sessions(tmp_path)
    monkeypatch.setenv("UNCT_SESSION_SECRET", "s" * 40)
    token = session.Sessions(tmp_path).issue("amina", "h")
    assert not (tmp_path / session.SECRET_FILE).exists()
    monkeypatch.delenv("UNCT_SESSION_SECRET")
    assert session.Sessions(tmp_path, configured_secret="s" * 40).read(token) is not None  # secrets.toml's


def fetch(path: str, headers: dict | None = None, routes: list | None = None) -> tuple[int, list[str]]:
    """GET `path` from the route (an ASGI call, as uvicorn makes it): the status and the Set-Cookie headers."""
    from starlette.applications import Starlette

    url, _, query = path.partition("?")
    scope = {
        "type": "http",
        "method": "GET",
        "path": url,
        "raw_path": url.encode(),
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "scheme": "http",
        "server": ("127.0.0.1", 8501),
        "client": ("127.0.0.1", 5000),
        "root_path": "",
        "http_version": "1.1",
    }
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(Starlette(routes=routes or session.routes("dash"))(scope, receive, send))
    start = sent[0]
    return start["status"], [v.decode() for k, v in start["headers"] if k == b"set-cookie"]


def test_the_route_swaps_a_ticket_once_for_the_cookie():
    ticket = session.hand_off("the.token")
    assert session.pending(ticket)
    status, cookies = fetch(f"/dash/{session.ROUTE}?ticket={ticket}")
    assert status == 200 and not session.pending(ticket)
    assert cookies == [f"unct_session=the.token; HttpOnly; Max-Age={8 * 3600}; Path=/dash; SameSite=lax"]
    assert fetch(f"/dash/{session.ROUTE}?ticket={ticket}") == (404, [])  # once only
    assert fetch(f"/dash/{session.ROUTE}?ticket=guessed") == (404, [])
    assert fetch(f"/dash/{session.ROUTE}") == (404, [])


def test_over_https_the_cookie_is_secure_and_signing_out_deletes_it():
    status, cookies = fetch(
        f"/dash/{session.ROUTE}?ticket={session.hand_off('the.token')}", {"X-Forwarded-Proto": "https"}
    )
    assert "; Secure" in cookies[0]
    status, cookies = fetch(f"/dash/{session.ROUTE}?ticket={session.hand_off(None)}")
    assert status == 200 and cookies[0].startswith('unct_session=""; expires=') and "Max-Age=0" in cookies[0]


def test_only_the_dashboards_own_page_may_swap_a_ticket():
    ticket = session.hand_off("attacker.token")  # a ticket someone got for their own sign-in
    for site in ("cross-site", "same-site", "none"):  # an image or link elsewhere, a typed address
        assert fetch(f"/dash/{session.ROUTE}?ticket={ticket}", {"Sec-Fetch-Site": site}) == (403, [])
    assert session.pending(ticket)  # still good for the page it was made for
    assert fetch(f"/dash/{session.ROUTE}?ticket={ticket}", {"Sec-Fetch-Site": "same-origin"})[0] == 200


def test_the_route_sees_the_tickets_after_streamlit_imports_the_module_anew(monkeypatch):
    """While developing, Streamlit imports a changed source file anew on the next run; the route, made once at
    start-up, must still see the tickets the pages hand out."""
    import app

    routes = session.routes("dash")
    monkeypatch.setattr(app, "session", session)  # both put back after the test
    monkeypatch.delitem(sys.modules, "app.session")
    fresh = importlib.import_module("app.session")
    assert fresh is not session
    assert fetch(f"/dash/{session.ROUTE}?ticket={fresh.hand_off('the.token')}", routes=routes)[0] == 200


def test_an_expired_ticket_changes_nothing(monkeypatch):
    ticket = session.hand_off("the.token")
    later = time.time() + session.TICKET_SECONDS + 1
    monkeypatch.setattr(session.time, "time", lambda: later)
    assert not session.pending(ticket)
    assert fetch(f"/dash/{session.ROUTE}?ticket={ticket}") == (404, [])
