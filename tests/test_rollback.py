"""Rollback (SPEC §7): any committed submission can be rolled back, in any order, and the data are then
exactly as if it had never been loaded: what it replaced is current again unless a later submission has
since taken that scope over, in which case it waits for that one to be rolled back in turn."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

import store.connection
import store.writes
from core.summaries import PLAN_SPANS, SCOPES, SUMMARIES
from etl.load import load_bytes, load_many
from tests.test_load import BUDGET_HEADER, INDICATOR_HEADER, PLAN, workbook_bytes

UNINFO = Path(__file__).resolve().parents[2] / "shared" / "data" / "uninfo"
ACTION_HEADER = ["Source title", "Rec. No.", "Key action no.", "Key action(s)", "Status", "Agency"]


# ---------------------------------------------------------------- files


def budget(*rows) -> bytes:
    return workbook_bytes({"Budget": [BUDGET_HEADER, *rows]})


def indicators(*rows) -> bytes:
    return workbook_bytes({"Indicators": [INDICATOR_HEADER, *rows]})


def actions(*rows) -> bytes:
    return workbook_bytes({"Actions": [ACTION_HEADER, *rows]})


def ind(code, period, actual, agency="UNICEF"):
    return [code, "Births attended", "1.1", "%", 42, 2022, 60, 2027, period, actual, agency]


# Three versions of one agency's data. B replaces all of A's UNDP rows (2025 and 2026), C only the 2025 ones:
# rolling B back must give A's 2026 rows back but leave A's 2025 rows to C. UNICEF's rows are never touched.
SCENARIOS = {
    "budget": {
        "A": budget(
            [2025, "1.1", "Gov", "1.1.1", "UNDP", 100, 50, 10],
            [2025, "1.1", "Gov", "1.1.2", "UNDP", 200, 60, 20],
            [2026, "1.2", "Justice", "1.2.1", "UNDP", 300, 70, 30],
            [2025, "1.3", "Health", "1.3.1", "UNICEF", 1000, 900, 800],
        ),
        "B": budget(
            [2025, "1.1", "Gov", "1.1.1", "UNDP", 110, 55, 11],
            [2025, "1.1", "Gov", "1.1.3", "UNDP", 120, 0, 0],
            [2026, "1.2", "Justice", "1.2.1", "UNDP", 330, 77, 33],
        ),
        "C": budget([2025, "1.1", "Gov", "1.1.1", "UNDP", 111, 56, 12]),
    },
    "indicators": {
        "A": indicators(ind("a", "2025", 50), ind("b", "2025", 30), ind("a", "2026", 52), ind("a", "2025", 9, "UNFPA")),
        "B": indicators(ind("a", "2025", 55), ind("a", "2026", 57), ind("c", "2026", 1)),
        "C": indicators(ind("a", "2025", 58), ind("b", "2025", 33)),
    },
    "actions": {
        "A": actions(
            ["Audit 2024", "1", "1.1", "Fix it", "Not started", "UNDP"],
            ["Audit 2024", "1", "1.2", "Document it", "Not started", "UNDP"],
            ["Evaluation 2023", "2", "2.1", "Train", "Ongoing", "UNDP"],
            ["Audit 2024", "1", "1.3", "Check it", "Ongoing", "UNICEF"],
        ),
        "B": actions(
            ["Audit 2024", "1", "1.1", "Fix it", "Ongoing", "UNDP"],
            ["Evaluation 2023", "2", "2.1", "Train", "Completed", "UNDP"],
        ),
        "C": actions(["Audit 2024", "1", "1.1", "Fix it", "Completed", "UNDP"]),
    },
}


def psc(label, amount):
    """An indirect-cost row below an agency's lines: a label and an amount only."""
    return [None, None, label, None, None, amount, None, None]


