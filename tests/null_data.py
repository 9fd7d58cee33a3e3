"""Datasets whose optional text is missing everywhere it may be, for the NULL-safety tests.

Real exports have lines without an outcome code or title, agencies left blank, plans whose name two
countries share. `datasets()` is a hypothesis strategy over such datasets (budget lines as a CBF and
as UN INFO sub-outputs with joint agencies, indicator values, actions, submissions): every column the
store lets be NULL is NULL, empty or blank in some rows, codes come without titles and titles
without codes. `NULL_HEAVY` is one fixed dataset with each of those cases, for the browser test.
`write_db(path, dataset)` writes a dataset into a fresh store the way tests/fixtures.py does (into
the tables behind the views, so every page reads it through the real views).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import strategies as st

import store.connection
import store.summaries
from tests.fixtures import ACTION_COLUMNS, BUDGET_COLUMNS, INDICATOR_COLUMNS, SUBMISSION_COLUMNS, _insert

#: what a real export holds where a text is missing: nothing, an empty cell, a blank one
MISSING = (None, "", "   ")
COUNTRIES = ("Angola", "Kenya")
#: the plan name of many UN INFO exports, shared by several countries
SHARED_PLAN = "United Nations Sustainable Development Cooperation Framework"
PLANS = (SHARED_PLAN, "UNSDCF Angola 2023-2027", "")
AGENCIES = ("UNDP", "UNICEF", "UN Women", "UNDP;UNICEF", "FAO; WHO", "UNOCT")
ACTION_STATUSES = ("completed", "ongoing", "not_started", "continuous", "no_longer_applicable", "deprioritized")
TODAY = dt.date.today()


def optional(*values: str) -> st.SearchStrategy:
    """A text column the store lets be NULL: one of `values`, or missing."""
    return st.sampled_from(MISSING + values)


def money() -> st.SearchStrategy:
    return st.one_of(st.none(), st.just(0.0), st.integers(1, 5_000_000).map(float))


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


budget_rows = st.fixed_dictionaries(
    {
        "country": optional(*COUNTRIES),
        "plan": st.sampled_from(PLANS),
        "strategic_priority_code": optional("1"),
        "strategic_priority": optional("People"),
        "outcome_code": optional("1", "1.1", "2"),
        "outcome_title": optional("Health for all", "Outcome 1.1 - By 2027, people are healthier"),
        "output_code": optional("1.1", "1.1.1"),
        "output_title": optional("Clinics equipped"),
        "suboutput_code": optional("1"),
        "suboutput_title": optional("Community nutrition"),
        "suboutput_id": optional("SO-1", "SO-2"),
        "suboutput_status": optional("implementation", "closed"),
        "start_date": st.none(),
        "end_date": st.none(),
        "contributing_partners": optional("European Union"),
        "sdg_goals": optional("5 Gender Equality; 3 Good Health", ";"),
        "agency": optional(*AGENCIES),
        "joint": st.booleans(),
        "funding_source": optional("Core", "Non-core"),
        "year": st.integers(2023, 2025),
        "required": money(),
        "available": money(),
        "expenditure": money(),
        "currency": st.sampled_from(("USD", "EUR")),
        "submission_id": st.just(1),
    }
)

indicator_rows = st.fixed_dictionaries(
    {
        "country": optional(*COUNTRIES),
        "plan": st.sampled_from(PLANS),
        "indicator_code": st.sampled_from(("1.1.a", "2.b", "", "  ")),
        "indicator": optional("Births attended"),
        "result_code": optional("1", "1.1"),
        "unit": optional("%"),
        "baseline": st.one_of(st.none(), st.sampled_from((0.0, 10.0))),
        "baseline_year": st.one_of(st.none(), st.just(2021)),
        "target": st.one_of(st.none(), st.sampled_from((10.0, 20.0))),
        "target_year": st.one_of(st.none(), st.just(2026)),
        "period": st.sampled_from(("2024", "2025-Q1")),
        "period_end": st.one_of(st.none(), st.just(dt.date(2024, 12, 31))),
        "actual": st.one_of(st.none(), st.sampled_from((5.0, 25.0))),
        "agency": optional(*AGENCIES),
        "means_of_verification": optional("Survey"),
        "submission_id": st.just(1),
    }
)

action_rows = st.fixed_dictionaries(
    {
        "source_type": st.sampled_from(("evaluation", "workplan", "")),
        "source_title": st.sampled_from(("Evaluation of gender programmes", "", " ")),
        "recommendation_no": optional("1", "R2"),
        "recommendation": optional("Strengthen partnerships"),
        "management_response": optional("accepted"),
        "action_no": st.sampled_from(("1.1", "")),
        "action": optional("Map partners"),
        "responsible": optional("RCO"),
        "agency": optional(*AGENCIES),
        "deadline": st.one_of(st.none(), st.sampled_from((_days(-400), _days(-30), _days(60)))),
        "status": st.sampled_from(ACTION_STATUSES),
        "comments": optional("On hold"),
        "as_of": st.one_of(st.none(), st.just(_days(-5))),
        "overdue": st.just(False),
        "country": optional(*COUNTRIES),
        "plan": optional(*PLANS),
        "submission_id": st.just(1),
    }
)

submission_rows = st.fixed_dictionaries(
    {
        "kind": optional("budget", "indicators", "actions"),
        "file_name": st.sampled_from(("cbf.xlsx", "")),
        "sha256": st.just("0" * 64),
        "user_name": optional("amina"),
        "agency": optional(*AGENCIES),
        "plan": optional(*PLANS),
        "created_at": st.just(dt.datetime(2025, 1, 15, 9, 30)),
        "rows_added": st.just(1),
        "rows_replaced": st.just(0),
        "rows_rejected": st.just(0),
        "status": st.sampled_from(("committed", "rolled_back", "rejected")),
    }
)


@st.composite
def datasets(draw) -> dict[str, list[dict]]:
    """Budget, indicators, actions and submissions with missing text in every optional column (a lone row,
    or none, is as likely as several); the first submission is committed and brought every row."""
    submissions = draw(st.lists(submission_rows, min_size=1, max_size=3))
    submissions[0]["status"] = "committed"
    return {
        "budget": draw(st.lists(budget_rows, max_size=8)),
        "indicators": draw(st.lists(indicator_rows, max_size=4)),
        "actions": draw(st.lists(action_rows, max_size=4)),
        "submissions": [dict(s, submission_id=i) for i, s in enumerate(submissions, start=1)],
    }


def _budget_line(**values) -> dict:
    row = dict.fromkeys(BUDGET_COLUMNS)
    row.update(
        joint=False,
        year=2024,
        required=100_000.0,
        available=50_000.0,
        expenditure=20_000.0,
        currency="USD",
        submission_id=1,
    )
    row.update(values)
    return row


#: each case once, for the browser test: an outcome without a code and one without a title, lines without
#: outcome or agency, a plan name two countries share, a joint sub-output without a listed agency, blanks
NULL_HEAVY = {
    "budget": [
        _budget_line(
            country="Angola",
            plan=SHARED_PLAN,
            outcome_code="1",
            outcome_title=None,
            output_code="1.1",
            agency="UNDP",
            funding_source="Core",
        ),
        _budget_line(
            country="Kenya",
            plan=SHARED_PLAN,
            outcome_code=None,
            outcome_title="Health for all",
            output_title="Clinics equipped",
            agency="UNICEF",
            available=None,
            expenditure=None,
        ),
        _budget_line(
            country="Kenya",
            plan=SHARED_PLAN,
            outcome_code="",
            outcome_title="",
            output_code=None,
            agency=None,
            funding_source="",
            year=2025,
            required=0.0,
            available=0.0,
            expenditure=0.0,
        ),
        _budget_line(
            country=None,
            plan="UNSDCF Angola 2023-2027",
            outcome_code=None,
            outcome_title=None,
            agency="FAO; WHO",
            joint=True,
            suboutput_id="SO-1",
            suboutput_title=None,
            sdg_goals=";",
            year=2023,
            required=None,
            available=200_000.0,
        ),
        _budget_line(
            country="  ",
            plan="UNSDCF Angola 2023-2027",
            outcome_code="2",
            outcome_title="  ",
            agency="",
            joint=True,
            year=2025,
            expenditure=None,
        ),
    ],
    "indicators": [
        dict(
            dict.fromkeys(INDICATOR_COLUMNS),
            country=None,
            plan=SHARED_PLAN,
            indicator_code="",
            period="2024",
            submission_id=1,
        ),
        dict(
            dict.fromkeys(INDICATOR_COLUMNS),
            country="Kenya",
            plan=SHARED_PLAN,
            indicator_code="1.1.a",
            result_code="1",
            baseline=10.0,
            target=20.0,
            actual=15.0,
            period="2024",
            period_end=dt.date(2024, 12, 31),
            agency="",
            submission_id=1,
        ),
    ],
    "actions": [
        dict(
            dict.fromkeys(ACTION_COLUMNS),
            source_type="evaluation",
            source_title="",
            action_no="",
            status="ongoing",
            deadline=_days(-30),
            plan=None,
            submission_id=1,
        ),
        dict(
            dict.fromkeys(ACTION_COLUMNS),
            source_type="workplan",
            source_title="Work plan",
            action_no="1",
            recommendation_no="",
            recommendation=None,
            agency="  ",
            status="completed",
            plan=SHARED_PLAN,
            submission_id=1,
        ),
    ],
    "submissions": [
        dict(
            dict.fromkeys(SUBMISSION_COLUMNS),
            submission_id=1,
            kind=None,
            file_name="",
            sha256="0" * 64,
            created_at=dt.datetime(2025, 1, 15, 9, 30),
            rows_added=9,
            rows_replaced=0,
            rows_rejected=0,
            status="committed",
        )
    ],
}


def write_db(path: str | Path, dataset: dict[str, list[dict]]) -> Path:
    """A fresh store at `path` holding `dataset` as current rows (plans recorded as a load records them)."""
    path = Path(path)
    con = store.connection.connect(path)
    try:
        for table, columns, kind in (
            ("budget_lines", BUDGET_COLUMNS, "budget"),
            ("indicator_rows", INDICATOR_COLUMNS, "indicators"),
            ("action_rows", [c for c in ACTION_COLUMNS if c != "overdue"], "actions"),
            ("submission_log", SUBMISSION_COLUMNS, "submissions"),
        ):
            if dataset[kind]:
                _insert(con, table, columns, dataset[kind])
        for plan in {(r["country"] or "", r["plan"]) for r in dataset["budget"]}:
            con.execute("INSERT INTO plans (country, plan) VALUES (?, ?) ON CONFLICT DO NOTHING", plan)
        con.execute("INSERT INTO users (user_name, role, agencies) VALUES ('root', 'admin', [])")
        store.summaries.refresh(con)  # what the store keeps computed (the rows bypassed the loads)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path
