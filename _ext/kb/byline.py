"""The author/role block and the sign-off, built from docutils nodes.

Names and theme names are links resolved at write time, so a person's
or theme's page stays the one place their name is written; every builder
(and the search index) sees ordinary paragraphs and links.
"""

from __future__ import annotations

import datetime as dt

from docutils import nodes

from .domain import xref
from .models import Authorship, Essay, Role
from .nodes import kb_date


def held_line(author: Authorship) -> list[nodes.Node]:
    """``Position, Affiliation, Role & Role``: what the author was then."""
    parts: list[list[nodes.Node]] = []
    if author.position:
        parts.append([nodes.Text(author.position)])
    parts.extend([nodes.Text(a)] for a in author.affiliations)
    if author.roles:
        roles: list[nodes.Node] = []
        for index, role in enumerate(author.roles):
            if index:
                roles.append(nodes.Text(" & "))
            roles.extend(role_nodes(role))
        parts.append(roles)
    out: list[nodes.Node] = []
    for index, part in enumerate(parts):
        if index:
            out.append(nodes.Text(", "))
        out.extend(part)
    return out


def author_line(author: Authorship) -> list[nodes.Node]:
    """``Name, Position, Affiliation, Role & Role``, the name a link."""
    held = held_line(author)
    name: list[nodes.Node] = [xref("person", author.person)]
    return name + [nodes.Text(", ")] + held if held else name


def role_nodes(role: Role) -> list[nodes.Node]:
    if role.theme is None:
        return [nodes.Text(role.title)]
    return [nodes.Text(role.title + " "), xref("theme-role", role.theme)]


def human_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def date_node(iso: str) -> kb_date:
    return kb_date(iso, human_date(iso), datetime=iso, classes=["kb-date"])


def byline(essay: Essay) -> nodes.container:
    """The block under the title: who, in what capacity, themes, date, tags."""
    block = nodes.container(classes=["kb-byline"])
    for author in essay.authors:
        para = nodes.paragraph(classes=["kb-author"])
        para.extend(author_line(author))
        block += para
    meta = nodes.paragraph(classes=["kb-meta"])
    fields: list[list[nodes.Node]] = []
    if essay.themes:
        label = "Theme: " if len(essay.themes) == 1 else "Themes: "
        links: list[nodes.Node] = [nodes.Text(label)]
        for index, slug in enumerate(essay.theme_slugs):
            if index:
                links.append(nodes.Text(", "))
            links.append(xref("theme", slug))
        fields.append(links)
    if essay.date:
        fields.append([nodes.Text("Published: "), date_node(essay.date)])
    if essay.tags:
        fields.append([nodes.Text("Tags: " + ", ".join(essay.tags))])
    for index, field in enumerate(fields):
        if index:
            meta += nodes.Text(" · ")
        meta.extend(field)
    if fields:
        block += meta
    return block


def signoff(essay: Essay) -> list[nodes.paragraph]:
    """The closing line of the seed's house style: ``— Name, ... .``"""
    out = []
    for author in essay.authors:
        para = nodes.paragraph(classes=["kb-signoff"])
        para += nodes.Text("— ")
        para.extend(author_line(author))
        para += nodes.Text(".")
        out.append(para)
    return out
