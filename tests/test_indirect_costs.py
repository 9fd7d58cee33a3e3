"""A pooled fund's budget as its operational plan writes it (SPEC §1: 7 % programme support cost and 1 %
administrative agent fee on top of the programme lines): the indirect-cost rows are recognised, kept apart
from the programme lines, stored with their submission, checked, and summed up on the pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import store.connection
import store.writes
from analytics import activity, budget
from analytics.filters import Filters
from analytics.identity import outcome_key
from etl.indirect import indirect_cost_label
from etl.load import load_bytes, load_path
from tests.test_load import workbook_bytes

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "undg-hrm-operational-plan-2011-2013.txt"
PLAN = "UNDG-HRM Operational Plan 2011-2013"
HEADER = ["Plan", "Year", "Outcome", "Outcome description", "Output no.", "UN entity", "Requested funds (USD)"]


def table_b() -> list[tuple[str, float]]:
    """Table B of the seed plan as it is written: (label, amount), programme lines first, then Total,
    Programme support cost (7%), Administrative Agent's fee (1% of contributions received), GRAND TOTAL."""
    text = SEED.read_text(encoding="utf-8")
    block = text[text.index("Table B:") : text.index("3. Progress")]
    rows = []
    for line in block.splitlines():
        label, _, amount = line.rpartition("\t")
        if label and re.fullmatch(r"[\d,]+\.\d\d", amount.strip()):
            rows.append((re.sub(r"</?i>", "", label).strip(), float(amount.replace(",", ""))))
    return rows


TABLE_B = table_b()
PROGRAMME = [(label, amount) for label, amount in TABLE_B[:5]]
# the outputs of Table A each priority focus opens with; the secretariat is the fund's own line
CODES = {
    "Priority Focus 1": ("1", "1.1.1"),
    "Priority Focus 2": ("2", "2.1.1"),
    "Priority Focus 3": ("3", "3.1.1"),
    "Priority Focus 4": ("4", "4.1.1"),
    "UNDOCO Secretariat Costs": ("S", "S.1"),
}


def test_the_seed_plans_table_b_is_what_the_tests_build_on():
    assert [label for label, _ in TABLE_B[5:]] == [
        "Total",
        "Programme support cost (7%)",
        "Administrative Agent's fee (1% of contributions received)",
        "GRAND TOTAL",
    ]
    assert [amount for _, amount in TABLE_B[5:]] == [21_716_630.00, 1_520_164.10, 232_367.94, 23_469_162.04]


def seed_workbook(label_at: int = 3, amount_at: int = 6, change: dict[str, float] | None = None) -> bytes:
    """Table B as a focal point types it: programme lines with plan, year, outcome and output codes, agency
    and the requested funds; then the Total, support cost, fee and GRAND TOTAL rows holding only a label (in
    column `label_at`) and an amount (in column `amount_at`; 6 is the requested funds, 7 beside the table)."""
    lines = []
    for label, amount in PROGRAMME:
        outcome, output = CODES[label.split(":")[0]]
        agency = "UNDCO" if outcome == "S" else "OHCHR"
        lines.append([PLAN, 2011, outcome, label, output, agency, amount])
    below = []
    for label, amount in TABLE_B[5:]:
        row = [None] * 8
        row[label_at], row[amount_at] = label, (change or {}).get(label, amount)
        below.append(row)
    title = [["UNDG Human Rights Mainstreaming Mechanism — Table B: Overview of financial requirements 2011-2013"], []]
    return workbook_bytes({"Table B": [*title, HEADER, *lines, *below]})


@pytest.fixture
def con(tmp_path):
    connection = store.connection.connect(tmp_path / "fund.duckdb")
    yield connection
    connection.close()


def indirect(con) -> list[tuple]:
    return con.execute(
        "SELECT plan, year, agency, cost_type, label, rate, required, currency FROM indirect_costs "
        "ORDER BY cost_type DESC"
    ).fetchall()


SUPPORT = (PLAN, 2011, None, "support", "Programme support cost (7%)", 0.07, 1_520_164.10, "USD")
FEE = (PLAN, 2011, None, "fee", "Administrative Agent's fee (1% of contributions received)", 0.01, 232_367.94, "USD")