# The same, with indirect costs below each block of lines: A's UNDP support costs are per year (2025, 2026),
# B's covers lines of both years (so it has no year), C adds a fee; UNICEF's GMS is never touched.
SCENARIOS["budget_indirect"] = {
    "A": budget(
        [2025, "1.1", "Gov", "1.1.1", "UNDP", 100, 50, 10],
        [2025, "1.1", "Gov", "1.1.2", "UNDP", 200, 60, 20],
        psc("Programme support cost (7%)", 21),
        [2026, "1.2", "Justice", "1.2.1", "UNDP", 300, 70, 30],
        psc("PSC 7%", 21),
        [2025, "1.3", "Health", "1.3.1", "UNICEF", 1000, 900, 800],
        psc("GMS (8%)", 80),
    ),
    "B": budget(
        [2025, "1.1", "Gov", "1.1.1", "UNDP", 110, 55, 11],
        [2026, "1.2", "Justice", "1.2.1", "UNDP", 330, 77, 33],
        psc("Programme support cost (7%)", 30.8),
    ),
    "C": budget(
        [2025, "1.1", "Gov", "1.1.1", "UNDP", 111, 56, 12],
        psc("Programme support cost (7%)", 7.77),
        psc("AA fee (1%)", 1.19),
    ),
}
OPTIONS = {
    "budget": {"plan": PLAN},
    "budget_indirect": {"plan": PLAN},
    "indicators": {"plan": PLAN, "country": "Demoland"},
    "actions": {},
}
#: the view of each scenario's kind (whose kept scope a load fills)
VIEW_OF = {"budget": "budget", "budget_indirect": "budget", "indicators": "indicator_values", "actions": "actions"}
TABLES = {
    "budget": ("budget_lines", "suboutputs"),
    "budget_indirect": ("budget_lines", "indirect_cost_rows"),
    "indicators": ("indicator_rows",),
    "actions": ("action_rows",),
}


def load(con, kind: str, names) -> dict[str, int]:
    """Load the named files of a scenario in order; their submission numbers by name."""
    ids = {}
    for name in names:
        result = load_bytes(con, SCENARIOS[kind][name], f"{name}.xlsx", **OPTIONS[kind])
        assert result.status == "committed", [str(e) for e in result.errors]
        ids[name] = result.submission_id
    return ids


# ---------------------------------------------------------------- what the database holds


def state(con, tables) -> list[tuple]:
    """Every row of the committed submissions, with whether it is current and which file replaced it,
    submissions named by file so that two databases can be compared."""
    rows = []
    for table in tables:
        rows += con.execute(f"""
            SELECT '{table}', f.file_name, t.* EXCLUDE (submission_id, current, replaced_by), t.current, r.file_name
            FROM {table} t JOIN submission_log f ON f.submission_id = t.submission_id AND f.status = 'committed'
            LEFT JOIN submission_log r ON r.submission_id = t.replaced_by ORDER BY ALL""").fetchall()
    return rows


def rolled_back_rows_are_out(con, tables) -> bool:
    query = (
        "SELECT count(*) FROM {} t JOIN submission_log f USING (submission_id) "
        "WHERE f.status = 'rolled_back' AND (t.current OR t.replaced_by IS NOT NULL)"
    )
    return all(con.execute(query.format(table)).fetchone()[0] == 0 for table in tables)


def kept_plan_years(con) -> tuple[list[tuple], list[tuple]]:
    """Each plan's years as the store keeps them (store.summaries) and as computed from the current rows now."""
    kept = con.execute("SELECT * FROM plan_years ORDER BY ALL").fetchall()
    return kept, con.execute(f"SELECT * FROM ({PLAN_SPANS}) ORDER BY ALL").fetchall()


def stale_summaries(con) -> list[str]:
    """The summaries the store keeps (core.summaries) whose rows differ from their definition over the views now."""
    return [
        name
        for name, sql in SUMMARIES.items()
        if con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
        != con.execute(f"SELECT * FROM ({sql}) ORDER BY ALL").fetchall()
    ]


def current_budget(con, agency="UNDP") -> list[tuple]:
    return con.execute(
        """SELECT b.year, b.output_code, b.agency, b.required, b.available, b.expenditure, s.file_name
                          FROM budget b JOIN submissions s USING (submission_id) WHERE b.agency = ?
                          ORDER BY ALL""",
        [agency],
    ).fetchall()


def totals(con) -> tuple:
    """Lines and figures of the whole `budget` view (rounded to the cent: the order of a float sum varies)."""
    count, *figures = con.execute(
        "SELECT count(*), sum(required), sum(available), sum(expenditure) FROM budget"
    ).fetchone()
    return count, *(None if f is None else round(f, 2) for f in figures)


def budget_sums(con, agency="UNDP") -> tuple:
    return con.execute(
        "SELECT count(*), sum(required), sum(available), sum(expenditure) FROM budget WHERE agency = ?", [agency]
    ).fetchone()


