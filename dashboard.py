"""UNCT Results Dashboard — the router and frame: page config, sign-in, shared filters, navigation.

Run with `streamlit run dashboard.py`. The database is $UNCT_DB or data/unct.duckdb. Streamlit runs this file
as the app's script; `streamlit run` also imports it, finds `app` (an `st.App`) and serves the app with the
sign-in's own route beside Streamlit's (app/session.py: the cookie that keeps a sign-in across a reload).

The navigation comes from the Page registry (app/pages.py), which says who sees which page. With
`UNCT_REQUIRE_LOGIN=1` every page asks for a sign-in first.
"""

from __future__ import annotations

import streamlit as st

from app import auth, data, frame, pages
from app.filter_bar import filter_bar
from app.text import md_escape

#: card figures shrink with the window (from 2.25 rem down to 1.35 rem), so that "USD 253.3 M" stays whole on a
#: laptop screen with four cards in a row; the print stylesheet; a style-only st.html takes no room on the page
#: (a constant of ours: no stored text ever goes into it)
CARD_STYLE = """<style>
[data-testid="stMetricValue"] { font-size: clamp(1.35rem, 2.1vw, 2.25rem); }
[data-testid="stMetricLabel"] p { white-space: normal; }
.st-key-needs-attention [data-testid="stPageLink"] p { white-space: normal; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  /* the figures and charts only: no sidebar, header, banners, tabs' headers, buttons or downloads */
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [class*="st-key-banner"], [data-testid="stTabs"] [role="tablist"], [data-testid="stDownloadButton"],
  [data-testid="stButton"], [data-testid="stSkipToContent"], .modebar-container { display: none !important; }
  /* Streamlit scrolls the page inside a box of the window's height: let it run over as many sheets as it needs */
  html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {
    height: auto !important; overflow: visible !important; position: static !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  /* a chart, a card, a table or a bordered panel is never cut across two sheets */
  [data-testid="stPlotlyChart"], [data-testid="stMetric"], [data-testid="stDataFrame"],
  [data-testid="stVerticalBlockBorderWrapper"], [data-testid="stHorizontalBlock"] {
    break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
</style>"""


def main() -> None:
    st.set_page_config(
        page_title="UNCT Results Dashboard",
        page_icon=":material/public:",
        layout="wide",
        initial_sidebar_state="expanded",
    )
    st.html(CARD_STYLE)
    con = data.connection()
    user = auth.current_user(con)
    auth.hand_off_cookie()
    auth.sso_refusal()
    sections, by_path = pages.navigation(user)
    gate = auth.login_required_to_view() and not user
    page = st.navigation(sections, position="hidden" if gate else "sidebar", expanded=True)
    if gate:  # viewing needs an account: the sign-in form in place of whatever page was asked for
        st.title("UNCT Results Dashboard")
        st.markdown("Sign in to see the dashboards.")
        left, _ = st.columns([1, 1])
        with left:
            auth.login_form(key="gate")
        st.stop()
    if st.session_state.pop(auth.AFTER_SIGN_IN_KEY, None) and page is by_path["sign_in"]:
        st.switch_page(by_path["upload" if auth.can_upload(user) else "overview"])
    if page is by_path["sign_in"] or page is by_path["sign_out"]:
        frame.run_page(page)
        return
    if user:
        st.sidebar.caption(f"Signed in as **{md_escape(auth.describe(user))}**")
    with frame.section():
        filter_bar(page.url_path)
    frame.run_page(page)


if __name__ == "__main__":  # the app's script, run by Streamlit for every page view
    try:
        main()
    finally:  # the database file is held only while script runs use it (README: Deployment)
        data.end_run()
else:  # imported by `streamlit run dashboard.py` (or an ASGI server: `uvicorn dashboard:app`)
    from streamlit.runtime.pages_manager import PagesManager

    from app import session

    # Streamlit takes an app with a pages/ folder for a legacy multipage app until its script has called
    # st.navigation once: the first page view after a server start was resolved against pages/ alone, and an
    # address of a page that is no file there (/sign_in) popped up "Page not found" over the page. The pages are
    # st.navigation's (app/pages.py) from the first view on.
    PagesManager.uses_pages_directory = False

    app = st.App(__file__, routes=session.routes(st.get_option("server.baseUrlPath")))
