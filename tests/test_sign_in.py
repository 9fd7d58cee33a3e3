"""Signing in with a local account under AppTest (SPEC §10): the lockout counts an account's failures whichever
identifier was typed, a password of any length is checked (never a crash), and the remembered sign-in (a signed,
expiring cookie, app/session.py) is honoured only when it is genuine, current and not signed out."""
from __future__ import annotations

import pytest

from app import auth
from etl import accounts, store
from tests.test_accounts import old_hash
from tests.test_upload import PASSWORD, db, no_exception, open_app, texts  # noqa: F401  (db: the fixture)

NOT_RIGHT = "The user name or password is not right."
TOO_MANY = f"Too many attempts. Wait {auth.LOCKOUT_SECONDS} seconds and try again."


@pytest.fixture(autouse=True)
def no_earlier_failures(monkeypatch):
    """Each test starts with no failed sign-ins counted (the count is the server process's)."""
    monkeypatch.setattr(auth, "failed_sign_ins", auth.FailedSignIns())


def add_account(path, name: str, password: str, email: str | None = None, role: str = "focal_point") -> None:
    con = store.connect(path)
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
    con = store.connect(db)  # kofi's hash as accounts made before prehashing have it
    con.execute("UPDATE users SET password_hash = ? WHERE user_name = 'kofi'", [old_hash(PASSWORD)])
    con.close()
    assert texts(attempt("leila", long_password[:-1] + "!").error) == [NOT_RIGHT]
    assert texts(attempt("kofi", long_password).error) == [NOT_RIGHT]  # bcrypt alone cannot take it: no crash
    assert attempt("leila", long_password).session_state[auth.SESSION_KEY] == "leila"
    assert attempt("kofi", PASSWORD).session_state[auth.SESSION_KEY] == "kofi"
