"""Figures as of a date (store.history): whatever is loaded and rolled back later, in any order, the figures as of a
moment are those the store showed at that moment — every view, every page read and every export."""

from __future__ import annotations

import datetime as dt
import math

import pytest

import store.connection
import store.migrations
import store.writes
from analytics import actions, budget, exports, indicators
from analytics.filters import Filters
from core.summaries import PER_SUBMISSION
from etl.load import load_bytes, load_many
from store import history
from tests.test_rollback import SCENARIOS, UNINFO, load

#: the views of SPEC §9, and each plan's years the store keeps (as of a moment: computed over those views)
VIEWS = ("budget", "suboutput_list", "indicator_values", "actions", "indirect_costs", "plan_years")
#: three real UN INFO exports; the third replaces 40 of the others' lines (shared sub-output IDs)
EXPORTS = ("Africa_crime.xlsx", "Africa_digital.xlsx", "Africa_education.xlsx")


#: the summaries kept per submission (the budget cube, its rollup), as partial sums per group and pattern of missing
#: figures (as of a date their rows are kept rows and lines: the same sums, to the last bits)
KEPT_SUMS = {
    name: f"""SELECT {columns}, sum(required), sum(available), sum(expenditure), sum(_lines)
    FROM {name} GROUP BY {columns}, required IS NULL, available IS NULL, expenditure IS NULL
    ORDER BY {columns}, required IS NULL, available IS NULL, expenditure IS NULL"""
    for name, columns in PER_SUBMISSION.items()
}


def views(con) -> dict[str, list[tuple]]:
    """Every row of every view of SPEC §9 and of the summaries the store keeps, sorted: what the store shows through
    `con` (a connection or an AsOf). Compared with `same`."""
    cur = con.cursor()
    try:
        shown = {v: cur.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in VIEWS}
        return {**shown, **{name: cur.execute(sql).fetchall() for name, sql in KEPT_SUMS.items()}}
    finally:
        cur.close()


def figures(con) -> dict:
    """What pages and exports read, through `con` (tables as sorted rows: ties of a page's order may come in any
    order). Compared with `same`: DuckDB adds doubles in whatever order its threads meet the rows, and the current
    figures sum the store's partial sums where figures as of a date sum the lines, so a sum may differ in its last
    bits."""
    f = Filters()
    return {
        "budget": budget.totals(con, f),
        "by_outcome": table(budget.by(con, f, "outcome")),
        "suboutputs": budget.suboutput_totals(con, f),
        "progress": table(indicators.progress(con, f)),
        "actions": actions.totals(con, f),
        **{
            f"export_{k}": sorted(exports.safe_csv_bytes(exports.rows(con, f, k)).splitlines())
            for k in ("budget", "indicators", "actions")
        },
    }  # ties of the export's order come in any order


def same(a, b) -> bool:
    """Equal, numbers to 1e-9 of their size (NaN equal to NaN: a missing figure), through dicts, lists and tuples."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


def table(df) -> list[tuple]:
    """A frame's header and rows, the rows sorted by their text to 6 significant digits."""
    rows = df.itertuples(index=False, name=None)
    return [tuple(df.columns), *sorted(rows, key=lambda r: [f"{v:.6g}" if isinstance(v, float) else str(v) for v in r])]


def uninfo(con, name: str) -> int:
    result = load_bytes(con, (UNINFO / name).read_bytes(), name)
    assert result.status == "committed", [str(e) for e in result.errors]
    return result.submission_id


