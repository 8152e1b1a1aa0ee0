"""What content may do: text and pictures, never code, files or fetches.

Pages come from staff of many organisations, patients and carers, often as
pull requests, and the publishing job holds a deploy token. So every source
page (essays, people, themes, root and index pages, any new page) is data:
it may not change how pages are read, run a template, bring in another
file, fetch an address, link or copy a file from outside the site's folder,
or put HTML, script or LaTeX of its own on the site.

Each rule is enforced where the capability lives, not by looking for
patterns in text: docutils' ``file_insertion_enabled`` and ``raw_enabled``
are forced off on every document; our Markdown parser never merges a
page's ``myst:`` front matter and turns HTML into a refusal; the directives
that include, fetch or emit raw output are replaced by ones that refuse;
the doctree is checked for links, images and downloads before Sphinx's
collectors copy anything. Every refusal is one warning naming the file,
the line and what to write instead, so ``make html`` (``-W``) stops on it.

A trusted site relaxes a rule by name in ``conf.py``:
``kb_policy_allow = ["math"]``; the rules are ``RULES`` below. Limits are
numbers: ``kb_max_page_bytes`` and ``kb_max_nesting``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from docutils.parsers.rst.directives.misc import Raw
from docutils.parsers.rst.directives.tables import CSVTable
from myst_parser.config.main import TopmatterReadError, merge_file_level, read_topmatter
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.parsers.mdit import create_md_parser
from myst_parser.parsers.sphinx_ import MystParser
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.parsers import RSTParser
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.matching import Matcher

from ._compat import app_of
from .frontmatter import FrontMatterError, parse, split

logger = logging.getLogger(__name__)

#: Every rule, by the name ``kb_policy_allow`` relaxes it with.
RULES: dict[str, str] = {
    "front-matter-settings": "front matter may not change parser settings (myst:, "
                             "html_meta:, substitutions:)",
    "substitutions": "no MyST substitutions: they evaluate Jinja templates from pages",
    "include": "no file inclusion: include, literalinclude, eval-rst include, "
               "raw/csv-table :file:",
    "include-parser": "no :parser: option (it imports a Python module)",
    "fetch": "no :url: fetches (raw, csv-table)",
    "links": "links, images and downloads only to files in the site's folder or "
             "to http(s)/mailto addresses",
    "symlinks": "no source page that is a symbolic link to outside the site's folder",
    "raw": "no raw HTML or raw LaTeX (HTML in Markdown, raw, tabularcolumns)",
    "math": "no math (LaTeX reaches the PDF as it is written; the web page loads MathJax)",
    "meta": "no meta directive (a page's metadata comes from its front matter)",
    "reserved-folders": "no source folder named like an output folder",
}
#: Top-level output folders of the HTML build that a source folder would clash with,
#: and the start of the search index's folders (pagefind, pagefind-recent, -shard-2 ...).
RESERVED_FOLDERS = ("_static", "_images", "_downloads", "_sources")
RESERVED_PREFIX = "pagefind"
SAFE_SCHEMES = ("http", "https", "mailto")
#: Front-matter keys that myst-parser would read as parser settings.
SETTINGS_KEYS = ("myst", "html_meta", "substitutions")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")  # browsers ignore these inside a scheme
_VIDEO_HINT = ("; to show a video, use the {video} directive "
               "(see 'What content may do' in the staff guide)")


def allowed(config: Config, rule: str) -> bool:
    """Whether ``conf.py`` relaxed ``rule`` for this site."""
    return rule in config.kb_policy_allow


def refuse(message: str, location: Any) -> None:
    """The one warning of a refusal: ``make html`` stops on it."""
    logger.warning(message, location=location, type="kb", subtype="policy")


# -- the parsers: settings no document can turn back on ---------------------------

def lock_settings(document: nodes.document) -> None:
    """No file insertion or raw output, whatever ``docutils.conf`` says."""
    config = document.settings.env.config
    fetch_or_include = allowed(config, "include") or allowed(config, "fetch")
    document.settings.file_insertion_enabled = fetch_or_include
    document.settings.raw_enabled = allowed(config, "raw")


class PolicyRenderer(SphinxRenderer):
    """myst-parser's renderer, but HTML written in a page becomes a refusal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._html_lines: set[int | None] = set()

    def render_html_block(self, token: Any) -> None:
        if allowed(self.sphinx_env.config, "raw"):
            return super().render_html_block(token)
        if is_comment(token.content):
            return None  # a comment (WordPress writes many) shows nothing: left out
        before = len(self.current_node.children)
        super().render_html_block(token)  # html_image/html_admonition, if enabled
        for node in list(self.current_node.children[before:]):
            if isinstance(node, nodes.raw):
                text = node.astext()
                snippet = " ".join(text.split())[:40]
                line = node.line or (token.map[0] + 1 if token.map else None)
                if line in self._html_lines:
                    node.replace_self(nodes.literal(text, text))
                    continue  # one message for the HTML of a line
                self._html_lines.add(line)
                refuse(f"HTML in the text ({snippet!r}) cannot be used: it would reach "
                       "readers as code. Write it in Markdown: a link is "
                       "[words](https://...), an image ![description](picture.png)"
                       + _VIDEO_HINT, (self.sphinx_env.docname, line))
                shown = nodes.literal(text, text) if token.type == "html_inline" else \
                    nodes.literal_block(text, text)
                node.replace_self(shown)

    def render_html_inline(self, token: Any) -> None:
        self.render_html_block(token)

    def render_front_matter(self, token: Any) -> None:
        """Front matter of a page the extension does not own, read safely.

        Our reader refuses YAML aliases (a few lines can expand to gigabytes)
        and deep nesting; parser settings in it are refused, not applied.
        """
        docname = self.sphinx_env.docname
        try:
            matter = parse(token.content)
        except FrontMatterError as err:
            refuse(str(err), (docname, err.line))
            return
        data = dict(matter.data)
        if not allowed(self.sphinx_env.config, "front-matter-settings"):
            for key in SETTINGS_KEYS:
                if key in data:
                    refuse(f"front matter cannot change how pages are read ('{key}:'); "
                           "such settings belong in conf.py, which the site's "
                           f"maintainers review. Delete the '{key}:' entry",
                           (docname, _key_line(token.content, key, matter.line(key))))
                    del data[key]
        token.token.content = data  # already read: myst-parser takes it as it is
        super().render_front_matter(token)


