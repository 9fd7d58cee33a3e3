"""The Upload page and sign-in under AppTest (SPEC §7, §10): who gets an upload form, the validation
report with every error's cell, the preview and Commit, duplicates (date and user), agency
permissions for uploads and roll-backs, the single sign-on button, and real UN INFO exports uploaded
one by one with a progress bar and a preview whose totals match the files' own Total columns.

The helpers at the top (workbooks from the real template, accounts) serve tests/test_upload_browser.py too.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from streamlit.testing.v1 import AppTest

import store.connection
import store.writes
from app import auth
from app.testing import DASHBOARD, PAGE_FILES, use_navigation_only
from core.schema import KINDS
from etl.load import load_bytes
from etl.template import template_bytes
from store import accounts
from tests.fixtures import ANGOLA, PLAN_A, PLAN_B, VIET_NAM, build_seeded_db
from tests.test_accounts import UNDP_EXPORT, UNICEF_EXPORT

UNINFO = Path(__file__).resolve().parents[2] / "shared" / "data" / "uninfo"
PASSWORD = "correct horse battery"
#: accounts every upload test database gets: name → (role, agencies)
ACCOUNTS = {
    "amina": ("focal_point", ["UNDP"]),
    "kofi": ("focal_point", ["UNICEF"]),
    "vera": ("viewer", []),
    "root": ("admin", []),
}


# --- helpers (shared with the browser tests) -----------------------------------------------------------


def add_accounts(path: Path) -> None:
    con = store.connection.connect(path)
    try:
        for name, (role, agencies) in ACCOUNTS.items():
            accounts.add_user(con, name, role, agencies, PASSWORD)
    finally:
        con.close()


def fill_template(template: bytes, rows: list[dict], kind: str = "budget") -> bytes:
    """The template with `rows` (canonical column → value) typed under its header, as a focal point would."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book[KINDS[kind].sheet_title]
    header = [c.value for c in sheet[1]]
    for r, row in enumerate(rows, start=2):
        for name, value in row.items():
            sheet.cell(row=r, column=header.index(name) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell_of(column: str, row: int, kind: str = "budget") -> str:
    """'B3': where a value of `column` on the data sheet's `row` sits in the template."""
    return f"{openpyxl.utils.get_column_letter(KINDS[kind].column_names.index(column) + 1)}{row}"


def budget_rows(agency: str = "UNDP", year: int = 2026, plan: str = PLAN_A, base: float = 1_000_000) -> list[dict]:
    """Three correct budget rows of one agency for one plan and year (three outputs)."""
    return [
        {
            "plan": plan,
            "year": year,
            "outcome_code": "1",
            "outcome_title": "Health and nutrition",
            "output_code": f"1.{n + 1}",
            "output_title": f"Output 1.{n + 1}",
            "agency": agency,
            "required": base + 250_000 * n,
            "available": base / 2 + 100_000 * n,
            "expenditure": base / 4,
        }
        for n in range(3)
    ]


def with_three_errors(rows: list[dict]) -> tuple[list[dict], list[str]]:
    """The rows with three mistakes (a year, an amount, an agency typo) and the cells they are in."""
    bad = [dict(r) for r in rows]
    bad[0]["year"] = "20x6"
    bad[1]["required"] = "12abc"
    bad[2]["agency"] = bad[2]["agency"] + "P"
    return bad, [cell_of("year", 2), cell_of("required", 3), cell_of("agency", 4)]


def uninfo_totals(path: Path) -> dict:
    """Independent reading of a UN INFO export: its plans (country, plan name), and the Total required /
    available / expenditure resources summed over its sub-outputs (one per ID, the last row of an ID winning)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = [str(h).strip() for h in rows[0]]
    at = {name: i for i, name in enumerate(header)}

    def amount(value) -> float:
        if value in ("", "-", None):
            return 0.0
        return float(str(value).replace(",", "")) if isinstance(value, str) else float(value)

    by_id = {}
    for row in rows[1:]:
        if row[at["ID"]] in ("", None):
            continue
        by_id[str(int(float(row[at["ID"]])))] = (
            (str(row[at["Country"]]).strip(), str(row[at["Plan name"]]).strip()),
            [amount(row[at[f"Total {m} resources"]]) for m in ("required", "available", "expenditure")],
        )
    return {
        "plans": {plan for plan, _ in by_id.values()},
        "required": sum(t[0] for _, t in by_id.values()),
        "available": sum(t[1] for _, t in by_id.values()),
        "expenditure": sum(t[2] for _, t in by_id.values()),
    }


# --- running the page ----------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path, seeded_db_path, monkeypatch) -> Path:
    """A private copy of the seeded database with the test accounts; the dashboard points at it."""
    path = tmp_path / "upload.duckdb"
    path.write_bytes(seeded_db_path.read_bytes())
    add_accounts(path)
    monkeypatch.setenv("UNCT_DB", str(path))
    monkeypatch.delenv("UNCT_REQUIRE_LOGIN", raising=False)
    return path


@pytest.fixture
def empty_db(tmp_path, monkeypatch) -> Path:
    path = build_seeded_db(tmp_path / "empty.duckdb", empty=True)
    add_accounts(path)
    monkeypatch.setenv("UNCT_DB", str(path))
    monkeypatch.delenv("UNCT_REQUIRE_LOGIN", raising=False)
    return path


def open_app(page: str = "upload", user: str | None = None, secrets: dict | None = None) -> AppTest:
    use_navigation_only()
    app = AppTest.from_file(str(DASHBOARD), default_timeout=120)
    if secrets:
        app.secrets.update(secrets)
    if user:
        app.session_state[auth.SESSION_KEY] = user
    if page != "overview":
        app.switch_page(PAGE_FILES[page])
    app.run()
    no_exception(app)
    return app


def no_exception(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def upload(app: AppTest, name: str, data: bytes) -> AppTest:
    app.file_uploader[0].set_value((name, data, "application/octet-stream"))
    app.run()
    no_exception(app)
    return app


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def plain(markdown: str) -> str:
    """Markdown-escaped text as the reader sees it (md_escape's invisible word joiners dropped)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", "")).replace("\u2060", "")


def template(path: Path, kind: str = "budget") -> bytes:
    con = store.connection.connect(path)
    try:
        return template_bytes(kind, store.writes.entities(con))
    finally:
        con.close()


def budget_totals(path: Path) -> tuple:
    con = store.connection.connect(path)
    try:
        return (
            con.execute("SELECT count(*), sum(required) FROM budget").fetchone()
            + con.execute("SELECT count(*) FROM submissions").fetchone()
        )
    finally:
        con.close()


def submission_ids(selectbox) -> list[int]:
    """The submissions a select box offers (its options read '17 · file.xlsx · budget · UNDP · …')."""
    return [int(option.split(" · ")[0]) for option in selectbox.options]


def preview_figures(app: AppTest) -> dict[str, tuple[float, float]]:
    """The preview's before → after table: row label → (before, after) as numbers."""
    table: pd.DataFrame = next(t.value for t in app.table if "before" in t.value.columns)
    out = {}
    for _, row in table.iterrows():
        label = row.iloc[0]
        out[label] = tuple(None if pd.isna(row[c]) else float(row[c]) for c in ("before", "after"))
    return out


# --- who gets the upload form ----------------------------------------------------------------------------


def test_an_anonymous_visitor_gets_a_sign_in_form_and_no_upload_form(db):
    app = open_app()
    assert not app.file_uploader
    assert [b.label for b in app.get("form_submit_button")] == ["Sign in"]
    assert any("Sign in to upload" in i for i in texts(app.info))


def test_a_viewer_gets_no_upload_form(db):
    app = open_app(user="vera")
    assert not app.file_uploader
    assert not app.get("form_submit_button")
    assert not [b for b in app.button if b.key and b.key.startswith("upload_")]
    assert any("only focal points and administrators upload" in w for w in texts(app.warning))


def test_signing_in_with_the_form(db):
    app = open_app()
    app.text_input(key="upload_login_name").input("amina")
    app.text_input(key="upload_login_password").input("not the password")
    app.get("form_submit_button")[0].click()
    app.run()
    assert texts(app.error) == ["The user name or password is not right."]
    assert not app.file_uploader
    assert app.text_input(key="upload_login_password").value == ""  # the password is not kept
    app.text_input(key="upload_login_password").input(PASSWORD)
    app.get("form_submit_button")[0].click()
    app.run()
    no_exception(app)
    assert app.session_state[auth.SESSION_KEY] == "amina"
    assert len(app.file_uploader) == 1
    assert any("amina (focal point · UNDP)" in plain(c) for c in texts(app.caption))


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(db):
    app = open_app()
    app.text_input(key="upload_login_name").input("nobody")
    app.text_input(key="upload_login_password").input(PASSWORD)
    app.get("form_submit_button")[0].click()
    app.run()
    assert texts(app.error) == ["The user name or password is not right."]


def test_a_focal_point_and_an_admin_get_the_form(db):
    for user in ("amina", "root"):
        app = open_app(user=user)
        assert len(app.file_uploader) == 1
        assert {b.key for b in app.get("download_button")} >= {f"upload_template_{k}" for k in KINDS}


def test_the_agency_choice_is_limited_to_the_accounts_agencies(db):
    assert open_app(user="amina").selectbox(key="upload_agency").options == ["UNDP"]
    admin = open_app(user="root").selectbox(key="upload_agency").options
    assert admin[0].startswith("Any agency") and {"UNDP", "UNICEF", "WHO"} <= set(admin)


def test_a_removed_account_is_signed_out_at_once(db):
    app = open_app(user="amina")
    assert app.file_uploader
    con = store.connection.connect(db)
    accounts.remove_user(con, "amina")
    con.close()
    app.run()
    assert not app.file_uploader
    assert auth.SESSION_KEY not in app.session_state


def test_viewing_can_require_a_sign_in(db, monkeypatch):
    monkeypatch.setenv("UNCT_REQUIRE_LOGIN", "1")
    for page in ("overview", "upload"):
        app = open_app(page)
        assert not app.metric and not app.file_uploader
        assert [b.label for b in app.get("form_submit_button")] == ["Sign in"]
    app = open_app("overview")
    app.text_input(key="gate_name").input("vera")
    app.text_input(key="gate_password").input(PASSWORD)
    app.get("form_submit_button")[0].click()
    app.run()
    no_exception(app)
    assert len(app.metric) == 8  # a viewer sees the dashboards


def test_viewing_needs_no_sign_in_by_default(db):
    assert len(open_app("overview").metric) == 8


# --- single sign-on -------------------------------------------------------------------------------------

SSO = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 40,
        "client_id": "placeholder-client-id",
        "client_secret": "placeholder-secret",
        "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
    }
}


