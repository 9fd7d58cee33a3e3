"""Closed periods (store.periods): a closed year or quarter of a plan cannot be changed by a load or a roll-back until
it is reopened; refused loads change nothing; the log keeps every closing and reopening."""

from __future__ import annotations

import pytest

import store.connection
import store.writes
from etl import cli
from etl.load import load_bytes, load_many
from store import periods
from store.periods import Period
from tests.test_load import workbook_bytes
from tests.test_rollback import ACTION_HEADER, PLAN, SCENARIOS, UNINFO, ind, indicators

COUNTRY = "Demoland"
YEAR_2025 = Period(COUNTRY, PLAN, 2025)


def facts(con) -> list[tuple]:
    """Every fact row with its version columns: what a refused load must leave exactly as it was."""
    return [
        con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
        for t in ("budget_lines", "suboutputs", "indicator_rows", "action_rows", "indirect_cost_rows", "row_visibility")
    ]


def load(con, kind: str, name: str, **options):
    return load_bytes(con, SCENARIOS[kind][name], f"{kind}_{name}.xlsx", plan=PLAN, country=COUNTRY, **options)


def closing(con, period: Period) -> str:
    """What the refusal says about the period: who closed it and when (from the log), and how to reopen it."""
    user, at = con.execute("SELECT user_name, changed_at FROM period_log ORDER BY changed_at DESC LIMIT 1").fetchone()
    return periods.closed_by(period, user, at)


@pytest.fixture
def con(store_target):
    """A new store, the embedded file and DuckLake on PostgreSQL."""
    con = store.connection.connect(store_target)
    yield con
    con.close()


def test_a_load_that_would_change_a_closed_year_is_refused_and_changes_nothing(con):
    first = load(con, "budget_indirect", "A")
    assert first.status == "committed"
    periods.close(con, YEAR_2025, "vera")
    before = facts(con)
    refused = load(con, "budget_indirect", "C")  # UNDP 2025 lines and a support cost
    assert refused.status == "rejected"
    at = con.execute("SELECT changed_at FROM period_log").fetchone()[0]
    message = (
        f"UNSDCF 2023-2027 (Demoland) 2025, closed by vera on {at:%Y-%m-%d %H:%M} UTC. To change "
        "it, an administrator reopens it first: python -m etl reopen --country Demoland --plan "
        "'UNSDCF 2023-2027' --year 2025 (or on the Closed periods page)"
    )
    # C adds 1 line and 2 indirect costs of 2025, and retires 2 lines and 1 support cost of A's (UNDP 2025)
    assert [str(e) for e in refused.errors] == [f"budget_indirect_C.xlsx: it would change 6 row(s) of {message}"]
    assert facts(con) == before
    assert (
        con.execute("SELECT status FROM submission_log WHERE submission_id = ?", [refused.submission_id]).fetchone()[0]
        == "rejected"
    )
    # another year of the plan, or the year of another plan, is open
    assert (
        load_bytes(con, SCENARIOS["budget"]["A"], "other-plan.xlsx", plan="Another plan", country=COUNTRY).status
        == "committed"
    )
    periods.reopen(con, YEAR_2025, "vera")
    assert load(con, "budget_indirect", "C").status == "committed"
    assert [(e["action"], e["user_name"]) for e in periods.log(con)] == [("reopened", "vera"), ("closed", "vera")]


def test_a_closed_quarter_holds_indicator_values_and_actions_of_its_dates(con):
    assert load(con, "indicators", "A").status == "committed"
    q3 = Period(COUNTRY, PLAN, 2025, 3)
    periods.close(con, q3, None)
    refused = load_bytes(con, indicators(ind("a", "2025-Q3", 51)), "q3.xlsx", plan=PLAN, country=COUNTRY)
    assert [str(e) for e in refused.errors] == [f"q3.xlsx: it would change 1 row(s) of {closing(con, q3)}"]
    assert ", closed by an unnamed user on " in closing(con, q3) and "--quarter 3" in closing(con, q3)
    # a value of the second quarter, and a whole year's value (its period ends on 31 Dec), are outside it
    assert (
        load_bytes(con, indicators(ind("a", "2025-Q2", 49)), "q2.xlsx", plan=PLAN, country=COUNTRY).status
        == "committed"
    )
    assert load(con, "indicators", "B").status == "committed"
    # actions: a deadline in the quarter holds the file; one outside it does not
    q4 = Period(COUNTRY, PLAN, 2024, 4)
    periods.close(con, q4, "vera")
    header = [*ACTION_HEADER, "Deadline"]
    due = workbook_bytes({"Actions": [header, ["Audit 2024", "1", "1.1", "Fix it", "Ongoing", "UNDP", "2024-11-30"]]})
    refused = load_bytes(con, due, "due.xlsx", plan=PLAN, country=COUNTRY)
    assert [str(e) for e in refused.errors] == [f"due.xlsx: it would change 1 row(s) of {closing(con, q4)}"]
    later = workbook_bytes({"Actions": [header, ["Audit 2024", "1", "1.1", "Fix it", "Ongoing", "UNDP", "2025-01-31"]]})
    assert load_bytes(con, later, "later.xlsx", plan=PLAN, country=COUNTRY).status == "committed"


