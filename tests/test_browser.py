"""The running dashboard in a real browser (system Chromium through Playwright): every page renders,
a filter lands in the URL, the bookmarked URL shows the same figures in a fresh browser, downloads hold
exactly the filtered rows. Full-page screenshots of every page go to tests/screenshots/ (git-ignored)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import playwright.sync_api as playwright_api
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from analytics.filters import Filters
from app.pages import PAGES as REGISTERED_PAGES
from app.text import WORD_JOINER
from core.formatting import format_count, format_money, format_rate
from tests import model
from tests.fixtures import VIET_NAM

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: the heading a page shows where it is not its menu title (app/pages.py)
HEADINGS = {"overview": "UNCT Results Dashboard", "recommendations": "Recommendations and actions"}
#: url path → heading of every page with a script in the Page registry (the default page's path is "")
PAGES = {
    ("" if p.default else p.url_path): HEADINGS.get(p.url_path, p.title)
    for p in REGISTERED_PAGES
    if isinstance(p.script, str)
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(db: Path, env: dict | None = None, port: int | None = None, args: tuple[str, ...] = ()):
    """`streamlit run dashboard.py` on a free port (or `port`) against the database file `db`, with further
    Streamlit options `args`; yields the base URL. (The server holds the file: prepare it, accounts included,
    before.)"""
    port = port or free_port()
    log = open(db.with_suffix(".log"), "w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            *args,
        ],
        cwd=ROOT,
        env={**os.environ, "UNCT_DB": str(db), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start: " + db.with_suffix(".log").read_text())
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, seeded_db_path):
    """The dashboard against a private copy of the seeded database."""
    db = tmp_path_factory.mktemp("browser") / "dashboard.duckdb"
    shutil.copy(seeded_db_path, db)
    with serve(db) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():  # make test installs it: a missing browser is a failed set-up, never a skip
        pytest.fail(
            f"The browser tests drive the system Chromium at {CHROMIUM}, which is missing: run `make test` "
            "(it installs it) or `apt-get install -y chromium` as root.",
            pytrace=False,
        )
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser, downloads: bool = False):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=downloads)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def settle(page) -> None:
    """Wait until the script run is over, the page shows its title and every visible chart is drawn."""
    page.wait_for_selector("h1", state="visible")
    for _ in range(2):  # a run can start right after the previous one ends (a widget's rerun)
        page.wait_for_timeout(300)
        page.wait_for_function(
            """() => document.querySelector('[data-testid="stApp"]')
                     .getAttribute('data-test-script-state') === 'notRunning'""",
            timeout=30_000,
        )
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .filter(e => e.offsetParent !== null).every(e => e.querySelector('.main-svg'))""",
        timeout=30_000,
    )


def screenshot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to fit it first."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(height))})
    page.wait_for_timeout(800)
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


def click_bar(page, bar, outcome, attempts: int = 3) -> None:
    """Click the middle of a chart bar as a user would, until `outcome` (a locator) shows.

    The bar is scrolled into view and clicked only once its position has stopped moving: Plotly
    redraws a chart when Streamlit resizes it, and a click during that redraw reaches no bar. A click
    that still changes nothing is repeated (a user clicks again); three misses fail the test."""
    for attempt in range(attempts):
        bar.scroll_into_view_if_needed()
        box = bar.bounding_box()
        for _ in range(20):
            page.wait_for_timeout(150)
            again = bar.bounding_box()
            if again == box:
                break
            box = again
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            outcome.wait_for(timeout=10_000)
            return
        except playwright_api.TimeoutError:
            if attempt == attempts - 1:
                raise AssertionError(
                    f"{attempts} clicks at {box} (viewport {page.viewport_size}, {page.url}) changed nothing"
                ) from None


