"""The one place that touches private or undocumented APIs of our dependencies.

Everything else in ``kb`` uses public APIs (the ``app`` passed to event
handlers, ``env.current_document``, ``app.builder.format``, the config, the
node and role registries). Where no public API exists, the module using it
calls or imports it from here, so an upgrade breaks in one known place, and
``tests/test_compat.py`` checks each touch point against the installed
version and fails naming it. "Checked" is the version each one was last
checked against (``requirements.txt``; ``make test-latest`` tries the newest).

Touch points, with the module that relies on each:

Sphinx 9.0.4
  1. ``BuildEnvironment._app`` -> :func:`app_of` (``latex.py``, ``paging.py``): a
     post-transform has no public way to the builder (``self.app`` and
     ``env.app`` are deprecated for 11.0; Sphinx's own ReferencesResolver
     reads ``env._app``).
  2. ``sphinx.application.ENV_PICKLE_FILENAME`` and how ``Builder.build``
     pickles the environment -> :data:`ENV_PICKLE_FILENAME`,
     :func:`save_environment` (``bibcheck.py``).
  3. ``sphinx.search.js_index`` (``loads``/``dumps`` of ``searchindex.js``)
     -> :data:`js_index` (``searchindex.py``).
  4. ``sphinx.util.texescape`` (``init``, ``escape``; not in Sphinx's API
     docs) -> :data:`texescape` (``latex.py``).
  5. ``sphinx.util.nodes.inline_all_toctrees`` (what the LaTeX builder uses
     to inline documents; undocumented) -> :data:`inline_all_toctrees`
     (``latex.py``).
  6. ``LaTeXBuilder.context`` (the template variables, e.g. ``date``) is
     written by ``latex.py``; checked here. ``sphinx.builders.latex.
     default_latex_documents`` (how Sphinx fills an unset
     ``latex_documents``) -> :data:`default_latex_documents` (``latex.py``).
  7. ``sphinx._cli.util.errors.strip_escape_sequences`` -> re-exported for
     the tests (``tests/test_errors.py``).
  16. ``BuildEnvironment._write_doc_doctree_cache`` (every doctree read in a
      serial build, kept until its page is written: ``Builder.write_doctree``
      sets it, ``get_and_resolve_doctree`` pops it, falling back to
      ``get_doctree``) and ``BuildEnvironment._pickled_doctree_cache`` (the
      pickled bytes of every doctree ``get_doctree`` loaded, kept for the
      whole build) -> :func:`stream_doctrees` (``gcpause.py``).
  18. ``BuildEnvironment.tocs`` (every page's table of contents) and
      ``BuildEnvironment.longtitles`` are read and written only by item
      access, ``get`` (longtitles), ``in``, ``pop`` and item assignment
      (``TocTreeCollector``, ``TitleCollector``, the ``TocTree`` adapter,
      the HTML and gettext builders; furo reads them through these), so a
      dict subclass that overrides item access and ``get`` sees every read
      -> :func:`replace_tocs`, :func:`replace_longtitles` (``lazytocs.py``).
      The same holds for ``BuildEnvironment.titles`` (also read by the
      standard domain, myst-parser's references and ``get_doc_context``
      through a local name) -> :func:`replace_titles`; and
      ``StandaloneHTMLBuilder.dump_inventory`` writes
      ``InventoryFile.dump(outdir / INVENTORY_FILENAME, env, builder)``,
      whose ``std:doc`` entries are ``clean_astext(env.titles[doc])``
      for each ``doc`` in ``env.all_docs``, the only domain entries made
      from ``env.all_docs`` -> :data:`INVENTORY_FILENAME` (``inventory.py``).
  19. ``Project._docname_to_path`` (each document's source path relative
      to the source folder) and ``Project._path_to_docname``, filled by
      ``Project.discover`` with ``docnames`` from the files
      ``sphinx.util.matching.get_matching_files`` finds, excluding
      ``sphinx.project.EXCLUDE_PATHS`` -> :func:`source_paths`,
      :func:`project_maps`, :data:`PROJECT_EXCLUDE_PATHS` (``fastscan.py``);
      ``Project.discover`` clears both maps before filling them,
      ``doc2path`` takes a string path as well as a ``Path``, and
      ``path2doc`` finds a source's name from its suffix when the map has
      no entry -> :func:`project_maps_state` (a pickled project);
      ``sphinx.util.matching.compile_matchers`` gives each glob pattern's
      compiled ``re.Pattern.match`` (the pattern anchored at both ends)
      -> :func:`matcher_pattern`.
  20. How ``StandaloneHTMLBuilder.get_outdated_docs`` decides that every
      page is outdated: ``sphinx.builders.html._build_info.BuildInfo``
      loaded from ``.buildinfo`` differs from ``builder.build_info``, or
      the newest template (``builder.templates.newest_template_mtime()``)
      is newer than that file -> :func:`unchanged_build_info_time`
      (``fastscan.py``); and that ``Builder.read``, ``Builder.build_update``
      and ``BuildEnvironment.find_files`` call ``env.get_outdated_files``,
      ``builder.get_outdated_docs`` and ``env.project.discover`` as
      methods, so subclasses' are used.
  21. ``Builder.templates`` is a ``sphinx.jinja2glue.BuiltinTemplateLoader``
      whose ``environment`` is the Jinja environment every page is rendered
      with, made in ``init``, with no bytecode cache
      -> :func:`template_environment` (``templatecache.py``).
  22. ``Sphinx._warncount``: how many warnings the build has logged so far
      (counted by Sphinx's warning handler after ``suppress_warnings``;
      with ``-W`` the status code is set from it only after
      ``build-finished``) -> :func:`warning_count` (``uptodate.py``).
  23. ``sphinx.application.builtin_extensions`` (the modules Sphinx sets
      up before conf.py's extensions, a module-level tuple read in
      ``Sphinx.__init__``) -> ``uptodate.skip_unused_builders`` leaves out
      the builders an ``html`` build never uses.

docutils 0.22.4
  Doctrees are built and read with public node classes and
  ``Node.findall``; our own node classes live in ``nodes.py``.
  17. ``docutils.parsers.rst.roles._roles`` (the registered role objects)
      and ``SphinxRole.__call__`` keeping its ``inliner`` (Sphinx 9.0.4),
      which reaches the whole doctree of the page the role was last used in
      -> :func:`release_roles` (``gcpause.py``).

pybtex 0.26.1
  8. ``BaseMultipartText._create_similar`` -> :func:`rich_text_like`
     (``citations.py``): a rich text of the same kind with other parts.
  9. The BibTeX parser's internals that ``bibcheck.CheckingParser`` extends
     (``LowLevelParser(text, keyless_entries=, want_entry=, filename=,
     macros=)``, its ``handle_error``, ``command_start``,
     ``current_entry_key``; ``Parser.process_entry``, ``process_preamble``,
     ``unnamed_entry_counter``, ``keyless_entries``, ``macros``) and
     ``pybtex.errors.capture``: left in ``bibcheck.py`` (a subclass cannot
     move here), checked here.

sphinxcontrib-bibtex 2.7.0
  10. The ``cite`` domain's parsed bibliography (``domain.bibdata``, stored
      as ``domain.data["bibdata"]``) -> :func:`bibtex_data`,
      :func:`set_bibtex_data` (``citations.py``, ``listings.py``,
      ``bibcheck.py``, which pre-fills it so the strict parser never runs).
  11. ``sphinxcontrib.bibtex.bibfile`` (``BibData``, ``BibFile``,
      ``get_mtime``, ``is_bibdata_outdated``): the cache's layout ->
      re-exported here (``bibcheck.py``).

Pagefind 1.5.2 (its command-line output; ``pagefind_bundle.py``)
  12. stdout says ``Indexed N pages`` -> :data:`PAGEFIND_PAGES_RE`.
  13. a fragment file is gzip of ``pagefind_dcd`` + JSON with ``url`` ->
      :data:`PAGEFIND_FRAGMENT_MAGIC`.
  14. ``pagefind-entry.json`` names the index's languages and files.
  15. Where ``pagefind.service.get_executable`` (the PyPI wrapper) finds
      the binary: ``PAGEFIND_BINARY_PATH``, then ``get_executable()`` of
      ``pagefind_bin_extended``, then of ``pagefind_bin``, then PATH
      -> ``pagefind_bundle.find_pagefind``, which does not import it.
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils.parsers.rst import roles as _docutils_roles
from jinja2 import Environment
from sphinx._cli.util.errors import strip_escape_sequences
from sphinx.application import ENV_PICKLE_FILENAME
from sphinx.builders.html import INVENTORY_FILENAME
from sphinx.builders.html._build_info import BuildInfo
from sphinx.builders.latex import default_latex_documents
from sphinx.jinja2glue import BuiltinTemplateLoader
from sphinx.project import EXCLUDE_PATHS
from sphinx.search import js_index
from sphinx.util import texescape
from sphinx.util.docutils import SphinxRole
from sphinx.util.nodes import inline_all_toctrees
from sphinxcontrib.bibtex.bibfile import BibData, BibFile, get_mtime, is_bibdata_outdated

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders.html import StandaloneHTMLBuilder
    from sphinx.environment import BuildEnvironment
    from sphinx.project import Project

__all__ = [
    "ENV_PICKLE_FILENAME", "INVENTORY_FILENAME", "PAGEFIND_FRAGMENT_MAGIC", "PAGEFIND_PAGES_RE",
    "BibData",
    "BibFile", "app_of", "bibtex_data", "default_latex_documents", "get_mtime",
    "inline_all_toctrees", "matcher_pattern",
    "is_bibdata_outdated", "js_index", "rich_text_like", "save_environment",
    "PROJECT_EXCLUDE_PATHS", "project_maps", "release_roles", "replace_longtitles",
    "replace_titles", "replace_tocs",
    "set_bibtex_data", "source_paths",
    "unchanged_build_info_time", "stream_doctrees", "warning_count",
    "strip_escape_sequences", "texescape",
]

#: 12. What Pagefind prints after indexing (its page count).
PAGEFIND_PAGES_RE = re.compile(r"Indexed (\d+) pages?")
#: 19. Files that are never documents (Sphinx's own exclusions).
PROJECT_EXCLUDE_PATHS: tuple[str, ...] = tuple(EXCLUDE_PATHS)
#: 13. The bytes before the JSON in a decompressed fragment file.
PAGEFIND_FRAGMENT_MAGIC = b"pagefind_dcd"


def app_of(env: BuildEnvironment) -> Sphinx:
    """1. The application, for code that is handed only the environment."""
    return env._app


def save_environment(app: Sphinx) -> None:
    """2. Pickle the environment where and as ``Builder.build`` does."""
    with open(Path(app.doctreedir) / ENV_PICKLE_FILENAME, "wb") as file:
        pickle.dump(app.env, file, pickle.HIGHEST_PROTOCOL)


class _Discarding(dict[str, Any]):
    """A cache that keeps nothing; each miss first calls ``before_miss``."""

    def __init__(self, before_miss: Callable[[], object] | None = None) -> None:
        super().__init__()
        self.before_miss = before_miss

    def __setitem__(self, key: str, value: Any) -> None:
        pass

    def __missing__(self, key: str) -> Any:
        if self.before_miss is not None:
            self.before_miss()
        raise KeyError(key)


def stream_doctrees(env: BuildEnvironment, before_load: Callable[[], object]) -> None:
    """16. Keep no doctree (nor its pickle) in memory beyond its own page.

    Sphinx keeps every doctree a serial build reads until its page is
    written, and the pickle of every doctree it loads until the process
    ends: O(N) memory (4.7 GB at 10,000 essays, ``bench/README.md``). With
    both caches discarding, each page's doctree is loaded from its pickle
    when the page is written, and ``before_load`` runs just before each
    load, when no doctree is in memory (``gcpause`` collects there).
    """
    env._write_doc_doctree_cache = _Discarding()
    env._pickled_doctree_cache = _Discarding(before_load)


def replace_tocs(env: BuildEnvironment, tocs: dict[str, Any]) -> None:
    """18. Hold the tables of contents in ``tocs`` (a dict subclass)."""
    env.tocs = tocs


def replace_longtitles(env: BuildEnvironment, longtitles: dict[str, Any]) -> None:
    """18. Hold the pages' long titles in ``longtitles`` (a dict subclass)."""
    env.longtitles = longtitles