def test_a_rollback_that_would_change_a_closed_period_is_refused(con):
    a, b = load(con, "budget", "A"), load(con, "budget", "B")
    periods.close(con, YEAR_2025, "vera")
    before = facts(con)
    with pytest.raises(periods.PeriodClosed) as refused:
        store.writes.rollback(con, b.submission_id)
    # B shows 2 lines of 2025 (and 1 of 2026) and had replaced 2 of A's 2025 lines
    assert str(refused.value) == (
        f"Submission {b.submission_id} cannot be rolled back: it would change 4 row(s) of {closing(con, YEAR_2025)}."
    )
    assert facts(con) == before
    assert (
        con.execute("SELECT status FROM submission_log WHERE submission_id = ?", [b.submission_id]).fetchone()[0]
        == "committed"
    )
    periods.reopen(con, YEAR_2025, "vera")
    assert store.writes.rollback(con, b.submission_id)["rows_hidden"] == 3
    assert a.status == "committed"


def test_uninfo_exports_are_held_by_the_years_of_their_lines(con, tmp_path):
    """The education export replaces lines of the digital export (shared sub-output IDs): with a year of one of
    those lines' plans closed, it is refused; in a batch, the other files load."""
    digital, education = ((UNINFO / n).read_bytes() for n in ("Africa_digital.xlsx", "Africa_education.xlsx"))
    # what loading education changes, measured on a copy: the period most of the lines it replaces are in
    other = store.connection.connect(tmp_path / "other.duckdb")
    load_bytes(other, digital, "digital.xlsx")
    sid = load_bytes(other, education, "education.xlsx").submission_id
    country, plan, year, retired = other.execute(
        """SELECT country, plan, year, count(*) FROM budget_lines
        WHERE replaced_by = ? GROUP BY ALL ORDER BY 4 DESC, 1, 2, 3 LIMIT 1""",
        [sid],
    ).fetchone()
    added = other.execute(
        "SELECT count(*) FROM budget_lines WHERE submission_id = ? AND country = ? AND plan = ? AND year = ?",
        [sid, country, plan, year],
    ).fetchone()[0]
    other.close()

    assert load_bytes(con, digital, "digital.xlsx").status == "committed"
    period = Period(country, plan, year)
    periods.close(con, period, "vera")
    before = facts(con)
    results = load_many(
        con, [(education, "education.xlsx"), (SCENARIOS["budget"]["A"], "budget.xlsx")], plan=PLAN, country=COUNTRY
    )
    assert [str(e) for e in results[0].errors] == [
        f"education.xlsx: it would change {added + retired:,} row(s) of {closing(con, period)}"
    ]
    assert results[1].status == "committed"
    assert (
        con.execute("SELECT count(*) FROM budget_lines WHERE submission_id = ?", [results[1].submission_id]).fetchone()[
            0
        ]
        == 4
    )
    assert facts(con)[1] == before[1]  # the sub-outputs are untouched


def test_close_and_reopen_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    db = ["--db", str(path)]
    assert (
        load_bytes(
            store.connection.connect(path), SCENARIOS["budget"]["A"], "a.xlsx", plan=PLAN, country=COUNTRY
        ).status
        == "committed"
    )
    from store import accounts

    c = store.connection.connect(path)
    accounts.add_user(c, "amina", "focal_point", ["UNDP"], "a long password")
    accounts.add_user(c, "vera", "admin", [], "another long password")
    args = ["--country", COUNTRY, "--plan", PLAN, "--year", "2025"]
    assert cli.main(["close", *args, "--user", "amina", *db]) == cli.EXIT_ERRORS
    assert capsys.readouterr().err == "amina is a focal_point: only admins may close or reopen periods.\n"
    assert cli.main(["close", *args, "--user", "vera", *db]) == cli.EXIT_OK
    assert capsys.readouterr().out == (
        "Closed UNSDCF 2023-2027 (Demoland) 2025: loads and roll-backs that would change it are refused until it is "
        "reopened (python -m etl reopen --country Demoland --plan 'UNSDCF 2023-2027' --year 2025).\n"
    )
    assert cli.main(["close", *args, *db]) == cli.EXIT_ERRORS
    assert capsys.readouterr().err.startswith("UNSDCF 2023-2027 (Demoland) 2025 is already closed (closed by vera on ")
    assert cli.main(["close", "--country", COUNTRY, "--plan", "Nope", "--year", "2025", *db]) == cli.EXIT_ERRORS
    assert capsys.readouterr().err == "There is no plan 'Nope' in Demoland: its plans are 'UNSDCF 2023-2027'.\n"
    assert cli.main(["rollback", "1", *db]) == cli.EXIT_ERRORS
    assert capsys.readouterr().err.startswith("Submission 1 cannot be rolled back: it would change 3 row(s) of ")
    assert cli.main(["periods", *db]) == cli.EXIT_OK
    listed = capsys.readouterr().out
    assert "Closed now:\n  UNSDCF 2023-2027 (Demoland) 2025  closed by vera on " in listed
    assert cli.main(["reopen", *args, "--user", "vera", *db]) == cli.EXIT_OK
    assert capsys.readouterr().out == "Reopened UNSDCF 2023-2027 (Demoland) 2025.\n"
    assert cli.main(["reopen", *args, *db]) == cli.EXIT_ERRORS
    assert capsys.readouterr().err == "UNSDCF 2023-2027 (Demoland) 2025 is not closed: nothing changed.\n"
    assert cli.main(["rollback", "1", *db]) == cli.EXIT_OK
