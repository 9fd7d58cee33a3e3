"""The command line (SPEC §8): exit codes, messages, and the same load as the Upload page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.test_load import BUDGET_HEADER, GOOD_ROWS, PLAN, budget_file, uninfo_file, uninfo_row, workbook_bytes

ROOT = Path(__file__).resolve().parents[1]


def etl(*args, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


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
    first = etl("load", good, "--plan", PLAN, "--country", "Kenya", db=db)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("cbf.xlsx: budget added 3 row(s), replacing 0 as submission 1; 3 warning(s)")
    again = etl("load", good, "--plan", PLAN, "--country", "Kenya", db=db)
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
    assert (
        etl(
            "users",
            "add",
            "amina",
            "--role",
            "focal_point",
            "--agency",
            "UNICEF",
            db=db,
            stdin="correct horse battery\n",
        ).returncode
        == 0
    )
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


def test_a_plan_known_in_several_countries_needs_the_country(tmp_path):
    """A budget without a country column, for a plan name two countries use: refused, the countries listed;
    with --country it loads into that country (and a plan known in one country needs none)."""
    db = tmp_path / "cli.duckdb"
    for country, agency in (("Kenya", "UNDP"), ("Ghana", "WHO")):
        path = tmp_path / f"{country}.xlsx"
        path.write_bytes(workbook_bytes({"Budget": [BUDGET_HEADER, [2025, "1.1", "x", "1.1.1", agency, 10, 5, 1]]}))
        assert etl("load", path, "--plan", "UNSDCF", "--country", country, db=db).returncode == 0
    cbf = tmp_path / "unicef.xlsx"
    cbf.write_bytes(workbook_bytes({"Budget": [BUDGET_HEADER, [2025, "2.1", "x", "2.1.1", "UNICEF", 100, 50, 10]]}))
    refused = etl("load", cbf, "--plan", "UNSDCF", db=db)
    assert refused.returncode == 1
    assert refused.stdout.splitlines() == [
        "unicef.xlsx: 1 error(s); nothing was loaded",
        "  error: unicef.xlsx Budget column country: plan 'UNSDCF' exists in Ghana, Kenya (2 countries): choose "
        "the country (--country, or the Upload page's Country field)",
    ]
    done = etl("load", cbf, "--plan", "UNSDCF", "--country", "Ghana", db=db)
    assert done.returncode == 0 and done.stdout.startswith("unicef.xlsx: budget added 1 row(s), replacing 0")
    exported = etl("export", "budget", "--country", "Ghana", "--agency", "UNICEF", db=db)
    assert exported.stdout.count("UNICEF") == 1 and "Ghana" in exported.stdout


def test_a_focal_point_may_not_retire_another_agencys_suboutputs(tmp_path):
    db = tmp_path / "cli.duckdb"
    for name, agency in (("kofi", "UNICEF"), ("dina", "UNDP")):
        assert (
            etl(
                "users",
                "add",
                name,
                "--role",
                "focal_point",
                "--agency",
                agency,
                db=db,
                stdin="correct horse battery\n",
            ).returncode
            == 0
        )
    unicef, undp = tmp_path / "unicef.xlsx", tmp_path / "undp.xlsx"
    unicef.write_bytes(uninfo_file(uninfo_row(101, "UNICEF", 10e6, 10e6), uninfo_row(102, "UNICEF", 10e6)))
    undp.write_bytes(uninfo_file(uninfo_row(101, "UNDP", 1e6), uninfo_row(201, "UNDP", 1e6)))
    assert etl("load", unicef, "--user", "kofi", db=db).returncode == 0
    for dry in ((), ("--dry-run",)):
        refused = etl("load", undp, "--user", "dina", *dry, db=db)
        assert refused.returncode == 1
        assert refused.stdout.splitlines() == [
            "undp.xlsx: 1 error(s); nothing was loaded",
            "  error: undp.xlsx Data Explorer!row 2 column ID: ID 101 is a sub-output of UNICEF; your account may "
            "replace only UNDP's rows",
        ]
    admin = etl("load", undp, "--dry-run", db=db)  # no --user: an administrator's tool
    assert admin.returncode == 0 and "would add 2 row(s), replacing 2" in admin.stdout


def test_readme_documents_every_command():
    readme = (ROOT / "README.md").read_text()
    for command in (
        "load",
        "submissions",
        "rollback",
        "export",
        "template",
        "demo",
        "users add",
        "users list",
        "users remove",
        "entities add",
        "entities list",
        "brief",
        "migrate",
    ):
        assert f"python -m etl {command}" in readme, command


def test_demo_files_only_writes_the_spreadsheets(tmp_path):
    db = tmp_path / "untouched.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), "demo", "--files", str(tmp_path / "sample")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(Path(line).name for line in done.stdout.split()) == sorted(
        p.name for p in (tmp_path / "sample").glob("*.xlsx")
    )
    assert len(done.stdout.split()) == 3
    assert not db.exists()


@pytest.mark.slow
def test_demo_refuses_to_delete_real_data_unless_asked(tmp_path, files):
    good, _ = files
    db = tmp_path / "real.duckdb"
    assert etl("load", good, "--plan", PLAN, "--country", "Kenya", db=db).returncode == 0
    refused = etl("demo", db=db)
    assert refused.returncode == 2
    assert re.fullmatch(
        rf"{re.escape(str(db))} holds data that are not the demo's \(1 submission, the last "
        r"uploaded by .+ on \d{4}-\d\d-\d\d\): rebuilding the demo would delete them\. Give another "
        r"--db for the demo, or add --replace to delete them\.\n",
        refused.stderr,
    ), refused.stderr
    assert "committed" in etl("submissions", db=db).stdout  # still there
    replaced = etl("demo", "--replace", db=db)
    assert replaced.returncode == 0, replaced.stderr
    again = etl("demo", db=db)  # a database holding only the demo's submissions is rebuilt without asking
    assert again.returncode == 0, again.stderr
    assert "cbf.xlsx" not in etl("submissions", db=db).stdout  # only the demo's files now


def test_a_single_sign_on_account_needs_no_password(tmp_path):
    db = tmp_path / "cli.duckdb"
    done = etl(
        "users",
        "add",
        "amina",
        "--role",
        "focal_point",
        "--agency",
        "UNICEF",
        "--email",
        "amina@example.org",
        db=db,
        stdin="\n",
    )
    assert done.returncode == 0, done.stderr
    import store.connection
    from store import accounts

    con = store.connection.connect(db)
    assert accounts.get_user(con, "amina@example.org")["password_hash"] is None
    assert accounts.authenticate(con, "amina", "") is None  # no password sign-in for it
    con.close()


SSC = "United Nations Office for South-South Cooperation"


def columns(line: str) -> list[str]:
    """The cells of an aligned listing line (columns are at least two spaces apart)."""
    return re.split(r"\s{2,}", line.strip())


def test_an_administrator_adds_an_entity_and_files_naming_it_load(tmp_path):
    db = tmp_path / "cli.duckdb"
    cbf = tmp_path / "ssc.xlsx"  # one row by the code, one by an alias
    cbf.write_bytes(
        budget_file(
            [
                [2025, "1.1", "x", "1.1.1", "UNOSSC", 1000, 500, 100],
                [2025, "1.1", "x", "1.1.2", "South-South Office", 2000, None, None],
            ]
        )
    )
    unknown = etl("load", cbf, "--plan", PLAN, db=db)
    assert unknown.returncode == 1 and "'UNOSSC'" in unknown.stdout  # a typo must not create an agency
    added = etl("entities", "add", "UNOSSC", SSC, "--alias", "South-South Office", "SSC Office", db=db)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"Added UNOSSC ({SSC})."
    listing = etl("entities", "list", db=db).stdout.splitlines()
    assert listing[0].split() == ["code", "origin", "name", "aliases"]
    assert [line.split("  ")[0] for line in listing[1:]] == sorted(line.split("  ")[0] for line in listing[1:])
    row = next(line for line in listing if line.startswith("UNOSSC "))
    assert columns(row) == ["UNOSSC", "admin", SSC, "South-South Office; SSC Office"]
    assert listing[0].index("name") == row.index(SSC)  # aligned columns
    assert any(line.split()[:2] == ["UNDP", "shipped"] for line in listing)
    loaded = etl("load", cbf, "--plan", PLAN, db=db)
    assert loaded.returncode == 0, loaded.stdout
    assert "budget added 2 row(s)" in loaded.stdout
    import store.connection

    con = store.connection.connect(db)
    assert con.execute("SELECT agency, required FROM budget ORDER BY output_code").fetchall() == [
        ("UNOSSC", 1000.0),
        ("UNOSSC", 2000.0),
    ]
    con.close()


def test_entities_add_updates_an_existing_code_and_says_so(tmp_path):
    db = tmp_path / "cli.duckdb"
    same = etl("entities", "add", "UNICEF", "United Nations Children's Fund", "--alias", "UN Childrens Fund", db=db)
    assert same.stdout.strip() == "UNICEF already reads so: nothing changed."
    assert (
        columns(
            next(line for line in etl("entities", "list", db=db).stdout.splitlines() if line.startswith("UNICEF "))
        )[1]
        == "shipped"
    )
    renamed = etl("entities", "add", "UNDP", "UN Development Programme", "--alias", "PNUD", db=db)
    assert renamed.returncode == 0, renamed.stderr
    assert renamed.stdout.strip() == (
        "Updated UNDP: name 'United Nations Development Programme' → 'UN Development Programme'; alias(es) PNUD added."
    )
    again = etl("entities", "add", "UNDP", "UN Development Programme", "--alias", "pnud", db=db)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    row = next(line for line in etl("entities", "list", db=db).stdout.splitlines() if line.startswith("UNDP "))
    assert columns(row) == ["UNDP", "admin", "UN Development Programme", "PNUD"]
    import store.connection
    import store.writes
    from core.entities import EntityResolver

    con = store.connection.connect(db)
    assert EntityResolver(store.writes.entities(con)).try_resolve("PNUD") == "UNDP"
    con.close()


def test_entities_add_refuses_a_bad_entry_naming_the_value(tmp_path):
    db = tmp_path / "cli.duckdb"
    for args, named in [
        (["", "Some name"], "''"),
        (["UNDP;UNICEF", "Two entities"], "'UNDP;UNICEF'"),
        (["!!", "Punctuation"], "'!!'"),
        (["UNITED-NATIONS-OFFICE-X", "Too long a code"], "'UNITED-NATIONS-OFFICE-X'"),
        (["undp", "Another spelling of a code"], "'undp'"),
        (["UNWomen", "An alias of UN Women"], "'UNWomen'"),
        (["NEWX", "New X", "--alias", "UNDP"], "'UNDP'"),
        (["NEWX", "United Nations Children's Fund"], "United Nations Children's Fund"),
        (["NEWX", "  "], "'  '"),
    ]:
        bad = etl("entities", "add", *args, db=db)
        assert bad.returncode == 2, (args, bad.stdout)
        assert named in bad.stderr and "Traceback" not in bad.stderr, (args, bad.stderr)
    listing = etl("entities", "list", db=db).stdout
    assert "NEWX" not in listing and not any(
        name in listing
        for name in (  # nothing was written
            "Some name",
            "Two entities",
            "Punctuation",
            "Too long a code",
            "Another spelling",
            "An alias of",
        )
    )


def test_entities_add_as_a_user_must_be_an_admin(tmp_path):
    db = tmp_path / "cli.duckdb"
    etl("users", "add", "viv", "--role", "viewer", db=db, stdin="another long pass\n")
    etl("users", "add", "root", "--role", "admin", db=db, stdin="another long pass\n")
    refused = etl("entities", "add", "UNOSSC", SSC, "--user", "viv", db=db)
    assert refused.returncode == 1 and "only admins may add or change entities" in refused.stderr
    assert etl("entities", "add", "UNOSSC", SSC, "--user", "ghost", db=db).returncode == 1
    assert "UNOSSC" not in etl("entities", "list", db=db).stdout
    assert etl("entities", "add", "UNOSSC", SSC, "--user", "root", db=db).returncode == 0
    assert "UNOSSC" in etl("entities", "list", db=db).stdout


def run(*args) -> subprocess.CompletedProcess:
    """The command line without the leading --db that `etl()` puts first."""
    return subprocess.run(
        [sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_every_command_takes_db_after_the_command_too(tmp_path):
    db, elsewhere = tmp_path / "cli.duckdb", tmp_path / "other" / "unused.duckdb"
    etl("users", "add", "amina", "--role", "viewer", db=db, stdin="correct horse battery\n")
    for args in (
        ["users", "list", "--db", db],
        ["users", "--db", db, "list"],
        ["--db", elsewhere, "users", "list", "--db", db],
    ):  # the later --db wins
        done = run(*args)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("amina "), args
    assert run("entities", "add", "UNOSSC", SSC, "--db", db).returncode == 0
    assert "UNOSSC" in run("entities", "list", "--db", db).stdout
    assert run("submissions", "--db", db).stdout.startswith("No submissions yet")
    assert run("users", "remove", "amina", "--db", db).returncode == 0
    assert not elsewhere.exists()
    from etl import cli

    # a --db given first is kept when the command does not repeat it
    assert cli._parser().parse_args(["--db", "x.duckdb", "users", "list"]).db == "x.duckdb"
    assert cli._parser().parse_args(["entities", "add", "A", "B", "--db", "y.duckdb"]).db == "y.duckdb"


def test_users_add_takes_several_agencies_either_way(tmp_path):
    db = tmp_path / "cli.duckdb"
    both = etl(
        "users",
        "add",
        "amina",
        "--role",
        "focal_point",
        "--agency",
        "UNDP",
        "unicef",
        db=db,
        stdin="correct horse battery\n",
    )
    assert both.returncode == 0, both.stderr
    repeated = etl(
        "users",
        "add",
        "bo",
        "--role",
        "focal_point",
        "--agency",
        "UNDP",
        "--agency",
        "UN-Women",
        "--email",
        "bo@example.org",
        db=db,
        stdin="correct horse battery\n",
    )
    assert repeated.returncode == 0, repeated.stderr
    import store.connection
    from store import accounts

    con = store.connection.connect(db)
    assert accounts.get_user(con, "amina")["agencies"] == ["UNDP", "UNICEF"]
    assert accounts.get_user(con, "bo")["agencies"] == ["UNDP", "UN Women"]
    con.close()


#: a load in a new process, then what it imported: the load's output and whether pandas was imported by then
#: a load on the command line, saying how many threads its store's DuckDB was given (argv[1]: the size under which a
#: database file is loaded with one, store.connection.ONE_THREAD_BELOW)
LOAD_THREADS = """
import sys, duckdb
import store.connection
store.connection.ONE_THREAD_BELOW = int(sys.argv.pop(1))
given, connect = [], duckdb.connect
def counted(database=":memory:", *args, config=None, **kwargs):
    given.append((config or {}).get("threads", "one per core"))
    return connect(database, *args, config=config, **kwargs)
