"""Build state that is not page metadata, in two typed objects.

Page metadata lives in the ``kb`` domain (``domain.py``). What remains is
state of the build itself, and it has two lifetimes:

* :class:`BuildState` lives for one build, in memory: what one event
  handler finds out for a later one (the dates from git, the pages the
  build wrote, whether refs.bib was parsed, what a re-read page showed
  before). It belongs to the
  application (:func:`build_state`), so two builds in one process (the
  tests) never see each other's. Parallel reads fork the main process,
  so a worker sees what was set before reading began; everything here is
  set and read in the main process or before the fork, never merged.
* :class:`StoredState` is pickled with the environment, in the ``kb``
  domain's data (:attr:`~kb.domain.KnowledgeBaseDomain.stored`), because
  the next, incremental build needs it: refs.bib's problems (reported on
  every build until fixed, without parsing an unchanged file again), the
  keys of its unreadable entries, documents removed whose output is not
  yet deleted. Only the main process writes it (before reading or after
  the build), so merging parallel reads leaves it as it is.

Process-wide state stays with its module, because it is not a build's:
``gcpause`` (the garbage collector is the process's) and ``buildlog``
(what an import printed, once per process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from sphinx.application import Sphinx

if TYPE_CHECKING:
    from .bibcheck import Problem
    from .bibreparse import ChunkMap
    from .pagefind_bundle import Manifest
    from .paging import Catalogue
    from .rebuilds import Records

#: A file's ``(st_mtime_ns, st_size)``, or None if it does not exist.
Signature = tuple[int, int] | None


@dataclass
class BuildState:
    """What one build's handlers hand on to later ones (see the module)."""

    #: ``bibcheck``: refs.bib was parsed this build (at ``builder-inited``) ...
    bib_parsed: bool = False
    #: ... when the pickled environment had this signature: if it still has
    #: it at ``build-finished``, Sphinx did not save the new parse.
    env_pickle_at_parse: Signature = None
    #: ``gitdates``: ``{docname: ISO time of the essay's last commit}``.
    git_dates: dict[str, str] = field(default_factory=dict)
    #: ``search``: output paths of the pages written or removed (None: none
    #: yet), and the Pagefind manifest taken off the disk at the first one.
    changed_pages: set[str] | None = None
    manifest: Manifest | None = None
    #: ``listings``: what other pages showed of each page Sphinx purged
    #: (its record, its citations) ...
    facts_before: dict[str, tuple[object, ...]] = field(default_factory=dict)
    #: ... and the knowledge-base pages read, so that only the listings
    #: showing a changed fact are rewritten.
    pages_read: set[str] = field(default_factory=set)
    #: ... and whether any page's facts changed in this build (until known: yes).
    facts_changed: bool = True
    #: ``rebuilds``: the records of whole-site outputs, as this build found
    #: and changes them, and the configuration's fingerprint.
    rebuild_records: Records | None = None
    config_fingerprint: str | None = None
    #: ``citethis``: each essay's entry in the site-wide files (None: not
    #: loaded yet).
    cite_records: dict[str, tuple[str, str, str]] | None = None
    #: ... and the entries as loaded, which the site-wide files on disk hold
    #: (None: none loaded), so that files whose entries are unchanged are not
    #: written again.
    cite_loaded: dict[str, tuple[str, str, str]] | None = None
    #: ``bibcheck``: keys whose refs.bib entries changed in this build's parse
    #: (None: every entry was parsed), for ``citations``.
    bib_changed: set[str] | None = None
    #: ``paging``: this build's essays and cited works, sorted and grouped
    #: once the environment is final ...
    catalogue: Catalogue | None = None
    #: ... and the fingerprint store with the parts this build wrote, saved
    #: once they are on disk.
    parts_written: tuple[Path, dict[str, str]] | None = None
    #: ... or True when every part was found as the last build left it.
    parts_unchanged: bool = False


@dataclass
class StoredState:
    """What the next build needs, pickled with the environment (see the module)."""

    #: ``bibcheck``: ``{bib file path: (its signature, its problems)}``.
    bibcheck: dict[str, tuple[Signature, list[Problem]]] = field(default_factory=dict)
    #: ``bibcheck``: ``{key: (bib file path, line)}`` of entries that cannot be
    #: read, so that citing one is not answered with "did you mean" another.
    bib_unreadable: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: ``stale_output``: removed documents whose output is not deleted yet.
    removed_docs: set[str] = field(default_factory=set)
    #: ``bibreparse``: ``{bib file path: chunk map}`` of the last clean parse.
    bib_chunks: dict[str, ChunkMap] = field(default_factory=dict)


# Weak: a build's state goes with its application, and no attribute is set on it.
_builds: WeakKeyDictionary[Sphinx, BuildState] = WeakKeyDictionary()


def build_state(app: Sphinx) -> BuildState:
    """The state of the build ``app`` runs, made on first use."""
    state = _builds.get(app)
    if state is None:
        state = _builds[app] = BuildState()
    return state
