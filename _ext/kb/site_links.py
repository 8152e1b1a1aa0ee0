"""The written HTML site as a graph of links between documents.

Read lazily, page by page, for the completeness check: which documents a
page links to, and how many clicks from the home page each one is. A page's
links are kept beside the doctrees with its size and time, so a rebuild
reads and resolves again only the pages it wrote: adding an essay rewrites
a few listing pages, and the check walks all of them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import posixpath
import re
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

from .paging import split_parts

_HREF = re.compile(r'href="([^"#?]*)')
#: Beside the doctrees: {docname: ((file, size, time), its links as site paths)}.
KEPT = "kb-site-links.pickle"
Kept = dict[str, tuple[tuple[str, int, int], frozenset[str]]]


def _norm(uri: str) -> str:
    """A URI as a plain relative path: no '%xx', './', '../' or trailing '/'."""
    if "%" in uri:
        uri = unquote(uri)
    if "./" in uri or "//" in uri or uri.startswith("."):
        uri = posixpath.normpath(uri)
    return uri.rstrip("/") or "."


def _site_path(base: str, href: str) -> str | None:
    """Where an ``href`` on the page at URI ``base`` points, from the site's
    root; None for one that leaves the site (a scheme, or from the host's root)."""
    if not href or ":" in href or href.startswith("/"):
        return None
    folder = posixpath.dirname(base)
    return _norm(f"{folder}/{href}" if folder else href)


class Site:
    """The written HTML site, read lazily: links of a page as docnames (or as
    the page names of the parts of long lists, :mod:`kb.paging`)."""

    def __init__(self, app: Sphinx, parts: bool = True) -> None:
        """``parts``: also the parts of long lists (which costs sorting every
        essay and cited work); without, links to them resolve to None.

        Nothing is computed until asked for: a check of one essay's page
        needs none of the site's URIs (11,000 at 10,000 essays)."""
        self.builder: StandaloneHTMLBuilder = app.builder  # type: ignore[assignment]
        self.env = app.env
        self._app = app
        self._with_parts = parts
        self._links: dict[str, set[str]] = {}
        self._kept_path = os.path.join(app.doctreedir, KEPT)
        self._kept_changed = False

    @cached_property
    def _kept(self) -> Kept:
        try:
            with open(self._kept_path, "rb") as file:
                kept = pickle.load(file)
        except Exception:  # noqa: BLE001 - missing or damaged in any way: made again
            return {}
        return kept if isinstance(kept, dict) else {}

    def keep(self) -> None:
        """Write down the pages' links read this time, for the next check."""
        if self._kept_changed:
            kept = {docname: entry for docname, entry in self._kept.items()
                    if docname in self.uri}
            with contextlib.suppress(OSError), open(self._kept_path, "wb") as file:
                pickle.dump(kept, file, pickle.HIGHEST_PROTOCOL)  # only a cache

    @cached_property
    def parts(self) -> dict[str, list[str]]:
        """docname -> the page names of its lists' parts."""
        found: dict[str, list[str]] = {}
        for split, part in split_parts(self._app) if self._with_parts else ():
            found.setdefault(split.docname, []).append(part.pagename)
        return found

    @cached_property
    def uri(self) -> dict[str, str]:
        """Every document's and part's URI (relative to the site's root)."""
        uri = {d: self.builder.get_target_uri(d) for d in self.env.found_docs}
        for pagenames in self.parts.values():
            for pagename in pagenames:
                uri[pagename] = self.builder.get_target_uri(pagename)
        return uri

    @cached_property
    def by_uri(self) -> dict[str, str]:
        return {_norm(uri): d for d, uri in self.uri.items()}

    def resolve(self, base: str, href: str) -> str | None:
        """The docname an ``href`` on the page at URI ``base`` points to."""
        path = _site_path(base, href)
        return None if path is None else self.by_uri.get(path)

    def links(self, docname: str) -> set[str]:
        """Documents the page links to (each distinct ``href`` resolved once)."""
        if docname not in self._links:
            by_uri = self.by_uri
            self._links[docname] = {target for path in self._paths(docname)
                                    if (target := by_uri.get(path)) is not None}
        return self._links[docname]

    def _paths(self, docname: str) -> frozenset[str]:
        """The site paths the page links to, as kept if the page is as it was."""
        page = os.fspath(self.builder.get_outfilename(docname))
        try:
            stat = os.stat(page)
        except OSError:
            return frozenset()
        state = (page, stat.st_size, stat.st_mtime_ns)
        kept = self._kept.get(docname)
        if kept is not None and kept[0] == state:
            return kept[1]
        try:
            html = Path(page).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return frozenset()
        base = self.uri[docname]
        paths = frozenset(path for href in set(_HREF.findall(html))
                          if (path := _site_path(base, href)) is not None)
        self._kept[docname] = (state, paths)
        self._kept_changed = True
        return paths

    def listed_on(self, docname: str) -> set[str]:
        """What the page and the parts of its lists link to."""
        found = set(self.links(docname))
        for part in self.parts.get(docname, []):
            found |= self.links(part)
        return found

    def clicks_from_home(self, root: str, expand: Callable[[str], bool],
                         max_clicks: int) -> dict[str, int]:
        """Breadth-first from the home page up to ``max_clicks``, following
        links of ``expand`` pages."""
        depth = {root: 0}
        frontier = [root]
        for clicks in range(1, max_clicks + 1):
            following = []
            for page in frontier:
                if not expand(page):
                    continue
                for target in sorted(self.links(page)):
                    if target not in depth:
                        depth[target] = clicks
                        following.append(target)
            frontier = following
        return depth
