"""The command line (SPEC §8): exit codes, messages, and the same load as the Upload page."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_load import GOOD_ROWS, PLAN, budget_file

ROOT = Path(__file__).resolve().parents[1]


def etl(*args, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", "--db", str(db), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, input=stdin, timeout=120)


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "cbf.xlsx"
    good.write_bytes(budget_file(GOOD_ROWS))
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(budget_file([[2025, "1.1", "x", "1.1.1", "UNDPP", "12abc", 1, 1]]))
    return good, bad


def test_load_commit_duplicate_errors_and_usage(tmp_path, files):
    good, bad = files
    db = tmp_path / "cli.duckdb"
    first = etl("load", good, "--plan", PLAN, db=db)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("cbf.xlsx: budget added 3 row(s), replacing 0 as submission 1; 3 warning(s)")
    again = etl("load", good, "--plan", PLAN, db=db)
    assert again.returncode == 0
    assert "already loaded on" in again.stdout and "nothing changed" in again.stdout
    broken = etl("load", bad, "--plan", PLAN, db=db)
    assert broken.returncode == 1
    assert broken.stdout.splitlines()[:3] == [
        "broken.xlsx: 2 error(s); nothing was loaded",
        "  error: broken.xlsx Budget!E4 column agency: 'UNDPP': a known UN entity — did you mean UNDP?",
        "  error: broken.xlsx Budget!F4 column required: '12abc': an amount such as 1,234.50 or USD 1,234",
    ]
    other = good.with_name("cbf-2.xlsx")
    other.write_bytes(budget_file(GOOD_ROWS, title=False))
    dry = etl("load", other, "--plan", "Another plan", "--dry-run", db=db)
    assert dry.returncode == 0 and "would add 3 row(s)" in dry.stdout
    assert etl("load", tmp_path / "missing.xlsx", db=db).returncode == 2
    assert etl("load", good, "--kind", "nonsense", db=db).returncode == 2
    history = etl("submissions", db=db)
    assert history.returncode == 0
    assert [line.split()[3] for line in history.stdout.splitlines()[1:]] == ["committed", "duplicate", "rejected"]


def test_rollback_restores_and_refuses_twice(tmp_path, files):
    good, _ = files
    db = tmp_path / "cli.duckdb"
    etl("load", good, "--plan", PLAN, db=db)
    done = etl("rollback", 1, db=db)
    assert done.returncode == 0
    assert done.stdout.strip() == "Rolled back submission 1: 3 row(s) withdrawn, 0 earlier row(s) restored."
    twice = etl("rollback", 1, db=db)
    assert twice.returncode == 1
    assert "Submission 1 is rolled_back" in twice.stderr


def test_users_and_permissions_on_the_command_line(tmp_path, files):
    good, _ = files
    db = tmp_path / "cli.duckdb"
    assert etl("users", "add", "amina", "--role", "focal_point", "--agency", "UNICEF", db=db,
               stdin="correct horse battery\n").returncode == 0
    assert etl("users", "add", "viv", "--role", "viewer", db=db, stdin="another long pass\n").returncode == 0
    listing = etl("users", "list", db=db).stdout
    assert "amina" in listing and "focal_point" in listing and "UNICEF" in listing
    # the file holds UNDP and UN Women rows: a UNICEF focal point may not load it
    refused = etl("load", good, "--plan", PLAN, "--user", "amina", db=db)
    assert refused.returncode == 1
    assert "your account may not load other agencies' rows" in refused.stdout
    viewer = etl("load", good, "--plan", PLAN, "--user", "viv", db=db)
    assert viewer.returncode == 1 and "only focal points and admins may load data" in viewer.stderr
    assert etl("users", "remove", "viv", db=db).returncode == 0
    assert "viv" not in etl("users", "list", db=db).stdout
    short = etl("users", "add", "x", "--role", "admin", db=db, stdin="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr


def test_readme_documents_every_command():
    readme = (ROOT / "README.md").read_text()
    for command in ("load", "submissions", "rollback", "export", "template", "demo", "users add", "users list",
                    "users remove"):
        assert f"python -m etl {command}" in readme, command


def test_demo_files_only_writes_the_spreadsheets(tmp_path):
    db = tmp_path / "untouched.duckdb"
    done = subprocess.run([sys.executable, "-m", "etl", "--db", str(db), "demo", "--files", str(tmp_path / "sample")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(Path(line).name for line in done.stdout.split()) == sorted(
        p.name for p in (tmp_path / "sample").glob("*.xlsx"))
    assert len(done.stdout.split()) == 3
    assert not db.exists()


def test_a_single_sign_on_account_needs_no_password(tmp_path):
    db = tmp_path / "cli.duckdb"
    done = etl("users", "add", "amina", "--role", "focal_point", "--agency", "UNICEF", "--email",
               "amina@example.org", db=db, stdin="\n")
    assert done.returncode == 0, done.stderr
    from etl import accounts, store

    con = store.connect(db)
    assert accounts.get_user(con, "amina@example.org")["password_hash"] is None
    assert accounts.authenticate(con, "amina", "") is None  # no password sign-in for it
    con.close()
