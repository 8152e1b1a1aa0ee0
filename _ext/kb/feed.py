"""An Atom feed of the newest essays: ``atom.xml`` at the site's root.

Written from the ``kb`` domain once an HTML build has finished, so it is
complete after incremental builds too (the domain holds every essay, not
only the pages written this time). Links are absolute, from
``html_baseurl``; without it no feed is written (a feed with relative
links is of no use to a feed reader).

Builds are reproducible: entries come in the site's one order (newest
first, undated last), and no timestamp is the build's clock. Atom requires
an ``updated`` time for every entry; a dated essay has its date, an
undated one the time in ``SOURCE_DATE_EPOCH`` (set by the publishing
workflow to the last commit's time, which the essay cannot be newer than)
or, without it, the time its file was last committed (:mod:`kb.gitdate`).
Outside a git checkout nothing says when it changed, and the entry has no
``updated`` rather than a made-up time (feed readers keep the feed's
order). Undated essays have no ``published`` time at all.

The XML is made with ElementTree, which escapes every text and attribute;
characters XML 1.0 cannot hold at all (control characters) are dropped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from . import rebuilds
from .domain import KnowledgeBaseDomain, kb_domain
from .gitdate import last_commit, last_commits, source_date_epoch
from .meta import DESCRIPTION
from .models import Essay
from .website import base_url, site_builder

logger = logging.getLogger(__name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_FILE = "atom.xml"
#: In the doctree folder: the essays the feed holds, when it was written.
NEWEST = "kb-feed-newest.json"
FEED_TYPE = "application/atom+xml"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _atom_time(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def undated_times(app: Sphinx, essays: list[Essay]) -> dict[str, str]:
    """``updated`` of undated essays, by docname: SOURCE_DATE_EPOCH, else the
    last commit of the essay's file (of the checkout, if the file is new);
    outside git, none."""
    undated = [e.docname for e in essays if not e.date]
    if not undated:
        return {}
    epoch = source_date_epoch()
    if epoch is not None:
        return dict.fromkeys(undated, _atom_time(epoch))
    head = last_commit(app.srcdir)
    if head is None:
        return {}
    files = {d: Path(app.env.doc2path(d)).relative_to(app.srcdir).as_posix() for d in undated}
    committed = last_commits(app.srcdir, files.values())
    return {d: _atom_time(committed.get(path, head)) for d, path in files.items()}


def essay_time(essay: Essay) -> str | None:
    return f"{essay.date}T00:00:00Z" if essay.date else None


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def feed_entry(app: Sphinx, domain: KnowledgeBaseDomain, essay: Essay, base: str,
               updated: str | None) -> ET.Element:
    builder = app.builder
    url = base + builder.get_target_uri(essay.docname)
    entry = ET.Element("entry")
    _sub(entry, "title", essay.title, type="text")
    _sub(entry, "link", rel="alternate", type="text/html", href=url)
    # The page's address is its identity, as in most feeds: keep
    # html_baseurl stable, or readers will see every essay as new.
    _sub(entry, "id", url)
    published = essay_time(essay)
    if updated:
        _sub(entry, "updated", updated)
    if published:
        _sub(entry, "published", published)
    for author, name in zip(essay.authors, domain.author_names(essay), strict=True):
        element = _sub(entry, "author")
        _sub(element, "name", name)
        person = domain.people.get(author.person)
        if person is not None:
            _sub(element, "uri", base + builder.get_target_uri(person.docname))
    for slug in essay.theme_slugs:
        theme = domain.themes.get(slug)
        _sub(entry, "category", term=slug, label=theme.title if theme else slug)
    for tag in essay.tags:
        _sub(entry, "category", term=tag)
    summary = app.env.metadata.get(essay.docname, {}).get(DESCRIPTION)
    if summary:
        _sub(entry, "summary", summary, type="text")
    app.emit("kb-feed-entry", essay, entry)  # kb.feeds: full text, ORCID, licence
    return entry


def atom_feed(app: Sphinx, base: str, essays: list[Essay]) -> bytes:
    """The site's feed of these essays (its newest, newest first)."""
    domain = kb_domain(app.env)
    undated = undated_times(app, essays)
    times = [essay_time(e) or undated.get(e.docname) for e in essays]
    entries = [feed_entry(app, domain, e, base, t) for e, t in zip(essays, times, strict=True)]
    return atom_document(app, app.config.project, base + FEED_FILE,
                         base + app.builder.get_target_uri(app.config.root_doc), base, entries)