@pytest.mark.parametrize(
    "label_at, amount_at",
    [(3, 6), (0, 6), (0, 1), (3, 4), (3, 7), (7, 6)],
    ids=[
        "labels-under-the-programme-labels",
        "labels-in-the-plan-column",
        "amount-alone-in-the-year-column",
        "amount-alone-in-the-output-column",
        "amount-beside-the-table",
        "labels-beside-the-table",
    ],
)
def test_the_seed_plans_budget_loads_with_its_support_cost_and_fee(con, label_at, amount_at):
    result = load_bytes(con, seed_workbook(label_at, amount_at), "hrm-table-b.xlsx")
    assert result.status == "committed", [str(e) for e in result.errors]
    assert result.rows_added == 5
    label_cell = "ABCDEFGH"[label_at]
    assert [str(w) for w in result.warnings] == [
        f"hrm-table-b.xlsx Table B!{label_cell}9: 'Total': total row skipped (totals are computed, never loaded)",
        f"hrm-table-b.xlsx Table B!{label_cell}10: 'Programme support cost (7%)': programme support cost: kept apart "
        "from the programme lines, as an indirect cost of the plan (7 % of the direct costs above it)",
        f'hrm-table-b.xlsx Table B!{label_cell}11: "Administrative Agent\'s fee (1% of contributions received)": '
        "administrative agent fee: kept apart from the programme lines, as an indirect cost of the plan (1 % of the "
        "contributions: the programme lines above it and their support costs)",
        f"hrm-table-b.xlsx Table B!{label_cell}12: 'GRAND TOTAL': "
        "total row skipped (totals are computed, never loaded)",
        # a global trust fund's plan belongs to no country: said once (etl.load's country rule)
        f"hrm-table-b.xlsx Table B column country: plan '{PLAN}' is not known in any country yet: 5 row(s) loaded "
        "without a country show only under 'All countries' (to place them in a country, choose the country "
        "(--country, or the Upload page's Country field))",
    ]
    assert con.execute("SELECT count(*), sum(required) FROM budget").fetchone() == (5, 21_716_630.00)
    assert indirect(con) == [SUPPORT, FEE]  # the lines are OHCHR's and UNDCO's: the costs are the fund's
    summary = budget.plan_summary(con, Filters())
    assert summary.to_dict("records") == [
        {
            "country": None,
            "plan": PLAN,
            "programme": 21_716_630.00,
            "support_costs": 1_520_164.10,
            "fees": 232_367.94,
            "total": pytest.approx(23_469_162.04, abs=0.005),
            "currency": "USD",
        }
    ]


def test_a_support_cost_that_does_not_add_up_is_loaded_and_warned_with_its_cell(con):
    result = load_bytes(con, seed_workbook(change={"Programme support cost (7%)": 1_500_000.00}), "hrm.xlsx")
    assert result.status == "committed"
    checks = [str(w) for w in result.warnings if "differs by" in w.expected]
    assert checks == [
        "hrm.xlsx Table B!G10 column required: 1500000: 7 % of the direct costs above it (21,716,630.00) is "
        "1,520,164.10: this programme support cost differs by -20,164.10 (kept as written)",
        "hrm.xlsx Table B!G11 column required: 232367.94: 1 % of the contributions (programme 21,716,630.00 + support "
        "costs 1,500,000.00) is 232,166.30: this administrative agent fee differs by +201.64 (kept as written)",
        "hrm.xlsx Table B!G12: 23469162.04: programme 21,716,630.00 + support costs 1,500,000.00 + fees 232,367.94 "
        "= 23,448,997.94: this total differs by +20,164.10 (totals are computed, never loaded)",
    ]
    assert indirect(con)[0][6] == 1_500_000.00  # kept as written


@pytest.mark.parametrize(
    "change, warned",
    [
        ({"Administrative Agent's fee (1% of contributions received)": 232_367.95}, []),
        ({"GRAND TOTAL": 23_469_162.05}, []),
        ({"GRAND TOTAL": 23_469_162.03}, []),
        ({"GRAND TOTAL": 23_469_162.06}, ["G12"]),
        ({"GRAND TOTAL": 23_469_172.04}, ["G12"]),
        ({"Administrative Agent's fee (1% of contributions received)": 232_368.00}, ["G11", "G12"]),
    ],
)
def test_a_figure_a_cent_off_is_rounding_more_is_warned(con, change, warned):
    result = load_bytes(con, seed_workbook(change=change), "hrm.xlsx")
    assert result.status == "committed"
    assert [w.cell for w in result.warnings if "differs by" in w.expected] == warned


