"""Issue 10, the first ten seconds: the period and scope of every page, the year slider's bounds per country,
plans with their years, the share of money a ratio rests on, plain empty states per country, completeness that
never judges an ended plan, the Needs attention panel, the exports' names and Filters sheet, values as typed."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import openpyxl
import pandas as pd
import pytest

import store.connection
from analytics import attention, budget, exports, indicators, scope
from analytics import filters as registry
from analytics.filters import Filters
from app.scope import statement, years_phrase
from app.testing import open_page
from core.formatting import as_typed, format_money, format_rate, plan_label
from etl.load import load_bytes
from tests import model
from tests.fixtures import ANGOLA, PLAN_A, PLAN_B, VIET_NAM
from tests.test_load import BUDGET_HEADER, workbook_bytes
from tests.test_pages import cards, table, walk

TODAY = dt.date(2026, 11, 30)


def markdown(app) -> str:
    return " ".join(m.value for m in app.markdown)


# --- words ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first,last,expected",
    [
        (2019, 2023, "2019–2023"),
        (2024, 2026, "2024–2026 to date"),
        (2024, 2028, "2024–2026 to date, 2027–2028 planned"),
        (2027, 2028, "2027–2028 planned"),
        (2026, 2026, "2026 to date"),
        (2021, 2021, "2021"),
        (None, None, "no dated figures"),
    ],
)
def test_years_are_said_to_date_and_planned(first, last, expected):
    assert years_phrase(first, last, TODAY) == expected


@pytest.mark.parametrize(
    "plan,first,last,countries,expected",
    [
        (
            "United Nations Sustainable Development Cooperation Framework",
            2018,
            2022,
            1,
            "United Nations Sustainable Development Cooperation Framework (2018–2022)",
        ),
        ("UNSDCF", 2016, 2028, 27, "UNSDCF (2016–2028, 27 countries)"),
        ("UNSDCF 2023-2027", 2023, 2025, 1, "UNSDCF 2023-2027"),  # the name states its years already
        ("UNSDCF", None, None, 1, "UNSDCF"),
        (None, 2020, 2021, 1, "(no plan) (2020–2021)"),
    ],
)
def test_plans_are_labelled_with_their_years(plan, first, last, countries, expected):
    assert plan_label(plan, first, last, countries) == expected


def test_values_in_messages_are_as_typed():
    assert [as_typed(v) for v in (20019.0, 12.5, "20019", None, 7)] == ["20019", "12.5", "20019", "", "7"]


def test_the_statement_names_plans_country_years_and_the_other_filters():
    plans = [
        {
            "country": "Jordan",
            "plan": "UNSDCF",
            "year_from": 2023,
            "year_to": 2027,
            "first_year": 2023,
            "last_year": 2027,
        }
    ]
    assert statement(plans, Filters(country="Jordan", agency="UNDP"), {}, "budget", TODAY) == (
        "UNSDCF (2023–2027) · Jordan · 2023–2026 to date, 2027 planned · agency UNDP (incl. joint sub-outputs)"
    )
    many = [{**plans[0], "country": c, "plan": f"P{c}"} for c in "ABCD"]
    assert (
        statement(many, Filters(), {}, "actions", TODAY) == "4 plans · 4 countries · deadlines 2023–2026 to "
        "date, 2027 planned"
    )
    assert statement([], Filters(), {}) == "No figures in view"


# --- reads on the seeded data ---------------------------------------------------------------------------------


def test_plans_in_view_and_their_years(seeded_db):
    seen = scope.in_view(seeded_db, Filters(country=VIET_NAM))
    assert [(p["country"], p["plan"]) for p in seen] == [(VIET_NAM, PLAN_B)]
    rows = model.budget_rows(Filters(country=VIET_NAM))
    years = [r["year"] for r in rows] + [
        r["year"] for r in model.indicator_rows(Filters(country=VIET_NAM)) if "year" in r
    ]
    assert (seen[0]["year_from"], seen[0]["year_to"]) == (min(years), max(years))
    assert scope.current_plan(seeded_db, Filters(country=ANGOLA), TODAY)["plan"] == PLAN_A


def test_every_countrys_plan_years_in_one_read_are_each_countrys_own(seeded_db):
    by_country = scope.plan_spans_by_country(seeded_db)
    assert set(by_country) == {ANGOLA, VIET_NAM}
    for country, spans in by_country.items():
        assert spans == scope.plan_spans(seeded_db, Filters(country=country))
    assert by_country[VIET_NAM][PLAN_B]["first_year"] == min(
        r["year"] for r in model.budget_rows(Filters(country=VIET_NAM))
    )


def test_needs_attention_lists_the_largest_gaps_and_lowest_delivery(seeded_db):
    found = attention.needs_attention(seeded_db, Filters())
    by_agency = {
        a: m for a, m in model.by(model.budget_rows(), model.agency_group).items() if a not in ("Joint", "(no agency)")
    }
    gaps = sorted(((m.funding_gap, a) for a, m in by_agency.items() if (m.funding_gap or 0) > 0), reverse=True)
    assert list(found["agencies"]["agency"]) == [a for _, a in gaps[: attention.TOP]]
    rates = sorted((m.delivery_rate, a) for a, m in by_agency.items() if m.delivery_rate is not None)
    assert list(found["low_delivery"]["agency"]) == [a for _, a in rates[: attention.TOP]]
    assert found["off_track_count"] == model.status_counts()["off track"]
    assert found["overdue_count"] == model.action_summary()["overdue"]


@pytest.mark.parametrize("filters", [Filters(), Filters(country=VIET_NAM), Filters(current_plans=True)])
def test_the_indicators_furthest_behind_are_those_of_the_indicators_page(seeded_db, filters):
    """The panel's off-track indicators, chosen in the engine, are the Indicators page's off-track rows with the
    largest shortfall (expected progress, 1 when unknown, less progress, 0 when none), ties in the page's order."""
    measured = indicators.progress(seeded_db, filters)
    behind = measured[measured["status"] == "off track"]
    shortfall = behind["expected_progress"].fillna(1.0) - behind["progress"].fillna(0.0)
    expected = behind.assign(shortfall=shortfall).sort_values("shortfall", ascending=False, kind="stable")
    for top in (1, attention.TOP, len(behind) + 1):
        found, count = indicators.off_track(seeded_db, filters, top)
        assert count == len(behind) > 0
        assert list(found["indicator_key"]) == list(expected["indicator_key"].head(top))
        assert found["shortfall"].tolist() == pytest.approx(expected["shortfall"].head(top).tolist())
    assert list(attention.needs_attention(seeded_db, filters)["off_track"]["indicator_key"]) == list(
        expected["indicator_key"].head(attention.TOP)
    )


