"""Shared fixtures: Sphinx's own test fixtures, test roots, the real site."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")
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
#: ``real_site``: it must pass whatever content staff add, so it runs twice,
#: on the site as it is and with the staff trial's additions (``site_source``).
REAL_SITE_FIXTURES = frozenset({"site_source", "site_copy", "site_html", "refs_bib"})
#: The real site as committed, and the same with what a staff member added
#: following only README and the guide (``tests/data/staff-trial/``, synthetic).
SITE_VARIANTS = ("site", "staff-trial")
#: Session builds that tests of several files read (see their fixtures):
#: the tests (node id prefixes) run on one worker, so each is built once.
SHARED_BUILDS = {
    "site_latexpdf": ("tests/test_latex.py::TestSitePDFs::",
                      "tests/test_essaypdf.py::test_make_html_then_latexpdf"),
    "scholar": ("tests/test_citeformats.py::", "tests/test_feeds.py::",
                "tests/test_jsonld.py::", "tests/test_scholarly.py::"),
}
#: SOURCE_DATE_EPOCH of the real site's PDFs: 14 November 2023.
PDF_EPOCH = "1700000000"
MAKE = shutil.which("make")
TRIAL = DATA / "staff-trial" / "site"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_site: builds the real site; runs on it and on the staff trial")


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark each test that uses the real site ``real_site``."""
    if REAL_SITE_FIXTURES & set(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.real_site)


def xdist_unit(nodeid: str) -> str:
    """The tests that share a worker under ``--dist loadfile``: a test file,
    or its real-site tests' ``[staff-trial]`` half, or a ``SHARED_BUILDS`` group.

    The two halves of a file share no build, so the two workers can take
    one each; tests of several files that read one shared build stay
    together so that it is built once.
    """
    unit = next((name for name, prefixes in SHARED_BUILDS.items()
                 if nodeid.startswith(prefixes)), nodeid.split("::")[0])
    params = nodeid.partition("[")[2].removesuffix("]")
    if re.search(r"(?:^|-)staff-trial(?:-|$)", params):
        unit += "[staff-trial]"
    return unit


#: Seconds each unit took in a whole run (``KB_RECORD_DURATIONS=1 make test``
#: writes them): the scheduler hands out the longest first.
DURATIONS = REPO / "tests" / "durations.json"


