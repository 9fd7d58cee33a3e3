"""Demo input files of a fictitious Cooperation Framework, written from the content of demo/content.py.

`write_demo_files(folder, seed)` writes, deterministically for a given seed, the three workbooks a UN
Country Team would upload:

- ``demo_uninfo_budget.xlsx``: a UN INFO "Data Explorer" export (SPEC §2.1b) with exactly the real
  export's header row (`UNINFO_HEADER`), one row per sub-output, year blocks 2016–2028 of which only
  2023–2027 carry figures;
- ``demo_indicators.xlsx``: outcome indicators in the long format of SPEC §2.2, under two title rows;
- ``demo_actions.xlsx``: an evaluation management response (recommendations merged over their key
  actions, as real ones are), a results-group work plan with [COMPLETED] / [ONGOING] statuses and
  a human rights working group's costed annual work plan by pillar (SPEC §2.3).

`build_demo(db)` (`python -m etl demo`) rebuilds a database from freshly written files.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

import store.connection
from demo.content import (
    ACTIONS_FILE,
    ACTIONS_HEADER,
    AGENCY_NAMES,
    AGENCY_SCALE,
    BUDGET_FILE,
    CONTRIBUTING_PARTNERS,
    DEMO_COUNTRY,
    DEMO_EVALUATION,
    DEMO_HRWG,
    DEMO_PLAN,
    DEMO_WORKPLAN,
    EXPORT_DATE,
    FILLED_YEARS,
    GENDER_MARKERS,
    HRWG_HEADER,
    HRWG_WORKPLAN,
    HUMAN_RIGHTS_MARKERS,
    IMPLEMENTATION_PARTNERS,
    INDICATOR_COLUMNS,
    INDICATORS,
    INDICATORS_FILE,
    MEASURES,
    NARRATIVES,
    OUTCOMES,
    OUTPUTS,
    PEACE_MARKERS,
    RECOMMENDATIONS,
    REGIONS,
    SDG_GOALS,
    SDG_TARGETS,
    STRATEGIC_PRIORITIES,
    SUBOUTPUTS,
    UNINFO_HEADER,
    UNINFO_YEARS,
    WORKPLAN,
    WORKPLAN_COSTS,
    WORKPLAN_HEADER,
)
from etl.load import load_path


# --- helpers -----------------------------------------------------------------------------------------
def _goals(targets: tuple[str, ...]) -> str:
    numbers = []
    for target in targets:
        goal = int(target.split(".")[0])
        if goal not in numbers:
            numbers.append(goal)
    return "; ".join(SDG_GOALS[g] for g in sorted(numbers))


def _money(rng: random.Random, low: float, high: float) -> float:
    """Log-uniform amount, rounded as agencies round their figures."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    if rng.random() < 0.6:
        return float(round(value, -3))
    return float(round(value))


def _bold_header(ws, row: int, width: int) -> None:
    for col in range(1, width + 1):
        ws.cell(row=row, column=col).font = Font(bold=True)


def _save(wb: Workbook, path: Path) -> Path:
    """Save, then rewrite the zip with fixed timestamps so a seed always gives the same bytes."""
    stamp = dt.datetime(EXPORT_DATE.year, EXPORT_DATE.month, EXPORT_DATE.day)
    wb.properties.created = stamp
    wb.properties.creator = "UNCT Results Dashboard (demo data)"
    buffer = io.BytesIO()
    wb.save(buffer)
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                start = text.find("<dcterms:modified")
                if start >= 0:
                    open_end = text.index(">", start) + 1
                    close = text.index("</dcterms:modified>", open_end)
                    text = text[:open_end] + stamp.strftime("%Y-%m-%dT%H:%M:%SZ") + text[close:]
                data = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 6, 30, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    return path


