"""Nothing lost: every essay file becomes one page that readers can find.

Essays are orphans reached only through generated listings, so a bug or a
stale incremental build could drop one without any error. Three stages:

* before Sphinx looks for documents (``config-inited``): files in the
  essays, people and themes folders that cannot become exactly one page (two
  files with one name, a ``.txt`` essay, an essay in a sub-folder) are
  reported and the extra ones left out, so Sphinx builds one page each;
* before reading (``env-before-read-docs``): a page that is not UTF-8 is
  reported with the line and still read, its bad bytes shown as U+FFFD;
* after an HTML build (``build-finished``): output files of documents that
  no longer exist are deleted and words no page has any more are dropped
  from ``searchindex.js`` (Sphinx leaves both, so an incremental build
  would differ from a fresh one), then every essay is
  checked to have its page, to be reachable from the home page within
  :data:`MAX_CLICKS` clicks, to be listed on each of its themes' and
  authors' pages, and to be in every search index the build wrote. A miss
  is a warning naming the essay, so ``-W`` stops the build.

The checks read the written HTML (only listing pages, never essays) and
cost O(essays). :func:`report_missing_from_pdf` is the same check for a PDF.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from ._compat import js_index
from .bibcheck import LENIENT_UTF8, not_utf8_message, undecodable_line
from .domain import kb_domain
from .pagefind_bundle import indexed_urls
from .pages import ESSAY, page_kind
from .paging import split_parts
from .search import main_pages

logger = logging.getLogger(__name__)

#: Home page -> essays index -> essay is two; a theme's page reached from
#: the themes index is three.
MAX_CLICKS = 3
#: Files that may sit beside essays without being pages.
ASSET_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf", ".csv", ".bib",
})
_BACKUP = re.compile(r"(~|\.bak|\.swp|\.tmp|\.orig)$", re.IGNORECASE)
_HREF = re.compile(r'href="([^"#?]*)')
_DOCNAMES = re.compile(r'"docnames"\s*:\s*')
_REMOVED = "kb_removed_docs"  # env attribute: docnames whose output must go


def _warn(message: str, location: tuple[str, int | None] | None = None) -> None:
    """``location`` is ``(docname, line)``; other files are named in the message
    (before reading there is no environment to turn a path into a location)."""
    logger.warning(message, location=location, type="kb", subtype="completeness")


# -- before reading -----------------------------------------------------------

def _suffixes(app: Sphinx, config: Config) -> list[str]:
    suffix = config.source_suffix
    found = [suffix] if isinstance(suffix, str) else list(suffix)
    found += [s for s in app.registry.source_suffix if s not in found]
    return found


def check_source_files(app: Sphinx, config: Config) -> None:
    """Two files for one page, essays Sphinx would skip or misfile: say so."""
    srcdir = Path(app.srcdir)
    suffixes = _suffixes(app, config)
    # MyST Markdown is the house format: of two files for one page, it wins.
    preferred = [".md", *(s for s in suffixes if s != ".md")]
    excluded: list[str] = []
    for folder in (config.kb_essays_dir, config.kb_people_dir, config.kb_themes_dir):
        try:
            entries = sorted(os.scandir(srcdir / folder), key=lambda e: e.name)
        except OSError:
            continue
        by_stem: dict[str, list[str]] = {}
        for entry in entries:
            name = entry.name
            if name.startswith(".") or _BACKUP.search(name):
                continue
            suffix = next((s for s in suffixes if name.endswith(s)), None)
            if entry.is_dir():
                nested = [p for s in suffixes for p in Path(entry.path).rglob(f"*{s}")]
                for path in sorted(nested):
                    rel = path.relative_to(srcdir).as_posix()
                    _warn(f"{rel} is in a sub-folder of {folder}/ and is not built: pages "
                          f"must be directly in {folder}/; move it to "
                          f"{folder}/{path.name}")
                    excluded.append(rel)
            elif suffix is not None:
                by_stem.setdefault(name[: -len(suffix)], []).append(suffix)
            elif folder == config.kb_essays_dir and Path(name).suffix.lower() not in \
                    ASSET_SUFFIXES:
                stem = name.rsplit(".", 1)[0]
                _warn(f"{folder}/{name} is not built: only {', '.join(suffixes)} files "
                      f"become pages; if it is an essay, rename it to {folder}/{stem}.md")
        for stem, found in by_stem.items():
            if len(found) < 2:
                continue
            kept, *extra = sorted(found, key=preferred.index)
            for suffix in extra:
                _warn(f"{folder}/{stem}{suffix} and {folder}/{stem}{kept} would both be the "
                      f"page {folder}/{stem}; only {folder}/{stem}{kept} is built: delete "
                      f"{folder}/{stem}{suffix} or give it another file name")
                excluded.append(f"{folder}/{stem}{suffix}")
    if excluded:
        config.exclude_patterns = [*config.exclude_patterns, *excluded]


def check_encoding(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """A page that is not UTF-8 is reported, then read with its bad bytes replaced."""
    encoding = env.settings.get("input_encoding", "utf-8-sig")
    if encoding == LENIENT_UTF8:
        encoding = app.config.source_encoding
    lenient = False
    for docname in docnames:
        try:
            data = env.doc2path(docname).read_bytes()
        except OSError:
            continue
        bad = undecodable_line(data, encoding)
        if bad:
            _warn(not_utf8_message(bad[1]), (docname, bad[0]))
            lenient = True
    if lenient:
        env.settings["input_encoding"] = LENIENT_UTF8


# -- stale output -------------------------------------------------------------

def note_removed(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                 removed: set[str]) -> list[str]:
    """Remember removed documents until their output is deleted (kept in the env)."""
    pending: set[str] = getattr(env, _REMOVED, set())
    pending = (pending | removed) - added
    setattr(env, _REMOVED, pending)
    return []


def remove_stale_output(app: Sphinx, exception: BaseException | None) -> None:
    """Delete pages of documents that no longer exist; Sphinx keeps them."""
    builder = app.builder
    if exception is not None or not isinstance(builder, StandaloneHTMLBuilder) \
            or builder.name not in ("html", "dirhtml"):
        return
    env = app.env
    outdir = Path(builder.outdir)
    current = {Path(builder.get_outfilename(d)) for d in env.found_docs}
    # Parts of long lists (kb.paging) sit beside the pages whose lists they split.
    current |= {Path(builder.get_outfilename(p.pagename)) for _, p in split_parts(app)}
    stale = [Path(builder.get_outfilename(d)) for d in getattr(env, _REMOVED, set())
             if d not in env.found_docs]
    # Pages of the knowledge-base folders hold nothing but documents, so
    # whatever is there and is not a current document is stale, even after
    # a build with a fresh environment ("-E") or a failed one.
    for folder in (app.config.kb_essays_dir, app.config.kb_people_dir,
                   app.config.kb_themes_dir):
        if (outdir / folder).is_dir():
            stale += [p for p in (outdir / folder).rglob(f"*{builder.out_suffix}")
                      if p not in current]
    sources = outdir / "_sources"
    for page in stale:
        if page in current or not page.is_file():
            continue
        page.unlink()
        _remove_if_empty(page.parent, outdir)
        docname = _docname_of(builder, outdir, page)
        for suffix in _suffixes(app, app.config):
            (sources / f"{docname}{suffix}{app.config.html_sourcelink_suffix}").unlink(
                missing_ok=True)
    setattr(env, _REMOVED, set())


def prune_search_index(app: Sphinx, exception: BaseException | None) -> None:
    """Drop words no page has any more from ``searchindex.js``.

    On an incremental build Sphinx removes a re-read page from every word's
    list but keeps the word, with an empty list: an edit that is reverted
    leaves its words in the index, which then differs from a fresh build's.
    """
    path = Path(app.outdir) / "searchindex.js"
    if exception is not None or not getattr(app.builder, "search", False) \
            or not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    if '":[]' not in text:  # the common case, and always so after a fresh build
        return
    data = js_index.loads(text)
    for table in ("terms", "titleterms"):
        words = data.get(table, {})
        for word in [w for w, pages in words.items() if pages == []]:
            del words[word]
    pruned = js_index.dumps(data)
    if pruned != text:
        path.write_text(pruned, encoding="utf-8")


def _docname_of(builder: StandaloneHTMLBuilder, outdir: Path, page: Path) -> str:
    rel = page.relative_to(outdir).as_posix()
    if builder.name == "dirhtml" and rel.endswith("/index" + builder.out_suffix):
        return rel[: -len("/index" + builder.out_suffix)]
    return rel[: -len(builder.out_suffix)]


def _remove_if_empty(folder: Path, outdir: Path) -> None:
    while folder != outdir and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


# -- after the build: is every essay where readers look? ----------------------

def _norm(uri: str) -> str:
    """A URI as a plain relative path: no '%xx', './', '../' or trailing '/'."""
    if "%" in uri:
        uri = unquote(uri)
    if "./" in uri or "//" in uri or uri.startswith("."):
        uri = posixpath.normpath(uri)
    return uri.rstrip("/") or "."


class Site:
    """The written HTML site, read lazily: links of a page as docnames (or as
    the page names of the parts of long lists, :mod:`kb.paging`)."""

    def __init__(self, app: Sphinx) -> None:
        self.builder: StandaloneHTMLBuilder = app.builder  # type: ignore[assignment]
        self.env = app.env
        self.uri = {d: self.builder.get_target_uri(d) for d in self.env.found_docs}
        self.parts: dict[str, list[str]] = {}  # docname -> its lists' parts
        for split, part in split_parts(app):
            self.parts.setdefault(split.docname, []).append(part.pagename)
            self.uri[part.pagename] = self.builder.get_target_uri(part.pagename)
        self.by_uri = {_norm(uri): d for d, uri in self.uri.items()}
        self._links: dict[str, set[str]] = {}

    def resolve(self, base: str, href: str) -> str | None:
        """The docname an ``href`` on the page at URI ``base`` points to."""
        if not href or ":" in href or href.startswith("/"):
            return None
        folder = posixpath.dirname(base)
        return self.by_uri.get(_norm(f"{folder}/{href}" if folder else href))

    def links(self, docname: str) -> set[str]:
        """Documents the page links to (each distinct ``href`` resolved once)."""
        if docname not in self._links:
            try:
                html = Path(self.builder.get_outfilename(docname)).read_text(
                    encoding="utf-8", errors="replace")
            except OSError:
                html = ""
            base = self.uri[docname]
            found = {self.resolve(base, href) for href in set(_HREF.findall(html))}
            found.discard(None)
            self._links[docname] = found  # type: ignore[assignment]
        return self._links[docname]

    def listed_on(self, docname: str) -> set[str]:
        """What the page and the parts of its lists link to."""
        found = set(self.links(docname))
        for part in self.parts.get(docname, []):
            found |= self.links(part)
        return found

    def clicks_from_home(self, root: str, expand: Callable[[str], bool]) -> dict[str, int]:
        """Breadth-first from the home page, following links of ``expand`` pages."""
        depth = {root: 0}
        frontier = [root]
        for clicks in range(1, MAX_CLICKS + 1):
            following = []
            for page in frontier:
                if not expand(page):
                    continue
                for target in sorted(self.links(page)):
                    if target not in depth:
                        depth[target] = clicks
                        following.append(target)
            frontier = following
        return depth


def sphinx_search_index(app: Sphinx, site: Site) -> set[str] | None:
    """Docnames in ``searchindex.js``, if Sphinx's indexer wrote it this build."""
    path = Path(app.outdir) / "searchindex.js"
    if not getattr(app.builder, "search", False) or not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    found = _DOCNAMES.search(text)
    if found is None:
        return set()
    # Only the list of documents is decoded, not the whole index (it is large).
    docnames, _ = json.JSONDecoder().raw_decode(text, found.end())
    return set(docnames)


