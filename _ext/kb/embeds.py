"""What pages used raw HTML for, made by our code instead (see ``policy``).

``{video}`` embeds a video from an allow-listed host: only the video's id
is taken from the page, checked against the host's id pattern, and the
player address is built here, so no page can point a frame anywhere else.
The frame has a title (screen readers announce it) and is followed by a
plain link to the video, which is all that the PDF shows.

``{feed}`` links to the site's Atom feed, relative to the page on the web
(so the site works under any sub-path) and as the full address in a PDF.
"""

from __future__ import annotations

import html
import re
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole
from sphinx.util.osutil import relative_uri

from .feed import FEED_FILE
from .website import base_url

logger = logging.getLogger(__name__)

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[0-9]{1,12}")
#: Host names a video may come from, and the player each is shown in.
VIDEO_HOSTS = ("youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be",
               "vimeo.com", "www.vimeo.com")


def player(address: str) -> str | None:
    """The embeddable player address of a video page, or None if not allowed."""
    parts = urlsplit(address.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or host not in VIDEO_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if host == "youtu.be":
        video = segments[0] if segments else ""
    elif host.endswith("youtube.com"):
        if segments[:1] == ["watch"]:
            video = parse_qs(parts.query).get("v", [""])[0]
        elif len(segments) == 2 and segments[0] in ("embed", "shorts", "live"):
            video = segments[1]
        else:
            video = ""
    else:
        video = segments[-1] if len(segments) == 1 else ""
        return (f"https://player.vimeo.com/video/{video}?dnt=1"
                if _VIMEO_ID.fullmatch(video) else None)
    return (f"https://www.youtube-nocookie.com/embed/{video}"
            if _YOUTUBE_ID.fullmatch(video) else None)


class kb_video(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """A video frame (HTML only); its children, a plain link, go everywhere."""


class VideoDirective(SphinxDirective):
    """``{video} https://www.youtube.com/watch?v=...`` with a ``:title:``."""

    required_arguments = 1
    option_spec: ClassVar[dict] = {"title": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        address = self.arguments[0]
        src = player(address)
        title = " ".join(self.options.get("title", "").split())
        problem = None
        if src is None:
            problem = (f"the video address {address!r} is not one the site can show; use "
                       "the https:// address of a video page on YouTube or Vimeo, or "
                       "link to it with [words](https://...)")
        elif not title:
            problem = ("a video needs ':title: what it shows' on the line after the "
                       "address, for readers who cannot see it")
        if problem:
            logger.warning(problem, location=(self.env.docname, self.lineno),
                           type="kb", subtype="policy")
            return []
        node = kb_video(src=src, title=title)
        self.set_source_info(node)
        para = nodes.paragraph(classes=["kb-video-link"])
        para += nodes.Text("Video: ")
        para += nodes.reference(title, title, refuri=address)
        node += para
        return [node]


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


def _children_only(self: Any, node: nodes.Node) -> None:
    """Other writers show only the link."""


class feed_link(nodes.Inline, nodes.TextElement):  # noqa: N801 - docutils node naming
    """A link to the Atom feed, resolved per builder when the page is written."""


class FeedRole(SphinxRole):
    """``{feed}`Atom feed``: a link to the site's feed."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        text = self.text.strip() or "Atom feed"
        node = feed_link(self.rawtext, text)
        self.set_source_info(node)
        return [node], []


def resolve_feed_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Each ``{feed}`` becomes a link for the builder at hand (``doctree-resolved``)."""
    base = base_url(app.config)
    for node in list(doctree.findall(feed_link)):
        text = node.astext()
        if not base:  # no feed is written without the site's address
            node.replace_self(nodes.Text(text))
            continue
        if app.builder.format == "html":
            uri = relative_uri(app.builder.get_target_uri(docname), FEED_FILE)
        else:
            uri = base + FEED_FILE
        node.replace_self(nodes.reference(text, text, refuri=uri, classes=["kb-feed-link"]))


def setup_embeds(app: Sphinx) -> None:
    app.add_node(kb_video, html=(visit_video_html, depart_video_html),
                 latex=(_children_only, _children_only), text=(_children_only, _children_only),
                 man=(_children_only, _children_only),
                 texinfo=(_children_only, _children_only))
    app.add_directive("video", VideoDirective)
    app.add_node(feed_link)
    app.add_role("feed", FeedRole())
    app.connect("doctree-resolved", resolve_feed_links)