# --- 1. UN INFO budget export ----------------------------------------------------------------------------
def _suboutput_rows(rng: random.Random) -> list[dict]:
    rows = []
    ids = rng.sample(range(200000, 300000), sum(len(v) for v in SUBOUTPUTS.values()))
    n = 0
    for output_code, subs in SUBOUTPUTS.items():
        title, pool, targets, qcpr, lnob, jp_name = OUTPUTS[output_code]
        outcome_code = output_code.rsplit(".", 1)[0]
        sp = int(outcome_code.split(".")[0])
        for number, (sub_title, lead) in enumerate(subs, 1):
            agencies = [lead]
            if rng.random() < 0.13:
                others = [a for a in pool if a != lead]
                agencies += rng.sample(others, 2 if len(others) > 2 and rng.random() < 0.25 else 1)
            agencies.sort(key=str.lower)  # UN INFO lists the abbreviations alphabetically
            scale = AGENCY_SCALE[lead] * (1.4 if len(agencies) > 1 else 1.0)
            row = _plan_years(rng, scale)
            row.update(
                {
                    "Country": DEMO_COUNTRY,
                    "Plan name": DEMO_PLAN,
                    "Strategic priority code": float(sp),
                    "Strategic priority": f"Strategic Priority {sp} - {STRATEGIC_PRIORITIES[sp]}",
                    "Outcome code": float(outcome_code),
                    "Outcome": f"Outcome {outcome_code} - {OUTCOMES[outcome_code]}",
                    "Output code": output_code,
                    "Output": f"Output {output_code} - {title}",
                    "Sub-Output publication status": "Yes",
                    "Sub-Output code": float(number),
                    "Sub-Output": sub_title,
                    "ID": ids[n],
                    "Description": (
                        f"Contributes to Output {output_code} through {qcpr.lower()} (demo data)."
                        if rng.random() < 0.3
                        else "-"
                    ),
                    "Joint Programmes / Initiatives names": jp_name if len(agencies) > 1 else "-",
                    "Joint Programmes / Initiatives types": "Joint Programme"
                    if len(agencies) > 1 and jp_name != "-"
                    else "-",
                    "Agency abbreviations": "; ".join(agencies),
                    "Agencies": "; ".join(AGENCY_NAMES[a] for a in agencies),
                    "Contributing partners": (
                        "-"
                        if rng.random() < 0.1
                        else "; ".join(rng.sample(CONTRIBUTING_PARTNERS, rng.choice((1, 1, 2, 3))))
                    ),
                    "Implementation partners": "; ".join(
                        rng.sample(IMPLEMENTATION_PARTNERS[str(sp)], rng.choice((1, 2)))
                    ),
                    "SDG Targets": ",".join(SDG_TARGETS[t] for t in targets),
                    "SDG Goals": _goals(targets),
                    "Geography": (DEMO_COUNTRY if rng.random() < 0.7 else f"{DEMO_COUNTRY} - {rng.choice(REGIONS)}"),
                    "QCPR function": qcpr
                    if rng.random() < 0.75
                    else rng.choice(
                        (
                            "Capacity Development/Technical Assistance",
                            "Data Collection and Analysis",
                            "Capacity Development/Technical Assistance; Policy Advice and Thought Leadership",
                        )
                    ),
                    "Humanitarian marker": (
                        "Appeal" if output_code in ("2.2.2", "3.1.2") and rng.random() < 0.6 else "-"
                    ),
                    "Humanitarian marker narrative": "-",
                    "Gender marker": (
                        GENDER_MARKERS[2]
                        if sp == 4 and outcome_code == "4.2"
                        else rng.choice(GENDER_MARKERS[:3] + GENDER_MARKERS[:2] + GENDER_MARKERS[3:])
                    ),
                    "Gender marker narrative": "-",
                    "Human rights marker": (
                        HUMAN_RIGHTS_MARKERS[2] if outcome_code == "4.1" else rng.choice(HUMAN_RIGHTS_MARKERS)
                    ),
                    "Suboutput also contributes to the following outputs": "-",
                    "Human rights marker narrative": "-",
                    "Sustaining peace marker": rng.choice(PEACE_MARKERS) if sp == 4 else "-",
                    "Sustaining peace marker narrative": "-",
                    "LNOB groups targeted": lnob if rng.random() < 0.7 else "-",
                    "Focal users": "-",
                    "Non Monetary Assistance": "",
                }
            )
            for year in FILLED_YEARS:
                if row[f"{year} Required"] != "" and year <= 2025 and rng.random() < 0.3:
                    row[f"{year} Narrative"] = rng.choice(NARRATIVES).format(
                        agency=agencies[0],
                        n=rng.randint(2, 12),
                        people=rng.randint(3, 400) * 100,
                        partner=row["Implementation partners"].split("; ")[0],
                    )
            rows.append(row)
            n += 1
    return rows