def pagefind_index(app: Sphinx, site: Site) -> set[str] | None:
    """Docnames of pages a Pagefind search can find, if the site has its index."""
    if not getattr(app.config, "kb_pagefind", False):
        return None
    urls = indexed_urls(Path(app.outdir), main_pages(app))
    if urls is None:
        return None
    found = set()
    for url in urls:
        url = url.lstrip("/")
        docname = site.resolve("", url)
        if docname is None and url.endswith("index.html"):  # dirhtml's folders
            docname = site.resolve("", url.removesuffix("index.html") or ".")
        if docname:
            found.add(docname)
    return found


#: ``(name readers know it by, function)``; a function returns None when
#: its index was not written by this build. Add one for another search.
SEARCH_INDEXES: list[tuple[str, Callable[[Sphinx, Site], set[str] | None]]] = [
    ("the search index (searchindex.js)", sphinx_search_index),
    ("the Pagefind search index", pagefind_index),
]


def essay_docnames(app: Sphinx) -> list[str]:
    return sorted(d for d in app.env.found_docs if page_kind(app.config, d) == ESSAY)


def check_completeness(app: Sphinx, exception: BaseException | None) -> None:
    """Warn for every essay a reader could not find; O(essays)."""
    builder = app.builder
    if exception is not None or not isinstance(builder, StandaloneHTMLBuilder) \
            or builder.name not in ("html", "dirhtml"):
        return
    parts: dict[str, list[str]] = {}
    for docname, missing in find_missing(app, parts).items():
        _warn(f"the essay is missing from {'; '.join(missing)}: rebuild from scratch "
              "('make clean html'); if it is still missing, report it to the site's "
              "maintainers", (docname, None))
    for docname, missing in parts.items():
        _warn(f"parts of this page's list are missing: {'; '.join(missing)}: rebuild "
              "from scratch ('make clean html'); if they are still missing, report it "
              "to the site's maintainers", (docname, None))