duckdb.connect = counted
from etl.cli import main
print("exit", main(sys.argv[1:]), "threads", given[-1])
"""


def test_a_small_database_is_loaded_with_one_duckdb_thread_and_the_same_rows(tmp_path):
    """A load into a new or small database file gives DuckDB one thread (the worker processes take the cores; 90 MB
    less at the load's peak: README, Benchmarks), into a larger one a thread per core; the rows stored are the
    same."""
    exports = sorted((ROOT.parent / "shared" / "data" / "uninfo").glob("Africa_[cp]*.xlsx"))

    def load(db: Path, below: int) -> str:
        done = subprocess.run(
            [sys.executable, "-c", LOAD_THREADS, str(below), "load", "--db", str(db), *map(str, exports)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()[-1]

    one, many = tmp_path / "one.duckdb", tmp_path / "many.duckdb"
    assert load(one, 128 * 2**20) == "exit 0 threads 1"  # a new file
    duckdb.connect(str(many)).close()  # a file, empty, that is over the size given
    assert load(many, 0) == "exit 0 threads one per core"
    assert load(one, 128 * 2**20) == "exit 0 threads 1"  # a small file (a duplicate: nothing new)
    con = duckdb.connect(str(one))
    try:
        con.execute(f"ATTACH '{many}' AS many (READ_ONLY)")
        for table in ("budget_lines", "suboutputs", "budget_cube", "budget_rollup"):
            for a, b in ((table, f"many.{table}"), (f"many.{table}", table)):
                assert con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})").fetchone()[0] == 0, table
        assert con.execute("SELECT count(*) FROM budget_lines").fetchone()[0] == 330  # 202 + 128 lines
    finally:
        con.close()


LOAD_THEN_IMPORTS = """
import sys
from etl.cli import main
code = main(sys.argv[1:])
print("exit", code, "pandas imported:", "pandas" in sys.modules)
import pandas  # importable again after the load
print("pandas", pandas.__version__ is not None)
"""


def test_a_load_on_the_command_line_never_imports_pandas(tmp_path, files):
    """DuckDB's client imports pandas (0.5 s, 47 MB) at a statement's first parameter unless it cannot: the load
    command keeps it out — in worker processes (two UN INFO exports), a file with errors, an account's upload (a dry
    run shows a sample of rows as a pandas frame: it may) — and every figure is stored as a process that has pandas
    stores it (the other CLI tests)."""
    good, bad = files
    exports = sorted((ROOT.parent / "shared" / "data" / "uninfo").glob("Africa_[cp]*.xlsx"))
    db = tmp_path / "no-pandas.duckdb"

    def load(*args) -> str:
        done = subprocess.run(
            [sys.executable, "-c", LOAD_THEN_IMPORTS, "load", "--db", str(db), *map(str, args)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.stderr == "" and done.stdout.splitlines()[-1] == "pandas True", done.stderr
        return done.stdout

    assert len(exports) == 2
    uninfo = load(*exports)
    assert "exit 0 pandas imported: False" in uninfo and "Africa_crime.xlsx: budget (UN INFO export) added" in uninfo
    assert "exit 1 pandas imported: False" in load(bad, "--plan", PLAN)
    assert "would add 3 row(s)" in load(good, "--plan", PLAN, "--country", "Kenya", "--dry-run")
    assert etl("users", "add", "root", "--role", "admin", db=db, stdin="another long pass\n").returncode == 0
    by_root = load(good, "--plan", PLAN, "--country", "Kenya", "--user", "root")
    assert "exit 0 pandas imported: False" in by_root and "added 3 row(s)" in by_root