def sso_buttons(app: AppTest) -> list[str]:
    return [b.label for b in app.button if b.key and "_sso_" in b.key]


def test_no_single_sign_on_button_without_secrets(db):
    assert sso_buttons(open_app()) == []


def test_the_single_sign_on_button_with_an_oidc_provider_in_secrets(db):
    assert sso_buttons(open_app(secrets=SSO)) == ["Sign in with your organisation's account"]


def test_named_providers_get_a_button_each(db):
    named = {
        "auth": {
            "redirect_uri": SSO["auth"]["redirect_uri"],
            "cookie_secret": "x" * 40,
            "microsoft": {k: SSO["auth"][k] for k in ("client_id", "client_secret", "server_metadata_url")},
            "incomplete": {"client_id": "only an id"},
        }
    }
    assert sso_buttons(open_app(secrets=named)) == ["Sign in with Microsoft"]


def test_an_incomplete_auth_section_offers_no_button(db):
    partial = {"auth": {k: v for k, v in SSO["auth"].items() if k != "cookie_secret"}}
    assert sso_buttons(open_app(secrets=partial)) == []


class Identity(dict):
    """What st.user holds after a single sign-on (the identity provider's claims)."""

    is_logged_in = True


def test_a_single_sign_on_identity_maps_to_the_local_account_by_e_mail(db, monkeypatch):
    con = store.connection.connect(db)
    accounts.add_user(con, "amina.sso", "focal_point", ["UNDP"], None, email="amina@example.org")
    con.close()
    monkeypatch.setattr(auth, "_sso_user", lambda: Identity(email="amina@example.org", email_verified=True))
    app = open_app(secrets=SSO)
    assert len(app.file_uploader) == 1
    assert app.session_state[auth.SESSION_KEY] == "amina.sso"


