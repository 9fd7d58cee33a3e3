"""An unexpected exception costs one part of a page, never the page: the part shows "This part of the page
could not be drawn; the error is logged as E-…" (no Streamlit error box naming Streamlit Cloud and chat
assistants), the traceback goes to the server log under that id, and the rest of the page is drawn.
Streamlit's own control flow (st.stop, st.rerun, st.switch_page) passes through."""

from __future__ import annotations

import logging
import re
import sys

import pytest
from streamlit.testing.v1 import AppTest

from analytics import actions, activity, budget, exports, indicators
from app import data
from app.testing import open_page

MESSAGE = re.compile(r"^This part of the page could not be drawn; the error is logged as (E-[0-9a-f]{6})\.$")


@pytest.fixture
def server_log(caplog):
    """The records of the dashboard's logger (a Streamlit logger: it does not propagate to the root)."""
    logger = logging.getLogger("unct.dashboard")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


@pytest.fixture
def fresh_queries():
    """Query results are cached per database and filters: a patched query must run."""
    data._cached.clear()
    yield
    data._cached.clear()


def fail_on(monkeypatch, read, when=lambda *args: True) -> None:
    """Make the read (a function of `analytics`) fail when `when(*args)`: the pages call it by reference."""

    def failing(con, filters, *args):
        if when(*args):
            raise RuntimeError("boom: the query failed")
        return read(con, filters, *args)

    monkeypatch.setattr(sys.modules[read.__module__], read.__name__, failing)


def failure_ids(app) -> list[str]:
    """The ids of the plain failure messages on the page (and fails on any other error box)."""
    matches = [MESSAGE.match(e.value) for e in app.error]
    assert all(matches), [e.value for e in app.error]
    return [m.group(1) for m in matches]


def test_a_failing_chart_leaves_the_rest_of_the_page(dashboard_db, monkeypatch, fresh_queries, server_log):
    fail_on(monkeypatch, budget.by, lambda level: level == "agency")
    app = open_page("delivery")
    assert not app.exception
    [error_id] = failure_ids(app)
    assert [h.value for h in app.subheader] == [
        "By outcome",
        "Delivery rate by agency",
        "Over the years",
        "Delivery rate table",
        "Year on year",
    ]
    assert len(app.metric) == 4  # the cards
    downloads = {b.key for b in app.get("download_button")}
    assert {"download-delivery-by-outcome", "download-delivery-by-year", "download-delivery-rate-table"} <= downloads
    assert "download-delivery-by-agency" not in downloads
    [record] = [r for r in server_log.records if error_id in r.getMessage()]
    assert "Delivery rate by agency" in record.getMessage() and "boom: the query failed" in server_log.text
    assert record.exc_info and record.exc_info[0] is RuntimeError


@pytest.mark.parametrize(
    "page,read",
    [
        ("funding_gaps", budget.tree),
        ("indicators", indicators.trend),
        ("recommendations", actions.ageing),
        ("overview", activity.freshness),
        ("data_export", exports.rows),
    ],
)
def test_each_page_keeps_drawing_past_a_failing_part(dashboard_db, monkeypatch, fresh_queries, page, read):
    fail_on(monkeypatch, read)
    app = open_page(page)
    assert not app.exception
    assert len(failure_ids(app)) == 1
    assert app.title and app.sidebar.selectbox  # the page and its filters are there


def test_a_failure_outside_the_parts_ends_the_page_with_the_message(dashboard_db, monkeypatch, fresh_queries):
    fail_on(monkeypatch, budget.totals)
    app = open_page("delivery")
    assert not app.exception
    assert len(failure_ids(app)) == 1
    assert app.title[0].value == "Delivery" and {s.key for s in app.sidebar.selectbox} >= {"country", "agency"}


def test_the_filter_bar_failing_leaves_the_page(dashboard_db, monkeypatch, fresh_queries):
    fail_on(monkeypatch, activity.filter_options)
    app = open_page("recommendations")
    assert not app.exception
    assert len(failure_ids(app)) == 1
    assert app.title


def control_flow_script() -> None:
    import streamlit as st

    from app import frame

    with frame.section("Rerun"):
        if not st.session_state.get("again"):
            st.session_state["again"] = True
            st.rerun()
        st.write("after the rerun")
    with frame.section("Stop"):
        st.write("before the stop")
        st.stop()
    st.write("never")


def test_stop_and_rerun_pass_through_a_section():
    app = AppTest.from_function(control_flow_script).run()
    assert not app.exception and not app.error
    assert [m.value for m in app.markdown] == ["after the rerun", "before the stop"]


def failing_callback_script() -> None:
    import streamlit as st

    from app import frame

    def fail() -> None:
        raise ValueError("the callback failed")

    st.button("Go", on_click=frame.guarded(fail))
    st.write("the page")


def test_a_failing_callback_shows_the_plain_message(server_log):
    app = AppTest.from_function(failing_callback_script).run()
    app.button[0].click().run()
    assert not app.exception
    [error_id] = failure_ids(app)
    assert [m.value for m in app.markdown] == ["the page"]
    assert any(error_id in r.getMessage() and "callback fail" in r.getMessage() for r in server_log.records)