def find_missing(app: Sphinx, parts: dict[str, list[str]] | None = None
                 ) -> dict[str, list[str]]:
    """For each essay with a problem, where readers would not find it.

    ``parts``, if given, receives the same for the parts of long lists
    (:mod:`kb.paging`), by the page whose list they split.
    """
    env, config = app.env, app.config
    domain = kb_domain(env)
    site = Site(app)
    essays = essay_docnames(app)
    depth = site.clicks_from_home(
        config.root_doc, lambda d: page_kind(config, d) != ESSAY)
    checked = [(name, check, found) for name, check in SEARCH_INDEXES
               if (found := check(app, site)) is not None]
    indexes = [(name, found) for name, _, found in checked]
    if parts is not None:
        parts.update(_missing_parts(app, site, depth, checked))
    missing: dict[str, list[str]] = {}
    for docname in essays:
        where: list[str] = []
        page = app.builder.get_outfilename(docname)  # type: ignore[attr-defined]  # html
        if docname not in env.all_docs or not os.path.isfile(page):
            where.append(f"the site (no page {Path(page).relative_to(app.outdir).as_posix()})")
        essay = domain.essays.get(docname)
        if essay is None:
            where.append("the listings (it was not recorded as an essay)")
        elif depth.get(docname, MAX_CLICKS + 1) > MAX_CLICKS:
            where.append(f"the home page's links (not reachable in {MAX_CLICKS} clicks: "
                         f"is the {{essay-list}} of {config.kb_essays_dir}/index.md there?)")
        if essay is not None:
            for slug in essay.theme_slugs:
                theme = domain.themes.get(slug)
                if theme and docname not in site.listed_on(theme.docname):
                    where.append(f"the theme page {env.doc2path(theme.docname, False)}")
            for person_id in essay.person_ids:
                person = domain.people.get(person_id)
                if person and docname not in site.listed_on(person.docname):
                    where.append(f"the person page {env.doc2path(person.docname, False)}")
        where += [name for name, found in indexes if docname not in found]
        if where:
            missing[docname] = where
    return missing