def test_a_single_sign_on_identity_without_an_account_gets_no_rights(db, monkeypatch):
    monkeypatch.setattr(auth, "_sso_user", lambda: Identity(email="stranger@example.org"))
    app = open_app(secrets=SSO)
    assert not app.file_uploader
    assert any("stranger@example.org" in plain(w) and "no access" in w for w in texts(app.warning))


def test_an_unverified_e_mail_is_not_trusted(db, monkeypatch):
    monkeypatch.setattr(auth, "_sso_user", lambda: Identity(email="amina@example.org", email_verified=False))
    con = store.connection.connect(db)
    accounts.add_user(con, "amina.sso", "focal_point", ["UNDP"], None, email="amina@example.org")
    con.close()
    assert not open_app(secrets=SSO).file_uploader


def test_single_sign_on_is_ignored_when_not_configured(db, monkeypatch):
    monkeypatch.setattr(auth, "_sso_user", lambda: Identity(email="amina@example.org", email_verified=True))
    con = store.connection.connect(db)
    accounts.add_user(con, "amina.sso", "focal_point", ["UNDP"], None, email="amina@example.org")
    con.close()
    assert not open_app().file_uploader


def rejected_and_recorded(path: Path, before: tuple) -> bool:
    """Nothing of the file was written, and the history records it as rejected (SPEC §7)."""
    con = store.connection.connect(path)
    try:
        last = con.execute("SELECT status FROM submissions ORDER BY submission_id DESC LIMIT 1").fetchone()[0]
    finally:
        con.close()
    after = budget_totals(path)
    return after[:2] == before[:2] and after[2] == before[2] + 1 and last == "rejected"