# --- pages ----------------------------------------------------------------------------------------------------


def test_every_page_states_its_period_and_scope(dashboard_db):
    for page in ("overview", "delivery", "funding_gaps", "indicators", "recommendations"):
        app = open_page(page, {"country": VIET_NAM})
        assert not app.exception
        said = markdown(app)
        assert f"Figures cover:** {PLAN_B} · {VIET_NAM} · " in said.replace("\\", ""), (page, said)


def test_cards_state_the_money_a_ratio_rests_on(dashboard_db):
    app = open_page("delivery")
    m = model.money(model.budget_rows())
    card = next(x for x in app.metric if x.label == "Delivery rate")
    assert card.value == format_rate(m.delivery_rate)
    assert m.delivery_basis < 0.995  # the seeded data leave some spending unreported
    assert card.delta == f"on {format_rate(m.delivery_basis)} of available funds"
    gap = next(x for x in open_page("overview").metric if x.label.startswith("Funding gap"))
    assert gap.label == "Funding gap + not reported"
    assert gap.delta == f"+ {format_money(m.required_without_available).removeprefix('USD ')} not reported"


@pytest.fixture
def countries_db(tmp_path, seeded_db_path, monkeypatch):
    """The seeded data plus Kenya (budget only, 2019–2020, plan 'UNDAF 2018-2020': ended) and Chad (2025–2027)."""
    db = tmp_path / "countries.duckdb"
    shutil.copy(seeded_db_path, db)
    con = store.connection.connect(db)
    for country, plan, years in (("Kenya", "UNDAF 2018-2020", (2019, 2020)), ("Chad", "UNSDCF Chad", (2025, 2027))):
        rows = [[year, "1", "x", "1.1", "UNDP", 100, 50, 10] for year in years]
        assert (
            load_bytes(
                con, workbook_bytes({"B": [BUDGET_HEADER, *rows]}), f"{country}.xlsx", plan=plan, country=country
            ).status
            == "committed"
        )
    con.close()
    monkeypatch.setenv("UNCT_DB", str(db))
    return db


