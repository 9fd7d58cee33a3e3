"""A large database for the page benchmark: ≥ 1,000,000 budget lines, generated in DuckDB with range().

The rows go straight into the tables behind the views (budget_lines, indicator_rows, action_rows,
submission_log) of a database created by the real store, so the pages read them through the real
views. Shapes follow real UN INFO data: outcome codes repeat across plans and strategic priorities,
about 5 % of lines are joint sub-outputs ('UNDP;UNICEF'), some available / expenditure figures are
blank (not reported), some lines are over-funded.

    python bench/scale.py bench/scaled.duckdb --rows 1000000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import store.connection  # noqa: E402
from store import history, summaries  # noqa: E402

AGENCIES = [
    "UNDP",
    "UNICEF",
    "UNFPA",
    "UN Women",
    "WHO",
    "FAO",
    "ILO",
    "UNESCO",
    "UNIDO",
    "UNAIDS",
    "UN-Habitat",
    "UNODC",
    "UNV",
    "OHCHR",
    "UNHCR",
    "IOM",
    "WFP",
    "OCHA",
    "IFAD",
    "UNOPS",
    "UNEP",
    "ITC",
    "UNCTAD",
    "RCO",
]
JOINT = ["UNDP;UNICEF", "FAO;WFP", "IOM;OHCHR;UNDP", "UNFPA;UN Women", "ILO;UNDP"]
COUNTRIES = ["Angola", "Cambodia", "Ethiopia", "Fiji", "Ghana", "Lao PDR", "Malawi", "Nepal", "Senegal", "Viet Nam"]


def build_scaled_db(path: str | Path, rows: int = 1_000_000, seed: float = 0.42) -> Path:
    """Create (replacing) a database with `rows` budget lines and proportionate other datasets."""
    path = Path(path)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = store.connection.connect(path)
    try:
        con.execute(f"SELECT setseed({seed})")
        con.execute(
            "CREATE TEMP TABLE agency_pool AS SELECT unnest(?) AS agency, generate_subscripts(?, 1) - 1 AS i",
            [AGENCIES, AGENCIES],
        )
        con.execute(
            "CREATE TEMP TABLE joint_pool AS SELECT unnest(?) AS agency, generate_subscripts(?, 1) - 1 AS i",
            [JOINT, JOINT],
        )
        con.execute(
            "CREATE TEMP TABLE country_pool AS SELECT unnest(?) AS country, generate_subscripts(?, 1) - 1 AS i",
            [COUNTRIES, COUNTRIES],
        )
        # 20 plans (2 per country) × 4 strategic priorities × 3 outcomes × 5 outputs × 10 sub-outputs
        con.execute(f"""
            INSERT INTO budget_lines (country, plan, strategic_priority_code, strategic_priority, outcome_code,
                outcome_title, output_code, output_title, suboutput_code, suboutput_title, suboutput_id,
                suboutput_status, agency, joint, funding_source, year, required, available, expenditure, currency,
                submission_id)
            WITH g AS (
                SELECT i, i % 20 AS p, (i // 20) % 4 AS sp, (i // 80) % 3 AS oc, (i // 240) % 5 AS op,
                       (i // 1200) % 10 AS so, (i // 12000) % 8 AS y, random() AS r1, random() AS r2, random() AS r3
                FROM range({int(rows)}) t(i))
            SELECT c.country,
                   'UNSDCF ' || c.country || CASE WHEN g.p < 10 THEN ' 2019-2023' ELSE ' 2024-2028' END,
                   (g.sp + 1)::VARCHAR, 'Strategic priority ' || (g.sp + 1),
                   (g.oc + 1)::VARCHAR,                       -- repeats across plans and priorities
                   'By ' || (2023 + (g.p >= 10)::INT * 5) || ', outcome ' || (g.sp + 1) || '.' || (g.oc + 1)
                       || ' of ' || c.country || ': people benefit from better services and institutions',
                   (g.sp + 1) || '.' || (g.oc + 1) || '.' || (g.op + 1),
                   'Output ' || (g.sp + 1) || '.' || (g.oc + 1) || '.' || (g.op + 1) || ': capacities strengthened',
                   (g.so + 1)::VARCHAR, 'Sub-output ' || (g.so + 1),
                   CASE WHEN g.r3 < 0.3 THEN 'SO-' || (g.i // 12000) ELSE NULL END,
                   CASE WHEN g.r3 < 0.3 THEN 'implementation' END,
                   CASE WHEN g.r1 < 0.05 THEN j.agency ELSE a.agency END,
                   g.r1 < 0.05,
                   CASE WHEN g.r2 < 0.4 THEN 'Core' WHEN g.r2 < 0.8 THEN 'Non-core' WHEN g.r2 < 0.9 THEN 'MPTF' END,
                   2020 + g.y,
                   round(10000 + g.r2 * 490000),
                   CASE WHEN g.r3 > 0.92 THEN NULL ELSE round((10000 + g.r2 * 490000) * (0.3 + g.r1 * 0.9)) END,
                   CASE WHEN g.r3 > 0.85 THEN NULL ELSE round((10000 + g.r2 * 490000) * (0.3 + g.r1 * 0.9) * g.r3) END,
                   'USD', 1 + g.i % 500
            FROM g
            JOIN country_pool c ON c.i = g.p % 10
            JOIN agency_pool a ON a.i = (g.i * 7 + g.so) % {len(AGENCIES)}
            JOIN joint_pool j ON j.i = g.i % {len(JOINT)}""")
        indicators = max(200, rows // 500)
        con.execute(f"""
            INSERT INTO indicator_rows (country, plan, indicator_code, indicator, result_code, unit, baseline,
                baseline_year, target, target_year, period, period_end, actual, agency, means_of_verification,
                submission_id)
            WITH g AS (SELECT i // 8 AS k, i % 8 AS y, random() AS r FROM range({indicators * 8}) t(i))
            SELECT c.country,
                   'UNSDCF ' || c.country || CASE WHEN (g.k % 20) < 10 THEN ' 2019-2023' ELSE ' 2024-2028' END,
                   ((g.k // 20) % 4 + 1) || '.' || ((g.k // 80) % 3 + 1) || '.'
                       || chr((97 + (g.k // 240) % 26)::INTEGER)
                       || (g.k // 6240)::VARCHAR,
                   'Indicator ' || g.k || ': share of people reached',
                   ((g.k // 20) % 4 + 1) || '.' || ((g.k // 80) % 3 + 1),
                   '%', 20 + (g.k % 30), 2019, 60 + (g.k % 30), 2028,
                   (2020 + g.y)::VARCHAR, make_date(2020 + g.y, 12, 31),
                   CASE WHEN g.r < 0.1 THEN NULL ELSE 20 + (g.k % 30) + g.y * 4 * (0.3 + g.r) END,
                   a.agency, 'Survey', 600
            FROM g JOIN country_pool c ON c.i = g.k % 10 JOIN agency_pool a ON a.i = g.k % {len(AGENCIES)}""")
        actions = max(200, rows // 50)
        con.execute(f"""
            INSERT INTO action_rows (plan, country, source_type, source_title, recommendation_no, recommendation,
                management_response, action_no, action, responsible, agency, deadline, status, comments, as_of,
                submission_id)
            WITH g AS (SELECT i, random() AS r FROM range({actions}) t(i))
            SELECT 'UNSDCF ' || c.country || CASE WHEN (g.i % 20) < 10 THEN ' 2019-2023' ELSE ' 2024-2028' END,
                   c.country,
                   CASE WHEN g.i % 3 = 0 THEN 'workplan' ELSE 'evaluation' END,
                   'Evaluation ' || (g.i % 40) || ' of the Cooperation Framework',
                   ((g.i // 40) % 12 + 1)::VARCHAR, 'Recommendation ' || ((g.i // 40) % 12 + 1),
                   'accepted', ((g.i // 40) % 12 + 1) || '.' || (g.i // 480 + 1), 'Key action ' || g.i,
                   'Unit ' || (g.i % 9), a.agency,
                   DATE '2021-01-31' + INTERVAL (g.i % 2000) DAY,
                   ['completed', 'ongoing', 'not_started', 'continuous', 'no_longer_applicable',
                    'deprioritized'][1 + (floor(g.r * 6))::INT % 6],
                   NULL, current_date, 700
            FROM g JOIN country_pool c ON c.i = g.i % 10 JOIN agency_pool a ON a.i = g.i % {len(AGENCIES)}""")
        con.execute(f"""
            INSERT INTO submission_log (submission_id, kind, file_name, sha256, user_name, agency, plan, created_at,
                rows_added, rows_replaced, rows_rejected, status)
            SELECT t.n, CASE WHEN t.n < 600 THEN 'budget' WHEN t.n < 700 THEN 'indicators' ELSE 'actions' END,
                   'file_' || t.n || '.xlsx', md5(t.n::VARCHAR), 'bench', a.agency,
                   'UNSDCF ' || c.country || CASE WHEN (t.n % 20) < 10 THEN ' 2019-2023' ELSE ' 2024-2028' END,
                   TIMESTAMP '2024-01-01' + INTERVAL (t.n * 7) HOUR, {rows} // 500, 0, 0,
                   CASE WHEN t.n % 17 = 0 THEN 'rolled_back' ELSE 'committed' END
            FROM range(1, 801) t(n) JOIN country_pool c ON c.i = t.n % 10
                 JOIN agency_pool a ON a.i = t.n % {len(AGENCIES)}""")
        history.fill(con)  # when each row was shown (figures as of a date), as for a database loaded before it
        summaries.refresh(con)  # each plan's years, kept (what the loads refresh)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    build_scaled_db(args.db, args.rows)
    print(f"{args.db}: {args.rows:,} budget lines in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