# --- check, report, preview, commit ------------------------------------------------------------------------


def test_every_error_with_its_cell_and_nothing_written(db):
    before = budget_totals(db)
    bad, cells = with_three_errors(budget_rows())
    app = upload(open_app(user="amina"), "undp-cbf.xlsx", fill_template(template(db), bad))
    assert any("has 3 errors. Nothing was loaded" in plain(e) for e in texts(app.error))
    table = app.table[0].value
    assert list(table.columns) == ["sheet", "cell", "column", "value", "what was expected", "how to fix"]
    assert table["cell"].tolist() == cells
    assert table["column"].tolist() == ["year", "required", "agency"]
    assert table["value"].tolist() == ["20x6", "12abc", "UNDPP"]
    assert table["how to fix"].str.len().min() > 10
    assert "did you mean UNDP?" in table["what was expected"].iloc[2]
    assert "upload_report" in [b.key for b in app.get("download_button")]  # the report
    assert not [b for b in app.button if b.key == "upload_commit"]
    assert app.progress and app.progress[0].value == 100
    assert rejected_and_recorded(db, before)


def test_preview_then_commit_then_roll_back(db):
    rows = budget_rows()
    data = fill_template(template(db), rows)
    app = upload(open_app(user="amina"), "undp-cbf.xlsx", data)
    before = budget_totals(db)
    assert any("Commit will add 3 row(s) and replace 0" in plain(s) for s in texts(app.success))
    figures = preview_figures(app)
    assert f"Totals of the current data for plan {PLAN_A} ({ANGOLA}) and agency UNDP, before → after Commit:" in [
        plain(m) for m in texts(app.markdown)
    ]
    assert figures["Rows"][1] - figures["Rows"][0] == 3
    added = sum(r["required"] for r in rows)
    assert figures["Required (USD)"][1] - figures["Required (USD)"][0] == pytest.approx(added)
    assert budget_totals(db) == before  # the preview wrote nothing

    app.button(key="upload_commit").click()
    app.run()
    no_exception(app)
    assert any("committed as submission" in plain(s) for s in texts(app.success))
    count, required, submissions = budget_totals(db)
    assert (count, submissions) == (before[0] + 3, before[2] + 1)
    assert required == pytest.approx(before[1] + added)
    assert app.file_uploader[0].value is None  # an empty uploader for the next file

    # the submission is in the history, and amina may roll it back
    sid = int(app.dataframe[0].value["id"].iloc[0])
    choice = app.selectbox(key="upload_rollback_choice")
    assert sid in submission_ids(choice)
    choice.select(sid)
    app.run()
    app.button(key="upload_rollback").click()
    app.run()
    no_exception(app)
    # a confirmation first, naming what will be withdrawn and restored; nothing is rolled back yet
    asked = " ".join(plain(w) for w in texts(app.warning))
    assert f"Roll back submission {sid} (" in asked and "3 current row(s) will be withdrawn" in asked
    assert "up to 0 earlier row(s) it replaced will be current again" in asked
    assert budget_totals(db)[0] == before[0] + 3
    app.button(key="upload_rollback_confirm").click()
    app.run()
    no_exception(app)
    assert any(f"Submission {sid} rolled back: 3 row(s) withdrawn" in plain(s) for s in texts(app.success))
    assert budget_totals(db)[:2] == before[:2]

    # and its original file can be downloaded
    app.selectbox(key="upload_original_choice").select(sid)
    app.run()
    assert [b for b in app.get("download_button") if b.key == "upload_original"]
    con = store.connection.connect(db)
    assert store.writes.original_file(con, sid) == ("undp-cbf.xlsx", data)
    con.close()


