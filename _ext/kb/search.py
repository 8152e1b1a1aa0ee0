"""Site search with Pagefind instead of Sphinx's ``searchindex.js``.

Sphinx writes one ``searchindex.js`` that every reader downloads whole on
their first search, and it grows with the corpus (about 1.3 MB at 1,000
essays). Pagefind splits its index into chunks and fetches only those a
query needs, so the first search stays small at 10,000 essays (figures in
``bench/SEARCH.md``). This module switches Sphinx's indexer off (no work
spent on an index nobody loads), writes the ``search`` page from
``theme/templates/kb-search.html``, which runs Pagefind in the browser, and
indexes the written site with Pagefind once an HTML build has succeeded:
the whole site, or only the pages this build wrote or removed, beside the
main index (:mod:`kb.pagefind_bundle` says how and why). With
``kb_pagefind = False`` Sphinx's own search is left as it is.

What gets indexed is decided in the HTML: ``theme/furo/page.html`` marks
each document's body with ``data-pagefind-body``, so navigation, footer and
the search page itself stay out; :data:`EXCLUDE_SELECTORS` keeps out the
generated listings (a page listing 10,000 essays would otherwise match
every author's name and be a huge result to fetch), heading anchors and
blocks marked ``no-search`` (such as "How to cite this essay").

Each essay page also carries, as empty elements Pagefind reads
(:func:`essay_search_attrs`), its filters (theme, author and year, by slug
and id so that a filtered search's URL is short and stable) and its
authors' names as a metadata field that ranking weighs
like the title (``kb-search.js``). After indexing, :mod:`kb.search_words`
writes the index's vocabulary beside it, so the search page can refuse
words that are in no page and suggest the nearest ones that are.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from . import pagefind_bundle as bundle
from . import rebuilds, search_words
from .domain import kb_domain
from .state import build_state
from .website import site_builder

logger = logging.getLogger(__name__)

#: The search page's template, in the extension's ``theme/templates/``.
SEARCH_TEMPLATE = "kb-search.html"
#: Elements inside the indexed body that are not the page's own text;
#: ``no-search`` is the class Sphinx's own indexer skips, honoured here too.
EXCLUDE_SELECTORS = (".kb-listing", ".headerlink", ".no-search")
#: Beside the doctrees: the main index's page ids (a cache, see MainPages).
MAIN_PAGES_CACHE = "kb-pagefind-main.json"


def disable_sphinx_index(app: Sphinx) -> None:
    """No ``searchindex.js``: the reader's first search must load only Pagefind."""
    builder = site_builder(app)
    if builder is not None and app.config.kb_pagefind:
        builder.search = False


def search_page(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Write ``search.html`` ourselves: Sphinx skips it once its indexer is off.

    The page carries the names behind the filters' slugs and ids (themes,
    people), so the filter controls read as words without another request.
    """
    builder = site_builder(app)
    if builder is not None and app.config.kb_pagefind:
        written = Path(builder.get_outfilename("search"))
        if rebuilds.is_current(app, "search-page") and written.is_file():
            return  # no page written or removed: the same names (and templates)
        rebuilds.remember(app, "search-page")
        domain = kb_domain(app.env)
        labels = {
            "theme": {slug: theme.title for slug, theme in sorted(domain.themes.items())},
            "author": {pid: person.name for pid, person in sorted(domain.people.items())},
        }
        yield "search", {"kb_search_labels": labels}, SEARCH_TEMPLATE


def essay_search_attrs(app: Sphinx, pagename: str) -> list[tuple[str, str]]:
    """Pagefind attributes of an essay page: filters and authors' names.

    Only essays have them, so a filter lists essays alone. The year comes
    from the date the staff wrote; an undated essay has no year filter.
    The date, for listing a filter's essays newest first, goes only to the
    headings index (:func:`essay_dates`): a sort key in the main index
    would add 20 kB at 10,000 essays to every search.
    """
    domain = kb_domain(app.env)
    essay = domain.essays.get(pagename)
    if essay is None:
        return []
    attrs = [("data-pagefind-filter", f"theme:{slug}") for slug in essay.theme_slugs]
    attrs += [("data-pagefind-filter", f"author:{pid}") for pid in essay.person_ids]
    if essay.date:
        attrs.append(("data-pagefind-filter", f"year:{essay.date[:4]}"))
    names = [domain.people[pid].name for pid in essay.person_ids if pid in domain.people]
    if names:
        attrs.append(("data-pagefind-meta", "authors:" + "; ".join(names)))
    return attrs


def essay_dates(app: Sphinx) -> dict[str, str]:
    """``{output path: date}`` of the dated essays (paths as in :func:`_note`)."""
    essays = kb_domain(app.env).essays.values()
    if app.builder.name == "html":  # the common case, without a Path per essay
        suffix = app.builder.out_suffix  # type: ignore[attr-defined]
        return {essay.docname + suffix: essay.date for essay in essays if essay.date}
    outdir = Path(app.outdir)
    return {
        Path(app.builder.get_outfilename(essay.docname))  # type: ignore[attr-defined]
        .relative_to(outdir).as_posix(): essay.date
        for essay in essays if essay.date
    }


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: object) -> None:
    """Hand ``theme/furo/page.html`` the essay's Pagefind attributes."""
    if site_builder(app) is not None and app.config.kb_pagefind:
        context["kb_pagefind_attrs"] = essay_search_attrs(app, pagename)


