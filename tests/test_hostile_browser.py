"""Hostile data in a real browser (system Chromium through Playwright, against `streamlit run dashboard.py`):

- a database whose optional text is missing everywhere (tests/null_data.py `NULL_HEAVY`) draws every page,
  for all data and for a country, with plain labels and never "nan" or "None" (screenshots
  tests/screenshots/nulls-*.png);
- Markdown payloads (links, bare URLs, e-mail addresses, emphasis, colour directives, icons, LaTeX, HTML
  and Markdown images) stored as agency, country, plan, outcome, funding source, file name and upload
  value, or given in the address (?agency=, ?country=, ?plan=, ?outcome=), are shown as typed: the DOM
  holds no link to them, no emphasis or colour made of them, no formula, no icon, and the browser
  requests nothing from them (a local HTTP server counts the requests an image would make).
"""

from __future__ import annotations

import contextlib
import http.server
import re
import shutil
import threading
from urllib.parse import urlencode, urlsplit

import pytest

from app.text import WORD_JOINER
from tests import test_browser
from tests.fixtures import PLAN_A
from tests.hostile.make_corpus import BUDGET_HEADER, csv_text, markdown_payloads
from tests.null_data import NULL_HEAVY, write_db
from tests.test_browser import PAGES, new_page, open_url, screenshot, serve, settle
from tests.test_literal_text import add_payloads, as_agency, payload_links
from tests.test_upload import add_accounts
from tests.test_upload_browser import sign_in

browser = test_browser.browser  # the same fixture: one Chromium per module

LEAKED = re.compile(r"\b(nan|NaN|None|<NA>|NaT)\b")
FAILED = "could not be drawn"


# --- a database of missing text ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def null_site(tmp_path_factory):
    db = write_db(tmp_path_factory.mktemp("nulls") / "nulls.duckdb", NULL_HEAVY)
    with serve(db) as base:
        yield base


def test_every_page_draws_a_database_of_missing_text(null_site, browser):
    page = new_page(browser)
    for path, title in PAGES.items():
        for query, suffix in (("", ""), ("?country=Kenya", "-kenya")):
            open_url(page, f"{null_site}/{path}{query}")
            assert page.locator("h1").first.inner_text().strip() == title
            shown = page.locator('[data-testid="stApp"]').inner_text()
            ticks = " ".join(page.locator('[data-testid="stPlotlyChart"] .main-svg text').all_text_contents())
            assert FAILED not in shown, (path, query)
            assert not LEAKED.search(shown) and not LEAKED.search(ticks), (path, query, LEAKED.findall(shown + ticks))
            if not suffix:  # one screenshot a page (a full-page screenshot costs 2 s)
                screenshot(page, f"nulls-{path or 'overview'}")
    open_url(page, f"{null_site}/delivery")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.locator(".ytick text").first.wait_for()
    ticks = chart.locator(".ytick text").all_text_contents()
    # every outcome has its row: an outcome without a title is drawn under its bare code ('1', '2'), which
    # must not turn the axis into numbers
    assert sorted(ticks) == sorted(["1", "Health for all", "2", "(untitled outcome)", "(untitled outcome) (2)"]), ticks
    page.context.close()


# --- Markdown payloads -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def image_host():
    """A local HTTP server that records every request (what an <img> or a Markdown image would fetch)."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory, seeded_db_path, image_host):
    host, _ = image_host
    db = tmp_path_factory.mktemp("payload-site") / "payloads.duckdb"
    shutil.copy(seeded_db_path, db)
    payloads = markdown_payloads(host)
    add_payloads(db, payloads)
    add_accounts(db)
    links = payload_links(db, payloads)
    with serve(db) as base:
        yield base, payloads, links


#: what Markdown would have made of a payload
LIVE_DOM = """(payloadWords) => {
    const found = [];
    for (const a of document.querySelectorAll('a[href]')) {
        // where the link goes, not what its address carries: the pages' own links may carry a payload as a
        // filter value (the Overview's "Needs attention" links to a narrowed page)
        const href = a.getAttribute('href'), to = new URL(href, document.baseURI);
        if (/evil\\.example/i.test(to.hostname) || /^(javascript|mailto|data):$/i.test(to.protocol)
            || (to.host === location.host && /^\\/(md|html)/i.test(to.pathname))) found.push('link ' + href);
    }
    for (const e of document.querySelectorAll('strong, em, del, s, b, i')) {
        if (payloadWords.includes(e.textContent.trim())) found.push('emphasis ' + e.outerHTML);
    }
    for (const e of document.querySelectorAll('.stMarkdownColoredText, .katex, math, img, ' +
                                              '[data-testid="stMarkdownContainer"] span[role="img"]')) {
        if (e.tagName !== 'IMG' || /127\\.0\\.0\\.1|evil/.test(e.getAttribute('src') || ''))
            found.push(e.outerHTML.slice(0, 120));
    }
    return found;
}"""
PAYLOAD_WORDS = ["bold", "strong", "it", "gone", "red text", "blue", "b", "click", "x", "i"]


def shown_text(page) -> str:
    """The page as read: the main area and the sidebar, without the invisible word joiners."""
    return page.locator('[data-testid="stApp"]').inner_text().replace(WORD_JOINER, "")


def nothing_live(page, where: str) -> None:
    found = page.evaluate(LIVE_DOM, PAYLOAD_WORDS)
    assert not found, (where, found)
    assert "😄" not in shown_text(page), where  # :smile: stays text


@contextlib.contextmanager
def watched(page, host: str):
    """Every request the page makes to the payloads' hosts."""
    made: list[str] = []

    def record(request) -> None:
        netloc = urlsplit(request.url).netloc.lower()
        if netloc == host or netloc.endswith("evil.example"):
            made.append(request.url)

    page.on("request", record)
    yield made


