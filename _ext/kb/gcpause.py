"""Collect garbage one document at a time, not over the whole build's heap.

Python's cyclic collector now and then walks every live object. During a
Sphinx build that is the environment plus every doctree read so far (a
serial build keeps them all in memory for the writing phase), so each full
collection costs more as the site grows, and there are more of them: at
1,000 essays they took 11 s of a 40 s build, against 0.5 s of 4 s at 100
(``bench/README.md``, "Profile"), which broke the flat cost per essay. An
incremental build paid too: 0.4 s of collections while the pickled
environment loaded, and 1.1 s in the interpreter's shutdown, which
collects the whole heap once more before exiting.

So collection follows the documents:

- the automatic collector is off while the environment loads (between
  ``config-inited`` and ``builder-inited``);
- once it is loaded, the environment is moved to the permanent generation
  (:func:`gc.freeze`), which no later collection walks;
- a serial build (``-j 1``) leaves the automatic collector off until
  ``build-finished``. Before each document is read (``env-purge-doc``) and
  before each doctree is loaded to be written (:func:`kb._compat.stream_doctrees`),
  the young generations are collected and what survives (the document's
  entries in the environment) is frozen. No doctree is in memory at those
  points: Sphinx's caches of read doctrees and of their pickles are
  switched off, so the previous page's doctree is garbage there, and is
  freed, instead of being frozen with the survivors. Memory then stays
  bounded by one doctree instead of all of them (Sphinx alone held 4.7 GB
  at 10,000 essays, ``bench/README.md``); the price is one unpickling per
  page written. Pages that are not documents (``html-collect-pages``: the
  parts of long lists) are collected before each is rendered;
- a parallel build switches the collector back on after the load, because
  its main process unpickles and merges the workers' environments,
  garbage that no document boundary would collect; its readers collect
  and freeze after each document read (``doctree-read``);
- at ``build-finished`` the collector is on again and everything is
  frozen: the process is about to exit.

A process that runs several builds (the tests) unfreezes the previous
build's objects when the next one starts, so that they are not frozen
again, and collects them once the heap has grown by a quarter since its
last whole-heap collection (:data:`GROWTH`, Python's own pace for its
oldest generation): a collection before every build walked the test
process's whole heap each time (over a minute of a test run). Nothing here changes
what is built, only when memory is scanned and that doctrees are loaded
from their pickles; a caller that had switched the collector off keeps it
off.
"""

from __future__ import annotations

import gc

from sphinx.application import Sphinx
from sphinx.config import Config

from . import _compat

#: Whether the collector is off because of us (and must be switched back on):
#: module-wide, so that a build that fails before ``build-finished`` does
#: not leave the next build thinking the caller switched it off.
_paused = False
#: Objects left by the last whole-heap collection of a process of many
#: builds (the tests) ...
_survivors = 0
#: ... which collects again when its heap grew past this many times that:
#: Python's own rule for its oldest generation (a quarter), which keeps
#: garbage bounded without walking the whole heap before every build.
GROWTH = 1.25


def pause_collector(app: Sphinx, config: Config) -> None:
    global _paused, _survivors
    frozen = gc.get_freeze_count()
    if frozen:  # an earlier build in this process is over:
        gc.unfreeze()  # its garbage must not be frozen again with this one,
        if frozen > GROWTH * _survivors:  # and goes once it may be a quarter of all
            gc.collect()
            gc.freeze()  # O(1): to count what survived
            _survivors = gc.get_freeze_count()
            gc.unfreeze()
    if gc.isenabled():
        _paused = True
        gc.disable()


def resume_collector() -> None:
    global _paused
    if _paused:
        gc.enable()
        _paused = False


def collect_young_and_freeze(*args: object) -> None:
    gc.collect(1)
    gc.freeze()


def _collect_if_paused(*args: object) -> None:
    if _paused:
        collect_young_and_freeze()


def environment_loaded(app: Sphinx) -> None:
    gc.freeze()  # no collection first: unpickling made next to no garbage
    if app.parallel > 1:
        resume_collector()
    _compat.stream_doctrees(app.env, _collect_if_paused)


def before_read(app: Sphinx, env: object, docname: str) -> None:
    """A serial build: the previous document's doctree is garbage now."""
    if _paused:
        _compat.release_roles()  # the last one still reached it
        collect_young_and_freeze()


def document_read(app: Sphinx, doctree: object) -> None:
    """A parallel reader (its collector is on): freeze what the page left."""
    if not _paused:
        collect_young_and_freeze()


def reading_done(app: Sphinx, env: object) -> list[str]:
    collect_young_and_freeze()
    return []


def page_context(app: Sphinx, pagename: str, *args: object) -> None:
    """A page that is not a document (a list's part): the previous one's garbage goes."""
    if _paused and pagename not in app.env.all_docs:
        gc.collect(1)


def build_finished(app: Sphinx, exception: BaseException | None) -> None:
    resume_collector()
    gc.freeze()
