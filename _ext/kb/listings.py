"""Generated lists: essays of a theme or person, all themes, all people.

The directives leave a placeholder at read time; a post-transform fills it
when the page is written, from the ``kb`` domain, which by then holds every
document's metadata. Pages with listings are re-written whenever a
knowledge-base page is added, changed or removed, so listings never go
stale in incremental builds (they are not re-read: nothing to re-parse).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from .byline import date_node, held_line
from .citations import backend, bib_entries, formatted, sort_key
from .domain import KnowledgeBaseDomain, kb_domain, xref
from .models import Essay
from .nodes import kb_listing
from .pages import PERSON, THEME, page_kind
from .state import build_state


class EssayListDirective(SphinxDirective):
    """``{essay-list}`` with optional ``:theme:``, ``:person:``, ``:limit:``."""

    option_spec = {
        "theme": directives.unchanged_required,
        "person": directives.unchanged_required,
        "limit": directives.positive_int,
    }

    def run(self) -> list[nodes.Node]:
        return [kb_listing(kind="essays", **self.options)]


class ThemeListDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        return [kb_listing(kind="themes")]


class PersonListDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        return [kb_listing(kind="people")]


class CitedWorksDirective(SphinxDirective):
    """``{cited-works}``: every work cited anywhere, with its citing essays."""

    def run(self) -> list[nodes.Node]:
        return [kb_listing(kind="references")]


#: What a placeholder lists: ``(kind, theme or None, person or None, limit
#: or None)``; :mod:`kb.paging` splits the long ones by it.
ListingSpec = tuple[str, "str | None", "str | None", "int | None"]


def note_listings(app: Sphinx, doctree: nodes.document) -> None:
    specs = {(n["kind"], n.get("theme"), n.get("person"), n.get("limit"))
             for n in doctree.findall(kb_listing)}
    if specs:
        kb_domain(app.env).data["listings"][app.env.docname] = sorted(specs, key=repr)


def _facts(domain: KnowledgeBaseDomain, docname: str) -> tuple[object, ...]:
    """What other pages show of a page: its record and the works it cites."""
    return (
        domain.essays.get(docname),
        domain.citations.get(docname),
        next((p for p in domain.people.values() if p.docname == docname), None),
        next((t for t in domain.themes.values() if t.docname == docname), None),
    )


def note_purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Remember what a changed or removed page showed, before it is forgotten."""
    if page_kind(app.config, docname):
        build_state(app).facts_before[docname] = _facts(kb_domain(env), docname)


