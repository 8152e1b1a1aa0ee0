"""A post's HTML as plain MyST, its reference list and its sign-off taken out.

Why our own small converter on BeautifulSoup rather than markdownify: the
output must be *MyST* (``{footcite}`` roles placed inside the text, ``%``
and ``(x)=`` at a line start are MyST syntax, ``$``, ``{`` and ``<`` must
never become math, roles or raw HTML), the policy allows only plain MyST
(no raw HTML, links only http(s)/mailto), and the citation markers,
theme mentions and page furniture are decided on the HTML tree, before any
text is escaped.  markdownify escapes for CommonMark and passes unknown
tags' text through; we would have had to post-process its output for all
of the above.  The tree walk is about 200 lines and handles exactly the
elements a blog post has.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from . import markers
from .people import is_signoff

_FURNITURE_TAGS = ("script", "style", "nav", "header", "footer", "aside", "form", "iframe",
                   "noscript", "button", "svg", "video", "audio", "embed", "object", "input",
                   "select", "textarea", "link", "meta", "template")
_FURNITURE_ATTR = re.compile(
    r"(?:^|[\s_-])(?:comments?|respond|reply|sharedaddy|share|sharing|social|jp-relatedposts|"
    r"related|likes?|wpcnt|post-navigation|navigation|nav-links|subscribe|widget|sidebar|"
    r"breadcrumbs?|entry-meta|entry-footer|cookie)(?:$|[\s_-])",
    re.IGNORECASE,
)
#: Lines of a saved page that are the blog's, not the essay's.
FURNITURE_TEXT = re.compile(
    r"^(?:Leave a (?:Reply|Comment)|Share this:?|Like this:?|Related|Loading\.\.\.|"
    r"Fill in your details below.*|You are commenting using .*|Connecting to %s|"
    r"(?:Twitter|Facebook|Google\+|WordPress\.com) (?:picture|photo)|"
    r"Notify me of .*|Post was not sent.*|Email check failed.*|Subscribe\b.*|"
    r"Click to (?:share|email|print) .*|Advertisements|Report this ad|"
    r"Posted in .*|Tagged .*|Bookmark the permalink\.?|Published by .*)$",
    re.IGNORECASE,
)


def is_furniture(line: str) -> bool:
    """A short line of the blog's own (a sentence of the post is never taken)."""
    return len(line) <= 100 and bool(FURNITURE_TEXT.match(line))


#: The heading that starts the page furniture after a post.
FURNITURE_START = re.compile(r"^(?:Leave a (?:Reply|Comment)|\d+ (?:Comments?|Responses?)|"
                             r"Comments|Share this:?)$", re.IGNORECASE)
_REFERENCES_HEADING = re.compile(r"^(?:References?|Reference list|Bibliography|Notes|"
                                 r"Sources|Works cited)\s*:?$", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*\[?(\d{1,3})[.)\]]\s+(\S.*)$")
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "figure",
           "div", "section", "article", "main", "table", "pre", "hr", "dl")
SAFE_LINK = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)


def text_of(node: Tag | NavigableString) -> str:
    return " ".join(node.get_text(" ").split()) if isinstance(node, Tag) else " ".join(
        str(node).split())


# --------------------------------------------------------------------------
# The parts of a post
# --------------------------------------------------------------------------


@dataclass
class Parts:
    """A post's body (HTML, furniture gone), reference texts by number, sign-off."""

    body: Tag
    references: dict[int, str] = field(default_factory=dict)
    signoff: str | None = None


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


_BLOCK_TAG = r"(?:ul|ol|blockquote|h[1-6]|figure|pre|table|div|section|hr|dl)"


def autop(content: str) -> str:
    """WordPress stores paragraphs as blank-line-separated text (``wpautop``)."""
    if re.search(r"<p[\s>]", content, re.IGNORECASE):
        return content
    content = re.sub(rf"\s*(<{_BLOCK_TAG}\b[^>]*>)", r"\n\n\1", content, flags=re.IGNORECASE)
    content = re.sub(rf"(</{_BLOCK_TAG}>)\s*", r"\1\n\n", content, flags=re.IGNORECASE)
    # A block's own lines stay together: only text chunks become paragraphs.
    out = []
    for chunk in re.split(r"\n\s*\n", content.replace("\r\n", "\n")):
        chunk = chunk.strip()
        if not chunk:
            continue
        if re.match(rf"<(?:{'|'.join(_BLOCKS)})\b|<!--", chunk, re.IGNORECASE):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br/>", chunk) + "</p>")
    return "\n".join(out)


_EMBEDS = ("iframe", "video", "audio", "embed", "object")


