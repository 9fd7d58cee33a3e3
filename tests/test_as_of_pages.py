"""The as-of date and the change since a date on the pages (AppTest), against the store's figures in SQL."""

from __future__ import annotations

import datetime as dt

import pytest

import store.connection
import store.migrations
import store.writes
from analytics import actions, activity, budget, indicators, metrics
from analytics.filters import Filters
from app.cards import change, previous_quarter_end
from app.testing import PAGE_FILES, open_page
from core.formatting import format_money
from store import history
from tests.test_pages import cards, no_errors
from tests.test_rollback import load

TODAY = history.now().date()
BEFORE = TODAY - dt.timedelta(days=50)


@pytest.fixture
def two_versions(tmp_path, monkeypatch):
    """A budget loaded 100 days ago (A), replaced today (B): as of 50 days ago the store showed A."""
    path = tmp_path / "versions.duckdb"
    con = store.connection.connect(path)
    load(con, "budget", ["A"])
    then = con.execute("SELECT sum(required), sum(available) FROM budget").fetchone()
    con.execute("UPDATE row_visibility SET shown_from = shown_from - INTERVAL 100 DAY")
    load(con, "budget", ["B"])
    now = con.execute("SELECT sum(required), sum(available) FROM budget").fetchone()
    con.close()
    monkeypatch.setenv("UNCT_DB", str(path))
    return then, now


def test_overview_as_of_a_date_shows_the_figures_then(two_versions):
    then, now = two_versions
    app = open_page("overview", {"as_of": BEFORE.isoformat()})
    no_errors(app)
    shown = cards(app)
    assert shown["Required"] == format_money(then[0]) and shown["Available"] == format_money(then[1])
    statement = next(m.value for m in app.markdown if m.value.startswith("**Figures cover:**"))
    assert f"as of {BEFORE:%-d %b %Y}" in statement.replace("\u2060", "").replace("\\", "")
    app = open_page("overview")
    assert cards(app)["Required"] == format_money(now[0])


def test_a_link_to_another_page_as_of_a_date_shows_the_figures_then(two_versions):
    """Arriving at another page by a link that carries `as_of` (the filters take the address's values): the page
    reads as of that date (the filter bar took the date box's value from the address without failing)."""
    then, now = two_versions
    app = open_page("overview")
    assert cards(app)["Available"] == format_money(now[1])
    app.query_params["as_of"] = BEFORE.isoformat()
    app.switch_page(PAGE_FILES["delivery"])
    app.run()
    no_errors(app)
    assert app.date_input(key="as_of").value == BEFORE
    assert cards(app)["Available"] == format_money(then[1])


def test_cards_show_the_change_since_a_date(two_versions):
    then, now = two_versions
    app = open_page("overview", {"since": BEFORE.isoformat()})
    no_errors(app)
    deltas = {m.label: m.delta for m in app.metric}
    since = f"since {BEFORE:%-d %b %Y}"
    assert now[0] - then[0] == -40 and now[1] - then[1] == -48  # B against A (tests/test_rollback.SCENARIOS)
    assert deltas["Required"] == f"- USD 40 {since}"
    assert deltas["Available"] == f"- USD 48 {since}"
    assert deltas["Funding gap"] == f"+ USD 8 {since}"


def test_the_change_is_since_the_previous_quarter_end_by_default(two_versions):
    app = open_page("overview")
    no_errors(app)
    day = previous_quarter_end(TODAY)
    assert all(m.delta.endswith(f"since {day:%-d %b %Y}") for m in app.metric if m.delta)
    assert app.date_input(key="since").value == day
    assert previous_quarter_end(dt.date(2025, 11, 3)) == dt.date(2025, 9, 30)
    assert previous_quarter_end(dt.date(2025, 1, 1)) == dt.date(2024, 12, 31)


def test_a_mistyped_as_of_date_in_a_link_is_reported(two_versions):
    app = open_page("overview", {"as_of": "2025-02-30"})
    assert [w.value for w in app.warning] == [
        "This link asks for as\\_of “2025\\-02\\-30”, which the data do not have: the page shows everything else "
        "the link asks for. The link may be older than the data, or mistyped."
    ]
    assert cards(app)["Required"] == format_money(two_versions[1][0])  # the figures as they are now


