"""Keep Python's cyclic garbage collector off a large environment.

An incremental build of a large site spends more time in the collector
than in Sphinx. At 1,000 essays (``bench/README.md``) a no-change rebuild
took 2.1 s, of which:

- 0.4 s was the collector walking, again and again, the millions of
  objects that unpickling the environment creates, all of them live;
- 1.1 s came after Sphinx had finished, in the interpreter's shutdown,
  whose collections walk every object of the build once more.

Sphinx loads the environment between the ``config-inited`` and
``builder-inited`` events, so the collector is paused at the first and
resumed at the second with the loaded objects moved to its permanent
generation (:func:`gc.freeze`), which later collections skip (the forked
``-j`` workers then also leave those pages shared). At ``build-finished``
everything the build made is frozen the same way: the process is about to
exit. A process that runs several builds (the tests) hands the previous
build's objects back to the collector, and collects, when the next one
starts, so that its garbage is not frozen again with the new build. Nothing
here changes what is built, only when memory is scanned.
"""

from __future__ import annotations

import gc

from sphinx.application import Sphinx
from sphinx.config import Config


def pause_collector(app: Sphinx, config: Config) -> None:
    if gc.get_freeze_count():  # an earlier build in this process is over:
        gc.unfreeze()  # its garbage must not be frozen again with this one
        gc.collect()
    app.kb_gc_was_enabled = gc.isenabled()  # type: ignore[attr-defined]
    gc.disable()


def resume_collector(app: Sphinx) -> None:
    gc.freeze()
    if getattr(app, "kb_gc_was_enabled", False):
        gc.enable()
        app.kb_gc_was_enabled = False  # type: ignore[attr-defined]


def freeze_for_exit(app: Sphinx, exception: BaseException | None) -> None:
    resume_collector(app)  # never leave the collector off
    gc.freeze()


def setup_gcpause(app: Sphinx) -> None:
    # Last of config-inited and first of builder-inited: the pause spans the
    # environment's load and nothing else.
    app.connect("config-inited", pause_collector, priority=900)
    app.connect("builder-inited", resume_collector, priority=0)
    app.connect("build-finished", freeze_for_exit, priority=900)