def _dates_and_status(rng: random.Random) -> tuple[dt.date, dt.date, str]:
    """A sub-output's start and end dates and its status (pipeline, cancelled, closed…), drawn in this order."""
    draw = rng.random()
    start_year = 2023 if draw < 0.6 else 2024 if draw < 0.85 else 2025 if draw < 0.95 else 2026
    end_year = max(start_year, rng.choices((2024, 2025, 2026, 2027), weights=(8, 14, 26, 52))[0])
    kind = rng.random()
    if start_year == 2026 or kind < 0.03:
        status = "Pipeline"
        start_year = max(start_year, 2026)
        end_year = 2027
    elif kind < 0.08:
        status = "Cancelled"
    elif kind < 0.11:
        status = "Suspended"
    elif end_year <= 2025:
        status = "Closed"
    elif end_year == 2026:
        status = "Finalisation" if rng.random() < 0.6 else "Implementation"
    else:
        status = "Implementation"
    start = dt.date(start_year, rng.choice((1, 1, 1, 3, 4, 7)), 1)
    end = dt.date(end_year, 12, 31) if rng.random() < 0.8 else dt.date(end_year, 6, 30)
    if end < start:
        end = dt.date(end_year, 12, 31)
    if status == "Cancelled":
        end_year = min(end_year, start_year + 1)
        end = dt.date(end_year, 12, 31)
    return start, end, status


def _plan_years(rng: random.Random, scale: float) -> dict:
    """Dates, status and the year blocks of one sub-output."""
    start, end, status = _dates_and_status(rng)
    start_year, end_year = start.year, end.year
    row: dict = {"Start date": start, "End date": end, "Status": status}
    for year in UNINFO_YEARS:
        row.update(
            {f"{year} Required": "", f"{year} Available": "", f"{year} Expenditure": "", f"{year} Narrative": "-"}
        )
    base = _money(rng, 40_000, 1_500_000) * scale
    for year in range(start_year, end_year + 1):
        if year not in FILLED_YEARS:
            continue
        required = min(3_000_000.0, max(20_000.0, round(base * rng.uniform(0.7, 1.3), -3)))
        row[f"{year} Required"] = required
        if status == "Pipeline":
            available = round(required * rng.uniform(0.0, 0.3), -3) if rng.random() < 0.4 else ""
            row[f"{year} Available"] = available
            continue
        if status == "Cancelled":
            row[f"{year} Available"] = 0.0
            continue
        if status == "Suspended" and year >= 2026:
            continue
        if rng.random() < 0.07:  # not reported
            continue
        ratio = rng.uniform(1.02, 1.25) if rng.random() < 0.05 else rng.uniform(0.4, 1.0)
        if year == 2027:
            ratio = rng.uniform(0.2, 0.8)
        available = float(round(required * ratio, -2))
        row[f"{year} Available"] = available
        if year <= 2025:
            row[f"{year} Expenditure"] = float(round(available * rng.uniform(0.3, 1.0), -2))
        elif year == 2026 and rng.random() < 0.85:
            row[f"{year} Expenditure"] = float(round(available * rng.uniform(0.1, 0.55), -2))
    return row


def _amount(value: str | float | None) -> float:
    if value in ("", None):
        return 0.0
    return float(str(value).replace(",", "")) if isinstance(value, str) else float(value)


