"""Every page under AppTest on the seeded database: the figures on cards and in the tables behind the
charts equal the plain-Python model (tests/model.py), and filters change them as they should."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.filters import Filters
from analytics.identity import outcome_key
from app.testing import PAGE_FILES, open_page
from core import palette
from core.formatting import format_count, format_money, format_rate, reported_phrase
from tests import model
from tests.fixtures import ANGOLA, PLAN_A, VIET_NAM

ROOT = Path(__file__).resolve().parent.parent
HEALTH = outcome_key(PLAN_A, "1", "By 2027, more children and women use quality health and nutrition services")
HEALTH_LABEL = "1 · By 2027, more children and women use quality health and…"


# --- helpers ----------------------------------------------------------------------------------------


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def table(app, name: str) -> pd.DataFrame:
    """The table whose CSV download button is `download-<name>` (the dataframe just before it)."""
    last = None
    for node in walk(app.main):
        if type(node).__name__ == "Dataframe":
            last = node
        if type(node).__name__ == "DownloadButton" and getattr(node, "key", None) == f"download-{name}":
            assert last is not None
            return last.value
    raise AssertionError(f"no table with a download-{name} button")


def plotted(values) -> list:
    """A trace's values as sent to the browser: a list, or Plotly's typed array {dtype, bdata (base64)}."""
    if isinstance(values, dict):
        return list(np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]))
    return [math.nan if v is None else v for v in values]


def cards(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def no_errors(app) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def close(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None:
        return False
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def percent(x):
    return None if x is None else x * 100


def query_params(f: Filters) -> dict:
    params = f.to_query_params({HEALTH: HEALTH_LABEL})
    return params


# --- registration and safety ------------------------------------------------------------------------


def test_every_page_file_is_in_the_page_registry():
    on_disk = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert set(PAGE_FILES.values()) == on_disk
    # the address of a page is its file name (frame.require_frame relies on it)
    assert all(file == f"pages/{path}.py" for path, file in PAGE_FILES.items())


def test_no_html_from_stored_data():
    for path in [ROOT / "dashboard.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "app").glob("*.py")]:
        assert "unsafe_allow_html=True" not in path.read_text(), path


@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_every_page_runs(dashboard_db, page):
    app = open_page(page)
    no_errors(app)
    assert app.title and app.title[0].value
    # the filter bar is there on every page
    assert {s.key for s in app.sidebar.selectbox} == {"country", "plan", "outcome", "agency"}
    assert app.sidebar.slider(key="years").value == (2023, 2025)


@pytest.mark.parametrize(
    "page,message",
    [
        ("overview", "No budget data yet"),
        ("delivery", "No budget data yet"),
        ("funding_gaps", "No budget data yet"),
        ("indicators", "No indicator data yet"),
        ("recommendations", "No recommendations or actions yet"),
        ("data_export", "No budget data yet"),
    ],
)
def test_empty_database_says_what_to_do(empty_db_path, monkeypatch, page, message):
    monkeypatch.setenv("UNCT_DB", str(empty_db_path))
    app = open_page(page)
    no_errors(app)
    infos = " ".join(i.value for i in app.info)
    assert message in infos and "Upload page" in infos and "python -m etl demo" in infos


# --- Overview ---------------------------------------------------------------------------------------


def expected_overview_cards(f: Filters) -> dict[str, str]:
    m = model.money(model.budget_rows(f))
    counts = model.status_counts(f)
    actions = model.action_summary(f)
    gap = m.funding_gap
    gap_label = "Funding gap" if gap is None or gap >= 0 else "Funding surplus"
    return {
        "Required": format_money(m.required),
        "Available": format_money(m.available),
        "Spent": format_money(m.expenditure),
        gap_label + (" + not reported" if m.required_without_available else ""): format_money(abs(gap) if gap else gap),
        "Delivery rate": format_rate(m.delivery_rate),
        "Indicators on track": f"{counts['achieved'] + counts['on track']} of {sum(counts.values())}",
        "Actions completed": f"{actions['completed']} of {actions['actions']}",
        "Actions overdue": format_count(actions["overdue"]),
    }


@pytest.mark.parametrize(
    "f",
    [
        Filters(),
        Filters(country=VIET_NAM),
        Filters(year_from=2024, year_to=2024),
        Filters(agency="UNICEF"),
        Filters(outcome=HEALTH),
    ],
)
def test_overview_cards_and_year_table(dashboard_db, f):
    app = open_page("overview", query_params(f))
    no_errors(app)
    assert cards(app) == expected_overview_cards(f)
    years = table(app, "money-by-year").set_index("Year")
    expected = model.by(model.budget_rows(f), lambda r: r["year"])
    assert list(years.index) == sorted(expected)
    for year, m in expected.items():
        assert close(years.loc[year, "Required (USD)"], m.required)
        assert close(years.loc[year, "Available (USD)"], m.available)
        assert close(years.loc[year, "Spent (USD)"], m.expenditure)
        assert close(years.loc[year, "Delivery rate (%)"], percent(m.delivery_rate))
    status = table(app, "indicator-status")
    assert dict(zip(status["Status"], status["Indicators"])) == model.status_counts(f)


def test_overview_filter_changes_the_figures(dashboard_db):
    app = open_page("overview")
    assert cards(app) == expected_overview_cards(Filters())
    app.selectbox(key="country").set_value(ANGOLA).run()
    no_errors(app)
    assert cards(app) == expected_overview_cards(Filters(country=ANGOLA))
    assert cards(app)["Required"] != expected_overview_cards(Filters())["Required"]
    app.slider(key="years").set_value((2025, 2025)).run()
    assert cards(app) == expected_overview_cards(Filters(country=ANGOLA, year_from=2025, year_to=2025))
    app.button(key="clear-filters").click().run()
    assert cards(app) == expected_overview_cards(Filters())


def test_overview_freshness(dashboard_db):
    app = open_page("overview")
    fresh = table(app, "data-freshness").set_index("Agency")
    expected = model.last_reported_per_agency()
    assert set(fresh.index) == set(expected)
    for agency, when in expected.items():
        assert fresh.loc[agency, "Last reported"] == reported_phrase(*when["all"]), agency
        assert fresh.loc[agency, "Days since"] == (dt.date.today() - when["all"][0]).days, agency
    assert fresh.loc["WHO", "Last reported"] == "reported 20 May 2025 (date in the file)"
    assert fresh.loc["UNFPA", "Last reported"] == "loaded 4 Jun 2025"
    assert fresh.loc["UNICEF", "Budget"] == pd.Timestamp("2025-03-28")  # the export's date, before its load on 2 Apr


# --- Delivery ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "f", [Filters(), Filters(country=ANGOLA), Filters(agency="UNDP"), Filters(year_from=2023, year_to=2024)]
)
def test_delivery_cards_and_tables(dashboard_db, f):
    app = open_page("delivery", query_params(f))
    no_errors(app)
    m = model.money(model.budget_rows(f))
    assert cards(app) == {
        "Available": format_money(m.available),
        "Spent": format_money(m.expenditure),
        "Delivery rate": format_rate(m.delivery_rate),
        "Spent of required": format_rate(m.burn_rate),
    }
    outcomes = table(app, "delivery-by-outcome")
    assert close(outcomes["Available (USD)"].sum(), m.available)
    assert close(outcomes["Spent (USD)"].sum(), m.expenditure)
    agencies = table(app, "delivery-by-agency").set_index("Agency")
    for agency, am in model.by(model.budget_rows(f), model.agency_group).items():
        assert close(agencies.loc[agency, "Delivery rate (%)"], percent(am.delivery_rate)), agency
    detail = table(app, "delivery-rate-table")
    assert close(detail["Required (USD)"].sum(), m.required)


def test_delivery_drills_into_an_outcome_and_an_agency(dashboard_db):
    app = open_page("delivery", {"outcome": HEALTH_LABEL})
    no_errors(app)
    outputs = table(app, "delivery-by-output")
    expected = model.by(model.budget_rows(Filters(outcome=HEALTH)), lambda r: r["output_code"])
    assert sorted(o.split(" · ")[0] for o in outputs["Output"]) == sorted(expected)
    assert close(outputs["Spent (USD)"].sum(), sum(e.expenditure or 0 for e in expected.values()))
    next(b for b in app.button if b.label == "Back to all outcomes").click().run()
    assert app.selectbox(key="outcome").value is None
    assert len(table(app, "delivery-by-outcome")) == 4
    app.selectbox(key="agency").set_value("UNICEF").run()
    lines = table(app, "budget-lines-unicef")
    assert len(lines) == len(model.budget_rows(Filters(agency="UNICEF")))
    assert set(lines["Agency"]) == {"UNICEF", "UNDP;UNICEF"}


# --- Funding gaps -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "f",
    [
        Filters(),
        Filters(country=VIET_NAM),
        Filters(agency="WHO"),
        Filters(country=VIET_NAM, agency="WHO", year_from=2025, year_to=2025),
    ],
)
def test_funding_gap_cards_and_tables(dashboard_db, f):
    app = open_page("funding_gaps", query_params(f))
    no_errors(app)
    m = model.money(model.budget_rows(f))
    shown = cards(app)
    assert shown["Required"] == format_money(m.required)
    assert shown["Available"] == format_money(m.available)
    gap_label = next(label for label in shown if label.startswith(("Funding gap", "Funding surplus")))
    assert gap_label.endswith(" + not reported") == bool(m.required_without_available)
    assert shown[gap_label] == format_money(abs(m.funding_gap) if m.funding_gap else m.funding_gap)
    assert shown["Coverage"] == format_rate(m.coverage)
    agencies = table(app, "gaps-by-agency").set_index("Agency")
    expected = model.by(model.budget_rows(f), model.agency_group)
    assert set(agencies.index) == set(expected)
    for agency, am in expected.items():
        assert close(agencies.loc[agency, "Required (USD)"], am.required)
        assert close(agencies.loc[agency, "Funding gap (USD)"], am.funding_gap)
        assert close(agencies.loc[agency, "Coverage (%)"], percent(am.coverage))
    assert close(agencies["Required (USD)"].sum(), m.required)  # joint money counted once
    sources = table(app, "gaps-by-funding-source")
    assert close(sources["Required (USD)"].sum(), m.required)
    tree = table(app, "requirement-treemap")
    assert close(tree["Required (USD)"].sum(), m.required)


def test_an_over_funded_year_is_charted_as_a_surplus_not_a_negative_gap(dashboard_db):
    f = Filters(agency="FAO")  # FAO is over-funded (available above required)
    expected = model.by(model.budget_rows(f), lambda r: r["year"])
    assert any(m.funding_gap < 0 for m in expected.values())
    app = open_page("funding_gaps", query_params(f))
    no_errors(app)
    figures = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    years = next(f for f in figures if [t["name"] for t in f["data"]][:2] == ["Required", "Available"])
    traces = {
        t["name"]: {x: (None if math.isnan(y) else float(y)) for x, y in zip(t["x"], plotted(t["y"]))}
        for t in years["data"]
    }
    scale = max(m.required for m in expected.values()) / max(traces["Required"].values())  # USD per axis unit
    for year, m in expected.items():
        gap, surplus = traces["Funding gap"][str(year)], traces["Surplus"][str(year)]
        if m.funding_gap < 0:
            assert gap is None and close(surplus * scale, -m.funding_gap), year
        else:
            assert surplus is None and close(gap * scale, m.funding_gap), year


def test_funding_gaps_zero_denominator_shows_dash(dashboard_db):
    f = Filters(country=VIET_NAM, agency="WHO", year_from=2025, year_to=2025)
    app = open_page("funding_gaps", query_params(f))
    assert cards(app)["Coverage"] == "—"
    assert pd.isna(table(app, "gaps-by-agency").iloc[0]["Coverage (%)"])


# --- Indicators -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "f", [Filters(), Filters(year_from=2024, year_to=2024), Filters(country=VIET_NAM), Filters(outcome=HEALTH)]
)
def test_indicator_cards_and_progress_table(dashboard_db, f):
    app = open_page("indicators", query_params(f))
    no_errors(app)
    counts = model.status_counts(f)
    assert cards(app) == {
        "Indicators": str(sum(counts.values())),
        "Achieved": str(counts["achieved"]),
        "On track": str(counts["on track"]),
        "Off track": str(counts["off track"]),
        "No data": str(counts["no data"]),
    }
    progress = table(app, "indicator-progress")
    expected = model.indicator_status(f)
    got = {
        (p, c): (s, pr)
        for p, c, s, pr in zip(progress["Plan"], progress["Code"], progress["Status"], progress["Progress (%)"])
    }
    assert got.keys() == {(k[1], k[2]) for k in expected}
    for (_country, plan, code), e in expected.items():
        status, value = got[(plan, code)]
        assert status == e["status"].capitalize() and close(value, percent(e["progress"]))


def test_indicator_trend_follows_the_choice(dashboard_db):
    app = open_page("indicators")
    chooser = app.selectbox(key="trend-indicator")
    youth = next(o for o in chooser.options if "Youth unemployment" in o)
    chooser.select(youth).run()
    trend = table(app, "indicator-trend")
    assert list(trend["Period"]) == ["2023-Q3", "2024"] and list(trend["Value"]) == [19.0, 18.5]


# --- Recommendations --------------------------------------------------------------------------------


@pytest.mark.parametrize("f", [Filters(), Filters(country=VIET_NAM), Filters(agency="UN Women"), Filters(plan=PLAN_A)])
def test_recommendation_cards_and_overdue_list(dashboard_db, f):
    app = open_page("recommendations", query_params(f))
    no_errors(app)
    s = model.action_summary(f)
    assert cards(app) == {
        "Actions": format_count(s["actions"]),
        "Completed": format_count(s["completed"]),
        "Implementation rate": format_rate(s["implementation_rate"]),
        "Open": format_count(s["open"]),
        "Overdue": format_count(s["overdue"]),
    }
    overdue_rows = [r for r in model.action_rows(f) if model.is_overdue(r)]
    if overdue_rows:
        overdue = table(app, "overdue-actions")
        assert sorted(overdue["Action"]) == sorted(r["action"] for r in overdue_rows)
    sources = table(app, "actions-by-source")
    assert sources["Actions"].sum() == s["actions"]
    ageing = table(app, "action-ageing")
    assert ageing["Open actions"].sum() == s["open"]


# --- Data export ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,f,rows",
    [
        ("budget", Filters(country=VIET_NAM), lambda f: model.budget_rows(f)),
        ("budget", Filters(agency="UNICEF"), lambda f: model.budget_rows(f)),
        ("indicators", Filters(year_from=2024, year_to=2024), lambda f: model.indicator_rows(f)),
        ("actions", Filters(country=ANGOLA), lambda f: model.action_rows(f)),
    ],
)
def test_data_export_counts_and_preview(dashboard_db, kind, f, rows):
    app = open_page("data_export", query_params(f))
    no_errors(app)
    app.radio(key="dataset").set_value(kind).run()
    no_errors(app)
    expected = rows(f)
    assert cards(app) == {"Rows matching the filters": format_count(len(expected))}
    preview = app.dataframe[0].value
    assert len(preview) == len(expected)
    if kind == "budget" and f.country:
        assert set(preview["country"]) == {f.country}
    assert {b.key for b in app.get("download_button")} >= {"export-csv", "export-xlsx"}


@pytest.mark.parametrize(
    "params, keep",
    [
        ({"sdg": "2 Zero Hunger"}, lambda r: "2 Zero Hunger" in (r["sdg_goals"] or "").split("; ")),
        ({"priority": "Governance"}, lambda r: r["strategic_priority"] == "Governance"),
        (
            {"status": "implementation", "priority": "People"},
            lambda r: r["suboutput_status"] == "implementation" and r["strategic_priority"] == "People",
        ),
    ],
)
def test_budget_export_narrowed_on_the_uninfo_fields(dashboard_db, params, keep):
    app = open_page("data_export", {"dataset": "budget", **params})
    no_errors(app)
    expected = [r for r in model.budget_rows(Filters()) if keep(r)]
    assert expected and cards(app) == {"Rows matching the filters": format_count(len(expected))}
    assert len(app.dataframe[0].value) == len(expected)
    assert app.selectbox(key="sdg").options[0] == "2 Zero Hunger"


def test_cached_figures_are_refreshed_when_a_submission_lands(fresh_db_path, monkeypatch):
    """Query results are cached per filter set; a new submission (data version) invalidates them."""
    import store.connection
    import store.summaries

    monkeypatch.setenv("UNCT_DB", str(fresh_db_path))
    app = open_page("overview")
    before = model.money(model.budget_rows(Filters()))
    assert cards(app)["Required"] == format_money(before.required)
    app.run()
    assert cards(app)["Required"] == format_money(before.required)  # from the cache, unchanged
    con = store.connection.connect(fresh_db_path)
    try:
        con.execute(
            """INSERT INTO submission_log (submission_id, kind, file_name, sha256, agency, plan, status)
                       VALUES (100, 'budget', 'late.xlsx', 'f00', 'UNDP', ?, 'committed')""",
            [PLAN_A],
        )
        con.execute(
            """INSERT INTO budget_lines (country, plan, outcome_code, outcome_title, output_code, agency,
                           year, required, available, expenditure, submission_id)
                       VALUES (?, ?, '9', 'A new outcome', '9.1', 'UNDP', 2025, 4000000, NULL, NULL, 100)""",
            [ANGOLA, PLAN_A],
        )
        store.summaries.refresh(con)  # the rows bypassed the loads
    finally:
        con.close()
    app.run()
    no_errors(app)
    assert cards(app)["Required"] == format_money(before.required + 4_000_000)


def test_overview_says_who_has_not_reported(dashboard_db):
    app = open_page("overview", {})
    no_errors(app)
    captions = [re.sub(r"\\(.)", r"\1", c.value) for c in app.caption]
    assert (
        f"Reporting completeness, {PLAN_A}: 4 of 5 agencies have submitted data for 2025 (80 %) — not yet: "
        "UNFPA. Spending for 2025 not reported by: UNFPA, WHO. Data last reported 20 May 2025 (date in the file)."
    ) in captions, captions


def test_the_missing_figures_note_always_names_its_subject():
    from app.notes import missing_figures_note

    totals = {
        "lines": 5,
        "lines_without_required": 0,
        "available_without_required": None,
        "lines_without_available": 0,
        "lines_without_expenditure": 1,
    }
    assert missing_figures_note(totals).startswith("1 of 5 budget lines has no expenditure figure. ")
    assert missing_figures_note(totals, expenditure=False) is None
    totals.update(lines_without_available=2, lines_without_required=1, available_without_required=2_500_000)
    assert missing_figures_note(totals).startswith(
        "1 of 5 budget lines has no required figure (USD 2.5 M available on them); 2 have no available figure; "
        "1 has no expenditure figure. "
    )


def chart_traces(app, first_trace: str) -> dict[str, dict]:
    """The Plotly chart whose first trace is named `first_trace`: trace name → {category: value}."""
    for chart in app.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["data"] and spec["data"][0].get("name") == first_trace:
            return {t["name"]: dict(zip(t["y"], plotted(t["x"]))) for t in spec["data"]}
    raise AssertionError(f"no chart starting with a {first_trace!r} trace")


@pytest.mark.parametrize("f", [Filters(), Filters(agency="UNICEF"), Filters(country=VIET_NAM)])
def test_delivery_bars_agree_with_the_rate_written_on_them(dashboard_db, f):
    app = open_page("delivery", query_params(f))
    no_errors(app)
    traces = chart_traces(app, "Available (where spending is reported)")
    by_outcome = table(app, "delivery-by-outcome")
    assert len(traces["Spent"]) == len(by_outcome)
    for (label, available), spent, rate in zip(
        traces["Available (where spending is reported)"].items(),
        traces["Spent"].values(),
        by_outcome["Delivery rate (%)"],
    ):
        if math.isnan(rate):
            continue
        assert close(100 * spent / available, rate), label


def test_a_period_without_spending_says_so_instead_of_an_empty_chart(dashboard_db):
    f = Filters(country=ANGOLA, agency="WHO", year_from=2025, year_to=2025)  # WHO left 2025 spending blank
    app = open_page("delivery", query_params(f))
    no_errors(app)
    assert any("no delivery rate to show" in i.value for i in app.info)
    assert cards(app)["Delivery rate"] == "—"
    assert "no spending reported yet" in [c.value for c in app.caption]
    assert table(app, "delivery-by-agency")["Delivery rate (%)"].isna().all()


@pytest.mark.parametrize(
    "params, named",
    [
        ({"agency": "XYZ"}, "agency “XYZ”"),
        ({"years": ["2030", "2031"]}, "years “2030–2031”"),
        ({"outcome": "no such outcome", "agency": "UNICEF"}, "outcome “no such outcome”"),
    ],
)
def test_a_link_filter_the_data_do_not_have_is_named_not_dropped_silently(dashboard_db, params, named):
    app = open_page("overview", params)
    no_errors(app)
    warnings = [re.sub(r"\\(.)", r"\1", w.value) for w in app.warning]
    assert any(w.startswith(f"This link asks for {named}, which the data do not have") for w in warnings), warnings
    if "agency" in params and params["agency"] == "UNICEF":  # the rest of the link still applies
        assert dict(app.query_params).get("agency") == "UNICEF"


def test_a_valid_link_gets_no_warning(dashboard_db):
    app = open_page("delivery", query_params(Filters(country=VIET_NAM, agency="WHO", year_from=2024, year_to=2025)))
    assert not [w for w in app.warning if "This link" in w.value]


def test_tables_and_their_csv_carry_full_outcome_titles(dashboard_db):
    app = open_page("delivery", {})
    outcomes = table(app, "delivery-by-outcome")["Outcome"]
    assert "1 · By 2027, more children and women use quality health and nutrition services" in set(outcomes)
    assert not any(o.endswith("…") for o in outcomes)


def test_many_plans_get_a_completeness_table_least_complete_first(tmp_path, monkeypatch):
    import store.connection
    from etl.load import load_bytes
    from tests.test_load import BUDGET_HEADER, workbook_bytes

    db = tmp_path / "plans.duckdb"
    con = store.connection.connect(db)
    for n, country in enumerate(("Kenya", "Ghana", "Chad", "Peru")):  # n of 3 agencies report for 2025
        rows = [
            [2025 if i < n else 2024, "1", "x", "1.1", agency, 10, 5, 1]
            for i, agency in enumerate(("UNDP", "WHO", "FAO"))
        ]
        rows.append([2025, "1", "x", "1.2", "UNICEF", 10, 5, 1])
        assert (
            load_bytes(
                con, workbook_bytes({"B": [BUDGET_HEADER, *rows]}), f"{country}.xlsx", plan="UNSDCF", country=country
            ).status
            == "committed"
        )
    con.close()
    monkeypatch.setenv("UNCT_DB", str(db))
    app = open_page("overview")
    no_errors(app)
    shown = table(app, "reporting-completeness")
    assert list(shown["Country"]) == ["Kenya", "Ghana", "Chad", "Peru"]
    assert list(shown["Submitted"]) == [1, 2, 3, 4] and set(shown["Expected"]) == {4}
    assert list(shown["Completeness (%)"]) == [25.0, 50.0, 75.0, 100.0]
    assert shown["Not yet submitted"].iloc[0] == "FAO, UNDP, WHO"


def test_a_delivery_rate_over_100_percent_is_pointed_out(tmp_path, monkeypatch):
    import store.connection
    from etl.load import load_bytes
    from tests.test_load import BUDGET_HEADER, workbook_bytes

    db = tmp_path / "over.duckdb"
    con = store.connection.connect(db)
    rows = [BUDGET_HEADER, [2025, "1", "x", "1.1", "UNDP", 100, 50, 80], [2025, "1", "x", "1.2", "WFP", 100, 50, 20]]
    assert load_bytes(con, workbook_bytes({"B": rows}), "b.xlsx", plan="P").status == "committed"
    con.close()
    monkeypatch.setenv("UNCT_DB", str(db))
    app = open_page("delivery")
    no_errors(app)
    notes = [c.value for c in app.caption if "Over 100 %" in c.value]
    assert len(notes) == 1 and "Over 100 %: UNDP reported more spent than available" in notes[0]
    assert table(app, "delivery-by-agency")["Delivery rate (%)"].tolist() == [160.0, 40.0]  # ranked by rate


@pytest.mark.parametrize("page", ["overview", "delivery", "funding_gaps", "indicators", "recommendations"])
def test_every_chart_is_readable_on_a_projector(dashboard_db, page):
    """Every axis's ticks and every legend in 14 px or more, in the dark text colour; a bar chart's value axis
    titled with its unit (app.charts.layout, one update of each setting)."""
    app = open_page(page)
    no_errors(app)
    specs = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    assert specs, page
    for spec in specs:
        layout = spec["layout"]
        axes = [v for k, v in layout.items() if re.fullmatch(r"[xy]axis\d*", k)]
        if spec["data"][0]["type"] == "treemap":
            continue  # no axes
        assert axes, (page, spec["data"][0].get("name"))
        for axis in axes:
            assert axis["tickfont"]["size"] >= 14 and axis["tickfont"]["color"] == palette.INK, (page, axis)
            assert axis["automargin"] is True
        if layout.get("showlegend", True) and "legend" in layout:
            assert layout["legend"]["font"]["size"] >= 14 and layout["legend"]["font"]["color"] == palette.INK, page
        if spec["data"][0]["type"] == "bar":
            titles = [a.get("title", {}).get("text") for a in axes]
            assert any(
                t and ("USD" in t or "actions" in t.lower() or "indicators" in t.lower() or "%" in t) for t in titles
            ), (page, titles)


@pytest.mark.parametrize("f", [Filters(), Filters(country=VIET_NAM), Filters(agency="UNICEF")])
def test_the_treemaps_tiles_hold_the_sums_under_them(dashboard_db, f):
    """Outcomes, their outputs and the outputs' agencies: each parent's value the sum of the tiles under it
    (branchvalues "total"), every parent drawn, the outcomes' values their requirement (the plain-Python model)."""
    app = open_page("funding_gaps", query_params(f))
    no_errors(app)
    spec = next(
        json.loads(c.proto.spec)
        for c in app.get("plotly_chart")
        if json.loads(c.proto.spec)["data"][0]["type"] == "treemap"
    )
    tile = spec["data"][0]
    values = dict(zip(tile["ids"], plotted(tile["values"])))
    children: dict[str, list[float]] = {}
    for parent, value in zip(tile["parents"], plotted(tile["values"])):
        children.setdefault(parent, []).append(value)
    assert set(children) - {""} <= set(values)  # every parent is a tile
    for parent, under in children.items():
        if parent:
            assert close(values[parent], sum(under)), parent
    expected = model.by(model.budget_rows(f), lambda r: (r["plan"], r["outcome_code"], r["outcome_title"]))
    outcomes = sorted(values[i] for i, p in zip(tile["ids"], tile["parents"]) if p == "")
    assert [pytest.approx(v) for v in outcomes] == sorted(m.required for m in expected.values() if m.required)
