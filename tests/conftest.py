"""Shared fixtures: Sphinx's own test fixtures, test roots, the real site."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOTS = REPO / "tests" / "roots"
DATA = REPO / "tests" / "data"
#: The seed essay as saved from the blog, and real bibliographies: copies of
#: ``shared/`` kept in the repository so that any clone runs every test
#: (sources named in ``tests/data/README.md``).
SEED = DATA / "seeds" / "000_0e56005f638fb154.txt"
REALBIB = DATA / "realbib"
SEED_ESSAY = "essays/can-clahrc-wm-enact-distributed-leadership"

sys.path.insert(0, str(REPO / "_ext"))

# Punctuation a missing bib field must never leave behind in a reference.
BROKEN = re.compile(
    r"(?<!\.)\.\.(?!\.)"  # ".." (an ellipsis "..." is allowed)
    r"|,\s*,|;\s*;|:\s*\.|,\s*\.|;\s*\."  # ", ,"  ";;"  ": ."  ",."  ";."
    r"|\(\s*\)|\[\s*\]"  # empty () or []
    r"|In:\s*(?:\.|$)"  # dangling "In:"
    r"|\s\.(?!\.\.)"  # " ."
    r"|^\s*[.,;:]|\s{2,}"  # leading punctuation, double spaces
)

pytest_plugins = ("sphinx.testing.fixtures",)

#: Fixtures that build or read the real site (``refs_bib``: its refs.bib). A
#: test using one (directly or through another fixture) is marked
#: ``real_site``: it must pass whatever content staff add, and
#: ``tests/test_staff_trial.py`` runs it again with more.
REAL_SITE_FIXTURES = frozenset({"site_copy", "site_html", "refs_bib"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_site: builds the real site; run again by the staff trial")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if REAL_SITE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.real_site)

# What a staff member's checkout holds; everything else is not site source.
_NOT_SOURCE = shutil.ignore_patterns(
    "_build", ".venv", ".git", "tests", "bench", "node_modules", ".pytest_cache",
    ".ruff_cache", "__pycache__", ".hypothesis", ".ci", ".venv-latest", ".mypy_cache",
)


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where ``@pytest.mark.sphinx(testroot=...)`` finds ``test-*`` roots."""
    return ROOTS


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def copy_site(dest: Path) -> Path:
    """A copy of the real knowledge base's sources, safe to build in."""
    shutil.copytree(REPO, dest, ignore=_NOT_SOURCE)
    return dest


@pytest.fixture(scope="session")
def site_copy(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Path]:
    """Factory for fresh copies of the real site (one per call)."""
    def make() -> Path:
        return copy_site(tmp_path_factory.mktemp("site") / "src")
    return make


def build(srcdir: Path, builder: str = "html", **kwargs: object):
    """Build ``srcdir`` with a real Sphinx app and return the (cleaned-up) app.

    For module- and session-scoped fixtures, where ``make_app`` cannot go.
    """
    from sphinx.testing.util import SphinxTestApp

    app = SphinxTestApp(builder, srcdir=srcdir, **kwargs)
    try:
        app.build()
    finally:
        app.cleanup()
    return app


def commit_all(src: Path, when: str, paths: list[Path] | None = None) -> None:
    """Commit ``paths`` (default: everything; a new repository if needed) at ``when``."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org"}
    commands = [] if (src / ".git").exists() else [["init", "-q"]]
    commands += [["add", "-A", *map(str, paths or [src])], ["commit", "-q", "-m", "sources"]]
    for command in commands:
        subprocess.run(["git", "-C", str(src), *command], env=env, check=True,
                       capture_output=True)


def copy_root(name: str, dest: Path) -> Path:
    """A private copy of ``tests/roots/test-<name>`` that a test may edit."""
    shutil.copytree(ROOTS / f"test-{name}", dest)
    return dest


@pytest.fixture(scope="session")
def site_html(site_copy: Callable[[], Path]) -> tuple[Path, str]:
    """The real site built once with html, ``-W``-style: (outdir, warnings)."""
    from sphinx.testing.util import SphinxTestApp

    src = site_copy()
    app = SphinxTestApp("html", srcdir=src, freshenv=True)
    try:
        app.build()
        return Path(app.outdir), app.warning.getvalue()
    finally:
        app.cleanup()


#: What the synthetic ``web`` test root sets as html_baseurl and as a hostile title.
WEB_BASE = "https://kb.example.org/sub/path/"
WEB_HOSTILE = '<script>alert("x")</script> & {braces} 100% $5 #1 ~ ^ \\ Ünïcode?'


def web_build(dest: Path, epoch: str | None = None, **kwargs: object):
    """Build a fresh copy of the ``web`` root with SOURCE_DATE_EPOCH as given."""
    src = copy_root("web", dest)
    with pytest.MonkeyPatch.context() as patch:
        if epoch is None:
            patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        else:
            patch.setenv("SOURCE_DATE_EPOCH", epoch)
        return build(src, freshenv=True, **kwargs)


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory):
    """The ``web`` root built once for the feed, meta, sitemap and citation tests."""
    return web_build(tmp_path_factory.mktemp("web") / "src")


@pytest.fixture(scope="session")
def site(site_html: tuple[Path, str]) -> Path:
    """The real site's HTML output folder."""
    return site_html[0]


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[object]:
    """The real site served over HTTP under the sub-path ``/kb/``."""
    from browser import SiteServer

    with SiteServer(site, prefix="/kb/") as srv:
        yield srv


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """In CI (``KB_REQUIRE_TOOLS=1``) a browser or TeX test may not skip.

    Locally a missing Chromium or TeX skips those tests with a reason; in CI
    that would hide a missing install step in ``.ci/run``, so it fails.
    """
    outcome = yield
    report = outcome.get_result()
    needs_tools = item.get_closest_marker("browser") or item.get_closest_marker("latex")
    if report.skipped and needs_tools and os.environ.get("KB_REQUIRE_TOOLS") == "1":
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where the tools must be installed: {report.longrepr}"