def test_the_year_slider_spans_the_chosen_countrys_years(countries_db):
    app = open_page("overview", {"country": "Kenya"})
    assert not app.exception
    slider = app.slider(key="years")
    assert (slider.min, slider.max) == (2019, 2020)
    app = open_page("overview", {"country": "Chad"})
    assert (app.slider(key="years").min, app.slider(key="years").max) == (2025, 2027)
    assert open_page("overview").slider(key="years").min == 2019


def test_choosing_a_country_opens_its_current_plan_years_to_date(countries_db):
    app = open_page("overview")
    app.selectbox(key="country").set_value("Chad").run()
    assert app.selectbox(key="plan").value == "UNSDCF Chad"
    this_year = dt.date.today().year
    assert app.slider(key="years").value == (2025, max(2025, min(2027, this_year)))


def test_agency_choices_are_those_of_the_country(countries_db):
    con = store.connection.connect(countries_db)
    try:
        assert [a["code"] for a in scope.filter_options(con, Filters(country="Kenya"))["agencies"]] == ["UNDP"]
        assert len(scope.filter_options(con)["agencies"]) > 1
    finally:
        con.close()
    app = open_page("overview", {"country": "Kenya"})
    assert app.selectbox(key="agency").options == ["UNDP"]


def test_a_country_without_indicators_says_so_plainly(countries_db):
    app = open_page("overview", {"country": "Kenya"})
    infos = " ".join(i.value for i in app.info).replace("\\", "")
    assert (
        "No indicator data for Kenya yet. To add them, an agency focal point uploads the indicators workbook "
        "of Kenya on the Upload page" in infos
    )
    assert "No recommendations or actions for Kenya yet" in infos
    assert "Nothing matches these filters" not in infos
    page = open_page("indicators", {"country": "Kenya"})
    assert "No indicator data for Kenya yet" in " ".join(i.value for i in page.info)


def test_completeness_never_judges_an_ended_plan(countries_db):
    app = open_page("overview", {"country": "Kenya"})
    captions = " ".join(c.value for c in app.caption).replace("\\", "")
    assert "Reporting completeness is not assessed for plans that have ended (1): UNDAF 2018-2020." in captions
    assert "Reporting completeness, UNDAF" not in captions and "agencies have submitted" not in captions


def test_the_demo_banner_shows_only_with_demo_data_in_view(dashboard_db):
    assert not [w for w in open_page("overview").warning if "Demo data" in w.value]


def test_the_needs_attention_panel_links_to_the_narrowed_pages(dashboard_db):
    app = open_page("overview", {"country": ANGOLA})
    assert not app.exception
    assert [h.value for h in app.subheader if h.value == "Needs attention"] and "*Largest funding gaps*" in markdown(
        app
    )


def test_needs_attention_is_said_in_a_line_above_the_cards(dashboard_db):
    """On a laptop the panel is below the cards: a line above them names the first of each list and links to it."""
    app = open_page("overview")
    con = store.connection.connect(dashboard_db)
    found = attention.needs_attention(con, Filters(current_plans=True))
    con.close()
    top, low = found["outcomes"].iloc[0], found["low_delivery"].iloc[0]
    line = next(m.value for m in app.markdown if "**Needs attention:**" in m.value).replace("\\", "")
    assert (
        f"largest gap {format_money(top.funding_gap)}" in line
        and f"lowest delivery {format_rate(low.delivery_rate)} ({low.agency})" in line
    )
    assert f"{found['off_track_count']} indicator" in line and f"{found['overdue_count']} actions overdue" in line
    assert line.endswith("(#needs-attention)")
    # it comes before the first card
    kinds = [type(n).__name__ for n in walk(app.main)]
    assert kinds.index("Markdown") < kinds.index("Metric")


# --- the view the dashboard opens on, plans named with their years ---------------------------------------------