def is_comment(html: str) -> bool:
    """Whether ``html`` is one HTML comment and nothing else.

    A browser ends a comment at the first ``-->`` or ``--!>`` (and ``<!-->``
    is a whole comment), so that must be the end of the text.
    """
    text = html.strip()
    if not (text.startswith("<!--") and text.endswith("-->")) or \
            text.startswith(("<!-->", "<!--->")):
        return False
    inner = text[4:]
    ends = [i for i in (inner.find("-->"), inner.find("--!>")) if i >= 0]
    return min(ends) == len(inner) - 3


def _key_line(yaml_text: str, key: str, default: int) -> int:
    """The line of a top-level ``key:`` (the block starts on line 2)."""
    for index, line in enumerate(yaml_text.split("\n")):
        if re.match(rf"['\"]?{re.escape(key)}['\"]?\s*:", line):
            return index + 2
    return default


class PolicyMystParser(MystParser):
    """myst-parser for every ``.md`` page, without file-level settings.

    myst-parser merges a page's ``myst:`` front matter into its settings
    (which can turn on Jinja substitutions); here the site's settings from
    ``conf.py`` are the only ones: the merge is simply never done.
    """

    def parse(self, inputstring: str, document: nodes.document) -> None:
        lock_settings(document)
        env = document.settings.env
        config = env.myst_config
        if allowed(env.config, "front-matter-settings"):  # a trusted site asked for it
            try:
                topmatter = read_topmatter(inputstring)
            except TopmatterReadError:
                topmatter = None
            if topmatter:
                config = merge_file_level(config, topmatter, lambda _, msg: refuse(
                    msg, (env.docname, 1)))
        parser = create_md_parser(config, PolicyRenderer)
        parser.options["document"] = document
        # markdown-it silently drops what is nested deeper than its limit (20:
        # ten lists inside each other); ours is on the doctree, with a message.
        parser.options["maxNesting"] = 2 * env.config.kb_max_nesting
        try:
            parser.render(inputstring)
        except RecursionError:  # markdown-it and docutils recurse over nesting
            document.children = []
            empty = create_md_parser(config, PolicyRenderer)
            empty.options["document"] = document
            empty.render("")  # what a finished render leaves for the transforms
            refuse("this page is nested too deeply to be read (emphasis, lists, quotes "
                   "or directives inside each other); its text is left out. Keep it "
                   f"under {env.config.kb_max_nesting} levels", (env.docname, 1))
        limit_nesting(document, env.config.kb_max_nesting, env.docname)


