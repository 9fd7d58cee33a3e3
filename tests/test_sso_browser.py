"""Single sign-on end to end (SPEC §10), in a real browser (system Chromium through Playwright), against a real
OpenID Connect provider: the certified `oidc-provider` package (tests/oidc/, pinned by its package-lock.json;
`make test` installs it with `npm ci`, and so does this module when it is missing), run by Node.js on a loopback
port with the dashboard as its client. `streamlit run dashboard.py` gets a secrets.toml of its own (in a
temporary folder, through `--secrets.files`), pointing at the provider's metadata as it would at Entra ID's.

- a focal point signs in at the provider's page and lands back signed in, role and agency from the local
  account whose e-mail matches (in any letter case); the sign-in survives a reload; signing out ends it at
  the provider too, so the next sign-in asks for the password again;
- a `roles` claim gives no rights (the account table decides), a person without an account, with an
  e-mail marked not verified, or with no `email` claim (only a `preferred_username`) is refused plainly.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

import store.connection
from store import accounts
from tests import test_browser
from tests.test_browser import ROOT, free_port, new_page, open_url, screenshot, serve, settle
from tests.test_sign_in_browser import signed_in_as
from tests.test_upload_browser import go, nav

browser = test_browser.browser  # the same fixture: one Chromium per module


OIDC = ROOT / "tests" / "oidc"
PROVIDER_PASSWORD = "provider password"
SSO_BUTTON = "Sign in with your organisation's account"
#: the people the provider knows: login → the claims it sends about them
PEOPLE = {
    "amina@undp.org": {
        "email": "Amina@UNDP.org",
        "email_verified": True,
        "name": "Amina K.",
        "preferred_username": "amina@undp.org",
    },
    "vera@undp.org": {"email": "vera@undp.org", "email_verified": True, "roles": ["admin"], "name": "Vera"},
    "stranger@undp.org": {"email": "stranger@undp.org", "email_verified": True},
    "kofi@unicef.org": {"email": "kofi@unicef.org", "email_verified": False},
    "amina.upn": {"preferred_username": "amina@undp.org", "name": "Amina without e-mail"},
}
#: the dashboard's accounts for single sign-on: name → (role, agencies, e-mail)
SSO_ACCOUNTS = {
    "amina.sso": ("focal_point", ["UNDP"], "amina@undp.org"),
    "vera.sso": ("viewer", [], "vera@undp.org"),
    "kofi.sso": ("focal_point", ["UNICEF"], "kofi@unicef.org"),
}


def installed_provider() -> Path:
    """tests/oidc/node_modules, installed from the lock file when missing (as `make test` does)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("Node.js and npm are needed for the single sign-on test (.ci/run installs them)")
    if not (OIDC / "node_modules" / "oidc-provider" / "package.json").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=OIDC, check=True, capture_output=True)
    return OIDC / "provider.mjs"


