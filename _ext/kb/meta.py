"""What search engines and link previews read in an essay's ``<head>``.

* Google Scholar's Highwire tags: ``citation_title``, one
  ``citation_author`` per author (the name on the person's page) and
  ``citation_publication_date`` only when the essay has a date;
* ``citation_doi`` when the essay has a ``doi``;
* a ``description`` (the essay's ``summary``, else its first paragraph), which sphinxext-opengraph
  also uses for ``og:description``: left to itself it would describe an
  essay by the first text on the page, the author/role block;
* the glue that gives sphinxext-opengraph its site URL from Sphinx's
  standard ``html_baseurl``, so a publisher sets one value
  (``-D html_baseurl=...`` or ``KB_BASE_URL``) and every absolute link of
  the site (canonical, og:url, feed, sitemap, citations) follows it.

The OpenGraph tags themselves come from sphinxext-opengraph (maintained,
and it knows the page title); only what it cannot know is written here.
"""

from __future__ import annotations

import html
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

from .domain import kb_domain
from .models import Essay
from .website import base_url, site_essay

#: ``env.metadata[docname]`` key of an essay's plain-text description.
DESCRIPTION = "kb_description"
DESCRIPTION_LENGTH = 200
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,;:.!?])")
_SPACES = re.compile(r"\s+")


def plain(text: str) -> str:
    """One line of text: whitespace collapsed, no space before punctuation.

    Citation markers have no text of their own, which leaves "word ;".
    """
    return _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)).strip()


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """Cut at a word boundary, with an ellipsis, to ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _in_byline(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.Element) and "kb-byline" in parent["classes"]:
            return True
        parent = parent.parent
    return False


def _words(para: nodes.paragraph) -> str:
    """A paragraph's text without inline raw HTML or LaTeX (markup, not words)."""
    return "".join(text.astext() for text in para.findall(nodes.Text)
                   if not isinstance(text.parent, nodes.raw))


def essay_description(doctree: nodes.document) -> str:
    """The first paragraph of the essay's own text, shortened."""
    for para in doctree.findall(nodes.paragraph):
        if not _in_byline(para):
            text = plain(_words(para))
            if text:
                return shorten(text)
    return ""


def note_description(app: Sphinx, doctree: nodes.document) -> None:
    """Keep an essay's description in the environment (feed, head tags)."""
    docname = app.env.docname
    essay = kb_domain(app.env).essays.get(docname)
    if essay is not None:
        description = essay.summary or essay_description(doctree)
        if description:
            app.env.metadata[docname][DESCRIPTION] = description


def _tag(name: str, content: str) -> str:
    return f'<meta name="{html.escape(name)}" content="{html.escape(content, quote=True)}" />'


def scholar_tags(names: list[str], essay: Essay) -> list[str]:
    """Highwire Press tags, as Google Scholar's inclusion guidelines ask."""
    tags = [_tag("citation_title", essay.title)]
    tags.extend(_tag("citation_author", name) for name in names)
    if essay.date:  # never invented: no date, no tag
        tags.append(_tag("citation_publication_date", essay.date.replace("-", "/")))
    if essay.doi:
        tags.append(_tag("citation_doi", essay.doi))
    return tags


def add_head_tags(app: Sphinx, pagename: str, templatename: str,
                  context: dict[str, Any], doctree: nodes.document | None) -> None:
    """Essay pages: Scholar tags and description; OpenGraph overrides."""
    essay = site_essay(app, pagename)
    if essay is None:
        return
    tags = scholar_tags(kb_domain(app.env).author_names(essay), essay)
    meta = dict(context.get("meta") or {})  # a copy: never edit env.metadata
    description = meta.get(DESCRIPTION, "")
    if description:
        tags.append(_tag("description", description))
        # sphinxext-opengraph puts og:* page metadata into its tags as they
        # are (it escapes only '"'), so the value is given escaped.
        meta["og:description"] = html.escape(description, quote=True)
    # Its own og:title leaves '<' and '&' of a title unescaped.
    meta["og:title"] = html.escape(essay.title, quote=True)
    meta["og:type"] = "article"
    context["meta"] = meta
    context["metatags"] = context.get("metatags", "") + "\n".join(tags) + "\n"


def opengraph_site_url(app: Sphinx, config: Config) -> None:
    """sphinxext-opengraph reads ``ogp_site_url``; default it to ``html_baseurl``."""
    if "ogp_site_url" in config and not config.ogp_site_url and base_url(config):
        config.ogp_site_url = base_url(config)


def setup_meta(app: Sphinx) -> None:
    app.connect("config-inited", opengraph_site_url)
    app.connect("doctree-read", note_description)
    # Before sphinxext-opengraph (500), which reads the page metadata.
    app.connect("html-page-context", add_head_tags, priority=400)