def test_the_duplicate_message_says_when_and_by_whom(db):
    data = fill_template(template(db), budget_rows())
    con = store.connection.connect(db)
    first = load_bytes(con, data, "undp-cbf.xlsx", user="amina", allowed_agencies={"UNDP"})
    loaded_at = store.writes.submission(con, first.submission_id)["created_at"]
    con.close()
    before = budget_totals(db)
    app = upload(open_app(user="amina"), "copy-of-undp-cbf.xlsx", data)
    message = plain(" ".join(texts(app.info)))
    assert (
        f"copy-of-undp-cbf.xlsx was already loaded on {loaded_at:%Y-%m-%d %H:%M} by amina "
        f"(submission {first.submission_id}). Nothing changed."
    ) in message
    assert not [b for b in app.button if b.key == "upload_commit"]
    assert budget_totals(db) == before


def test_the_duplicate_of_a_commit_made_on_the_page(db):
    data = fill_template(template(db), budget_rows())
    app = upload(open_app(user="amina"), "undp-cbf.xlsx", data)
    app.button(key="upload_commit").click()
    app.run()
    before = budget_totals(db)
    upload(app, "undp-cbf.xlsx", data)
    assert any("was already loaded on" in plain(i) and "by amina" in plain(i) for i in texts(app.info))
    assert budget_totals(db) == before


def test_another_agencys_rows_reject_the_whole_file_with_the_rows_listed(db):
    rows = budget_rows("UNDP") + [dict(r, agency="UNICEF") for r in budget_rows()[:2]]
    before = budget_totals(db)
    app = upload(open_app(user="amina"), "mixed.xlsx", fill_template(template(db), rows))
    assert any("has 2 errors" in plain(e) for e in texts(app.error))
    table = app.table[0].value
    assert table["cell"].tolist() == ["row 5", "row 6"]
    assert set(table["column"]) == {"agency"} and set(table["value"]) == {"UNICEF"}
    assert "your account may not load other agencies' rows" in table["what was expected"].iloc[0]
    assert rejected_and_recorded(db, before)


