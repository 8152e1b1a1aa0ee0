"""The extension's own doctree nodes and how each builder renders them.

Every node class of the extension is defined here and registered, with
its visitors for each builder that renders it, by :func:`setup_nodes`:
the one place to look when a builder meets a node it does not know.

HTML gets semantic markup (``<time>``, accessible citation links, the
video frame); LaTeX gets hyperlinked markers. Every other builder gets the
same content made of standard docutils nodes by
:func:`degrade_for_other_builders`, so the knowledge base builds with any
Sphinx builder. Placeholders (``kb_listing``, ``reference_list``,
``cite_this``, ``feed_link``) have no visitors: the modules that make them
replace them before any writer runs (``listings``, ``citations``,
``citethis``, ``embeds``).
"""

from __future__ import annotations

import html
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator
from sphinx.writers.latex import LaTeXTranslator


class kb_date(nodes.Inline, nodes.TextElement):  # noqa: N801 - docutils style
    """A date, ``datetime`` attribute in ISO form, text for people."""


class citation_marker(nodes.Inline, nodes.Element):  # noqa: N801
    """In-text citation: ``numbers`` cited together, rendered ``[4, 5, 6]``."""


class citation_backlink(nodes.Inline, nodes.Element):  # noqa: N801
    """From a reference back to where the text first cites it (HTML only)."""


class references_heading(nodes.rubric):  # noqa: N801
    """"References": a real heading on the web page, so screen readers can
    jump to it; a rubric (no contents entry) in the PDF and elsewhere."""


class kb_listing(nodes.General, nodes.Element):  # noqa: N801
    """Placeholder for a generated list; filled after all documents are read."""


class reference_list(nodes.General, nodes.Element):  # noqa: N801
    """Placeholder left by ``{footbibliography}``; filled when the essay is read."""


class cite_this(nodes.General, nodes.Element):  # noqa: N801 - docutils style
    """Where the block goes; ``docname`` names the essay (PDFs merge pages)."""


class kb_pager(nodes.General, nodes.Element):  # noqa: N801 - docutils style
    """Links to the parts of a list: ``links`` is ``[(label, uri or None
    for the current part)]``; rendered as a ``<nav>``."""


