"""The store: the one connection factory, schema migrations and every write to the database.

Reads for pages and exports live in `etl.queries`; both go through `connect()` so that a shared
catalog (DuckLake on PostgreSQL) can be attached here later without touching callers.

Versioning: every fact row carries the submission that brought it, a `current` flag and, once
replaced, the submission that replaced it (`replaced_by`). Rolling a submission back, in any order,
hides its rows and makes current again the rows it had replaced, unless a later submission has
since taken over their scope (they then wait for that one: `replaced_by` is moved to it). The views
of SPEC §9 show current rows only.
"""
from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import duckdb

from core.entities import SHIPPED_ENTITIES, Entity

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "unct.duckdb"
LOCK_WAIT_SECONDS = float(os.environ.get("UNCT_LOCK_WAIT", "10"))


#: one writer at a time in this process: uploads from several sessions are serialised (SPEC §7)
write_lock = threading.RLock()


class StoreUnavailable(RuntimeError):
    """The database cannot be used now; the text says why and what to do (SPEC §8: exit code 3 or 4)."""


class DatabaseBusy(StoreUnavailable):
    """Another process holds the database file (SPEC §7: say plainly what to do)."""


class DatabaseDamaged(StoreUnavailable):
    """The database file (or its write-ahead log) is damaged, cut short or not a DuckDB database."""


class DatabaseUnwritable(StoreUnavailable):
    """The database cannot be written: a read-only file system, no permission, a full disk."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason  # 'the disk is full', …


#: what DuckDB says when another process holds the file (its other errors never say this)
_LOCK_CONFLICT = "Could not set lock on file"
_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")
#: the advice of DatabaseBusy when the caller gives none (the dashboard opening a file a command holds)
BUSY_ADVICE = "Try again once it has finished."
#: DuckDB's (and the file system's) words for a file that cannot be written → what the user reads
_UNWRITABLE = (("Read-only file system", "the file system is read-only", "Commands that only read it still work."),
               ("Permission denied", "permission denied", "Give this account write access to it and its folder."),
               ("No space left on device", "the disk is full", "Free some space and run the command again."),
               ("Disk quota exceeded", "the disk quota is used up", "Free some space and run the command again."),
               ("File too large", "the file has reached the largest size this process may write",
                "Raise that limit (ulimit -f) and run the command again."))
#: … for a file that cannot be read as a database → what it is (after "The database PATH")
_DAMAGED = ((re.compile(r"Corrupt WAL file: entry at byte position (\d+)"),
             lambda m, wal: f"has a damaged write-ahead log, {wal} (entry at byte {int(m[1]):,})"),
            (re.compile(r"Corrupt database file:.*block at location (\d+)"),
             lambda m, wal: f"is damaged: a block fails its checksum (at byte {int(m[1]):,})"),
            (re.compile(r"Corrupt database file|checksum"), lambda m, wal: "is damaged: a block fails its checksum"),
            (re.compile(r"Could not read enough bytes"), lambda m, wal: "is damaged: the file is cut short"),
            (re.compile(r"not a valid DuckDB database file"), lambda m, wal: "is not a DuckDB database file"),
            (re.compile(r"Is a directory"), lambda m, wal: "is a folder, not a database file"),
            (re.compile(r'Extension "(\w+)" is an existing extension'),
             lambda m, wal: f"is not a DuckDB database file (DuckDB takes it for a {m[1]} file)"),
            (re.compile(r"version number (\d+).*can only read version (\d+)"),
             lambda m, wal: f"was written by another DuckDB release (storage version {m[1]}; this one reads {m[2]})"))


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file: the argument, else $UNCT_DB, else data/unct.duckdb."""
    return Path(path or os.environ.get("UNCT_DB") or DEFAULT_DB)