def test_an_admin_may_load_any_agency(db):
    rows = budget_rows("UNDP") + [dict(r, agency="UNICEF") for r in budget_rows()[:1]]
    app = upload(open_app(user="root"), "mixed.xlsx", fill_template(template(db), rows))
    assert any("Commit will add 4 row(s)" in plain(s) for s in texts(app.success))


def test_roll_back_choices_follow_the_agency(db):
    unicef = fill_template(template(db), budget_rows("UNICEF"))
    con = store.connection.connect(db)
    theirs = load_bytes(con, unicef, "unicef.xlsx", user="kofi", allowed_agencies={"UNICEF"}).submission_id
    mine = load_bytes(
        con,
        fill_template(template(db), budget_rows("UNDP", 2027)),
        "undp.xlsx",
        user="amina",
        allowed_agencies={"UNDP"},
    ).submission_id
    con.close()
    options = submission_ids(open_app(user="amina").selectbox(key="upload_rollback_choice"))
    assert mine in options and theirs not in options
    assert 1 not in options and 4 in options  # seeded: 1 is UNICEF's, 4 UNDP's
    assert 5 not in options  # a submission of several agencies: administrators only
    admin = submission_ids(open_app(user="root").selectbox(key="upload_rollback_choice"))
    assert {mine, theirs, 1, 4, 5} <= set(admin)
    with pytest.raises(accounts.PermissionDenied):  # and the rule itself, should the page be bypassed
        con = store.connection.connect(db)
        try:
            accounts.check_rollback(con, "amina", theirs)
        finally:
            con.close()


# --- country on upload -------------------------------------------------------------------------------------

#: the plan name of 31 countries in real UN INFO data
UNSDCF = "United Nations Sustainable Development Cooperation Framework"
CHOOSE = "choose the country (--country, or the Upload page's Country field)"


def add_unsdcf_in(path: Path, *countries: str) -> None:
    """A WHO budget line for the plan named UNSDCF in each country (given with the file, as --country)."""
    con = store.connection.connect(path)
    try:
        for n, country in enumerate(countries):
            data = fill_template(template(path), budget_rows("WHO", 2025, UNSDCF, base=1000 * (n + 1))[:1])
            assert load_bytes(con, data, f"who-{country}.xlsx", country=country).status == "committed"
    finally:
        con.close()


def stored_countries(path: Path, agency: str) -> list[tuple]:
    con = store.connection.connect(path)
    try:
        return con.execute(
            "SELECT DISTINCT plan, country FROM budget WHERE agency = ? ORDER BY ALL", [agency]
        ).fetchall()
    finally:
        con.close()


def test_plans_are_offered_with_their_country_and_years_and_countries_too(db):
    add_unsdcf_in(db, "Kenya", "Ghana")
    app = open_app(user="amina")
    assert app.selectbox(key="upload_plan").options == [
        "As in the file (its plan column)",
        f"{PLAN_A} ({ANGOLA}, 2023–2025)",
        f"{PLAN_B} ({VIET_NAM}, 2023–2025)",
        f"{UNSDCF} (Ghana, 2025)",
        f"{UNSDCF} (Kenya, 2025)",
        "Another plan…",
    ]
    assert app.selectbox(key="upload_country").options == [
        "From the file or plan",
        ANGOLA,
        "Ghana",
        "Kenya",
        VIET_NAM,
        "Another country…",
    ]
    app.selectbox(key="upload_plan").select(f"{UNSDCF} (Ghana, 2025)")
    app.run()
    shown = [s for s in app.main.selectbox if s.label == "Country"]
    assert [(s.options, s.disabled) for s in shown] == [(["Ghana"], True)]  # the chosen plan's country