class PolicyRSTParser(RSTParser):
    """Sphinx's reStructuredText parser with the same locked settings."""

    def parse(self, inputstring: str | Any, document: nodes.document) -> None:
        lock_settings(document)
        env = document.settings.env
        try:
            super().parse(inputstring, document)
        except RecursionError:
            document.children = []
            refuse("this page is nested too deeply to be read; its text is left out. "
                   f"Keep it under {env.config.kb_max_nesting} levels", (env.docname, 1))
        limit_nesting(document, env.config.kb_max_nesting, env.docname)


def limit_nesting(document: nodes.document, limit: int, docname: str) -> None:
    """Cut what is nested deeper than ``limit``: writers and pickle recurse."""
    stack: list[tuple[nodes.Node, int]] = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, nodes.Element):
            continue
        if depth >= limit and node.children:
            line = next((n.line for n in _ancestors(node) if n.line), 1)
            refuse(f"markup is nested more than {limit} levels deep here (emphasis, "
                   "lists, quotes or directives inside each other); the deeper part is "
                   "left out. Flatten the structure: an essay needs fewer than 10",
                   (docname, line))
            node.children = []
            return
        stack.extend((child, depth + 1) for child in node.children)


def _ancestors(node: nodes.Node) -> Iterator[nodes.Node]:
    while node is not None:
        yield node
        node = node.parent


# -- directives that would read, fetch or emit raw output ----------------------------

class _AnyOption(dict):
    """Accept every option, so the refusal (not an option error) is what staff see."""

    def __missing__(self, key: str) -> Callable[[str | None], str | None]:
        return directives.unchanged

    def __bool__(self) -> bool:
        return True


def refusing(name: str, why: str) -> type[Directive]:
    """A directive named ``name`` that reads nothing and says ``why``."""

    class Refused(Directive):
        has_content = True
        optional_arguments = 1
        final_argument_whitespace = True
        option_spec: ClassVar[dict] = _AnyOption()

        def run(self) -> list[nodes.Node]:
            env = self.state.document.settings.env
            refuse(f"'{name}' cannot be used: {why}", (env.docname, self.lineno))
            return []

    Refused.__name__ = f"Refused_{name.replace('-', '_')}"
    return Refused


def refusing_role(name: str, why: str) -> Callable[..., Any]:
    """A role named ``name`` (and any role derived from it) that says ``why``."""

    def role(role_name: str, rawtext: str, text: str, lineno: int, inliner: Any,
             options: dict | None = None, content: list[str] | None = None) -> Any:
        env = inliner.document.settings.env
        refuse(f"'{name}' cannot be used: {why}", (env.docname, lineno))
        return [nodes.literal(rawtext, text)], []

    role.options = _AnyOption()  # type: ignore[attr-defined]
    return role


_INCLUDE_WHY = ("a page cannot bring in other files. Put the text in the page itself, "
                "or link to a file of the site with [words](path/to/file)")
_REFUSED: dict[str, tuple[str, str]] = {
    "include": ("include", _INCLUDE_WHY),
    "literalinclude": ("include", "a page cannot bring in other files. Paste the code "
                                  "into a code block (```) instead"),
    "raw": ("raw", "raw HTML or LaTeX would reach readers as code. Write it in "
                   "Markdown" + _VIDEO_HINT),
    "tabularcolumns": ("raw", "it writes raw LaTeX into the PDF. Leave it out: tables "
                              "are laid out for you"),
    "meta": ("meta", "a page's metadata comes from its front matter and the site. "
                     "Delete the directive"),
}