def test_stored_markdown_is_shown_as_typed(payload_site, browser, image_host):
    """Each payload in one of the three views that bring stored text into Markdown, in turn: as the agency chosen
    (Delivery: subheader, captions, the entity's name in the sidebar), as the country, plan and outcome chosen
    (Funding gaps), as country and plan (Overview: reporting completeness, a link's warning) — each view with five
    payloads of every sort. tests/test_literal_text.py checks every payload in every view under AppTest; here the
    browser shows what escaping leaves (a page opened in Chromium costs 3-4 s: every payload in every view was 2
    minutes of the suite)."""
    base, payloads, links = payload_site
    host, fetched = image_host
    views = [(links[3 * i + i % 3], p) for i, p in enumerate(payloads)]
    assert {path for (path, _), _ in views} == {"delivery", "funding_gaps", "overview"}
    page = new_page(browser)
    with watched(page, host) as made:
        for (path, params), payload in views:
            open_url(page, f"{base}/{path}?{urlencode(params)}")
            where = f"{path} {params}"
            nothing_live(page, where)
            text = shown_text(page)
            agency = as_agency(payload)
            expected = {
                "delivery": [f"Budget lines of {agency}", f"Entity {payload}", f"Over 100 %: {agency}"],
                "funding_gaps": [
                    f"1 · {payload} ({payload})",
                    f"Every budget line in view has the same funding source: {payload}",
                ],
                # the plan named with its years (2024–2026), after the payload as typed
                "overview": [f"Reporting completeness, {payload} (", f"agency “{payload} (old link)”"],
            }[path]
            for sentence in expected:
                assert sentence in text, (where, sentence)
        for path in ("indicators", "recommendations"):
            open_url(page, f"{base}/{path}")
            nothing_live(page, path)
        open_url(page, f"{base}/delivery?{urlencode({'agency': as_agency(payloads[2])})}")
        screenshot(page, "markdown-delivery")
    assert made == [] and fetched == []
    page.context.close()


def test_address_values_are_shown_as_typed(payload_site, browser, image_host):
    """Values a link asks for that the data do not have: named in the warning, as typed."""
    base, payloads, _ = payload_site
    host, fetched = image_host
    page = new_page(browser)
    asked = [f"{p} (not in the data)" for p in payloads]
    with watched(page, host) as made:
        for start in range(0, len(asked), 4):
            four = (asked[start : start + 4] * 4)[:4]
            params = dict(zip(("agency", "country", "plan", "outcome"), four))
            open_url(page, f"{base}/funding_gaps?{urlencode(params)}")
            nothing_live(page, str(params))
            warning = page.locator('[data-testid="stAlert"]', has_text="This link asks for").inner_text()
            for key, value in params.items():
                assert f"{key} “{value}”" in warning.replace(WORD_JOINER, ""), (key, value, warning)
    assert made == [] and fetched == []
    page.context.close()


def test_upload_errors_and_file_names_are_shown_as_typed(payload_site, browser, image_host, tmp_path):
    """The Upload page's error table (st.table renders Markdown in its cells) and a submitted file's name on
    its download button."""
    base, payloads, _ = payload_site
    host, fetched = image_host
    page = new_page(browser)
    with watched(page, host) as made:
        sign_in(page, base, "root")
        path = tmp_path / "budget.csv"
        path.write_bytes(
            csv_text(
                [BUDGET_HEADER + ["Plan"]]
                + [[p, "1.1", "Governance", "1.1.1", "UNDP", 1000, None, None, PLAN_A] for p in payloads]
            )
        )  # bad years
        page.set_input_files('[data-testid="stMain"] input[type=file]', str(path))
        page.locator('[data-testid="stMain"] [data-testid="stTable"]').first.wait_for(timeout=60_000)
        settle(page)
        nothing_live(page, "upload errors")
        cells = page.locator('[data-testid="stMain"] [data-testid="stTable"] tbody td').all_inner_texts()
        shown = [c.replace(WORD_JOINER, "") for c in cells]
        for payload in payloads:
            assert payload in shown, payload
        screenshot(page, "upload-markdown-errors")

        for payload in payloads[6:10]:
            box = page.locator('[data-testid="stMain"]').get_by_role("combobox", name="Submission", exact=True)
            box.scroll_into_view_if_needed()
            box.click()
            page.get_by_role("option").filter(has_text=f"{payload}.xlsx").first.click()
            settle(page)
            label = page.locator('[data-testid="stDownloadButton"] [data-testid="stMarkdownContainer"]').last
            assert label.inner_text().replace(WORD_JOINER, "").strip() == f"Download {payload}.xlsx"
            nothing_live(page, f"download {payload}")
    assert made == [] and fetched == []
    page.context.close()
