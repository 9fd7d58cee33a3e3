"""Running SQL: a WHERE clause built from parameterised conditions, and the ways a read fetches (a DataFrame,
an Arrow table, rows, one record), each on its own cursor so that pages may read in parallel threads."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import duckdb
import pandas as pd
import pyarrow as pa

R = TypeVar("R")


class Where:
    """A WHERE clause built from parameterised conditions (user values only ever travel as parameters)."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self, keyword: str = "WHERE") -> str:
        return f" {keyword} " + " AND ".join(self.clauses) if self.clauses else ""


def _fetched(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any], take: Callable[[Any], R]) -> R:
    """`take(the executed cursor)`, on a cursor of its own, closed after."""
    cursor = con.cursor()
    try:
        return take(cursor.execute(sql, list(params)))
    finally:
        cursor.close()


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    return _fetched(con, sql, params, lambda c: c.df())


def arrow(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pa.Table:
    """The result as an Arrow table: what another cursor joins without a copy (DuckDB scans it in place)."""
    return _fetched(con, sql, params, lambda c: c.to_arrow_table())


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    return _fetched(con, sql, params, lambda c: c.fetchall())


def parts(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> dict[str, Any]:
    """A statement answering several questions at once, a row (name, its answer as JSON) each, as {name: answer}
    (a missing answer, a list over no rows, is []): on a shared store each statement costs round trips to its
    catalog, so a page's small questions are asked together."""
    return {name: json.loads(values or "[]") for name, values in rows(con, sql, params)}


def record(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> dict[str, Any]:
    """The one row of an aggregate as a dict (every column None when there is no row)."""
    cursor = con.cursor()
    try:
        cursor.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        row = cursor.fetchone()
    finally:
        cursor.close()
    return dict(zip(names, row)) if row else {n: None for n in names}
