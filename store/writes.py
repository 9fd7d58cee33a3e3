"""Every write to the database: the submission log, entities, staging and replacing a load's rows, rollbacks.

Versioning: every fact row carries the submission that brought it, a `current` flag and, once
replaced, the submission that replaced it (`replaced_by`). Rolling a submission back, in any order,
hides its rows and makes current again the rows it had replaced, unless a later submission has
since taken over their scope (they then wait for that one: `replaced_by` is moved to it). The views
of SPEC §9 show current rows only.
"""

from __future__ import annotations

import datetime as dt

import store.connection
from core.entities import SHIPPED_ENTITIES, Entity
from core.errors import RollbackError
from core.schema import BUDGET_LINES, INDIRECT_COST_ROWS, KINDS, REPLACE_SCOPE, SUBOUTPUTS
from store import history, periods, summaries
from store.transactions import write_lock, write_transaction

# ---------------------------------------------------------------- reads the writers need


_ENTITIES = "SELECT code, name, aliases FROM entities ORDER BY code"


def entities(con) -> list[Entity]:
    return _as_entities(con.cursor().execute(_ENTITIES).fetchall())


def entities_before_open(path) -> list[Entity] | None:
    """`entities` of the store at `path` before it is opened: the shipped list for a database file not created yet,
    else as the file holds them (store.connection.peek); None when they cannot be known so."""
    if store.connection.is_new(path):
        return sorted(SHIPPED_ENTITIES, key=lambda e: e.code)  # as a new database's first migration stores them
    rows = store.connection.peek(path, _ENTITIES)
    return None if rows is None else _as_entities(rows)


def _as_entities(rows: list[tuple]) -> list[Entity]:
    return [Entity(code, name, tuple(aliases or ())) for code, name, aliases in rows]


def add_entity(con, code: str, name: str, aliases: tuple[str, ...] = (), origin: str = "admin") -> None:
    """A new entity; an existing code is left alone (UN INFO loads add entities this way). Inside a write
    transaction (a shared store has no unique keys: the check is the key)."""
    con.execute(
        "INSERT INTO entities (code, name, aliases, origin) SELECT ?, ?, ?, ? "
        "WHERE NOT EXISTS (SELECT 1 FROM entities WHERE code = ?)",
        [code, name, list(aliases), origin, code],
    )


def update_entity(con, code: str, name: str, aliases: tuple[str, ...]) -> None:
    """An administrator's new name and aliases for an existing entity (its origin becomes 'admin')."""
    write_transaction(
        con,
        lambda c: c.execute(
            "UPDATE entities SET name = ?, aliases = ?, origin = 'admin' WHERE code = ?", [name, list(aliases), code]
        ),
    )


def find_duplicate(con, sha256: str, kind: str | None) -> dict | None:
    """The committed submission that already loaded this exact content, if any."""
    row = (
        con.cursor()
        .execute(
            """SELECT submission_id, user_name, created_at, file_name, kind FROM submission_log
           WHERE sha256 = ? AND status = 'committed' ORDER BY submission_id DESC LIMIT 1""",
            [sha256],
        )
        .fetchone()
    )
    if row is None:
        return None
    return dict(zip(("submission_id", "user_name", "created_at", "file_name", "kind"), row))


def next_submission_id(con, after: int = 0) -> int:
    """The next free submission number (callers hold write_lock, and one process writes the file; on a shared
    store they are inside a write transaction, which serialises them with other processes' writes).

    Computed from the log rather than a sequence: a sequence's position is not reliably restored
    when a process is killed mid-load, and a reused number would collide with the 'loading' record.
    """
    with write_lock:
        last = con.execute("SELECT coalesce(max(submission_id), 0) FROM submission_log").fetchone()[0]
    return max(last, after) + 1


def record_submission(con, submission_id: int, reported_on=None, reported_from=None, **fields) -> None:
    """A new row of the submission log (and, when its file says when its data were reported, that day)."""
    columns = ["submission_id", *fields]
    con.execute(
        f"INSERT INTO submission_log ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [submission_id, *fields.values()],
    )
    if reported_on is not None:
        con.execute("INSERT INTO submission_dates VALUES (?, ?, ?)", [submission_id, reported_on, reported_from])


def log_submission(con, **fields) -> int:
    """Record a submission that writes no rows (rejected, duplicate), in its own write transaction; returns its
    number."""

    def record(con) -> int:
        submission_id = next_submission_id(con)
        record_submission(con, submission_id, **fields)
        return submission_id

    return write_transaction(con, record)


def finish_submission(con, submission_id: int, **fields) -> None:
    sets = ", ".join(f"{k} = ?" for k in fields)
    con.execute(f"UPDATE submission_log SET {sets} WHERE submission_id = ?", [*fields.values(), submission_id])