@pytest.fixture(scope="module")
def site(tmp_path_factory, seeded_db_path):
    """The identity provider and the dashboard, each on its own loopback port; yields (dashboard URL, issuer)."""
    folder = tmp_path_factory.mktemp("sso")
    provider_port, dashboard_port = free_port(), free_port()
    issuer, base = f"http://localhost:{provider_port}", f"http://127.0.0.1:{dashboard_port}"
    client = {
        "client_id": "unct-dashboard",
        "client_secret": secrets.token_hex(16),
        "redirect_uris": [f"{base}/oauth2callback"],
        "post_logout_redirect_uris": [f"{base}/oauth2callback"],
    }
    config = folder / "provider.json"
    config.write_text(
        json.dumps(
            {
                "issuer": issuer,
                "port": provider_port,
                "client": client,
                "people": {
                    login: {"password": PROVIDER_PASSWORD, "claims": claims} for login, claims in PEOPLE.items()
                },
            }
        )
    )
    (folder / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "{base}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{client["client_id"]}"\n'
        f'client_secret = "{client["client_secret"]}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )
    db = folder / "sso.duckdb"
    shutil.copy(seeded_db_path, db)
    con = store.connection.connect(db)
    for name, (role, agencies, email) in SSO_ACCOUNTS.items():
        accounts.add_user(con, name, role, agencies, None, email=email)
    con.close()

    log = open(folder / "provider.log", "w")
    provider = subprocess.Popen(
        ["node", str(installed_provider()), str(config)], stdout=subprocess.PIPE, stderr=log, text=True
    )
    try:
        assert provider.stdout.readline().strip() == "ready", (folder / "provider.log").read_text()
        with serve(db, port=dashboard_port, args=("--secrets.files", str(folder / "secrets.toml"))) as served:
            yield served, issuer
    finally:
        provider.terminate()
        provider.wait(timeout=15)
        log.close()


def at_provider(page, issuer: str, title: str) -> None:
    page.wait_for_url(f"{issuer}/**")
    page.get_by_role("heading", name=title).wait_for()


def sso_sign_in(page, base: str, issuer: str, login: str) -> None:
    """From the dashboard's Sign in page, through the provider's own sign-in page, back to the dashboard."""
    open_url(page, base)
    go(page, "Sign in")
    page.get_by_role("button", name=SSO_BUTTON).click()
    at_provider(page, issuer, "Sign in to the test identity provider")
    page.get_by_label("User").fill(login)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/**")
    settle(page)


def sso_sign_out(page, base: str, issuer: str, click) -> None:
    """Sign out of the dashboard (`click` starts it), confirm at the provider, and land back signed out."""
    click()
    at_provider(page, issuer, "Sign out of the test identity provider?")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{base}/**")
    settle(page)


def refusal(page) -> str:
    """The alerts' text as read (without the invisible word joiners md_escape puts before an '@')."""
    alerts = page.locator('[data-testid="stMain"] [data-testid="stAlert"]')
    return " ".join(a.inner_text() for a in alerts.all()).replace("\u2060", "")


def test_a_focal_point_signs_in_with_the_organisation_account_and_out_again(site, browser):
    base, issuer = site
    page = new_page(browser)
    sso_sign_in(page, base, issuer, "amina@undp.org")
    assert signed_in_as(page) == "amina.sso (focal point · UNDP)"  # Amina@UNDP.org matched amina@undp.org
    assert {"Upload", "Sign out"} <= set(nav(page)) and "Sign in" not in nav(page)
    go(page, "Upload")
    assert page.locator('[data-testid="stMain"] [data-testid="stFileUploader"]').count() == 1
    screenshot(page, "sso-signed-in")
    page.reload()
    settle(page)
    assert signed_in_as(page) == "amina.sso (focal point · UNDP)"

    sso_sign_out(page, base, issuer, page.locator('[data-testid="stSidebarNav"] a', has_text="Sign out").click)
    assert signed_in_as(page) is None and "Sign in" in nav(page) and "Upload" not in nav(page)
    page.reload()
    settle(page)
    assert signed_in_as(page) is None
    # not signed in again behind the person's back: the provider asks for the password again
    go(page, "Sign in")
    page.get_by_role("button", name=SSO_BUTTON).click()
    at_provider(page, issuer, "Sign in to the test identity provider")
    page.context.close()


@pytest.mark.parametrize(
    "login,expected",
    [
        ("vera@undp.org", "vera.sso (viewer)"),  # its roles claim says admin: the account table decides
    ],
)
def test_claims_give_no_rights_beyond_the_account(site, browser, login, expected):
    base, issuer = site
    page = new_page(browser)
    sso_sign_in(page, base, issuer, login)
    assert signed_in_as(page) == expected and "Upload" not in nav(page)
    page.context.close()


@pytest.mark.parametrize(
    "login,shown",
    [
        ("stranger@undp.org", "stranger@undp.org"),  # no account with that e-mail
        ("kofi@unicef.org", "kofi@unicef.org"),  # an account, but the provider says the e-mail is not verified
        (
            "amina.upn",
            "(no e-mail given)",
        ),  # only a preferred_username, which is not an e-mail the provider vouches for
    ],
)
def test_a_person_without_an_account_is_refused_plainly(site, browser, login, shown):
    base, issuer = site
    page = new_page(browser)
    sso_sign_in(page, base, issuer, login)
    assert (
        f"Your organisation account ({shown}) has no access to this dashboard yet. Ask the dashboard's administrator"
    ) in refusal(page)
    assert signed_in_as(page) is None and "Upload" not in nav(page) and "Sign in" in nav(page)
    go(page, "Delivery")  # on every page, until they sign out of that organisation account
    assert f"({shown}) has no access" in refusal(page)
    screenshot(page, f"sso-refused-{login}")
    sso_sign_out(page, base, issuer, page.get_by_role("button", name="Sign out of this organisation account").click)
    assert "has no access" not in refusal(page) and signed_in_as(page) is None
    page.context.close()
