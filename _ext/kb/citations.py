"""Numbered citations in the house (Vancouver) style, one list per page.

Replaces sphinxcontrib-bibtex's ``footcite`` role and ``footbibliography``
directive while keeping its bibliography loading and configuration:

* the stock role looks up the pybtex style plugin and formats the entry
  again for every single citation (half of all build time at 100 essays);
  here each entry is formatted once per process and cached by content
  (in a bounded memo, ``memo.py``);
* the stock directive makes every essay depend on ``refs.bib``, so any
  edit re-reads every essay; here an essay records the fingerprints of
  the entries it cites and is re-read only when one of those changes;
* stock footnotes become page footnotes in LaTeX; here the list is an
  ordinary numbered list at the end of the essay in every builder (on any
  other page, where its ``{footbibliography}`` stands).
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from docutils import nodes
from pybtex.database import Entry
from pybtex.plugin import find_plugin
from pybtex.richtext import BaseMultipartText, BaseText, HRef, Text
from pybtex.style.formatting import BaseStyle
from pybtex_docutils import Backend
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

from ._compat import bibtex_data, rich_text_like
from .bibcheck import SAFE_URL
from .domain import kb_domain
from .memo import LRU
from .nodes import (
    citation_backlink,
    citation_marker,
    reference_id,
    reference_list,
    references_heading,
)
from .state import build_state
from .vancouver import entry_fingerprint

logger = logging.getLogger(__name__)

# Per document, in env.current_document (forgotten when the document is read):
_ORDER = "kb_citation_order"  # key -> number
_LINES = "kb_citation_lines"  # key -> first line cited
_MISSING = "kb_citation_missing"  # keys not in refs.bib
_FIRST = "kb_citation_first_marker"  # number -> id of its first marker
_PLACED = "kb_citation_list_placed"  # True once the reference list is in the doctree

_T = TypeVar("_T")


def _current(env: BuildEnvironment, key: str, default: Callable[[], _T]) -> _T:
    """Per-document state of the document being read, created on first use."""
    value = env.current_document.get(key)
    if value is None:
        value = env.current_document[key] = default()
    return value

# Per-process memos of pure functions (not metadata, which lives in the env),
# bounded (memo.py): a pybtex style looks up three more plugins through
# importlib.metadata when it is created, so it is created once, and an entry
# is formatted once (keyed by its content, entry_fingerprint).
@functools.lru_cache(maxsize=8)
def _style(name: str) -> BaseStyle:
    return find_plugin("pybtex.style.formatting", name)()


_formatted: LRU[tuple[str, str], Text] = LRU()  # (style, fingerprint) -> text
backend = Backend()


def bib_entries(env: BuildEnvironment) -> dict[str, Entry]:
    return bibtex_data(env).data.entries


class FootCiteRole(SphinxRole):
    """``{footcite}`key``` or ``{footcite}`key1,key2```: numbered markers."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        entries = bib_entries(self.env)
        order: dict[str, int] = _current(self.env, _ORDER, dict[str, int])
        lines: dict[str, int] = _current(self.env, _LINES, dict[str, int])
        numbers = []
        for key in (k.strip() for k in self.text.split(",")):
            if not key:
                continue
            if key not in entries:
                _current(self.env, _MISSING, set[str]).add(key)
                if key in kb_domain(self.env).stored.bib_unreadable:
                    continue  # in a broken entry: refs.bib's message names it
                close = difflib.get_close_matches(key, list(entries), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "add it to refs.bib"
                logger.warning(
                    "citation key '%s' is not in the bibliography (refs.bib): %s",
                    key, hint, location=(self.env.docname, self.line_of(key)),
                    type="kb", subtype="citation",
                )
                continue
            if key not in order:
                order[key] = len(order) + 1
                lines[key] = self.lineno
            numbers.append(order[key])
        if not numbers:
            return [], []
        first: dict[int, str] = _current(self.env, _FIRST, dict[int, str])
        marker_id = f"kb-cite-{self.env.new_serialno('kb-cite')}"
        for number in numbers:
            first.setdefault(number, marker_id)
        return [citation_marker(self.rawtext, numbers=numbers, ids=[marker_id])], []

    def line_of(self, key: str) -> int:
        """The source line holding ``key``, for messages.

        MyST gives a role the first line of its paragraph; the key may be
        lines further down.  Read only when a message is given.
        """
        try:
            lines = self.env.doc2path(self.env.docname).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return self.lineno
        written = re.compile(rf"(?:^|[`,])\s*{re.escape(key)}\s*(?:[`,]|$)")
        for number in range(self.lineno, len(lines) + 1):
            if written.search(lines[number - 1]):
                return number
        return self.lineno


class FootBibliographyDirective(SphinxDirective):
    """Marks where the essay's reference list goes (default: the end)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        return [reference_list()]


def formatted(entry: Entry, style_name: str) -> Text:
    """The entry in house style; memoised because essays share references."""
    cache_key = (style_name, entry_fingerprint(entry))
    text = _formatted.get(cache_key)
    if text is None:
        text = _formatted.put(cache_key, without_unsafe_links(
            _style(style_name).format_entry("", entry).text))
    return text


def without_unsafe_links(text: BaseText) -> BaseText:
    """Links from refs.bib that are not web addresses become plain text.

    A ``url`` such as ``javascript:...`` must never reach a reader as a
    link; ``bibcheck`` reports it to staff with its line.
    """
    if isinstance(text, HRef) and not SAFE_URL.match(text.url):
        return Text(*(without_unsafe_links(part) for part in text.parts))
    if isinstance(text, BaseMultipartText):
        return rich_text_like(text, [without_unsafe_links(part) for part in text.parts])
    return text


def sort_key(entry: Entry) -> tuple[str, str, str]:
    """First author's surname (or corporate name), then year, then title."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    first = " ".join(persons[0].last_names or persons[0].first_names) if persons else ""
    title = entry.fields.get("title", "")
    return (first.strip("{}").casefold() or title.casefold(), entry.fields.get("year", ""),
            title.casefold())


def build_reference_list(env: BuildEnvironment) -> list[nodes.Element]:
    """The rubric and numbered list of the current document's citations."""
    order: dict[str, int] = _current(env, _ORDER, dict[str, int])
    if not order:
        return []
    entries = bib_entries(env)
    style_name = env.config.bibtex_default_style
    # Entries are printed as refs.bib has them: smart quotes would also eat a
    # backslash before a full stop, hyphen or quote (a title ending in a backslash).
    items = nodes.enumerated_list(enumtype="arabic", prefix="", suffix=".",
                                  classes=["kb-references"], support_smartquotes=False)
    for key, number in sorted(order.items(), key=lambda kv: kv[1]):
        para = nodes.paragraph()
        para += nodes.target("", "", ids=[reference_id(number)])
        para.extend(formatted(entries[key], style_name).render(backend))
        first = _current(env, _FIRST, dict[int, str]).get(number)
        if first:
            para += citation_backlink(refid=first, number=number)
        items += nodes.list_item("", para)
    title = references_heading("References", "References", classes=["kb-references-title"])
    return [title, items]


def record_citations(env: BuildEnvironment) -> None:
    """Remember which entries (and which versions of them) the essay cites.

    Keys and fingerprints are interned: essays citing one work then hold
    one string each, which the environment's pickle writes once (at 10,000
    essays of 22 citations, 154,000 pairs of 30,000 works: loading them
    takes half as long, pickling them a third).
    """
    order: dict[str, int] = _current(env, _ORDER, dict[str, int])
    entries = bib_entries(env)
    cited: dict[str, str | None] = {
        sys.intern(key): sys.intern(entry_fingerprint(entries[key])) for key in order
    }
    # A missing key is remembered too, so adding it to refs.bib re-reads the essay.
    cited.update(dict.fromkeys(map(sys.intern, _current(env, _MISSING, set[str])), None))
    kb_domain(env).citations[env.docname] = cited


def place_reference_list(env: BuildEnvironment, document: nodes.document,
                         container: nodes.Element) -> None:
    """Fill the ``{footbibliography}`` placeholder, or append at the end."""
    env.current_document[_PLACED] = True
    record_citations(env)
    placeholders = list(document.findall(reference_list))
    content = build_reference_list(env)
    if not placeholders:
        container.extend(content)
        return
    placeholders[0].replace_self(content)
    for extra in placeholders[1:]:
        extra.parent.remove(extra)


class ReferenceListOnAnyPage(SphinxTransform):
    """Any page that cites gets its own numbered list, not only an essay.

    Essays place theirs with their closing matter (``pages.py``); on any
    other page the list goes where ``{footbibliography}`` stands. A page
    that cites without one gets the list at its end and a warning, as its
    numbers would otherwise point at a list the writer never asked for.
    """

    default_priority = 705  # after the essay pages (700), before smart quotes (750)

    def apply(self, **kwargs: Any) -> None:
        if self.env.current_document.get(_PLACED):
            return
        order: dict[str, int] = _current(self.env, _ORDER, dict[str, int])
        placeholders = list(self.document.findall(reference_list))
        if not order and not placeholders:
            return
        if order and not placeholders:
            first = min(order, key=order.__getitem__)
            line = _current(self.env, _LINES, dict[str, int])[first]
            logger.warning(
                "this page cites '%s' but has no reference list: add a "
                "'{footbibliography}' directive where its numbered references "
                "should go (usually at the end)",
                first, location=(self.env.docname, line),
                type="kb", subtype="citation",
            )
        end: nodes.Element = self.document
        while end.children and isinstance(end.children[-1], nodes.section):
            end = end.children[-1]
        place_reference_list(self.env, self.document, end)


def outdated_by_bibliography(app: Sphinx, env: BuildEnvironment, added: set[str],
                             changed: set[str], removed: set[str]) -> list[str]:
    """Essays whose cited entries were edited, added or removed in refs.bib."""
    domain = kb_domain(env)
    signature = tuple(sorted((str(p), f.mtime) for p, f in bibtex_data(env).bibfiles.items()))
    if domain.data["bib_signature"] == signature:
        return []
    domain.data["bib_signature"] = signature
    entries = bib_entries(env)
    # Keys whose entries the parse found changed, added or removed (None:
    # unknown, every cited entry is compared): others need no fingerprint.
    changed_keys = build_state(app).bib_changed
    if changed_keys is not None:
        changed_keys = {key.lower() for key in changed_keys}  # keys ignore case
    current: dict[str, str | None] = {}
    stale = []
    for docname, cited in domain.citations.items():
        for key, fingerprint in cited.items():
            if changed_keys is not None and key.lower() not in changed_keys:
                continue
            if key not in current:
                entry = entries.get(key)
                current[key] = entry_fingerprint(entry) if entry is not None else None
            if current[key] != fingerprint:
                stale.append(docname)
                break
    return stale


def setup_citations(app: Sphinx) -> dict[str, Any]:
    app.add_role("footcite", FootCiteRole(), override=True)
    app.add_directive("footbibliography", FootBibliographyDirective, override=True)
    app.add_transform(ReferenceListOnAnyPage)
    return {}
