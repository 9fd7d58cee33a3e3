"""Accounts and permissions (SPEC §10): hashing, roles, agency scope for loads and rollbacks."""
from __future__ import annotations

import bcrypt
import pytest

from etl import accounts, store
from etl.load import load_bytes
from tests.test_load import PLAN, budget_file

UNICEF_ROWS = [[2025, "2.1", "Children", "2.1.1", "UNICEF", 500, 400, 300]]
UNDP_ROWS = [[2025, "1.1", "Governance", "1.1.1", "UNDP", 100, 50, 10]]


@pytest.fixture
def con(tmp_path):
    connection = store.connect(tmp_path / "acc.duckdb")
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
    with pytest.raises(ValueError, match="^KOFI@unicef.org already names account kofi: a user name or e-mail may "
                                         "name one account only.$"):
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
    own = load_bytes(con, budget_file(UNICEF_ROWS), "unicef.xlsx", plan=PLAN, user="amina",
                     allowed_agencies={"UNICEF"})
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
    assert again.summary == (f"unicef (1).xlsx: already loaded on {when} by amina (submission "
                             f"{first.submission_id}); nothing changed")
    assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1  # a dry run records nothing
