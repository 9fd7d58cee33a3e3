"""Running the dashboard under `streamlit.testing.v1.AppTest`, for the tests and the page benchmark.

Streamlit decides at each AppTest run whether the app is a legacy "pages/ folder" app by looking for a
`pages/` directory next to the main script; ours has one but routes with `st.navigation`, and under
AppTest the legacy path loses the frame's widgets after the first rerun. The real server settles this
on the first `st.navigation` call; here we settle it up front.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.runtime import pages_manager
from streamlit.testing.v1 import AppTest

from app.pages import PAGE_FILES

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"
__all__ = ["DASHBOARD", "PAGE_FILES", "open_page", "use_navigation_only"]

_patched = False


def use_navigation_only() -> None:
    """Make AppTest treat dashboard.py as an st.navigation app (see the module docstring)."""
    global _patched
    if _patched:
        return
    original = pages_manager.PagesManager.__init__

    def init(self, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        pages_manager.PagesManager.uses_pages_directory = False

    pages_manager.PagesManager.__init__ = init  # type: ignore[method-assign]
    _patched = True


def open_page(page: str = "overview", query_params: dict[str, Any] | None = None, timeout: float = 60) -> AppTest:
    """Run the dashboard on `page` (a key of PAGE_FILES) with URL query parameters; returns the AppTest."""
    use_navigation_only()
    app = AppTest.from_file(str(DASHBOARD), default_timeout=timeout)
    for key, value in (query_params or {}).items():
        app.query_params[key] = value
    if page != "overview":
        app.switch_page(PAGE_FILES[page])
    app.run()
    return app
