"""Checks that need every page: ids that point nowhere, duplicate essays.

They run once all documents are read (``env-check-consistency``), so the
order in which (possibly parallel) readers saw the pages does not matter.
"""

from __future__ import annotations

import difflib

from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from .domain import kb_domain

logger = logging.getLogger(__name__)


def _hint(unknown: str, known: list[str], folder: str, what: str) -> str:
    close = difflib.get_close_matches(unknown, known, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"add {folder}/{unknown}.md to define the {what}, or fix the id"


def _warn(docname: str, line: int, message: str) -> None:
    logger.warning(message, location=(docname, line), type="kb", subtype="reference")


def check_references(app: Sphinx, env: BuildEnvironment) -> None:
    """Front matter naming a person or theme that has no page.

    One pass over the essays in any order, the messages then said in the
    order of the essays' names (sorting 10,000 essays first cost more than
    the pass).
    """
    domain = kb_domain(env)
    people, themes = domain.people, domain.themes
    people_dir, themes_dir = app.config.kb_people_dir, app.config.kb_themes_dir
    found: list[tuple[str, int, int, str, str, str]] = []  # docname, order, line, ...
    for essay in domain.essays.values():
        for author in essay.authors:
            if author.person not in people:
                found.append((essay.docname, len(found), author.line, "person",
                              author.person, ""))
            for role in author.roles:
                if role.theme and role.theme not in themes:
                    found.append((essay.docname, len(found), role.line, "theme",
                                  role.theme, " in a role"))
        for slug, line in essay.themes:
            if slug not in themes:
                found.append((essay.docname, len(found), line, "theme", slug, ""))
    if found:
        known = {"person": sorted(people), "theme": sorted(themes)}
        folders = {"person": people_dir, "theme": themes_dir}
        for docname, _, line, what, unknown, where in sorted(found):
            _warn(docname, line, f"unknown {what} '{unknown}'{where}: "
                  + _hint(unknown, known[what], folders[what], what))
    for theme in domain.themes.values():
        if theme.lead and theme.lead not in domain.people:
            _warn(theme.docname, theme.lead_line,
                  f"unknown person '{theme.lead}' as theme lead: "
                  + _hint(theme.lead, sorted(people), people_dir, "person"))
    check_duplicates(env)


def explain_missing_link(app: Sphinx, domain: Domain, node: pending_xref) -> bool | None:
    """Say which page is missing and how to fix it, instead of Sphinx's default.

    Links made from front matter were already reported, with their line, by
    :func:`check_references`; they are not reported twice.
    """
    if domain.name != "kb":
        return None
    if node.get("kb_from_front_matter"):
        return True
    typ, target = node["reftype"], node["reftarget"]
    folders = {"person": app.config.kb_people_dir, "essay": app.config.kb_essays_dir}
    folder = folders.get(typ, app.config.kb_themes_dir)
    known = sorted(getattr(kb_domain(app.env), {"person": "people", "essay": "essays"}
                           .get(typ, "themes")))
    what = "theme" if typ == "theme-role" else typ
    logger.warning("unknown %s '%s' in {%s}: %s", what, target, what,
                   _hint(target, known, folder, what), location=node,
                   type="kb", subtype="reference")
    return True


def check_duplicates(env: BuildEnvironment) -> None:
    """Two essays with one title (or one slug in two formats) confuse readers.

    Of essays with one title, the first by name is kept and each other one
    is named, in the order of their names.
    """
    by_title: dict[str, list[str]] = {}
    for essay in kb_domain(env).essays.values():
        by_title.setdefault(" ".join(essay.title.casefold().split()), []).append(essay.docname)
    duplicates = []
    for docnames in by_title.values():
        if len(docnames) > 1:
            first, *others = sorted(docnames)
            duplicates += [(docname, first) for docname in others]
    essays = kb_domain(env).essays
    for docname, first in sorted(duplicates):
        _warn(docname, _title_line(env, docname),
              f"the title '{essays[docname].title}' is already used by "
              f"{env.doc2path(first, False)}; give one of the two essays a "
              "different title")


def _title_line(env: BuildEnvironment, docname: str) -> int:
    """The line of ``title:`` (read again only for a duplicate; records have no lines)."""
    try:
        lines = env.doc2path(docname).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1
    for number, line in enumerate(lines.split("\n")[1:], start=2):
        if line.startswith("title:"):
            return number
        if line.rstrip() == "---":
            break
    return 1