def note_reads(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    build_state(app).pages_read.update(d for d in docnames if page_kind(app.config, d))


def pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages whose generated parts depend on pages whose facts just changed.

    Editing an essay's text changes nothing shown elsewhere, so nothing else
    is rewritten. A changed title, date, author, theme or citation changes
    the listings that show the essay (before or after the change): those of
    its themes and authors, the unfiltered ones, the cited works, and the
    theme and people lists when it joined or left a theme or author. A
    changed person or theme changes the names and links on every page that
    mentions them, which (rarely edited, so simply) means every
    knowledge-base page.
    """
    build = build_state(app)
    before, read = build.facts_before, build.pages_read
    build.facts_before, build.pages_read = {}, set()  # taken: the next build starts afresh
    domain = kb_domain(env)
    empty = (None, None, None, None)
    changes = {d: (before.get(d, empty), _facts(domain, d)) for d in before.keys() | read}
    changes = {d: pair for d, pair in changes.items() if pair[0] != pair[1]}
    build.facts_changed = bool(changes)
    if not changes:
        return []
    if {page_kind(app.config, d) for d in changes} & {PERSON, THEME}:
        pages = set(domain.data["listings"])
        pages.update(domain.essays)
        pages.update(p.docname for p in domain.people.values())
        pages.update(t.docname for t in domain.themes.values())
    else:
        essays = [(old[0], new[0]) for old, new in changes.values()]
        index_only = _works_index_unchanged(app, domain, changes)
        pages = {docname for docname, specs in domain.data["listings"].items()
                 if any(_shows_a_change(spec, essays) and not (
                     spec[0] == "references" and index_only) for spec in specs)}
    return sorted(pages & env.found_docs)


def _works_index_unchanged(app: Sphinx, domain: KnowledgeBaseDomain,
                           changes: dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]]
                           ) -> bool:
    """Whether the cited works are split into parts (:mod:`kb.paging`), so
    that their page shows only an index of them, and the same works are
    cited as before: then the index is unchanged (the parts holding the
    changed works are rewritten by :mod:`kb.paging`)."""
    def keys(citations: Any) -> set[str]:
        return {k for k, fingerprint in (citations or {}).items() if fingerprint is not None}

    cited = {k for d, c in domain.citations.items() if d in domain.essays for k in keys(c)}
    if len(cited) <= app.config.kb_references_part_size:
        return False
    touched = set().union(*(keys(old[1]) ^ keys(new[1]) for old, new in changes.values()))
    if not touched:
        return True
    elsewhere = {k for d, c in domain.citations.items()
                 if d in domain.essays and d not in changes for k in keys(c) if k in touched}
    before = elsewhere | {k for old, _ in changes.values() if old[0] is not None
                          for k in keys(old[1]) if k in touched}
    return before == (cited & touched)


def _shows_a_change(spec: ListingSpec, essays: list[tuple[Any, Any]]) -> bool:
    """Whether a listing shows anything of the essays' old or new records."""
    kind, theme, person = spec[:3]
    if kind == "essays":  # an essay whose record is unchanged looks the same
        return any(essay is not None
                   and (theme is None or theme in essay.theme_slugs)
                   and (person is None or person in essay.person_ids)
                   for pair in essays if pair[0] != pair[1] for essay in pair)
    if kind == "themes":  # essay counts per theme
        return any(_members(old, "theme_slugs") != _members(new, "theme_slugs")
                   for old, new in essays)
    if kind == "people":  # essay counts per person
        return any(_members(old, "person_ids") != _members(new, "person_ids")
                   for old, new in essays)
    return True  # cited works: titles, dates and citations of every essay


def _members(essay: Essay | None, field: str) -> frozenset[str] | None:
    return None if essay is None else frozenset(getattr(essay, field))


class FillListings(SphinxPostTransform):
    """Replace each placeholder with a list of links (resolved just after)."""

    default_priority = 5  # before the references resolver (10)

    def run(self, **kwargs: Any) -> None:
        domain = kb_domain(self.env)
        for node in list(self.document.findall(kb_listing)):
            kind = node["kind"]
            if kind == "essays":
                new = essay_items(domain, node)
            elif kind == "themes":
                new = theme_items(domain)
            elif kind == "references":
                new = cited_works(self.env, domain)
            else:
                new = person_items(domain)
            node.replace_self(new)


def _list(items: list[nodes.list_item], classes: list[str], empty: str) -> nodes.Element:
    if not items:
        return nodes.paragraph(empty, empty, classes=["kb-empty"])
    bullets = nodes.bullet_list(classes=["kb-listing", *classes])
    bullets.extend(items)
    return bullets


def essay_items(domain: KnowledgeBaseDomain, node: kb_listing) -> nodes.Element:
    essays = domain.essays_sorted()
    theme, person = node.get("theme"), node.get("person")
    if theme:
        essays = [e for e in essays if theme in e.theme_slugs]
    if person:
        essays = [e for e in essays if person in e.person_ids]
    if node.get("limit"):
        essays = essays[: node["limit"]]
    return _list([essay_item(e, person) for e in essays], ["kb-essays"],
                 "No essays yet.")


def essay_item(essay: Essay, person: str | None) -> nodes.list_item:
    para = nodes.paragraph()
    para += xref("essay", essay.docname)
    if person:
        held = held_line(next(a for a in essay.authors if a.person == person))
        if held:
            para += nodes.Text(" — ")
            para.extend(held)
    elif essay.authors:
        para += nodes.Text(" — ")
        for index, author in enumerate(essay.authors):
            if index:
                para += nodes.Text(", ")
            para += xref("person", author.person)
    if essay.date:
        para += nodes.Text(" · ")
        para += date_node(essay.date)
    return nodes.list_item("", para)


def theme_items(domain: KnowledgeBaseDomain) -> nodes.Element:
    counts = _count(domain, lambda e: e.theme_slugs)
    items = []
    for theme in sorted(domain.themes.values(), key=lambda t: t.title.casefold()):
        para = nodes.paragraph()
        para += xref("theme", theme.slug)
        para += nodes.Text(f" ({theme.short}) — {_essays(counts.get(theme.slug, 0))}")
        if theme.lead:
            para += nodes.Text(" · lead: ")
            para += xref("person", theme.lead)
        items.append(nodes.list_item("", para))
    return _list(items, ["kb-themes"], "No themes yet.")


def person_items(domain: KnowledgeBaseDomain) -> nodes.Element:
    counts = _count(domain, lambda e: e.person_ids)
    items = []
    for person in sorted(domain.people.values(),
                         key=lambda p: (p.name.split()[-1].casefold() if p.name.split()
                                        else "", p.name.casefold())):
        para = nodes.paragraph()
        para += xref("person", person.id)
        para += nodes.Text(f" — {_essays(counts.get(person.id, 0))}")
        items.append(nodes.list_item("", para))
    return _list(items, ["kb-people"], "No people yet.")


def cited_works(env: BuildEnvironment, domain: KnowledgeBaseDomain) -> nodes.Element:
    """Works in house style sorted by first author, each with "Cited by"."""
    entries = bib_entries(env)
    cited_by: dict[str, list[str]] = {}
    for docname, cited in domain.citations.items():
        for key, fingerprint in cited.items():
            if fingerprint is not None and key in entries and docname in domain.essays:
                cited_by.setdefault(key, []).append(docname)
    style = env.config.bibtex_default_style
    items = [work_item(entries[key], key, domain.essays_sorted(set(cited_by[key])), style)
             for key in sorted(cited_by, key=lambda k: sort_key(entries[k]))]
    return _list(items, ["kb-works"], "No works cited yet.")


def work_item(entry: Any, key: str, citing: list[Essay], style: str) -> nodes.list_item:
    """A work in house style, then "Cited by:" and links to the essays."""
    para = nodes.paragraph()
    para.extend(formatted(entry, style).render(backend))
    para += nodes.Text(" Cited by: ")
    for index, essay in enumerate(citing):
        if index:
            para += nodes.Text("; ")
        para += xref("essay", essay.docname)
    return nodes.list_item("", para, ids=[f"work-{nodes.make_id(key)}"])


def _count(domain: KnowledgeBaseDomain, keys: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for essay in domain.essays.values():
        for key in set(keys(essay)):
            counts[key] = counts.get(key, 0) + 1
    return counts


def _essays(count: int) -> str:
    return f"{count} essay" if count == 1 else f"{count} essays"


def setup_listings(app: Sphinx) -> None:
    app.add_directive("essay-list", EssayListDirective)
    app.add_directive("theme-list", ThemeListDirective)
    app.add_directive("person-list", PersonListDirective)
    app.add_directive("cited-works", CitedWorksDirective)
    app.add_post_transform(FillListings)