def _no_parser(value: str | None) -> str:
    raise ValueError("the ':parser:' option imports Python code and cannot be used; "
                     "delete it")


class PolicyCSVTable(CSVTable):
    """``csv-table`` with its rows in the page: no ``:file:``, no ``:url:``."""

    def run(self) -> Sequence[nodes.Node]:  # type: ignore[override]
        env = self.state.document.settings.env
        for option, rule in (("file", "include"), ("url", "fetch")):
            if option in self.options and not allowed(env.config, rule):
                refuse(f"'csv-table' cannot read ':{option}:': a page cannot bring in "
                       "other files or addresses. Put the rows under the directive "
                       "(or write a Markdown table)", (env.docname, self.lineno))
                return []
        return super().run()


class PolicyRaw(Raw):
    """``raw`` for a site that allows it: still no ``:file:`` or ``:url:`` unless allowed."""

    def run(self) -> Sequence[nodes.Node]:
        env = self.state.document.settings.env
        for option, rule in (("file", "include"), ("url", "fetch")):
            if option in self.options and not allowed(env.config, rule):
                refuse(f"'raw' cannot read ':{option}:': a page cannot bring in other "
                       "files or addresses. Put the content under the directive",
                       (env.docname, self.lineno))
                return []
        return super().run()


def install_directives(app: Sphinx, config: Config) -> None:
    """Replace what content may not use, rule by rule (``config-inited``)."""
    for name, (rule, why) in _REFUSED.items():
        if not allowed(config, rule):
            app.add_directive(name, refusing(name, why), override=True)
    if allowed(config, "include") and not allowed(config, "include-parser"):
        from sphinx.directives.other import Include

        class NoParserInclude(Include):
            option_spec: ClassVar[dict] = {**(Include.option_spec or {}), "parser": _no_parser}

        app.add_directive("include", NoParserInclude, override=True)
    app.add_directive("csv-table", PolicyCSVTable, override=True)
    if allowed(config, "raw"):
        app.add_directive("raw", PolicyRaw, override=True)
    if not allowed(config, "raw"):
        app.add_role("raw", refusing_role("raw", _REFUSED["raw"][1]), override=True)


# -- links, images, downloads and math in the doctree ---------------------------------

class PolicyTransform(SphinxTransform):
    """Refuse what a page's doctree points at or carries, before anything is copied.

    Runs after docutils has resolved named links (``ExternalTargets``, 640),
    before the extension's own page transform (700), so that only what the
    page's text made is checked, and before ``doctree-read``, where
    Sphinx's collectors copy images and downloads into the output.
    """

    default_priority = 690

    def apply(self, **kwargs: Any) -> None:
        config, docname = self.config, self.env.docname
        check_links = not allowed(config, "links")
        for node in list(self.document.findall(nodes.Element)):
            if check_links and isinstance(node, nodes.image):
                self.check_target(node, node.get("uri", ""), "image")
            elif check_links and isinstance(node, addnodes.download_reference):
                self.check_target(node, node.get("reftarget", ""), "link")
            elif check_links and isinstance(node, nodes.reference) and "refuri" in node:
                self.check_target(node, node["refuri"], "link", files=False)
            elif isinstance(node, (nodes.math, nodes.math_block)) and \
                    not allowed(config, "math"):
                refuse("math cannot be used on this site: its LaTeX would reach the PDF "
                       "as written. Write the formula in words or as plain text "
                       "(maintainers can allow 'math' in conf.py)",
                       (docname, line_of(node)))
                node.replace_self(nodes.literal(node.astext(), node.astext()))

    def check_target(self, node: nodes.Element, target: str, what: str,
                     files: bool = True) -> None:
        problem = target_problem(self.env, target, files)
        if problem is None:
            return
        if what == "image":
            fix = ("put the picture in the site's folder (e.g. essays/images/) and "
                   "write ![description](images/picture.png), or use an https:// address")
        else:
            fix = ("link to an https:// or mailto: address, or to a file inside the "
                   "site's folder")
        named = f"the image {target!r}" if what == "image" else f"the link to {target!r}"
        refuse(f"{named} {problem}: {fix}",
               (self.env.docname, line_of(node)))
        if what == "image":
            alt = node.get("alt", "")
            node.replace_self(nodes.inline(alt, alt))
        else:
            node.replace_self(nodes.inline(node.rawsource, "", *node.children))


