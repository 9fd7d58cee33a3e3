"""Issue 10 in a real browser (system Chromium): the Needs attention panel and its links, the period statement,
the year slider's bounds per country, the card that states the money its ratio rests on, the plain empty state of a
country, no "Page not found" on the first view after a server start; screenshots at 1366×768 and 1920×1080 go to
tests/screenshots/ (git-ignored). The roll-back confirmation is in test_upload_browser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import store.connection
from analytics.filters import Filters
from core.formatting import format_rate
from etl.load import load_bytes
from tests import model
from tests.fixtures import PLAN_B, VIET_NAM
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, open_url, serve, settle
from tests.test_load import BUDGET_HEADER, workbook_bytes

playwright_api = pytest.importorskip("playwright.sync_api")
SIZES = {"laptop": (1366, 768), "projector": (1920, 1080)}


@pytest.fixture(scope="module")
def site(tmp_path_factory, seeded_db_path):
    """The seeded data plus Kenya (a budget for 2019–2020 only, no indicators or actions), served fresh."""
    db = tmp_path_factory.mktemp("first-seconds") / "dashboard.duckdb"
    shutil.copy(seeded_db_path, db)
    con = store.connection.connect(db)
    rows = [[year, "1", "x", "1.1", "UNDP", 100, 50, 10] for year in (2019, 2020)]
    assert (
        load_bytes(
            con, workbook_bytes({"B": [BUDGET_HEADER, *rows]}), "kenya.xlsx", plan="UNDAF 2018-2020", country="Kenya"
        ).status
        == "committed"
    )
    con.close()
    with serve(db) as base:
        yield base


pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="system Chromium not installed")


@pytest.fixture(scope="module")
def chromium():
    with playwright_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def page_of(browser, size: str = "laptop"):
    width, height = SIZES[size]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(30_000)
    return page


def shot(page, name: str) -> None:
    """What the visitor sees first, at the window's size (no scrolling)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_no_page_not_found_on_the_first_view_after_a_server_start(tmp_path, seeded_db_path, chromium):
    db = tmp_path / "fresh.duckdb"
    shutil.copy(seeded_db_path, db)
    with serve(db) as base:  # a server nobody has visited yet
        page = page_of(chromium)
        open_url(page, f"{base}/sign_in")
        page.wait_for_timeout(1500)
        assert page.locator("h1").first.inner_text().strip() == "Sign in"
        assert "not found" not in page.locator("body").inner_text().lower()
        other = page.context.new_page()  # and a page opened in a new tab
        open_url(other, f"{base}/delivery")
        assert "not found" not in other.locator("body").inner_text().lower()
        page.context.close()


def test_the_period_statement_and_the_card_basis(site, chromium):
    page = page_of(chromium)
    open_url(page, f"{site}/delivery?country={VIET_NAM}")
    said = page.locator('[data-testid="stMarkdown"]', has_text="Figures cover:").first.inner_text()
    assert said.startswith(f"Figures cover: {PLAN_B} · {VIET_NAM} · ")
    m = model.money(model.budget_rows(Filters(country=VIET_NAM)))
    card = page.locator('[data-testid="stMetric"]', has_text="Delivery rate")
    assert card.locator('[data-testid="stMetricValue"]').inner_text().strip() == format_rate(m.delivery_rate)
    if m.delivery_basis is not None and m.delivery_basis < 0.995:
        assert (
            card.locator('[data-testid="stMetricDelta"]').inner_text().strip()
            == f"on {format_rate(m.delivery_basis)} of available funds"
        )
    page.context.close()


def test_the_year_slider_spans_the_chosen_countrys_years(site, chromium):
    page = page_of(chromium)
    open_url(page, f"{site}/?country=Kenya")
    slider = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]')
    assert set(re.findall(r"\b20\d\d\b", slider.inner_text())) == {"2019", "2020"}  # its ends, and values
    open_url(page, f"{site}/?country={VIET_NAM}")
    years = [r["year"] for r in model.budget_rows(Filters(country=VIET_NAM))]
    assert set(re.findall(r"\b20\d\d\b", slider.inner_text())) == {str(min(years)), str(max(years))}
    page.context.close()


def test_a_country_without_indicators_says_so_plainly(site, chromium):
    page = page_of(chromium)
    open_url(page, f"{site}/indicators?country=Kenya")
    message = page.locator('[data-testid="stAlert"]').first.inner_text()
    assert "No indicator data for Kenya yet. To add them" in message and "Upload page" in message
    assert "Nothing matches these filters" not in page.locator("body").inner_text()
    page.context.close()


def test_the_needs_attention_panel_links_to_the_narrowed_page(site, chromium):
    page = page_of(chromium)
    open_url(page, site)
    panel = page.locator(".st-key-needs-attention")
    assert "Needs attention" in panel.inner_text() and "Largest funding gaps" in panel.inner_text()
    link = panel.locator('[data-testid="stPageLink"] a').first
    label = link.inner_text()
    assert "gap USD " in label
    link.click()
    settle(page)
    assert urlsplit(page.url).path.endswith("/funding_gaps")
    assert parse_qs(urlsplit(page.url).query).get("outcome")  # narrowed to that outcome
    page.get_by_text("Outputs of the chosen outcome").wait_for()
    assert "which the data do not have" not in page.locator("body").inner_text()  # the link's filters all hold
    page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_screenshots_of_the_first_view(site, chromium, size):
    page = page_of(chromium, size)
    for name, path in (
        ("overview", ""),
        ("overview-kenya", "?country=Kenya"),
        ("funding-gaps", "funding_gaps"),
        ("delivery", "delivery"),
    ):
        open_url(page, f"{site}/{path}")
        page.wait_for_timeout(800)
        shot(page, f"first-view-{name}-{SIZES[size][0]}x{SIZES[size][1]}")
    page.context.close()
