"""Closed periods: an administrator closes a plan's year (or a quarter) after the annual review, or reopens it; the
log of every closing and reopening. No load or roll-back may change a closed period (store.periods)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import activity
from app import auth, frame
from app.data import connection
from app.text import md_escape
from store import periods

frame.require_frame()
con = connection()
user = auth.current_user(con)

st.title("Closed periods")
if not user or user["role"] != "admin":
    st.info("Only administrators close and reopen periods." + ("" if user else " Sign in first."))
    st.stop()
st.caption(
    "A closed year or quarter of a plan keeps its figures: loads and roll-backs that would change them are "
    "refused, naming who closed it and how to reopen it. A year holds its budget lines and indirect costs, "
    "indicator values of periods ending in it and actions due or reported in it; a quarter, the indicator "
    "values and actions of its dates."
)


def _act(verb: str, period: periods.Period | None) -> None:
    """Close or reopen button callback, through this run's connection (the run that drew the button may have let the
    database go)."""
    if period is None:
        return
    try:
        (periods.close if verb == "close" else periods.reopen)(connection(), period, user["user_name"])
    except periods.PeriodError as error:
        st.session_state["periods_message"] = ("error", str(error))
    else:
        st.session_state["periods_message"] = ("success", f"{'Closed' if verb == 'close' else 'Reopened'} {period}.")


message = st.session_state.pop("periods_message", None)
if message:
    (st.success if message[0] == "success" else st.error)(md_escape(message[1]))

plans = [(country, plan) for plan, country, _, _ in activity.plan_choices(con) if country]
left, right = st.columns(2)
with left, st.container(border=True):
    st.markdown("**Close a period**")
    chosen = st.selectbox(
        "Plan",
        plans,
        index=None,
        format_func=lambda p: f"{p[1]} ({p[0]})",
        placeholder="Choose a plan" if plans else "No plan with a country yet",
        key="periods_plan",
    )
    year = st.number_input("Year", min_value=2000, max_value=2100, value=None, step=1, key="periods_year")
    quarter = st.selectbox(
        "Quarter",
        [None, 1, 2, 3, 4],
        format_func=lambda q: "The whole year" if q is None else f"Q{q}",
        key="periods_quarter",
    )
    period = periods.Period(chosen[0], chosen[1], int(year), quarter) if chosen and year else None
    st.button(
        "Close",
        key="periods_close",
        disabled=period is None,
        icon=":material/lock:",
        on_click=_act,
        args=("close", period),
    )

now = periods.closed(con)
with right, st.container(border=True):
    st.markdown("**Reopen a period**")
    shown = {str(periods.Period(p["country"], p["plan"], p["year"], p["quarter"])): p for p in now}
    target = st.selectbox(
        "Closed period",
        list(shown),
        index=None,
        key="periods_reopen_choice",
        placeholder="Choose a closed period" if shown else "No period is closed",
    )
    p = shown.get(target)
    st.button(
        "Reopen",
        key="periods_reopen",
        disabled=p is None,
        icon=":material/lock_open:",
        on_click=_act,
        args=("reopen", periods.Period(p["country"], p["plan"], p["year"], p["quarter"]) if p else None),
    )

st.subheader("Closings and reopenings")
entries = periods.log(con)
if not entries:
    st.caption("No period has been closed yet.")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "when (UTC)": e["changed_at"],
                    "action": e["action"],
                    "country": e["country"],
                    "plan": e["plan"],
                    "year": e["year"],
                    "quarter": f"Q{e['quarter']}" if e["quarter"] else "whole year",
                    "by": e["user_name"] or "an unnamed user",
                }
                for e in entries
            ]
        ),
        hide_index=True,
        width="stretch",
        key="periods_log",
        column_config={
            "when (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            "year": st.column_config.NumberColumn(format="%d"),
        },
    )
