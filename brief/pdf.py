"""The brief printed to an A4 PDF by the system Chromium through Playwright, offline.

A `Printer` starts Chromium in a worker thread and loads the print page (`brief.shell`: style, plotly.js, drawBrief)
while the figures are still being imported and gathered. Compiling the 4.8 MB plotly.js is most of a cold PDF's
time (3–4 s here), so the page is served the way a browser can keep the compiled script: from a small server on
127.0.0.1 (a random port, for this PDF only) under a fixed address, `http://unct-brief.invalid/…` — Chromium is told
to map that name to the server and every other name to nothing (`--host-resolver-rules`), so nothing is ever
fetched from a network — and Chromium runs with a kept profile folder (`profile_dir`), whose cache holds plotly.js
and V8's compiled code from one run to the next (0.4 s instead of 3–4 s from the third PDF on). The brief's own
content never goes through the server or the cache: it is handed to the page by Playwright. The page's
Content-Security-Policy allows its own two scripts and nothing else. The PDF is printed once every chart is drawn;
a chart that fails stops the brief with its message instead of printing a blank."""

from __future__ import annotations

import contextlib
import fcntl
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from brief import shell

#: the browser that prints: the system Chromium (Debian's `chromium` package), or $UNCT_CHROMIUM
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: how long starting the browser, drawing the charts and printing may take, each (ms)
STEP_TIMEOUT_MS = 60_000
#: the print page's address: a name that never resolves (RFC 2606), mapped by Chromium to the local server
HOST = "unct-brief.invalid"
DRAW_JS = "draw.js"


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


def profile_dir() -> Path:
    """The Chromium profile kept between briefs (its cache: plotly.js and its compiled code, nothing of a brief):
    $UNCT_BRIEF_CACHE, else the user's cache folder ($XDG_CACHE_HOME or ~/.cache)/unct-dashboard/brief-chromium."""
    if os.environ.get("UNCT_BRIEF_CACHE"):
        return Path(os.environ["UNCT_BRIEF_CACHE"])
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "unct-dashboard" / "brief-chromium"


@contextlib.contextmanager
def _profile() -> Iterator[Path]:
    """The kept profile, held for this PDF (a lock beside it); when another brief is printing with it, or it
    cannot be made, a new temporary one (the PDF is printed all the same, only without the cache)."""
    kept, lock, held = profile_dir(), None, False
    try:
        kept.mkdir(parents=True, exist_ok=True)
        lock = open(kept.with_name(kept.name + ".lock"), "w")  # noqa: SIM115 (held until the PDF is printed)
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held = True
    except OSError:  # cannot be made, or BlockingIOError: another brief holds it
        pass
    try:
        if held:
            yield kept
        else:
            with tempfile.TemporaryDirectory(prefix="unct-brief-") as folder:
                yield Path(folder)
    finally:
        if lock is not None:
            lock.close()  # releases the lock


def _files() -> dict[str, tuple[Path | bytes, str, str]]:
    """What the local server answers: path → (content, type, cache rule). plotly.js is kept by the browser for a
    year (its name changes with the version); the page is never kept."""
    page = shell.page(shell.plotly_js_name(), DRAW_JS).encode()
    return {
        "/": (page, "text/html; charset=utf-8", "no-store"),
        f"/{DRAW_JS}": (shell.DRAW.encode(), "text/javascript; charset=utf-8", "no-store"),
        f"/{shell.plotly_js_name()}": (
            shell.plotly_js(),
            "text/javascript; charset=utf-8",
            "public, max-age=31536000, immutable",
        ),
    }


class _Handler(BaseHTTPRequestHandler):
    """The print page, drawBrief and plotly.js, nothing else; on 127.0.0.1 only."""

    files: dict[str, tuple[Path | bytes, str, str]] = {}

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        found = self.files.get(self.path)
        if found is None:
            self.send_error(404)
            return
        content, kind, cache = found
        data = content if isinstance(content, bytes) else content.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", cache)
        self.send_header("Content-Security-Policy", shell.POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the standard library's signature)
        """Quiet: the command line prints only its own messages."""


@contextlib.contextmanager
def _server() -> Iterator[int]:
    """The local server of the print page, for one PDF; its port."""
    handler = type("Files", (_Handler,), {"files": _files()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="brief-files", daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class Printer:
    """Chromium with the print page loaded, in a worker thread (Playwright's sync API stays in the thread that
    started it). `start()` returns at once; `print(...)` waits for the page and returns the PDF; `close()` ends
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
        with _server() as port, _profile() as profile, sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(profile),
                executable_path=executable,
                timeout=STEP_TIMEOUT_MS,
                args=[f"--host-resolver-rules=MAP {HOST}:80 127.0.0.1:{port}, MAP * ~NOTFOUND"],
            )
            try:
                page = context.pages[0] if context.pages else context.new_page()
                page.set_default_timeout(STEP_TIMEOUT_MS)
                errors: list[str] = []
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.goto(f"http://{HOST}/")
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
                context.close()