def drop_furniture(root: Tag) -> list[str]:
    """Remove what is the blog's, not the essay's; return the embeds removed."""
    embeds = [str(tag.get("src") or tag.get("data") or tag.name)
              for tag in root.find_all(_EMBEDS)]
    for tag in root.find_all(_FURNITURE_TAGS):
        tag.decompose()
    for comment in root.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in root.find_all(True):
        if tag.decomposed or tag.parent is None:
            continue
        attrs = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
        if attrs.strip() and _FURNITURE_ATTR.search(attrs) and tag.name not in ("p", "li"):
            tag.decompose()
    for tag in root.find_all(re.compile(r"^(?:h[1-6]|p|div)$")):
        if tag.decomposed or tag.parent is None:
            continue
        if FURNITURE_START.match(text_of(tag)):
            for sibling in list(tag.find_next_siblings()):
                sibling.decompose()
            tag.decompose()
    for tag in root.find_all(["p", "li", "span", "div", "h3", "h4"]):
        if not tag.decomposed and tag.parent is not None and is_furniture(text_of(tag)):
            tag.decompose()
    return embeds


def _lines(tag: Tag) -> list[str]:
    """A paragraph's lines: ``<br>`` separates them."""
    html = re.sub(r"<br\s*/?>", "\n", str(tag), flags=re.IGNORECASE)
    text = BeautifulSoup(html, "html.parser").get_text("")
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _numbered_lines(block: Tag) -> bool:
    lines = _lines(block)
    return bool(lines) and all(_NUMBERED.match(line) for line in lines)


def _is_list_of_references(block: Tag) -> bool:
    return block.name in ("ol", "ul") or (block.name == "p" and _numbered_lines(block))


def _looks_like_reference(text: str) -> bool:
    return bool(re.search(r"\b(?:1[5-9]|20)\d\d[a-z]?\b", text)) or "http" in text


def split_parts(body: Tag) -> Parts:
    """Take the numbered reference list and the sign-off out of ``body``."""
    parts = Parts(body)
    while True:  # a wrapper around the whole post (<div class="post">) is not a block
        children = [c for c in body.children if isinstance(c, Tag) or str(c).strip()]
        if len(children) == 1 and isinstance(children[0], Tag) and children[0].name in (
                "div", "section", "article", "main"):
            children[0].unwrap()
        else:
            break
    blocks = [child for child in body.children if isinstance(child, Tag)]
    # A reference list: an <ol> (or numbered paragraphs) after the last prose,
    # or anything under a "References" heading.
    heading = next((b for b in blocks if b.name in ("h1", "h2", "h3", "h4", "h5", "h6", "p")
                    and _REFERENCES_HEADING.match(text_of(b))), None)
    candidates: list[Tag] = []
    if heading:  # the lists right under it; what follows them stays in the essay
        for block in blocks[blocks.index(heading) + 1:]:
            if not _is_list_of_references(block):
                break
            candidates.append(block)
    if not candidates:
        heading = None
        for block in reversed(blocks):
            if block.name != "ol" and not (block.name == "p" and _numbered_lines(block)):
                break
            candidates.insert(0, block)
    refs: dict[int, str] = {}
    for block in candidates:
        if block.name in ("ol", "ul"):
            start = int(block.get("start") or 1) if str(block.get("start") or "1").isdigit() else 1
            for index, item in enumerate(block.find_all("li", recursive=False)):
                value = item.get("value")
                number = int(value) if value and str(value).isdigit() else start + index
                written = _NUMBERED.match(text_of(item))  # "1. Heifetz RA ..." in a <ul>
                if block.name == "ul" and written:
                    number, text = int(written.group(1)), written.group(2)
                else:
                    text = text_of(item)
                refs[number] = text
        else:
            for line in _lines(block):
                match = _NUMBERED.match(line)
                if match:
                    refs[int(match.group(1))] = match.group(2)
    if refs and (heading or sum(map(_looks_like_reference, refs.values())) * 2 >= len(refs)):
        parts.references = refs
        for block in candidates:
            block.decompose()
        if heading:
            heading.decompose()
    # The sign-off: the last paragraph, if it reads "— Name, ...".
    rest = [child for child in body.children if isinstance(child, Tag)]
    for block in reversed(rest[-3:]):
        if block.name == "p" and is_signoff(text_of(block)):
            parts.signoff = text_of(block)
            block.decompose()
            break
    return parts


# --------------------------------------------------------------------------
# HTML to MyST
# --------------------------------------------------------------------------

