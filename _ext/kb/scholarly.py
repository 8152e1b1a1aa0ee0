"""What an essay page adds for scholarly publishing, from its front matter.

Under the title: the plain-language ``summary`` after the author block,
the ``doi`` and "Last updated" (from git) in it; at the end, before "How
to cite this essay": the funding and licence statement. All are standard
docutils nodes added when the essay is read, so the web page and the
funders' PDFs say the same, and every value stays text.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

from .byline import date_node
from .domain import kb_domain
from .essaymeta import doi_url
from .funding import essay_funding, essay_licence, funding_block
from .gitdates import UPDATED, last_changed
from .models import Essay
from .nodes import cite_this


def _first(doctree: nodes.Node, cls: str) -> nodes.Element | None:
    return next((n for n in doctree.findall(nodes.Element) if cls in n["classes"]), None)


def add_to_byline(byline: nodes.Element, essay: Essay, updated: str | None) -> None:
    meta = _first(byline, "kb-meta")
    if updated and updated[:10] != essay.date:
        if meta is None:
            meta = nodes.paragraph(classes=["kb-meta"])
            byline += meta
        elif len(meta):
            meta += nodes.Text(" · ")
        meta += nodes.Text("Last updated: ")
        meta += date_node(updated[:10])
    if essay.doi:
        para = nodes.paragraph(classes=["kb-doi"])
        para += nodes.Text("DOI: ")
        url = doi_url(essay.doi)
        para += nodes.reference(url, url, refuri=url)
        byline += para


def add_scholarly(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    essay = kb_domain(app.env).essays.get(docname)
    if essay is None:
        return
    updated = last_changed(app, docname)
    app.env.metadata[docname][UPDATED] = updated or ""
    byline = _first(doctree, "kb-byline")
    if byline is not None:
        add_to_byline(byline, essay, updated)
        if essay.summary:
            summary = nodes.paragraph(essay.summary, essay.summary, classes=["kb-summary"])
            byline.parent.insert(byline.parent.index(byline) + 1, summary)
    block = funding_block(essay_funding(app.config, essay), essay_licence(app.config, essay))
    if block is None:
        return
    marker = next(iter(doctree.findall(cite_this)), None)
    if marker is not None:
        marker.parent.insert(marker.parent.index(marker), block)
    else:
        section: nodes.Element = next(iter(doctree.findall(nodes.section)), doctree)
        section += block
