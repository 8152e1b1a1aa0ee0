"""Feeds for scholarly aggregators: full text, ORCID, licence; one per theme and person.

Rogue Scholar and similar services register DOIs for posts whose feed
carries the full text, the authors with their ORCID and a licence. Every
essay entry (of the site's ``atom.xml``, made by :mod:`kb.feed`, and of
the feeds below) gets, through the ``kb-feed-entry`` event:

* ``<content type="html">``: the essay as its page shows it, with
  ``xml:base`` set to the page so its relative links resolve;
* each author's ``<uri>`` the ORCID iD where the person page has one;
* ``<rights>`` and ``<link rel="license">`` (RFC 4946) for the licence,
  ``<link rel="related">`` to the DOI, and ``<updated>`` the last commit
  touching the essay (:mod:`kb.gitdates`) when that is later.

Each theme page and each person page gets its own Atom feed beside it
(``themes/<slug>.xml``, ``people/<id>.xml``), linked from the page's head
with ``<link rel="alternate">``. A feed is rewritten only when what it
shows changed (its essays, their pages, titles or authors), so an edit
rewrites a few feeds, not one per person.

The essays' HTML is kept when their pages are written (in the doctree
folder, not published), because an incremental build writes only the
pages that changed and the feeds must still hold every essay.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from . import rebuilds
from .domain import kb_domain
from .essaymeta import ORCID_URL, EssayMeta, doi_url, essay_meta
from .feed import FEED_TYPE, _sub, atom_document
from .models import Essay
from .website import base_url, site_builder

logger = logging.getLogger(__name__)

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
FULLTEXT = "kb-fulltext"  # folder in the doctree directory
SIGNATURES = "kb-feeds.json"  # each feed's signature and the essays it holds


def _fulltext_path(app: Sphinx, docname: str) -> Path:
    return Path(app.doctreedir, FULLTEXT, docname + ".html")


def keep_fulltext(app: Sphinx, pagename: str, templatename: str,
                  context: dict[str, Any], doctree: nodes.document | None) -> None:
    """Save the essay's rendered body for the feeds (essay pages only)."""
    if site_builder(app) is None or pagename not in kb_domain(app.env).essays:
        return
    path = _fulltext_path(app, pagename)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(context.get("body", ""), encoding="utf-8")


def enrich_entry(app: Sphinx, essay: Essay, entry: ET.Element) -> None:
    """Add what scholarly aggregators need to one essay's ``<entry>``."""
    meta = essay_meta(app, essay, cited=False)
    updated = entry.find("updated")
    if meta.updated and (updated is None or (updated.text or "") < meta.updated):
        if updated is None:
            updated = _sub(entry, "updated")
        updated.text = meta.updated
    by_name = {a.name.text: a for a in meta.authors}
    for author in entry.findall("author"):
        known = by_name.get(author.findtext("name") or "")
        uri = author.find("uri")
        if known is not None and known.orcid:
            if uri is None:
                uri = _sub(author, "uri")
            uri.text = ORCID_URL + known.orcid
    if meta.doi:
        _sub(entry, "link", rel="related", type="text/html", title="DOI",
             href=doi_url(meta.doi))
    if meta.licence is not None:
        if meta.licence.url:
            _sub(entry, "link", rel="license", type="text/html", href=meta.licence.url)
        _sub(entry, "rights", meta.licence.name, type="text")
    if meta.summary and entry.find("summary") is None:
        _sub(entry, "summary", meta.summary, type="text")
    body = _fulltext_path(app, essay.docname)
    if body.is_file() and entry.find("content") is None:
        content = _sub(entry, "content", body.read_text(encoding="utf-8"), type="html")
        if meta.url:
            content.set(XML_BASE, meta.url)


def _entry(app: Sphinx, meta: EssayMeta, essay: Essay) -> ET.Element:
    entry = ET.Element("entry")
    _sub(entry, "title", meta.title, type="text")
    _sub(entry, "link", rel="alternate", type="text/html", href=meta.url)
    _sub(entry, "id", meta.url)
    if meta.date:
        _sub(entry, "published", f"{meta.date}T00:00:00Z")
    when = meta.updated or (f"{meta.date}T00:00:00Z" if meta.date else None)
    if when:
        _sub(entry, "updated", when)
    for author in meta.authors:
        element = _sub(entry, "author")
        _sub(element, "name", author.name.text)
        if author.orcid or author.page:
            _sub(element, "uri", ORCID_URL + author.orcid if author.orcid else author.page)
    themes = kb_domain(app.env).themes
    for slug in essay.theme_slugs:
        _sub(entry, "category", term=slug,
             label=themes[slug].title if slug in themes else slug)
    for tag in meta.tags:
        _sub(entry, "category", term=tag)
    if meta.description:
        _sub(entry, "summary", meta.description, type="text")
    enrich_entry(app, essay, entry)
    return entry