@pytest.mark.parametrize("order", ["latest first", "earliest first", "interleaved"])
def test_figures_as_of_a_moment_survive_later_loads_and_rollbacks(tmp_path, order):
    con = store.connection.connect(tmp_path / "asof.duckdb")
    moments, seen = [], []

    def snapshot(read: bool = False):  # what pages and exports read: at the first and the last moment
        moments.append(history.now())
        seen.append((views(con), figures(con) if read else None))

    ids = {kind: load(con, kind, ["A"]) for kind in ("budget_indirect", "indicators", "actions")}
    ids["crime"] = uninfo(con, EXPORTS[0])
    snapshot(read=True)  # the first moment
    for kind in ("budget_indirect", "indicators", "actions"):
        ids[kind].update(load(con, kind, ["B", "C"]))
    ids["digital"], ids["education"] = uninfo(con, EXPORTS[1]), uninfo(con, EXPORTS[2])
    snapshot()
    later = [(kind, name) for kind in ("budget_indirect", "indicators", "actions") for name in ("B", "C")]
    steps = {
        "latest first": [("education", None), *reversed(later)],
        "earliest first": [*later, ("crime", None)],
        "interleaved": [
            ("budget_indirect", "B"),
            ("digital", None),
            ("indicators", "C"),
            ("actions", "B"),
            ("crime", None),
            ("budget_indirect", "C"),
        ],
    }[order]
    for kind, name in steps:
        store.writes.rollback(con, ids[kind][name] if name else ids[kind])
        snapshot()
    ids["budget_indirect"].update(load(con, "budget_indirect", ["B"]) if order != "interleaved" else {})
    snapshot(read=True)

    for moment, (shown, read) in zip(moments, seen):
        then = history.AsOf(con, moment)
        assert same(views(then), shown), moment
        assert read is None or same(figures(then), read), moment
    assert same(views(history.AsOf(con, history.now())), views(con))
    # the first moment's figures are real figures (not two empty reads agreeing)
    assert len(seen[0][0]["budget"]) > 200 and seen[0][0]["indirect_costs"] and seen[0][1]["actions"]["actions"]


def test_a_batch_shows_only_its_winning_versions(tmp_path):
    """Exports loaded together: a sub-output in two of them was shown only in the later one's version."""
    con = store.connection.connect(tmp_path / "batch.duckdb")
    results = load_many(con, [((UNINFO / n).read_bytes(), n) for n in EXPORTS])
    assert all(r.status == "committed" for r in results)
    assert same(views(history.AsOf(con, history.now())), views(con))
    first = history.now()
    store.writes.rollback(con, results[2].submission_id)
    assert same(views(history.AsOf(con, history.now())), views(con))
    assert views(history.AsOf(con, first)) != views(con)


def test_a_date_means_the_end_of_that_day_utc(tmp_path):
    con = store.connection.connect(tmp_path / "day.duckdb")
    load(con, "budget", ["A"])
    today = history.now().date()
    assert history.end_of_day(today) == dt.datetime.combine(today, dt.time(23, 59, 59, 999999))
    assert same(views(history.as_of(con, today)), views(con))
    yesterday = history.as_of(con, today - dt.timedelta(days=1))
    assert views(yesterday)["budget"] == [] and views(yesterday)["actions"] == []
    assert history.as_of(con, None) is con  # no date: the current views themselves


def test_overdue_is_judged_at_the_date(tmp_path):
    con = store.connection.connect(tmp_path / "overdue.duckdb")
    result = load_bytes(con, SCENARIOS["actions"]["A"], "a.xlsx")
    assert result.status == "committed"
    con.execute("UPDATE action_rows SET deadline = current_date - 10")  # all open actions are 10 days late today
    today = history.now().date()
    assert actions.totals(con, Filters())["overdue"] == 4
    assert actions.totals(history.as_of(con, today), Filters())["overdue"] == 4
    # as of a later date the deadline is as far behind; before the deadline nothing is overdue
    con.execute("UPDATE row_visibility SET shown_from = shown_from - INTERVAL 30 DAY")
    assert actions.totals(history.as_of(con, today - dt.timedelta(days=11)), Filters())["overdue"] == 0


def test_the_migration_fills_the_history_from_the_log(tmp_path):
    """A database written before as-of existed: migration 5 fills row_visibility from the log. Without restored
    rows (a roll-back of the latest load of a scope), the intervals it reconstructs give the same figures."""
    con = store.connection.connect(tmp_path / "old.duckdb")
    ids = load(con, "budget_indirect", ["A", "B"])
    ids.update({"crime": uninfo(con, EXPORTS[0]), "education": uninfo(con, EXPORTS[2])})
    first = history.now()
    shown = views(con)
    store.writes.rollback(con, ids["crime"])  # restores nothing: education holds its shared sub-outputs
    load(con, "budget_indirect", ["C"])
    recorded = {m: views(history.AsOf(con, m)) for m in (first, history.now())}
    con.execute("DELETE FROM row_visibility")
    con.execute("DELETE FROM schema_migrations WHERE version = 5")
    con.execute("DROP TABLE row_visibility")
    store.migrations.migrate(con)
    assert con.execute("SELECT count(*) FROM row_visibility").fetchone()[0] > 0
    assert same(views(history.AsOf(con, first)), shown) and same(shown, recorded[first])
    assert same(views(history.AsOf(con, history.now())), views(con))
