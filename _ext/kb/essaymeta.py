"""One essay's bibliographic facts, gathered once for every machine format.

JSON-LD, RIS, CSL-JSON, the Atom feeds and the whole-site reference files
all describe the same things (who wrote it, with which ORCID and
affiliation, when, under which themes, DOI, funding, licence, what it
cites); this module collects them from the ``kb`` domain, the person and
theme pages, ``refs.bib`` and ``conf.py`` so the formats cannot disagree.
Values are plain text: each format escapes them in its own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from pybtex.database import Entry
from pybtex.database import Person as BibPerson
from pybtex.exceptions import PybtexError
from sphinx.application import Sphinx

from .citations import bib_entries
from .domain import kb_domain
from .funding import essay_funding, essay_licence
from .gitdates import UPDATED
from .meta import DESCRIPTION
from .models import Essay, Funding, Licence
from .vancouver import latex_to_text
from .website import base_url, page_url

ORCID_URL = "https://orcid.org/"
DOI_URL = "https://doi.org/"


def doi_url(doi: str) -> str:
    """The DOI's resolver address; ``#``, ``%``, ``?`` and the like percent-encoded."""
    return DOI_URL + quote(doi, safe="/:;()._-~!$&*+,=@[]")


@dataclass(frozen=True)
class Name:
    """A person's name as written once on their page, and split for citations."""

    text: str
    family: str
    given: str


@dataclass(frozen=True)
class Author:
    name: Name
    orcid: str | None  # the bare iD: 0000-0002-1825-0097
    page: str  # absolute URL of their page ("" without html_baseurl)
    position: str | None
    affiliations: tuple[str, ...]


@dataclass(frozen=True)
class Work:
    """A work the essay cites, from refs.bib, as plain text."""

    key: str
    type: str  # the BibTeX entry type
    title: str
    authors: tuple[Name, ...]
    year: str
    container: str  # journal or book title
    publisher: str
    doi: str
    url: str


@dataclass(frozen=True)
class EssayMeta:
    docname: str
    slug: str
    title: str
    authors: tuple[Author, ...]
    date: str | None  # YYYY-MM-DD, never invented
    updated: str | None  # ISO time of the last commit touching the file
    summary: str | None  # the front-matter summary (an abstract)
    description: str | None  # the summary, else the first paragraph shortened
    doi: str | None
    url: str  # absolute URL of the page ("" without html_baseurl)
    themes: tuple[tuple[str, str], ...]  # (title, URL)
    tags: tuple[str, ...]
    funding: Funding | None
    licence: Licence | None
    cited: tuple[Work, ...]
    site: str  # the knowledge base's name
    site_url: str
    publisher: str


def split_name(text: str) -> Name:
    """``Jean-Paul van der Berg`` -> family ``van der Berg``, given ``Jean-Paul``."""
    try:
        person = BibPerson(text)
    except PybtexError:
        return Name(text, text, "")
    family = latex_to_text(" ".join(person.prelast_names + person.last_names))
    given = latex_to_text(" ".join(person.first_names + person.middle_names))
    if not family:
        return Name(text, text, "")
    return Name(text, family, given)


def _field(entry: Entry, name: str) -> str:
    value = entry.fields.get(name, "")
    return latex_to_text(value) if value else ""


def _bare(entry: Entry, name: str) -> str:
    value = entry.fields.get(name, "")
    value = re.sub(r"\\(?:url|href)\s*", "", value)
    value = re.sub(r"\\([_%&#~$])", r"\1", value).replace("{", "").replace("}", "")
    return value.strip()


def work(key: str, entry: Entry) -> Work:
    names = []
    for person in entry.persons.get("author", []):
        family = latex_to_text(" ".join(person.prelast_names + person.last_names))
        given = latex_to_text(" ".join(person.first_names + person.middle_names))
        if family == "others":
            continue
        names.append(Name(" ".join(p for p in (given, family) if p), family, given))
    year = _field(entry, "year") or _field(entry, "date")[:4]
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", _bare(entry, "doi"),
                 flags=re.IGNORECASE)
    url = _bare(entry, "url")
    if not re.match(r"https?://\S+$", url):
        url = ""
    container = _field(entry, "journal") or _field(entry, "booktitle")
    publisher = (_field(entry, "publisher") or _field(entry, "institution")
                 or _field(entry, "organization") or _field(entry, "school"))
    return Work(key, entry.type.lower(), _field(entry, "title"), tuple(names), year,
                container, publisher, doi, url)


def essay_meta(app: Sphinx, essay: Essay) -> EssayMeta:
    env = app.env
    domain = kb_domain(env)
    base = base_url(app.config)
    authors = []
    for authorship in essay.authors:
        person = domain.people.get(authorship.person)
        text = person.name if person else authorship.person
        authors.append(Author(
            split_name(text), person.orcid if person else None,
            page_url(app, person.docname) if person else "",
            authorship.position, authorship.affiliations))
    themes = tuple(
        (domain.themes[s].title, page_url(app, domain.themes[s].docname))
        for s in essay.theme_slugs if s in domain.themes)
    entries = bib_entries(env)
    cited = tuple(work(key, entries[key])
                  for key in domain.citations.get(essay.docname, {}) if key in entries)
    metadata = env.metadata.get(essay.docname, {})
    return EssayMeta(
        docname=essay.docname, slug=essay.docname.rpartition("/")[2], title=essay.title,
        authors=tuple(authors), date=essay.date,
        updated=metadata.get(UPDATED) or None,
        summary=essay.summary,
        description=essay.summary or metadata.get(DESCRIPTION) or None,
        doi=essay.doi, url=page_url(app, essay.docname), themes=themes, tags=essay.tags,
        funding=essay_funding(app.config, essay), licence=essay_licence(app.config, essay),
        cited=cited, site=app.config.project, site_url=base,
        publisher=app.config.author or app.config.project,
    )
