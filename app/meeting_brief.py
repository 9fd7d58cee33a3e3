"""The Overview's "Meeting brief" panel: the UNCT meeting brief of the country, plan, year and as-of date in view, as
PDF and Excel, made when a button is clicked (in the background, the button spinning meanwhile) by the same
`brief.build` the command line calls."""

from __future__ import annotations

import logging
from collections.abc import Callable

import duckdb
import streamlit as st

import brief
from analytics.filters import Filters
from app import data
from app.text import md_escape
from brief import pdf
from brief import scope as brief_scope

_log = logging.getLogger("unct.dashboard")
ALL_YEARS = "All years"
MIME = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def period_choices(filters: Filters) -> list[str]:
    """The periods a brief of the view can cover: each year of the year filter (the last first), and all years."""
    if filters.year_from is None or filters.year_to is None:
        return [ALL_YEARS]
    return [str(y) for y in range(filters.year_to, filters.year_from - 1, -1)] + [ALL_YEARS]


def _made(make: Callable[[duckdb.DuckDBPyConnection], bytes], what: str) -> Callable[[], bytes]:
    """`make(con)`, run when the button is clicked, outside the page's run, on a connection of its own
    (data.on_click): a failure is logged with its traceback, and the button says the file could not be made."""

    def logged(con: duckdb.DuckDBPyConnection) -> bytes:
        try:
            return make(con)
        except Exception:
            _log.error("the meeting brief (%s) could not be made", what, exc_info=True)
            raise

    return data.on_click(logged)


def meeting_brief_panel(filters: Filters) -> None:
    """The panel: why there is no brief (no single country chosen, nothing then), or its period and two buttons."""
    st.subheader("Meeting brief")
    if not filters.country:
        st.info(
            "The meeting brief is a country's: choose a **Country** in the sidebar (and a plan and a year if "
            "you wish) to download its brief for the UNCT meeting as PDF or Excel.",
            icon=":material/description:",
        )
        return
    problem = data.cached(brief_scope.problem, filters)
    if problem:
        st.warning(md_escape(problem))
        return
    choices = period_choices(filters)
    left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        "Period of the brief",
        choices,
        key="brief-period",
        help="A year of the year filter, or all years. Budgets are annual.",
    )
    period = brief.Period() if chosen == ALL_YEARS else brief.Period(year=int(chosen))
    country, plan, as_of = filters.country, filters.plan, filters.as_of
    name = f"{country}, {period.label}"
    try:
        pdf.chromium_path()
        no_pdf = None
    except pdf.PdfError as error:
        no_pdf = str(error)
    middle.download_button(
        "PDF brief",
        data=_made(lambda con: brief.build(con, country, plan, period, "pdf", as_of), name),
        file_name=brief.file_name(country, plan, period, as_of, "pdf"),
        mime=MIME["pdf"],
        key="brief-pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        type="primary",
        disabled=no_pdf is not None,
        width="stretch",
    )
    right.download_button(
        "Excel brief",
        data=_made(lambda con: brief.build(con, country, plan, period, "xlsx", as_of), name),
        file_name=brief.file_name(country, plan, period, as_of, "xlsx"),
        mime=MIME["xlsx"],
        key="brief-xlsx",
        on_click="ignore",
        icon=":material/table:",
        width="stretch",
    )
    scope = f"{plan} ({country})" if plan else f"all plans of {country}"
    st.caption(
        md_escape(
            f"For {scope}, {period.label}"
            + (f", figures as of {as_of:%-d %b %Y}" if as_of else ", current figures")
            + ": cover, needs attention, money by outcome, agencies' delivery, indicators, recommendations, work plans "
            "and notes on up to 8 A4 pages; the Excel file has every row of every table. The outcome and agency "
            "filters do not apply: the brief is the whole country's (or plan's). Made when clicked, in a few seconds."
        )
    )
    if no_pdf:
        st.caption(md_escape(no_pdf))