def connect(path: str | os.PathLike | None = None, read_only: bool = False, wait: float | None = None,
            busy_advice: str = BUSY_ADVICE) -> duckdb.DuckDBPyConnection:
    """Open the database, creating and migrating it when writable.

    When another process holds the file, retry for `wait` seconds, then raise DatabaseBusy (its text ends
    with `busy_advice`: what the caller can do instead). A damaged file raises DatabaseDamaged, one that
    cannot be written (or created) DatabaseUnwritable.
    """
    target = db_path(path)
    # blocks a write-ahead log adds exist only in memory until the next checkpoint: the length check needs none
    replayed = target.with_name(target.name + ".wal").exists()
    deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
    while True:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(target), read_only=read_only,
                                 config={"autoinstall_known_extensions": False,
                                         "autoload_known_extensions": False})
            break
        except (duckdb.Error, OSError) as exc:
            if _LOCK_CONFLICT not in str(exc):
                raise unusable(exc, target) or exc
            if time.monotonic() >= deadline:
                holder = _HOLDER.search(str(exc))
                by = f"process {holder[2]}, {Path(holder[1]).name}: " if holder else ""
                raise DatabaseBusy(f"The database {target} is in use by another program ({by}most likely the "
                                   f"running dashboard). {busy_advice}") from None
            time.sleep(0.25)
    try:
        if not replayed:
            _check_length(con, target)
        if not read_only:
            migrate(con)
            # a load still 'loading' when the file is opened was cut off (killed, crashed, a full disk):
            # nothing of it was committed, and the history says so
            con.execute("UPDATE submission_log SET status = 'failed' WHERE status = 'loading'")
        elif con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0] < SCHEMA_VERSION:
            raise DatabaseUnwritable(f"The database {target} needs this release's schema changes, which cannot be "
                                     "made while it is opened read-only; open it once where it can be written.")
        lock_down(con, target.parent)
    except BaseException as exc:
        con.close()
        if isinstance(exc, duckdb.Error):
            raise unusable(exc, target) or exc
        raise
    return con


#: the file's three header blocks (DuckDB's main header and its two database headers)
_FILE_HEADERS = 3 * 4096