def write_budget(path: Path, rng: random.Random) -> Path:
    rows = _suboutput_rows(rng)
    # a few figures stored as text, as some exports have them
    money_cells = [
        (i, f"{y} {m}")
        for i, r in enumerate(rows)
        for y in FILLED_YEARS
        for m in MEASURES
        if isinstance(r[f"{y} {m}"], float) and r[f"{y} {m}"] > 0
    ]
    for i, key in rng.sample(money_cells, 7):
        rows[i][key] = f"{int(rows[i][key]):,}"
    for r in rows:
        for measure in MEASURES:
            r[f"Total {measure.lower()} resources"] = float(sum(_amount(r[f"{y} {measure}"]) for y in UNINFO_YEARS))

    wb = Workbook()
    ws = wb.active
    ws.title = f"export_{EXPORT_DATE.isoformat()}"
    ws.append(list(UNINFO_HEADER))
    for r in rows:
        ws.append([r[h] for h in UNINFO_HEADER])
    date_cols = [UNINFO_HEADER.index("Start date") + 1, UNINFO_HEADER.index("End date") + 1]
    for row in ws.iter_rows(min_row=2):
        for col in date_cols:
            row[col - 1].number_format = "yyyy-mm-dd"
    _bold_header(ws, 1, len(UNINFO_HEADER))
    return _save(wb, path)