def topic_feed(app: Sphinx, title: str, docname: str, essays: list[Essay]) -> bytes:
    """The Atom feed of one theme's or person's essays, newest first."""
    base = base_url(app.config)
    page = base + app.builder.get_target_uri(docname)
    entries = [_entry(app, essay_meta(app, e, cited=False), e)
               for e in essays[: app.config.kb_feed_limit]]
    return atom_document(app, f"{app.config.project}: {title}", base + docname + ".xml",
                         page, page, entries)


def topic_pages(app: Sphinx) -> list[str]:
    """The page of every theme and person, in feed order."""
    domain = kb_domain(app.env)
    return [*(t.docname for t in sorted(domain.themes.values(), key=lambda t: t.slug)),
            *(p.docname for p in sorted(domain.people.values(), key=lambda p: p.id))]


def topic_titles(app: Sphinx) -> dict[str, str]:
    """Each theme's and person's page: the title of its feed."""
    domain = kb_domain(app.env)
    return {**{t.docname: t.title for t in domain.themes.values()},
            **{p.docname: p.name for p in domain.people.values()}}


def topics(app: Sphinx, only: set[str] | None = None) -> list[tuple[str, str, list[Essay]]]:
    """(feed title, page docname, essays) for every theme and person (or
    those whose page is in ``only``).

    One pass over the essays (not one per theme and person: there are
    about a tenth as many people as essays); with ``only``, the essays of
    those themes and people alone are sorted.
    """
    if only is not None and not only:
        return []
    domain = kb_domain(app.env)
    themes = {t.slug for t in domain.themes.values() if only is None or t.docname in only}
    people = {p.id for p in domain.people.values() if only is None or p.docname in only}
    if only is None:
        essays = domain.essays_sorted()
    else:
        essays = domain.essays_sorted(
            docname for docname, essay in domain.essays.items()
            if not themes.isdisjoint(essay.theme_slugs)
            or not people.isdisjoint(essay.person_ids))
    by_theme: dict[str, list[Essay]] = {}
    by_person: dict[str, list[Essay]] = {}
    for essay in essays:
        for slug in dict.fromkeys(essay.theme_slugs):
            by_theme.setdefault(slug, []).append(essay)
        for pid in dict.fromkeys(essay.person_ids):
            by_person.setdefault(pid, []).append(essay)
    out = []
    for theme in sorted(domain.themes.values(), key=lambda t: t.slug):
        if theme.slug in themes:
            out.append((theme.title, theme.docname, by_theme.get(theme.slug, [])))
    for person in sorted(domain.people.values(), key=lambda p: p.id):
        if person.id in people:
            out.append((person.name, person.docname, by_person.get(person.id, [])))
    return out


def _signature(app: Sphinx, title: str, essays: list[Essay], shown: dict[str, str]) -> str:
    """Changes whenever the feed's text would: its essays, their pages, names.

    ``shown`` keeps what each essay contributes, for the other feeds of the
    same build that hold it (an essay is in its themes' and authors' feeds).
    """
    parts: list[Any] = [title, base_url(app.config), app.config.kb_feed_limit]
    for essay in essays[: app.config.kb_feed_limit]:
        part = shown.get(essay.docname)
        if part is None:
            part = shown[essay.docname] = _essay_part(app, essay)
        parts.append(part)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _essay_part(app: Sphinx, essay: Essay) -> str:
    """What one essay contributes to a feed's signature."""
    domain = kb_domain(app.env)
    try:
        stamp = _fulltext_path(app, essay.docname).stat().st_mtime_ns
    except OSError:
        stamp = 0
    names = [domain.people[p].name if p in domain.people else p for p in essay.person_ids]
    orcids = [domain.people[p].orcid if p in domain.people else None for p in essay.person_ids]
    themes = [domain.themes[t].title if t in domain.themes else t for t in essay.theme_slugs]
    return json.dumps([essay.docname, repr(essay), stamp, names, orcids, themes], default=str)


