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
  (:func:`gc.freeze`), which no later collection walks; after each
  document is read (``doctree-read``, in whichever process reads it), the
  young generations are collected and what survives (the doctree Sphinx
  keeps for writing, the document's entries in the environment) is frozen
  too;
- a serial build (``-j 1``) leaves the automatic collector off until
  ``build-finished`` and collects the young generations before each
  document is written (``doctree-resolved``): nothing is collected but
  each document's own garbage. A parallel build switches it back on after
  the load, because its main process unpickles and merges the workers'
  environments, garbage that no document boundary would collect;
- at ``build-finished`` the collector is on again and everything is
  frozen: the process is about to exit.

A process that runs several builds (the tests) unfreezes and collects the
previous build's objects when the next one starts. Nothing here changes
what is built, only when memory is scanned; a caller that had switched the
collector off keeps it off.
"""

from __future__ import annotations

import gc

from sphinx.application import Sphinx
from sphinx.config import Config

#: Whether the collector is off because of us (and must be switched back on):
#: module-wide, so that a build that fails before ``build-finished`` does
#: not leave the next build thinking the caller switched it off.
_paused = False


def pause_collector(app: Sphinx, config: Config) -> None:
    global _paused
    if gc.get_freeze_count():  # an earlier build in this process is over:
        gc.unfreeze()  # its garbage must not be frozen again with this one
        gc.collect()
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


def environment_loaded(app: Sphinx) -> None:
    gc.freeze()  # no collection first: unpickling made next to no garbage
    if app.parallel > 1:
        resume_collector()


def reading_done(app: Sphinx, env: object) -> list[str]:
    collect_young_and_freeze()
    return []


def document_resolved(app: Sphinx, *args: object) -> None:
    if _paused:
        gc.collect(1)


def build_finished(app: Sphinx, exception: BaseException | None) -> None:
    resume_collector()
    gc.freeze()
