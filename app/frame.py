"""The frame every page is drawn in: dashboard.py runs the chosen page inside it (`run_page`), a page makes sure
it is (`require_frame`), and opens with its title and, when there is nothing to show, what to do instead
(`page_start`, `budget_page`).

The error boundary: an unexpected failure costs one part of a page, never the page. `section()` around each
part, the catch-all in `run_page` and `guarded` callbacks log it with a short id on the server and show a plain
message that names the id."""

from __future__ import annotations

import contextlib
import functools
import secrets
import threading
from collections.abc import Callable, Iterator
from typing import Any

import streamlit as st
from streamlit.logger import get_logger

from analytics import budget
from analytics import scope as scope_reads
from analytics.filters import Filters
from app import data, notes, scope
from app.text import md_escape
from core.schema import DATASETS

_log = get_logger("unct.dashboard")
FAILURE_MESSAGE = "This part of the page could not be drawn; the error is logged as {error_id}."


def report_failure(where: str) -> str:
    """Log the exception being handled, with its traceback and a short id, on the server; the plain message
    that names the id (Streamlit's own error box would name Streamlit Cloud and chat assistants)."""
    error_id = f"E-{secrets.token_hex(3)}"
    _log.error("%s: %s could not be drawn", error_id, where, exc_info=True)
    return FAILURE_MESSAGE.format(error_id=error_id)


@contextlib.contextmanager
def section(title: str | None = None) -> Iterator[None]:
    """One part of a page (under its subheader `title`, plain text or escaped): an unexpected exception in
    it replaces what it drew with the plain message, and the rest of the page is drawn. st.stop, st.rerun
    and st.switch_page raise BaseException, not Exception, and pass through."""
    if title:
        st.subheader(title)
    slot = st.empty()
    try:
        with slot.container():
            yield
    except Exception:
        slot.error(report_failure(title or "a section"), icon=":material/error:")


def guarded(callback: Callable[..., None]) -> Callable[..., None]:
    """A widget callback whose unexpected exception shows the plain message at the top of the page (a
    callback runs before the script, outside any section)."""

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            callback(*args, **kwargs)
        except Exception:
            st.error(report_failure(f"callback {callback.__name__}"), icon=":material/error:")

    return run


_frame = threading.local()


def run_page(page: Any) -> None:
    """Run the selected st.navigation page inside the frame; an exception outside the page's sections
    ends the page there with the plain message (what was drawn stays)."""
    _frame.active = True
    try:
        page.run()
    except Exception:
        st.error(report_failure(f"page {getattr(page, 'title', page)}"), icon=":material/error:")
    finally:
        _frame.active = False


def require_frame() -> None:
    """First line of every page. Streamlit treats an app with a `pages/` folder as a legacy multipage
    app until the entry script has called st.navigation once; a bookmarked page opened first after a
    server start would then run bare, without the filter bar. Switch the legacy mode off and rerun
    through dashboard.py, which lands on the same page (its url_path is the file name)."""
    if getattr(_frame, "active", False):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


# --- the head of a page, and what it shows instead when there is nothing to show -----------------------

#: what a part of a page says when the filters match none of its rows (a dataset without rows at all says its own
#: `empty`, core.schema)
FILTERED = (
    "Nothing matches these filters: clear one in the sidebar (each filter shows what it is set to), or widen the "
    "year range."
)


def empty_state(kind: str) -> None:
    """What to do when a dataset has no rows yet (`kind`), or when the filters match none ('filtered')."""
    st.info(FILTERED if kind == "filtered" else DATASETS[kind].empty)


#: dataset → what it is, and how its data get into the dashboard ({} is the country or plan)
_NOT_YET = {
    "budget": (
        "budget data",
        "an agency focal point uploads its Common Budgetary Framework, or an administrator "
        "loads the UN INFO export of {}, on the Upload page (or with `python -m etl load`).",
    ),
    "indicators": (
        "indicator data",
        "an agency focal point uploads the indicators workbook of {} on the Upload page "
        "(its template is there), or an administrator runs `python -m etl load`.",
    ),
    "actions": (
        "recommendations or actions",
        "upload the management response or work plan of {} on the Upload page, or run `python -m etl load`.",
    ),
}


def nothing_in_view(kind: str, filters: Filters | None = None) -> None:
    """What a part of a page about `kind` says when it has nothing to show: that the chosen country (and plan)
    has no such data yet and how they get there; that there are none at all yet; else that the other filters
    match none."""
    f = filters or data.current_filters()
    if kind in _NOT_YET and (f.country or f.plan) and not data.cached(scope_reads.has_rows, f, kind):
        where = " · ".join(v for v in (f.country, f.plan and scope.plan_names_of([f.plan])[0]) if v)
        what, how = _NOT_YET[kind]
        st.info(
            f"No {what} for {md_escape(where)} yet. To add them, {how.format(md_escape(f.country or f.plan))}",
            icon=":material/info:",
        )
    elif kind in DATASETS and DATASETS[kind].empty and not data.has_data(kind):
        empty_state(kind)
    else:
        empty_state("filtered")


def no_surface_notice() -> bool:
    """Shows what to do when the database has no query surface yet; True when it was shown."""
    if st.session_state.get("_data_version") == data.NO_SURFACE:
        st.warning(
            f"The database {md_escape(data.store_name())} has no data yet — run `python -m etl demo` to build "
            "the demo database, or load files on the Upload page."
        )
        return True
    return False


def page_start(title: str, subtitle: str, kind: str) -> Filters:
    """Title, caption and the empty state of a page about one dataset: the filters, or the script
    stops with what the user should do."""
    st.title(title)
    st.caption(subtitle)
    if no_surface_notice():
        st.stop()
    if not data.has_data(kind):
        nothing_in_view(kind)
        st.stop()
    scope.show_statement(kind)
    return data.current_filters()


def budget_page(title: str, subtitle: str) -> tuple[Filters, dict]:
    """`page_start` for a budget page, plus its totals (stops when the filters match nothing)."""
    filters = page_start(title, subtitle, "budget")
    totals = data.cached(budget.totals, filters)
    if not totals["lines"]:  # sub-outputs without figures may be all there is in view: say so
        note = notes.suboutputs_note(data.cached(budget.suboutput_totals, filters))
        if note:
            st.info(note)
        else:
            nothing_in_view("budget", filters)
        st.stop()
    return filters, totals