def unit_order(recorded: dict[str, float], unit: str, tests: int) -> tuple[float, int]:
    """Sort key, longest first: the recorded seconds (a unit not recorded yet
    counts as the median one), then the number of tests."""
    seconds = recorded.get(unit, statistics.median(recorded.values()) if recorded else 0.0)
    return -seconds, -tests


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: -p no:xdist still runs
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadfile`` with ``xdist_unit``'s units, longest first.

    xdist hands out units in collection order (or by test count), so the
    long ones late in the alphabet left one worker finishing alone for a
    minute. Longest first, each to the worker that is free first, the
    workers end within about the length of the shortest units.
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from collections import OrderedDict

    from xdist.scheduler import LoadFileScheduling

    recorded: dict[str, float] = (json.loads(DURATIONS.read_text(encoding="utf-8"))
                                  if DURATIONS.exists() else {})

    class Units(LoadFileScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return xdist_unit(nodeid)

        def _assign_work_unit(self, node: object) -> None:
            if not self.ordered:  # the queue is complete before the first unit goes
                self.workqueue = OrderedDict(sorted(
                    self.workqueue.items(),
                    key=lambda unit: unit_order(recorded, unit[0], len(unit[1]))))
                self.ordered = True
            super()._assign_work_unit(node)  # type: ignore[arg-type]

    return Units(config, log)


_UNIT_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up each unit's setup, call and teardown (for ``DURATIONS``)."""
    unit = xdist_unit(report.nodeid)
    _UNIT_SECONDS[unit] = _UNIT_SECONDS.get(unit, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With ``KB_RECORD_DURATIONS=1``, write the units' durations (in the
    main process; units not run this time keep their old figure)."""
    if os.environ.get("KB_RECORD_DURATIONS") != "1" or hasattr(session.config, "workerinput"):
        return
    recorded = json.loads(DURATIONS.read_text(encoding="utf-8")) if DURATIONS.exists() else {}
    recorded.update({unit: round(seconds, 1) for unit, seconds in _UNIT_SECONDS.items()})
    DURATIONS.write_text(json.dumps(dict(sorted(recorded.items())), indent=0) + "\n",
                         encoding="utf-8")

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


def copy_site(dest: Path, source: Path = REPO) -> Path:
    """A copy of the real knowledge base's sources, safe to build in."""
    shutil.copytree(source, dest, ignore=_NOT_SOURCE)
    return dest


def add_staff_trial(root: Path) -> list[Path]:
    """Add the trial's pages to the sources at ``root`` and its works to refs.bib."""
    added = []
    for path in sorted(TRIAL.rglob("*.md")):
        target = root / path.relative_to(TRIAL)
        assert not target.exists(), f"the trial would overwrite {target}"
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        added.append(target)
    refs = root / "refs.bib"
    refs.write_text(refs.read_text(encoding="utf-8")
                    + (TRIAL / "refs.bib.add").read_text(encoding="utf-8"), encoding="utf-8")
    return added


#: Per variant, made once per test process (a session fixture with params is
#: set up again whenever the variant changes between tests).
_SOURCES: dict[str, Path] = {}
_SITE_HTML: dict[str, tuple[Path, str]] = {}


@pytest.fixture(scope="session", params=SITE_VARIANTS)
def site_source(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site's sources, as committed or with the staff trial added.

    Read only: build in a copy (``site_copy``). Every test that uses the
    real site runs on both, so a test that checked today's content instead
    of a rule fails on the trial.
    """
    variant: str = request.param
    if variant not in _SOURCES:
        if variant == "site":
            _SOURCES[variant] = REPO
        else:
            src = copy_site(tmp_path_factory.mktemp("staff-trial") / "src")
            add_staff_trial(src)
            _SOURCES[variant] = src
    return _SOURCES[variant]


@pytest.fixture(scope="session")
def site_copy(site_source: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Path]:
    """Factory for fresh copies of the real site (one per call)."""
    def make() -> Path:
        return copy_site(tmp_path_factory.mktemp("site") / "src", site_source)
    return make


@pytest.fixture(scope="session")
def built_once(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[Hashable, Callable[[Path], T]], T]:
    """``built_once(key, make)``: a tree as ``make(path)`` left it, made once per key.

    For a build that several tests start from and then change (an
    incremental build after an edit): the first call runs ``make`` in a
    folder of its own and keeps a copy; each later call puts that copy back
    in the same folder (Sphinx's environment holds absolute paths),
    modification times included, and returns a shallow copy of what
    ``make`` returned. Tests using it run one after another in a process.
    """
    root = tmp_path_factory.mktemp("built-once")
    made: dict[Hashable, tuple[Path, object]] = {}

    def get(key: Hashable, make: Callable[[Path], T]) -> T:
        if key in made:
            path, value = made[key]
            shutil.rmtree(path)
            shutil.copytree(path.with_suffix(".pristine"), path, symlinks=True)
        else:
            path = root / f"tree{len(made)}"
            value = make(path)
            shutil.copytree(path, path.with_suffix(".pristine"), symlinks=True)
            made[key] = path, value
        return copy.copy(value)  # type: ignore[return-value]
    return get


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
def site_html(site_source: Path, site_copy: Callable[[], Path]) -> tuple[Path, str]:
    """The real site built once with html, ``-W``-style: (outdir, warnings).

    Read only: shared by every test of the process on the same variant.
    """
    from sphinx.testing.util import SphinxTestApp

    key = str(site_source)
    if key not in _SITE_HTML:
        app = SphinxTestApp("html", srcdir=site_copy(), freshenv=True)
        try:
            app.build()
            _SITE_HTML[key] = Path(app.outdir), app.warning.getvalue()
        finally:
            app.cleanup()
    return _SITE_HTML[key]


def make_in(src: Path, target: str, stamp: Path,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``make <target>`` in a copy of the site, with this test run's Python."""
    stamp.touch()  # the venv is this one: nothing to install
    return subprocess.run(
        [str(MAKE), "-C", str(src), target, f"BIN={Path(sys.executable).parent}",
         f"STAMP={stamp}"],
        capture_output=True, text=True, check=False, env=env,
    )


_SITE_LATEXPDF: dict[str, tuple[Path, str]] = {}


@pytest.fixture(scope="session")
def site_latexpdf(site_source: Path, site_copy: Callable[[], Path],
                  tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the real site after ``make html`` then ``make latexpdf``, as
    published, with ``SOURCE_DATE_EPOCH=PDF_EPOCH``: (sources, latexpdf's stderr).

    Its LaTeX folder held, before, what a since-renamed theme left behind.
    Read only; built once per variant and process for the PDF tests of
    ``test_latex`` and ``test_essaypdf`` (one xdist group: ``SHARED_BUILDS``).
    """
    if MAKE is None:
        pytest.skip("needs GNU make: apt-get install make")
    key = str(site_source)
    if key not in _SITE_LATEXPDF:
        src = site_copy()
        stale = src / "_build" / "latex" / "clahrc-wm-retired"
        stale.parent.mkdir(parents=True)
        stale.with_suffix(".tex").write_text("stale", encoding="utf-8")
        stale.with_suffix(".pdf").write_bytes(b"%PDF-1.5 stale")
        env = {**os.environ, "SOURCE_DATE_EPOCH": PDF_EPOCH}
        stamp = tmp_path_factory.mktemp("latexpdf") / "stamp"
        for target in ("html", "latexpdf"):
            done = make_in(src, target, stamp, env)
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        _SITE_LATEXPDF[key] = src, done.stderr
    return _SITE_LATEXPDF[key]


@pytest.fixture(scope="session")
def scholar(tmp_path_factory: pytest.TempPathFactory):
    """The synthetic ``scholar`` root built once with html, read only, for the
    citation formats, feeds, JSON-LD and scholarly metadata tests (one xdist
    group: ``SHARED_BUILDS``)."""
    return build(copy_root("scholar", tmp_path_factory.mktemp("scholar") / "src"),
                 freshenv=True)


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


def built_kb_root(tmp_path: Path):
    """The small ``kb`` test root, copied and built clean without a warning:
    ``(sources, app)`` for tests of what a build leaves beside the doctrees."""
    src = copy_root("kb", tmp_path / "src")
    app = build(src, freshenv=True)
    assert app.warning.getvalue() == ""
    return src, app
