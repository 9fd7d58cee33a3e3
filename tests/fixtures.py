"""A small, hand-made dataset behind the query surface (SPEC §9), for tests and the page benchmark.

`build_seeded_db(path)` creates a database with the real store (`store.connection.connect`) and writes the
rows into the tables behind the views (budget_lines, indicator_rows, action_rows, submission_log), so
everything is read through the real views. It can be swapped for the real loader later: the tests
compute their expected figures from the Python rows below, not from SQL.

What the rows exercise:
- 2 countries, 2 plans; outcome code "1" appears in both plans and twice in the Angola plan (under two
  strategic priorities, with different titles), output code "1.1" appears under three outcomes;
- 5 agencies plus a joint sub-output ('UNDP;UNICEF') over two years;
- NULL available / expenditure (not reported), over-funded lines, zero required, zero available;
- stored text that looks like a formula ('=…', '@…', '-…') or HTML ('<b>'), to check exports and charts;
- indicators achieved / on track / off track / no data, one decreasing target, one target = baseline;
- actions in every status, some overdue (deadline before today, status ongoing or not_started).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

TODAY = dt.date.today()

ANGOLA = "Angola"
VIET_NAM = "Viet Nam"
PLAN_A = "UNSDCF Angola 2023-2027"
PLAN_B = "UNSDCF Viet Nam 2022-2026"

ENTITIES = [
    ("UNDP", "United Nations Development Programme"),
    ("UNICEF", "United Nations Children's Fund"),
    ("WHO", "World Health Organization"),
    ("FAO", "Food and Agriculture Organization of the United Nations"),
    ("UNFPA", "United Nations Population Fund"),
    ("UN Women", "United Nations Entity for Gender Equality and the Empowerment of Women"),
]

# --- budget -------------------------------------------------------------------------------------
_HIERARCHY = {
    # key: (country, plan, sp_code, sp, outcome_code, outcome_title, output_code, output_title)
    "A-health": (
        ANGOLA,
        PLAN_A,
        "1",
        "People",
        "1",
        "By 2027, more children and women use quality health and nutrition services",
        "1.1",
        "Primary health care strengthened in the five poorest provinces",
    ),
    "A-nutrition": (
        ANGOLA,
        PLAN_A,
        "1",
        "People",
        "1",
        "By 2027, more children and women use quality health and nutrition services",
        "1.2",
        "Nutrition services scaled up",
    ),
    "A-governance": (
        ANGOLA,
        PLAN_A,
        "2",
        "Governance",
        "1",
        "By 2027, public institutions are more accountable and transparent",
        "1.1",
        "Justice sector capacity improved",
    ),
    "B-jobs": (
        VIET_NAM,
        PLAN_B,
        "1",
        "Prosperity",
        "1",
        "By 2026, people benefit from inclusive growth and <b>decent</b> work",
        "1.1",
        "Decent jobs for youth",
    ),
    "B-women": (
        VIET_NAM,
        PLAN_B,
        "1",
        "Prosperity",
        "1",
        "By 2026, people benefit from inclusive growth and <b>decent</b> work",
        "1.2",
        "@Women-owned enterprises supported",
    ),
    "B-climate": (
        VIET_NAM,
        PLAN_B,
        "2",
        "Planet",
        "2",
        "By 2026, communities are more resilient to climate change and disasters",
        "2.1",
        "Disaster risk reduction plans adopted",
    ),
}

#: (hierarchy key, agency, joint, suboutput_id, suboutput_title, funding source, year, required, available,
#:  expenditure, submission_id)
_BUDGET = [
    ("A-health", "UNICEF", False, None, None, "Core", 2023, 500_000, 400_000, 350_000, 1),
    ("A-health", "UNICEF", False, None, None, "Core", 2024, 600_000, 450_000, 300_000, 1),
    ("A-health", "WHO", False, None, None, "Non-core", 2024, 300_000, 300_000, None, 2),
    ("A-health", "WHO", False, None, None, "Non-core", 2025, 250_000, None, None, 2),
    (
        "A-nutrition",
        "UNDP;UNICEF",
        True,
        "SO-101",
        "=Community nutrition (joint programme)",
        None,
        2024,
        400_000,
        500_000,
        420_000,
        5,
    ),
    (
        "A-nutrition",
        "UNDP;UNICEF",
        True,
        "SO-101",
        "=Community nutrition (joint programme)",
        None,
        2025,
        450_000,
        200_000,
        50_000,
        5,
    ),
    ("A-nutrition", "FAO", False, None, None, "Core", 2025, 150_000, 150_000, 90_000, 3),
    ("A-governance", "UNDP", False, None, None, "Core", 2023, 800_000, 600_000, 550_000, 4),
    ("A-governance", "UNDP", False, None, None, "Non-core", 2024, 900_000, 700_000, 400_000, 4),
    ("A-governance", "UNFPA", False, None, None, None, 2024, 100_000, 0, 0, 6),
    ("B-jobs", "UNDP", False, None, None, "Core", 2023, 350_000, 350_000, 300_000, 7),
    ("B-jobs", "UNDP", False, None, None, "Core", 2025, 400_000, 100_000, None, 7),
    ("B-jobs", "UNFPA", False, None, None, "Non-core", 2024, 200_000, None, None, 8),
    ("B-women", "FAO", False, None, None, "-Trust fund", 2024, 120_000, 150_000, 160_000, 9),
    ("B-climate", "UNDP", False, None, None, "Non-core", 2024, 500_000, 250_000, 200_000, 7),
    ("B-climate", "WHO", False, None, None, "Core", 2025, 0, 0, 0, 9),
]

BUDGET_COLUMNS = [
    "country",
    "plan",
    "strategic_priority_code",
    "strategic_priority",
    "outcome_code",
    "outcome_title",
    "output_code",
    "output_title",
    "suboutput_code",
    "suboutput_title",
    "suboutput_id",
    "suboutput_status",
    "start_date",
    "end_date",
    "contributing_partners",
    "sdg_goals",
    "agency",
    "joint",
    "funding_source",
    "year",
    "required",
    "available",
    "expenditure",
    "currency",
    "submission_id",
]


def _budget_rows() -> list[dict]:
    rows = []
    for key, agency, joint, so_id, so_title, source, year, req, avail, exp, sub in _BUDGET:
        country, plan, sp_code, sp, oc, ot, pc, pt = _HIERARCHY[key]
        rows.append(
            {
                "country": country,
                "plan": plan,
                "strategic_priority_code": sp_code,
                "strategic_priority": sp,
                "outcome_code": oc,
                "outcome_title": ot,
                "output_code": pc,
                "output_title": pt,
                "suboutput_code": "1" if so_id else None,
                "suboutput_title": so_title,
                "suboutput_id": so_id,
                "suboutput_status": "implementation" if so_id else None,
                "start_date": dt.date(2024, 1, 1) if so_id else None,
                "end_date": dt.date(2025, 12, 31) if so_id else None,
                "contributing_partners": "EU" if so_id else None,
                "sdg_goals": "2 Zero Hunger" if so_id else None,
                "agency": agency,
                "joint": joint,
                "funding_source": source,
                "year": year,
                "required": float(req),
                "available": None if avail is None else float(avail),
                "expenditure": None if exp is None else float(exp),
                "currency": "USD",
                "submission_id": sub,
            }
        )
    return rows


BUDGET_ROWS = _budget_rows()

# --- indicators ---------------------------------------------------------------------------------
INDICATOR_COLUMNS = [
    "country",
    "plan",
    "indicator_code",
    "indicator",
    "result_code",
    "unit",
    "baseline",
    "baseline_year",
    "target",
    "target_year",
    "period",
    "period_end",
    "actual",
    "agency",
    "means_of_verification",
    "submission_id",
]

#: (country, plan, code, wording, result_code, unit, baseline, baseline_year, target, target_year, agency)
_INDICATORS = {
    "A-births": (
        ANGOLA,
        PLAN_A,
        "1.1.a",
        "Share of births attended by skilled personnel",
        "1.1",
        "%",
        60.0,
        2022,
        80.0,
        2027,
        "UNICEF",
    ),
    "A-u5mr": (
        ANGOLA,
        PLAN_A,
        "1.1.b",
        "Under-five mortality per 1,000 live births",
        "1",
        "per 1,000",
        50.0,
        2022,
        30.0,
        2027,
        "WHO",
    ),
    "A-districts": (
        ANGOLA,
        PLAN_A,
        "1.2.a",
        "Districts with nutrition surveillance",
        "1.2",
        "number",
        2.0,
        2022,
        10.0,
        2025,
        "UNICEF",
    ),
    "A-cpi": (
        ANGOLA,
        PLAN_A,
        "2.1.a",
        "=Corruption perception index score",
        "1.1",
        "index",
        30.0,
        2022,
        40.0,
        2027,
        "UNDP",
    ),
    "B-youth": (VIET_NAM, PLAN_B, "1.1.a", "Youth unemployment rate", "1.1", "%", 20.0, 2021, 15.0, 2026, "UNDP"),
    "B-drr": (
        VIET_NAM,
        PLAN_B,
        "2.1.a",
        "Provinces with disaster risk reduction plans",
        "2.1",
        "number",
        0.0,
        2021,
        10.0,
        2026,
        "UNDP",
    ),
    "B-fund": (
        VIET_NAM,
        PLAN_B,
        "2.1.b",
        "National disaster fund maintained (1 = yes)",
        "2",
        "yes/no",
        1.0,
        2021,
        1.0,
        2026,
        "UNDP",
    ),
}

#: (indicator key, period, actual, submission_id)
_INDICATOR_VALUES = [
    ("A-births", "2023", 64.0, 10),
    ("A-births", "2024", 70.0, 10),
    ("A-u5mr", "2024", 47.0, 10),
    ("A-districts", "2024-H1", 7.0, 10),
    ("A-districts", "2025", 11.0, 10),
    ("A-cpi", "2023", None, 10),
    ("A-cpi", "2024", None, 10),
    ("B-youth", "2023-Q3", 19.0, 11),
    ("B-youth", "2024", 18.5, 11),
    ("B-drr", "2025", 9.0, 11),
    ("B-fund", "2024", 1.0, 11),
]


def period_end(period: str) -> dt.date:
    """Last day of a reporting period: '2024' → 2024-12-31, '2024-Q3' → 2024-09-30, '2024-H1' → 2024-06-30."""
    year = int(period[:4])
    if len(period) == 4:
        return dt.date(year, 12, 31)
    part = period[5:]
    month = {"Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12, "H1": 6, "H2": 12}[part]
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    return next_month - dt.timedelta(days=1)


def _indicator_rows() -> list[dict]:
    rows = []
    for key, period, actual, sub in _INDICATOR_VALUES:
        country, plan, code, wording, result, unit, base, base_y, target, target_y, agency = _INDICATORS[key]
        rows.append(
            {
                "country": country,
                "plan": plan,
                "indicator_code": code,
                "indicator": wording,
                "result_code": result,
                "unit": unit,
                "baseline": base,
                "baseline_year": base_y,
                "target": target,
                "target_year": target_y,
                "period": period,
                "period_end": period_end(period),
                "actual": actual,
                "agency": agency,
                "means_of_verification": "Survey " + period,
                "submission_id": sub,
            }
        )
    return rows


INDICATOR_ROWS = _indicator_rows()

# --- actions ------------------------------------------------------------------------------------
ACTION_COLUMNS = [
    "source_type",
    "source_title",
    "recommendation_no",
    "recommendation",
    "management_response",
    "action_no",
    "action",
    "responsible",
    "agency",
    "deadline",
    "status",
    "comments",
    "as_of",
    "overdue",
    "country",
    "plan",
    "submission_id",
]

EVALUATION = "Evaluation of UN Women strategic partnerships on gender equality"
WORKPLAN = "Results Group 1 work plan 2024-2025"
OPEN_STATUSES = ("ongoing", "not_started")


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


#: (source_type, source_title, rec no, recommendation, response, action no, action, responsible, agency,
#:  deadline, status, comments, plan)
_ACTIONS = [
    (
        "evaluation",
        EVALUATION,
        "1",
        "Strengthen partnerships with civil society",
        "accepted",
        "1.1",
        "Develop a partnership strategy",
        "Strategic Partnerships Division",
        "UN Women",
        _days(-400),
        "completed",
        "Strategy approved",
        PLAN_A,
    ),
    (
        "evaluation",
        EVALUATION,
        "1",
        "Strengthen partnerships with civil society",
        "accepted",
        "1.2",
        "Map civil society partners",
        "Country offices",
        "UN Women",
        _days(-30),
        "ongoing",
        '=HYPERLINK("http://example.org")',
        PLAN_A,
    ),
    (
        "evaluation",
        EVALUATION,
        "1",
        "Strengthen partnerships with civil society",
        "accepted",
        "1.3",
        "Train staff on partnership agreements",
        "HR",
        "UN Women",
        _days(-200),
        "not_started",
        None,
        PLAN_A,
    ),
    (
        "evaluation",
        EVALUATION,
        "2",
        "Improve results reporting",
        "partially_accepted",
        "2.1",
        "Align indicators with the Cooperation Framework",
        "M&E unit",
        "UNDP",
        _days(90),
        "ongoing",
        None,
        PLAN_A,
    ),
    (
        "evaluation",
        EVALUATION,
        "2",
        "Improve results reporting",
        "partially_accepted",
        "2.2",
        "Publish annual results report",
        "M&E unit",
        "UNDP",
        _days(-800),
        "completed",
        None,
        PLAN_A,
    ),
    (
        "evaluation",
        EVALUATION,
        "3",
        "Close the legacy programme",
        "rejected",
        "3.1",
        "Close legacy programme accounts",
        "Finance",
        "UNDP",
        _days(-100),
        "no_longer_applicable",
        None,
        PLAN_A,
    ),
    (
        "workplan",
        WORKPLAN,
        "1",
        "Joint programming",
        None,
        "1.1",
        "Joint work plan for youth employment",
        "UNDP, UNICEF",
        "UNICEF",
        None,
        "continuous",
        None,
        PLAN_B,
    ),
    (
        "workplan",
        WORKPLAN,
        "1",
        "Joint programming",
        None,
        "1.2",
        "Common country analysis update",
        "RCO",
        "UNICEF",
        _days(-10),
        "not_started",
        None,
        PLAN_B,
    ),
    (
        "workplan",
        WORKPLAN,
        "2",
        "Data and statistics",
        None,
        "2.1",
        "-Support the census",
        "UNFPA",
        "UNFPA",
        _days(-45),
        "deprioritized",
        None,
        PLAN_B,
    ),
    (
        "workplan",
        WORKPLAN,
        "2",
        "Data and statistics",
        None,
        "2.2",
        "SDG data portal launched",
        "UNFPA",
        "UNFPA",
        _days(-60),
        "completed",
        None,
        PLAN_B,
    ),
    (
        "workplan",
        WORKPLAN,
        "2",
        "Data and statistics",
        None,
        "2.3",
        "Household survey fieldwork",
        "UNFPA",
        "UNFPA",
        _days(200),
        "not_started",
        None,
        PLAN_B,
    ),
    (
        "workplan",
        WORKPLAN,
        "3",
        "Climate finance",
        None,
        "3.1",
        "Climate finance roadmap",
        "UNDP",
        None,
        _days(-1000),
        "ongoing",
        None,
        PLAN_B,
    ),
]


def _action_rows() -> list[dict]:
    rows = []
    for st_, title, rec_no, rec, resp, act_no, act, responsible, agency, deadline, status, comments, plan in _ACTIONS:
        rows.append(
            {
                "source_type": st_,
                "source_title": title,
                "recommendation_no": rec_no,
                "recommendation": rec,
                "management_response": resp,
                "action_no": act_no,
                "action": act,
                "responsible": responsible,
                "agency": agency,
                "deadline": deadline,
                "status": status,
                "comments": comments,
                "as_of": TODAY - dt.timedelta(days=5),
                "overdue": status in OPEN_STATUSES and deadline is not None and deadline < TODAY,
                "country": {PLAN_A: ANGOLA, PLAN_B: VIET_NAM}[plan],
                "plan": plan,
                "submission_id": 12 if title == EVALUATION else 13,
            }
        )
    return rows


ACTION_ROWS = _action_rows()

# --- submissions --------------------------------------------------------------------------------
SUBMISSION_COLUMNS = [
    "submission_id",
    "kind",
    "file_name",
    "sha256",
    "user_name",
    "agency",
    "plan",
    "created_at",
    "rows_added",
    "rows_replaced",
    "rows_rejected",
    "status",
]

_SUBMISSIONS = [
    (1, "budget", "unicef_cbf_2024.xlsx", "UNICEF", PLAN_A, dt.datetime(2025, 1, 15, 9, 30), "committed"),
    (2, "budget", "who_cbf.xlsx", "WHO", PLAN_A, dt.datetime(2025, 2, 1, 10, 0), "committed"),
    (3, "budget", "fao_cbf.csv", "FAO", PLAN_A, dt.datetime(2025, 3, 3, 11, 0), "committed"),
    (4, "budget", "undp_cbf.xlsx", "UNDP", PLAN_A, dt.datetime(2025, 3, 10, 8, 0), "committed"),
    (5, "budget", "uninfo_export_angola.xlsx", None, PLAN_A, dt.datetime(2025, 4, 2, 14, 0), "committed"),
    (6, "budget", "unfpa_cbf.xlsx", "UNFPA", PLAN_A, dt.datetime(2025, 4, 20, 16, 0), "committed"),
    (7, "budget", "=undp_vn.xlsx", "UNDP", PLAN_B, dt.datetime(2025, 5, 5, 9, 0), "committed"),
    (8, "budget", "unfpa_vn.xlsx", "UNFPA", PLAN_B, dt.datetime(2025, 5, 6, 9, 0), "committed"),
    (9, "budget", "fao_who_vn.xlsx", "FAO", PLAN_B, dt.datetime(2025, 5, 7, 9, 0), "committed"),
    (10, "indicators", "angola_indicators.xlsx", "UNICEF", PLAN_A, dt.datetime(2025, 6, 1, 9, 0), "committed"),
    (11, "indicators", "vn_indicators.xlsx", "UNDP", PLAN_B, dt.datetime(2025, 6, 2, 9, 0), "committed"),
    (12, "actions", "unwomen_mgmt_response.xlsx", "UN Women", PLAN_A, dt.datetime(2025, 6, 3, 9, 0), "committed"),
    (13, "actions", "rg1_workplan.xlsx", "UNICEF", PLAN_B, dt.datetime(2025, 6, 4, 9, 0), "committed"),
    (14, "budget", "undp_cbf_broken.xlsx", "UNDP", PLAN_A, dt.datetime(2025, 7, 1, 9, 0), "rejected"),
    (15, "budget", "unicef_cbf_2024.xlsx", "UNICEF", PLAN_A, dt.datetime(2025, 7, 2, 9, 0), "duplicate"),
    (16, "budget", "who_cbf_v2.xlsx", "WHO", PLAN_A, dt.datetime(2025, 7, 3, 9, 0), "rolled_back"),
]

#: submission → the day its file says the data were reported, and where that day comes from (etl.reported); the
#: others are dated by their load
_REPORTED = {5: (dt.date(2025, 3, 28), "export date"), 10: (dt.date(2025, 5, 20), "date in the file")}


def _submission_rows() -> list[dict]:
    rows = []
    for sid, kind, name, agency, plan, created, status in _SUBMISSIONS:
        rows.append(
            {
                "submission_id": sid,
                "kind": kind,
                "file_name": name,
                "sha256": f"{sid:064x}",
                "user_name": "focal",
                "agency": agency,
                "plan": plan,
                "created_at": created,
                "rows_added": 2 if status == "committed" else 0,
                "rows_replaced": 0,
                "rows_rejected": 3 if status == "rejected" else 0,
                "status": status,
                "reported_on": _REPORTED.get(sid, (None,))[0],
                "reported_from": _REPORTED.get(sid, (None, None))[1],
            }
        )
    return rows


SUBMISSION_ROWS = _submission_rows()


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: list[dict]) -> None:
    placeholders = ", ".join("?" for _ in columns)
    con.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
        [[row[c] for c in columns] for row in rows],
    )


def build_seeded_db(path: str | Path, *, empty: bool = False) -> Path:
    """Write the seeded dataset (or, with empty=True, only the migrated, empty schema) to a DuckDB file.

    The database is created by the real store (`store.connection.connect` migrates it), and the rows go into
    the tables behind the views as current rows, so the pages read them through the real views."""
    import store.connection
    import store.writes
    from store import history, summaries

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = store.connection.connect(path)
    try:
        known = {code for (code,) in con.execute("SELECT code FROM entities").fetchall()}
        for code, name in ENTITIES:
            if code not in known:
                store.writes.add_entity(con, code, name, origin="test")
        if not empty:
            _insert(con, "budget_lines", BUDGET_COLUMNS, BUDGET_ROWS)
            _insert(con, "indicator_rows", INDICATOR_COLUMNS, INDICATOR_ROWS)
            _insert(con, "action_rows", [c for c in ACTION_COLUMNS if c != "overdue"], ACTION_ROWS)
            _insert(con, "submission_log", SUBMISSION_COLUMNS, SUBMISSION_ROWS)
            _insert(
                con,
                "submission_dates",
                ["submission_id", "reported_on", "reported_from"],
                [r for r in SUBMISSION_ROWS if r["reported_on"]],
            )
            plans = {(r["country"], r["plan"]) for r in BUDGET_ROWS}
            con.executemany("INSERT INTO plans (country, plan) VALUES (?, ?) ON CONFLICT DO NOTHING", sorted(plans))
            for _ in SUBMISSION_ROWS:  # keep the submission sequence past the seeded ids
                store.writes.next_submission_id(con)
            history.fill(con)  # when each row was shown, as the log tells (the rows bypassed the loads)
            summaries.refresh(con)  # each plan's years, kept
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path
