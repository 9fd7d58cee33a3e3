"""The brief printed to an A4 PDF by the system Chromium through Playwright, offline.

A `Printer` starts Chromium in a worker thread and loads the print shell (style and plotly.js, from the installed
plotly package) while the figures are still being gathered: starting the browser and compiling plotly.js is most
of a PDF's time. The shell is opened from a temporary file (a file: URL), so plotly.js loads from disk without
passing 4.7 MB through Playwright's pipe; every request that is not a file: URL is refused, so printing never
reaches a network. The PDF is printed once every chart is drawn; a chart that fails stops the brief with its
message instead of printing a blank."""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from brief import html

#: the browser that prints: the system Chromium (Debian's `chromium` package), or $UNCT_CHROMIUM
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: how long starting the browser, drawing the charts and printing may take, each (ms)
STEP_TIMEOUT_MS = 60_000


class PdfError(RuntimeError):
    """The PDF could not be printed; the text says why and what to install or change."""


def chromium_path() -> str:
    path = os.environ.get("UNCT_CHROMIUM") or DEFAULT_CHROMIUM
    if Path(path).is_file() and os.access(path, os.X_OK):
        return path
    found = shutil.which("chromium")
    if not found:
        raise PdfError(
            f"The PDF brief needs Chromium, which is not installed at {path}. Install it "
            "(make run's set-up does: sudo apt-get install -y chromium) or set UNCT_CHROMIUM to its "
            "path; the Excel brief (-o FILE.xlsx) needs nothing more."
        )
    return found


class Printer:
    """Chromium with the print shell loaded, in a worker thread (Playwright's sync API stays in the thread that
    started it). `start()` returns at once; `print(...)` waits for the shell and returns the PDF; `close()` ends
    the browser (also when no PDF was asked for)."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[str, str, list[str], str] | None] = queue.Queue()
        self._result: queue.Queue[tuple[bytes | None, BaseException | None]] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="brief-printer", daemon=True)

    @classmethod
    def start(cls) -> Printer:
        printer = cls()
        printer._thread.start()
        return printer

    def print(self, title: str, body: str, figures: list[str], footer: str) -> bytes:
        self._jobs.put((title, body, figures, footer))
        data, error = self._result.get()
        if error is not None:
            raise error
        assert data is not None
        return data

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=30)

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _run(self) -> None:
        try:
            self._serve()
        except BaseException as exc:  # handed to the thread that asked for the PDF
            self._result.put(
                (
                    None,
                    exc
                    if isinstance(exc, PdfError)
                    else PdfError(
                        "Chromium could not print the brief: "
                        + (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                    ),
                )
            )

    def _serve(self) -> None:
        from playwright.sync_api import sync_playwright

        executable = chromium_path()
        with tempfile.TemporaryDirectory(prefix="unct-brief-") as folder, sync_playwright() as playwright:
            source = Path(folder) / "brief.html"
            source.write_text(html.shell(), encoding="utf-8")
            browser = playwright.chromium.launch(executable_path=executable, timeout=STEP_TIMEOUT_MS)
            try:
                page = browser.new_page()
                page.set_default_timeout(STEP_TIMEOUT_MS)
                page.route(
                    "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
                )
                errors: list[str] = []
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.goto(source.as_uri())
                job = self._jobs.get()
                if job is None:
                    return
                title, body, figures, footer = job
                try:
                    page.evaluate("([title, body, figures]) => drawBrief(title, body, figures)", [title, body, figures])
                except Exception as exc:
                    raise PdfError(f"A chart of the brief could not be drawn: {str(exc).splitlines()[0]}") from exc
                if errors:
                    raise PdfError(f"A chart of the brief could not be drawn: {errors[0]}")
                data = page.pdf(
                    format="A4",
                    print_background=True,
                    prefer_css_page_size=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=footer,
                )
                self._result.put((data, None))
            finally:
                browser.close()
