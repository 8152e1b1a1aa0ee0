"""The knowledge base's records: what staff declare, validated and typed.

They live in the build environment (the ``kb`` domain's data), so they are
plain, picklable, immutable dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """A job or CLAHRC role held at the time of writing.

    With a ``theme`` it reads "<title> <SHORT> Theme" and the theme part
    links to the theme's page ("Lead IOS Theme").
    """

    title: str
    theme: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Authorship:
    """One author of one essay: a person id plus their position then."""

    person: str
    position: str | None
    affiliations: tuple[str, ...]
    roles: tuple[Role, ...]
    line: int = 0


@dataclass(frozen=True)
class Funding:
    """Who paid for the work; each part optional (``scholarly.py`` merges)."""

    funder: str | None = None
    award: str | None = None
    statement: str | None = None
    disclaimer: str | None = None


@dataclass(frozen=True)
class Licence:
    """The terms an essay may be reused under: a name and its legal text's URL."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class Essay:
    docname: str
    title: str
    date: str | None
    authors: tuple[Authorship, ...]
    themes: tuple[tuple[str, int], ...]  # (slug, line)
    tags: tuple[str, ...]
    summary: str | None = None
    doi: str | None = None
    funding: Funding | None = None  # what the essay adds to or overrides of conf.py's
    licence: Licence | None = None  # overrides conf.py's

    @property
    def theme_slugs(self) -> tuple[str, ...]:
        return tuple(slug for slug, _ in self.themes)

    @property
    def person_ids(self) -> tuple[str, ...]:
        return tuple(author.person for author in self.authors)


@dataclass(frozen=True)
class Person:
    docname: str
    id: str
    name: str
    orcid: str | None = None
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Theme:
    docname: str
    slug: str
    title: str
    short: str
    lead: str | None = None
    lead_line: int = 0
