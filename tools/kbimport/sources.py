"""Read the inputs: a WordPress export (WXR), a saved page (text or HTML), a folder.

Each source becomes :class:`Post` records (the essay candidates) and
:class:`Skipped` records (drafts, pages, attachments, private posts, with
the reason), or raises :class:`SourceError` with one line naming the file
(and the post).  XML is parsed with defusedxml, which refuses entity
definitions (billion laughs) and external entities.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from .content import FURNITURE_START, autop, is_furniture, soup
from .people import slugify

SUFFIXES = (".xml", ".txt", ".html", ".htm")


class SourceError(Exception):
    """Bad input: the message is one line naming the file (and post)."""


@dataclass
class Post:
    source: Path
    where: str  # "file" or "file: post 12 'Title'" for messages
    title: str
    slug: str
    body_html: str
    date: str | None = None
    creators: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    base_url: str | None = None
    dropped: list[str] = field(default_factory=list)  # shortcodes left out


@dataclass
class Skipped:
    where: str
    reason: str


def read(path: Path) -> tuple[list[Post], list[Skipped]]:
    """All posts of a file or folder (files in name order)."""
    if path.is_dir():
        posts: list[Post] = []
        skipped: list[Skipped] = []
        errors = []
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if child.suffix.lower() not in SUFFIXES:
                skipped.append(Skipped(str(child), "not an export or saved page "
                                                   f"({', '.join(SUFFIXES)})"))
                continue
            try:
                more, less = read_file(child)
            except SourceError as err:
                errors.append(str(err))
                continue
            posts += more
            skipped += less
        if errors:
            raise SourceError("\n".join(errors))
        return posts, skipped
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    return read_file(path)


def read_file(path: Path) -> tuple[list[Post], list[Skipped]]:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SourceError(f"{path}: cannot be read ({err.strerror})") from err
    if not data.strip():
        raise SourceError(f"{path}: the file is empty; export or save the blog page again")
    if b"\x00" in data[:4096]:
        raise SourceError(f"{path}: unknown format (binary data); give a WordPress export "
                          "(.xml), or a blog page saved as text or HTML")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        text = _declared(data)  # a page saved in its own (declared) encoding
        if text is None:
            raise SourceError(f"{path}: is not UTF-8 text (byte {err.start}); save it as "
                              "UTF-8") from err
    head = text.lstrip()[:2000].lower()
    if head.startswith("<?xml") or head.startswith("<rss"):
        if "wordpress.org/export" in text[:20000] or "<rss" in head:
            return read_wxr(path, text)
        raise SourceError(f"{path}: unknown format (XML, but not a WordPress export); "
                          "export with WordPress Tools → Export")
    if re.match(r"(?:<!doctype html|<html|<head|<body|<article|<div|<p[\s>]|<!--)", head):
        return [read_html(path, text)], []
    if path.suffix.lower() in (".xml", ".html", ".htm"):
        raise SourceError(f"{path}: unknown format (a {path.suffix} file that is neither a "
                          "WordPress export nor a web page)")
    return [read_text(path, text)], []


def _declared(data: bytes) -> str | None:
    """An HTML page in the encoding its ``<meta charset>`` names, if it decodes."""
    match = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.IGNORECASE)
    if not match:
        return None
    try:
        return data.decode(match.group(1).decode("ascii"))
    except (LookupError, UnicodeDecodeError):
        return None


# --------------------------------------------------------------------------
# WordPress export
# --------------------------------------------------------------------------


def _local(tag: str) -> tuple[str, str]:
    namespace, _, name = tag.rpartition("}")
    return namespace.lstrip("{"), name


def _child(element: Element, name: str, namespace: str = "") -> Element | None:
    for child in element:
        ns, local = _local(child.tag)
        if local == name and namespace in ns:
            return child
    return None


def _value(element: Element, name: str, namespace: str = "") -> str:
    child = _child(element, name, namespace)
    return (child.text or "").strip() if child is not None else ""


def read_wxr(path: Path, text: str) -> tuple[list[Post], list[Skipped]]:
    try:
        root = SafeET.fromstring(text)
    except ParseError as err:
        raise SourceError(f"{path}: malformed XML ({err}); export the blog again") from err
    except defusedxml.DefusedXmlException as err:
        raise SourceError(f"{path}: refused: the XML declares entities or a DTD "
                          f"({type(err).__name__}); a WordPress export never does") from err
    channel = _child(root, "channel")
    if _local(root.tag)[1] != "rss" or channel is None:
        raise SourceError(f"{path}: unknown format (XML without an RSS channel); give a "
                          "WordPress export (Tools → Export)")
    base = _value(channel, "base_blog_url", "wordpress") or _value(channel, "link") or None
    names: dict[str, str] = {}
    for author in channel:
        if _local(author.tag)[1] != "author" or "wordpress" not in _local(author.tag)[0]:
            continue
        login = _value(author, "author_login", "wordpress")
        display = _value(author, "author_display_name", "wordpress") or " ".join(
            filter(None, (_value(author, "author_first_name", "wordpress"),
                          _value(author, "author_last_name", "wordpress"))))
        if login:
            names[login] = display or login
    posts: list[Post] = []
    skipped: list[Skipped] = []
    for number, item in enumerate(channel.iter("item"), start=1):
        post_id = _value(item, "post_id", "wordpress") or str(number)
        title = html.unescape(_value(item, "title"))
        where = f"{path}: post {post_id}" + (f" '{title}'" if title else "")
        kind = _value(item, "post_type", "wordpress") or "post"
        status = _value(item, "status", "wordpress") or "publish"
        if kind != "post":
            what = kind.replace("_", " ")
            article = "an" if what[:1] in "aeiou" else "a"
            skipped.append(Skipped(where, f"{article} {what}, not a blog post"))
            continue
        reason = {
            "draft": "a draft", "auto-draft": "a draft", "pending": "a draft awaiting review",
            "private": "a private post", "trash": "in the bin", "future": "scheduled, not "
            "yet published", "inherit": "a revision",
        }.get(status)
        if reason or status != "publish":
            skipped.append(Skipped(where, reason or f"not published (status '{status}')"))
            continue
        if _value(item, "post_password", "wordpress"):
            skipped.append(Skipped(where, "password-protected"))
            continue
        if not title.strip():
            raise SourceError(f"{where}: the post has no title; give it one in WordPress "
                              "and export again")
        content = _child(item, "encoded", "purl.org/rss/1.0/modules/content")
        creators = [names.get(c, c) for c in
                    [(e.text or "").strip() for e in item if _local(e.tag)[1] == "creator"] if c]
        categories, tags = [], []
        for element in item:
            if _local(element.tag)[1] != "category":
                continue
            label = html.unescape((element.text or "").strip())
            if label and element.get("domain") == "post_tag":
                tags.append(label)
            elif label and element.get("domain", "category") == "category":
                categories.append(label)
        slug = slugify(unquote(_value(item, "post_name", "wordpress"))) or slugify(title)
        body, dropped = shortcodes(content.text or "" if content is not None else "")
        posts.append(Post(
            source=path, where=where, title=" ".join(title.split()), slug=slug,
            body_html=autop(body), dropped=dropped,
            date=_wxr_date(item), creators=creators, categories=_unique(categories),
            tags=_unique(tags), base_url=_value(item, "link") or base,
        ))
    return posts, skipped


_CAPTION = re.compile(
    r"\[caption[^\]]*\]\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)\s*(.*?)\[/caption\]",
    re.IGNORECASE | re.DOTALL)
#: WordPress shortcodes that embed something the knowledge base cannot show as it is.
_EMBED_CODES = ("embed", "gallery", "video", "audio", "playlist", "youtube", "vimeo", "tweet",
                "googlemaps", "contact-form", "contact-form-7", "slideshow", "soundcloud",
                "instagram", "wpvideo", "polldaddy", "scribd")
_SHORTCODE = re.compile(
    rf"\[({'|'.join(re.escape(c) for c in _EMBED_CODES)})\b[^\]]*\](?:(.*?)\[/\1\])?",
    re.IGNORECASE | re.DOTALL)


def shortcodes(content: str) -> tuple[str, list[str]]:
    """``[caption]`` becomes a figure; embedding shortcodes are left out (and listed)."""
    content = _CAPTION.sub(r"<figure>\1<figcaption>\2</figcaption></figure>", content)
    dropped = [match.group(0)[:80] for match in _SHORTCODE.finditer(content)]
    return _SHORTCODE.sub("", content), dropped


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _wxr_date(item: Element) -> str | None:
    """The publication date; never guessed (``0000-00-00`` is none)."""
    for name in ("post_date", "post_date_gmt"):
        value = _value(item, name, "wordpress")
        day = iso_day(value[:10])
        if day:
            return day
    pub = _value(item, "pubDate")
    if pub:
        try:
            return email.utils.parsedate_to_datetime(pub).date().isoformat()
        except (TypeError, ValueError):
            return None
    return None


def iso_day(text: str) -> str | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return None
    return text if text > "1900" else None


# --------------------------------------------------------------------------
# Saved pages
# --------------------------------------------------------------------------

_TITLE_SPLIT = re.compile(r"\s+[|\u2013\u2014\u00bb-]\s+")


def read_html(path: Path, text: str) -> Post:
    page = soup(text)
    article = next((node for node in map(page.select_one, (
        "article .entry-content", ".entry-content", ".post-content", ".post-body", "article",
        "main", "body")) if node is not None), page)
    heading = (page.select_one("h1.entry-title, h1.post-title, article h1") or page.find("h1"))
    title = " ".join(heading.get_text(" ").split()) if heading else ""
    if not title:
        meta = page.find("meta", attrs={"property": "og:title"})
        title = str(meta.get("content") or "") if meta else ""
    if not title and page.title:
        title = _TITLE_SPLIT.split(page.title.get_text(" ").strip())[0]
    title = " ".join(title.split())
    if not title:
        raise SourceError(f"{path}: the page has no title (no <h1> or <title>); add one")
    if heading is not None and heading in article.descendants:
        heading.decompose()
    date = None
    times = [t for t in page.select("time.entry-date.published, time.published, "
                                    "article time[datetime], .entry-meta time[datetime], "
                                    ".post-meta time[datetime]")
             if not any("comment" in " ".join([str(p.get("id") or ""), *(p.get("class") or [])])
                        for p in t.parents)]  # a comment's date is not the post's
    for node in (page.find("meta", attrs={"property": "article:published_time"}), *times):
        if node is not None:
            date = iso_day(str(node.get("content") or node.get("datetime") or "")[:10])
            if date:
                break
    author = page.find("meta", attrs={"name": "author"})
    creator = str(author.get("content") or "") if author else ""
    if not creator:
        node = page.select_one(".author .fn, .author a, a[rel~=author]")
        creator = " ".join(node.get_text(" ").split()) if node else ""
    categories = [a.get_text(" ").strip() for a in page.select('a[rel~="category"]')]
    tags = [a.get_text(" ").strip() for a in page.select('a[rel="tag"]')]
    canonical = page.find("link", attrs={"rel": "canonical"})
    return Post(source=path, where=str(path), title=title, slug=slugify(title),
                body_html=article.decode_contents() if hasattr(article, "decode_contents")
                else str(article), date=date, creators=[creator] if creator else [],
                categories=_unique(c for c in categories if c),
                tags=_unique(t for t in tags if t and t not in categories),
                base_url=str(canonical.get("href")) if canonical else None)


def read_text(path: Path, text: str) -> Post:
    """A page saved as plain text: the title on the first line, then the post.

    Blocks are separated by blank lines (the seed's form, one line each);
    a line that goes on without a blank line continues its paragraph or list
    item (text saved with hard line breaks); ``1.`` and ``-`` lines are lists.
    """
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        raise SourceError(f"{path}: the file is empty; save the blog page again")
    title = " ".join(lines.pop(0).split())
    blocks: list[list] = []  # [kind, number, text]; kind: p, ul, ol
    joinable = False  # the last block may take a continuation line
    for line in lines:
        if FURNITURE_START.match(line):
            break
        if not line or is_furniture(line):
            joinable = False
            continue
        bullet = re.match(r"^[-*\u2022]\s+(.*)$", line)
        number = re.match(r"^(\d{1,3})[.)]\s+(.*)$", line)
        if bullet and not re.match(r"^[-\u2013\u2014]\s*[A-Z][\w.'-]+ [\w.'-]+,", line):
            blocks.append(["ul", None, bullet.group(1)])
        elif number:
            blocks.append(["ol", number.group(1), number.group(2)])
        elif joinable and blocks and not re.match(r"^[\u2014\u2013]", line):
            blocks[-1][2] += " " + line
        else:
            blocks.append(["p", None, line])
        joinable = True
    parts: list[str] = []
    index = 0
    while index < len(blocks):
        kind = blocks[index][0]
        run = [blocks[index]]
        while kind != "p" and index + len(run) < len(blocks) and \
                blocks[index + len(run)][0] == kind:
            run.append(blocks[index + len(run)])
        index += len(run)
        if kind == "p":
            line = run[0][2]
            tag = "h2" if _is_heading(line) else "p"
            parts.append(f"<{tag}>{html.escape(line, quote=False)}</{tag}>")
        else:
            items = "".join(
                (f'<li value="{n}">' if n else "<li>") + html.escape(t, quote=False) + "</li>"
                for _, n, t in run)
            parts.append(f"<{kind}>{items}</{kind}>")
    return Post(source=path, where=str(path), title=title, slug=slugify(title),
                body_html="\n".join(parts))


def _is_heading(line: str) -> bool:
    """A short line that does not end like a sentence (or ends with ``?``)."""
    if re.search(r"\[\d", line) or re.match(r"^[\u2014\u2013-]", line):
        return False
    words = line.split()
    if len(words) > 12 or len(line) > 100:
        return False
    return not re.search(r"[.,;:!]$", line)
