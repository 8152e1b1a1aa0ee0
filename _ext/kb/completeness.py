"""Nothing lost: every essay is where readers look for it.

Essays are orphans reached only through generated listings, so a bug or a
stale incremental build could drop one without any error. After an HTML
build (``build-finished``, after Pagefind has indexed the site) every essay
is checked to have its page, to be reachable from the home page within
:data:`MAX_CLICKS` clicks, to be listed on each of its themes' and
authors' pages, and to be in every search index the build wrote. A miss
is a warning naming the essay, so ``-W`` stops the build.

The check reads the written HTML (only listing pages, never essays, see
``site_links.py``) and costs O(essays). The other guards against a lost
essay are ``source_files.py`` (files that cannot become one page),
``encoding.py`` (pages that are not UTF-8), ``stale_output.py`` and
``searchindex.py`` (output an incremental build would keep), and
``pdf_completeness.py`` (the same check for a PDF).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from . import rebuilds
from .domain import kb_domain
from .pagefind_bundle import indexed_urls
from .pages import ESSAY, page_kind
from .search import main_pages
from .site_links import Site
from .website import site_builder

logger = logging.getLogger(__name__)

#: Home page -> essays index -> essay is two; a theme's page reached from
#: the themes index is three.
MAX_CLICKS = 3
_DOCNAMES = re.compile(r'"docnames"\s*:\s*')


def sphinx_search_index(app: Sphinx, site: Site, only: set[str] | None = None) -> set[str] | None:
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


def pagefind_index(app: Sphinx, site: Site, only: set[str] | None = None) -> set[str] | None:
    """Docnames of pages a Pagefind search can find (of ``only``, when given),
    if the site has its index."""
    if not getattr(app.config, "kb_pagefind", False):
        return None
    urls = indexed_urls(Path(app.outdir), main_pages(app))
    if urls is None:
        return None
    if only is not None:  # their URLs, not every indexed one resolved
        outdir = Path(app.outdir)
        return {docname for docname in only if "/" + Path(
            site.builder.get_outfilename(docname)).relative_to(outdir).as_posix() in urls}
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
#: its index was not written by this build, else the documents it finds
#: (of those given, when it is given some). Add one for another search.
SEARCH_INDEXES: list[tuple[str, Callable[[Sphinx, Site, set[str] | None], set[str] | None]]] = [
    ("the search index (searchindex.js)", sphinx_search_index),
    ("the Pagefind search index", pagefind_index),
]


def essay_docnames(app: Sphinx) -> list[str]:
    return sorted(d for d in app.env.found_docs if page_kind(app.config, d) == ESSAY)


def check_completeness(app: Sphinx, exception: BaseException | None) -> None:
    """Warn for every essay a reader could not find; O(essays)."""
    if exception is not None or site_builder(app) is None:
        return
    if rebuilds.is_current(app, "completeness"):
        return  # checked clean, and no page written or removed since
    # Clean when the build began, and only essay pages written (no part of
    # a long list either, kb.paging): listings, links and the home page are
    # as checked, so only those essays can miss.
    only = None
    if rebuilds.was_current(app, "completeness") and not rebuilds.removed_any(app):
        written = rebuilds.written(app)
        if all(page_kind(app.config, d) == ESSAY for d in written):
            only = written
    parts: dict[str, list[str]] = {}
    missing = find_missing(app, only, parts)
    if not missing and not parts:
        rebuilds.remember(app, "completeness")
    for docname, missing_from in missing.items():
        logger.warning(
            f"the essay is missing from {'; '.join(missing_from)}: rebuild from scratch "
            "('make clean html'); if it is still missing, report it to the site's "
            "maintainers", location=(docname, None), type="kb", subtype="completeness")
    for docname, gone in parts.items():
        logger.warning(
            f"parts of this page's list are missing: {'; '.join(gone)}: rebuild "
            "from scratch ('make clean html'); if they are still missing, report it "
            "to the site's maintainers", location=(docname, None), type="kb",
            subtype="completeness")


def find_missing(app: Sphinx, only: set[str] | None = None,
                 parts: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """For each essay with a problem, where readers would not find it.

    With ``only``, just those essays, and neither links nor listings (the
    caller knows no page linking to an essay changed). ``parts``, if given
    (and not ``only``), receives the same for the parts of long lists
    (:mod:`kb.paging`), by the page whose list they split.
    """
    env, config = app.env, app.config
    domain = kb_domain(env)
    site = Site(app, parts=only is None)  # with ``only``, no part is checked
    if only is None:
        essays = essay_docnames(app)
        depth = site.clicks_from_home(
            config.root_doc, lambda d: page_kind(config, d) != ESSAY, MAX_CLICKS)
    else:
        essays = sorted(d for d in only if d in env.found_docs)
        depth = dict.fromkeys(essays, 0)
    wanted = None if only is None else set(essays)  # None: every document
    checked = [(name, check, found) for name, check in SEARCH_INDEXES
               if (found := check(app, site, wanted)) is not None]
    indexes = [(name, found) for name, _, found in checked]
    if parts is not None and only is None:
        parts.update(_missing_parts(app, site, depth, checked))
    missing: dict[str, list[str]] = {}
    for docname in essays:
        where: list[str] = []
        page = site.builder.get_outfilename(docname)
        if docname not in env.all_docs or not os.path.isfile(page):
            where.append(f"the site (no page {Path(page).relative_to(app.outdir).as_posix()})")
        essay = domain.essays.get(docname)
        if essay is None:
            where.append("the listings (it was not recorded as an essay)")
        elif depth.get(docname, MAX_CLICKS + 1) > MAX_CLICKS:
            where.append(f"the home page's links (not reachable in {MAX_CLICKS} clicks: "
                         f"is the {{essay-list}} of {config.kb_essays_dir}/index.md there?)")
        if essay is not None and only is None:
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
    site.keep()
    return missing


def _missing_parts(app: Sphinx, site: Site, depth: dict[str, int],
                   checked: list[tuple[str, Callable[[Sphinx, Site, set[str] | None],
                                                     set[str] | None], set[str]]]
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
            if not os.path.isfile(site.builder.get_outfilename(pagename)):
                where.insert(0, "the site (no page)")
            if where:
                missing.setdefault(owner, []).append(
                    f"{site.uri[pagename]} from {', '.join(where)}")
    return missing
