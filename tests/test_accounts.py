"""Accounts and permissions (SPEC §10): hashing, roles, agency scope for loads and rollbacks."""

from __future__ import annotations

import bcrypt
import pytest

import store.connection
import store.writes
from etl.load import load_bytes, load_many
from store import accounts
from tests.test_load import (
    ACTION_HEADER,
    BUDGET_HEADER,
    INDICATOR_HEADER,
    PLAN,
    budget_file,
    uninfo_file,
    uninfo_row,
    workbook_bytes,
)

UNICEF_ROWS = [[2025, "2.1", "Children", "2.1.1", "UNICEF", 500, 400, 300]]
UNDP_ROWS = [[2025, "1.1", "Governance", "1.1.1", "UNDP", 100, 50, 10]]


@pytest.fixture
def con(tmp_path):
    connection = store.connection.connect(tmp_path / "acc.duckdb")
    accounts.add_user(connection, "root", "admin", [], "admin password 1")
    accounts.add_user(connection, "amina", "focal_point", ["unicef"], "amina password")
    accounts.add_user(connection, "viv", "viewer", [], "viewer password")
    yield connection
    connection.close()


def test_only_a_slow_salted_hash_is_kept(con):
    stored = con.execute("SELECT password_hash FROM users WHERE user_name = 'amina'").fetchone()[0]
    assert stored.startswith("bcrypt-sha256$$2b$12$") and "amina password" not in stored
    other = accounts.hash_password("amina password")
    assert other != stored  # salted
    assert accounts.authenticate(con, "amina", "amina password")["agencies"] == ["UNICEF"]
    assert accounts.authenticate(con, "amina", "wrong password") is None
    assert accounts.authenticate(con, "nobody", "amina password") is None


LONG = "correct horse battery staple " * 4  # 116 bytes: bcrypt alone refuses more than 72
ARABIC = "كلمة المرور الطويلة جدا للحساب"  # 30 characters, 55 bytes in UTF-8: twice is 60 characters, 110 bytes


@pytest.mark.parametrize("password", [LONG, ARABIC * 2, "x" * 72 + "é"])
def test_a_password_of_any_length_is_kept_whole(con, password):
    accounts.add_user(con, "long", "viewer", [], password)
    assert accounts.authenticate(con, "long", password)["user_name"] == "long"
    assert accounts.authenticate(con, "long", password[:-1] + "?") is None  # the last character counts too
    assert accounts.authenticate(con, "long", password.encode()[:72].decode(errors="ignore")) is None  # bcrypt's part


