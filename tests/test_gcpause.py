"""The garbage collector is paused only while the environment loads.

Real in-process builds of the ``kb`` test root: an incremental build loads
a pickled environment, which is when the pause matters.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import build, copy_root


@pytest.fixture
def src(tmp_path: Path) -> Iterator[Path]:
    root = copy_root("kb", tmp_path / "src")
    build(root, freshenv=True)
    yield root
    gc.unfreeze()
    gc.enable()


def test_the_collector_is_off_while_the_environment_loads(src: Path) -> None:
    from sphinx.testing.util import SphinxTestApp

    seen: dict[str, bool] = {}

    class Probe(SphinxTestApp):
        def _init_env(self, freshenv: bool):  # the load, as Sphinx does it
            seen["during load"] = gc.isenabled()
            return super()._init_env(freshenv)

    app = Probe("html", srcdir=src)
    try:
        seen["after load"] = gc.isenabled()
        app.build()
    finally:
        app.cleanup()
    assert seen == {"during load": False, "after load": True}
    assert gc.isenabled()


def test_each_build_frees_what_the_previous_one_froze(src: Path) -> None:
    """Frozen at the end (the process is about to exit), collectable again at
    the next build's start: in a process of many builds nothing piles up."""
    counts = []
    for _ in range(4):
        build(src)
        counts.append(gc.get_freeze_count())
    assert counts[0] > 1000  # the build's objects, spared the exit-time collections
    # Without the collection at the next start, each build adds ~3 % here.
    assert counts[-1] - counts[0] < 0.01 * counts[0], counts


def test_a_collector_switched_off_by_the_caller_stays_off(src: Path) -> None:
    gc.disable()
    build(src)
    assert not gc.isenabled()