def main_pages(app: Sphinx) -> bundle.MainPages:
    return bundle.MainPages(Path(app.outdir), Path(app.doctreedir) / MAIN_PAGES_CACHE)


def _note(app: Sphinx, docname: str) -> None:
    """Record a page written or removed, as an output path (relative, posix).

    At the first one, the manifest is taken off the disk (and kept in
    memory): a build that stops before Pagefind runs leaves none, so the
    next build indexes the whole site instead of missing this one's pages.
    """
    builder = site_builder(app)
    if builder is None or not app.config.kb_pagefind:
        return
    build = build_state(app)
    changed = build.changed_pages
    if changed is None:
        outdir = Path(app.outdir)
        build.manifest = bundle.Manifest.load(outdir)
        (outdir / bundle.MAIN_DIR / bundle.MANIFEST).unlink(missing_ok=True)
        changed = build.changed_pages = set()
    path = Path(builder.get_outfilename(docname))
    changed.add(path.relative_to(app.outdir).as_posix())


def note_written(app: Sphinx, doctree: object, docname: str) -> None:
    """A page was written: the search index is out of date for it."""
    _note(app, docname)


def note_page(app: Sphinx, pagename: str) -> None:
    """A page that is not a document was written or deleted (:mod:`kb.paging`'s parts)."""
    _note(app, pagename)


def note_removed(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                 removed: set[str]) -> list[str]:
    for docname in removed:
        _note(app, docname)
    return []


def run_pagefind(app: Sphinx, exception: BaseException | None) -> None:
    """Index what this build changed; a failure is a warning, so ``-W`` stops the build.

    A build that wrote and removed nothing costs no indexing; one that
    changed few pages indexes only those, beside the main index.
    """
    if exception is not None or site_builder(app) is None or not app.config.kb_pagefind:
        return
    outdir = Path(app.outdir)
    build = build_state(app)
    changed, manifest = build.changed_pages, build.manifest
    build.changed_pages = build.manifest = None  # taken: the next build starts afresh
    if changed is None:
        manifest = bundle.Manifest.load(outdir)
    indexed = bundle.page_count(outdir)
    shard_pages = app.config.kb_pagefind_shard_pages
    # Shards as the setting cuts the main index's pages (it may have changed).
    as_set = len(bundle.main_bundles(outdir)) == bundle.shard_count(indexed, shard_pages)
    if changed is None:  # nothing written or removed
        if manifest is not None and indexed and as_set:
            return  # and the index is whole: nothing to do
        changed = set()
    executable = bundle.find_pagefind()
    if executable is None:
        logger.warning(
            "site search needs Pagefind, which is not installed: run "
            "'pip install -r requirements.txt' (or set kb_pagefind = False in conf.py)",
            type="kb", subtype="search",
        )
        return
    (outdir / "searchindex.js").unlink(missing_ok=True)  # left by older builds
    recent = set(manifest.pages) | changed if manifest else changed
    limit = app.config.kb_pagefind_recent_limit * indexed
    whole = manifest is None or not indexed or not as_set or len(recent) > limit
    logger.info("indexing %s for search with Pagefind... ",
                "the site" if whole else "the pages written", nonl=True)
    try:
        if whole:
            count = bundle.index_all(executable, outdir, EXCLUDE_SELECTORS, main_pages(app),
                                     shard_pages)
            search_words.write_main(outdir, executable, essay_dates(app))
        else:
            assert manifest is not None  # not whole
            count, segment = bundle.index_recent(executable, outdir, EXCLUDE_SELECTORS,
                                                 changed, manifest, main_pages(app))
            search_words.write(outdir, segment, executable, essay_dates(app))
    except bundle.PagefindError as error:
        (outdir / bundle.MAIN_DIR / bundle.MANIFEST).unlink(missing_ok=True)  # start afresh
        logger.info("failed")
        logger.warning("Pagefind could not index %s (%s)", outdir, error,
                       type="kb", subtype="search")
        return
    logger.info("done (%d page%s%s)", count, "" if count == 1 else "s",
                "" if whole else f"; {indexed} in the main index")
