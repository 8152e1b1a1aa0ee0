"""The front-matter contract for essays, people and themes.

Each ``to_*`` function turns parsed front matter into a record, collecting
every problem as ``(line, message)`` so staff see all their mistakes at
once; a message always says what to change.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator
from typing import Any

from .frontmatter import FrontMatter
from .licences import LICENCES, known_licence
from .models import Authorship, Essay, Funding, Licence, Person, Role, Theme

Problems = list[tuple[int, str]]

ESSAY_KEYS = ("title", "date", "authors", "themes", "tags",
              "summary", "doi", "funding", "licence")
AUTHOR_KEYS = ("id", "position", "affiliations", "roles")
ROLE_KEYS = ("title", "theme")
PERSON_KEYS = ("name", "orcid", "email", "url")
THEME_KEYS = ("title", "short", "lead")
FUNDING_KEYS = ("funder", "award", "statement", "disclaimer")
LICENCE_KEYS = ("name", "url")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_URL = re.compile(r"^https?://[^\s<>\"']+$")
# Crossref's prefix form; the suffix may hold any character a URL can carry.
_DOI = re.compile(r"^10\.\d{4,9}/[^\s<>\"'{}|\\^`]+$")


class _Checker:
    def __init__(self, matter: FrontMatter) -> None:
        self.matter = matter
        self.problems: Problems = []

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        self.problems.append((self.matter.line(*path), message))

    def keys(self, mapping: dict, allowed: tuple[str, ...], path: tuple, what: str) -> None:
        for key in mapping:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                fix = f"did you mean '{hint[0]}'?" if hint else "remove it"
                self.problem(
                    (*path, key),
                    f"unknown {what} key '{key}': {fix} "
                    f"(allowed: {', '.join(allowed)})",
                )

    def text(self, mapping: dict, key: str, path: tuple, *, required: bool) -> str | None:
        value = mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                where = f" in {'.'.join(map(str, path))}" if path else ""
                self.problem(path + (key,) if key in mapping else path,
                             f"missing '{key}'{where}: add '{key}: ...'")
            return None
        if isinstance(value, (dict, list)):
            self.problem((*path, key), f"'{key}' must be a single line of text")
            return None
        if isinstance(value, bool):
            self.problem((*path, key), f"'{key}' must be text, not {str(value).lower()}")
            return None
        return str(value).strip()

    def items(self, mapping: dict, key: str, path: tuple) -> Iterator[tuple[tuple, Any]]:
        """Each item of a list with its path; a single value is a list of one.

        A single value's path ``(..., key, 0)`` names no line of its own, so
        its messages point at the key's line.
        """
        value = mapping.get(key)
        if value is None:
            return
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            yield (*path, key, index), item

    def text_list(self, mapping: dict, key: str, path: tuple) -> list[tuple[str, int]]:
        """A list of strings; a single string is accepted as a list of one."""
        out = []
        for where, item in self.items(mapping, key, path):
            if isinstance(item, (dict, list)) or item is None or isinstance(item, bool):
                self.problem(where, f"each entry of '{key}' must be plain text")
                continue
            out.append((str(item).strip(), self.matter.line(*where)))
        return out


def to_essay(docname: str, matter: FrontMatter) -> tuple[Essay | None, Problems]:
    check = _Checker(matter)
    data = matter.data
    check.keys(data, ESSAY_KEYS, (), "front-matter")
    title = check.text(data, "title", (), required=True)
    date = _date(check, data)
    authors = _authors(check, data)
    themes = []
    for slug, line in check.text_list(data, "themes", ()):
        if not _SLUG.match(slug):
            check.problems.append((line, f"theme '{slug}' is not a theme id; use the "
                                         "file name of its page in themes/, e.g. 'ios'"))
        else:
            themes.append((slug, line))
    tags = tuple(tag for tag, _ in check.text_list(data, "tags", ()) if tag)
    if title is None:
        return None, check.problems
    return Essay(docname, title, date, tuple(authors), tuple(themes), tags,
                 **_scholarly(check, data)), check.problems


# -- scholarly publishing: summary, DOI, funding, licence (issue 16) ---------

def _scholarly(check: _Checker, data: dict) -> dict[str, Any]:
    summary = check.text(data, "summary", (), required=False)
    doi = _checked(check, data, "doi", _DOI.match,
                   "a DOI like 10.1234/abc-567, without 'https://doi.org/'")
    return {"summary": summary and " ".join(summary.split()), "doi": doi,
            "funding": _funding(check, data), "licence": _licence(check, data)}


def _funding(check: _Checker, data: dict) -> Funding | None:
    value = data.get("funding")
    if value is None:
        return None
    if isinstance(value, dict):
        check.keys(value, FUNDING_KEYS, ("funding",), "funding")
        parts = {key: check.text(value, key, ("funding",), required=False)
                 for key in FUNDING_KEYS}
        return Funding(**parts) if any(parts.values()) else None
    if isinstance(value, (list, bool)):
        check.problem(("funding",), "'funding' is a statement ('funding: Funded by ...') "
                                    "or a mapping of funder, award, statement, disclaimer")
        return None
    statement = check.text(data, "funding", (), required=False)
    return Funding(statement=statement) if statement else None


def _licence(check: _Checker, data: dict) -> Licence | None:
    value = data.get("licence")
    if value is None:
        return None
    if isinstance(value, dict):
        check.keys(value, LICENCE_KEYS, ("licence",), "licence")
        name = check.text(value, "name", ("licence",), required=True)
        url = check.text(value, "url", ("licence",), required=False)
        if url is not None and not _URL.match(url):
            check.problem(("licence", "url"), "the licence's 'url' must be a web address "
                                              f"starting with https://; got '{url}'")
            url = None
        return Licence(name, url) if name else None
    text = check.text(data, "licence", (), required=False)
    if text is None:
        return None
    found = known_licence(text)
    if found is None:
        check.problem(("licence",), f"unknown licence '{text}': use one of "
                                    f"{', '.join(LICENCES)} or write "
                                    "'licence: {name: ..., url: https://...}'")
    return found


def _date(check: _Checker, data: dict) -> str | None:
    value = data.get("date")
    if value is None:
        return None
    text = str(value).strip()
    try:
        dt.date.fromisoformat(text)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
    except ValueError:
        check.problem(("date",), f"date '{text}' is not a real date in the form "
                                 "YYYY-MM-DD (e.g. 2019-05-31); leave 'date' out "
                                 "if it is not known")
        return None
    return text


def _authors(check: _Checker, data: dict) -> list[Authorship]:
    value = data.get("authors")
    if value is None:
        check.problem((), "missing 'authors': list at least one author, e.g. "
                          "'authors: [{id: graeme-currie}]'")
        return []
    if not isinstance(value, list) or not value:
        check.problem(("authors",), "'authors' must be a list of one or more authors")
        return []
    out = []
    for index, entry in enumerate(value):
        path = ("authors", index)
        if isinstance(entry, str):
            entry = {"id": entry}
        if not isinstance(entry, dict):
            check.problem(path, "each author must be a person id or a mapping with 'id'")
            continue
        check.keys(entry, AUTHOR_KEYS, path, "author")
        person = check.text(entry, "id", path, required=True)
        if person is None:
            continue
        if not _SLUG.match(person):
            check.problem((*path, "id"), f"author id '{person}' is not a person id; use "
                                        "the file name of their page in people/")
            continue
        affiliations = tuple(a for a, _ in check.text_list(entry, "affiliations", path))
        out.append(Authorship(
            person=person,
            position=check.text(entry, "position", path, required=False),
            affiliations=affiliations,
            roles=tuple(_roles(check, entry, path)),
            line=check.matter.line(*path),
        ))
    return out


def _roles(check: _Checker, entry: dict, path: tuple) -> list[Role]:
    roles = []
    for where, item in check.items(entry, "roles", path):
        line = check.matter.line(*where)
        if isinstance(item, dict):
            check.keys(item, ROLE_KEYS, where, "role")
            title = check.text(item, "title", where, required=True)
            theme = check.text(item, "theme", where, required=False)
            if title is not None:
                roles.append(Role(title, theme, line))
        elif isinstance(item, str) and item.strip():
            roles.append(Role(item.strip(), None, line))
        else:
            check.problem(where, "a role is text ('Deputy Director CLAHRC-WM') or "
                                 "'{title: Lead, theme: ios}'")
    return roles


def to_person(docname: str, matter: FrontMatter) -> tuple[Person | None, Problems]:
    check = _Checker(matter)
    data = matter.data
    check.keys(data, PERSON_KEYS, (), "person")
    name = check.text(data, "name", (), required=True)
    fields = {
        key: _checked(check, data, key, pattern, hint)
        for key, pattern, hint in (
            ("orcid", _ORCID.match, "an ORCID iD like 0000-0002-1825-0097"),
            ("email", _EMAIL.match, "an e-mail address like name@example.org"),
            ("url", _URL.match, "a web address starting with https://"),
        )
    }
    if name is None:
        return None, check.problems
    return Person(docname, docname.rsplit("/", 1)[-1], name, **fields), check.problems


def _checked(
    check: _Checker, data: dict, key: str, valid: Callable[[str], object], hint: str
) -> str | None:
    value = check.text(data, key, (), required=False)
    if value is not None and not valid(value):
        check.problem((key,), f"'{key}' must be {hint}; got '{value}'")
        return None
    return value


def to_theme(docname: str, matter: FrontMatter) -> tuple[Theme | None, Problems]:
    check = _Checker(matter)
    data = matter.data
    check.keys(data, THEME_KEYS, (), "theme")
    title = check.text(data, "title", (), required=True)
    short = check.text(data, "short", (), required=True)
    lead = check.text(data, "lead", (), required=False)
    if title is None or short is None:
        return None, check.problems
    slug = docname.rsplit("/", 1)[-1]
    return Theme(docname, slug, title, short, lead, matter.line("lead")), check.problems