#: marks when the next script run starts (`window.__unctRan`), so that a wait never settles on the previous
#: page's elements
_WATCH_RUN = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__unctRan = false;
    new MutationObserver((_, observer) => {
        if (app.getAttribute('data-test-script-state') === 'running') {
            window.__unctRan = true;
            observer.disconnect();
        }
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
#: what the browser's back and forward buttons do: a new address in the history, then `popstate`, on which
#: Streamlit's frontend reruns the page of the address with its query (App.onHistoryChange) without reloading itself
_IN_APP = "url => { history.pushState({}, '', url); dispatchEvent(new PopStateEvent('popstate')); }"


def in_app(page, move, unseen: Callable[[], None] | None = None) -> None:
    """Call `move` (a navigation inside the app: back, forward, a new address), wait for the run it starts, settle.

    A run so short that its start and its end reach the page together (a small database on a busy machine: React
    draws the two states at once) is never seen running: with `unseen`, after 8 s without a run seen, `unseen()` is
    called instead (open_url loads the address afresh); without, the wait fails after 30 s."""
    page.evaluate(_WATCH_RUN)
    move()
    try:
        page.wait_for_function("() => window.__unctRan === true", timeout=30_000 if unseen is None else 8_000)
    except PlaywrightTimeout:
        if unseen is None:
            raise
        unseen()
    settle(page)


def open_url(page, url: str, reload: bool = False) -> None:
    """Open `url` and wait for its page. In a page already showing the dashboard of the same server, another address
    is opened inside the app, as the browser's back and forward buttons would (the page and filters of the address,
    in the same session): a second faster than a reload, with the figures and filters of a reload (compared on 14
    addresses of six pages when this was written; test_a_bookmarked_filter_shows_the_same_figures presses back and
    forward). A first view, another server, the address shown, or any with `reload`, is loaded afresh."""
    shown = page.locator('[data-testid="stApp"]').count() > 0
    if shown and not reload and urlsplit(page.url).netloc == urlsplit(url).netloc and url != page.url:
        in_app(page, lambda: page.evaluate(_IN_APP, url), unseen=lambda: page.goto(url))
    else:
        page.goto(url)
        settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


def metrics(page, count: int = 1) -> dict[str, str]:
    """The cards on the page, label → value (waiting for at least `count` of them)."""
    page.wait_for_function(f"() => document.querySelectorAll('[data-testid=\"stMetric\"]').length >= {count}")
    settle(page)
    out = {}
    for card in page.locator('[data-testid="stMetric"]').all():
        label = card.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = card.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def choose(page, label: str, option: str, within: str = "stSidebar") -> None:
    """Pick `option` in the select box labelled `label` in the `within` block (the sidebar unless told). A widget's
    rerun can draw the box again right after it opened, closing its list: then it is opened again (three tries)."""
    box = page.locator(f'[data-testid="{within}"]').get_by_role("combobox", name=label, exact=True)
    wanted = page.get_by_role("option", name=option, exact=True)
    for attempt in range(3):
        box.click()
        try:
            wanted.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            settle(page)
    wanted.click()
    settle(page)


def gap_label(m: model.Money) -> str:
    """The gap card's label: the requirement without an available figure is named beside the gap."""
    return "Funding gap" + (" + not reported" if m.required_without_available else "")


def overview_cards(f: Filters) -> dict[str, str]:
    m = model.money(model.budget_rows(f))
    counts = model.status_counts(f)
    actions = model.action_summary(f)
    return {
        "Required": format_money(m.required),
        "Available": format_money(m.available),
        "Spent": format_money(m.expenditure),
        gap_label(m): format_money(m.funding_gap),
        "Delivery rate": format_rate(m.delivery_rate),
        "Indicators on track": f"{counts['achieved'] + counts['on track']} of {sum(counts.values())}",
        "Actions completed": f"{actions['completed']} of {actions['actions']}",
        "Actions overdue": format_count(actions["overdue"]),
    }


def test_every_page_renders_with_a_screenshot(server, browser):
    page = new_page(browser)
    for path, title in PAGES.items():
        open_url(page, f"{server}/{path}")
        assert page.locator("h1").first.inner_text().strip() == title
        screenshot(page, path or "overview")
    page.context.close()


def test_a_bookmarked_filter_shows_the_same_figures(server, browser):
    page = new_page(browser)
    open_url(page, server)
    assert metrics(page, 8) == overview_cards(Filters())
    choose(page, "Country", VIET_NAM)
    filtered = metrics(page, 8)
    assert filtered == overview_cards(Filters(country=VIET_NAM))
    url = page.url
    assert parse_qs(urlsplit(url).query)["country"] == [VIET_NAM]

    # a colleague opens the link in a fresh browser
    other = new_page(browser)
    open_url(other, url)
    assert metrics(other, 8) == filtered
    screenshot(other, "overview-filtered")

    # the filter travels with the navigation
    page.locator('[data-testid="stSidebarNav"] a', has_text="Funding gaps").click()
    settle(page)
    assert urlsplit(page.url).path.endswith("/funding_gaps")
    assert parse_qs(urlsplit(page.url).query)["country"] == [VIET_NAM]
    m = model.money(model.budget_rows(Filters(country=VIET_NAM)))
    assert metrics(page, 4)["Required"] == format_money(m.required)

    # the browser's back button returns to the filtered Overview, and forward to the funding gaps again
    in_app(page, page.go_back)
    assert urlsplit(page.url).path.rstrip("/") == urlsplit(server).path.rstrip("/")
    assert metrics(page, 8) == filtered
    in_app(page, page.go_forward)
    assert urlsplit(page.url).path.endswith("/funding_gaps")
    assert metrics(page, 4)["Required"] == format_money(m.required)
    page.context.close()
    other.context.close()


def test_year_and_agency_filters_in_the_url(server, browser):
    f = Filters(year_from=2024, year_to=2025, agency="UNICEF")
    page = new_page(browser)
    open_url(page, f"{server}/delivery?years=2024&years=2025&agency=UNICEF")
    m = model.money(model.budget_rows(f))
    shown = metrics(page, 4)
    assert shown["Delivery rate"] == format_rate(m.delivery_rate)
    assert shown["Available"] == format_money(m.available)
    screenshot(page, "delivery-unicef")
    # an agency the data do not have, reached inside the app (the back button, a link), is named by the link's
    # warning and not chosen, as when the link is opened afresh
    open_url(page, f"{server}/funding_gaps?agency=UNAIDS+%28old+link%29")
    warning = page.locator('[data-testid="stAlert"]', has_text="This link asks for").inner_text()
    assert "agency “UNAIDS (old link)”" in warning.replace(WORD_JOINER, ""), warning
    assert not page.get_by_text("UNAIDS (old link): its own budget lines").count()
    page.context.close()


def read_download(page, button_name: str, within=None) -> list[dict]:
    """Click the visible download button `button_name` (the first on the page, or in the locator `within`); the
    downloaded CSV's rows."""
    with page.expect_download() as info:
        (within or page).locator('[data-testid="stDownloadButton"] button:visible', has_text=button_name).first.click()
    path = info.value.path()
    text = Path(path).read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_downloads_hold_exactly_the_filtered_rows(server, browser):
    page = new_page(browser, downloads=True)
    open_url(page, f"{server}/data_export?country={VIET_NAM.replace(' ', '+')}")
    rows = read_download(page, "Download CSV")
    expected = model.budget_rows(Filters(country=VIET_NAM))
    assert len(rows) == len(expected)
    assert {r["country"] for r in rows} == {VIET_NAM}
    assert sorted(float(r["required"]) for r in rows) == sorted(r["required"] for r in expected)

    # the table behind a chart: its CSV is exactly that table
    open_url(page, f"{server}/funding_gaps?agency=WHO")
    page.get_by_role("tab", name="Table").nth(1).click()  # the 'By agency' chart's table
    rows = read_download(page, "Download this table (CSV)")
    by_agency = model.by(model.budget_rows(Filters(agency="WHO")), model.agency_group)
    assert {r["Agency"] for r in rows} == set(by_agency)
    for r in rows:
        assert float(r["Required (USD)"]) == by_agency[r["Agency"]].required
    page.context.close()


def test_stored_text_is_shown_literally(server, browser):
    """An outcome title holding '<b>decent</b>' is shown as typed on the axis and in the hover."""
    page = new_page(browser)
    open_url(page, f"{server}/funding_gaps?country={VIET_NAM.replace(' ', '+')}")
    chart = (
        page.locator('[data-testid="stPlotlyChart"]')
        .filter(has=page.locator(".ytick text", has_text="people benefit"))
        .first
    )
    chart.locator(".ytick text").first.wait_for()
    ticks = [t.text_content() for t in chart.locator(".ytick text").all()]
    assert any("<b>decent</b>" in t for t in ticks), ticks
    hovers = []
    for bar in chart.locator(".trace.bars").first.locator(".point path").all():
        bar.scroll_into_view_if_needed()
        box = bar.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        chart.locator(".hoverlayer .hovertext").first.wait_for()
        page.wait_for_timeout(200)
        hovers.append(chart.locator(".hoverlayer").text_content())
    assert any("By 2026, people benefit from inclusive growth and <b>decent</b> work" in h for h in hovers), hovers
    assert chart.locator(".ytick text b").count() == 0  # no markup was interpreted
    page.context.close()


def test_clicking_an_outcome_drills_down_to_its_outputs(server, browser):
    page = new_page(browser)
    open_url(page, f"{server}/delivery")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.locator(".ytick text").first.wait_for()
    click_bar(
        page,
        chart.locator(".trace.bars").first.locator(".point path").first,
        page.get_by_text("Outputs of the chosen outcome"),
    )
    settle(page)
    assert "outcome" in parse_qs(urlsplit(page.url).query)
    screenshot(page, "delivery-outcome")
    # the bookmarked drill-down opens the same view
    other = new_page(browser)
    open_url(other, page.url)
    other.get_by_text("Outputs of the chosen outcome").wait_for()
    assert metrics(other, 4) == metrics(page, 4)
    page.get_by_role("button", name="Back to all outcomes").click()
    settle(page)
    assert "outcome" not in parse_qs(urlsplit(page.url).query)
    page.context.close()
    other.context.close()