def write_indicators(path: Path, rng: random.Random) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Indicators"
    ws.append(["Demoland UNSDCF — results framework indicators (demo data)"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append(list(INDICATOR_COLUMNS))
    _bold_header(ws, 3, len(INDICATOR_COLUMNS))
    for code, result, wording, unit, baseline, base_year, target, agency, mov, periods, shares, decimals in INDICATORS:
        for period, share in zip(periods, shares):
            if share is None:
                actual = None
            else:
                if unit != "yes/no" and 0 < share < 1:
                    share += rng.uniform(-0.03, 0.03)
                actual = baseline + share * (target - baseline)
                actual = round(actual, decimals) if decimals else int(round(actual))
            ws.append(
                [DEMO_PLAN, code, wording, result, unit, baseline, base_year, target, 2027, period, actual, agency, mov]
            )
    ws.freeze_panes = "A4"
    return _save(wb, path)


def _deadline_cell(cell, value) -> None:
    cell.value = value
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"


def write_actions(path: Path, rng: random.Random) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Management response"
    ws.append([f"Management response — {DEMO_EVALUATION}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(ACTIONS_HEADER))
    _bold_header(ws, 2, len(ACTIONS_HEADER))
    top = Alignment(vertical="top", wrap_text=True)
    row = 3
    for rec_no, recommendation, response, actions in RECOMMENDATIONS:
        first = row
        for i, (action, responsible, deadline, status, comment) in enumerate(actions, 1):
            values = [
                "evaluation",
                DEMO_EVALUATION,
                rec_no if i == 1 else None,
                recommendation if i == 1 else None,
                response if i == 1 else None,
                f"{rec_no}.{i}",
                action,
                responsible,
                "UN Women",
                None,
                status,
                comment or None,
            ]
            for col, value in enumerate(values, 1):
                ws.cell(row=row, column=col, value=value).alignment = top
            _deadline_cell(ws.cell(row=row, column=10), deadline)
            row += 1
        if row - 1 > first:
            for col in (3, 4, 5):  # Rec. No., Recommendation, Management response span their key actions
                ws.merge_cells(start_row=first, start_column=col, end_row=row - 1, end_column=col)
    for letter, width in zip("ABCDEFGHIJKL", (11, 30, 8, 60, 18, 10, 60, 32, 10, 12, 14, 40)):
        ws.column_dimensions[letter].width = width

    wp = wb.create_sheet("Workplan")
    wp.append([DEMO_WORKPLAN])
    wp["A1"].font = Font(bold=True, size=13)
    wp.append(["Status legend: [COMPLETED] [ONGOING] [CONTINUOUS] [PLANNED] [DE-PRIORITIZED]"])
    wp.append(list(WORKPLAN_HEADER))
    _bold_header(wp, 3, len(WORKPLAN_HEADER))
    row = 4
    for area_no, (area, deliverables) in enumerate(WORKPLAN, 1):
        first = row
        for i, (deliverable, leads, agency, timeline, status, comment) in enumerate(deliverables, 1):
            values = [
                "workplan",
                DEMO_WORKPLAN,
                area if i == 1 else None,
                f"{area_no}.{i}",
                deliverable,
                leads,
                agency,
                None,
                status,
                comment or None,
                *WORKPLAN_COSTS.get(f"{area_no}.{i}", (None,) * 3),
            ]
            for col, value in enumerate(values, 1):
                wp.cell(row=row, column=col, value=value).alignment = top
            _deadline_cell(wp.cell(row=row, column=8), timeline)
            row += 1
        if row - 1 > first:
            wp.merge_cells(start_row=first, start_column=3, end_row=row - 1, end_column=3)
    for letter, width in zip("ABCDEFGHIJKLM", (11, 30, 50, 12, 60, 28, 11, 12, 18, 40, 12, 12, 24)):
        wp.column_dimensions[letter].width = width

    hr = wb.create_sheet("HRWG work plan")
    hr.append([DEMO_HRWG])
    hr["A1"].font = Font(bold=True, size=13)
    hr.append(list(HRWG_HEADER))
    _bold_header(hr, 2, len(HRWG_HEADER))
    for pillar_no, (pillar, area, deliverables) in enumerate(HRWG_WORKPLAN, 1):
        for i, (deliverable, leads, agency, timeline, status, cost, funded, source, comment) in enumerate(
            deliverables, 1
        ):
            hr.append(
                [
                    "workplan",
                    DEMO_HRWG,
                    pillar,
                    area,
                    f"{pillar_no}.{i}",
                    deliverable,
                    leads,
                    agency,
                    timeline,
                    status,
                    cost,
                    funded,
                    source,
                    comment or None,
                ]
            )
    for letter, width in zip("ABCDEFGHIJKLMN", (11, 30, 30, 30, 12, 60, 20, 11, 12, 12, 14, 14, 26, 40)):
        hr.column_dimensions[letter].width = width
    del rng  # the actions are fixed text; the seed only varies the budget and indicator figures
    return _save(wb, path)


def write_demo_files(folder: Path, seed: int = 2026) -> list[Path]:
    """Write the three demo workbooks into `folder` (created if missing) and return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    return [
        write_budget(folder / BUDGET_FILE, rng),
        write_indicators(folder / INDICATORS_FILE, rng),
        write_actions(folder / ACTIONS_FILE, rng),
    ]


def build_demo(db: Path | str, progress=None) -> str:
    """(Re)build the demo database at `db` from freshly generated files; returns a one-line summary."""
    db = Path(db)
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = store.connection.connect(db)
    options = {
        BUDGET_FILE: {},
        INDICATORS_FILE: {"country": DEMO_COUNTRY, "plan": DEMO_PLAN},
        ACTIONS_FILE: {"plan": DEMO_PLAN},
    }
    results = []
    with tempfile.TemporaryDirectory() as folder:
        files = write_demo_files(Path(folder))
        for n, path in enumerate(files):
            if progress:
                progress(n / len(files), f"loading {path.name}")
            result = load_path(con, path, user="demo", **options.get(path.name, {}))
            if result.status != "committed":
                raise RuntimeError(
                    f"demo data did not load: {result.summary}: " + "; ".join(str(e) for e in result.errors[:5])
                )
            results.append(result)
    if progress:
        progress(1.0, "done")
    con.close()
    rows = ", ".join(f"{r.rows_added} {r.kind}" for r in results)
    return f"Demo database {db} built ({DEMO_PLAN}): {rows} rows."
