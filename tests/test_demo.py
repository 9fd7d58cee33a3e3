"""The demo input files (demo/generate.py) read back, with python-calamine, as the data they claim to be.

Every expectation is computed here with plain arithmetic from the cells, not with the product's parsers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from demo import content, generate

REAL_EXPORT = Path(__file__).resolve().parents[2] / "shared" / "data" / "uninfo" / "Africa_crime.xlsx"
AS_OF = dt.date(2026, 11, 22)
MEASURES = ("Required", "Available", "Expenditure")

#: SPEC §3, folded to lower case with brackets removed
STATUS_GROUPS = {
    "completed": {"completed", "complete", "done", "implemented", "closed", "fully implemented"},
    "ongoing": {"ongoing", "in progress", "initiated", "under way", "underway", "partially implemented", "started"},
    "not_started": {"not started", "not initiated", "pending", "planned"},
    "continuous": {"continuous", "continuing", "recurrent"},
    "no_longer_applicable": {"no longer applicable", "n/a", "not applicable", "cancelled", "canceled", "withdrawn"},
    "deprioritized": {"de-prioritized", "deprioritized", "deprioritised", "on hold"},
}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("demo")
    paths = generate.write_demo_files(folder)
    return {p.name: p for p in paths}


def sheet_rows(path: Path, name: str | None = None) -> list[list]:
    book = CalamineWorkbook.from_path(path)
    sheet = book.get_sheet_by_name(name) if name else book.get_sheet_by_index(0)
    return sheet.to_python()


def amount(value) -> float | None:
    if value in ("", None):
        return None
    if isinstance(value, str):
        assert re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?", value), value
        return float(value.replace(",", ""))
    return float(value)


@pytest.fixture(scope="module")
def budget(files) -> tuple[list, list[dict]]:
    rows = sheet_rows(files[content.BUDGET_FILE])
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


# --- files -----------------------------------------------------------------------------------------------
def test_three_files_written(files):
    assert sorted(files) == sorted([content.BUDGET_FILE, content.INDICATORS_FILE, content.ACTIONS_FILE])
    assert all(p.stat().st_size > 0 for p in files.values())


def test_same_seed_same_bytes_other_seed_other_figures(files, tmp_path):
    again = {p.name: p for p in generate.write_demo_files(tmp_path / "again")}
    for name, path in files.items():
        assert again[name].read_bytes() == path.read_bytes(), name
    other = generate.write_demo_files(tmp_path / "other", seed=7)[0]
    assert sheet_rows(other)[1:] != sheet_rows(files[content.BUDGET_FILE])[1:]


def test_the_sample_files_in_the_repository_are_the_demo_files(files):
    """data/sample/ holds the same spreadsheets as the generator writes (every sheet, every cell)."""
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    assert sorted(p.name for p in sample.glob("*.xlsx")) == sorted(files)
    for name, path in files.items():
        committed, generated = CalamineWorkbook.from_path(sample / name), CalamineWorkbook.from_path(path)
        assert committed.sheet_names == generated.sheet_names, name
        for sheet in generated.sheet_names:
            assert sheet_rows(sample / name, sheet) == sheet_rows(path, sheet), (
                f"data/sample/{name} [{sheet}] differs from the generator: run python -m etl demo --files data/sample"
            )


# --- budget: a UN INFO export ----------------------------------------------------------------------------
def test_budget_header_is_the_uninfo_header(files, budget):
    header, _ = budget
    assert header == list(content.UNINFO_HEADER)
    assert len(header) == 93
    assert CalamineWorkbook.from_path(files[content.BUDGET_FILE]).sheet_names == ["export_2026-06-30"]


def test_uninfo_header_matches_a_real_export():
    assert sheet_rows(REAL_EXPORT)[0] == list(content.UNINFO_HEADER)


def test_budget_labelled_demo_and_shaped_like_a_plan(budget):
    _, rows = budget
    assert 100 <= len(rows) <= 140
    assert {r["Country"] for r in rows} == {content.DEMO_COUNTRY}
    assert {r["Plan name"] for r in rows} == {content.DEMO_PLAN}
    assert "demo data" in content.DEMO_COUNTRY and "demo data" in content.DEMO_PLAN
    assert 3 <= len({r["Strategic priority code"] for r in rows}) <= 4
    assert 6 <= len({r["Outcome code"] for r in rows}) <= 8
    assert 18 <= len({r["Output code"] for r in rows}) <= 24
    assert all(isinstance(r["Strategic priority code"], float) and isinstance(r["Outcome code"], float) for r in rows)
    for r in rows:  # the outcome code is the outcome's number under its strategic priority
        assert str(r["Outcome code"]).split(".")[0] == str(int(r["Strategic priority code"]))
        assert r["Output code"].startswith(str(r["Outcome code"]) + ".")
        assert r["Start date"] <= r["End date"]
    assert {r["Status"] for r in rows} == {
        "Pipeline",
        "Implementation",
        "Finalisation",
        "Closed",
        "Suspended",
        "Cancelled",
    }
    assert all(re.fullmatch(r"\d{1,2} [A-Za-z ,\-]+(; \d{1,2} [A-Za-z ,\-]+)*", r["SDG Goals"]) for r in rows)
    assert any(r["Contributing partners"] not in ("-", "") for r in rows)


def test_ids_unique_integers_in_range(budget):
    _, rows = budget
    ids = [r["ID"] for r in rows]
    assert all(float(i).is_integer() and 200000 <= i <= 299999 for i in ids)
    assert len(set(ids)) == len(ids)


def test_totals_equal_sum_of_years(budget):
    _, rows = budget
    for r in rows:
        for measure in MEASURES:
            years = sum(amount(r[f"{y} {measure}"]) or 0.0 for y in content.UNINFO_YEARS)
            assert amount(r[f"Total {measure.lower()} resources"]) == pytest.approx(years), (r["ID"], measure)


def test_years_with_figures_and_empty_cells_as_exported(budget):
    _, rows = budget
    with_figures = {y for y in content.UNINFO_YEARS for r in rows if amount(r[f"{y} Required"])}
    assert len(with_figures) >= 4
    assert with_figures <= set(range(2023, 2028))
    for r in rows:
        for y in set(content.UNINFO_YEARS) - set(range(2023, 2028)):
            assert [r[f"{y} {m}"] for m in MEASURES] == ["", "", ""]
            assert r[f"{y} Narrative"] == "-"
        assert r["Joint Programmes / Initiatives types"] in ("-", "Joint Programme")
    assert all(r["2027 Expenditure"] == "" for r in rows)  # not reported yet
    assert any(amount(r["2026 Expenditure"]) for r in rows)


def test_money_ranges_text_numbers_blanks_and_overfunding(budget):
    _, rows = budget
    cells = [(r, y) for r in rows for y in range(2023, 2028) if amount(r[f"{y} Required"]) is not None]
    assert all(20_000 <= amount(r[f"{y} Required"]) <= 3_000_000 for r, y in cells)
    texts = [
        r[f"{y} {m}"]
        for r in rows
        for y in content.UNINFO_YEARS
        for m in MEASURES
        if isinstance(r[f"{y} {m}"], str) and r[f"{y} {m}"]
    ]
    assert texts and all("," in t for t in texts)
    assert any(amount(r[f"{y} Available"]) is None for r, y in cells)  # not reported
    over = [1 for r, y in cells if (amount(r[f"{y} Available"]) or 0) > amount(r[f"{y} Required"])]
    assert 0 < len(over) < len(cells) * 0.15
    for r, y in cells:
        available, spent = amount(r[f"{y} Available"]), amount(r[f"{y} Expenditure"])
        if spent is not None:
            assert available is not None and spent <= available
            if y <= 2025:
                assert spent >= 0.3 * available - 100


def test_agencies_and_joint_suboutputs(budget):
    _, rows = budget
    agencies = set()
    joint = 0
    for r in rows:
        codes = r["Agency abbreviations"].split("; ")
        names = r["Agencies"].split("; ")
        assert len(codes) == len(names)
        for code, name in zip(codes, names):
            assert content.AGENCY_NAMES[code] == name
        agencies.update(codes)
        joint += len(codes) > 1
    assert len(agencies) >= 6
    assert 0.08 * len(rows) <= joint <= 0.25 * len(rows)


# --- indicators ------------------------------------------------------------------------------------------------
def _indicator_status(rows: list[dict]) -> dict[str, str]:
    """Latest reported value of each indicator → achieved / on track / off track / no data (SPEC §5)."""
    by_code: dict[str, list[dict]] = {}
    for r in rows:
        by_code.setdefault(r["indicator_code"], []).append(r)
    status = {}
    for code, values in by_code.items():
        reported = [v for v in values if v["actual"] != ""]
        if not reported:
            status[code] = "no data"
            continue
        latest = max(reported, key=lambda v: v["period"])
        baseline, target, actual = latest["baseline"], latest["target"], latest["actual"]
        progress = (actual - baseline) / (target - baseline)
        year = int(latest["period"][:4]) + (int(latest["period"][-1]) / 4 if "-Q" in latest["period"] else 0)
        elapsed = (year - latest["baseline_year"]) / (latest["target_year"] - latest["baseline_year"])
        status[code] = "achieved" if progress >= 1 else "on track" if progress >= elapsed else "off track"
    return status


def test_indicators_sheet(files, budget):
    rows = sheet_rows(files[content.INDICATORS_FILE], "Indicators")
    assert "demo data" in rows[0][0]
    assert all(c == "" for c in rows[1])
    assert rows[2] == [
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
        "actual",
        "agency",
        "means_of_verification",
    ]
    data = [dict(zip(rows[2], r)) for r in rows[3:]]
    assert {r["plan"] for r in data} == {content.DEMO_PLAN}
    codes = {r["indicator_code"] for r in data}
    assert 18 <= len(codes) <= 24
    _, budget_rows = budget
    outcomes = {str(r["Outcome code"]) for r in budget_rows}
    assert {r["result_code"] for r in data} <= outcomes
    periods = {r["period"] for r in data}
    assert {"2023", "2024", "2025", "2025-Q2"} <= periods
    assert all(re.fullmatch(r"\d{4}(-Q[1-4])?", p) for p in periods)
    assert all(r["target_year"] == 2027 and r["baseline_year"] <= 2022 for r in data)
    decreasing = {r["indicator_code"] for r in data if r["target"] < r["baseline"]}
    assert len(decreasing) >= 2
    status = _indicator_status(data)
    counts = {s: sum(1 for v in status.values() if v == s) for s in ("achieved", "on track", "off track", "no data")}
    assert all(n >= 2 for n in counts.values()), counts
    assert any(status[c] == "achieved" for c in decreasing) or any(status[c] == "on track" for c in decreasing)
    assert any(status[c] == "off track" for c in decreasing)
    assert any(r["actual"] == "" for r in data if status[r["indicator_code"]] != "no data")  # a gap mid-series


# --- actions ----------------------------------------------------------------------------------------------------
def _group(word: str) -> str:
    folded = re.sub(r"[\[\]()]", "", str(word)).strip().lower()
    return next(group for group, words in STATUS_GROUPS.items() if folded in words)


def _deadline(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return dt.date(*map(int, m.groups()))
    if m := re.fullmatch(r"(\d{4})/(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
    elif m := re.fullmatch(r"([A-Za-z]{3}) (\d{4})", text):
        year, month = int(m[2]), MONTHS[m[1].lower()]
    else:
        raise AssertionError(f"unexpected deadline {value!r}")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _actions(path: Path, sheet: str, header_row: int, no_col: str, text_col: str, deadline_col: str) -> list[dict]:
    rows = sheet_rows(path, sheet)
    header = rows[header_row]
    data = [dict(zip(header, r)) for r in rows[header_row + 1 :]]
    for r in data:
        r["_group"] = _group(r["Status"])
        r["_deadline"] = _deadline(r[deadline_col])
        r["_overdue"] = r["_group"] in ("ongoing", "not_started") and r["_deadline"] < AS_OF
        assert r[no_col] and r[text_col]
    return data


def test_actions_statuses_deadlines_and_sources(files):
    path = files[content.ACTIONS_FILE]
    assert CalamineWorkbook.from_path(path).sheet_names == ["Management response", "Workplan", "HRWG work plan"]
    evaluation = _actions(path, "Management response", 1, "Key action no.", "Key action(s)", "Deadline")
    workplan = _actions(path, "Workplan", 2, "Deliverable no.", "Deliverable", "Timeline")
    assert "demo data" in sheet_rows(path, "Management response")[0][0]
    assert {r["Source type"] for r in evaluation} == {"evaluation"}
    assert {r["Source type"] for r in workplan} == {"workplan"}
    assert {r["Source title"] for r in evaluation} == {content.DEMO_EVALUATION}
    assert "strategic partnerships" in content.DEMO_EVALUATION and "demo data" in content.DEMO_EVALUATION
    assert {r["Source title"] for r in workplan} == {content.DEMO_WORKPLAN}
    assert any(str(r["Status"]).startswith("[") for r in workplan)

    everything = evaluation + workplan
    assert {r["_group"] for r in everything} == set(STATUS_GROUPS)
    assert len({str(r["Status"]) for r in everything}) >= 12  # varied real spellings
    assert sum(r["_overdue"] for r in evaluation) >= 3
    assert any(r["_overdue"] for r in workplan)
    assert sum(r["_group"] in ("ongoing", "not_started") and r["_deadline"].year == 2027 for r in everything) >= 2
    kinds = {type(r["Deadline"]).__name__ for r in evaluation} | {type(r["Timeline"]).__name__ for r in workplan}
    assert {"str", "date"} <= kinds or {"str", "datetime"} <= kinds

    # 8 recommendations, each with 2–4 key actions numbered under it
    by_rec: dict[str, list[str]] = {}
    for r in evaluation:
        by_rec.setdefault(r["Key action no."].split(".")[0], []).append(r["Key action no."])
    assert sorted(by_rec, key=int) == [str(i) for i in range(1, 9)]
    assert all(2 <= len(v) <= 4 for v in by_rec.values())
    responses = {r["Management response"] for r in evaluation if r["Management response"]}
    assert "Accepted" in responses and len(responses) >= 2


def test_the_work_plans_are_costed_with_gaps_and_blanks(files):
    """Both work plans state a cost, the funds secured and their source for most deliverables; some state no cost
    or no funding (never zero), none secures more than it costs; the working group's plan is by pillar."""
    path = files[content.ACTIONS_FILE]
    results_group = _actions(path, "Workplan", 2, "Deliverable no.", "Deliverable", "Timeline")
    working_group = _actions(path, "HRWG work plan", 1, "Deliverable no.", "Deliverable", "Timeline")
    for rows, cost, funded in (
        (results_group, "Cost (USD)", "Funded (USD)"),
        (working_group, "Estimated cost (USD)", "Funds secured (USD)"),
    ):
        costs = [(amount(r[cost]), amount(r[funded])) for r in rows]
        assert sum(c is not None for c, _ in costs) >= len(rows) - 2
        assert any(c is None for c, _ in costs) and any(c is not None and f is None for c, f in costs)
        assert any(f == 0 for _, f in costs)  # nothing secured yet: a whole gap
        assert all(f <= c for c, f in costs if c is not None and f is not None)
        assert all(r["Source of funds"] for r, (c, f) in zip(rows, costs) if f)
    assert {r["Source title"] for r in working_group} == {content.DEMO_HRWG}
    assert len({r["Pillar"] for r in working_group}) == 4
    assert sum(amount(r["Estimated cost (USD)"]) or 0 for r in working_group) == 264_000
    assert sum(amount(r["Funds secured (USD)"]) or 0 for r in working_group) == 123_000


def test_recommendations_merged_over_their_key_actions(files):
    path = files[content.ACTIONS_FILE]
    book = CalamineWorkbook.from_path(path)
    sheet = book.get_sheet_by_name("Management response")
    rows = sheet.to_python()
    header = rows[1]
    rec_col = header.index("Recommendation")
    merged = [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges if c0 == c1 == rec_col]
    assert len(merged) == 8
    for (r0, _), (r1, _) in merged:
        assert rows[r0][rec_col]  # the value sits in the top cell
        assert all(rows[r][rec_col] == "" for r in range(r0 + 1, r1 + 1))  # covered cells read blank
        numbers = {rows[r][header.index("Key action no.")].split(".")[0] for r in range(r0, r1 + 1)}
        assert numbers == {str(rows[r0][header.index("Rec. No.")])}
    workplan = book.get_sheet_by_name("Workplan")
    area_col = workplan.to_python()[2].index("Priority area")
    assert any(c0 == c1 == area_col for (_, c0), (_, c1) in workplan.merged_cell_ranges)