@pytest.mark.parametrize(
    "label, expected",
    [
        ("Programme support cost (7%)", ("support", 0.07)),
        ("Program Support Costs 7 %", ("support", 0.07)),
        ("PSC (7%)", ("support", 0.07)),
        ("Indirect support costs (7.5%)", ("support", 0.075)),
        ("Indirect costs", ("support", None)),
        ("GMS (8%)", ("support", 0.08)),
        ("General Management Support", ("support", None)),
        ("ISC 7%", ("support", 0.07)),
        ("Coûts d’appui au programme (7 %)", ("support", 0.07)),
        ("Frais indirects (7%)", ("support", 0.07)),
        ("Coûts indirects", ("support", None)),
        ("Costos de apoyo a los programas (7%)", ("support", 0.07)),
        ("Gastos de apoyo al programa", ("support", None)),
        ("Costos indirectos 7%", ("support", 0.07)),
        ("Administrative Agent's fee (1% of contributions received)", ("fee", 0.01)),
        ("Administrative agent fee", ("fee", None)),
        ("AA fee (1%)", ("fee", 0.01)),
        ("MPTF Office fee 1%", ("fee", 0.01)),
        ("Frais de l'agent administratif (1 %)", ("fee", 0.01)),
        ("Frais d’agent administratif", ("fee", None)),
        ("Honorarios del agente administrativo (1%)", ("fee", 0.01)),
        ("Comisión del agente administrativo", ("fee", None)),
        ("b) Programme support cost", ("support", None)),
        ("Priority Focus 1: Promoting a coordinated approach", None),
        ("Total", None),
        ("GRAND TOTAL", None),
        ("Support to programme design", None),
        ("Psychosocial care", None),
        ("Agency fees for services", None),
        ("Indirectly, costs fall", None),
        (7, None),
        (None, None),
    ],
)
def test_indirect_cost_labels_in_english_french_and_spanish(label, expected):
    assert indirect_cost_label(label) == expected


def test_a_programme_line_with_codes_stays_a_programme_line_whatever_its_title(con):
    rows = [HEADER, [PLAN, 2011, "1", "Programme support costs of the secretariat", "1.1.1", "UNDP", 1000]]
    result = load_bytes(con, workbook_bytes({"B": rows}), "b.xlsx", country="Liberia")
    assert result.status == "committed" and not result.warnings
    assert con.execute("SELECT required FROM budget").fetchall() == [(1000.0,)]
    assert indirect(con) == []


def test_an_indirect_cost_row_with_no_amount_or_two_is_refused_naming_the_row(con):
    rows = [
        HEADER,
        [PLAN, 2011, "1", "Priority Focus 1", "1.1.1", "UNDP", 1000],
        [None, None, None, "Programme support cost (7%)", None, None, None],
        [None, None, None, "Administrative agent fee (1%)", None, None, None, 11, "USD 5"],
    ]
    result = load_bytes(con, workbook_bytes({"B": rows}), "b.xlsx")
    assert [str(e) for e in result.errors] == [
        "b.xlsx B!D3 column required: 'Programme support cost (7%)': an amount for this programme support cost: in "
        "the required column, or alone on its row",
        "b.xlsx B!I4 column required: 'USD 5': one amount for an indirect cost: in the required column, or alone on "
        "its row",
    ]


