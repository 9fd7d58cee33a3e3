"""UNCT Results Dashboard — the router and frame: page config, shared filters, navigation.

Run with `streamlit run dashboard.py`. The database is $UNCT_DB or data/unct.duckdb.
"""
from __future__ import annotations

import streamlit as st

from app import ui

#: every page, in menu order (a meta-test checks that each file in pages/ is listed here)
PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/delivery.py", title="Delivery", icon=":material/payments:", url_path="delivery"),
    st.Page("pages/funding_gaps.py", title="Funding gaps", icon=":material/account_balance:",
            url_path="funding_gaps"),
    st.Page("pages/indicators.py", title="Indicators", icon=":material/flag:", url_path="indicators"),
    st.Page("pages/recommendations.py", title="Recommendations", icon=":material/checklist:",
            url_path="recommendations"),
    # --- Upload page goes here (pages/upload.py, added separately), e.g.:
    # st.Page("pages/upload.py", title="Upload", icon=":material/upload:", url_path="upload"),
    st.Page("pages/data_export.py", title="Data export", icon=":material/download:", url_path="data_export"),
]


def main() -> None:
    st.set_page_config(page_title="UNCT Results Dashboard", page_icon=":material/public:", layout="wide",
                       initial_sidebar_state="expanded")
    page = st.navigation(PAGES, position="sidebar", expanded=True)
    ui.filter_bar()
    ui.run_page(page)


main()