def test_a_plan_name_several_countries_use_needs_the_country_on_the_page(db):
    """The issue: a CBF for the plan name of 31 countries landed without a country, invisible under every one."""
    add_unsdcf_in(db, "Kenya", "Ghana")
    before = budget_totals(db)
    data = fill_template(template(db), budget_rows("UNDP", 2026, UNSDCF))  # the template's country column blank
    app = upload(open_app(user="amina"), "undp-cbf.xlsx", data)
    assert any("has 1 error" in plain(e) for e in texts(app.error))
    table = app.table[0].value
    assert table[["column", "what was expected"]].values.tolist() == [
        ["country", f"plan '{UNSDCF}' exists in Ghana, Kenya (2 countries): {CHOOSE}"]
    ]
    assert table["how to fix"].iloc[0] == (
        "Choose the plan's country for the file (the Upload page's Country field, "
        "--country on the command line), or fill the file's country column."
    )
    assert rejected_and_recorded(db, before)

    app.selectbox(key="upload_country").select("Kenya")
    app.run()
    no_exception(app)
    assert any("Commit will add 3 row(s) and replace 0" in plain(s) for s in texts(app.success))
    assert f"Totals of the current data for plan {UNSDCF} (Kenya) and agency UNDP, before → after Commit:" in [
        plain(m) for m in texts(app.markdown)
    ]
    app.button(key="upload_commit").click()
    app.run()
    assert any("committed as submission" in plain(s) for s in texts(app.success))
    assert (UNSDCF, "Kenya") in stored_countries(db, "UNDP")


def test_the_chosen_plan_brings_its_country(db):
    add_unsdcf_in(db, "Kenya", "Ghana")
    rows = [{k: v for k, v in row.items() if k != "plan"} for row in budget_rows("UNDP", 2026)]  # no plan
    app = open_app(user="amina")
    app.selectbox(key="upload_plan").select(f"{UNSDCF} (Ghana, 2025)")
    app.run()
    upload(app, "undp-cbf.xlsx", fill_template(template(db), rows))
    assert any("Commit will add 3 row(s)" in plain(s) for s in texts(app.success)), texts(app.error)
    app.button(key="upload_commit").click()
    app.run()
    assert stored_countries(db, "UNDP")[-1:] == [(UNSDCF, "Ghana")]


def test_a_new_plan_with_another_country(db):
    app = open_app(user="amina")
    app.selectbox(key="upload_plan").select("Another plan…")
    app.run()
    app.text_input(key="upload_plan_other").input("UNSDCF Togo 2026-2030")
    app.selectbox(key="upload_country").select("Another country…")
    app.run()
    app.text_input(key="upload_country_other").input("Togo")
    app.run()
    rows = [{k: v for k, v in row.items() if k != "plan"} for row in budget_rows("UNDP", 2026)]
    upload(app, "undp-togo.xlsx", fill_template(template(db), rows))
    assert not app.expander  # no warning: the plan has its country
    app.button(key="upload_commit").click()
    app.run()
    assert ("UNSDCF Togo 2026-2030", "Togo") in stored_countries(db, "UNDP")


# --- agency boundaries of replacements -----------------------------------------------------------------------


def unicef_export_loaded(path: Path) -> None:
    con = store.connection.connect(path)
    try:
        assert (
            load_bytes(con, UNICEF_EXPORT, "unicef.xlsx", user="kofi", allowed_agencies={"UNICEF"}).status
            == "committed"
        )
    finally:
        con.close()


def test_a_focal_point_may_not_replace_another_agencys_suboutputs_on_the_page(db):
    unicef_export_loaded(db)
    before = budget_totals(db)
    app = upload(open_app(user="amina"), "undp.xlsx", UNDP_EXPORT)
    assert any("has 2 errors" in plain(e) for e in texts(app.error))
    table = app.table[0].value
    # the rows of another agency are summed up in one line: the agency, how many rows, the first of them
    assert table[["cell", "column", "what was expected"]].values.tolist() == [
        ["row 2, row 3", "ID", "2 row(s) would replace rows of UNICEF; your account may replace only UNDP's rows"]
    ]
    assert rejected_and_recorded(db, before)


