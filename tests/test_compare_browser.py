"""The year-on-year compare control in a real browser (system Chromium): choosing two years and "per agency" on the
Delivery page draws grouped bars whose legend names the two years, and the table behind them holds both years'
figures and the change, equal to the plain-Python model of the seeded rows."""

from __future__ import annotations

from tests.fixtures import BUDGET_ROWS
from tests.test_browser import CHROMIUM, browser, choose, new_page, open_url, read_download, screenshot, server, settle  # noqa: F401


def pick(page, label: str, option: str) -> None:
    """Choose `option` in the page's (not the sidebar's) select box labelled `label`."""
    choose(page, label, option, within="stMain")


def test_compare_two_years_per_agency_on_the_delivery_page(server, browser):  # noqa: F811
    page = new_page(browser, downloads=True)
    open_url(page, f"{server}/delivery")
    heading = page.get_by_text("Year on year", exact=True)
    heading.scroll_into_view_if_needed()
    pick(page, "Year", "2025")
    pick(page, "Compared with", "2024")
    section = (
        page.locator('[data-testid="stVerticalBlock"]').filter(has=page.get_by_text("Year on year", exact=True)).last
    )
    section.get_by_role("radio", name="Agency", exact=True).click()  # a segmented control: its options are radios
    settle(page)

    chart = page.locator('[data-testid="stPlotlyChart"]').last
    chart.scroll_into_view_if_needed()
    legend = [t.strip() for t in chart.locator(".legendtext").all_text_contents()]
    assert legend == ["2024", "2025"]
    screenshot(page, "delivery-year-on-year")

    page.get_by_role("tab", name="Table").last.click()
    settle(page)
    table_tab = page.locator("[role=tabpanel]:visible").last
    rows = {r["Agency"]: r for r in read_download(page, "Download this table (CSV)", within=table_tab)}
    assert set(rows) == {"UNDP", "UNICEF", "FAO", "UNFPA", "WHO", "Joint"}
    for agency, row in rows.items():
        spent = {}
        for year in (2024, 2025):
            lines = [
                r
                for r in BUDGET_ROWS
                if r["year"] == year
                and ("Joint" if ";" in (r["agency"] or "") or r["joint"] else r["agency"]) == agency
            ]
            figures = [r["expenditure"] for r in lines if r["expenditure"] is not None]
            spent[year] = sum(figures) if figures else None
            assert _number(row[f"Spent {year} (USD)"]) == spent[year], (agency, year)
        change = None if None in spent.values() else spent[2025] - spent[2024]
        assert _number(row["Spent, change (USD)"]) == change, agency
    page.context.close()


def _number(cell: str) -> float | None:
    return float(cell) if cell.strip() else None
