"""Long generated lists split into parts, so that no page grows with the site.

A list of every cited work with its "Cited by" links, or of every essay
of a theme, a person or the whole knowledge base, grows with the number
of essays (the references page was 11.8 MB at 1,000 essays). On the web
site (``html`` and ``dirhtml`` builders), a list longer than its part size
is split; shorter lists, and every other builder (the PDFs), are left
whole, so a small site looks as before:

* an essay list keeps the latest ``kb_listing_part_size`` essays
  on its own page, followed by links to every year (and "Undated"), each
  year a page of its own beside it (``themes/ios/2019.html``), split into
  numbered pages (``2019-2``) when a year has more essays than a part holds;
* the cited works become a small index of first letters of the first
  author's name, each letter a page of its own (``references/a.html``),
  split into numbered pages (``a-2``) after
  ``kb_references_part_size`` works.

Every part links to its neighbours (previous/next, in furo's footer) and
to every other part of its list, so a reader reaches any part in two
clicks from the home page and any essay in three.

The parts are not documents: they are written with ``html-collect-pages``
from the ``kb`` domain once everything is read. Each part's content is
fingerprinted (its items' records, the names they show, its navigation,
the templates and configuration), kept beside the doctrees, and a part
is written only when its fingerprint changed or its file is missing, so
a citation edit rewrites the part holding the work and nothing else, and a
new essay the parts of its year (unless its year gains a page); and
each item's HTML is kept by a key of what it shows, so a rewritten part
renders only its changed items. A rebuild in which no listed fact changed
(an essay's text edited, say) does not look at the parts at all.
Parts that no longer exist are deleted. Written and removed parts are
reported to the search indexer like documents (:func:`kb.search.note_page`).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
import unicodedata
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from . import rebuilds
from ._compat import app_of
from .citations import bib_entries, sort_key
from .domain import KnowledgeBaseDomain, kb_domain
from .listings import _list, essay_item, work_item
from .models import Essay
from .nodes import kb_listing, kb_pager
from .search import note_page
from .state import build_state
from .website import remove_empty_folders

logger = logging.getLogger(__name__)

#: Builders whose lists are split: sites a browser reads page by page.
SPLIT_BUILDERS = frozenset({"html", "dirhtml"})
#: Beside the doctrees: each part's fingerprint when it was last written.
FINGERPRINTS = "kb-parts.json"
#: Beside the doctrees: each part's items' HTML by item key, one file a part.
ITEMS = "kb-part-items"
#: The rebuild record (:mod:`kb.rebuilds`) of the parts as a whole.
PARTS_RECORD = "list parts"
UNDATED, OTHER = "undated", "other"


@dataclass(frozen=True)
class Part:
    """One page of a split list: a year or letter, page ``page`` of ``pages``."""

    pagename: str
    group: str  # "2019", "undated", "a", "other"
    label: str  # "2019", "Undated", "A", "Other"
    page: int
    pages: int
    items: tuple[str, ...]  # essay docnames or bib keys

    @property
    def name(self) -> str:
        return self.label if self.pages == 1 else f"{self.label} ({self.page} of {self.pages})"


@dataclass
class SplitList:
    """A list too long for one page: what its own page shows, and its parts."""

    docname: str
    kind: str  # "essays" or "references"
    spec: tuple[Any, ...]
    title: str  # the listing page's title
    total: int
    first: tuple[str, ...]  # essays its own page shows (the latest)
    parts: list[Part] = field(default_factory=list)


# -- what is split, and how ----------------------------------------------------

def is_split_builder(app: Sphinx) -> bool:
    return app.builder is not None and app.builder.name in SPLIT_BUILDERS


class Catalogue:
    """The domain's essays and cited works, sorted and grouped once per build."""

    def __init__(self, app: Sphinx) -> None:
        # Weak: the build state that keeps the catalogue is itself kept only
        # while the app lives (a WeakKeyDictionary), and a strong reference
        # back (directly, or through the domain's environment) kept every
        # app of a process alive.
        self._app = weakref.ref(app)
        env = app.env
        domain = kb_domain(env)
        self._domain = weakref.ref(domain)
        self.essays = domain.essays_sorted()
        self.by_theme: dict[str, list[Essay]] = {}
        self.by_person: dict[str, list[Essay]] = {}
        for essay in self.essays:
            for slug in dict.fromkeys(essay.theme_slugs):
                self.by_theme.setdefault(slug, []).append(essay)
            for pid in dict.fromkeys(essay.person_ids):
                self.by_person.setdefault(pid, []).append(essay)
        self._works: list[str] | None = None
        self.cited_by: dict[str, list[str]] = {}
        self.fingerprint: dict[str, str | None] = {}
        self.sort_keys: dict[str, tuple[str, str, str]] = {}
        self._lists: dict[tuple[str, tuple[Any, ...]], SplitList | None] = {}
        self._shown: dict[str, str] = {}

    @property
    def app(self) -> Sphinx:
        app = self._app()
        assert app is not None, "the catalogue outlived its build"
        return app

    @property
    def domain(self) -> KnowledgeBaseDomain:
        domain = self._domain()
        assert domain is not None, "the catalogue outlived its build"
        return domain

    def shown(self, docname: str) -> str:
        """What a list shows of an essay (its record), as a short digest."""
        found = self._shown.get(docname)
        if found is None:
            found = self._shown[docname] = hashlib.blake2b(
                repr(self.domain.essays[docname]).encode(), digest_size=12).hexdigest()
        return found

    def essays_of(self, theme: str | None, person: str | None) -> list[Essay]:
        if theme and person:
            return [e for e in self.by_theme.get(theme, []) if person in e.person_ids]
        if theme:
            return self.by_theme.get(theme, [])
        if person:
            return self.by_person.get(person, [])
        return self.essays

    @property
    def works(self) -> list[str]:
        """Keys of the cited works, in the order of the cited-works list."""
        if self._works is None:
            entries = bib_entries(self.app.env)
            for docname, cited in sorted(self.domain.citations.items()):
                if docname not in self.domain.essays:
                    continue
                for key, fingerprint in cited.items():
                    if fingerprint is not None and key in entries:
                        self.cited_by.setdefault(key, []).append(docname)
                        self.fingerprint[key] = fingerprint
            self.sort_keys = {k: sort_key(entries[k]) for k in self.cited_by}
            self._works = sorted(self.cited_by, key=self.sort_keys.__getitem__)
        return self._works

    def split(self, docname: str, spec: tuple[Any, ...]) -> SplitList | None:
        """How the list ``spec`` on page ``docname`` is split; None if it is not."""
        key = (docname, spec)
        if key not in self._lists:
            self._lists[key] = self._split(docname, spec)
        return self._lists[key]

    def _split(self, docname: str, spec: tuple[Any, ...]) -> SplitList | None:
        kind, theme, person = spec[:3]
        limit = spec[3] if len(spec) > 3 else None
        config = self.app.config
        title = _title(self.app, docname)
        if kind == "essays" and not limit:
            essays = self.essays_of(theme, person)
            size = config.kb_listing_part_size
            if len(essays) <= size:
                return None
            split = SplitList(docname, kind, spec, title, len(essays),
                              tuple(e.docname for e in essays[:size]))
            groups: dict[str, list[str]] = {}
            for essay in essays:
                groups.setdefault(essay.date[:4] if essay.date else UNDATED,
                                  []).append(essay.docname)
            split.parts = _paginate(docname, groups, size)
            return split
        if kind == "references":
            works = self.works
            size = config.kb_references_part_size
            if len(works) <= size:
                return None
            groups = {}
            for key in works:
                groups.setdefault(initial(self.sort_keys[key][0]), []).append(key)
            split = SplitList(docname, kind, spec, title, len(works), ())
            split.parts = _paginate(docname, groups, size)
            return split
        return None

    def all_splits(self) -> list[SplitList]:
        """Every split list of the site, in a stable order."""
        found = []
        for docname, specs in sorted(self.domain.data["listings"].items()):
            if docname not in self.app.env.all_docs:
                continue
            for spec in specs:
                split = self.split(docname, tuple(spec))
                if split is not None:
                    found.append(split)
        return found