def test_per_agency_support_costs_below_each_agencys_block(con):
    """A CBF listing each agency's lines and, below them, its support cost: each is checked on its own block
    and takes its block's agency and year."""
    rows = [
        HEADER,
        [PLAN, 2025, "1", "Health", "1.1", "UNICEF", 1000],
        [PLAN, 2025, "1", "Health", "1.2", "UNICEF", 3000],
        [None, None, None, "Indirect support costs (8%)", None, None, 320],
        [PLAN, 2025, "2", "Jobs", "2.1", "UNDP", 2000],
        [None, None, None, "GMS 7%", None, None, 150],
    ]
    result = load_bytes(con, workbook_bytes({"B": rows}), "cbf.xlsx")
    assert result.status == "committed", [str(e) for e in result.errors]
    assert [str(w) for w in result.warnings if "differs" in w.expected] == [
        "cbf.xlsx B!G6 column required: 150: 7 % of the direct costs above it (2,000.00) is 140.00: this programme "
        "support cost differs by +10.00 (kept as written)"
    ]
    assert con.execute("SELECT agency, year, label, required FROM indirect_costs ORDER BY agency").fetchall() == [
        ("UNDP", 2025, "GMS 7%", 150.0),
        ("UNICEF", 2025, "Indirect support costs (8%)", 320.0),
    ]
    by_agency = budget.plan_summary(con, Filters(agency="UNICEF"))
    assert by_agency[["programme", "support_costs", "fees", "total"]].to_dict("records") == [
        {"programme": 4000.0, "support_costs": 320.0, "fees": 0.0, "total": 4320.0}
    ]
    assert budget.plan_summary(con, Filters(outcome=outcome_key(PLAN, "1", "Health"))).empty


def test_a_revised_budget_replaces_the_indirect_costs_and_rollback_gives_them_back(con):
    first = load_bytes(con, seed_workbook(), "v1.xlsx")
    revised = load_bytes(con, seed_workbook(change={"Programme support cost (7%)": 1_600_000.0}), "v2.xlsx")
    assert first.status == revised.status == "committed"
    assert indirect(con)[0][6] == 1_600_000.0 and len(indirect(con)) == 2
    assert (
        con.execute(
            "SELECT count(*) FROM indirect_cost_rows WHERE NOT current AND replaced_by = ?", [revised.submission_id]
        ).fetchone()[0]
        == 2
    )
    store.writes.rollback(con, revised.submission_id)
    assert indirect(con) == [SUPPORT, FEE]
    store.writes.rollback(con, first.submission_id)
    assert indirect(con) == [] and con.execute("SELECT count(*) FROM budget").fetchone()[0] == 0
    assert load_bytes(con, seed_workbook(), "v1-again.xlsx").status == "committed"
    assert indirect(con) == [SUPPORT, FEE]


# ---------------------------------------------------------------- the pages


@pytest.fixture
def fund_and_exports_db(tmp_path, monkeypatch):
    """The seed plan's budget and one real UN INFO export (six of its sub-outputs have no figure)."""
    path = tmp_path / "pages.duckdb"
    con = store.connection.connect(path)
    assert load_bytes(con, seed_workbook(), "hrm-table-b.xlsx").status == "committed"
    uninfo = Path(__file__).resolve().parents[2] / "shared" / "data" / "uninfo" / "Africa_poverty.xlsx"
    assert load_path(con, uninfo).status == "committed"
    con.execute("CHECKPOINT")
    con.close()
    monkeypatch.setenv("UNCT_DB", str(path))
    return path


def captions(app) -> list[str]:
    return [c.value for c in app.caption]


FUND_LINE = (
    "UNDG-HRM Operational Plan 2011-2013: programme USD 21,716,630.00 + support costs USD 1,520,164.10 + "
    "fees USD 232,367.94 = total USD 23,469,162.04"
)


def test_the_pages_say_what_the_plan_holds_beyond_its_amounts(fund_and_exports_db):
    from app.testing import open_page
    from app.text import md_escape

    fund_line = md_escape(FUND_LINE)  # a plan's name is stored text: shown literally
    con = store.connection.connect(fund_and_exports_db)
    counts = budget.suboutput_totals(con, Filters())
    con.close()
    assert (counts["suboutputs"], counts["suboutputs_without_figures"]) == (66, 6)
    note = (
        f"6 of 66 sub-outputs have no budget figures yet. They are part of the plan, counted among the "
        f"{counts['outputs']} outputs and 66 sub-outputs in view whatever the year range (they have no year), "
        "but add nothing to the amounts."
    )
    everything = {"all_plans": "true"}  # every plan and year, not the current plan of each country
    gaps = open_page("funding_gaps", everything)
    assert not gaps.exception and note in captions(gaps) and fund_line in captions(gaps)
    delivery = open_page("delivery", everything)
    assert note in captions(delivery) and fund_line not in captions(delivery)
    overview = open_page("overview", everything)  # two plans in view: the fund's line waits for one plan
    assert note in captions(overview) and fund_line not in captions(overview)
    overview = open_page("overview", {"plan": PLAN})
    assert fund_line in captions(overview)
    assert not any("have no budget figures" in c for c in captions(overview))  # the fund has no sub-outputs