class RemoteImagesAsLinks(SphinxPostTransform):
    """A remote picture becomes a link in outputs that would download it.

    Builders without ``supported_remote_images`` (LaTeX, EPUB) fetch every
    ``https://`` image during the build (Sphinx's ``ImageDownloader``, priority
    100): content would make the build machine fetch addresses. The picture's
    description, linked to its address, takes its place instead; the web
    page, whose reader's browser fetches it, keeps the picture.
    """

    default_priority = 90

    def run(self, **kwargs: Any) -> None:
        if app_of(self.env).builder.supported_remote_images or allowed(self.config, "fetch"):
            return
        for image in list(self.document.findall(nodes.image)):
            uri = image.get("uri", "")
            if "://" not in uri:
                continue
            text = image.get("alt") or uri
            link = nodes.reference(text, text, refuri=uri)
            if isinstance(image.parent, (nodes.TextElement, nodes.reference)):
                image.replace_self(link)
            else:
                image.replace_self(nodes.paragraph("", "", link))


def target_problem(env: Any, target: str, files: bool) -> str | None:
    """Why a link or image target is refused, or None when it is fine."""
    plain = _INVISIBLE.sub("", target)
    scheme = _SCHEME.match(plain)
    if scheme:
        if scheme.group(1).lower() in SAFE_SCHEMES:
            return None
        return f"uses '{scheme.group(1)}:', which is not allowed"
    if not files or not plain or plain.startswith("#"):
        return None  # a plain address on the site (no file is read or copied)
    path = plain.split("#", 1)[0].split("?", 1)[0]
    _, absolute = env.relfn2path(path, env.docname)
    return outside_problem(env, Path(os.path.realpath(absolute)))


def outside_problem(env: Any, path: Path) -> str | None:
    """Why ``path`` (symbolic links resolved) is not a file of the site, or None."""
    root = Path(os.path.realpath(env.srcdir))
    try:
        relative = path.relative_to(root)
    except ValueError:
        return "is outside the site's folder"
    parts = relative.parts
    matcher = Matcher(list(env.config.exclude_patterns))
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        if parts[depth - 1].startswith(".") or matcher(prefix):
            return f"is in '{prefix}', which is not part of the site"
    return None


def line_of(node: nodes.Node) -> int | None:
    """The node's line, else its first descendant's, else its nearest ancestor's."""
    if not node.line and isinstance(node, nodes.Element):
        inner = next((n.line for n in node.findall(nodes.Element) if n.line), None)
        if inner:
            return inner
    return next((n.line for n in _ancestors(node) if n.line), None)


# -- the site's folder: symbolic links and reserved names ------------------------------

def check_sources(app: Sphinx, config: Config) -> None:
    """Exclude refused source files before Sphinx finds them (``config-inited``).

    Done here, not later, so that the exclusion is part of the configuration
    Sphinx compares between builds (no needless full rebuild).
    """
    srcdir = os.fspath(app.srcdir)
    root = Path(os.path.realpath(srcdir))
    suffixes = tuple(config.source_suffix) if config.source_suffix else (".rst", ".md")
    # The folders Sphinx leaves out of its own search for pages.
    skip = Matcher([*config.exclude_patterns, *config.templates_path,
                    *getattr(config, "html_static_path", []), "_build"])
    check_links = not allowed(config, "symlinks")
    refused: list[tuple[str, str, Path]] = []  # (rel, message, file named)
    stack = [""]
    while stack:  # os.scandir: whether an entry is a link costs no system call
        rel_folder = stack.pop()
        prefix = f"{rel_folder}/" if rel_folder else ""
        with os.scandir(os.path.join(srcdir, rel_folder)) as entries:
            for entry in entries:
                if entry.is_dir():
                    rel = prefix + entry.name
                    if skip(rel):
                        continue
                    problem = _folder_problem(entry, rel, root, suffixes, config,
                                              check_links)
                    if problem:
                        refused.append((rel, *problem))
                    elif not entry.is_symlink():  # a link inside: walked as itself
                        stack.append(rel)
                elif check_links and entry.is_symlink() and \
                        entry.name.endswith(suffixes) and \
                        not _inside(Path(entry.path), root):
                    rel = prefix + entry.name
                    refused.append((rel, f"'{rel}' is a symbolic link to a file outside "
                                    "the site's folder; put the page itself here instead "
                                    "of a link", Path(entry.path)))
    for _, message, first in sorted(refused):
        refuse(message, at_file(first))
    if refused:
        config.exclude_patterns = [*config.exclude_patterns, *sorted(r[0] for r in refused)]


