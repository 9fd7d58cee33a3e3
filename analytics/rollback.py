"""What rolling a submission back would do, for the Upload page's confirmation: its rows that would be withdrawn
and the earlier rows it replaced that would become current again (`store.writes.rollback` does it)."""

from __future__ import annotations

from typing import Any

import duckdb

from analytics.sql import record
from core.schema import KINDS


def rollback_preview(con: duckdb.DuckDBPyConnection, submission_id: int) -> dict[str, Any]:
    """The submission (file, kind, agency, plan, when, who), its current rows (`withdrawn`) and the rows it
    replaced (`restored`: at most these — a row a later submission has taken over since stays with that one)."""
    info = record(
        con,
        """SELECT submission_id, kind, file_name, agency, plan, country, created_at, user_name, status
                          FROM submissions WHERE submission_id = ?""",
        [submission_id],
    )
    kind = KINDS.get(info.get("kind") or "")  # None for a submission of no kind of rows (a rejected file)
    table = kind.table.name if kind else None
    if table is None:
        return {**info, "withdrawn": 0, "restored": 0}
    counts = record(
        con,
        f"""SELECT count(*) FILTER (WHERE submission_id = ? AND current) AS withdrawn,
                                    count(*) FILTER (WHERE replaced_by = ?) AS restored FROM {table}""",
        [submission_id, submission_id],
    )
    return {**info, **counts}
