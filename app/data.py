"""What pages read, and how: the store's connection for this script run, the data version, and `cached(read,
filters, *args)` — a read of `analytics` passed by reference and cached per database, data version, read, filters
and arguments. Also what the filter bar left in the session: the current filters and the filter options."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator
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
def _connect_shared(target: str) -> duckdb.DuckDBPyConnection:
    return store.connection.connect(target)


class _HeldFile:
    """The database file, open while at least one script run of this process uses it: the last run to end closes
    it, so a command (`load`, `users add`…) waits at most for the page runs under way, and a page run waits
    (store.connection.connect retries) while a command holds the file. A shared store stays connected.

    A run's reads share one read transaction (`reading`), ended when the run ends or asks for the connection to
    write (`data.connection`).

    A run is its thread (Streamlit runs each script run in a thread of its own): a run that ended without saying so
    (an exception before dashboard.py's `finally`) lets go when its thread is gone."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open: dict[str, duckdb.DuckDBPyConnection] = {}
        self.holders: dict[threading.Thread, set[str]] = {}  # each running script run → the files it uses
        self.reads: dict[threading.Thread, tuple[str, history.Session]] = {}  # each run's read transaction

    def connection(self, path: str) -> duckdb.DuckDBPyConnection:
        with self.lock:
            self._let_go(set())
            con = self.open.get(path)
            if con is None:
                con = self.open[path] = store.connection.connect(path)
            self.holders.setdefault(threading.current_thread(), set()).add(path)
            return con

    def reading(self, target: str) -> duckdb.DuckDBPyConnection:
        """The store as this script run reads it: one read transaction (history.Session) for all the run's reads,
        begun at its first (the filter bar's data version). Every read of a run, and the data version its cached
        reads are kept under, see the same state of the store even when another process commits meanwhile; on a
        shared store, the catalog is asked for its snapshot once a run instead of once a statement."""
        run = threading.current_thread()
        held = self.reads.get(run)  # only this run's thread adds or replaces its entry
        if held is None or held[0] != target:
            con = _connect(target)
            with self.lock:
                self._end_reads({run})
                held = self.reads[run] = (target, history.Session(con))
        return held[1].con

    def end_reads(self) -> None:
        """This run's read transaction ends: its next read begins another, which sees what was committed since."""
        with self.lock:
            self._end_reads({threading.current_thread()})

    def _end_reads(self, runs: set[threading.Thread]) -> None:
        for run in runs:
            held = self.reads.pop(run, None)
            if held is not None:
                with contextlib.suppress(duckdb.Error):  # its connection may be gone (a shared store restarted)
                    held[1].close()

    def release(self) -> None:
        """At the end of a script run: close what no other run of this process uses."""
        with self.lock:
            self._let_go({threading.current_thread()})

    def _let_go(self, runs: set[threading.Thread]) -> None:
        """`runs`, and the runs whose thread is gone, no longer hold their files; close the files nobody holds."""
        self._end_reads(runs | {t for t in self.reads if not t.is_alive()})  # before their files close
        for run in runs | {t for t in self.holders if not t.is_alive()}:
            self.holders.pop(run, None)
        held = set().union(*self.holders.values())
        for path in [p for p in self.open if p not in held]:
            self.open.pop(path).close()


_held = _HeldFile()


def _connect(target: str) -> duckdb.DuckDBPyConnection:
    return _connect_shared(target) if store.connection.shared_url(target) else _held.connection(target)


def end_run() -> None:
    """The script run is over (dashboard.py): the database file is let go of when no other run uses it."""
    _held.release()


def db_path() -> str:
    """The store: the database file's path, or the shared store's URL (store.connection.target)."""
    return store.connection.target()


def store_name() -> str:
    """The store as the user may read it (a password in a shared store's URL masked)."""
    return store.connection.describe()


def connection() -> duckdb.DuckDBPyConnection:
    """The store's connection for this script run, to write (the Upload page, closed periods, accounts) or to read
    outside the run's read transaction; a callback, which runs at the start of the next script run, asks again
    rather than keeping an earlier run's. The run's read transaction ends here: what the run reads after it writes
    includes what it wrote."""
    _held.end_reads()
    return _opened(_connect, db_path())


def _opened(open_: Callable[[str], duckdb.DuckDBPyConnection], target: str) -> duckdb.DuckDBPyConnection:
    """`open_(target)`, or the page says why the store cannot be used and stops."""
    try:
        return open_(target)
    except (StoreUnavailable, duckdb.IOException) as error:  # held by another process, damaged, unwritable
        st.error(
            md_escape(error)
            if isinstance(error, StoreUnavailable)
            else f"The database {md_escape(store_name())} cannot be opened: {md_escape(error)}"
        )
        st.stop()
        raise  # st.stop() raises; this line only reassures type checkers


def data_version() -> tuple:
    """Submissions' fingerprint; a new submission or roll-back invalidates every cached read. Read in the run's read
    transaction, as the run's reads are: a read is never kept under a version newer than what it read."""
    with _reading(_opened(_held.reading, db_path())) as con:
        if activity.missing_surface(con):
            return NO_SURFACE
        return activity.data_version(con)


@contextlib.contextmanager
def _reading(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """`con`, the run's read transaction: a statement failing in it aborts it, so the run's next read begins
    another (as each read did on its own before)."""
    try:
        yield con
    except duckdb.Error:
        _held.end_reads()
        raise


@contextlib.contextmanager
def _at(db: str, day: dt.date | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store as this run reads it without a day; else the views as they stood at the end of `day`, made once
    for all of a read's queries (the change-since cards' headline is three queries: at 10 M lines 2.5 s when each
    made them, 1.2 s so), in a transaction of their own."""
    if day is None:
        with _reading(_held.reading(db)) as con:
            yield con
        return
    with history.Session(_connect(db), history.end_of_day(day)) as then:
        yield then.con


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached(db: str, version: tuple, read: str, filters: tuple, args: tuple, _function: Callable[..., Any]) -> Any:
    # `read` names `_function` in the key (Streamlit hashes no argument whose name starts with "_")
    f = Filters(*filters)
    with _at(db, f.as_of) as con:
        return _function(con, f, *args)


@st.cache_data(show_spinner=False, max_entries=200)
def _cached_since(
    db: str, version: tuple, read: str, filters: tuple, day: dt.date, args: tuple, _function: Callable[..., Any]
) -> Any:
    f = Filters(*filters)
    with _at(db, f.as_of) as now, _at(db, day) as then:
        return _function(now, then, f, day, *args)


def on_click(make: Callable[[duckdb.DuckDBPyConnection], R], filters: Filters | None = None) -> Callable[[], R]:
    """`make(con)` for a file made when its download button is clicked. Streamlit calls it after the page's run, in
    a thread of its server, when that run's connection may be closed (the file is let go of between runs:
    _HeldFile): it takes the store for its own call — through the filters' as-of date when they have one, as the
    page read it — and lets go after."""
    target = db_path()
    as_of = filters.as_of if filters else None

    def run() -> R:
        try:
            return make(history.as_of(_connect(target), as_of))
        finally:
            _held.release()

    return run


def cached(read: Callable[..., R], filters: Filters | None = None, *args: Any) -> R:
    """`read(con, filters, *args)`, cached per (database, data version, read, filters, args); `filters` None: the
    filter bar's."""
    f = filters if filters is not None else current_filters()
    return _cached(*_key(read, f), args, read)


def cached_since(read: Callable[..., R], day: dt.date, filters: Filters | None = None, *args: Any) -> R:
    """`read(con, then, filters, day, *args)`, cached as `cached` is: a read comparing the store as the filters show
    it (`con`) with the store as it stood at the end of `day` (`then`), in one call."""
    f = filters if filters is not None else current_filters()
    return _cached_since(*_key(read, f), day, args, read)


def _key(read: Callable[..., Any], f: Filters) -> tuple[str, tuple, str, tuple]:
    """What a cached read is kept under, before its arguments: the store, its data version, the read's name (the
    function itself is not hashed) and the filters."""
    version = st.session_state.get("_data_version") or data_version()
    return db_path(), version, f"{read.__module__}.{read.__qualname__}", f.as_tuple()


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