def _check_length(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """A file shorter than the blocks in use was cut short: DuckDB reads only the blocks a query needs, so
    without this check a truncated file would answer from what is left of it. (Free blocks at the end are
    trimmed from the file at a checkpoint: only used blocks must all be there.)"""
    block_size, blocks = con.execute("SELECT block_size, used_blocks FROM pragma_database_size()").fetchone()
    if blocks and target.stat().st_size < _FILE_HEADERS + blocks * block_size:
        raise DatabaseDamaged(f"The database {target} is damaged: the file is cut short. Nothing was changed. "
                              "Restore the last backup copy of it (README: Backing up and restoring the store).")


def unusable(error: BaseException, path: str | os.PathLike) -> StoreUnavailable | None:
    """What a DuckDB or file-system error says about the database file: DatabaseDamaged or DatabaseUnwritable
    with a one-line text (what is wrong, what to do), else StoreUnavailable with DuckDB's first line for any
    other input/output or fatal error; chained to the error. None for an error about something else (a bug)."""
    text, path = str(error), Path(path)
    wal = path.with_name(path.name + ".wal")
    for words, reason, advice in _UNWRITABLE:
        if words in text:
            done = DatabaseUnwritable(f"The database {path} cannot be written: {reason}. Nothing was changed. "
                                      f"{advice}", reason)
            done.__cause__ = error
            return done
    for pattern, describe in _DAMAGED:
        found = pattern.search(text)
        if found:
            what = describe(found, wal)
            kept = (f" Keep {wal} with it: it holds the changes made since the file was last written."
                    if wal.exists() and "write-ahead log" not in what else "")
            done = DatabaseDamaged(f"The database {path} {what}. Nothing was changed. Restore the last backup copy "
                                   f"of it (README: Backing up and restoring the store).{kept}")
            done.__cause__ = error
            return done
    if isinstance(error, (duckdb.IOException, duckdb.FatalException, OSError)):  # about the file, in other words
        done = StoreUnavailable(f"The database {path} cannot be used: {text.splitlines()[0] if text else error!r}")
        done.__cause__ = error
        return done
    return None


def checkpoint(con, path: str | os.PathLike | None = None) -> None:
    """Write the committed changes into the database file now. DuckDB would do it when the connection closes,
    silently failing on a full disk; done here, the command that filled the disk says so. What was committed
    stays in the write-ahead log (applied when the file is next opened) when this fails."""
    try:
        con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        target = db_path(path)
        failure = unusable(exc, target)
        if failure is None:
            raise
        if not isinstance(failure, DatabaseUnwritable):
            raise failure from exc
        raise DatabaseUnwritable(f"The database {target} cannot be written: {failure.reason}. The change was "
                                 f"committed and is kept in {target.name}.wal, which is applied when the database "
                                 "is next opened; free some space before the next change.", failure.reason) from exc


def abandon(con, error: BaseException) -> None:
    """Roll back the open transaction after `error`. A failing ROLLBACK (a failed COMMIT has already ended the
    transaction) is noted on `error`, never raised in its place."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error as failure:
        error.add_note(f"(the ROLLBACK after it failed too: {failure})")


def lock_down(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """No file access outside the database's folder, then freeze the settings (README: Reliability).

    Uploaded files reach DuckDB only as registered Arrow tables, never as paths; a shared catalog
    (DuckLake) would be attached above this line. Opening the same file again in this process
    shares the locked instance, so the settings are applied once.
    """
    if con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]:
        return
    allowed = str(folder.resolve()).replace("'", "''") + "/"
    con.execute(f"SET allowed_directories = ['{allowed}']")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


# ---------------------------------------------------------------- schema

BUDGET_COLUMNS = (
    "country", "plan", "strategic_priority_code", "strategic_priority", "outcome_code", "outcome_title",
    "output_code", "output_title", "suboutput_code", "suboutput_title", "suboutput_id", "suboutput_status",
    "start_date", "end_date", "contributing_partners", "sdg_goals", "agency", "joint", "funding_source",
    "year", "required", "available", "expenditure", "currency",
)
INDICATOR_COLUMNS = (
    "country", "plan", "indicator_code", "indicator", "result_code", "unit", "baseline", "baseline_year",
    "target", "target_year", "period", "period_end", "actual", "agency", "means_of_verification",
)
ACTION_COLUMNS = (
    "plan", "country", "source_type", "source_title", "recommendation_no", "recommendation", "management_response",
    "action_no", "action", "responsible", "agency", "deadline", "status", "comments", "as_of",
)
SUBOUTPUT_COLUMNS = (
    "country", "plan", "strategic_priority_code", "strategic_priority", "outcome_code", "outcome_title",
    "output_code", "output_title", "suboutput_code", "suboutput_title", "suboutput_id", "suboutput_status",
    "start_date", "end_date", "contributing_partners", "sdg_goals", "agency", "joint",
)
#: a budget's indirect costs (programme support cost, administrative agent fee…), kept apart from its lines
INDIRECT_COST_COLUMNS = (
    "country", "plan", "year", "agency", "cost_type", "label", "rate", "required", "available", "expenditure",
    "currency",
)
#: fact table of each dataset kind
FACT_TABLES = {"budget": "budget_lines", "indicators": "indicator_rows", "actions": "action_rows"}

_VERSION_COLUMNS = "submission_id BIGINT NOT NULL, current BOOLEAN NOT NULL DEFAULT TRUE, replaced_by BIGINT"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "initial schema", [
        "CREATE SEQUENCE IF NOT EXISTS submission_seq START 1",
        """CREATE TABLE entities (
            code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, aliases VARCHAR[] NOT NULL DEFAULT [],
            origin VARCHAR NOT NULL DEFAULT 'shipped', added_at TIMESTAMP DEFAULT current_timestamp)""",
        """CREATE TABLE plans (
            country VARCHAR, plan VARCHAR NOT NULL, first_submission_id BIGINT,
            PRIMARY KEY (country, plan))""",
        """CREATE TABLE submission_log (
            submission_id BIGINT PRIMARY KEY, kind VARCHAR, layout VARCHAR, file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL, user_name VARCHAR, agency VARCHAR, plan VARCHAR, country VARCHAR,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp, rows_added INTEGER DEFAULT 0,
            rows_replaced INTEGER DEFAULT 0, rows_rejected INTEGER DEFAULT 0, status VARCHAR NOT NULL,
            warnings VARCHAR[] DEFAULT [], errors VARCHAR[] DEFAULT [], duplicate_of BIGINT,
            rolled_back_at TIMESTAMP, rolled_back_by VARCHAR)""",
        "CREATE TABLE submission_files (submission_id BIGINT PRIMARY KEY, content BLOB NOT NULL)",
        f"""CREATE TABLE suboutputs (
            country VARCHAR, plan VARCHAR, strategic_priority_code VARCHAR, strategic_priority VARCHAR,
            outcome_code VARCHAR, outcome_title VARCHAR, output_code VARCHAR, output_title VARCHAR,
            suboutput_code VARCHAR, suboutput_title VARCHAR, suboutput_id VARCHAR NOT NULL,
            suboutput_status VARCHAR, start_date DATE, end_date DATE, contributing_partners VARCHAR,
            sdg_goals VARCHAR, agency VARCHAR, joint BOOLEAN, {_VERSION_COLUMNS})""",
        f"""CREATE TABLE budget_lines (
            country VARCHAR, plan VARCHAR NOT NULL, strategic_priority_code VARCHAR, strategic_priority VARCHAR,
            outcome_code VARCHAR, outcome_title VARCHAR, output_code VARCHAR, output_title VARCHAR,
            suboutput_code VARCHAR, suboutput_title VARCHAR, suboutput_id VARCHAR, suboutput_status VARCHAR,
            start_date DATE, end_date DATE, contributing_partners VARCHAR, sdg_goals VARCHAR,
            agency VARCHAR, joint BOOLEAN NOT NULL DEFAULT FALSE, funding_source VARCHAR,
            year INTEGER NOT NULL, required DOUBLE, available DOUBLE, expenditure DOUBLE,
            currency VARCHAR NOT NULL DEFAULT 'USD', {_VERSION_COLUMNS})""",
        f"""CREATE TABLE indicator_rows (
            country VARCHAR, plan VARCHAR NOT NULL, indicator_code VARCHAR NOT NULL, indicator VARCHAR,
            result_code VARCHAR, unit VARCHAR, baseline DOUBLE, baseline_year INTEGER, target DOUBLE,
            target_year INTEGER, period VARCHAR NOT NULL, period_end DATE, actual DOUBLE, agency VARCHAR,
            means_of_verification VARCHAR, {_VERSION_COLUMNS})""",
        f"""CREATE TABLE action_rows (
            plan VARCHAR, source_type VARCHAR NOT NULL, source_title VARCHAR NOT NULL, recommendation_no VARCHAR,
            recommendation VARCHAR, management_response VARCHAR, action_no VARCHAR NOT NULL, action VARCHAR,
            responsible VARCHAR, agency VARCHAR, deadline DATE, status VARCHAR NOT NULL, comments VARCHAR,
            as_of DATE, {_VERSION_COLUMNS})""",
        """CREATE TABLE users (
            user_name VARCHAR PRIMARY KEY, email VARCHAR, role VARCHAR NOT NULL, agencies VARCHAR[] DEFAULT [],
            password_hash VARCHAR, created_at TIMESTAMP DEFAULT current_timestamp)""",
    ]),
    # no table changes: applying it recreates the views (indicator_values gained the plan's country)
    (2, "indicators take their plan's country", []),
    (3, "indirect costs of a budget (programme support cost, administrative agent fee)", [
        f"""CREATE TABLE indirect_cost_rows (
            country VARCHAR, plan VARCHAR NOT NULL, year INTEGER, agency VARCHAR, cost_type VARCHAR NOT NULL,
            label VARCHAR, rate DOUBLE, required DOUBLE, available DOUBLE, expenditure DOUBLE,
            currency VARCHAR NOT NULL DEFAULT 'USD', {_VERSION_COLUMNS})""",
    ]),
    # the country is stored at load (etl.load: the country rule), no longer derived in a view: a later load of a
    # same-named plan in another country must never change how these rows are shown. Rows loaded before take
    # the country the view derived: their plan's, when exactly one country has a plan of that name
    (4, "indicator and action rows store their country", [
        "ALTER TABLE action_rows ADD COLUMN IF NOT EXISTS country VARCHAR",
        *(f"""UPDATE {table} t SET country = p.country FROM (
                  SELECT plan, min(country) AS country FROM plans WHERE coalesce(country, '') <> ''
                  GROUP BY plan HAVING count(DISTINCT country) = 1) p
              WHERE t.country IS NULL AND t.plan = p.plan""" for table in ("indicator_rows", "action_rows")),
    ]),
]

VIEWS = [
    """CREATE OR REPLACE VIEW budget AS
       SELECT country, plan, strategic_priority_code, strategic_priority, outcome_code, outcome_title,
              output_code, output_title, suboutput_code, suboutput_title, suboutput_id, suboutput_status,
              start_date, end_date, contributing_partners, sdg_goals, agency, joint, funding_source, year,
              required, available, expenditure, currency, submission_id
       FROM budget_lines WHERE current""",
    """CREATE OR REPLACE VIEW indicator_values AS
       SELECT country, plan, indicator_code, indicator, result_code, unit, baseline, baseline_year, target,
              target_year, period, period_end, actual, agency, means_of_verification, submission_id
       FROM indicator_rows WHERE current""",
    """CREATE OR REPLACE VIEW actions AS
       SELECT source_type, source_title, recommendation_no, recommendation, management_response, action_no,
              action, responsible, agency, deadline, status, comments, as_of,
              coalesce(status IN ('ongoing', 'not_started') AND deadline < current_date, FALSE) AS overdue,
              country, plan, submission_id
       FROM action_rows WHERE current""",
    """CREATE OR REPLACE VIEW submissions AS
       SELECT submission_id, kind, file_name, sha256, user_name, agency, plan, created_at, rows_added,
              rows_replaced, rows_rejected, status, country, layout, duplicate_of, rolled_back_at,
              rolled_back_by, len(warnings) AS warning_count
       FROM submission_log""",
    """CREATE OR REPLACE VIEW suboutput_list AS
       SELECT * EXCLUDE (current, replaced_by) FROM suboutputs WHERE current""",
    # cost_type: 'support' (programme support cost on the direct costs) or 'fee' (administrative agent fee on
    # the contributions); rate as the label states it (0.07), NULL when it states none
    """CREATE OR REPLACE VIEW indirect_costs AS
       SELECT country, plan, year, agency, cost_type, label, rate, required, available, expenditure, currency,
              submission_id
       FROM indirect_cost_rows WHERE current""",
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the database to the newest schema in place; each migration in its own transaction."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "description VARCHAR, applied_at TIMESTAMP DEFAULT current_timestamp)")
    done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    for version, description, statements in MIGRATIONS:
        if version in done:
            continue
        con.execute("BEGIN")
        try:
            for sql in statements:
                con.execute(sql)
            if version == 1:
                _seed_entities(con)
            con.execute("INSERT INTO schema_migrations (version, description) VALUES (?, ?)", [version, description])
            con.execute("COMMIT")
        except Exception as exc:
            abandon(con, exc)
            raise
    current_views = {n for (n,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    if not {"budget", "indicator_values", "actions", "submissions", "suboutput_list",
            "indirect_costs"} <= current_views or done != {
            v for v, _, _ in MIGRATIONS}:
        for sql in VIEWS:
            con.execute(sql)


def _seed_entities(con) -> None:
    """The shipped entity list in one statement (row by row, it was most of a new database's creation)."""
    con.execute("INSERT INTO entities (code, name, aliases, origin) SELECT unnest(?), unnest(?), unnest(?), 'shipped'",
                [[e.code for e in SHIPPED_ENTITIES], [e.name for e in SHIPPED_ENTITIES],
                 [list(e.aliases) for e in SHIPPED_ENTITIES]])


# ---------------------------------------------------------------- reads the writers need

def entities(con) -> list[Entity]:
    rows = con.cursor().execute("SELECT code, name, aliases FROM entities ORDER BY code").fetchall()
    return [Entity(code, name, tuple(aliases or ())) for code, name, aliases in rows]


def add_entity(con, code: str, name: str, aliases: tuple[str, ...] = (), origin: str = "admin") -> None:
    """A new entity; an existing code is left alone (UN INFO loads add entities this way)."""
    con.execute("INSERT INTO entities (code, name, aliases, origin) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [code, name, list(aliases), origin])


def update_entity(con, code: str, name: str, aliases: tuple[str, ...]) -> None:
    """An administrator's new name and aliases for an existing entity (its origin becomes 'admin')."""
    with write_lock:
        con.execute("UPDATE entities SET name = ?, aliases = ?, origin = 'admin' WHERE code = ?",
                    [name, list(aliases), code])


def find_duplicate(con, sha256: str, kind: str | None) -> dict | None:
    """The committed submission that already loaded this exact content, if any."""
    row = con.cursor().execute(
        """SELECT submission_id, user_name, created_at, file_name, kind FROM submission_log
           WHERE sha256 = ? AND status = 'committed' ORDER BY submission_id DESC LIMIT 1""", [sha256]).fetchone()
    if row is None:
        return None
    return dict(zip(("submission_id", "user_name", "created_at", "file_name", "kind"), row))


def next_submission_id(con, after: int = 0) -> int:
    """The next free submission number (callers hold write_lock, and one process writes the file).

    Computed from the log rather than a sequence: a sequence's position is not reliably restored
    when a process is killed mid-load, and a reused number would collide with the 'loading' record.
    """
    with write_lock:
        last = con.execute("SELECT coalesce(max(submission_id), 0) FROM submission_log").fetchone()[0]
    return max(last, after) + 1


def record_submission(con, submission_id: int, **fields) -> None:
    columns = ["submission_id", *fields]
    con.execute(f"INSERT INTO submission_log ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [submission_id, *fields.values()])


def log_submission(con, **fields) -> int:
    """Record a submission that writes no rows (rejected, duplicate); returns its number."""
    with write_lock:
        submission_id = next_submission_id(con)
        record_submission(con, submission_id, **fields)
    return submission_id


def finish_submission(con, submission_id: int, **fields) -> None:
    sets = ", ".join(f"{k} = ?" for k in fields)
    con.execute(f"UPDATE submission_log SET {sets} WHERE submission_id = ?", [*fields.values(), submission_id])


def keep_file(con, submission_id: int, content: bytes) -> None:
    con.execute("INSERT INTO submission_files VALUES (?, ?)", [submission_id, content])


def original_file(con, submission_id: int) -> tuple[str, bytes] | None:
    row = con.cursor().execute(
        """SELECT l.file_name, f.content FROM submission_files f JOIN submission_log l USING (submission_id)
           WHERE submission_id = ?""", [submission_id]).fetchone()
    return (row[0], bytes(row[1])) if row else None


def submission(con, submission_id: int) -> dict | None:
    cur = con.cursor().execute("SELECT * FROM submission_log WHERE submission_id = ?", [submission_id])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


# ---------------------------------------------------------------- writes of a load

def upsert_plans(con, submission_id: int, source: str = "staged") -> None:
    """Record the plans (and countries) the staged rows (or `source`, e.g. the staged sub-outputs, whose
    plans need no figures) belong to."""
    con.execute(f"""INSERT INTO plans SELECT DISTINCT coalesce(country, ''), plan, ? FROM {source}
                    WHERE plan IS NOT NULL ON CONFLICT DO NOTHING""", [submission_id])


def stage(con, name: str, table) -> None:
    """Make an Arrow table of validated rows queryable as `name` on this connection (no copy)."""
    con.register(name, table)


def stage_uninfo(con) -> None:
    """The staged budget rows of UN INFO exports: figures joined to their sub-outputs (per file `sid`)."""
    con.execute(f"""CREATE OR REPLACE TEMP VIEW staged AS
        SELECT {', '.join('s.' + c for c in SUBOUTPUT_COLUMNS if c != 'suboutput_id')}, f.*,
               CAST(NULL AS VARCHAR) AS funding_source, 'USD' AS currency
        FROM staged_figures f JOIN staged_suboutputs s USING (sid, suboutput_id)""")


def replace_and_insert_uninfo(con, submission_ids: list[int]) -> dict[int, tuple[int, int]]:
    """UN INFO exports (staged with their submission as `sid`), set-based: per submission (added, replaced).

    The same sub-output ID in several files of the batch: each version is inserted, the later one
    current and the earlier replaced by it, exactly as if the files had been loaded one by one.
    """
    con.execute("""CREATE OR REPLACE TEMP TABLE staged_versions AS
        SELECT sid, suboutput_id, lead(sid) OVER (PARTITION BY suboutput_id ORDER BY sid) AS next_sid,
               min(sid) OVER (PARTITION BY suboutput_id) AS first_sid
        FROM staged_suboutputs""")
    for table in ("budget_lines", "suboutputs"):
        con.execute(f"""UPDATE {table} t SET current = FALSE, replaced_by = v.first_sid
                        FROM (SELECT DISTINCT suboutput_id, first_sid FROM staged_versions) v
                        WHERE t.current AND t.suboutput_id = v.suboutput_id""")
    sub_columns = ", ".join(SUBOUTPUT_COLUMNS)
    con.execute(f"""INSERT INTO suboutputs ({sub_columns}, submission_id, current, replaced_by)
                    SELECT {', '.join('s.' + c for c in SUBOUTPUT_COLUMNS)}, s.sid, v.next_sid IS NULL, v.next_sid
                    FROM staged_suboutputs s JOIN staged_versions v USING (sid, suboutput_id)""")
    con.execute(f"""INSERT INTO budget_lines ({', '.join(BUDGET_COLUMNS)}, submission_id, current, replaced_by)
                    SELECT {', '.join('b.' + c for c in BUDGET_COLUMNS)}, b.sid, v.next_sid IS NULL, v.next_sid
                    FROM staged b JOIN staged_versions v USING (sid, suboutput_id)""")
    con.execute("DROP TABLE staged_versions")
    ids = list(submission_ids)
    added = dict(con.execute("SELECT submission_id, count(*) FROM budget_lines WHERE submission_id IN "
                             "(SELECT unnest(?)) GROUP BY 1", [ids]).fetchall())
    replaced = dict(con.execute("SELECT replaced_by, count(*) FROM budget_lines WHERE replaced_by IN "
                                "(SELECT unnest(?)) GROUP BY 1", [ids]).fetchall())
    return {sid: (added.get(sid, 0), replaced.get(sid, 0)) for sid in ids}


#: staged row `s` and stored row `t` are of the same country: plans of one name in two countries (UN INFO
#: has many "United Nations Sustainable Development Cooperation Framework") are two plans
SAME_COUNTRY = "(s.country IS NULL OR t.country IS NULL OR s.country = t.country)"

# Which current rows a staged submission replaces (SPEC §7): per kind, the table and the condition
# that stored row `t` lies in the scope of staged row `s` (loads and rollbacks share it).
REPLACE_SCOPE = {
    "budget": ("budget_lines", f"""t.suboutput_id IS NULL AND s.plan = t.plan AND {SAME_COUNTRY}
              AND s.agency IS NOT DISTINCT FROM t.agency AND s.year = t.year"""),
    "indicators": ("indicator_rows", f"""s.plan = t.plan AND {SAME_COUNTRY}
              AND s.agency IS NOT DISTINCT FROM t.agency AND s.period = t.period"""),
    "actions": ("action_rows", f"""s.source_title = t.source_title AND {SAME_COUNTRY}
              AND s.agency IS NOT DISTINCT FROM t.agency"""),
    # a budget's indirect costs go with its lines: a later budget (lines or indirect costs) of the same plan
    # and agency retires them, for their year, or for any year when either side states none (a support cost
    # on several years' lines is stale once any of them is replaced)
    "indirect_costs": ("indirect_cost_rows", f"""s.plan = t.plan AND {SAME_COUNTRY}
              AND s.agency IS NOT DISTINCT FROM t.agency AND (s.year IS NULL OR t.year IS NULL OR s.year = t.year)"""),
}
#: what a scope is named by, besides its country and agency: a plan, or an actions row's source
SCOPE_KEY = {"budget": "plan", "indicators": "plan", "actions": "source_title"}

#: every plan of the current rows with its country, and the year of each budget line (NULL for a plan known from
#: sub-outputs without figures, indicators or actions): the plans an upload may name (etl.load, the Upload page)
PLAN_COUNTRIES = """SELECT country, plan, year FROM budget
    UNION ALL SELECT country, plan, NULL FROM suboutput_list
    UNION ALL SELECT country, plan, NULL FROM indicator_values
    UNION ALL SELECT country, plan, NULL FROM actions"""


def stage_retiring(con, kind: str, uninfo: bool) -> None:
    """Temp table `retiring`: the current rows the staged rows would retire, by the rules the writes follow —
    a UN INFO export by sub-output ID (`replace_and_insert_uninfo`: its figures and the sub-output itself),
    other loads by REPLACE_SCOPE. Per retired row: the staged row retiring it (`sid` and the sub-output ID, or
    the staged row's number `_n`), and the retired row's agency, scope (plan or source) and country."""
    if uninfo:
        sql = """SELECT s.sid, s.suboutput_id AS ref, t.agency, t.plan AS scope, t.country
                 FROM staged_suboutputs s JOIN (
                     SELECT suboutput_id, agency, plan, country FROM budget_lines
                     WHERE current AND suboutput_id IS NOT NULL
                     UNION SELECT suboutput_id, agency, plan, country FROM suboutputs WHERE current) t
                 USING (suboutput_id)"""
    else:
        table, same_scope = REPLACE_SCOPE[kind]
        sql = f"""SELECT CAST(NULL AS BIGINT) AS sid, CAST(s._n AS VARCHAR) AS ref, t.agency,
                         t.{SCOPE_KEY[kind]} AS scope, t.country
                  FROM {table} t JOIN staged s ON {same_scope} WHERE t.current"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE retiring AS {sql}")


def replace_and_insert(con, scope: str, submission_id: int, columns: tuple[str, ...]) -> tuple[int, int]:
    """Retire the current rows in the staged rows' scope, insert the staged rows: (added, replaced)."""
    table, same_scope = REPLACE_SCOPE[scope]
    condition = f"EXISTS (SELECT 1 FROM staged s WHERE {same_scope})"
    replaced = con.execute(
        f"UPDATE {table} t SET current = FALSE, replaced_by = ? WHERE t.current AND {condition}",
        [submission_id]).fetchone()[0]
    added = con.execute(f"INSERT INTO {table} ({', '.join(columns)}, submission_id) "
                        f"SELECT {', '.join(columns)}, ? FROM staged", [submission_id]).fetchone()[0]
    return added, replaced


def replace_and_insert_indirect(con, submission_id: int) -> None:
    """After `replace_and_insert` of a budget: retire the current indirect costs in the scope of the staged
    lines and indirect costs (`staged`, `staged_indirect`), then insert the staged ones."""
    table, same_scope = REPLACE_SCOPE["indirect_costs"]
    scope = ("(SELECT plan, country, agency, year FROM staged "
             "UNION ALL SELECT plan, country, agency, year FROM staged_indirect)")
    con.execute(f"""UPDATE {table} t SET current = FALSE, replaced_by = ?
                    WHERE t.current AND EXISTS (SELECT 1 FROM {scope} s WHERE {same_scope})""", [submission_id])
    con.execute(f"INSERT INTO {table} ({', '.join(INDIRECT_COST_COLUMNS)}, submission_id) "
                f"SELECT {', '.join(INDIRECT_COST_COLUMNS)}, ? FROM staged_indirect", [submission_id])


class RollbackError(ValueError):
    """A submission that cannot be rolled back; the text says why and what to do."""


def _next_replacer(table: str, kind: str, submission_id: int) -> str:
    """SQL expression: for the retired row `t` of `table`, the first committed submission after
    `submission_id` whose load retired (or would have retired) it, NULL when none: what `t.replaced_by`
    would be had `submission_id` never been loaded. UN INFO exports replace by sub-output ID (see
    `replace_and_insert_uninfo`, their sub-outputs are in `suboutputs`), other loads by REPLACE_SCOPE."""
    later = ("JOIN submission_log q ON q.submission_id = s.submission_id AND q.status = 'committed' "
             f"AND q.submission_id > {int(submission_id)}")
    by_suboutput = f"(SELECT min(s.submission_id) FROM suboutputs s {later} WHERE s.suboutput_id = t.suboutput_id)"
    if table == "suboutputs":
        return by_suboutput
    if table == "indirect_cost_rows":  # retired by a later budget's lines or indirect costs (see REPLACE_SCOPE)
        same_scope = REPLACE_SCOPE["indirect_costs"][1]
        return (f"least((SELECT min(s.submission_id) FROM budget_lines s {later} "
                f"WHERE q.layout IS DISTINCT FROM 'uninfo' AND {same_scope}), "
                f"(SELECT min(s.submission_id) FROM {table} s {later} WHERE {same_scope}))")
    by_scope = (f"(SELECT min(s.submission_id) FROM {table} s {later} "
                f"WHERE q.layout IS DISTINCT FROM 'uninfo' AND {REPLACE_SCOPE[kind][1]})")
    return f"least({by_scope}, {by_suboutput})" if table == "budget_lines" else by_scope


def rollback(con, submission_id: int, user_name: str | None = None) -> dict:
    """Undo a committed submission, in one transaction: the data become as if it had never been loaded.

    Its rows are hidden. Each row it had replaced becomes current again, unless a later committed
    submission has since taken over that row's scope: then the row stays retired, now replaced by (the
    first such) later submission, so that rolling that one back restores it in turn. Any committed
    submission can so be rolled back, in any order.
    """
    with write_lock:
        return _rollback(con, submission_id, user_name)


def _rollback(con, submission_id: int, user_name: str | None) -> dict:
    con.execute("BEGIN")
    try:
        info = submission(con, submission_id)
        if info is None:
            raise RollbackError(f"There is no submission {submission_id}.")
        if info["status"] != "committed":
            raise RollbackError(f"Submission {submission_id} is {info['status']}; only a committed submission "
                                "can be rolled back.")
        finish_submission(con, submission_id, status="rolled_back", rolled_back_at=_now(), rolled_back_by=user_name)
        kind, fact_table = info["kind"], FACT_TABLES[info["kind"]]
        counts = {}
        for table in (fact_table, "suboutputs", "indirect_cost_rows") if fact_table == "budget_lines" else (fact_table,):
            # its rows leave every chain: hidden, and no longer pointing at what replaced them
            hidden = con.execute(f"SELECT count(*) FILTER (current) FROM {table} WHERE submission_id = ?",
                                 [submission_id]).fetchone()[0]
            con.execute(f"UPDATE {table} SET current = FALSE, replaced_by = NULL WHERE submission_id = ?",
                        [submission_id])
            # what it replaced: current again, or passed on to the later submission that took the scope over
            con.execute(f"""CREATE OR REPLACE TEMP TABLE rollback_next AS
                            SELECT t.rowid AS row_id, {_next_replacer(table, kind, submission_id)} AS next_id
                            FROM {table} t WHERE t.replaced_by = ?""", [submission_id])
            restored = con.execute("SELECT count(*) FROM rollback_next WHERE next_id IS NULL").fetchone()[0]
            con.execute(f"""UPDATE {table} t SET current = n.next_id IS NULL, replaced_by = n.next_id
                            FROM rollback_next n WHERE t.rowid = n.row_id""")
            con.execute("DROP TABLE rollback_next")
            counts[table] = hidden, restored
        con.execute("COMMIT")
    except Exception as exc:
        abandon(con, exc)
        raise
    hidden, restored = counts[fact_table]
    return {"submission_id": submission_id, "rows_hidden": hidden, "rows_restored": restored}


def _now():
    import datetime as dt

    return dt.datetime.now()
