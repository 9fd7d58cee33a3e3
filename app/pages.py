"""The Page registry: every page of the dashboard, in menu order, with everything about it — its script (a file
under pages/, or a function), title, icon, address, menu section and who sees it in the menu. dashboard.py's
navigation, the tests' page lists and app/testing.py come from it; a test checks every file in pages/ is here.

The menu shows only the pages the visitor may use (SPEC §10): the Upload page for focal points and
administrators; "Sign in" for an anonymous visitor, "Sign out" for a signed-in one. Pages a visitor may not use
stay registered but hidden, so a bookmarked link opens the page, which then says what is needed, instead of a
"page not found".

Adding a page: its script in pages/ (first line `frame.require_frame()`) and an entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from app import auth, data
from app.text import md_escape


def sign_in_page() -> None:
    st.title("Sign in")
    con = data.connection()
    user = auth.current_user(con)
    if user:
        st.success(f"You are signed in as {md_escape(auth.describe(user))}.")
        return
    st.markdown(
        "Focal points and administrators sign in to upload their agency's data; the dashboards "
        "can be read without an account."
    )
    left, _ = st.columns([1, 1])
    with left:
        auth.login_form(key="sign_in", after="start")


def sign_out_page() -> None:
    auth.logout()
    st.switch_page(PAGE_FILES["overview"])


@dataclass(frozen=True)
class Page:
    """One page: `url_path` is its address (/delivery), and the name tests and links use; a script page's is its
    file name, which `frame.require_frame` relies on."""

    url_path: str
    title: str
    icon: str
    section: str
    script: str | Callable[[], None]
    #: who sees it in the menu: "everyone", "uploaders" (focal points and administrators), "admins", "signed out",
    #: "signed in"
    shown_to: str = "everyone"
    default: bool = False

    def visible(self, user: dict | None) -> bool:
        return {
            "everyone": True,
            "uploaders": auth.can_upload(user),
            "admins": bool(user and user["role"] == "admin"),
            "signed out": not user,
            "signed in": bool(user),
        }[self.shown_to]


PAGES = (
    Page("overview", "Overview", ":material/dashboard:", "Dashboards", "pages/overview.py", default=True),
    Page("delivery", "Delivery", ":material/payments:", "Dashboards", "pages/delivery.py"),
    Page("funding_gaps", "Funding gaps", ":material/account_balance:", "Dashboards", "pages/funding_gaps.py"),
    Page("indicators", "Indicators", ":material/flag:", "Dashboards", "pages/indicators.py"),
    Page("recommendations", "Recommendations", ":material/checklist:", "Dashboards", "pages/recommendations.py"),
    Page("upload", "Upload", ":material/upload:", "Data", "pages/upload.py", shown_to="uploaders"),
    Page("data_export", "Data export", ":material/download:", "Data", "pages/data_export.py"),
    Page("closed_periods", "Closed periods", ":material/lock:", "Data", "pages/closed_periods.py", shown_to="admins"),
    Page("sign_in", "Sign in", ":material/login:", "Account", sign_in_page, shown_to="signed out"),
    Page("sign_out", "Sign out", ":material/logout:", "Account", sign_out_page, shown_to="signed in"),
)
#: url_path → file of every page that is a script (the dashboards, Upload, Data export)
PAGE_FILES = {p.url_path: p.script for p in PAGES if isinstance(p.script, str)}
#: the url_path of every page, in menu order
URL_PATHS = tuple(p.url_path for p in PAGES)


def navigation(user: dict | None) -> tuple[dict[str, list[st.Page]], dict[str, st.Page]]:
    """The st.navigation sections for this visitor, and each page by its url_path (the default page's own
    url_path reads "")."""
    sections: dict[str, list[st.Page]] = {}
    by_path: dict[str, st.Page] = {}
    for page in PAGES:
        by_path[page.url_path] = st.Page(
            page.script,
            title=page.title,
            icon=page.icon,
            url_path=page.url_path,
            default=page.default,
            visibility="visible" if page.visible(user) else "hidden",
        )
        sections.setdefault(page.section, []).append(by_path[page.url_path])
    return sections, by_path
