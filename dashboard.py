"""UNCT Results Dashboard — the router and frame: page config, sign-in, shared filters, navigation.

Run with `streamlit run dashboard.py`. The database is $UNCT_DB or data/unct.duckdb. Streamlit runs this file
as the app's script; `streamlit run` also imports it, finds `app` (an `st.App`) and serves the app with the
sign-in's own route beside Streamlit's (app/session.py: the cookie that keeps a sign-in across a reload).

The navigation shows only the pages the visitor may use (SPEC §10): the Upload page for focal points
and administrators; "Sign in" for an anonymous visitor, "Sign out" for a signed-in one. Pages a role
may not use stay registered but hidden, so a bookmarked link opens the page, which then says what is
needed, instead of a "page not found". With `UNCT_REQUIRE_LOGIN=1` every page asks for a sign-in first.
"""
from __future__ import annotations

import streamlit as st

from app import auth, ui

SIGN_IN, SIGN_OUT = "sign_in", "sign_out"


def sign_in_page() -> None:
    st.title("Sign in")
    con = ui.connection()
    user = auth.current_user(con)
    if user:
        st.success(f"You are signed in as {ui.md_escape(auth.describe(user))}.")
        return
    st.markdown("Focal points and administrators sign in to upload their agency's data; the dashboards "
                "can be read without an account.")
    left, _ = st.columns([1, 1])
    with left:
        auth.login_form(con, key="sign_in", after="start")


def sign_out_page() -> None:
    auth.logout()
    st.switch_page(PAGES_BY_PATH["overview"])


def pages(user: dict | None) -> dict[str, list]:
    """Every page, in menu order (a meta-test checks that each file in pages/ is listed here); the
    url_path of each page is its file name, which ui.require_frame relies on."""
    upload = "visible" if auth.can_upload(user) else "hidden"
    return {
        "Dashboards": [
            st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview",
                    default=True),
            st.Page("pages/delivery.py", title="Delivery", icon=":material/payments:", url_path="delivery"),
            st.Page("pages/funding_gaps.py", title="Funding gaps", icon=":material/account_balance:",
                    url_path="funding_gaps"),
            st.Page("pages/indicators.py", title="Indicators", icon=":material/flag:", url_path="indicators"),
            st.Page("pages/recommendations.py", title="Recommendations", icon=":material/checklist:",
                    url_path="recommendations"),
        ],
        "Data": [
            st.Page("pages/upload.py", title="Upload", icon=":material/upload:", url_path="upload",
                    visibility=upload),
            st.Page("pages/data_export.py", title="Data export", icon=":material/download:",
                    url_path="data_export"),
        ],
        "Account": [
            st.Page(sign_in_page, title="Sign in", icon=":material/login:", url_path=SIGN_IN,
                    visibility="hidden" if user else "visible"),
            st.Page(sign_out_page, title="Sign out", icon=":material/logout:", url_path=SIGN_OUT,
                    visibility="visible" if user else "hidden"),
        ],
    }


#: the url_path of each page of `pages()`, in the same order
URL_PATHS = ("overview", "delivery", "funding_gaps", "indicators", "recommendations", "upload", "data_export",
             SIGN_IN, SIGN_OUT)
PAGES_BY_PATH: dict[str, st.Page] = {}


#: card figures shrink with the window (from 2.25 rem down to 1.35 rem), so that "USD 253.3 M" stays whole on a
#: laptop screen with four cards in a row; a style-only st.html takes no room on the page
CARD_STYLE = """<style>
[data-testid="stMetricValue"] { font-size: clamp(1.35rem, 2.1vw, 2.25rem); }
[data-testid="stMetricLabel"] p { white-space: normal; }
</style>"""


def main() -> None:
    st.set_page_config(page_title="UNCT Results Dashboard", page_icon=":material/public:", layout="wide",
                       initial_sidebar_state="expanded")
    st.html(CARD_STYLE)
    con = ui.connection()
    user = auth.current_user(con)
    auth.hand_off_cookie()
    auth.sso_refusal()
    sections = pages(user)
    PAGES_BY_PATH.clear()  # by the url_path given (the default page's own url_path reads "")
    PAGES_BY_PATH.update(zip(URL_PATHS, (p for group in sections.values() for p in group), strict=True))
    gate = auth.login_required_to_view() and not user
    page = st.navigation(sections, position="hidden" if gate else "sidebar", expanded=True)
    if gate:  # viewing needs an account: the sign-in form in place of whatever page was asked for
        st.title("UNCT Results Dashboard")
        st.markdown("Sign in to see the dashboards.")
        left, _ = st.columns([1, 1])
        with left:
            auth.login_form(con, key="gate")
        st.stop()
    if st.session_state.pop(auth.AFTER_SIGN_IN_KEY, None) and page is PAGES_BY_PATH[SIGN_IN]:
        st.switch_page(PAGES_BY_PATH["upload" if auth.can_upload(user) else "overview"])
    if page is PAGES_BY_PATH[SIGN_IN] or page is PAGES_BY_PATH[SIGN_OUT]:
        ui.run_page(page)
        return
    if user:
        st.sidebar.caption(f"Signed in as **{ui.md_escape(auth.describe(user))}**")
    with ui.section():
        ui.filter_bar()
    ui.run_page(page)


if __name__ == "__main__":  # the app's script, run by Streamlit for every page view
    main()
else:  # imported by `streamlit run dashboard.py` (or an ASGI server: `uvicorn dashboard:app`)
    from app import session

    app = st.App(__file__, routes=session.routes(st.get_option("server.baseUrlPath")))