def _missing_parts(app: Sphinx, site: Site, depth: dict[str, int],
                   checked: list[tuple[str, Callable[[Sphinx, Site], set[str] | None], set[str]]]
                   ) -> dict[str, list[str]]:
    """Parts of long lists (:mod:`kb.paging`) that are not on disk, not
    within reach of the home page or not in a search index, by their list's page."""
    # Sphinx's own searchindex.js indexes documents only.
    indexes = [(name, found) for name, check, found in checked
               if check is not sphinx_search_index]
    missing: dict[str, list[str]] = {}
    for owner, pagenames in site.parts.items():
        for pagename in pagenames:
            where = [name for name, found in indexes if pagename not in found]
            if depth.get(pagename, MAX_CLICKS + 1) > MAX_CLICKS:
                where.insert(0, f"the home page's links (not reachable in {MAX_CLICKS} "
                                "clicks)")
            if not os.path.isfile(app.builder.get_outfilename(pagename)):  # type: ignore[attr-defined]
                where.insert(0, "the site (no page)")
            if where:
                missing.setdefault(owner, []).append(
                    f"{site.uri[pagename]} from {', '.join(where)}")
    return missing


def report_missing_from_pdf(app: Sphinx, included: Iterable[str], pdf: str,
                            theme: str | None = None) -> list[str]:
    """Warn for each essay (of ``theme``, or all) not in the PDF ``pdf``.

    For the LaTeX side: call it with the docnames a PDF actually contains.
    """
    domain = kb_domain(app.env)
    inside = set(included)
    missing = [d for d in essay_docnames(app) if d not in inside and (
        theme is None or (d in domain.essays and theme in domain.essays[d].theme_slugs))]
    for docname in missing:
        _warn(f"the essay is missing from the PDF {pdf}: rebuild from scratch "
              "('make clean latexpdf'); if it is still missing, report it to the site's "
              "maintainers", (docname, None))
    return missing


def setup_completeness(app: Sphinx) -> None:
    app.connect("config-inited", check_source_files, priority=900)
    app.connect("env-before-read-docs", check_encoding)
    app.connect("env-get-outdated", note_removed)
    # Before Pagefind indexes the site (500), and checked after it.
    app.connect("build-finished", remove_stale_output, priority=100)
    app.connect("build-finished", prune_search_index, priority=100)
    app.connect("build-finished", check_completeness, priority=900)