THIS_YEAR = dt.date.today().year
#: (country, plan, {year: required}) loaded beside the seeded data: Kenya's ended UNDAF and its current UNSDCF (a
#: year past this one), and two plans of Ghana whose names differ by a space only
VIEW_PLANS = [
    ("Kenya", "UNDAF 2018-2020", {2019: 100_000, 2020: 100_000}),
    ("Kenya", "UNSDCF Kenya", {2024: 1_000_000, 2025: 2_000_000, 2026: 4_000_000, 2027: 8_000_000}),
    ("Ghana", "UNSDCF Ghana", {2024: 10_000_000}),
    ("Ghana", "UNSDCF  Ghana", {2024: 20_000_000}),
]
#: each country's current plan (Ghana's two begin together: the first by name)
CURRENT = {("Kenya", "UNSDCF Kenya"), ("Ghana", "UNSDCF  Ghana")}


@pytest.fixture
def views_db(tmp_path, seeded_db_path, monkeypatch):
    db = tmp_path / "views.duckdb"
    shutil.copy(seeded_db_path, db)
    con = store.connection.connect(db)
    for country, plan, years in VIEW_PLANS:
        rows = [[year, "1", "x", "1.1", "UNDP", required, None, None] for year, required in years.items()]
        assert (
            load_bytes(
                con,
                workbook_bytes({"B": [BUDGET_HEADER, *rows]}),
                f"{country}-{len(plan)}.xlsx",
                plan=plan,
                country=country,
            ).status
            == "committed"
        )
    con.close()
    monkeypatch.setenv("UNCT_DB", str(db))
    return db


def required_of(current_only: bool) -> float:
    """The seeded plans (each its country's current one, years before this) plus the plans above."""
    seeded = model.money(model.budget_rows()).required
    return seeded + sum(
        required
        for country, plan, years in VIEW_PLANS
        for year, required in years.items()
        if not current_only or ((country, plan) in CURRENT and year <= THIS_YEAR)
    )


def test_the_current_plans_to_date_are_a_filter_of_their_own(views_db):
    con = store.connection.connect(views_db)
    try:
        assert budget.totals(con, Filters(current_plans=True))["required"] == pytest.approx(required_of(True))
        assert budget.totals(con, Filters())["required"] == pytest.approx(required_of(False))
        assert scope.year_bounds(con, Filters(current_plans=True)) == (2023, min(2027, THIS_YEAR))
        assert scope.year_bounds(con, Filters()) == (2019, 2027)
        shown = {(p["country"], p["plan"]) for p in scope.in_view(con, Filters(current_plans=True))}
        assert shown == {(ANGOLA, PLAN_A), (VIET_NAM, PLAN_B), *CURRENT}
        assert scope.current_plan(con, Filters(country="Kenya"))["plan"] == "UNSDCF Kenya"
    finally:
        con.close()


def test_the_dashboard_opens_on_the_current_plan_of_each_country_years_to_date(views_db):
    app = open_page("overview")
    assert not app.exception
    said = markdown(app).replace("\\", "")
    assert "**Figures cover:** Current plan of each country · years to date · 4 plans · 4 countries · " in said
    assert cards(app)["Required"] == format_money(required_of(True))
    assert app.selectbox(key="plan").placeholder == "Current plan of each country"
    slider = app.slider(key="years")
    assert (slider.min, slider.max) == (2023, min(2027, THIS_YEAR))
    # every plan and year, from the sidebar's toggle
    app.toggle(key="all_plans").set_value(True).run()
    assert cards(app)["Required"] == format_money(required_of(False))
    assert "Current plan of each country" not in markdown(app)
    assert app.selectbox(key="plan").placeholder == "All plans"
    assert (app.slider(key="years").min, app.slider(key="years").max) == (2019, 2027)


def test_the_statement_offers_everything(views_db):
    app = open_page("funding_gaps")
    app.button(key="show-all-plans").click().run()
    assert app.toggle(key="all_plans").value is True
    assert cards(app)["Required"] == format_money(required_of(False))