def _folder_problem(entry: os.DirEntry, rel: str, root: Path, suffixes: tuple[str, ...],
                    config: Config, check_links: bool) -> tuple[str, Path] | None:
    """Why a folder's pages are refused (and its first page), or None."""
    path = Path(entry.path)
    if check_links and entry.is_symlink() and not _inside(path, root):
        first = _first_source(path, suffixes)
        if first:
            return (f"the folder '{rel}' is a symbolic link to a folder outside the "
                    "site's folder; move the pages themselves into it", first)
    elif ((rel in RESERVED_FOLDERS or rel.startswith(RESERVED_PREFIX))
          and not allowed(config, "reserved-folders")):
        first = _first_source(path, suffixes)
        if first:
            return (f"the folder '{rel}/' has the name of a folder the build makes for "
                    f"its own files ({RESERVED_PREFIX}*, {', '.join(RESERVED_FOLDERS)}), so its "
                    "pages would be overwritten or deleted; rename the folder", first)
    return None


def _inside(path: Path, root: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(root)


def _first_source(folder: Path, suffixes: tuple[str, ...]) -> Path | None:
    """The first page in ``folder`` (through a link too), or None."""
    for here, subfolders, files in os.walk(folder, followlinks=True):
        subfolders.sort()
        for name in sorted(files):
            if name.endswith(suffixes):
                return Path(here, name)
    return None


def at_file(path: Path, line: int = 1) -> nodes.Node:
    """A location naming a file that is not (or not yet) a document."""
    node = nodes.inline()
    node.source, node.line = str(path), line
    return node


# -- the site's configuration and the size of a page ----------------------------------

def check_config(app: Sphinx, config: Config) -> None:
    """Unknown rule names, and conf.py settings that would evaluate content."""
    for name in config.kb_policy_allow:
        if name not in RULES:
            refuse(f"conf.py: kb_policy_allow names an unknown rule {name!r}; the rules "
                   f"are: {', '.join(RULES)}", None)
    extensions = list(getattr(config, "myst_enable_extensions", []) or [])
    if "substitution" in extensions and not allowed(config, "substitutions"):
        refuse("conf.py: myst_enable_extensions includes 'substitution', which runs "
               "Jinja templates written in pages; it is turned off. Remove it, or add "
               "'substitutions' to kb_policy_allow if every author is trusted", None)
        config.myst_enable_extensions = [e for e in extensions if e != "substitution"]


def limit_size(app: Sphinx, docname: str, source: list[str]) -> None:
    """A page over ``kb_max_page_bytes`` keeps its front matter, not its text."""
    limit = app.config.kb_max_page_bytes
    size = len(source[0].encode("utf-8"))
    if size <= limit:
        return
    refuse(f"this page is {size / 1e6:.1f} MB, over the limit of {limit / 1e6:.1f} MB "
           "(kb_max_page_bytes); its text is left out. Split it into several pages, "
           "or link to large data instead of pasting it", (docname, 1))
    text = source[0]
    try:
        yaml_text, _ = split(text[:limit])
    except FrontMatterError:
        yaml_text = None
    source[0] = f"---\n{yaml_text}\n---\n" if yaml_text is not None else ""


def setup_policy(app: Sphinx) -> None:
    app.add_source_parser(PolicyMystParser, override=True)
    app.add_source_parser(PolicyRSTParser, override=True)
    app.add_transform(PolicyTransform)
    app.add_post_transform(RemoteImagesAsLinks)
