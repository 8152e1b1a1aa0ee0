"""Real-browser helpers: the built site on a local server, headless Chromium.

Shared by the browser tests (search, phones, accessibility) and by
``bench/search_transfer.py``. The server mounts the site under a sub-path
(``/kb/`` by default), as a host such as https://example.org/kb/ would, and
answers 404 for anything outside it, so a root-relative URL anywhere in the
site shows up as a failed request. It compresses text with gzip when the
browser asks, as static hosts do, and records every response, so tests and
the benchmark see exactly what a reader's browser downloaded.
"""

from __future__ import annotations

import gzip
import mimetypes
import os
import shutil
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Chromium without anything that would reach the network or a profile.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: Types a static host compresses; Pagefind's own files are gzip already.
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
T = TypeVar("T")


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    for binary, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not binary.exists():
            return f"{binary} not found: install the Debian package {package}"
    return None


def skip_or_fail(reason: str) -> None:
    """Skip locally; in CI (``KB_REQUIRE_TOOLS=1``) a missing tool is a failure."""
    if os.environ.get("KB_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{reason} (required in CI: KB_REQUIRE_TOOLS=1)")
    pytest.skip(reason)


def html_pages(outdir: Path) -> list[str]:
    """Every HTML page of a built site, as paths relative to it (no bundles)."""
    return sorted(
        p.relative_to(outdir).as_posix()
        for p in outdir.rglob("*.html")
        if not ({"_static", "_sources", "pagefind"} & set(p.relative_to(outdir).parts))
    )


@dataclass
class Served:
    """One response: what was asked for, its status and the bytes sent."""

    path: str
    status: int
    body_bytes: int
    encoding: str = ""


@dataclass
class SiteServer:
    """A built site served at ``http://127.0.0.1:<port><prefix>`` from a thread."""

    root: Path
    prefix: str = "/kb/"
    compress: bool = True
    #: ``Cache-Control: max-age`` to send (0: none), for measuring what a
    #: reader downloads on a second page, theme files already cached.
    cache_seconds: int = 0
    log: list[Served] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not (self.prefix.startswith("/") and self.prefix.endswith("/")):
            raise ValueError(f"prefix must start and end with '/': {self.prefix!r}")
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The site's base URL, ending in the prefix."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{self.prefix}"

    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def record(self, served: Served) -> None:
        with self._lock:
            self.log.append(served)

    def take_log(self) -> list[Served]:
        """The responses since the last call (and forget them)."""
        with self._lock:
            out, self.log = self.log, []
        return out

    def _handler(self) -> type[SimpleHTTPRequestHandler]:
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
                self._respond(head=True)

            def do_GET(self) -> None:  # noqa: N802
                self._respond(head=False)

            def _respond(self, head: bool) -> None:
                path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
                if not path.startswith(server.prefix):
                    return self._status(path, 404)
                rel = path[len(server.prefix):]
                target = (server.root / rel).resolve()
                if server.root.resolve() not in (target, *target.parents):
                    return self._status(path, 404)
                if target.is_dir():
                    if not path.endswith("/"):
                        self.send_response(301)
                        self.send_header("Location", path + "/")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return server.record(Served(path, 301, 0))
                    target = target / "index.html"
                if not target.is_file():
                    return self._status(path, 404)
                body = target.read_bytes()
                ctype = self.guess_type(str(target))
                encoding = ""
                accepts = self.headers.get("Accept-Encoding", "")
                if server.compress and "gzip" in accepts and ctype.startswith(COMPRESSIBLE):
                    body, encoding = gzip.compress(body, compresslevel=6, mtime=0), "gzip"
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if encoding:
                    self.send_header("Content-Encoding", encoding)
                self.send_header("Vary", "Accept-Encoding")
                if server.cache_seconds:
                    self.send_header("Cache-Control", f"max-age={server.cache_seconds}")
                self.end_headers()
                if not head:
                    self.wfile.write(body)
                server.record(Served(path, 200, len(body), encoding))

            def _status(self, path: str, code: int) -> None:
                self.send_error(code)
                server.record(Served(path, code, 0))

            def guess_type(self, path: str | Any) -> str:
                if str(path).endswith((".js", ".mjs")):
                    return "text/javascript"
                return mimetypes.guess_type(str(path))[0] or "application/octet-stream"

        return Handler


@contextmanager
def chromium(
    width: int = 1280, height: int = 900, *, mobile: bool = False, scale: float = 1.0,
) -> Iterator[Any]:
    """A fresh headless Chromium (empty profile) driven by chromedriver.

    ``mobile`` emulates a phone's viewport (meta viewport honoured, touch,
    ``scale`` device pixels per CSS pixel) at ``width`` x ``height`` CSS px.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(tempfile.mkdtemp(prefix="kb-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        if mobile:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": scale, "mobile": True,
            })
            driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def color_scheme(driver: Any, scheme: str) -> None:
    """Emulate ``prefers-color-scheme`` (furo's default theme follows it)."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": scheme}],
    })


def wait_for(condition: Callable[[], T], timeout: float = 15.0, what: str = "") -> T:
    """Poll until ``condition()`` is truthy; fail the test with ``what`` if not."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what or condition}")
        time.sleep(0.05)


def search_summary(driver: Any) -> str:
    """The search page's summary once the search has finished ('' before)."""
    text = driver.execute_script(
        "const s = document.getElementById('kb-search-summary'); return s ? s.textContent : '';"
    )
    done = ("Found", "No results", "Search is not available", "Search failed", "Search works")
    return text if text.startswith(done) else ""
