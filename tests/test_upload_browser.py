"""The upload workflow in a real browser (system Chromium through Playwright), against a running
`streamlit run dashboard.py` on a private copy of the seeded database with test accounts:

- a focal point signs in, downloads the template, uploads a workbook with three errors and sees all
  three with their cells (and the highlighted report), uploads the corrected file, previews, commits,
  and the Overview figures change accordingly; then rolls back and the figures return exactly;
- a focal point of agency A cannot upload agency B's rows, cannot roll back B's submission, and a
  viewer sees no Upload page; signing out brings the 'Sign in' entry back.

Screenshots of the Upload page go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest

import store.connection
import store.writes
from analytics.filters import Filters
from core.formatting import format_money, format_rate
from etl.template import template_bytes
from tests import model, test_browser
from tests.test_browser import (
    gap_label,
    metrics,
    new_page,
    open_url,
    overview_cards,
    screenshot,
    serve,
    settle,
)
from tests.test_upload import PASSWORD, add_accounts, budget_rows, fill_template, with_three_errors

browser = test_browser.browser  # the same fixture: one Chromium per module


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path, seeded_db_path):
    """A server of its own per test (the server holds the database file: accounts are added before),
    and the budget template of that database for the test's own files."""
    db = tmp_path / "site.duckdb"
    shutil.copy(seeded_db_path, db)
    add_accounts(db)
    con = store.connection.connect(db)
    template = template_bytes("budget", store.writes.entities(con))
    con.close()
    with serve(db) as base:
        yield base, template


# --- helpers ----------------------------------------------------------------------------------------------


def nav(page) -> list[str]:
    """The titles in the navigation (each link also holds its icon's name on a line of its own)."""
    return [
        a.inner_text().strip().split("\n")[-1].strip() for a in page.locator('[data-testid="stSidebarNav"] a').all()
    ]


