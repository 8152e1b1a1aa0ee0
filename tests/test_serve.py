"""``make serve`` (issue 6): live preview on 127.0.0.1 that rebuilds on save.

Runs the real Makefile target (sphinx-autobuild) on a copy of the site,
saves an edit to the essay and waits for the served page to show it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import SEED_ESSAY

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(shutil.which("make") is None,
                                reason="needs GNU make: apt-get install make")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, text: str, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = fetch(url)
        if page is not None and text in page:
            return page
        time.sleep(0.5)
    raise AssertionError(f"{text!r} not served at {url} within {seconds} s")


def test_serve_previews_and_rebuilds_on_save(site_copy, tmp_path):
    root = site_copy()
    stamp = tmp_path / "installed"
    stamp.touch()  # newer than the requirements: make installs nothing
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        ["make", "serve", f"BIN={BIN}", f"STAMP={stamp}", f"PORT={port}"],
        cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/{SEED_ESSAY}.html"
    try:
        page = wait_for(url, "How to cite this essay")
        assert "Can CLAHRC WM Enact Distributed Leadership" in page
        essay = root / f"{SEED_ESSAY}.md"
        marker = "Live preview marker paragraph."
        essay.write_text(essay.read_text(encoding="utf-8").replace(
            "```{footbibliography}", f"{marker}\n\n```{{footbibliography}}"), encoding="utf-8")
        wait_for(url, marker)
        # Search is the published site's: the save re-indexed the essay on its own.
        manifest = f"http://127.0.0.1:{port}/pagefind/kb-recent.json"
        wait_for(manifest, '"bundles": ["pagefind-recent/1/"]')
        state = f"http://127.0.0.1:{port}/pagefind-recent/kb-state.json"
        wait_for(state, f'"pages": {{"{SEED_ESSAY}.html": "')
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    served_on = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert f"Serving on http://127.0.0.1:{port}" in served_on
