"""Faults of the machine and of the store (SPEC §8 exit codes): damaged, read-only, full or held database
files, loads killed with their workers, and text that would run in a terminal or break an export."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNINFO = ROOT.parent / "shared" / "data" / "uninfo"


def etl(*args, db: Path, stdin: str | None = None, env: dict | None = None, prefix: tuple = ()):
    """`python -m etl --db DB ARGS…` in a child process (`prefix` runs it through another command)."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "etl", "--db", str(db), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
        env={**os.environ, "UNCT_LOCK_WAIT": "0.5", **(env or {})},
    )


def one_line(done: subprocess.CompletedProcess) -> str:
    """The command's message on stderr, which must be a single line and never a traceback."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


# ---------------------------------------------------------------- workers of a killed load


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (read from /proc: psutil is not installed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it is not)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_the_workers_of_a_killed_load_do_not_outlive_it(tmp_path, how):
    files = sorted(UNINFO.glob("*.xlsx"))
    assert len(files) == 22, f"the UN INFO exports are expected in {UNINFO}"
    load = subprocess.Popen(
        [sys.executable, "-m", "etl", "--db", str(tmp_path / "k.duckdb"), "load", "--quiet", *map(str, files)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    workers = []
    while not workers and time.monotonic() < deadline and load.poll() is None:
        workers = _children(load.pid)  # the validation has started in worker processes
        time.sleep(0.01)
    assert workers, "the load never started its workers"
    load.send_signal(how)
    load.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not survivors, f"{len(survivors)} worker(s) outlived the load killed by {how.name}"


# ---------------------------------------------------------------- a load killed mid-commit, or whose COMMIT fails


def test_a_failed_commit_is_raised_as_itself_and_the_load_is_marked_failed(tmp_path, monkeypatch):
    """A failed COMMIT has already ended the transaction, so the ROLLBACK after it fails too: that second
    error must not replace the first, and the submission must not stay 'loading'."""
    import duckdb

    import store.connection
    import store.writes
    from etl.load import load_bytes
    from tests.test_load import GOOD_ROWS, PLAN, budget_file

    con = store.connection.connect(tmp_path / "commit.duckdb")
    real_insert = store.writes.replace_and_insert

    def commit_fails(writer, *args):
        real_insert(writer, *args)
        writer.execute("ROLLBACK")  # the transaction ends, as a failed COMMIT ends it
        raise duckdb.TransactionException("Failed to commit: Could not write file: No space left on device")

    monkeypatch.setattr(store.writes, "replace_and_insert", commit_fails)
    with pytest.raises(duckdb.TransactionException, match="No space left on device") as raised:
        load_bytes(con, budget_file(GOOD_ROWS), "cbf.xlsx", plan=PLAN)
    assert any("the ROLLBACK after it failed too" in note for note in raised.value.__notes__)
    assert con.execute("SELECT file_name, status FROM submissions").fetchall() == [("cbf.xlsx", "failed")]
    assert con.execute("SELECT count(*) FROM budget").fetchone()[0] == 0
    con.close()


def test_a_load_left_loading_is_marked_failed_when_the_file_is_next_opened(tmp_path):
    import store.connection
    import store.writes

    path = tmp_path / "left.duckdb"
    con = store.connection.connect(path)
    store.writes.record_submission(con, 7, kind="budget", file_name="cut.xlsx", sha256="0", status="loading")
    con.close()
    con = store.connection.connect(path)
    assert con.execute("SELECT submission_id, status FROM submissions").fetchall() == [(7, "failed")]
    con.close()


# ---------------------------------------------------------------- damaged, read-only and full stores


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory) -> Path:
    """A database holding one real UN INFO export (submission 1), closed."""
    import store.connection
    from etl.load import load_path

    path = tmp_path_factory.mktemp("faults") / "base.duckdb"
    con = store.connection.connect(path)
    assert load_path(con, UNINFO / "Africa_youth.xlsx").status == "committed"
    con.close()
    assert not path.with_name(path.name + ".wal").exists()
    return path


def _damage(path: Path, how: str) -> str:
    """Damage the database file; what the message must then say."""
    data = path.read_bytes()
    if how == "checksum":
        path.write_bytes(data[:4096] + b"\x13" * 8192 + data[4096 + 8192 :])  # a database header block
        return "is damaged: a block fails its checksum (at byte 4,096)"
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
        return "is damaged: the file is cut short"
    if how == "not a database":
        path.write_text("budget,year\n1,2025\n" * 100)
        return "is not a DuckDB database file"
    if how == "emptied":
        path.write_bytes(b"")
        return "is not a DuckDB database file"
    if how == "sqlite":
        import sqlite3

        path.unlink()
        sqlite3.connect(path).execute("CREATE TABLE budget (year INTEGER)").connection.commit()
        return "is not a DuckDB database file (DuckDB takes it for a sqlite file)"
    if how == "folder":
        path.unlink()
        path.mkdir()
        return "is a folder, not a database file"
    raise AssertionError(how)


#: every command, as it would be typed (file names are filled in by the test)
COMMANDS = [
    ("load", "{file}"),
    ("submissions",),
    ("rollback", "1"),
    ("export", "budget"),
    ("template", "budget", "-o", "{out}"),
    ("users", "add", "ann", "--role", "viewer"),
    ("users", "list"),
    ("users", "remove", "ann"),
    ("entities", "list"),
    ("entities", "add", "UNOSSC", "South-South Office"),
]


def _typed(command: tuple, tmp_path: Path) -> list[str]:
    return [a.format(file=UNINFO / "Africa_work.xlsx", out=tmp_path / "t.xlsx") for a in command]


@pytest.mark.parametrize("how", ["checksum", "truncated", "not a database", "emptied", "sqlite", "folder"])
def test_a_damaged_database_is_said_so_at_once_by_every_command(how, loaded_db, tmp_path):
    db = tmp_path / "damaged.duckdb"
    db.write_bytes(loaded_db.read_bytes())
    reason = _damage(db, how)
    for command in COMMANDS:
        started = time.monotonic()
        done = etl(*_typed(command, tmp_path), db=db, stdin="a long password\n", env={"UNCT_LOCK_WAIT": "30"})
        message = one_line(done)
        assert done.returncode == 4, (command, done.stderr)
        assert message == (
            f"The database {db} {reason}. Nothing was changed. Restore the last backup copy of it "
            "(README: Backing up and restoring the store)."
        ), command
        assert time.monotonic() - started < 20, "a damaged file is no lock: no wait"  # not the 30 s lock wait


def test_a_damaged_write_ahead_log_is_named(loaded_db, tmp_path):
    db = tmp_path / "wal.duckdb"
    db.write_bytes(loaded_db.read_bytes())
    child = (
        "import os, sys; import store.connection; con = store.connection.connect(sys.argv[1]); "
        "con.execute(\"UPDATE entities SET name = name || ' (edited)'\"); os.kill(os.getpid(), 9)"
    )
    subprocess.run([sys.executable, "-c", child, str(db)], cwd=ROOT)  # killed: its commit is in the WAL only
    wal = db.with_name(db.name + ".wal")
    log = bytearray(wal.read_bytes())
    log[200:264] = b"\xff" * 64
    wal.write_bytes(bytes(log))
    done = etl("submissions", db=db)
    assert done.returncode == 4
    assert one_line(done).startswith(f"The database {db} has a damaged write-ahead log, {wal} (entry at byte ")


def test_a_damaged_block_met_by_a_query_is_said_so(tmp_path):
    """The file opens, but the block holding the data fails its checksum when an export reads it."""
    import duckdb

    import store.connection

    db = tmp_path / "block.duckdb"
    store.connection.connect(db).close()
    raw = duckdb.connect(str(db))
    raw.execute(
        "INSERT INTO submission_log (submission_id, file_name, sha256, status) "
        "SELECT range, 'f' || range || '.xlsx', md5(range::VARCHAR), 'committed' FROM range(1, 200001)"
    )
    raw.execute("CHECKPOINT")
    block = raw.execute("""SELECT min(block_id) FROM pragma_storage_info('submission_log')
                           WHERE persistent AND column_name = 'file_name' AND block_id >= 0""").fetchone()[0]
    raw.close()
    data = bytearray(db.read_bytes())
    at = 3 * 4096 + block * 256 * 1024 + 100  # after the three header blocks, the table's first file-name block
    data[at : at + 4096] = b"\xff" * 4096
    db.write_bytes(bytes(data))
    done = etl("submissions", db=db)
    assert done.returncode == 4, done.stdout[-300:]
    assert one_line(done).startswith(f"The database {db} is damaged: a block fails its checksum (at byte ")


def _namespaces() -> bool:
    """Whether this machine lets a process mount in a user namespace of its own (no privileges needed)."""
    import shutil

    return bool(shutil.which("unshare")) and subprocess.run(["unshare", "-rm", "true"]).returncode == 0


NAMESPACES = _namespaces()
needs_namespaces = pytest.mark.skipif(
    not NAMESPACES,
    reason="unshare -rm (user namespaces) is not available here to mount a read-only folder or a small file system",
)


def _in_namespace(script: str, *args) -> subprocess.CompletedProcess:
    """Run a shell script as root of its own user and mount namespace: it may mount a small tmpfs or remount a
    folder read-only, which only it sees."""
    return subprocess.run(
        ["unshare", "-rm", "sh", "-ec", script, "sh", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "UNCT_LOCK_WAIT": "0.5"},
    )


@needs_namespaces
def test_a_read_only_database_is_read_by_the_commands_that_read_and_refused_by_those_that_write(loaded_db, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "ro.duckdb"
    db.write_bytes(loaded_db.read_bytes())
    outputs = tmp_path / "out"
    outputs.mkdir()
    runs = []
    for command in COMMANDS:
        runs.append(
            _in_namespace(
                'db="$1"; shift; mount --bind "$(dirname "$db")" "$(dirname "$db")"; '
                'mount -o remount,ro,bind "$(dirname "$db")"; exec "$@" </dev/null',
                db,
                sys.executable,
                "-m",
                "etl",
                "--db",
                db,
                *_typed(command, outputs),
            )
        )
    for command, done in zip(COMMANDS, runs):
        if command[0] in ("submissions", "export", "template") or command[-1] == "list":
            assert done.returncode == 0, (command, done.stderr)
            assert "Traceback" not in done.stderr
        else:
            assert done.returncode == 4, (command, done.stdout, done.stderr)
            assert one_line(done) == (
                f"The database {db} cannot be written: the file system is read-only. Nothing "
                "was changed. Commands that only read it still work."
            ), command
    assert "Africa_youth.xlsx" in runs[1].stdout and "committed" in runs[1].stdout  # submissions
    assert runs[3].stdout.count("\n") == 1332  # export budget: the header and the 1,331 rows
    assert (outputs / "t.xlsx").exists()


FULL_DISK = r"""
db="$1"; base="$2"; file="$3"; size="$4"; shift 4
folder="$(dirname "$db")"
mount -t tmpfs -o size="$size" tmpfs "$folder"
cp "$base" "$db"
head -c 1048576 /dev/zero > "$folder/ballast"      # freed once the load has failed
set +e
"$@" -m etl --db "$db" load "$file" --quiet; echo "load exit $?"
"$@" -m etl --db "$db" submissions; echo "submissions exit $?"
rm "$folder/ballast"
"$@" -m etl --db "$db" submissions; echo "submissions exit $?"
"""


@needs_namespaces
#: the load of Africa_work.xlsx into `loaded_db` writes a write-ahead log of 10.1 MB (the rows, the history, the
#: summaries the store keeps) and its checkpoint grows the 7.6 MB file to 17.3 MB: 12 MiB of room holds the log, not
#: the checkpoint besides it
@pytest.mark.parametrize("room, committed", [(256 * 1024, False), (12 * 2**20, True)])
def test_a_load_on_a_full_disk_fails_plainly(room, committed, loaded_db, tmp_path):
    """A tmpfs with `room` free bytes beyond the database: too little for the load's write-ahead log (the
    COMMIT fails: nothing of the load is kept), or enough for it but not for writing it into the file (the
    load is committed, kept in the log; the command still says the database cannot be written)."""
    folder = tmp_path / "full"
    folder.mkdir()
    db = folder / "x.duckdb"
    size = loaded_db.stat().st_size + 2**20 + room  # the database, the ballast, the room
    done = _in_namespace(FULL_DISK, db, loaded_db, UNINFO / "Africa_work.xlsx", size, sys.executable)
    out, err = done.stdout, done.stderr
    assert "Traceback" not in err and "load exit 4" in out, (out, err)
    assert out.count("submissions exit 0") == 2
    lines = [line for line in err.splitlines()]
    if committed:
        assert "Africa_work.xlsx: budget (UN INFO export) added 2287 row(s), replacing 147 as submission 2" in out
        assert lines == [
            f"The database {db} cannot be written: the disk is full. The change was committed and is "
            "kept in x.duckdb.wal, which is applied when the database is next opened; free some space "
            "before the next change."
        ]
        assert out.count("committed    budget") == 4  # submissions 1 and 2, listed twice
    else:
        assert "Africa_work.xlsx: not loaded: the database could not be written" in out
        assert lines == [
            f"The database {db} cannot be written: the disk is full. Nothing was changed. Free some "
            "space and run the command again."
        ]
        assert out.count("failed       budget") == 2 and "loading" not in out


@pytest.mark.parametrize("limit, committed", [(2**20, False), (12_000_000, True)])  # the log fits, the file not
def test_a_load_beyond_the_file_size_limit_fails_plainly(limit, committed, loaded_db, tmp_path):
    """The same without namespaces: a file-size limit (ulimit -f, SIGXFSZ ignored) makes writes fail as a full
    disk does, on any machine."""
    import resource

    db = tmp_path / "limited.duckdb"
    db.write_bytes(loaded_db.read_bytes())

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), "load", str(UNINFO / "Africa_work.xlsx"), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=limited,
        timeout=300,
    )
    assert done.returncode == 4, (done.stdout[-500:], done.stderr)
    message = one_line(done)
    reason = "the file has reached the largest size this process may write"
    if committed:
        assert message.startswith(f"The database {db} cannot be written: {reason}. The change was committed")
    else:
        assert message.startswith(f"The database {db} cannot be written: {reason}. Nothing was changed.")
    history = etl("submissions", db=db)
    assert history.returncode == 0 and "loading" not in history.stdout
    assert ("committed    budget" if committed else "failed       budget") in history.stdout.splitlines()[2]


# ---------------------------------------------------------------- a database held by another program


@pytest.fixture
def held_db(tmp_path):
    import store.connection

    path = tmp_path / "held.duckdb"
    store.connection.connect(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(120)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    yield path, holder.pid
    holder.kill()
    holder.wait()


def test_every_command_says_what_to_do_while_the_dashboard_holds_the_database(held_db, tmp_path):
    from etl.console import BUSY_ADVICE

    db, pid = held_db
    for command in COMMANDS:
        done = etl(*_typed(command, tmp_path), db=db, stdin="a long password\n")
        assert done.returncode == 3, (command, done.stderr)
        assert one_line(done) == (
            f"The database {db} is in use by another program (process {pid}, "
            f"{Path(sys.executable).resolve().name}: most likely the running dashboard). "
            f"{BUSY_ADVICE[command[0]]}"
        ), command
    users = etl("users", "add", "ann", "--role", "viewer", db=db, stdin="a long password\n")
    assert "stop the dashboard, run the command" in users.stderr and "Upload" not in users.stderr


# ---------------------------------------------------------------- files refused by their size before they are read


def test_a_file_over_the_cap_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "huge.xlsx"
    with open(big, "wb") as file:
        file.truncate(2 * 2**30)  # 2 GiB, sparse: reading it would cost 2 GiB of memory
    child = (
        "import sys; from etl.cli import main; code = main(sys.argv[1:]); "
        "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
        "print('peak', int(peak) // 1024); sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", child, "--db", str(tmp_path / "s.duckdb"), "load", str(big)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[:2] == [
        "huge.xlsx: 1 error(s); nothing was loaded",
        "  error: huge.xlsx: the file is 2,147.5 MB; the limit is 50 MB",
    ]
    assert int(done.stdout.split("peak ")[1]) < 300  # MB: the interpreter, DuckDB and pandas, never the file


def test_load_path_refuses_by_the_size_on_disk(tmp_path):
    import tracemalloc

    import store.connection
    from etl.load import load_path

    big = tmp_path / "huge.csv"
    with open(big, "wb") as file:
        file.truncate(51 * 2**20)
    con = store.connection.connect(tmp_path / "p.duckdb")
    tracemalloc.start()
    result = load_path(con, big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    con.close()
    assert result.status == "rejected"
    assert [str(e) for e in result.errors] == ["huge.csv: the file is 53.5 MB; the limit is 50 MB"]
    assert peak < 2**20


def test_command_line_batches_hold_at_most_the_batch_caps():
    from etl.cli import _batches

    items = [(Path(f"f{i}.xlsx"), size) for i, size in enumerate([30, 30, 30, 30, 30, 30, 30, 250, 10, 10])]
    assert [[p.name for p, _ in group] for group in _batches(items, 25, 200)] == [
        [f"f{i}.xlsx" for i in range(6)],
        ["f6.xlsx"],
        ["f7.xlsx"],
        ["f8.xlsx", "f9.xlsx"],
    ]
    assert [len(g) for g in _batches([(Path("x"), 1)] * 60, 25, 10**9)] == [25, 25, 10]


# ---------------------------------------------------------------- text that would run in a terminal or break an export

ESCAPES = "\x1b[2J\x1b]0;owned\x07"  # clear the screen, retitle the terminal
SPOOF = "\u202egnp.exe"  # reads 'exe.png'


def _no_controls(text: str) -> None:
    """Nothing a terminal would run or reorder: only tab and newline among the characters printable() replaces."""
    from core.formatting import _VISIBLE

    hidden = sorted({f"U+{ord(c):04X}" for c in text if ord(c) in _VISIBLE and c not in "\t\n"})
    assert not hidden, hidden


def _budget_csv(path: Path, rows: list[list]) -> Path:
    from tests.hostile.make_corpus import BUDGET_HEADER, csv_text

    path.write_bytes(csv_text([BUDGET_HEADER, *rows]))
    return path


def test_the_command_line_prints_control_and_bidi_characters_visibly(tmp_path):
    from tests.test_load import PLAN

    db = tmp_path / "t.duckdb"
    escaped = _budget_csv(
        tmp_path / f"report{ESCAPES}.csv", [[2025, "1.1", f"Governance{ESCAPES}", "1.1.1", f"UNDP{ESCAPES}", 1, 1, 1]]
    )
    refused = etl("load", escaped, "--plan", PLAN, db=db)
    _no_controls(refused.stdout + refused.stderr)
    assert refused.stdout.startswith("report␛[2J␛]0;owned␇.csv: 1 error(s); nothing was loaded")
    spoof = _budget_csv(tmp_path / f"cbf{SPOOF}.csv", [[2025, "1.1", f"Governance{ESCAPES}", "1.1.1", "UNDP", 1, 1, 1]])
    loaded = etl("load", spoof, "--plan", PLAN, db=db)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith("cbf<U+202E>gnp.exe.csv: budget added 1 row(s)")
    assert (
        etl(
            "users",
            "add",
            f"eve{ESCAPES}",
            "--role",
            "focal_point",
            "--agency",
            "UNDP",
            db=db,
            stdin="a long password\n",
        ).returncode
        == 0
    )
    assert etl("entities", "add", "UNOSSC", f"South-South{SPOOF}", db=db).returncode == 0
    for args in (["submissions"], ["users", "list"], ["entities", "list"], ["export", "budget"]):
        done = etl(*args, db=db)
        assert done.returncode == 0, (args, done.stderr)
        _no_controls(done.stdout + done.stderr)
    assert "report␛[2J␛]0;owned␇.csv" in etl("submissions", db=db).stdout
    assert etl("users", "list", db=db).stdout.startswith("eve␛[2J␛]0;owned␇ ")
    assert "South-South<U+202E>gnp.exe" in etl("entities", "list", db=db).stdout
    assert "Governance␛[2J␛]0;owned␇" in etl("export", "budget", db=db).stdout


def test_an_export_to_a_terminal_shows_even_the_carriage_returns(tmp_path):
    import pty

    from tests.test_load import PLAN

    db = tmp_path / "t.duckdb"
    cbf = _budget_csv(tmp_path / "cbf.csv", [[2025, "1.1", "Over\rwritten", "1.1.1", "UNDP", 1, 1, 1]])
    assert etl("load", cbf, "--plan", PLAN, db=db).returncode == 0
    piped = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), "export", "budget"], cwd=ROOT, capture_output=True, timeout=120
    )
    assert b'"Over\rwritten"' in piped.stdout  # data written to a file or a pipe keeps its carriage return
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), "export", "budget"],
        cwd=ROOT,
        stdout=follower,
        stderr=subprocess.PIPE,
        timeout=120,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0, done.stderr
    assert "Over␍written".encode() in shown


def test_exports_of_every_control_character_open_in_excel_and_show_them(tmp_path):
    """The Data export page's Excel button calls this function: one cell holding a control character used to
    raise IllegalCharacterError and the button did nothing."""
    import csv
    import io

    import openpyxl
    import pandas as pd

    from analytics.exports import safe_csv_bytes, safe_excel_bytes

    every = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)])) + SPOOF + "\u2066x\u2069\u200fع\ufffe"
    frame = pd.DataFrame(
        {
            "comments": [every, f"={ESCAPES}", "\x1b=1+1", "plain"],
            "required": [1.5, 2, 3, 4],
            f"title{ESCAPES}": ["a", "b", "c", "d"],
        }
    )
    expected_first = (
        "␀␁␂␃␄␅␆␇␈\t\n␋␌\r␎␏␐␑␒␓␔␕␖␗␘␙␚␛␜␝␞␟␡"
        + "".join(f"<U+{c:04X}>" for c in range(0x80, 0xA0))
        + "<U+202E>gnp.exe<U+2066>x<U+2069>\u200fع<U+FFFE>"
    )
    book = openpyxl.load_workbook(io.BytesIO(safe_excel_bytes(frame)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("comments", "required", "title␛[2J␛]0;owned␇")
    assert rows[1] == (expected_first.replace("\r", "\n"), 1.5, "a")  # XML reads a carriage return as a newline
    assert rows[2][0] == "'=␛[2J␛]0;owned␇" and rows[3][0] == "␛=1+1" and rows[4][0] == "plain"
    text = safe_csv_bytes(frame).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text, newline="")))[1] == [expected_first, "1.5", "a"]
    _no_controls(text.replace("\r", "").replace("\u200f", ""))  # the right-to-left mark Arabic text needs is kept


def test_stored_control_characters_export_through_the_command_line(tmp_path):
    import openpyxl

    db = tmp_path / "t.duckdb"
    actions = tmp_path / "actions.csv"
    actions.write_text(
        "Rec. no.,Recommendation,Key action no.,Key action,Responsible unit,Status,Comments\r\n"
        f'1,Strengthen data,1.1,Review{ESCAPES},RCO,Ongoing,"{SPOOF}\x01\x08"\r\n',
        encoding="utf-8",
    )
    assert etl("load", actions, "--source", "Evaluation", db=db).returncode == 0
    done = etl("export", "actions", "-o", tmp_path / "a.xlsx", db=db)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"1 row(s) written to {tmp_path / 'a.xlsx'}\n"
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert row[header.index("action")] == "Review␛[2J␛]0;owned␇"
    assert row[header.index("comments")] == "<U+202E>gnp.exe␁␈"


def test_printable_leaves_ordinary_text_alone():
    from core.formatting import printable

    for text in ["Gestión – D’ici", "العربية", "中文", "emoji 👍🏽", "tab\tin", "Ł ß œ"]:
        assert printable(text, keep="\t") == text
    assert printable(None) == printable(float("nan")) == ""
    assert printable("a\tb\nc") == "a␉b␊c"