def test_an_outcome_whose_suboutputs_have_no_figures_can_be_chosen_and_says_so(fund_and_exports_db):
    """Its sub-output has no money at all: the outcome is still in the filter, and a budget page narrowed to it
    says what is there instead of 'nothing matches'."""
    from app.testing import open_page

    con = store.connection.connect(fund_and_exports_db)
    title = (
        "Outcome 4.2: By 2025, natural resources are managed and utilized sustainably for improved "
        "livelihoods, health and well-being of vulnerable communities"
    )
    key = outcome_key("UNSDCF - SOUTH AFRICA 2020-2025", "9", title)
    label = next(o["label"] for o in activity.filter_options(con)["outcomes"] if o["key"] == key)
    assert budget.totals(con, Filters(outcome=key))["lines"] == 0
    con.close()
    gaps = open_page("funding_gaps", {"outcome": label})
    assert not gaps.exception
    assert [i.value for i in gaps.info] == [
        "1 of 1 sub-output has no budget figures yet. It is part of the plan, counted among the 1 output and "
        "1 sub-output in view whatever the year range (it has no year), but adds nothing to the amounts."
    ]


def test_a_focal_point_loads_indirect_costs_of_their_own_agencies_only(con):
    """An indirect cost is a row like any other (SPEC §10): one below OHCHR's lines is OHCHR's; one below
    several agencies' lines has no agency, and a focal point may not load it."""
    own = [
        HEADER,
        [PLAN, 2011, "1", "Priority Focus 1", "1.1.1", "OHCHR", 1000],
        [None, None, None, "Programme support cost (7%)", None, None, 70],
    ]
    result = load_bytes(con, workbook_bytes({"B": own}), "ohchr.xlsx", allowed_agencies={"OHCHR"})
    assert result.status == "committed"
    assert con.execute("SELECT agency, required FROM indirect_costs").fetchall() == [("OHCHR", 70.0)]
    result = load_bytes(con, seed_workbook(), "fund.xlsx", allowed_agencies={"OHCHR", "UNDCO"})
    assert [(e.cell, e.value) for e in result.errors] == [("row 10", "no agency"), ("row 11", "no agency")]


def test_an_indirect_cost_without_programme_lines_or_plan_is_refused(con):
    """An indirect cost belongs to a plan: stated on its row, chosen for the file, or that of the lines above it."""
    alone = [
        HEADER,
        [None, None, None, "Programme support cost (7%)", None, None, 70],
        [PLAN, 2011, "1", "Priority Focus 1", "1.1.1", "UNDP", 1000],
    ]
    result = load_bytes(con, workbook_bytes({"B": alone}), "b.xlsx")
    assert [str(e) for e in result.errors] == [
        "b.xlsx B!D2 column plan: 'Programme support cost (7%)': the plan this indirect cost belongs to: there are "
        "no programme lines above it"
    ]
    two_plans = [
        HEADER,
        [PLAN, 2011, "1", "Priority Focus 1", "1.1.1", "UNDP", 1000],
        ["Another plan", 2011, "1", "Priority Focus 1", "1.1.1", "UNDP", 1000],
        [None, None, None, "PSC (7%)", None, None, 140],
    ]
    result = load_bytes(con, workbook_bytes({"B": two_plans}), "c.xlsx")
    assert [e.expected for e in result.errors] == [
        "the plan this indirect cost belongs to: the programme lines above it name several"
    ]
    result = load_bytes(con, workbook_bytes({"B": two_plans}), "c.xlsx", plan="Another plan")
    assert result.status == "committed"  # the plan chosen for the file
    assert con.execute("SELECT plan, required FROM indirect_costs").fetchall() == [("Another plan", 140.0)]
