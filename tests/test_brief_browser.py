"""The Overview's "Meeting brief" in a real browser (system Chromium): the button downloads the brief of the view —
country, year, as-of date — under a name carrying them, and the PDF read back (pdftotext) holds the store's figures;
without a country the panel says why there is no button (issue 13)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from analytics import activity
from analytics.filters import Filters
from store import history
from tests.fixtures import ANGOLA
from tests.test_brief_pdf import money_cards, read_pdf
from tests.test_browser import browser, new_page, open_url, serve  # noqa: F401


@pytest.fixture(scope="module")
def server(tmp_path_factory, seeded_db_path):
    """The dashboard against a private copy of the seeded database (the tests read the original, which is the same);
    briefs printed with a private Chromium profile."""
    folder = tmp_path_factory.mktemp("brief-browser")
    db = folder / "dashboard.duckdb"
    shutil.copy(seeded_db_path, db)
    with serve(db, env={"UNCT_BRIEF_CACHE": str(folder / "chromium")}) as base:
        yield base, db


def download(page, button: str) -> tuple[str, bytes]:
    """Click the brief's button `button` (the file is made then); the suggested file name and the bytes."""
    locator = page.locator('[data-testid="stDownloadButton"] button', has_text=button)
    locator.scroll_into_view_if_needed()
    with page.expect_download(timeout=120_000) as info:
        locator.click()
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def test_the_meeting_brief_button_downloads_the_brief_of_the_view(server, browser, seeded_db, tmp_path):  # noqa: F811
    base, _ = server
    page = new_page(browser, downloads=True)
    open_url(page, f"{base}/?country={quote(ANGOLA)}&years=2025&years=2025")
    assert page.get_by_role("heading", name="Meeting brief").count() == 1
    name, data = download(page, "PDF brief")
    assert name == "meeting-brief-angola-2025.pdf"
    h = activity.headline(seeded_db, Filters(country=ANGOLA, year_from=2025, year_to=2025))  # the server's copy's
    text, pages = read_pdf(data, tmp_path)
    assert 4 <= pages <= 8
    assert text.startswith(f"UNCT MEETING BRIEF {ANGOLA} 2025")
    assert money_cards(h) in text
    assert f"Overdue key actions ({h['actions_overdue']})" in text

    name, data = download(page, "Excel brief")
    assert name == "meeting-brief-angola-2025.xlsx"
    cover = {r[0]: r[1] for r in load_workbook(io.BytesIO(data))["Brief"].iter_rows(values_only=True) if r and r[0]}
    assert (cover["Country"], cover["Period"], cover["Figures as of"]) == (ANGOLA, "2025", "now (the current figures)")


def test_the_brief_takes_the_as_of_date_of_the_view(server, browser, seeded_db, tmp_path):  # noqa: F811
    base, _ = server
    day = history.now().date() - dt.timedelta(days=1)
    page = new_page(browser, downloads=True)
    open_url(page, f"{base}/?country={quote(ANGOLA)}&as_of={day.isoformat()}")
    name, data = download(page, "PDF brief")
    assert name == f"meeting-brief-angola-as-of-{day.isoformat()}.pdf"
    h = activity.headline(history.as_of(seeded_db, day), Filters(country=ANGOLA, as_of=day))
    text, _ = read_pdf(data, tmp_path)
    assert f"Figures as of the end of {day:%-d %b %Y} (UTC)" in text
    assert money_cards(h) in text


def test_without_a_country_the_panel_says_why_there_is_no_brief(server, browser):  # noqa: F811
    base, _ = server
    page = new_page(browser)
    open_url(page, base)
    assert page.get_by_text("The meeting brief is a country's: choose a Country in the sidebar").count() == 1
    assert page.locator('[data-testid="stDownloadButton"] button', has_text="PDF brief").count() == 0