@pytest.fixture
def con(store_target):
    """A new store, the embedded file and DuckLake on PostgreSQL (the replays, to compare with, are files)."""
    connection = store.connection.connect(store_target)
    yield connection
    connection.close()


@pytest.fixture
def replay(tmp_path):
    """The state of a fresh database into which only the given files were loaded, in order."""
    cache = {}

    def run(kind: str, names: tuple[str, ...]) -> list[tuple]:
        if (kind, names) not in cache:
            fresh = store.connection.connect(tmp_path / f"replay-{kind}-{''.join(names) or 'none'}.duckdb")
            load(fresh, kind, names)
            cache[kind, names] = state(fresh, TABLES[kind])
            fresh.close()
        return cache[kind, names]

    return run


# ---------------------------------------------------------------- budget, step by step


def three_budget_versions(con) -> dict[str, int]:
    """A, then B replacing A's UNDP rows, then C replacing B's: each a full version of the same scope."""
    ids = {}
    for name, required in (("A", 100), ("B", 200), ("C", 300)):
        data = budget(
            [2025, "1.1", "Gov", "1.1.1", "UNDP", required, required // 2, required // 4],
            [2025, "1.1", "Gov", f"1.1.{required // 100 + 1}", "UNDP", required + 1, 0, 0],
            *([[2025, "1.3", "Health", "1.3.1", "UNICEF", 1000, 900, 800]] if name == "A" else []),
        )
        result = load_bytes(con, data, f"{name}.xlsx", plan=PLAN)
        assert result.status == "committed"
        ids[name] = result.submission_id
    return ids


A_ROWS = [(2025, "1.1.1", "UNDP", 100.0, 50.0, 25.0, "A.xlsx"), (2025, "1.1.2", "UNDP", 101.0, 0.0, 0.0, "A.xlsx")]
C_ROWS = [(2025, "1.1.1", "UNDP", 300.0, 150.0, 75.0, "C.xlsx"), (2025, "1.1.4", "UNDP", 301.0, 0.0, 0.0, "C.xlsx")]
UNICEF = [(2025, "1.3.1", "UNICEF", 1000.0, 900.0, 800.0, "A.xlsx")]


def test_rolling_back_the_middle_version_keeps_the_latest_and_then_the_latest_gives_the_first_back(con):
    ids = three_budget_versions(con)
    assert current_budget(con) == C_ROWS
    done = store.writes.rollback(con, ids["B"], "admin")
    assert done == {"submission_id": ids["B"], "rows_hidden": 0, "rows_restored": 0}  # B's rows were all C's already
    assert current_budget(con) == C_ROWS and budget_sums(con) == (2, 601.0, 150.0, 75.0)
    assert current_budget(con, "UNICEF") == UNICEF
    assert con.execute(
        "SELECT status, rolled_back_by FROM submissions WHERE submission_id = ?", [ids["B"]]
    ).fetchone() == ("rolled_back", "admin")
    # A's rows are still retired, now by C, so that rolling C back gives them back
    assert con.execute(
        "SELECT DISTINCT replaced_by FROM budget_lines WHERE submission_id = ? AND agency = 'UNDP'", [ids["A"]]
    ).fetchall() == [(ids["C"],)]
    done = store.writes.rollback(con, ids["C"])
    assert done == {"submission_id": ids["C"], "rows_hidden": 2, "rows_restored": 2}
    assert current_budget(con) == A_ROWS and budget_sums(con) == (2, 201.0, 50.0, 25.0)
    assert current_budget(con, "UNICEF") == UNICEF


def test_rolling_back_the_latest_first_ends_the_same(con):
    ids = three_budget_versions(con)
    done = store.writes.rollback(con, ids["C"])
    assert done == {"submission_id": ids["C"], "rows_hidden": 2, "rows_restored": 2}
    assert [r[:6] for r in current_budget(con)] == [
        (2025, "1.1.1", "UNDP", 200.0, 100.0, 50.0),
        (2025, "1.1.3", "UNDP", 201.0, 0.0, 0.0),
    ]
    done = store.writes.rollback(con, ids["B"])
    assert done == {"submission_id": ids["B"], "rows_hidden": 2, "rows_restored": 2}
    assert current_budget(con) == A_ROWS and budget_sums(con) == (2, 201.0, 50.0, 25.0)
    assert current_budget(con, "UNICEF") == UNICEF


def test_rolling_back_the_first_version_hides_only_what_is_still_its_own(con):
    ids = three_budget_versions(con)
    done = store.writes.rollback(con, ids["A"])
    assert done == {"submission_id": ids["A"], "rows_hidden": 1, "rows_restored": 0}  # UNICEF's row
    assert current_budget(con) == C_ROWS and current_budget(con, "UNICEF") == []
    store.writes.rollback(con, ids["C"])
    assert [r[-1] for r in current_budget(con)] == ["B.xlsx", "B.xlsx"]
    store.writes.rollback(con, ids["B"])
    assert current_budget(con) == [] and con.execute("SELECT count(*) FROM budget").fetchone()[0] == 0


def test_a_partly_taken_over_scope_comes_back_only_where_no_later_submission_took_it(con, replay):
    ids = load(con, "budget", "ABC")
    done = store.writes.rollback(con, ids["B"])
    # B's 2026 row is withdrawn and A's comes back; A's 2025 rows stay C's
    assert done == {"submission_id": ids["B"], "rows_hidden": 1, "rows_restored": 1}
    assert current_budget(con) == [
        (2025, "1.1.1", "UNDP", 111.0, 56.0, 12.0, "C.xlsx"),
        (2026, "1.2.1", "UNDP", 300.0, 70.0, 30.0, "A.xlsx"),
    ]
    assert state(con, TABLES["budget"]) == replay("budget", ("A", "C"))
    done = store.writes.rollback(con, ids["C"])
    assert done == {"submission_id": ids["C"], "rows_hidden": 1, "rows_restored": 2}
    assert state(con, TABLES["budget"]) == replay("budget", ("A",))
    assert budget_sums(con) == (3, 600.0, 180.0, 60.0)


# ---------------------------------------------------------------- every kind, every order


#: every order on the file; on DuckLake (ten times slower a write, 15 s a case) each path of the restore logic —
#: rolling back the first, the middle and the last file first — at least once, and the budget (plain and with indirect
#: costs) in two orders: the same SQL as on the file, on the lake's storage
LAKE_CASES = {
    "budget": ("BAC", "CBA"),
    "budget_indirect": ("BAC", "ABC"),
    "indicators": ("CBA",),
    "actions": ("BAC",),
}
ORDER_CASES = [
    pytest.param("file", order, kind, id=f"file-{''.join(order)}-{kind}")
    for order in itertools.permutations("ABC")
    for kind in sorted(SCENARIOS)
] + [
    pytest.param("ducklake", tuple(order), kind, id=f"ducklake-{order}-{kind}")
    for kind, orders in sorted(LAKE_CASES.items())
    for order in orders
]


@pytest.mark.parametrize(("store_target", "order", "kind"), ORDER_CASES, indirect=["store_target"])
def test_any_order_of_rollbacks_leaves_the_data_as_if_those_files_were_never_loaded(con, replay, kind, order):
    tables = TABLES[kind]
    ids = load(con, kind, "ABC")
    fact = tables[0]
    kept, now = kept_plan_years(con)
    assert kept == now and (kept or kind == "actions")
    assert stale_summaries(con) == [] and con.execute(f"SELECT count(*) FROM {SCOPES[VIEW_OF[kind]]}").fetchone()[0]
    for step, name in enumerate(order):
        before = set(con.execute(f"SELECT rowid FROM {fact} WHERE current").fetchall())
        own = set(con.execute(f"SELECT rowid FROM {fact} WHERE current AND submission_id = ?", [ids[name]]).fetchall())
        done = store.writes.rollback(con, ids[name])
        after = set(con.execute(f"SELECT rowid FROM {fact} WHERE current").fetchall())
        assert done == {"submission_id": ids[name], "rows_hidden": len(own), "rows_restored": len(after - before)}
        assert before - after == own
        remaining = tuple(n for n in "ABC" if n not in order[: step + 1])
        assert state(con, tables) == replay(kind, remaining), f"after rolling back {order[: step + 1]}"
        assert rolled_back_rows_are_out(con, tables)
        kept, now = kept_plan_years(con)
        assert kept == now and (kept or kind == "actions" or not remaining), "each plan's years kept fresh"
        assert stale_summaries(con) == []


def test_each_plans_years_are_kept_through_loads_and_rollbacks(con):
    """The store keeps each plan's years (the current-plan condition reads them): a load that adds a year, one of
    another plan and country, an indicator period ending later, and their roll-backs, in the same transaction."""
    years = {
        "A.xlsx": budget([2025, "1.1", "Gov", "1.1.1", "UNDP", 100, 50, 10]),
        "B.xlsx": budget([2027, "1.1", "Gov", "1.1.1", "UNICEF", 100, 50, 10]),
        "C.xlsx": budget([2023, "2.1", "Gov", "2.1.1", "UNDP", 10, 5, 1]),
        "D.xlsx": indicators(ind("1.a", 2029, 50)),
    }
    options = {"C.xlsx": {"plan": "Old plan", "country": "Kenya"}}
    ids = {}
    for name, data in years.items():
        result = load_bytes(con, data, name, **options.get(name, {"plan": PLAN, "country": "Demoland"}))
        assert result.status == "committed", [str(e) for e in result.errors]
        ids[name] = result.submission_id
    kept, now = kept_plan_years(con)
    assert kept == now == [("Demoland", PLAN, 2025, 2029), ("Kenya", "Old plan", 2023, 2023)]
    for name, last in (("D.xlsx", 2027), ("B.xlsx", 2025), ("A.xlsx", None)):
        store.writes.rollback(con, ids[name])
        kept, now = kept_plan_years(con)
        assert kept == now, f"after rolling back {name}"
        assert stale_summaries(con) == [], name
        assert [r[3] for r in kept if r[1] == PLAN] == ([] if last is None else [last]), name


def current_indirect_costs(con) -> list[tuple]:
    return con.execute("""SELECT i.agency, i.year, i.label, i.required, s.file_name FROM indirect_costs i
                          JOIN submissions s USING (submission_id) ORDER BY ALL""").fetchall()


def test_indirect_costs_go_with_the_lines_they_were_computed_on(con):
    """A support cost stated for no year (on lines of several years) is retired by any later budget of its
    plan and agency; rolling that budget back gives back each year's own support cost unless a later one
    took its year over."""
    ids = load(con, "budget_indirect", "ABC")
    assert current_indirect_costs(con) == [
        ("UNDP", 2025, "AA fee (1%)", 1.19, "C.xlsx"),
        ("UNDP", 2025, "Programme support cost (7%)", 7.77, "C.xlsx"),
        ("UNICEF", 2025, "GMS (8%)", 80.0, "A.xlsx"),
    ]
    store.writes.rollback(con, ids["B"])
    assert current_indirect_costs(con) == [
        ("UNDP", 2025, "AA fee (1%)", 1.19, "C.xlsx"),
        ("UNDP", 2025, "Programme support cost (7%)", 7.77, "C.xlsx"),
        ("UNDP", 2026, "PSC 7%", 21.0, "A.xlsx"),
        ("UNICEF", 2025, "GMS (8%)", 80.0, "A.xlsx"),
    ]
    store.writes.rollback(con, ids["C"])
    assert [row[2:] for row in current_indirect_costs(con)] == [
        ("Programme support cost (7%)", 21.0, "A.xlsx"),
        ("PSC 7%", 21.0, "A.xlsx"),
        ("GMS (8%)", 80.0, "A.xlsx"),
    ]


def test_indicators_replaced_twice_come_back_one_version_at_a_time(con):
    ids = load(con, "indicators", "ABC")
    values = "SELECT indicator_code, period, agency, actual FROM indicator_values ORDER BY ALL"
    assert con.execute(values).fetchall() == [
        ("a", "2025", "UNFPA", 9.0),
        ("a", "2025", "UNICEF", 58.0),
        ("a", "2026", "UNICEF", 57.0),
        ("b", "2025", "UNICEF", 33.0),
        ("c", "2026", "UNICEF", 1.0),
    ]
    store.writes.rollback(con, ids["B"])  # UNICEF 2025 stays C's; UNICEF 2026 is A's again
    assert con.execute(values).fetchall() == [
        ("a", "2025", "UNFPA", 9.0),
        ("a", "2025", "UNICEF", 58.0),
        ("a", "2026", "UNICEF", 52.0),
        ("b", "2025", "UNICEF", 33.0),
    ]
    store.writes.rollback(con, ids["C"])
    assert con.execute(values).fetchall() == [
        ("a", "2025", "UNFPA", 9.0),
        ("a", "2025", "UNICEF", 50.0),
        ("a", "2026", "UNICEF", 52.0),
        ("b", "2025", "UNICEF", 30.0),
    ]


def test_actions_replaced_twice_come_back_one_version_at_a_time(con):
    ids = load(con, "actions", "ABC")
    status = "SELECT source_title, action_no, agency, status FROM actions ORDER BY ALL"
    store.writes.rollback(con, ids["C"])
    assert con.execute(status).fetchall() == [
        ("Audit 2024", "1.1", "UNDP", "ongoing"),
        ("Audit 2024", "1.3", "UNICEF", "ongoing"),
        ("Evaluation 2023", "2.1", "UNDP", "completed"),
    ]
    store.writes.rollback(con, ids["B"])
    assert con.execute(status).fetchall() == [
        ("Audit 2024", "1.1", "UNDP", "not_started"),
        ("Audit 2024", "1.2", "UNDP", "not_started"),
        ("Audit 2024", "1.3", "UNICEF", "ongoing"),
        ("Evaluation 2023", "2.1", "UNDP", "ongoing"),
    ]


# ---------------------------------------------------------------- UN INFO: scope is the sub-output ID


def uninfo_ids(path: Path) -> set[str]:
    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    at = [str(h).strip() for h in rows[0]].index("ID")
    return {str(int(r[at])) for r in rows[1:] if r[at] not in ("", None)}


def three_exports_sharing_a_suboutput() -> tuple[list[Path], str]:
    """The smallest three real exports that have a sub-output ID in common (found, not assumed)."""
    files = sorted(UNINFO.glob("*.xlsx"))
    ids = {f: uninfo_ids(f) for f in files}
    best = min(
        (sum(f.stat().st_size for f in trio), trio)
        for trio in itertools.combinations(files, 3)
        if set.intersection(*(ids[f] for f in trio))
    )[1]
    return list(best), min(set.intersection(*(ids[f] for f in best)))


@pytest.fixture(scope="module")
def exports():
    if not UNINFO.is_dir():
        pytest.fail(f"The real UN INFO exports are expected in {UNINFO} (next to the repository, as in CI).")
    return three_exports_sharing_a_suboutput()


def holder(con, sub_id: str) -> list[tuple]:
    """The file whose version of the sub-output is current (budget lines and the sub-output itself)."""
    return con.execute(
        """SELECT DISTINCT s.file_name FROM budget b JOIN submissions s USING (submission_id)
                          WHERE b.suboutput_id = ? UNION ALL
                          SELECT DISTINCT s.file_name FROM suboutput_list b JOIN submissions s USING (submission_id)
                          WHERE b.suboutput_id = ?""",
        [sub_id, sub_id],
    ).fetchall()


@pytest.mark.parametrize(
    "order", [(1, 2), (2, 1), (0, 1, 2)], ids=["middle-then-last", "last-then-middle", "oldest-first"]
)
@pytest.mark.parametrize("batch", [False, True], ids=["one-by-one", "one-batch"])
def test_a_uninfo_suboutput_replaced_twice(tmp_path, exports, order, batch):
    files, sub_id = exports
    data = [(f.read_bytes(), f.name) for f in files]

    def fresh(name, chosen):
        db = store.connection.connect(tmp_path / f"{name}.duckdb")
        results = load_many(db, chosen, workers=1) if batch else [load_bytes(db, d, n) for d, n in chosen]
        assert [r.status for r in results] == ["committed"] * len(chosen)
        return db, [r.submission_id for r in results]

    con, ids = fresh("all", data)
    assert holder(con, sub_id) == [(files[2].name,)] * 2
    for step, index in enumerate(order):
        store.writes.rollback(con, ids[index])
        remaining = [d for i, d in enumerate(data) if i not in order[: step + 1]]
        replayed, _ = fresh(f"replay-{step}", remaining)
        assert state(con, TABLES["budget"]) == state(replayed, TABLES["budget"])
        assert totals(con) == totals(replayed)
        expected = [(remaining[-1][1],)] * 2 if any(sub_id in uninfo_ids(UNINFO / n) for _, n in remaining) else []
        assert holder(con, sub_id) == expected
        assert stale_summaries(con) == []
        replayed.close()
    con.close()


def test_a_uninfo_suboutput_in_three_versions_gives_back_each_versions_figures(con, exports):
    """Small UN INFO files cut from a real export: the shared sub-output with other figures in each version."""
    files, sub_id = exports
    book = CalamineWorkbook.from_path(files[0])
    sheet_name = book.sheet_names[0]
    rows = book.get_sheet_by_index(0).to_python()
    header = [str(h).strip() for h in rows[0]]
    at = header.index("ID")
    row = next(r for r in rows[1:] if r[at] not in ("", None) and str(int(r[at])) == sub_id)
    figures = [
        i for i, h in enumerate(header) if h.startswith("Total ") or h[:4].isdigit() and not h.endswith("Narrative")
    ]

    def version(factor):
        scaled = [float(v) * factor if i in figures and isinstance(v, (int, float)) else v for i, v in enumerate(row)]
        return workbook_bytes({sheet_name: [rows[0], scaled]})

    ids = {}
    for factor in (1, 2, 3):
        result = load_bytes(con, version(factor), f"v{factor}.xlsx")
        assert result.status == "committed", [str(e) for e in result.errors]
        ids[factor] = result.submission_id
    lines, *v3 = totals(con)
    assert lines > 0 and v3[0] > 0
    v1 = [None if f is None else round(f / 3, 2) for f in v3]
    store.writes.rollback(con, ids[2])
    assert totals(con) == (lines, *v3) and holder(con, sub_id) == [("v3.xlsx",)] * 2
    done = store.writes.rollback(con, ids[3])
    assert done == {"submission_id": ids[3], "rows_hidden": lines, "rows_restored": lines}
    assert totals(con) == (lines, *v1) and holder(con, sub_id) == [("v1.xlsx",)] * 2


def test_a_suboutput_given_back_in_its_own_plan_is_summed_there_again(con, exports):
    """A later export moves a sub-output (same ID) to another country's renamed plan; rolling it back gives the row
    back in its first plan: the summaries the store keeps (the budget cube the pages sum, each plan's years, the
    scopes) follow it there, in both plans' rows."""
    files, sub_id = exports
    book = CalamineWorkbook.from_path(files[0])
    sheet_name = book.sheet_names[0]
    rows = book.get_sheet_by_index(0).to_python()
    header = [str(h).strip() for h in rows[0]]
    at, plan_at, country_at = header.index("ID"), header.index("Plan name"), header.index("Country")
    row = next(r for r in rows[1:] if r[at] not in ("", None) and str(int(r[at])) == sub_id)
    moved = [*row]
    moved[plan_at], moved[country_at] = "Renamed plan 2030-2034", "Kenya"
    ids = {}
    for name, version in (("first", row), ("moved", moved)):
        result = load_bytes(con, workbook_bytes({sheet_name: [rows[0], version]}), f"{name}.xlsx")
        assert result.status == "committed", [str(e) for e in result.errors]
        ids[name] = result.submission_id
    plans = {r[0] for r in con.execute("SELECT DISTINCT plan FROM budget_cube").fetchall()}
    assert plans == {"Renamed plan 2030-2034"} and stale_summaries(con) == []
    store.writes.rollback(con, ids["moved"])
    assert stale_summaries(con) == []
    assert {r[0] for r in con.execute("SELECT DISTINCT plan FROM budget_cube").fetchall()} == {row[plan_at]}
    assert con.execute("SELECT sum(_lines) FROM budget_cube").fetchone()[0] == totals(con)[0] > 0


# ---------------------------------------------------------------- what is still refused


def test_what_cannot_be_rolled_back_says_why(con):
    ids = load(con, "budget", "A")
    with pytest.raises(store.writes.RollbackError, match="There is no submission 99"):
        store.writes.rollback(con, 99)
    store.writes.rollback(con, ids["A"])
    with pytest.raises(store.writes.RollbackError, match="is rolled_back; only a committed submission"):
        store.writes.rollback(con, ids["A"])
    reloaded = load_bytes(con, SCENARIOS["budget"]["A"], "A again.xlsx", plan=PLAN)  # A is gone: loads afresh
    assert reloaded.status == "committed"
    again = load_bytes(con, SCENARIOS["budget"]["A"], "A thrice.xlsx", plan=PLAN)
    assert again.status == "duplicate"
    with pytest.raises(store.writes.RollbackError, match="is duplicate"):
        store.writes.rollback(con, again.submission_id)
    assert con.execute("SELECT status FROM submissions ORDER BY submission_id").fetchall() == [
        ("rolled_back",),
        ("committed",),
        ("duplicate",),
    ]