def keep_file(con, submission_id: int, content: bytes) -> None:
    con.execute("INSERT INTO submission_files VALUES (?, ?)", [submission_id, content])


def original_file(con, submission_id: int) -> tuple[str, bytes] | None:
    row = (
        con.cursor()
        .execute(
            """SELECT l.file_name, f.content FROM submission_files f JOIN submission_log l USING (submission_id)
           WHERE submission_id = ?""",
            [submission_id],
        )
        .fetchone()
    )
    return (row[0], bytes(row[1])) if row else None


def submission(con, submission_id: int) -> dict | None:
    cur = con.cursor().execute("SELECT * FROM submission_log WHERE submission_id = ?", [submission_id])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


# ---------------------------------------------------------------- writes of a load


def upsert_plans(con, submission_id: int, source: str = "staged") -> None:
    """Record the plans (and countries) the staged rows (or `source`, e.g. the staged sub-outputs, whose
    plans need no figures) belong to."""
    con.execute(
        f"""INSERT INTO plans SELECT DISTINCT coalesce(s.country, ''), s.plan, ? FROM {source} s
                    WHERE s.plan IS NOT NULL AND NOT EXISTS (SELECT 1 FROM plans p
                        WHERE p.country = coalesce(s.country, '') AND p.plan = s.plan)""",
        [submission_id],
    )


def stage(con, name: str, table) -> None:
    """Make an Arrow table of validated rows queryable as `name` on this connection (no copy)."""
    con.register(name, table)


