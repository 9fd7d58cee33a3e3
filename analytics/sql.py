"""Running SQL: a WHERE clause built from parameterised conditions, and the three ways a read fetches
(a DataFrame, rows, one record), each on its own cursor so that pages may read in parallel threads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd


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


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    cursor = con.cursor()
    try:
        return cursor.execute(sql, list(params)).df()
    finally:
        cursor.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    cursor = con.cursor()
    try:
        return cursor.execute(sql, list(params)).fetchall()
    finally:
        cursor.close()


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