def test_an_address_asks_for_everything_and_old_bookmarks_keep_their_plan(views_db):
    assert cards(open_page("overview", {"all_plans": "true"}))["Required"] == format_money(required_of(False))
    for asked in (
        "UNDAF 2018-2020",
        "UNSDCF Kenya",
        "UNSDCF Kenya (2024–2027)",
        "UNSDCF Kenya (2024–2026)",
    ):  # its name, its label, its label before the data grew
        app = open_page("overview", {"country": "Kenya", "plan": asked})
        assert not app.exception and not [w for w in app.warning if "which the data do not have" in w.value]
        plan = asked.split(" (")[0]
        assert app.selectbox(key="plan").value == plan
        assert cards(app)["Required"] == format_money(sum(next(y for _, p, y in VIEW_PLANS if p == plan).values()))


def test_plans_are_named_with_their_years_everywhere(views_db):
    app = open_page("overview", {"country": "Kenya"})
    assert app.selectbox(key="plan").options == ["UNDAF 2018-2020", "UNSDCF Kenya (2024–2027)"]
    ghana = open_page("overview", {"country": "Ghana"}).selectbox(key="plan").options
    assert ghana == ["UNSDCF  Ghana (2024)", "UNSDCF Ghana (2024) #2"]  # look-alike names stay apart
    page = open_page("data_export", {"country": "Kenya", "plan": "UNSDCF Kenya"})
    assert "Kenya · UNSDCF Kenya (2024–2027)" in page.caption[0].value.replace("\\", "")
    labels = {"UNSDCF Kenya": "UNSDCF Kenya (2024–2027)"}
    assert registry.summary(Filters(country="Kenya", plan="UNSDCF Kenya"), "budget", labels) == [
        "Kenya",
        "UNSDCF Kenya (2024–2027)",
    ]
    assert registry.summary(Filters(current_plans=True), "budget", {}) == [
        "current plan of each country, years to date"
    ]
    funding = open_page("funding_gaps", {"country": "Kenya", "plan": "UNSDCF Kenya"})
    assert set(table(funding, "gaps-by-outcome")["Plan"]) == {"UNSDCF Kenya (2024–2027)"}


def test_in_the_opening_view_the_lists_hold_the_current_plans(views_db):
    app = open_page("overview")
    current = set(app.selectbox(key="outcome").options)
    everything = set(open_page("overview", {"all_plans": "true"}).selectbox(key="outcome").options)
    assert current < everything
    assert not [o for o in current if "UNDAF 2018" in o]


# --- exports --------------------------------------------------------------------------------------------------


def test_export_names_carry_the_filters():
    assert exports.file_stem("budget", ["Jordan", None, "2023–2025", None, "UNDP"]) == "budget-jordan-2023-2025-undp"
    assert exports.file_stem("actions", []) == "actions"


def test_the_excel_export_has_a_filters_sheet_and_readable_columns():
    df = pd.DataFrame(
        {"outcome_code": ["1"], "required": [1.0], "created_at": [pd.Timestamp("2026-01-02 03:04:05.678")]}
    )
    data = exports.safe_excel_bytes(
        df.rename(columns=exports.human_labels(list(df.columns))),
        "Budget",
        about=[("Filters", "Jordan · 2023–2025"), ("Exported by", "=cmd")],
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Budget", "Filters"]
    assert [c.value for c in book["Budget"][1]] == ["Outcome code", "Required", "Loaded at"]
    assert book["Budget"]["C2"].value == dt.datetime(2026, 1, 2, 3, 4, 5)  # no microseconds
    assert [[c.value for c in r] for r in book["Filters"].iter_rows()] == [
        ["Filters", "Jordan · 2023–2025"],
        ["Exported by", "'=cmd"],
    ]


def test_a_tables_plan_names_are_read_once_per_country_not_once_per_row(monkeypatch):
    """Naming the plans of a 10,000-row table read the plans' years 10,000 times: 8.6 s for every run of the
    Indicators page at 10 M lines, warm caches or not."""
    from app import scope as page_scope

    asked: list[str | None] = []
    monkeypatch.setattr(page_scope.data, "current_filters", lambda: Filters())
    monkeypatch.setattr(page_scope, "plan_names", lambda country: asked.append(country) or {"P": f"P of {country}"})
    names = page_scope.plan_names_of(["P", None, "Q", "P"] * 5000, [ANGOLA, VIET_NAM, ANGOLA, VIET_NAM] * 5000)
    assert asked == [ANGOLA, VIET_NAM]
    assert names[:4] == [f"P of {ANGOLA}", page_scope.NO_PLAN, plan_label("Q"), f"P of {VIET_NAM}"]
