"""What pages read, and how: the process's one DuckDB connection, the data version, and `cached(read, filters,
*args)` — a read of `analytics` passed by reference and cached per database, data version, read, filters and
arguments. Also what the filter bar left in the session: the current filters and the filter options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import duckdb
import streamlit as st

import store.connection
from analytics import activity
from analytics.filters import Filters
from app.text import md_escape
from core.errors import StoreUnavailable
from store import history

R = TypeVar("R")
#: the data version of a database without the query surface (no page can read it yet)
NO_SURFACE = ("no-surface",)


@st.cache_resource(show_spinner=False)
def _connect(path: str) -> duckdb.DuckDBPyConnection:
    return store.connection.connect(path)


def db_path() -> str:
    return str(store.connection.db_path())


def connection() -> duckdb.DuckDBPyConnection:
    """The process's one DuckDB connection (the Upload page writes through it too)."""
    try:
        return _connect(db_path())
    except (StoreUnavailable, duckdb.IOException) as error:  # held by another process, damaged, unwritable
        st.error(
            md_escape(error)
            if isinstance(error, StoreUnavailable)
            else f"The database {md_escape(db_path())} cannot be opened: {md_escape(error)}"
        )
        st.stop()
        raise  # st.stop() raises; this line only reassures type checkers


def data_version() -> tuple:
    """Submissions' fingerprint; a new submission or roll-back invalidates every cached read."""
    con = connection()
    if activity.missing_surface(con):
        return NO_SURFACE
    return activity.data_version(con)


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached(db: str, version: tuple, read: str, filters: tuple, args: tuple, _function: Callable[..., Any]) -> Any:
    # `read` names `_function` in the key (Streamlit hashes no argument whose name starts with "_")
    f = Filters(*filters)
    return _function(history.as_of(_connect(db), f.as_of), f, *args)  # as of a date: the views as they stood


def cached(read: Callable[..., R], filters: Filters | None = None, *args: Any) -> R:
    """`read(con, filters, *args)`, cached per (database, data version, read, filters, args); `filters` None: the
    filter bar's."""
    f = filters if filters is not None else current_filters()
    version = st.session_state.get("_data_version") or data_version()
    return _cached(db_path(), version, f"{read.__module__}.{read.__qualname__}", f.as_tuple(), args, read)


def current_filters() -> Filters:
    """What the filter bar is set to (all data before it ran)."""
    return st.session_state.get("_filters") or Filters()


EMPTY_OPTIONS: dict[str, Any] = {
    "countries": [],
    "plans": [],
    "year_min": None,
    "year_max": None,
    "outcomes": [],
    "agencies": [],
    "has_budget": False,
    "has_indicators": False,
    "has_actions": False,
    "has_submissions": False,
}


def options() -> dict[str, Any]:
    """The filter bar's options for the whole database (has_budget etc. say what data exists)."""
    return st.session_state.get("_options") or EMPTY_OPTIONS


def has_data(kind: str) -> bool:
    """Whether the database holds any row of a dataset (budget, indicators, actions, submissions)."""
    return bool(options().get(f"has_{kind}"))