def initial(name: str) -> str:
    """The letter a name is filed under: ``"Özdemir"`` under ``o``; digits
    and letters outside a-z under ``other``."""
    for char in unicodedata.normalize("NFKD", name):
        if char.isalnum():
            char = char.casefold()
            return char if "a" <= char <= "z" else OTHER
    return OTHER


def _label(group: str) -> str:
    return {UNDATED: "Undated", OTHER: "Other"}.get(group, group.upper())


def _paginate(docname: str, groups: dict[str, list[str]], size: int) -> list[Part]:
    """Each group in pages of at most ``size`` items: years in the order
    given (newest first, undated last), letters from a to z, "other" last."""
    order = list(groups) if UNDATED in groups or all(g.isdigit() for g in groups) \
        else sorted(groups, key=lambda g: (g == OTHER, g))
    parts = []
    for group in order:
        items = groups[group]
        pages = max(1, -(-len(items) // size))
        for page in range(1, pages + 1):
            slug = group if page == 1 else f"{group}-{page}"
            parts.append(Part(f"{docname}/{slug}", group, _label(group), page, pages,
                              tuple(items[(page - 1) * size: page * size])))
    return parts


def _title(app: Sphinx, docname: str) -> str:
    title = app.env.titles.get(docname)
    return title.astext() if title is not None else docname


def catalogue(app: Sphinx) -> Catalogue:
    """This build's catalogue (made once after reading; the domain is final)."""
    state = build_state(app)
    found = state.catalogue
    if found is None or found.domain is not kb_domain(app.env):
        found = state.catalogue = Catalogue(app)
    return found


def forget_catalogue(app: Sphinx, *args: Any) -> None:
    build_state(app).catalogue = None


def split_parts(app: Sphinx) -> list[tuple[SplitList, Part]]:
    """Every part the site has (for the sitemap and the completeness check)."""
    if not is_split_builder(app):
        return []
    return [(split, part) for split in catalogue(app).all_splits() for part in split.parts]


# -- the listing page itself ------------------------------------------------------

def _uri(app: Sphinx, fromname: str, toname: str) -> str:
    return app.builder.get_relative_uri(fromname, toname)


def pager(app: Sphinx, fromname: str, split: SplitList, current: str | None,
          label: str) -> kb_pager:
    """Links to every part: years, or letters with their numbered pages."""
    links: list[tuple[str, str | None]] = []
    if split.kind == "essays":  # the listing page itself shows the latest essays
        links.append(("Latest", None if current is None
                      else _uri(app, fromname, split.docname)))
    for part in split.parts:
        text = part.label if part.page == 1 else f"{part.label} ({part.page})"
        uri = None if part.pagename == current else _uri(app, fromname, part.pagename)
        links.append((text, uri))
    return kb_pager(links=links, label=label)


def own_page(app: Sphinx, split: SplitList, node: kb_listing) -> list[nodes.Node]:
    """What the listing page shows of a split list."""
    docname = split.docname
    if split.kind == "essays":
        shown = [catalogue(app).domain.essays[d] for d in split.first]
        intro = nodes.paragraph(
            "", f"The latest {len(shown)} of {split.total:,} essays. All of them, by year:",
            classes=["kb-parts-intro"])
        items = [essay_item(e, node.get("person")) for e in shown]
        return [intro, pager(app, docname, split, None, "Essays by year"),
                _list(items, ["kb-essays"], "No essays yet.")]
    intro = nodes.paragraph(
        "", f"{split.total:,} works, in parts by the first letter of the first "
            "author's name:", classes=["kb-parts-intro"])
    return [intro, pager(app, docname, split, None, "Works by first letter")]


class SplitListings(SphinxPostTransform):
    """On the web site, a list too long for one page shows its first part.

    Runs before :class:`~kb.listings.FillListings` (5), which fills the
    lists that are not split.
    """

    default_priority = 4

    def run(self, **kwargs: Any) -> None:
        app = app_of(self.env)
        if not is_split_builder(app):
            return
        docname = self.env.current_document.docname
        for node in list(self.document.findall(kb_listing)):
            spec = (node["kind"], node.get("theme"), node.get("person"), node.get("limit"))
            split = catalogue(app).split(docname, spec)
            if split is not None:
                node.replace_self(own_page(app, split, node))


# -- the parts' pages ----------------------------------------------------------------

def part_page(app: Sphinx, split: SplitList, index: int, keys: list[str],
              cached: dict[str, str]) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The title and body of part ``index`` of ``split``, and the HTML of
    each of its items by item key (``keys``, from :func:`item_keys`).

    An item found in ``cached`` is not made again: a part rewritten because
    one of its hundred works gained a citing essay renders one item, not a
    hundred (bench/README.md, run H).
    """
    part = split.parts[index]
    name = part.pagename
    cat = catalogue(app)
    if split.kind == "essays":
        title = f"{split.title}: {part.name}"
        what = "essays" if len(part.items) != 1 else "essay"
        year = "with no known date" if part.group == UNDATED else f"of {part.group}"
        intro = f"{len(part.items)} {what} {year}, newest first."

        def item(ident: str) -> nodes.list_item:  # an essay's docname
            return essay_item(cat.domain.essays[ident], split.spec[2])
        classes, empty = ["kb-essays"], "No essays yet."
        label = "Essays by year"
    else:
        title = f"{split.title}: {part.name}"
        entries = bib_entries(app.env)
        start = sum(len(p.items) for p in split.parts[:index]) + 1
        end = start + len(part.items) - 1
        intro = (f"Works {start:,} to {end:,}" if end > start else f"Work {start:,}") + \
            f" of {split.total:,}, by first author."
        style = app.config.bibtex_default_style

        def item(ident: str) -> nodes.list_item:  # a work's key
            return work_item(entries[ident], ident,
                             cat.domain.essays_sorted(cat.cited_by[ident]), style)
        classes, empty = ["kb-works"], "No works cited yet."
        label = "Works by first letter"
    # Items already made stand in as a marker, the rest are made here.
    body_list = _list([_placeholder(i) if k in cached else item(it)
                       for i, (k, it) in enumerate(zip(keys, part.items, strict=True))],
                      classes, empty)
    section = nodes.section(ids=["kb-part"], classes=["kb-part"])
    section += nodes.title("", title)
    back = nodes.paragraph(classes=["kb-parts-intro"])
    back += nodes.Text(intro + " Part of ")
    back += nodes.reference("", split.title, refuri=_uri(app, name, split.docname),
                            internal=True)
    back += nodes.Text(".")
    section += back
    section += pager(app, name, split, name, label)
    section += body_list
    _resolve(app, name, section)
    builder: StandaloneHTMLBuilder = app.builder  # type: ignore[assignment]
    # A part is not a document: no section or figure numbers (set by Sphinx
    # only while it writes a document, so unset in a build that wrote none).
    builder.secnumbers, builder.fignumbers = {}, {}
    body, items = _fill(builder.render_partial(section)["fragment"], keys, cached)
    context: dict[str, Any] = {"title": html.escape(title), "body": body, "toc": "",
                               "display_toc": False, "metatags": "", "sourcename": "",
                               "page_source_suffix": "", "parents": [], "rellinks": []}
    for rel, neighbour in (("prev", index - 1), ("next", index + 1)):
        if 0 <= neighbour < len(split.parts):
            other = split.parts[neighbour]
            context[rel] = {"link": _uri(app, name, other.pagename),
                            "title": html.escape(f"{split.title}: {other.name}")}
    if index == 0 and split.kind == "essays":
        context["prev"] = {"link": _uri(app, name, split.docname),
                           "title": html.escape(f"{split.title}: latest")}
    return title, context, items


# -- the items of parts, made once ----------------------------------------------------

_MARK = "<!--kb-item:{}-->"
#: A list item's start or end tag, at any depth.
_LI = re.compile(r"<li[\s>]|</li>")


def _placeholder(index: int) -> nodes.list_item:
    """An item whose HTML is known: one paragraph, as every item has, so
    the list is as compact as it would be."""
    return nodes.list_item("", nodes.paragraph(
        "", "", nodes.raw("", _MARK.format(index), format="html")))


def _top_items(fragment: str, start: int) -> list[tuple[int, int]]:
    """(start, end) of each item of the list opening at ``start``, nested
    lists inside items included (docutils escapes ``<`` in text)."""
    spans, depth, begin = [], 0, 0
    end_of_list = fragment.index("</ul>", start)
    for match in _LI.finditer(fragment, start):
        if depth == 0 and match.start() > end_of_list:
            break
        if match.group() == "</li>":
            depth -= 1
            if depth == 0:
                end = match.end() + (fragment[match.end()] == "\n")
                spans.append((begin, end))
                end_of_list = fragment.index("</ul>", end)
        else:
            if depth == 0:
                begin = match.start()
            depth += 1
    return spans


def _fill(fragment: str, keys: list[str], cached: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The part's HTML with every marker replaced by its item, and every
    item's HTML by key."""
    items: dict[str, str] = {}
    start = fragment.find('<ul class="kb-listing')
    if start < 0:
        return fragment, items
    spans = _top_items(fragment, start)
    out, at = [], 0
    for key, (begin, end) in zip(keys, spans, strict=True):
        out.append(fragment[at:begin])
        made = cached[key] if key in cached else fragment[begin:end]
        items[key] = made
        out.append(made)
        at = end
    out.append(fragment[at:])
    return "".join(out), items


def item_keys(cat: Catalogue, split: SplitList, index: int, signature: str) -> list[str]:
    """A key per item of the part, changing whenever the item's HTML would:
    what it shows (the essay's record; the work's entry and the records of
    the essays citing it), the page its links start from, the signature."""
    part = split.parts[index]
    where = (split.docname, split.spec[2], signature)
    if split.kind == "essays":
        shown: Any = [cat.shown(d) for d in part.items]
    else:
        shown = [(key, cat.fingerprint.get(key), [cat.shown(d) for d in cat.cited_by[key]])
                 for key in part.items]
    return [hashlib.blake2b(repr((where, item)).encode(), digest_size=16).hexdigest()
            for item in shown]


def _items_file(app: Sphinx, pagename: str) -> Path:
    return Path(app.doctreedir, ITEMS, pagename + ".json")


def _read_items(app: Sphinx, pagename: str) -> dict[str, str]:
    try:
        found = json.loads(_items_file(app, pagename).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write_items(app: Sphinx, pagename: str, items: dict[str, str]) -> None:
    path = _items_file(app, pagename)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(items), encoding="utf-8")
    except OSError:
        pass  # only a cache: the items are made again next time


def _resolve(app: Sphinx, fromname: str, tree: nodes.Element) -> None:
    """Links to essays, people and themes, as the references resolver makes
    them for documents; an unknown target (reported where it was written)
    stays plain text."""
    domain: KnowledgeBaseDomain = kb_domain(app.env)
    for xref in list(tree.findall(addnodes.pending_xref)):
        content = xref[0] if len(xref) else nodes.inline("", xref["reftarget"])
        found = domain.resolve_xref(app.env, fromname, app.builder, xref["reftype"],
                                    xref["reftarget"], xref, content)  # type: ignore[arg-type]
        xref.replace_self(found if found is not None else content)


@functools.cache
def _code() -> str:
    """A digest of this extension's code: a part or item made by other code
    is made again (a changed item renderer, say), as a fresh build would."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _signature(app: Sphinx) -> str:
    """What every part shows besides its items: names, templates, settings,
    and the code that makes them."""
    builder = app.builder
    domain = kb_domain(app.env)
    info = getattr(builder, "build_info", None)
    templates = getattr(builder, "templates", None)
    return hashlib.sha256(repr((
        _code(), builder.name,
        sorted((k, repr(v)) for k, v in domain.people.items()),
        sorted((k, repr(v)) for k, v in domain.themes.items()),
        getattr(info, "config_hash", ""), getattr(info, "tags_hash", ""),
        templates.newest_template_mtime() if templates is not None else 0,
        app.config.bibtex_default_style,
    )).encode()).hexdigest()


def _fingerprint(split: SplitList, index: int, keys: list[str]) -> str:
    """What part ``index`` shows. An essay part shows no count of the whole
    list, so a new essay rewrites the parts of its year, not every part; a
    part of the works shows its works' numbers ("Works 201 to 300 of 3,000")."""
    navigation = [(p.pagename, p.label, p.page, p.pages) for p in split.parts]
    numbers = () if split.kind == "essays" else (
        split.total, sum(len(p.items) for p in split.parts[:index]))
    return hashlib.sha256(repr((
        split.title, index, keys, navigation, numbers,
    )).encode()).hexdigest()


def collect_parts(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: write the parts that changed, delete the gone."""
    if not is_split_builder(app):
        return
    store = Path(app.doctreedir) / FINGERPRINTS
    try:
        known: dict[str, str] = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    builder: StandaloneHTMLBuilder = app.builder  # type: ignore[assignment]
    signature = _signature(app)
    if _unchanged(app, signature, known):
        return
    store.unlink(missing_ok=True)  # a build stopped half-way writes all again
    cat = catalogue(app)
    written: dict[str, str] = {}
    for split in cat.all_splits():
        for index, part in enumerate(split.parts):
            if part.pagename in app.env.all_docs:
                logger.warning("the list on this page has a part %s, which is also a "
                               "page of its own: rename %s", part.pagename,
                               app.env.doc2path(part.pagename, False),
                               location=split.docname, type="kb", subtype="paging")
                continue
            keys = item_keys(cat, split, index, signature)
            fingerprint = written[part.pagename] = _fingerprint(split, index, keys)
            outfile = Path(builder.get_outfilename(part.pagename))
            if known.get(part.pagename) == fingerprint and outfile.is_file():
                continue
            _, context, items = part_page(app, split, index, keys,
                                          _read_items(app, part.pagename))
            _write_items(app, part.pagename, items)
            note_page(app, part.pagename)
            rebuilds.note_page(app, part.pagename)
            yield part.pagename, context, "page.html"
    for pagename in sorted(set(known) - set(written)):
        outfile = Path(builder.get_outfilename(pagename))
        if outfile.is_file():
            note_page(app, pagename)
            rebuilds.note_page(app, pagename)
            outfile.unlink()
            remove_empty_folders(outfile.parent, Path(app.outdir))
        _items_file(app, pagename).unlink(missing_ok=True)
    build_state(app).parts_written = (store, written)
    rebuilds.remember(app, PARTS_RECORD, _parts_key(app, signature))


def _unchanged(app: Sphinx, signature: str, known: dict[str, str]) -> bool:
    """Whether every part is as the last build left it, so that none need
    be fingerprinted (which sorts every essay and cited work).

    It is when, since the parts were last made, no page was written or
    removed, or only pages were written whose records and citations (what
    lists show of them, :func:`kb.listings.pages_to_rewrite`) are as they
    were; and the lists, their pages' titles, the names, templates and
    settings are the same, and every part is on disk (bench/README.md, run H).
    """
    key = _parts_key(app, signature)
    if not rebuilds.is_current(app, PARTS_RECORD, key) and not (
            rebuilds.was_current(app, PARTS_RECORD, key) and not rebuilds.removed_any(app)
            and not build_state(app).facts_changed):
        return False
    builder: StandaloneHTMLBuilder = app.builder  # type: ignore[assignment]
    if not all(Path(builder.get_outfilename(name)).is_file() for name in known):
        return False
    rebuilds.remember(app, PARTS_RECORD, key)
    build_state(app).parts_unchanged = True
    return True


def _parts_key(app: Sphinx, signature: str) -> str:
    """The lists on every page, and those pages' titles, with the signature."""
    listings = kb_domain(app.env).data["listings"]
    return hashlib.sha256(repr((
        signature, sorted(listings.items()), [_title(app, d) for d in sorted(listings)],
    )).encode()).hexdigest()


def save_fingerprints(app: Sphinx, exception: BaseException | None) -> None:
    """Record what was written, once the pages are on disk."""
    state = build_state(app)
    pending, state.parts_written = state.parts_written, None
    if pending is not None and exception is None:
        store, written = pending
        store.write_text(json.dumps(written, sort_keys=True, indent=0), encoding="utf-8")


def setup_paging(app: Sphinx) -> None:
    app.add_post_transform(SplitListings)