def atom_document(app: Sphinx, title: str, self_href: str, page_href: str, feed_id: str,
                  entries: list[ET.Element]) -> bytes:
    """An Atom feed of ``entries``: the site's, a theme's or a person's.

    It is updated when its newest entry was; an entry without a time leaves
    it out rather than inventing one.
    """
    feed = ET.Element("feed", xmlns=ATOM_NS)
    _sub(feed, "title", title, type="text")
    _sub(feed, "link", rel="self", type=FEED_TYPE, href=self_href)
    _sub(feed, "link", rel="alternate", type="text/html", href=page_href)
    _sub(feed, "id", feed_id)
    times = [t for e in entries if (t := e.findtext("updated"))]
    if times:
        _sub(feed, "updated", max(times))
    # Atom needs an author for every entry: the feed's covers any essay
    # whose front matter is too broken to name one.
    author = _sub(feed, "author")
    _sub(author, "name", app.config.author or app.config.project)
    feed.extend(entries)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _kept_newest(app: Sphinx) -> set[str] | None:
    """The essays the feed on disk holds, as kept when it was written."""
    try:
        kept = json.loads(Path(app.doctreedir, NEWEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("limit") != app.config.kb_feed_limit \
            or not isinstance(kept.get("essays"), list):
        return None
    return set(kept["essays"])


def _newest_unchanged(app: Sphinx) -> bool:
    """The feed was up to date before this build, which wrote only essay
    pages (their text, nothing listings show) and none of the newest.

    Which essays are the newest is then as it was when the feed was
    written: kept with it, not found again by sorting every essay.
    """
    if not rebuilds.was_current(app, "feed") or rebuilds.removed_any(app):
        return False
    domain = kb_domain(app.env)
    written = rebuilds.written(app)
    if not all(d in domain.essays for d in written):
        return False
    newest = _kept_newest(app)
    if newest is None:
        newest = {e.docname for e in domain.essays_sorted()[: app.config.kb_feed_limit]}
    return newest.isdisjoint(written)


def write_feed(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or site_builder(app) is None:
        return
    base = base_url(app.config)
    if not base:
        logger.info("no %s written: set html_baseurl to the site's address", FEED_FILE)
        return
    target = Path(app.outdir, FEED_FILE)
    if target.is_file() and (rebuilds.is_current(app, "feed") or _newest_unchanged(app)):
        rebuilds.remember(app, "feed")
        return  # no page it shows was written, none removed: as it was
    essays = kb_domain(app.env).essays_sorted()[: app.config.kb_feed_limit]
    target.write_bytes(atom_feed(app, base, essays))
    with contextlib.suppress(OSError):  # only a cache
        Path(app.doctreedir, NEWEST).write_text(json.dumps(
            {"limit": app.config.kb_feed_limit, "essays": [e.docname for e in essays]}),
            encoding="utf-8")
    rebuilds.remember(app, "feed")


def feed_link(app: Sphinx, pagename: str, templatename: str,
              context: dict[str, Any], doctree: nodes.document | None) -> None:
    """``<link rel="alternate">`` in every page's head: feed autodiscovery."""
    if site_builder(app) is None or not base_url(app.config):
        return
    href = context["pathto"](FEED_FILE, resource=True)
    title = f"{app.config.project}: latest essays"
    context["metatags"] = context.get("metatags", "") + (
        f'<link rel="alternate" type="{FEED_TYPE}" '
        f'title="{html.escape(title, quote=True)}" href="{html.escape(href, quote=True)}" />\n'
    )