def stage_uninfo(con) -> None:
    """The staged budget rows of UN INFO exports: figures joined to their sub-outputs (per file `sid`)."""
    con.execute(f"""CREATE OR REPLACE TEMP VIEW staged AS
        SELECT {", ".join("s." + c for c in SUBOUTPUTS.column_names if c != "suboutput_id")}, f.*,
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
    subs, lines = SUBOUTPUTS.column_names, BUDGET_LINES.column_names
    con.execute(f"""INSERT INTO suboutputs ({", ".join(subs)}, submission_id, current, replaced_by)
                    SELECT {", ".join("s." + c for c in subs)}, s.sid, v.next_sid IS NULL, v.next_sid
                    FROM staged_suboutputs s JOIN staged_versions v USING (sid, suboutput_id)""")
    con.execute(f"""INSERT INTO budget_lines ({", ".join(lines)}, submission_id, current, replaced_by)
                    SELECT {", ".join("b." + c for c in lines)}, b.sid, v.next_sid IS NULL, v.next_sid
                    FROM staged b JOIN staged_versions v USING (sid, suboutput_id)""")
    con.execute("DROP TABLE staged_versions")
    ids = list(submission_ids)
    added = dict(
        con.execute(
            "SELECT submission_id, count(*) FROM budget_lines WHERE submission_id IN (SELECT unnest(?)) GROUP BY 1",
            [ids],
        ).fetchall()
    )
    replaced = dict(
        con.execute(
            "SELECT replaced_by, count(*) FROM budget_lines WHERE replaced_by IN (SELECT unnest(?)) GROUP BY 1", [ids]
        ).fetchall()
    )
    return {sid: (added.get(sid, 0), replaced.get(sid, 0)) for sid in ids}


#: what a scope is named by, besides its country and agency: a plan, or an actions row's source
SCOPE_KEY = {name: kind.table.scope_key for name, kind in KINDS.items()}


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
        f"UPDATE {table} t SET current = FALSE, replaced_by = ? WHERE t.current AND {condition}", [submission_id]
    ).fetchone()[0]
    added = con.execute(
        f"INSERT INTO {table} ({', '.join(columns)}, submission_id) SELECT {', '.join(columns)}, ? FROM staged",
        [submission_id],
    ).fetchone()[0]
    return added, replaced


def replace_and_insert_indirect(con, submission_id: int) -> None:
    """After `replace_and_insert` of a budget: retire the current indirect costs in the scope of the staged
    lines and indirect costs (`staged`, `staged_indirect`), then insert the staged ones."""
    table, same_scope = REPLACE_SCOPE["indirect_costs"]
    scope = (
        "(SELECT plan, country, agency, year FROM staged "
        "UNION ALL SELECT plan, country, agency, year FROM staged_indirect)"
    )
    con.execute(
        f"""UPDATE {table} t SET current = FALSE, replaced_by = ?
                    WHERE t.current AND EXISTS (SELECT 1 FROM {scope} s WHERE {same_scope})""",
        [submission_id],
    )
    con.execute(
        f"INSERT INTO {table} ({', '.join(INDIRECT_COST_ROWS.column_names)}, submission_id) "
        f"SELECT {', '.join(INDIRECT_COST_ROWS.column_names)}, ? FROM staged_indirect",
        [submission_id],
    )


def _next_replacer(table: str, kind: str, submission_id: int) -> str:
    """SQL expression: for the retired row `t` of `table`, the first committed submission after
    `submission_id` whose load retired (or would have retired) it, NULL when none: what `t.replaced_by`
    would be had `submission_id` never been loaded. UN INFO exports replace by sub-output ID (see
    `replace_and_insert_uninfo`, their sub-outputs are in `suboutputs`), other loads by REPLACE_SCOPE."""
    later = (
        "JOIN submission_log q ON q.submission_id = s.submission_id AND q.status = 'committed' "
        f"AND q.submission_id > {int(submission_id)}"
    )
    by_suboutput = f"(SELECT min(s.submission_id) FROM suboutputs s {later} WHERE s.suboutput_id = t.suboutput_id)"
    if table == "suboutputs":
        return by_suboutput
    if table == "indirect_cost_rows":  # retired by a later budget's lines or indirect costs (see REPLACE_SCOPE)
        same_scope = REPLACE_SCOPE["indirect_costs"][1]
        return (
            f"least((SELECT min(s.submission_id) FROM budget_lines s {later} "
            f"WHERE q.layout IS DISTINCT FROM 'uninfo' AND {same_scope}), "
            f"(SELECT min(s.submission_id) FROM {table} s {later} WHERE {same_scope}))"
        )
    by_scope = (
        f"(SELECT min(s.submission_id) FROM {table} s {later} "
        f"WHERE q.layout IS DISTINCT FROM 'uninfo' AND {REPLACE_SCOPE[kind][1]})"
    )
    return f"least({by_scope}, {by_suboutput})" if table == "budget_lines" else by_scope


def rollback(con, submission_id: int, user_name: str | None = None) -> dict:
    """Undo a committed submission, in one transaction: the data become as if it had never been loaded.

    Its rows are hidden. Each row it had replaced becomes current again, unless a later committed
    submission has since taken over that row's scope: then the row stays retired, now replaced by (the
    first such) later submission, so that rolling that one back restores it in turn. Any committed
    submission can so be rolled back, in any order.
    """
    return write_transaction(con, _rollback, submission_id, user_name)


def _rollback(con, submission_id: int, user_name: str | None) -> dict:
    """Inside the write transaction (run again from here when another process committed meanwhile)."""
    info = submission(con, submission_id)
    if info is None:
        raise RollbackError(f"There is no submission {submission_id}.")
    if info["status"] != "committed":
        raise RollbackError(
            f"Submission {submission_id} is {info['status']}; only a committed submission can be rolled back."
        )
    periods.check_rollback(con, submission_id)  # a roll-back that would change a closed period is refused
    finish_submission(con, submission_id, status="rolled_back", rolled_back_at=_now(), rolled_back_by=user_name)
    changed_at = history.now()
    kind, fact_table = info["kind"], KINDS[info["kind"]].table.name
    counts: dict = {}
    touched: summaries.Touched = []
    tables = (fact_table, "suboutputs", "indirect_cost_rows") if fact_table == "budget_lines" else (fact_table,)
    for table in tables:
        # its rows leave every chain: hidden, and no longer pointing at what replaced them
        hidden = con.execute(
            f"SELECT count(*) FILTER (current) FROM {table} WHERE submission_id = ?", [submission_id]
        ).fetchone()[0]
        con.execute(f"UPDATE {table} SET current = FALSE, replaced_by = NULL WHERE submission_id = ?", [submission_id])
        # what it replaced: current again, or passed on to the later submission that took the scope over
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE rollback_next AS
                        SELECT t.rowid AS row_id, {_next_replacer(table, kind, submission_id)} AS next_id
                        FROM {table} t WHERE t.replaced_by = ?""",
            [submission_id],
        )
        restored = con.execute("SELECT count(*) FROM rollback_next WHERE next_id IS NULL").fetchone()[0]
        con.execute(f"""UPDATE {table} t SET current = n.next_id IS NULL, replaced_by = n.next_id
                        FROM rollback_next n WHERE t.rowid = n.row_id""")
        history.record_rollback(con, table, submission_id, changed_at)
        touched += summaries.touched_rows(  # the rows it hid or gave back
            con, table, "submission_id = ? OR rowid IN (SELECT row_id FROM rollback_next)", [submission_id]
        )
        con.execute("DROP TABLE rollback_next")
        counts[table] = hidden, restored
    summaries.refresh(con, touched)  # in the same transaction
    hidden, restored = counts[fact_table]
    return {"submission_id": submission_id, "rows_hidden": hidden, "rows_restored": restored}


def _now():
    return dt.datetime.now()