def go(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_function(
        """t => [...document.querySelectorAll('h1')].some(h => h.innerText.trim() === t)""",
        arg={"Overview": "UNCT Results Dashboard"}.get(title, title),
    )
    settle(page)


def sign_in(page, base: str, name: str) -> None:
    """From the start page, through the 'Sign in' entry of the navigation."""
    open_url(page, base)
    assert "Sign in" in nav(page) and "Sign out" not in nav(page)
    go(page, "Sign in")
    form = page.locator('[data-testid="stForm"]')
    form.get_by_label("User name or e-mail").fill(name)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    page.locator('[data-testid="stSidebarNav"] a', has_text="Sign out").wait_for()
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText !== 'Sign in'")
    settle(page)


def upload(page, path: Path) -> None:
    """Choose the file in the uploader; wait until it is read and checked."""
    page.set_input_files('[data-testid="stMain"] input[type=file]', str(path))
    page.get_by_text(f"Read and checked {path.name}").wait_for(timeout=60_000)
    settle(page)


def table(page, first_header: str) -> list[dict[str, str]]:
    """The rows of the st.table whose first column is `first_header`, as header → text."""
    for element in page.locator('[data-testid="stMain"] [data-testid="stTable"] table').all():
        headers = [h.inner_text().strip() for h in element.locator("thead th").all()]
        if headers and headers[0] == first_header:
            rows = []
            for tr in element.locator("tbody tr").all():
                cells = [c.inner_text().strip() for c in tr.locator("th, td").all()]
                rows.append(dict(zip(headers, cells)))
            return rows
    raise AssertionError(f"no table starting with {first_header!r}")


def amount(text: str) -> float:
    return float(text.replace(",", ""))


def alert_text(page) -> str:
    return " ".join(a.inner_text() for a in page.locator('[data-testid="stMain"] [data-testid="stAlert"]').all())


def open_select(page, label: str):
    """Open the select box `label` of the main area (scrolled into view first: Streamlit's main block
    scrolls, and a click during the scroll only focuses the box)."""
    box = page.locator('[data-testid="stMain"]').get_by_role("combobox", name=label)
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box.click()
    page.get_by_role("option").first.wait_for()


def rollback_options(page) -> list[str]:
    open_select(page, "Submission to roll back")
    options = [o.inner_text().strip() for o in page.get_by_role("option").all()]
    page.keyboard.press("Escape")
    settle(page)
    return options


def save(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def cards_with(new_rows: list[dict]) -> dict[str, str]:
    """The Overview cards of the seeded data plus `new_rows` (budget only changes)."""
    cards = overview_cards(Filters())
    m = model.money(
        model.budget_rows(Filters())
        + [{"required": r["required"], "available": r["available"], "expenditure": r["expenditure"]} for r in new_rows]
    )
    cards = {label: value for label, value in cards.items() if not label.startswith("Funding gap")}
    cards.update(
        {
            "Required": format_money(m.required),
            "Available": format_money(m.available),
            "Spent": format_money(m.expenditure),
            gap_label(m): format_money(m.funding_gap),
            "Delivery rate": format_rate(m.delivery_rate),
        }
    )
    return cards


# --- the tests ----------------------------------------------------------------------------------------------


def test_focal_point_fixes_errors_commits_and_rolls_back(site, browser, tmp_path):
    base, _ = site
    page = new_page(browser, downloads=True)
    open_url(page, base)
    start = metrics(page, 8)
    assert start == overview_cards(Filters())
    assert "Upload" not in nav(page)  # an anonymous visitor: no Upload page, a Sign in entry instead

    sign_in(page, base, "amina")
    assert urlsplit(page.url).path.endswith("/upload")  # a focal point lands on the Upload page
    assert {"Upload", "Sign out"} <= set(nav(page)) and "Sign in" not in nav(page)

    # the template, as the focal point gets it
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the budget template").click()
    assert info.value.suggested_filename == "unct-budget-template.xlsx"
    template = Path(info.value.path()).read_bytes()
    assert openpyxl.load_workbook(io.BytesIO(template)).sheetnames[:2] == ["Budget", "Instructions"]

    # three mistakes: every one is shown with its cell
    rows = budget_rows("UNDP", 2026)
    bad, cells = with_three_errors(rows)
    upload(page, save(tmp_path, "undp-cbf-2026.xlsx", fill_template(template, bad)))
    assert "undp-cbf-2026.xlsx has 3 errors. Nothing was loaded." in alert_text(page)
    errors = table(page, "sheet")
    assert [e["cell"] for e in errors] == cells
    assert [e["column"] for e in errors] == ["year", "required", "agency"]
    assert [e["value"] for e in errors] == ["20x6", "12abc", "UNDPP"]
    assert all(e["how to fix"] for e in errors)
    assert page.get_by_role("button", name="Commit").count() == 0
    screenshot(page, "upload-errors")

    # the report: the same errors, the offending cells highlighted in a copy of the sheet
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the validation report (.xlsx, errors highlighted)").click()
    report = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    listed = [r[2] for r in report["Errors"].iter_rows(min_row=2, values_only=True)]
    assert listed == cells
    assert all(report["Budget"][c].fill.fgColor.rgb.endswith("FFC7CE") for c in cells)

    # the corrected file: a preview of exactly what Commit does
    upload(page, save(tmp_path, "undp-cbf-2026-fixed.xlsx", fill_template(template, rows)))
    assert "Commit will add 3 row(s) and replace 0 current row(s)" in alert_text(page)
    preview = {r[""]: r for r in table(page, "")}
    assert amount(preview["Rows"]["after"]) - amount(preview["Rows"]["before"]) == 3
    assert preview["Rows"]["change"] == "+3" and re.fullmatch(r"\+[\d,]+\.\d\d", preview["Spent (USD)"]["change"])
    aligned = page.locator('[data-testid="stMain"] [data-testid="stTable"] td', has_text=preview["Rows"]["after"])
    assert aligned.first.evaluate("e => getComputedStyle(e).textAlign") == "right"  # digits line up
    for label, key in (
        ("Required (USD)", "required"),
        ("Available (USD)", "available"),
        ("Spent (USD)", "expenditure"),
    ):
        change = amount(preview[label]["after"]) - amount(preview[label]["before"])
        assert change == pytest.approx(sum(r[key] for r in rows)), label
    screenshot(page, "upload-preview")

    # nothing was written before Commit
    go(page, "Overview")
    assert metrics(page, 8) == start
    go(page, "Upload")
    upload(page, tmp_path / "undp-cbf-2026-fixed.xlsx")
    page.get_by_role("button", name="Commit").click()
    page.get_by_text("committed as submission").wait_for()
    settle(page)
    screenshot(page, "upload-committed")

    go(page, "Overview")
    changed = metrics(page, 8)
    assert changed == cards_with(rows)
    assert changed["Required"] != start["Required"]

    # roll back: the figures return exactly
    go(page, "Upload")
    mine = [o for o in rollback_options(page) if "undp-cbf-2026-fixed.xlsx" in o]
    assert len(mine) == 1
    open_select(page, "Submission to roll back")
    page.get_by_role("option", name=mine[0]).click()
    settle(page)
    page.get_by_role("button", name="Roll back…").click()
    # it asks first, naming the submission's file and what will be withdrawn and restored
    asked = page.locator('[data-testid="stAlertContentWarning"]', has_text="Roll back submission")
    asked.wait_for()
    assert "undp-cbf-2026-fixed.xlsx" in asked.inner_text()
    assert "3 current row(s) will be withdrawn" in asked.inner_text()
    settle(page)
    page.get_by_role("button", name=re.compile(r"^Yes, roll back submission \d+$")).click()
    page.get_by_text("rolled back: 3 row(s) withdrawn").wait_for()
    settle(page)
    screenshot(page, "upload-rolled-back")
    go(page, "Overview")
    assert metrics(page, 8) == start
    page.context.close()


def test_agency_permissions_and_the_viewer(site, browser, tmp_path):
    base, template = site
    # agency B (UNICEF) commits a budget
    kofi = new_page(browser)
    sign_in(kofi, base, "kofi")
    upload(kofi, save(tmp_path, "unicef-cbf-2026.xlsx", fill_template(template, budget_rows("UNICEF", 2026))))
    kofi.get_by_role("button", name="Commit").click()
    kofi.get_by_text("committed as submission").wait_for()
    kofi.context.close()

    # agency A (UNDP) cannot upload B's rows: the whole file is refused, the rows listed
    amina = new_page(browser)
    sign_in(amina, base, "amina")
    mixed = budget_rows("UNDP", 2027) + [dict(budget_rows("UNICEF", 2027)[0])]
    upload(amina, save(tmp_path, "undp-with-unicef-row.xlsx", fill_template(template, mixed)))
    assert "undp-with-unicef-row.xlsx has 1 error. Nothing was loaded." in alert_text(amina)
    refused = table(amina, "sheet")
    assert [(r["cell"], r["column"], r["value"]) for r in refused] == [("row 5", "agency", "UNICEF")]
    assert "your account may not load other agencies' rows" in refused[0]["what was expected"]
    assert amina.get_by_role("button", name="Commit").count() == 0
    screenshot(amina, "upload-other-agency")

    # ... and cannot roll back B's submissions (kofi's, or the seeded UNICEF one); A's own are offered
    options = rollback_options(amina)
    assert not [o for o in options if "unicef" in o.lower()], options
    assert [o for o in options if "undp_cbf.xlsx" in o]
    amina.context.close()

    # a viewer sees no Upload page; signing out gives the Sign in entry back
    vera = new_page(browser)
    sign_in(vera, base, "vera")
    assert "Upload" not in nav(vera) and "Sign out" in nav(vera) and "Sign in" not in nav(vera)
    assert vera.locator("h1").first.inner_text().strip() == "UNCT Results Dashboard"
    assert "vera (viewer)" in vera.locator('[data-testid="stSidebar"]').inner_text()
    vera.locator('[data-testid="stSidebarNav"] a', has_text="Sign out").click()
    vera.locator('[data-testid="stSidebarNav"] a', has_text="Sign in").wait_for()
    settle(vera)
    assert "Sign out" not in nav(vera) and "Upload" not in nav(vera)
    vera.context.close()
