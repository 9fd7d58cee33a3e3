"""A sign-in in a real browser (system Chromium through Playwright) against `streamlit run dashboard.py`:
it survives a reload (F5), mid-upload included, through a signed, expiring, HttpOnly cookie that page scripts
cannot read; signing out ends it for good (a reload, or the old cookie replayed, stays signed out); an expired
or tampered cookie signs nobody in."""

from __future__ import annotations

import shutil
import time
from urllib.parse import urlsplit

import pytest

import store.connection
from app import session
from tests import test_browser, test_upload_browser
from tests.test_browser import new_page, open_url, screenshot, serve, settle
from tests.test_upload import add_accounts, budget_rows, fill_template, with_three_errors
from tests.test_upload_browser import nav, save, sign_in, upload

browser = test_browser.browser  # the same fixtures: one Chromium per module,
site = test_upload_browser.site  # a server per test with the test accounts, and the budget template


def session_cookie(page) -> dict | None:
    cookies = [c for c in page.context.cookies() if c["name"] == session.COOKIE]
    return cookies[0] if cookies else None


def wait_for_cookie(page, present: bool = True) -> dict | None:
    """The browser fetches the cookie (or its deletion) through an image right after the sign-in (sign-out)."""
    deadline = time.monotonic() + 15
    while (session_cookie(page) is not None) != present:
        assert time.monotonic() < deadline, f"the session cookie was not {'set' if present else 'deleted'}"
        page.wait_for_timeout(200)
    return session_cookie(page)


def signed_in_as(page) -> str | None:
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    marker = "Signed in as "
    return sidebar.split(marker, 1)[1].split("\n", 1)[0].strip() if marker in sidebar else None


def reload(page) -> None:
    page.reload()
    settle(page)


def test_a_sign_in_survives_a_reload_mid_upload_and_ends_at_sign_out(site, browser, tmp_path):
    base, template = site
    page = new_page(browser)
    sign_in(page, base, "amina")
    cookie = wait_for_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert 8 * 3600 - 120 < cookie["expires"] - time.time() <= 8 * 3600  # the session's lifetime, not forever
    assert session.COOKIE not in page.evaluate("document.cookie")  # page scripts cannot read it
    screenshot(page, "signed-in-upload")  # the image that brought the cookie takes no visible room

    # mid-upload: a file chosen and checked, then F5
    bad, _ = with_three_errors(budget_rows("UNDP", 2026))
    upload(page, save(tmp_path, "undp-cbf-2026.xlsx", fill_template(template, bad)))
    reload(page)
    assert urlsplit(page.url).path.endswith("/upload")
    assert signed_in_as(page) == "amina (focal point · UNDP)"
    assert {"Upload", "Sign out"} <= set(nav(page)) and "Sign in" not in nav(page)
    assert page.locator('[data-testid="stMain"] [data-testid="stFileUploader"]').count() == 1  # choose it again

    # a new tab of the same browser is signed in too
    other = page.context.new_page()
    open_url(other, f"{base}/upload")
    assert signed_in_as(other) == "amina (focal point · UNDP)"

    # sign out: the cookie goes, a reload stays signed out, and so does the other tab
    page.locator('[data-testid="stSidebarNav"] a', has_text="Sign out").click()
    page.locator('[data-testid="stSidebarNav"] a', has_text="Sign in").wait_for()
    wait_for_cookie(page, present=False)
    reload(page)
    assert signed_in_as(page) is None and "Sign in" in nav(page) and "Upload" not in nav(page)
    reload(other)
    assert signed_in_as(other) is None

    # the signed-out cookie, replayed from a copy, signs nobody in
    replay = new_page(browser)
    replay.context.add_cookies([cookie])
    open_url(replay, f"{base}/upload")
    assert signed_in_as(replay) is None and "Sign in" in nav(replay)
    for p in (page, replay):
        p.context.close()


@pytest.fixture
def served(tmp_path, seeded_db_path):
    """The dashboard on a copy of the seeded database with the test accounts; yields its URL and the accounts'
    password hashes (read before the server holds the file)."""
    db = tmp_path / "served.duckdb"
    shutil.copy(seeded_db_path, db)
    add_accounts(db)
    con = store.connection.connect(db)
    hashes = dict(con.execute("SELECT user_name, password_hash FROM users").fetchall())
    con.close()
    with serve(db) as base:
        yield base, hashes


def test_only_a_genuine_current_cookie_signs_in(served, browser, tmp_path):
    base, hashes = served
    sessions = session.Sessions(tmp_path)  # the server's secret: generated into its database's folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    genuine = sessions.issue("root", hashes["root"])
    payload, signature = genuine.split(".")
    cases = {
        "genuine": (genuine, "root (administrator)"),
        "expired": (sessions.issue("root", hashes["root"], now=time.time() - 8 * 3600 - 1), None),
        "tampered": (f"{session._b64(session._unb64(payload).replace(b'root', b'vera'))}.{signature}", None),
        "another secret": (session.Sessions(elsewhere).issue("root", hashes["root"]), None),
        "another password": (sessions.issue("root", hashes["vera"]), None),
        "garbage": ("not-a-token", None),
    }
    for name, (value, expected) in cases.items():
        page = new_page(browser)
        page.context.add_cookies([{"name": session.COOKIE, "value": value, "url": base, "httpOnly": True}])
        open_url(page, f"{base}/upload")
        assert signed_in_as(page) == expected, name
        assert ("Upload" in nav(page)) == (expected is not None), name
        page.context.close()