@pytest.fixture
def three_kinds(tmp_path, monkeypatch):
    """Budget, indicators and actions loaded 100 days ago (A), replaced today (B); the pages' reads of each, as the
    store showed them then (read before B was loaded, on the current views) and now."""
    path = tmp_path / "kinds.duckdb"
    con = store.connection.connect(path)
    for kind in ("budget", "indicators", "actions"):
        load(con, kind, ["A"])
    then = _reads(con)
    con.execute("UPDATE row_visibility SET shown_from = shown_from - INTERVAL 100 DAY")
    for kind in ("budget", "indicators", "actions"):
        load(con, kind, ["B"])
    now = _reads(con)
    con.close()
    monkeypatch.setenv("UNCT_DB", str(path))
    return then, now


def _reads(con) -> dict:
    f = Filters()
    return {
        "budget": budget.totals(con, f),
        "indicators": indicators.status_totals(con, f),
        "actions": actions.totals(con, f),
    }


@pytest.mark.parametrize(
    ("page", "kind", "cards_and_figures"),
    [
        (
            "delivery",
            "budget",
            {
                "Available": (metrics.AVAILABLE, "available"),
                "Spent": (metrics.EXPENDITURE, "expenditure"),
                "Spent of required": (metrics.BURN_RATE, "burn_rate"),
            },
        ),
        (
            "funding_gaps",
            "budget",
            {"Required": (metrics.REQUIRED, "required"), "Available": (metrics.AVAILABLE, "available")},
        ),
        (
            "indicators",
            "indicators",
            {"Indicators": (None, "indicators"), "On track": (None, "on track"), "Off track": (None, "off track")},
        ),
        (
            "recommendations",
            "actions",
            {
                "Actions": (metrics.ACTIONS, "actions"),
                "Completed": (metrics.COMPLETED, "completed"),
                "Implementation rate": (metrics.IMPLEMENTATION_RATE, "implementation_rate"),
            },
        ),
    ],
)
def test_every_page_with_cards_shows_their_change_since_a_date(three_kinds, page, kind, cards_and_figures):
    then, now = three_kinds
    app = open_page(page, {"since": BEFORE.isoformat()})
    no_errors(app)
    deltas = {m.label: m.delta for m in app.metric}
    for label, (metric, name) in cards_and_figures.items():
        expected = change(metric, now[kind][name], then[kind][name], BEFORE)
        assert expected and deltas[label] == expected, (label, deltas)
    assert any(deltas[label] != f"no change since {BEFORE:%-d %b %Y}" for label in cards_and_figures)
    assert app.date_input(key="since").value == BEFORE


def test_money_loaded_since_a_date_with_nothing_then_is_its_change(seeded_db, empty_db_path):
    """Nothing loaded at the earlier date: the money cards say what came since, from 0; a ratio (nothing to divide
    then) says no change."""
    from app.cards import Then, delta, earlier, headline

    now = activity.headline(seeded_db, Filters())
    empty = store.connection.connect(empty_db_path)
    try:
        nothing = Then(dt.date(2026, 9, 30), activity.headline(empty, Filters()))
        no_costs = Then(nothing.day, actions.cost_totals(empty, Filters()))
    finally:
        empty.close()
    assert nothing.figures["lines"] == 0 and nothing.figures["required"] is None
    shown = {c.label: delta(c, nothing) for c in headline(now)}
    assert shown["Required"] == f"+ {format_money(now['required'])} since 30 Sep 2026"
    assert shown["Available"] == f"+ {format_money(now['available'])} since 30 Sep 2026"
    assert shown["Delivery rate"] == ""
    assert shown["Actions overdue"] == f"+ {now['actions_overdue']} since 30 Sep 2026"
    assert earlier(no_costs, "planned_cost", metrics.PLANNED_COST) == 0  # no action then: the work plans' costs too
    assert earlier(nothing, "delivery_rate", metrics.DELIVERY_RATE) is None
