"""The as-of date in a real browser (system Chromium): typed in the sidebar, it lands in the address, the cards show
the figures as they stood then, and the bookmarked address shows them again in a fresh browser."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

import store.connection
from core.formatting import format_rate
from tests.test_as_of_pages import BEFORE
from tests.test_browser import CHROMIUM, browser, metrics, new_page, open_url, read_download, serve, settle  # noqa: F401
from tests.test_rollback import load


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A budget loaded 100 days ago (A), replaced today (B)."""
    db = tmp_path_factory.mktemp("asof") / "asof.duckdb"
    con = store.connection.connect(db)
    load(con, "budget", ["A"])
    con.execute("UPDATE row_visibility SET shown_from = shown_from - INTERVAL 100 DAY")
    load(con, "budget", ["B"])
    rates = [con.execute("SELECT sum(expenditure) / sum(available) FROM budget").fetchone()[0]]
    con.close()
    with serve(db) as base:
        yield base, rates[0]


def test_the_as_of_choice_shows_the_figures_then(server, browser):  # noqa: F811
    base, rate_now = server
    then = (10 + 20 + 30 + 800) / (50 + 60 + 70 + 900)  # A's spent ÷ available (tests/test_rollback.SCENARIOS)
    assert format_rate(then) != format_rate(rate_now)
    page = new_page(browser)
    open_url(page, base)
    assert metrics(page, 5)["Delivery rate"] == format_rate(rate_now)
    # the date box's year, month and day fields, typed as a user does (each moves on to the next when full)
    page.locator('[data-testid="stSidebar"]').get_by_role("spinbutton", name="year, Figures as of").click()
    page.keyboard.type(f"{BEFORE:%Y%m%d}")
    page.keyboard.press("Escape")  # close the calendar
    page.locator("h1").first.click()  # and leave the box: the date is chosen
    page.wait_for_function(f"() => location.search.includes('as_of={BEFORE.isoformat()}')")
    settle(page)
    assert metrics(page, 5)["Delivery rate"] == format_rate(then)
    assert page.get_by_text(f"as of {BEFORE:%-d %b %Y}").count() >= 1
    assert parse_qs(urlsplit(page.url).query)["as_of"] == [BEFORE.isoformat()]
    fresh = new_page(browser)  # the bookmarked address, in a fresh browser
    open_url(fresh, page.url)
    assert metrics(fresh, 5)["Delivery rate"] == format_rate(then)


def test_the_exports_downloads_are_as_of_the_date_too(server, browser):  # noqa: F811
    """The rows a download holds are those the page counts and previews: as of the date (the file is made when its
    button is clicked, outside the page's cached reads)."""
    base, _ = server
    page = new_page(browser, downloads=True)
    open_url(page, f"{base}/data_export?as_of={BEFORE.isoformat()}")
    rows = read_download(page, "Download CSV")
    assert sorted(float(r["required"]) for r in rows) == [100, 200, 300, 1000]  # A (tests/test_rollback.SCENARIOS)
    open_url(page, f"{base}/data_export")
    assert sorted(float(r["required"]) for r in read_download(page, "Download CSV")) == [110, 120, 330, 1000]  # B