class kb_video(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """A video frame (HTML only); its children, a plain link, go everywhere."""


class feed_link(nodes.Inline, nodes.TextElement):  # noqa: N801 - docutils node naming
    """A link to the Atom feed, resolved per builder when the page is written."""


def marker_text(numbers: list[int]) -> str:
    return "[" + ", ".join(str(n) for n in numbers) + "]"


def reference_id(number: int) -> str:
    return f"ref-{number}"


def visit_date_html(self: HTML5Translator, node: kb_date) -> None:
    self.body.append(self.starttag(node, "time", "", datetime=node["datetime"]))


def depart_date_html(self: HTML5Translator, node: kb_date) -> None:
    self.body.append("</time>")


def visit_marker_html(self: HTML5Translator, node: citation_marker) -> None:
    links = [
        f'<a class="reference internal" href="#{reference_id(n)}" '
        f'aria-label="Reference {n}">{n}</a>'
        for n in node["numbers"]
    ]
    ids = "".join(f' id="{i}"' for i in node["ids"])
    self.body.append(
        f'<span class="kb-cite"{ids}>[' + ", ".join(links) + "]</span>"
    )
    raise nodes.SkipNode


def visit_backlink_html(self: HTML5Translator, node: citation_backlink) -> None:
    self.body.append(
        f' <a class="kb-backlink" href="#{node["refid"]}" aria-label="Back to where the '
        f'text first cites reference {node["number"]}">↩</a>'
    )
    raise nodes.SkipNode


def visit_pager_html(self: Any, node: kb_pager) -> None:
    items = []
    for text, uri in node["links"]:
        label = html.escape(text)
        if uri is None:
            items.append(f'<li><span aria-current="page">{label}</span></li>')
        else:
            items.append(f'<li><a class="reference internal" href="{html.escape(uri)}">'
                         f"{label}</a></li>")
    self.body.append(
        f'<nav class="kb-pager no-search" aria-label="{html.escape(node["label"])}">'
        f'<ul>{"".join(items)}</ul></nav>\n')
    raise nodes.SkipNode



def skip(self: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def visit_heading_html(self: HTML5Translator, node: references_heading) -> None:
    self.body.append(self.starttag(node, "h2", ""))


def depart_heading_html(self: HTML5Translator, node: references_heading) -> None:
    self.body.append("</h2>\n")


def visit_marker_latex(self: LaTeXTranslator, node: citation_marker) -> None:
    # The essay's own list, also when several essays are inlined in one PDF:
    # labels are prefixed with the document they come from.
    docname = self.curfilestack[-1] if self.curfilestack else ""
    links = [
        r"\hyperref[%s]{%d}" % (self.idescape(f"{docname}:{reference_id(n)}"), n)
        for n in node["numbers"]
    ]
    self.body.append("[" + ", ".join(links) + "]")
    raise nodes.SkipNode


def visit_video_html(self: Any, node: kb_video) -> None:
    self.body.append(
        '<figure class="kb-video">'
        f'<iframe src="{html.escape(node["src"])}" title="{html.escape(node["title"])}" '
        'loading="lazy" referrerpolicy="strict-origin-when-cross-origin" '
        'sandbox="allow-scripts allow-same-origin allow-presentation allow-popups" '
        'allow="fullscreen; picture-in-picture" allowfullscreen '
        'width="640" height="360" style="width:100%;max-width:640px;height:auto;'
        'aspect-ratio:16/9;border:0"></iframe><figcaption>')  # fits a phone


def depart_video_html(self: Any, node: kb_video) -> None:
    self.body.append("</figcaption></figure>\n")


def visit_passthrough(self: Any, node: nodes.Element) -> None:
    """Render the node's children as they are (LaTeX dates; videos but in HTML)."""


def depart_passthrough(self: Any, node: nodes.Element) -> None:
    pass


def degrade_for_other_builders(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace custom nodes with standard ones for builders without visitors.

    On ``doctree-resolved``, whose ``app`` names the builder: a post-transform
    could only learn it from private ``env`` attributes.
    """
    fmt = app.builder.format
    # Filled when the page is read (``citations.py``); never left for a writer.
    for placeholder in list(doctree.findall(reference_list)):
        placeholder.parent.remove(placeholder)
    for date in list(doctree.findall(kb_date)):
        if fmt not in ("html", "latex"):
            date.replace_self(nodes.inline(date.rawsource, date.astext()))
    if fmt in ("html", "latex"):
        return
    for backlink in list(doctree.findall(citation_backlink)):
        backlink.parent.remove(backlink)
    for heading in list(doctree.findall(references_heading)):
        heading.replace_self(
            nodes.rubric(heading.rawsource, "", *heading.children, **heading.attributes))
    for marker in list(doctree.findall(citation_marker)):
        text = marker_text(marker["numbers"])
        marker.replace_self(nodes.inline(text, text, ids=marker.get("ids", [])))


def setup_nodes(app: Sphinx) -> None:
    """Every node class, with its visitors per builder (epub uses html's)."""
    passthrough = (visit_passthrough, depart_passthrough)
    app.add_node(kb_date, html=(visit_date_html, depart_date_html), latex=passthrough)
    app.add_node(
        citation_marker,
        html=(visit_marker_html, None),
        latex=(visit_marker_latex, None),
    )
    app.add_node(citation_backlink, html=(visit_backlink_html, None), latex=(skip, None))
    app.add_node(
        references_heading,
        html=(visit_heading_html, depart_heading_html),
        latex=(LaTeXTranslator.visit_rubric, LaTeXTranslator.depart_rubric),
    )
    # A frame on the web page; every other writer shows its children (the link).
    app.add_node(kb_video, html=(visit_video_html, depart_video_html), latex=passthrough,
                 text=passthrough, man=passthrough, texinfo=passthrough)
    # Links to the parts of a long list (paging.py): web pages only.
    app.add_node(kb_pager, html=(visit_pager_html, None), latex=(skip, None),
                 text=(skip, None), man=(skip, None), texinfo=(skip, None))
    # Placeholders, replaced before any writer runs (see the module docstring).
    for placeholder in (kb_listing, reference_list, cite_this, feed_link):
        app.add_node(placeholder)