def essay_pages_only(app: Sphinx, name: str) -> set[str] | None:
    """The pages this build wrote, when ``name`` was up to date before it and
    they are all essays (their text changed, not what any listing shows:
    that rewrites the listing pages too); otherwise None."""
    if not rebuilds.was_current(app, name) or rebuilds.removed_any(app):
        return None
    written = rebuilds.written(app)
    essays = kb_domain(app.env).essays
    if all(docname in essays for docname in written):
        return written
    return None


def remove_stale_feeds(app: Sphinx, docnames: set[str]) -> None:
    """Feeds of themes and people whose pages were deleted or renamed."""
    for folder in (app.config.kb_themes_dir, app.config.kb_people_dir):
        path = Path(app.outdir, folder)
        for feed in path.glob("*.xml") if path.is_dir() else ():
            if f"{folder}/{feed.stem}" not in docnames:
                feed.unlink()


def _known_feeds(store: Path) -> dict[str, dict[str, Any]]:
    """The last build's feeds: {page: {"signature", "members"}} (empty if
    missing, damaged or of an older layout: every feed is made again)."""
    try:
        known = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    feeds = known.get("feeds") if isinstance(known, dict) else None
    if not isinstance(feeds, dict):
        return {}
    return {page: feed for page, feed in feeds.items()
            if isinstance(feed, dict) and isinstance(feed.get("signature"), str)
            and isinstance(feed.get("members"), list)}


def write_topic_feeds(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or site_builder(app) is None:
        return
    if not base_url(app.config):
        return
    store = Path(app.doctreedir, SIGNATURES)
    if rebuilds.is_current(app, "topic-feeds") and store.is_file():
        return  # no page written or removed: every feed is as it was
    known = _known_feeds(store)
    feeds: dict[str, dict[str, Any]] = {}
    pages = topic_pages(app)
    remove_stale_feeds(app, set(pages))
    limit = app.config.kb_feed_limit
    outdir = os.fspath(app.outdir)
    # Only essay pages written since the feeds were last made (their text
    # changed, nothing any listing shows): which essays each feed holds is
    # as it was, so only feeds that hold one of them change.
    # A feed that holds one of them is made from the essays it held, in
    # their order, without going through every essay again.
    essays_only = essay_pages_only(app, "topic-feeds")
    if essays_only is None:
        wanted = topics(app)
    else:
        records, titles = kb_domain(app.env).essays, topic_titles(app)
        held = []
        for docname in pages:
            feed = known.get(docname)
            if feed is None or not os.path.isfile(f"{outdir}/{docname}.xml") \
                    or not all(member in records for member in feed["members"]):
                continue
            if essays_only.isdisjoint(feed["members"]):
                feeds[docname] = feed
            else:
                held.append((titles[docname], docname,
                             [records[member] for member in feed["members"]]))
        wanted = [*topics(app, only=set(pages) - feeds.keys() - {d for _, d, _ in held}),
                  *held]
    shown: dict[str, str] = {}
    for title, docname, essays in wanted:
        target = Path(outdir, docname + ".xml")
        signature = _signature(app, title, essays, shown)
        feeds[docname] = {"signature": signature,
                          "members": [essay.docname for essay in essays[:limit]]}
        if known.get(docname, {}).get("signature") == signature and target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(topic_feed(app, title, docname, essays))
    store.write_text(json.dumps({"feeds": feeds}, sort_keys=True), encoding="utf-8")
    rebuilds.remember(app, "topic-feeds")


def topic_feed_link(app: Sphinx, pagename: str, templatename: str,
                    context: dict[str, Any], doctree: nodes.document | None) -> None:
    """``<link rel="alternate">`` to the page's own feed (theme and person pages)."""
    if site_builder(app) is None or not base_url(app.config):
        return
    domain = kb_domain(app.env)
    found = next(((t.title, t.docname) for t in domain.themes.values()
                  if t.docname == pagename), None) or next(
        ((p.name, p.docname) for p in domain.people.values() if p.docname == pagename), None)
    if found is None:
        return
    href = context["pathto"](pagename + ".xml", resource=True)
    title = f"{app.config.project}: {found[0]}"
    context["metatags"] = context.get("metatags", "") + (
        f'<link rel="alternate" type="{FEED_TYPE}" '
        f'title="{html.escape(title, quote=True)}" href="{html.escape(href, quote=True)}" />\n'
    )


def on_feed_entry(app: Sphinx, essay: Essay, entry: ET.Element) -> None:
    enrich_entry(app, essay, entry)