def by_agency(app: AppTest) -> list[list]:
    """The before → after table per agency: agency, rows before and after, required before, after and change."""
    table = next(d.value for d in app.dataframe if "rows before" in d.value.columns)
    return [[None if pd.isna(v) else v for v in row] for row in table.values.tolist()]


def test_an_admins_preview_and_commit_show_the_other_agencys_change(db):
    unicef_export_loaded(db)
    app = upload(open_app(user="root"), "undp.xlsx", UNDP_EXPORT)
    assert any("Commit will add 3 row(s) and replace 4" in plain(s) for s in texts(app.success))
    assert any("This file replaces current rows of UNICEF" in plain(w) for w in texts(app.warning))
    assert (
        "Totals of the current data for plan UNSDCF (Kenya) and agencies UNDP and UNICEF, before → after "
        "Commit:" in [plain(m) for m in texts(app.markdown)]
    )
    figures = preview_figures(app)
    assert figures["Required (USD)"] == (50e6, 13e6)
    assert by_agency(app) == [["UNDP", 0, 3, 0, 3e6, 3e6], ["UNICEF", 5, 1, 50e6, 10e6, -40e6]]
    app.button(key="upload_commit").click()
    app.run()
    no_exception(app)
    assert by_agency(app) == [["UNDP", 0, 3, 0, 3e6, 3e6], ["UNICEF", 5, 1, 50e6, 10e6, -40e6]]  # as committed
    sid = int(next(d.value for d in app.dataframe if "file" in d.value.columns)["id"].iloc[0])
    assert sid in submission_ids(app.selectbox(key="upload_rollback_choice"))
    # its agency is UNDP, but rolling it back would change UNICEF's rows: not amina's (UNDP) to undo
    assert sid not in submission_ids(open_app(user="amina").selectbox(key="upload_rollback_choice"))


def test_the_template_downloads_are_the_real_templates(db):
    app = open_app(user="amina")
    buttons = {b.key: b for b in app.get("download_button")}
    for kind in KINDS:
        assert f"upload_template_{kind}" in buttons


# --- UN INFO exports, one by one -----------------------------------------------------------------------------

#: two exports of different countries (their plans do not overlap, so each preview starts from 0)
UNINFO_FILES = ["Africa_crime.xlsx", "Asia_Pacific_crime.xlsx"]


def test_uninfo_exports_one_by_one_with_progress_and_correct_totals(empty_db):
    app = open_app(user="root")
    seen_plans: set[str] = set()
    for name in UNINFO_FILES:
        path = UNINFO / name
        expected = uninfo_totals(path)
        upload(app, name, path.read_bytes())
        assert app.progress and app.progress[0].value == 100 and name in plain(app.progress[0].text)
        assert any("valid budget file (UN INFO export)" in plain(s) for s in texts(app.success)), texts(app.error)
        figures = preview_figures(app)
        # the preview's scope is the plans (of a country) and agencies of the file: none loaded yet, 'before' is 0
        assert not expected["plans"] & seen_plans
        scope = next(plain(m) for m in texts(app.markdown) if m.startswith("Totals of the current data"))
        if len(expected["plans"]) <= 4:  # longer lists end '… and N more'
            for country, plan in expected["plans"]:
                assert f"{plan} ({country})" in scope, scope
        assert figures["Rows"][0] == 0
        for label, key in (
            ("Required (USD)", "required"),
            ("Available (USD)", "available"),
            ("Spent (USD)", "expenditure"),
        ):
            assert figures[label][0] == 0
            assert figures[label][1] == pytest.approx(expected[key], abs=0.01), (name, label)
        app.button(key="upload_commit").click()
        app.run()
        no_exception(app)
        assert any("committed as submission" in plain(s) for s in texts(app.success))
        seen_plans |= expected["plans"]
    con = store.connection.connect(empty_db)
    total = con.execute("SELECT sum(required) FROM budget").fetchone()[0]
    con.close()
    assert total == pytest.approx(sum(uninfo_totals(UNINFO / n)["required"] for n in UNINFO_FILES), abs=0.05)
