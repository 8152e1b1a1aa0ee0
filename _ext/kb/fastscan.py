"""Sphinx's two checks for changed sources, with one string path per file.

Before a build reads anything, Sphinx looks at every document twice: the
environment compares each source's time with the one it read and checks
that its doctree is there (``BuildEnvironment.get_outdated_files``), and
the HTML builder compares each source's time with its page's
(``StandaloneHTMLBuilder.get_outdated_docs``). Both go through
``pathlib``, a few ``Path`` objects per document and question: 0.44 s of
CPU of an edit's 3.4 s at 10,000 essays, of which the ``stat`` calls
themselves are under 0.1 s (bench/README.md, "Profile: what an edit at
10,000 spent").

Here the same checks are made with string paths and :func:`os.stat`, with
the same rules and the same answers: a document not in the environment is
added; one Sphinx always re-reads, whose doctree is missing, whose source
is newer than when it was read, or one of whose dependencies is missing or
newer, is changed; a page is outdated when its document is new, or its
source or the newest template is newer than the page. What is unusual is
left to Sphinx's own code: a changed configuration, a build-info file that
does not match, a template newer than the last build (Sphinx says so), a
builder other than ``html``. Only Sphinx's debug-level ("-vv") lines
about why a document is outdated are not written.

The environment and the builder get these methods by becoming instances
of subclasses made here (at ``builder-inited``); the environment still
pickles as Sphinx's own class, so a saved environment loads with or
without this module. ``tests/test_fastscan.py`` checks the answers
against Sphinx's on the same files.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from weakref import WeakKeyDictionary

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment
from sphinx.locale import __
from sphinx.project import Project
from sphinx.util import logging
from sphinx.util.display import progress_message
from sphinx.util.matching import compile_matchers

from . import _compat, inventory
from .folders import documents_with

logger = logging.getLogger(__name__)


def mtime_us(path: str) -> int:
    """A file's time as Sphinx keeps it: microseconds, rounded up."""
    return -(os.stat(path).st_mtime_ns // -1_000)


#: Each source's time as :func:`outdated_pages` found it, for
#: :func:`outdated_files` in the same build (Sphinx asks which pages are
#: outdated just before it asks which sources changed): one ``stat`` per
#: source per build instead of two. A source changed in between is read
#: with its new text, or found changed by the next build, as with Sphinx.
_source_times: WeakKeyDictionary[BuildEnvironment, dict[str, int]] = WeakKeyDictionary()

#: Every file of the source folder with ``[size, mtime_ns, ctime_ns]`` (None:
#: no such file), as :mod:`kb.uptodate` found them when the build started,
#: before these checks: one ``stat`` per source per build, not two (0.03 s
#: at 10,000 essays). A source changed in between is found changed by the
#: next build, which the record then tells ``make html`` to run.
times_at_start: WeakKeyDictionary[BuildEnvironment, dict[str, list[int] | None]] = \
    WeakKeyDictionary()


def _doctrees(doctreedir: str, docnames: Iterable[str]) -> set[str]:
    """The documents that have a doctree: one listing of each folder
    instead of one lookup per document."""
    return documents_with(doctreedir, docnames, lambda name, names: name + ".doctree" in names)


def _dependency_changed(dependencies: Any, read_at: int) -> bool:
    for dependency in dependencies:
        path = os.fspath(dependency)
        try:
            if not os.path.isfile(path) or mtime_us(path) > read_at:
                return True
        except OSError:
            return True  # Sphinx gives it another chance too
    return False


def outdated_files(env: BuildEnvironment) -> tuple[set[str], set[str], set[str]]:
    """(added, changed, removed) as ``get_outdated_files(False)`` gives them."""
    found = env.found_docs
    all_docs = env.all_docs
    removed = all_docs.keys() - found
    added: set[str] = set()
    changed: set[str] = set()
    srcdir, doctreedir = os.fspath(env.srcdir), os.fspath(env.doctreedir)
    sources = _compat.source_paths(env)
    reread_always, dependencies = env.reread_always, env.dependencies
    with_doctree = _doctrees(doctreedir, found & all_docs.keys())
    seen = _source_times.pop(env, {})
    for docname in found:
        read_at = all_docs.get(docname)
        if read_at is None:
            added.add(docname)
            continue
        if docname in reread_always or docname not in with_doctree:
            changed.add(docname)
            continue
        source = sources.get(docname)
        path = f"{srcdir}/{source}" if source is not None else os.fspath(env.doc2path(docname))
        try:
            source_time = seen.get(path)
            is_newer = (mtime_us(path) if source_time is None else source_time) > read_at
        except OSError:
            is_newer = True  # gone since it was found: Sphinx fails reading it
        if is_newer or (docname in dependencies
                        and _dependency_changed(dependencies[docname], read_at)):
            changed.add(docname)
    return added, changed, removed


def outdated_pages(builder: StandaloneHTMLBuilder, template_mtime: int) -> Iterator[str]:
    """The documents whose page is older than its source or the templates."""
    env = builder.env
    outdir, suffix = os.fspath(builder.outdir), builder.out_suffix
    srcdir, sources = os.fspath(env.srcdir), _compat.source_paths(env)
    seen = _source_times[env] = {}
    at_start = times_at_start.pop(env, {})
    for docname in env.found_docs:
        if docname not in env.all_docs:
            yield docname
            continue
        try:
            page_mtime = mtime_us(f"{outdir}/{docname}{suffix}")
        except OSError:
            page_mtime = 0
        source = sources.get(docname)
        path = f"{srcdir}/{source}" if source is not None else os.fspath(env.doc2path(docname))
        try:
            known = at_start.get(path)
            source_time = seen[path] = \
                mtime_us(path) if known is None else -(known[1] // -1_000)
            if max(source_time, template_mtime) > page_mtime:
                yield docname
        except OSError:
            pass  # the source is gone: Sphinx skips it too


def matching_files(srcdir: str, include: Iterable[str], exclude: Iterable[str]) -> Iterator[str]:
    """Sphinx's ``get_matching_files`` with string paths: each file under
    ``srcdir`` (posix, NFC) that an include pattern matches and no exclude
    pattern does, in sorted order per folder; excluded folders not entered."""
    included, excluded = any_matcher(include), any_matcher(exclude)
    root_dir = os.path.realpath(srcdir)
    for root, dirs, files in os.walk(root_dir, followlinks=True):
        relative = os.path.relpath(root, root_dir).replace(os.path.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        for name in sorted(files):
            path = unicodedata.normalize("NFC", prefix + name)
            if included(path) and not excluded(path):
                yield path
        dirs[:] = [name for name in sorted(dirs)
                   if not excluded(unicodedata.normalize("NFC", prefix + name))]


def any_matcher(patterns: Iterable[str]) -> Callable[[str], object]:
    """Sphinx's glob patterns as one regular expression, true when any of
    them matches: one match per path instead of one per pattern (a dozen
    excluded names, 0.05 s at 10,000 essays). Each pattern Sphinx makes
    is anchored at both ends, so the alternation matches what ``any`` did
    (``tests/test_fastscan.py`` compares them)."""
    source = patterns_regex(patterns)
    if source is None:
        return lambda path: False
    return re.compile(source).match


def patterns_regex(patterns: Iterable[str]) -> str | None:
    """The regular expression of :func:`any_matcher` (None: no pattern)."""
    sources = [_compat.matcher_pattern(matcher) for matcher in compile_matchers(patterns)]
    return "|".join(f"(?:{source})" for source in sources) if sources else None


def discover(project: Project, exclude: Iterable[str], include: Iterable[str]) -> set[str]:
    """``Project.discover``: the documents of the source folder, with the
    same warnings, and the same answers from ``doc2path`` and ``path2doc``.

    Each document's source is kept as a string, and the path-to-name map is
    left empty: ``path2doc`` then finds a name from the suffix, which is the
    name the map would give (Sphinx makes it from the same path, suffix
    and normalisation), and 22,000 ``Path`` objects, 0.05 s at 10,000
    essays, are not made.
    """
    srcdir = os.fspath(project.srcdir)
    docnames, by_path, by_name = _compat.project_maps(project)
    docnames.clear()
    by_path.clear()
    by_name.clear()
    suffixes = project.source_suffix
    for filename in matching_files(srcdir, include, [*exclude, *_compat.PROJECT_EXCLUDE_PATHS]):
        name = filename.rpartition("/")[2]
        suffix = next((s for s in suffixes if name.endswith(s)), None)
        if suffix is None:
            continue
        docname = filename.removesuffix(suffix)
        if not docname:
            continue
        if docname in docnames:
            files = [str(f.relative_to(project.srcdir))
                     for f in project.srcdir.glob(f"{docname}.*")]
            logger.warning(__('multiple files found for the document "%s": %s\n'
                              "Use %r for the build."), docname, ", ".join(files),
                           project.doc2path(docname, absolute=True), once=True)
        elif os.access(f"{srcdir}/{filename}", os.R_OK):
            docnames.add(docname)
            by_name[docname] = filename
        else:
            logger.warning(__("Ignored unreadable document %r."), filename, location=docname)
    return docnames


class ScanningProject(Project):
    """Sphinx's project with :func:`discover`; pickled as Sphinx's, with its
    paths as strings.

    Every build discovers the documents again (and makes its map anew), so
    the map a saved environment brings is used only until then: by the
    check for outdated pages (:func:`outdated_pages`, which takes strings)
    and by ``doc2path``, which takes them too. A ``Path`` is slow to unpickle
    (0.1 s for the 11,000 of 10,000 essays, of an edit's 2 s); a string is
    not. The path-to-name map is always empty: ``path2doc`` finds a
    document's name from its suffix, as it does for any file.
    """

    def discover(self, exclude_paths: Iterable[str] = (),
                 include_paths: Iterable[str] = ("**",)) -> set[str]:
        return discover(self, exclude_paths, include_paths)

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        docnames, _, by_name = _compat.project_maps(self)
        state = {**vars(self), **_compat.project_maps_state(
            docnames, {name: os.fspath(path) for name, path in by_name.items()})}
        return (object.__new__, (Project,), state)


class ScanningEnvironment(BuildEnvironment):
    """Sphinx's environment with :func:`outdated_files`; pickled as Sphinx's."""

    def get_outdated_files(self, config_changed: bool) -> tuple[set[str], set[str], set[str]]:
        if config_changed:
            return super().get_outdated_files(config_changed)
        return outdated_files(self)

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (object.__new__, (BuildEnvironment,), self.__getstate__())


class ScanningHTMLBuilder(StandaloneHTMLBuilder):
    """The ``html`` builder with :func:`outdated_pages` in the usual case,
    and the object inventory written from kept title texts
    (:mod:`kb.inventory`)."""

    @progress_message(__("dumping object inventory"))
    def dump_inventory(self) -> None:
        inventory.dump_inventory(self)

    def get_outdated_docs(self) -> Iterator[str]:
        template_mtime = _compat.unchanged_build_info_time(self)
        if template_mtime is None:
            yield from super().get_outdated_docs()
        else:
            yield from outdated_pages(self, template_mtime)


def use_fast_scans(app: Sphinx) -> None:
    """Give the environment and the ``html`` builder the checks above."""
    if type(app.env) is BuildEnvironment:
        app.env.__class__ = ScanningEnvironment
    if type(app.env.project) is Project:
        app.env.project.__class__ = ScanningProject
    if type(app.builder) is StandaloneHTMLBuilder:
        app.builder.__class__ = ScanningHTMLBuilder
