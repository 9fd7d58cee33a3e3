"""UNCT Results Dashboard — the router and frame: page config, login gate, shared filters, navigation.

Run with `streamlit run dashboard.py`. The database is $UNCT_DB or data/unct.duckdb.
"""
from __future__ import annotations

import streamlit as st

from app import auth, ui

#: every page, in menu order (a meta-test checks that each file in pages/ is listed here). The url_path
#: of each page is its file name, which ui.require_frame relies on.
PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/delivery.py", title="Delivery", icon=":material/payments:", url_path="delivery"),
    st.Page("pages/funding_gaps.py", title="Funding gaps", icon=":material/account_balance:",
            url_path="funding_gaps"),
    st.Page("pages/indicators.py", title="Indicators", icon=":material/flag:", url_path="indicators"),
    st.Page("pages/recommendations.py", title="Recommendations", icon=":material/checklist:",
            url_path="recommendations"),
    # --- Upload (pages/upload.py, owned by the upload work) ---
    st.Page("pages/upload.py", title="Upload", icon=":material/upload:", url_path="upload"),
    st.Page("pages/data_export.py", title="Data export", icon=":material/download:", url_path="data_export"),
]


def main() -> None:
    st.set_page_config(page_title="UNCT Results Dashboard", page_icon=":material/public:", layout="wide",
                       initial_sidebar_state="expanded")
    page = st.navigation(PAGES, position="sidebar", expanded=True)
    con = ui.connection()
    user = auth.current_user(con)
    if auth.login_required_to_view() and not user:
        st.title("UNCT Results Dashboard")
        auth.login_form(con)
        st.stop()
    ui.filter_bar()
    if user:
        st.sidebar.caption(f"Signed in as {ui.md_escape(user['user_name'])} ({user['role']})")
        st.sidebar.button("Sign out", on_click=auth.logout, key="sign-out")
    ui.run_page(page)


main()