def replace_titles(env: BuildEnvironment, titles: dict[str, Any]) -> None:
    """18. Hold the pages' titles in ``titles`` (a dict or a dict subclass)."""
    env.titles = titles


def source_paths(env: BuildEnvironment) -> dict[str, Any]:
    """19. Each document's source path, relative to the source folder."""
    return env.project._docname_to_path


def matcher_pattern(matcher: Callable[[str], Any]) -> str:
    """19. The regular expression of one of ``compile_matchers``' matchers."""
    pattern: re.Pattern[str] = matcher.__self__  # type: ignore[attr-defined]
    return pattern.pattern


def project_maps(project: Project) -> tuple[set[str], dict[Path, str], dict[str, Path | str]]:
    """19. The project's documents and its two maps between names and paths
    (a source path may be a string: ``doc2path`` takes one)."""
    return project.docnames, project._path_to_docname, project._docname_to_path  # type: ignore[return-value]


def project_maps_state(docnames: set[str], by_name: dict[str, str]) -> dict[str, Any]:
    """19. A project's pickled state with these documents, source paths
    (strings) and no path-to-name map."""
    return {"docnames": docnames, "_path_to_docname": {}, "_docname_to_path": by_name}


def unchanged_build_info_time(builder: StandaloneHTMLBuilder) -> int | None:
    """20. The newest template's time (microseconds, 0 without templates)
    when ``.buildinfo`` matches the build and is newer than every template;
    None when Sphinx would take every page as outdated (or warn)."""
    path = Path(builder.outdir, ".buildinfo")
    try:
        if BuildInfo.load(path) != builder.build_info:
            return None
        info_mtime = -(os.stat(path).st_mtime_ns // -1_000)
    except (ValueError, OSError):
        return None
    if not builder.templates:
        return 0
    template_mtime = int(builder.templates.newest_template_mtime() * 10**6)
    return None if template_mtime > info_mtime else template_mtime


def template_environment(builder: Any) -> Environment | None:
    """21. The Jinja environment the builder renders pages with, if it
    uses Sphinx's template loader."""
    templates = getattr(builder, "templates", None)
    if not isinstance(templates, BuiltinTemplateLoader):
        return None
    environment = getattr(templates, "environment", None)
    return environment if isinstance(environment, Environment) else None


def release_roles() -> None:
    """17. Let each role object forget the page it was last used in.

    A role is one object for the whole build, and Sphinx's keeps the
    inliner of its last call, which reaches that page's doctree: so a page
    stays in memory until the role is used on another, and ``gcpause``
    would freeze it there for good. Called between two pages.
    """
    for role in list(_docutils_roles._roles.values()):  # type: ignore[attr-defined]
        if isinstance(role, SphinxRole):
            vars(role).pop("inliner", None)


def rich_text_like(text: Any, parts: list[Any]) -> Any:
    """8. A pybtex rich text of the same class as ``text`` with other parts."""
    return text._create_similar(parts)


def bibtex_data(env: BuildEnvironment) -> BibData:
    """10. sphinxcontrib-bibtex's parsed bibliography (entries and files)."""
    return env.get_domain("cite").data["bibdata"]


def set_bibtex_data(env: BuildEnvironment, data: BibData) -> None:
    """10. Give sphinxcontrib-bibtex a parse it will take as up to date."""
    env.get_domain("cite").data["bibdata"] = data


def warning_count(app: Sphinx) -> int:
    """22. The warnings logged so far in this build."""
    return int(app._warncount)