def old_hash(password: str) -> str:
    """A hash as the accounts created before prehashing have it: bcrypt of the password itself."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()


def test_hashes_made_before_prehashing_still_verify(con):
    con.execute("UPDATE users SET password_hash = ? WHERE user_name = 'viv'", [old_hash("viewer password")])
    assert accounts.authenticate(con, "viv", "viewer password")["user_name"] == "viv"
    assert accounts.authenticate(con, "viv", "viewer passwore") is None
    assert accounts.authenticate(con, "viv", "viewer password" + "x" * 80) is None  # over 72 bytes: no error


def test_a_damaged_hash_refuses_the_sign_in(con):
    con.execute("UPDATE users SET password_hash = 'not a hash' WHERE user_name = 'viv'")
    assert accounts.authenticate(con, "viv", "viewer password") is None
    con.execute("UPDATE users SET password_hash = 'bcrypt-sha256$garbage' WHERE user_name = 'viv'")
    assert accounts.authenticate(con, "viv", "viewer password") is None


def test_an_account_is_found_by_name_or_by_e_mail_in_any_case(con):
    accounts.add_user(con, "kofi", "focal_point", ["UNICEF"], "kofi password", email="Kofi.Mensah@unicef.org")
    for identifier in ("kofi", "kofi.mensah@unicef.org", "KOFI.MENSAH@UNICEF.ORG"):
        assert accounts.authenticate(con, identifier, "kofi password")["user_name"] == "kofi"
    assert accounts.get_user(con, "Kofi") is None  # user names are exact


def test_a_user_name_or_e_mail_names_one_account(con):
    accounts.add_user(con, "kofi", "viewer", [], "kofi password", email="kofi@unicef.org")
    accounts.add_user(con, "kofi", "viewer", [], None, email="KOFI@unicef.org")  # the same account: fine
    with pytest.raises(
        ValueError,
        match="^KOFI@unicef.org already names account kofi: a user name or e-mail may name one account only.$",
    ):
        accounts.add_user(con, "kofi2", "viewer", [], None, email="kofi@UNICEF.org")
    with pytest.raises(ValueError, match="^KOFI@unicef.org already names account kofi"):
        accounts.add_user(con, "kofi@unicef.org", "viewer", [], "long enough pw")
    with pytest.raises(ValueError, match="^amina already names account amina"):
        accounts.add_user(con, "other", "viewer", [], None, email="Amina")
    # two accounts that came to share an e-mail before this rule: the e-mail names neither
    con.execute("UPDATE users SET email = 'kofi@unicef.org' WHERE user_name = 'viv'")
    assert accounts.get_user(con, "kofi@unicef.org") is None
    assert accounts.get_user(con, "kofi")["user_name"] == "kofi"


def test_account_rules(con):
    with pytest.raises(ValueError, match="at least 8 characters"):
        accounts.add_user(con, "x", "viewer", [], "short")
    with pytest.raises(ValueError, match="needs at least one --agency"):
        accounts.add_user(con, "x", "focal_point", [], "long enough pw")
    with pytest.raises(ValueError, match="Role 'boss' is not one of"):
        accounts.add_user(con, "x", "boss", [], "long enough pw")
    with pytest.raises(ValueError, match="did you mean UNDP"):
        accounts.add_user(con, "x", "focal_point", ["UNDPP"], "long enough pw")


def test_upload_scope_per_role(con):
    assert accounts.upload_scope(con, "root") is None
    assert accounts.upload_scope(con, "amina") == {"UNICEF"}
    with pytest.raises(accounts.PermissionDenied, match="only focal points and admins may load data"):
        accounts.upload_scope(con, "viv")
    with pytest.raises(accounts.PermissionDenied, match="There is no account"):
        accounts.upload_scope(con, "ghost")


def test_a_focal_point_cannot_load_another_agencys_rows_and_the_rows_are_listed(con):
    mixed = budget_file(UNICEF_ROWS + UNDP_ROWS)
    result = load_bytes(con, mixed, "mixed.xlsx", plan=PLAN, user="amina", allowed_agencies={"UNICEF"})
    assert result.status == "rejected"
    assert [(e.cell, e.value) for e in result.errors] == [("row 5", "UNDP")]
    assert "your account may not load other agencies' rows" in result.errors[0].expected
    assert con.execute("SELECT count(*) FROM budget").fetchone()[0] == 0
    own = load_bytes(con, budget_file(UNICEF_ROWS), "unicef.xlsx", plan=PLAN, user="amina", allowed_agencies={"UNICEF"})
    assert own.status == "committed"


def test_rollback_permissions(con):
    undp = load_bytes(con, budget_file(UNDP_ROWS), "undp.xlsx", plan=PLAN, user="root")
    unicef = load_bytes(con, budget_file(UNICEF_ROWS), "unicef.xlsx", plan=PLAN, user="amina")
    with pytest.raises(accounts.PermissionDenied, match="may roll back only submissions of UNICEF"):
        accounts.check_rollback(con, "amina", undp.submission_id)
    accounts.check_rollback(con, "amina", unicef.submission_id)  # own agency: allowed
    accounts.check_rollback(con, "root", undp.submission_id)  # admin: any
    with pytest.raises(accounts.PermissionDenied):
        accounts.check_rollback(con, "viv", unicef.submission_id)


def test_duplicate_upload_says_when_and_by_whom(con):
    data = budget_file(UNICEF_ROWS)
    first = load_bytes(con, data, "unicef.xlsx", plan=PLAN, user="amina")
    again = load_bytes(con, data, "unicef (1).xlsx", plan=PLAN, user="amina", dry_run=True)
    assert again.status == "duplicate"
    when = f"{again.duplicate_of['created_at']:%Y-%m-%d %H:%M}"
    assert again.summary == (
        f"unicef (1).xlsx: already loaded on {when} by amina (submission {first.submission_id}); nothing changed"
    )
    assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1  # a dry run records nothing


# ---------------------------------------------------------------- agency boundaries of replacements (SPEC §2.1b, §10)

#: UNICEF's export: five budget lines of three sub-outputs, USD 50 M required
UNICEF_EXPORT = uninfo_file(
    uninfo_row(101, "UNICEF", 10e6, 10e6), uninfo_row(102, "UNICEF", 10e6, 10e6), uninfo_row(103, "UNICEF", 10e6)
)
#: UNDP's export re-using two of UNICEF's IDs as UNDP's, and a sub-output of its own
UNDP_EXPORT = uninfo_file(uninfo_row(101, "UNDP", 1e6), uninfo_row(102, "UNDP", 1e6), uninfo_row(201, "UNDP", 1e6))


def figures(con, agency: str) -> tuple:
    return con.execute("SELECT count(*), sum(required) FROM budget WHERE agency = ?", [agency]).fetchone()


@pytest.fixture
def store_con(tmp_path):
    """A database without accounts: the load rules are given the uploader's agencies directly."""
    connection = store.connection.connect(tmp_path / "boundaries.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def undp(store_con):
    """UNICEF's export loaded (by its focal point)."""
    result = load_bytes(store_con, UNICEF_EXPORT, "unicef.xlsx", user="amina", allowed_agencies={"UNICEF"})
    assert result.status == "committed"
    return store_con


@pytest.mark.parametrize("dry_run", [True, False], ids=["check", "commit"])
def test_a_focal_point_cannot_retire_another_agencys_suboutputs(undp, dry_run):
    """The issue: a UNDP focal point's export re-using two UNICEF IDs replaced five UNICEF lines (USD 50 M)."""
    con = undp
    before = figures(con, "UNICEF")
    assert before == (5, 50e6)
    result = load_bytes(
        con, UNDP_EXPORT, "undp.xlsx", user="dina", allowed_agencies={"UNDP"}, dry_run=dry_run, record_rejected=True
    )
    assert result.status == "rejected"
    assert [str(e) for e in result.errors] == [
        f"undp.xlsx Data Explorer!row {row} column ID: ID {sub} is a sub-output of UNICEF; your account may replace "
        "only UNDP's rows"
        for row, sub in ((2, 101), (3, 102))
    ]
    assert figures(con, "UNICEF") == before and figures(con, "UNDP") == (0, None)
    assert con.execute("SELECT count(*) FROM suboutput_list WHERE agency = 'UNDP'").fetchone()[0] == 0
    assert con.execute(
        "SELECT status, rows_added, errors FROM submission_log WHERE file_name = 'undp.xlsx'"
    ).fetchall() == [("rejected", 0, [str(e) for e in result.errors])]


@pytest.mark.parametrize(
    "stored, scope, refused_as",
    [
        (uninfo_row(101, "UNICEF; WHO", 5e6), {"UNDP"}, "UNICEF and WHO (joint)"),
        (uninfo_row(101, None, 5e6), {"UNDP"}, "no agency"),
        (uninfo_row(101, "UNICEF"), {"UNDP"}, "UNICEF"),  # a sub-output without figures (kept in the plan)
        (uninfo_row(101, "UNDP; UNICEF", 5e6), {"UNDP"}, None),  # joint with the uploader's agency
        (uninfo_row(101, "UNDP", 5e6), {"UNDP"}, None),
        (uninfo_row(101, "UNICEF", 5e6), {"UNDP", "UNICEF"}, None),  # a focal point of both
    ],
    ids=["joint-of-others", "no-agency", "no-figures", "joint-with-mine", "mine", "both-mine"],
)
def test_a_reused_id_may_retire_only_rows_one_of_whose_agencies_is_the_uploaders(store_con, stored, scope, refused_as):
    con = store_con
    first = load_bytes(con, uninfo_file(stored, uninfo_row(102, "UNICEF", 1e6)), "first.xlsx")
    assert first.status == "committed", [str(e) for e in first.errors]
    reuse = uninfo_file(uninfo_row(101, "UNDP", 1e6))
    result = load_bytes(con, reuse, "reuse.xlsx", allowed_agencies=scope)
    if refused_as is None:
        assert (result.status, result.rows_added) == ("committed", 1)
        assert con.execute("SELECT agency FROM suboutput_list WHERE suboutput_id = '101'").fetchall() == [("UNDP",)]
        return
    assert [str(e) for e in result.errors] == [
        f"reuse.xlsx Data Explorer!row 2 column ID: ID 101 is a sub-output of {refused_as}; your account may "
        "replace only UNDP's rows"
    ]
    assert con.execute("SELECT DISTINCT submission_id FROM suboutput_list").fetchall() == [(first.submission_id,)]


def test_in_a_batch_only_the_file_crossing_the_boundary_is_refused(undp):
    con = undp
    own = uninfo_file(uninfo_row(301, "UNDP", 2e6))
    results = load_many(
        con, [(UNDP_EXPORT, "undp.xlsx"), (own, "undp-own.xlsx")], user="dina", allowed_agencies={"UNDP"}
    )
    assert [r.status for r in results] == ["rejected", "committed"]
    assert figures(con, "UNDP") == (1, 2e6) and figures(con, "UNICEF") == (5, 50e6)


@pytest.mark.parametrize("kind", ["budget", "indicators", "actions"])
def test_a_focal_points_file_replaces_only_its_agencys_rows_of_the_scope(store_con, kind):
    """Budget (CBF), indicators and actions replace by plan or source, agency and year or period: the same scope
    of UNICEF or of no agency is never replaced by a UNDP focal point's file."""
    con = store_con

    def file(agency):
        if kind == "budget":
            return workbook_bytes({"Budget": [BUDGET_HEADER, [2025, "1.1", "x", "1.1.1", agency, 10, 5, 1]]})
        if kind == "indicators":
            return workbook_bytes(
                {
                    "Indicators": [
                        INDICATOR_HEADER,
                        ["a", "Births attended", "1.1", "%", 42, 2022, 60, 2027, "2025", 51, agency],
                    ]
                }
            )
        return workbook_bytes({"Actions": [ACTION_HEADER, ["CF evaluation", "1", "1.1", "Fix it", "Ongoing", agency]]})

    options = {"plan": PLAN, "country": "Kenya"}
    others = ("UNICEF",) if kind == "budget" else ("UNICEF", None)  # a budget line always has an agency
    assert [load_bytes(con, file(agency), f"{agency}.xlsx", **options).status for agency in others] == [
        "committed"
    ] * len(others)
    result = load_bytes(con, file("UNDP"), "undp.xlsx", allowed_agencies={"UNDP"}, **options)
    assert (result.status, result.rows_added, result.rows_replaced) == ("committed", 1, 0)


def test_the_boundary_follows_the_replace_scope(store_con, monkeypatch):
    """Should a replace scope ever reach beyond the agency, the check, run on what the load would retire, refuses."""
    con = store_con
    assert load_bytes(con, budget_file(UNICEF_ROWS), "unicef.xlsx", plan=PLAN, country="Kenya").status == "committed"
    table, scope = store.writes.REPLACE_SCOPE["budget"]
    monkeypatch.setitem(
        store.writes.REPLACE_SCOPE, "budget", (table, scope.replace("AND s.agency IS NOT DISTINCT FROM t.agency", ""))
    )
    mine = [[2025, "2.1", "Children", "2.1.9", "UNDP", 1, 1, 1]]
    result = load_bytes(con, budget_file(mine), "undp.xlsx", plan=PLAN, country="Kenya", allowed_agencies={"UNDP"})
    assert [str(e) for e in result.errors] == [
        f"undp.xlsx Budget!row 4 column agency: 'UNDP': it would replace current rows of UNICEF in '{PLAN}' (Kenya); "
        "your account may replace only UNDP's rows"
    ]
    assert figures(con, "UNICEF") == (1, 500.0)


def test_an_admins_preview_shows_every_agency_whose_rows_change(undp):
    """An administrator may replace any agency's rows; the preview's before → after then covers UNICEF too."""
    con = undp
    preview = load_bytes(con, UNDP_EXPORT, "undp.xlsx", user="root", dry_run=True).preview
    assert preview["others"] == ["UNICEF"]
    before, after = preview["before"], preview["after"]
    assert (before["agencies"], before["scopes"]) == (["UNDP", "UNICEF"], ["UNSDCF (Kenya)"])
    assert before["by_agency"] == {"UNICEF": {"rows": 5, "required": 50e6, "available": 25e6, "expenditure": 12.5e6}}
    assert after["by_agency"] == {
        "UNICEF": {"rows": 1, "required": 10e6, "available": 5e6, "expenditure": 2.5e6},
        "UNDP": {"rows": 3, "required": 3e6, "available": 1.5e6, "expenditure": 0.75e6},
    }
    assert (before["required"], after["required"]) == (50e6, 13e6)
    assert figures(con, "UNICEF") == (5, 50e6)  # a dry run


def test_a_focal_point_may_not_roll_back_a_submission_that_replaced_another_agencys_rows(con):
    """Rolling back an administrator's UNDP export that replaced UNICEF's sub-outputs would change UNICEF's rows."""
    accounts.add_user(con, "dina", "focal_point", ["UNDP"], "dina password")
    assert load_bytes(con, UNICEF_EXPORT, "unicef.xlsx", user="amina").status == "committed"
    crossing = load_bytes(con, UNDP_EXPORT, "undp.xlsx", user="root")
    own = load_bytes(con, uninfo_file(uninfo_row(201, "UNDP", 3e6)), "undp-v2.xlsx", user="root")
    assert (crossing.status, own.status) == ("committed", "committed")
    with pytest.raises(
        accounts.PermissionDenied,
        match=(
            rf"^Submission {crossing.submission_id} replaced rows of UNICEF: rolling it back would change them; "
            r"dina may roll back only submissions that changed rows of UNDP alone"
        ),
    ):
        accounts.check_rollback(con, "dina", crossing.submission_id)
    with pytest.raises(accounts.PermissionDenied, match="holds rows of UNDP; amina may roll back only"):
        accounts.check_rollback(con, "amina", crossing.submission_id)
    accounts.check_rollback(con, "dina", own.submission_id)  # it replaced UNDP's sub-output 201 only
    accounts.check_rollback(con, "root", crossing.submission_id)
    assert accounts.rollback_refusals(con, "dina", [crossing.submission_id, own.submission_id]).keys() == {
        crossing.submission_id
    }
