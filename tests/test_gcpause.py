"""Garbage is collected document by document while Sphinx builds.

Real in-process builds of the ``kb`` test root. During a build the
automatic collector is off, every document read leaves its survivors
frozen, and the collector is back on (and nothing piles up) afterwards.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from conftest import build, copy_root
from kb import gcpause
from kb.gcpause import GROWTH


@pytest.fixture
def src(tmp_path: Path) -> Iterator[Path]:
    root = copy_root("kb", tmp_path / "src")
    build(root, freshenv=True)
    yield root
    gc.unfreeze()
    gc.enable()


def probe_build(src: Path, **kwargs: object) -> dict[str, list[object]]:
    """Build, noting the collector's state at each stage."""
    seen: dict[str, list[object]] = {}

    def note(stage: str) -> object:
        def handler(*args: object) -> None:
            seen.setdefault(stage, []).append((gc.isenabled(), gc.get_freeze_count()))
        return handler

    class Probe(SphinxTestApp):
        def _init_env(self, freshenv: bool):  # the environment's load, as Sphinx does it
            note("load")()
            return super()._init_env(freshenv)

    app = Probe("html", srcdir=src, **kwargs)
    app.connect("doctree-read", note("read"), priority=1000)
    app.connect("doctree-resolved", note("write"))
    try:
        app.build()
    finally:
        app.cleanup()
    return seen


def test_the_collector_is_off_while_loading_reading_and_writing(src: Path) -> None:
    seen = probe_build(src, freshenv=True)
    assert len(seen["read"]) > 5 and seen["write"]
    assert not any(enabled for stage in seen.values() for enabled, _ in stage)
    assert gc.isenabled()


def test_each_document_read_leaves_its_survivors_frozen(src: Path) -> None:
    frozen = [count for _, count in probe_build(src, freshenv=True)["read"]]
    assert frozen == sorted(frozen) and frozen[-1] > frozen[0]


def frozen_after_builds(src: Path, builds: int) -> list[int]:
    counts = []
    for _ in range(builds):
        build(src)
        counts.append(gc.get_freeze_count())
    return counts


def test_in_a_process_of_many_builds_garbage_is_collected_at_the_growth_set(
        src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Frozen at the end (the process is about to exit), unfrozen at the next
    build's start and collected once the heap grew past ``GROWTH`` times what
    the last collection left (by default a quarter more, Python's own pace):
    garbage stays bounded, with no whole-heap walk before every build."""
    assert GROWTH == 1.25
    monkeypatch.setattr(gcpause, "GROWTH", 1.0)  # any growth: collect every time
    counts = frozen_after_builds(src, 4)
    assert counts[0] > 1000  # the build's objects, spared the exit-time collections
    assert counts[-1] - counts[0] < 0.01 * counts[0], counts  # nothing piles up
    monkeypatch.setattr(gcpause, "GROWTH", float("inf"))  # never: each build's garbage stays
    counts = frozen_after_builds(src, 4)
    assert all(later - earlier > 1000 for earlier, later in pairwise(counts)), counts


def test_a_collector_switched_off_by_the_caller_stays_off(src: Path) -> None:
    gc.disable()
    build(src)
    assert not gc.isenabled()


def test_a_build_that_fails_to_start_does_not_leave_the_collector_off(src: Path) -> None:
    class Broken(SphinxTestApp):
        def _init_builder(self) -> None:
            raise RuntimeError("no builder today")

    with pytest.raises(RuntimeError, match="no builder today"):
        Broken("html", srcdir=src)
    assert not gc.isenabled()  # paused by the build that never finished...
    build(src)
    assert gc.isenabled()  # ...and switched back on by the next one


def test_a_parallel_build_collects_in_its_main_process(src: Path) -> None:
    """The main process merges the workers' environments: garbage between
    documents, which only the automatic collector would find."""
    seen = probe_build(src, freshenv=True, parallel=2)
    assert seen["write"] and all(enabled for enabled, _ in seen["write"])


def test_no_doctree_outlives_its_page_in_a_serial_build(src: Path) -> None:
    """Sphinx would keep every doctree read until its page is written, and
    the frozen survivors would keep them for good: memory O(N) (4.7 GB at
    10,000 essays). Each page's doctree is freed before the next is read,
    and before the next is loaded to be written."""
    read: list[weakref.ref[object]] = []
    resolved: list[weakref.ref[object]] = []
    alive: dict[str, int] = {}

    app = SphinxTestApp("html", srcdir=src, freshenv=True)
    app.connect("doctree-read", lambda app, doctree: read.append(weakref.ref(doctree)))
    app.connect("doctree-resolved",
                lambda app, doctree, docname: resolved.append(weakref.ref(doctree)))

    def count(stage: str, refs: list[weakref.ref[object]]) -> None:
        alive[stage] = sum(ref() is not None for ref in refs)

    app.connect("env-updated", lambda app, env: count("read", read), priority=1000)
    app.connect("build-finished", lambda app, exc: count("written", resolved), priority=800)
    try:
        app.build()
    finally:
        app.cleanup()
    assert len(read) > 5 and len(resolved) > 5
    assert alive == {"read": 0, "written": 0}