_ESCAPE = re.compile(r"([\\`*_\[\]<>{}$|~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# What would start a block at a line's start and is not escaped everywhere
# already: headings, lists, breaks, MyST comments (%), targets ((x)=), fences
# (:::), Setext underlines (=).  Our own markup never starts with these.
_LINE_START = re.compile(r"^(?:([#\-+=%:(])|(\d+)([.)]))")
_BREAK = "\x00"
#: Quotes and lists inside each other, at most (the site refuses deeper markup).
MAX_NESTING = 10


def _escape_start(match: re.Match) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return f"{match.group(2)}\\{match.group(3)}"


def escape(text: str) -> str:
    """Text that MyST prints as it is (no emphasis, roles, math, HTML, links)."""
    return _ENTITY.sub(r"\\&", _ESCAPE.sub(r"\\\1", text))


@dataclass
class Context:
    """What the converter needs from the import, and what it reports back."""

    cite: Callable[[list[int]], str | None]
    base_url: str | None = None
    images: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    markers: list[list[int]] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)


class Converter:
    def __init__(self, context: Context, theme_names: list[tuple[str, str]]) -> None:
        self.ctx = context
        self.nesting = 0  # quotes and lists inside each other
        # "the Implementation and Organisational Studies theme" -> a theme link
        self.theme_pattern = None
        if theme_names:
            alternatives = "|".join(re.escape(title) for title, _ in
                                    sorted(theme_names, key=lambda t: -len(t[0])))
            self.theme_pattern = re.compile(rf"\bthe ({alternatives}) theme\b")
            self.theme_slugs = {title: slug for title, slug in theme_names}

    # -- inline ---------------------------------------------------------------

    def text(self, raw: str) -> str:
        """Running text: markers become roles, theme mentions links, the rest escaped."""
        out = []
        pos = 0
        for match in markers.BRACKETED.finditer(raw):
            out.append(self.plain(raw[pos:match.start()]))
            out.append(self.marker(match.group(1), match.group(0)))
            pos = match.end()
        out.append(self.plain(raw[pos:]))
        return "".join(out)

    def plain(self, raw: str) -> str:
        if not self.theme_pattern:
            return escape(raw)
        out, pos = [], 0
        for match in self.theme_pattern.finditer(raw):
            slug = self.theme_slugs[match.group(1)]
            out.append(escape(raw[pos:match.start()]))
            out.append(f"{{theme}}`{match.group(0)} <{slug}>`")
            if slug not in self.ctx.themes:
                self.ctx.themes.append(slug)
            pos = match.end()
        out.append(escape(raw[pos:]))
        return "".join(out)

    def marker(self, spec: str, original: str, shown: str | None = None) -> str:
        numbers = markers.numbers(spec)
        role = self.ctx.cite(numbers)
        if role is None:
            self.ctx.notes.append(f"marker {original.strip()} names no reference in the list; "
                                  "left as text")
            return escape(original if shown is None else shown)
        self.ctx.markers.append(numbers)
        return role

    def inline(self, node: Tag | NavigableString) -> str:
        if isinstance(node, Comment):
            return ""
        if isinstance(node, NavigableString):
            return self.text(re.sub(r"\s+", " ", str(node)))
        name = node.name
        if name in _FURNITURE_TAGS:
            return ""
        if name == "br":
            return _BREAK
        if name == "sup":
            match = markers.SUPERSCRIPT.match(node.get_text(""))
            if match:
                return self.marker(match.group(1), f"<sup>{node.get_text('')}</sup>",
                                   node.get_text(""))
            return self.children(node)
        if name in ("em", "i", "cite", "dfn"):
            return self.wrap(self.children(node), "*")
        if name in ("strong", "b"):
            return self.wrap(self.children(node), "**")
        if name == "code":
            code = node.get_text("")
            fence = "``" if "`" in code else "`"
            return f"{fence}{code}{fence}" if code.strip() else ""
        if name == "a":
            return self.link(node)
        if name == "img":
            return self.image(node)
        return self.children(node)

    def children(self, node: Tag) -> str:
        return "".join(self.inline(child) for child in node.children)

    @staticmethod
    def wrap(inner: str, mark: str) -> str:
        stripped = inner.strip(" ")
        if not stripped.strip(_BREAK):
            return inner
        lead = inner[: len(inner) - len(inner.lstrip(" "))]
        trail = inner[len(inner.rstrip(" ")):]
        return f"{lead}{mark}{stripped}{mark}{trail}"

    def url(self, href: str, what: str) -> str | None:
        href = href.strip()
        if not href or href.startswith("#"):
            return None
        if not urlsplit(href).scheme and self.ctx.base_url:
            href = urljoin(self.ctx.base_url, href)
        if not SAFE_LINK.match(href):
            self.ctx.notes.append(f"{what} {href!r} is not a web address; kept as text only")
            return None
        return href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")

    def link(self, node: Tag) -> str:
        inner = self.children(node)
        if node.find("img") is not None:
            return inner  # an image that links to itself: the image is enough
        href = self.url(str(node.get("href") or ""), "link")
        if href is None or not inner.strip() or "{footcite}" in inner:
            return inner
        return f"[{inner.strip()}]({href})"

    def image(self, node: Tag) -> str:
        src = str(node.get("src") or "")
        alt = " ".join(str(node.get("alt") or "").split())
        href = self.url(src, "image")
        if href is None:
            return ""
        self.ctx.images.append(href)
        if not alt:
            self.ctx.notes.append(f"image {href} has no alt text; add one")
        return f"![{escape(alt)}]({href})"

    # -- blocks ---------------------------------------------------------------

    def blocks(self, node: Tag, depth: int = 0) -> list[str]:
        out: list[str] = []
        run: list[Tag | NavigableString] = []

        def flush() -> None:
            text = self.paragraph(run)
            if text:
                out.append(text)
            run.clear()

        for child in node.children:
            if isinstance(child, Tag) and child.name in _BLOCKS + ("li",):
                flush()
                out.extend(self.block(child, depth))
            elif not isinstance(child, Comment):
                run.append(child)
        flush()
        return out

    def paragraph(self, nodes: list) -> str:
        text = "".join(self.inline(n) for n in nodes)
        text = re.sub(r" *\x00 *", _BREAK, re.sub(r"[ \t\r\n]+", " ", text)).strip(" " + _BREAK)
        if not text:
            return ""
        lines = [_LINE_START.sub(_escape_start, line, count=1) for line in text.split(_BREAK)]
        return "\\\n".join(lines)

    def block(self, node: Tag, depth: int) -> list[str]:
        name = node.name
        if name == "p":
            text = self.paragraph(list(node.children))
            return [text] if text else []
        if name and re.fullmatch(r"h[1-6]", name):
            text = self.paragraph(list(node.children)).replace("\\\n", " ")
            if text.endswith("#"):
                text = text[:-1] + "\\#"  # not a closing sequence
            level = max(2, min(6, int(name[1]) + depth))
            return [f"{'#' * level} {text}"] if text else []
        if name in ("ul", "ol", "blockquote") and self.nesting >= MAX_NESTING:
            if self.nesting == MAX_NESTING:
                self.ctx.notes.append(f"quotes or lists nested more than {MAX_NESTING} deep "
                                      "were flattened; check them")
            self.nesting += 1
            try:
                return [self.paragraph([item]) for item in node.find_all("li")] or \
                    self.blocks(node, depth)
            finally:
                self.nesting -= 1
        if name in ("ul", "ol"):
            self.nesting += 1
            try:
                return [self.list(node, ordered=name == "ol")]
            finally:
                self.nesting -= 1
        if name == "blockquote":
            self.nesting += 1
            try:
                inner = "\n\n".join(self.blocks(node))
            finally:
                self.nesting -= 1
            return ["\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))]
        if name == "pre":
            code = node.get_text("").strip("\n")
            fence = "````" if "```" in code else "```"
            return [f"{fence}text\n{code}\n{fence}"]
        if name == "hr":
            return []
        if name == "table":
            self.ctx.notes.append("a table was flattened to paragraphs; check it")
            rows = [" · ".join(text_of(c) for c in row.find_all(["td", "th"]))
                    for row in node.find_all("tr")]
            return [escape(row) for row in rows if row]
        if name == "figure":
            out = []
            for child in node.children:
                if isinstance(child, Tag) and child.name == "figcaption":
                    caption = self.paragraph(list(child.children))
                    if caption:
                        out.append(caption)
                elif isinstance(child, Tag):
                    out.extend(self.block(child, depth) if child.name in _BLOCKS
                               else [self.paragraph([child])])
            return [o for o in out if o]
        return self.blocks(node, depth)

    def list(self, node: Tag, *, ordered: bool) -> str:
        items = []
        start = int(node.get("start")) if str(node.get("start") or "").isdigit() else 1
        for index, item in enumerate(node.find_all("li", recursive=False)):
            mark = f"{start + index}." if ordered else "-"
            inner = self.blocks(item)
            loose = item.find(["p", "blockquote", "pre"], recursive=False) is not None
            body = ("\n\n" if loose else "\n").join(inner)
            pad = " " * (len(mark) + 1)
            lines = body.split("\n")
            text = mark + " " + lines[0] + "".join(
                "\n" + (pad + line if line else "") for line in lines[1:])
            items.append(text.rstrip())
        return "\n".join(items)


def to_myst(body: Tag, context: Context, theme_names: list[tuple[str, str]]) -> str:
    """The post's body as MyST blocks separated by blank lines."""
    shift = 0
    levels = [int(h.name[1]) for h in body.find_all(re.compile(r"^h[1-6]$"))]
    if levels:
        shift = 2 - min(levels)
    converter = Converter(context, theme_names)
    return "\n\n".join(converter.blocks(body, shift)) + "\n"
