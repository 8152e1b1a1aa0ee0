"""Read one numbered reference (Vancouver, as the blog printed it) into BibTeX.

The inverse of ``kb.vancouver``, and checked against it: every reading of
the text is rendered back with the house style itself, and only a reading
that prints the same text is accepted.  So the rules live in one place
(``vancouver.py``: how names, editions, sources and links are printed);
this module only proposes readings, from the most specific entry type to
the most general, and lets the style decide.

A reference printed in the house style comes back character for character
(``exact``).  A usual variant (other spacing, ``DOI:``, a ``https://doi.org``
link) is read when the style prints the same words and numbers; the report
shows the house form.  Anything else is kept verbatim, flagged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pybtex.errors
from pybtex.database import Entry, Person
from pybtex.database.input.bibtex import Parser as BibtexParser
from pybtex.plugin import find_plugin
from pybtex.richtext import Text

from kb.vancouver import (  # noqa: E402  (after the path is set)
    DOI_RESOLVER,
    format_entry_text,
    format_person,
    latex_to_text,
)

from . import ROOT  # noqa: F401  (puts _ext on sys.path)

# --------------------------------------------------------------------------
# The parsed reference
# --------------------------------------------------------------------------


@dataclass
class Reference:
    """A reference read from text: a BibTeX type, persons and fields.

    ``fields`` and ``persons`` hold BibTeX source (TeX-escaped) exactly as it
    is written to ``refs.bib``.  ``exact``: the house style prints ``text``
    back unchanged; ``verbatim``: nothing could be read, the text is kept
    as the title of a ``misc`` entry so it still prints as written.
    """

    text: str
    type: str
    fields: dict[str, str] = field(default_factory=dict)
    persons: dict[str, list[str]] = field(default_factory=dict)
    exact: bool = False
    verbatim: bool = False
    printed: str = ""

    def entry(self) -> Entry:
        return to_entry(self.type, self.fields, self.persons)


def to_entry(type_: str, fields: dict[str, str], persons: dict[str, list[str]]) -> Entry:
    """The entry exactly as ``refs.bib`` will hold it (written, then parsed)."""
    return _parse_bib(bib_source("x", type_, fields, persons))


@lru_cache(maxsize=4096)
def _parse_bib(source: str) -> Entry:
    # The parser class itself: ``parse_string(..., "bibtex")`` looks the plugin
    # up in the installed packages' entry points on every call (30 ms).
    with pybtex.errors.capture():
        data = BibtexParser().parse_string(source)
    return next(iter(data.entries.values()))


FIELD_ORDER = (
    "author", "editor", "title", "booktitle", "journal", "edition", "chapter",
    "howpublished", "type", "address", "publisher", "school", "institution",
    "organization", "year", "urldate", "volume", "number", "pages", "doi", "url",
)  # fmt: skip


def bib_source(key: str, type_: str, fields: dict[str, str],
               persons: dict[str, list[str]]) -> str:
    """One entry in the layout of ``refs.bib`` (aligned ``name = {value}``)."""
    values = {role: " and ".join(names) for role, names in persons.items() if names}
    values.update({name: value for name, value in fields.items() if value})
    names = sorted(values, key=lambda n: (FIELD_ORDER.index(n) if n in FIELD_ORDER else 99, n))
    width = max((len(n) for n in names), default=0)
    lines = [f"@{type_}{{{key},"]
    lines += [f"  {name.ljust(width)} = {{{values[name]}}}," for name in names]
    lines.append("}")
    return "\n".join(lines) + "\n"


def printed(entry: Entry) -> str:
    """The plain text the house style prints for ``entry``."""
    return _plain(format_entry_text(entry))


_TEXT_BACKEND = find_plugin("pybtex.backends", "text")()


def _plain(text: Text) -> str:
    # One backend instance: ``render_as("text")`` looks the plugin up per call.
    return text.render(_TEXT_BACKEND)


# --------------------------------------------------------------------------
# Text to TeX: a field value that ``latex_to_text`` turns back into the text
# --------------------------------------------------------------------------

_TEX_SPECIAL = {
    "\\": "\\textbackslash{}", "%": "\\%", "$": "\\$", "~": "\\textasciitilde{}",
    "&": "\\&", "#": "\\#", "_": "\\_",
}  # fmt: skip
_NEEDS_TEX = re.compile(r"[\\%$~]|--|``|''")


def tex(text: str) -> str | None:
    """``text`` as a BibTeX value that decodes to it again; None if impossible.

    Plain text is written as it is (the common case).  Braces cannot be
    written so that they survive (the style drops all braces), hence None.
    """
    if "{" in text or "}" in text:
        return None
    if not _NEEDS_TEX.search(text):
        return text
    out = "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)
    out = out.replace("--", "-{}-").replace("--", "-{}-")
    out = out.replace("``", "`{}`").replace("''", "'{}'")
    return out if latex_to_text(out) == text else None


def tex_raw(text: str) -> str | None:
    """A URL or DOI value: written as it is (``vancouver`` reads it raw)."""
    return None if re.search(r"[{}\\\s]", text) else text


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------

_ET_AL = "et al."
_SUFFIX = re.compile(r"^(?:Jr|Sr|II|III|IV)$")
#: Peers and titled persons cited by surname and title ("Laming, Lord").
TITLES = frozenset({"Lord", "Lady", "Baroness", "Baron", "Sir", "Dame", "Viscount", "Earl"})


def _is_initials(token: str) -> bool:
    return 0 < len(token) <= 6 and token.isalpha() and token.isupper()


def person_source(name: str) -> str | None:
    """A printed name (``van der Berg JL``, ``King ML Jr``, ``R Core Team``) as BibTeX.

    Checked with ``format_person``: None when no BibTeX form prints it back.
    """
    tokens = name.split(" ")
    suffix = tokens.pop() if len(tokens) > 2 and _SUFFIX.match(tokens[-1]) else ""
    initials = tokens.pop() if len(tokens) > 1 and _is_initials(tokens[-1]) else ""
    surname = " ".join(tokens)
    sur = tex(surname)
    if not sur:
        return None
    first = " ".join(f"{ch}." for ch in initials)
    candidates = []
    if initials or suffix:
        parts = [sur] + ([suffix] if suffix else []) + [first]
        candidates += [", ".join(parts), ", ".join([f"{{{sur}}}", *parts[1:]])]
    elif " " in surname or "," in surname:
        candidates.append(f"{{{sur}}}")  # corporate: printed whole
    else:
        candidates.append(sur)
    for candidate in candidates:
        if format_person(Person(candidate)) == name:
            return candidate
    return None


def names_source(text: str, *, strict: bool) -> list[str] | None:
    """A printed name list (``Currie G, Lockett A, et al.``) as BibTeX persons.

    ``strict``: every name must have initials (a person list), except a
    titled peer (``Laming, Lord``).  Otherwise the whole text may be one
    corporate author.
    """
    pieces = text.split(", ")
    truncated = pieces[-1] in (_ET_AL, _ET_AL[:-1])  # the block's stop may be taken off
    if truncated:
        pieces.pop()
    if not pieces or not all(pieces):
        return None
    merged: list[str] = []
    for piece in pieces:
        if piece in TITLES and merged and " " not in merged[-1]:
            merged[-1] = f"{merged[-1]}, {piece}"
        else:
            merged.append(piece)
    out = []
    for name in merged:
        tokens = name.split(" ")
        peer = ", " in name
        if strict and not peer and not (len(tokens) > 1 and (
                _is_initials(tokens[-1]) or _SUFFIX.match(tokens[-1]))):
            return None
        source = person_source(name)
        if source is None:
            return None
        out.append(source)
    if truncated:
        out.append("others")
    return out


# --------------------------------------------------------------------------
# Blocks: the style ends every block with one stop and joins them by spaces
# --------------------------------------------------------------------------

# Not after the ``p.`` of pages, the ``Vol.`` of a volume or the ``no.`` of a series.
_BOUNDARY = re.compile(
    r"(?<! p\.)(?<!\(p\.)(?<!^p\.)(?<! Vol\.)(?<!^Vol\.)(?<! no\.)(?<=[.?!]) (?=\S)"
)
_YEAR = r"(?:\d{4}[a-z]?(?:/\d{2,4})?|n\.d|in press|forthcoming)"
_YEAR_RE = re.compile(rf"^{_YEAR}$", re.IGNORECASE)
_EDITION = re.compile(r"^(\S+(?: \S+)?) ed\.$")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_PAGES = re.compile(r"^[A-Za-z]{0,2}\d[\w\u2013\-,. ]*$")
_VOLUME = re.compile(r"^[^;:()]{1,40}$")


def _stop(block: str) -> str:
    """A block's field value: the style adds one stop unless it ends in ``.?!``."""
    return block[:-1] if block.endswith(".") else block


def _publication(text: str) -> dict[str, str] | None:
    """``Address: Publisher; Year`` (each part optional) -> field texts."""
    out: dict[str, str] = {}
    head, sep, year = text.rpartition("; ")
    if sep:
        out["year"] = year
        text = head
    elif _YEAR_RE.match(text) or re.match(r"^\S+ \[cited ", text) or text.startswith("[cited "):
        out["year"] = text
        return out
    if ": " in text:
        out["address"], out["publisher"] = text.split(": ", 1)
    elif text:
        out["publisher"] = text
    return out


def _source(text: str) -> dict[str, str] | None:
    """An article's ``Year; Volume(Number): Pages`` (spacing variants allowed)."""
    if text.startswith("p. "):
        return {"pages": text[3:]} if _PAGES.match(text[3:]) else None
    out: dict[str, str] = {}
    match = re.match(r"^(.*?)\s*:\s*(\S.*)$", text)
    if match:
        text, out["pages"] = match.groups()
        if not _PAGES.match(out["pages"]):
            return None
    match = re.match(rf"^({_YEAR})\s*(?:;\s*(.*))?$", text, re.IGNORECASE)
    if match:
        out["year"] = match.group(1)
        text = match.group(2) or ""
    elif not text:
        return None
    if text:
        match = re.match(r"^(.*?)\s*\(([^()]+)\)$", text)
        volume, number = match.groups() if match else (text, "")
        if volume and not _VOLUME.match(volume):
            return None
        if volume:
            out["volume"] = volume
        if number:
            out["number"] = number
    return out if ("year" in out or "volume" in out) else None


@dataclass
class _Reading:
    type: str
    fields: dict[str, str]
    persons: dict[str, list[str]]


def _leads(segs: list[str]) -> Iterator[tuple[dict[str, list[str]], int]]:
    """Readings of the first block: persons, editors, a corporate author, none."""
    if segs:
        first = _stop(segs[0])
        editors = re.match(r"^(.*), editors?$", first)
        if editors:
            names = names_source(editors.group(1), strict=False)
            if names:
                yield {"editor": names}, 1
        for strict in (True, False):
            names = names_source(first, strict=strict)
            if not strict and not re.match(r"^[A-Z0-9][\w&.,'()\- ]*$", first):
                names = None  # a corporate author is a name, not "??? notes"
            if names and (strict or len(names) == 1):
                yield {"author": names}, 1
                break
    yield {}, 0


def _title(segs: list[str]) -> str:
    return _stop(" ".join(segs))


def _journal_start(segs: list[str], end: int) -> int:
    """Where the journal starts: abbreviations such as ``Int. J. Cardiol.`` join it."""
    start = end - 1
    while start > 1 and re.fullmatch(r"[A-Z][a-z]{0,5}\.", segs[start - 1]):
        start -= 1
    return start


_CITED = re.compile(r" ?\[cited ([^\]]+)\]")
_SERIES = re.compile(r"^\((.+)\)\.$")


def _clean(segs: list[str]) -> tuple[list[str], list[dict[str, str]], int | None]:
    """The blocks without NLM's added parts, and the fields those parts give.

    ``[Internet]`` (printed by the style itself for material with a URL),
    ``[cited D]`` (``urldate``), ``(Series; no. 8)``, ``Report No.: N``,
    ``Chapter N`` and ``Vol. N`` blocks.  A series may or may not carry a
    number, so each reading is tried with either (``extras``).  Also: which
    kept block had the ``[Internet]`` label (a web page's title or site).
    """
    kept: list[str] = []
    extra: dict[str, str] = {}
    series: list[dict[str, str]] = [{}]
    online: int | None = None
    for index, seg in enumerate(segs):
        if index == 0:
            kept.append(seg)
            continue
        seg, labels = re.subn(r" ?\[Internet\](?=\.$)", "", seg)
        if labels and online is None:
            # "Title? [Internet]." is split after the "?": the label is the title's
            online = len(kept) - 1 if seg == "." else len(kept)
        cited = _CITED.search(seg)
        if cited:
            extra["urldate"] = cited.group(1)
            seg = _CITED.sub("", seg, count=1)
        block = _SERIES.match(seg)
        number = re.match(r"^Report No\.: (.+)\.$", seg)
        chapter = re.match(r"^Chapter (\S+)\.$", seg)
        volume = re.match(r"^Vol\. (.+)\.$", seg)
        if block and kept:
            whole = block.group(1)
            head, sep, tail = whole.rpartition("; ")
            series = [{"series": whole}]
            if sep:
                series.insert(0, {"series": head, "number": tail.removeprefix("no. ")})
        elif number:
            extra["number"] = number.group(1)
            extra["_report"] = "1"
        elif chapter:
            extra["chapter"] = chapter.group(1)
        elif volume:
            extra["volume"] = volume.group(1)
        elif seg not in (".", ""):
            kept.append(seg)
    return kept, [{**extra, **one} for one in series], online


def _readings(segs: list[str], link: dict[str, str]) -> Iterator[_Reading]:
    """Every plausible reading of the blocks, most specific type first.

    First the blocks cleaned of NLM's added parts (:func:`_clean`), then,
    for text in an older or looser form, the blocks as they are.
    """
    kept, extras, online = _clean(segs)
    for extra in extras:
        report = extra.pop("_report", None)
        for reading in _readings_of(kept, link, online=online, report=bool(report),
                                    cited="urldate" in extra):
            fields = {**reading.fields, **extra}
            type_ = reading.type
            if "chapter" in extra:
                if type_ != "book":
                    continue
                type_ = "inbook"
            yield _Reading(type_, fields, reading.persons)
    yield from _readings_of(segs, link, online=None, report=False)


def _readings_of(segs: list[str], link: dict[str, str], *, online: int | None,
                 report: bool, cited: bool = False) -> Iterator[_Reading]:
    for persons, used in _leads(segs):
        rest = segs[used:]
        if not rest:
            continue
        if report:
            yield from _numbered_report(persons, rest)
            continue
        yield from _chapter(persons, rest)
        yield from _bracketed(persons, rest)
        yield from _report(persons, rest)
        yield from _article(persons, rest, url="url" in link)
        yield from _periodical(persons, rest)
        web = online is not None and "url" in link and online >= used
        if web and cited:  # consulted on a date: a web page rather than a book
            yield from _web(persons, rest, online - used)
        yield from _book(persons, rest)
        if web and not cited:
            yield from _web(persons, rest, online - used)
        yield from _misc(persons, rest)


def _web(persons: dict, rest: list[str], label: int) -> Iterator[_Reading]:
    """A web page: the ``[Internet]`` label follows its title, or its site's name."""
    pub_fields: dict[str, str] = {}
    body = list(rest)
    if len(body) > label + 1:
        pub = _publication(_stop(body[-1]))
        if pub and ("year" in pub or "address" in pub):
            pub_fields = pub
            body.pop()
    after = {"howpublished": _title(body[label + 1:])} if len(body) > label + 1 else {}
    yield _Reading("online", {"title": _title(body[:label + 1]), **after, **pub_fields},
                   persons)
    if label > 0:
        yield _Reading("misc", {"title": _title(body[:label]), "journal": _stop(body[label]),
                                **after, **pub_fields}, persons)


def _numbered_report(persons: dict, rest: list[str]) -> Iterator[_Reading]:
    """``Title. Address: Institution; Year.`` before ``Report No.: N``."""
    if "editor" in persons or len(rest) < 2:
        return
    pub = _publication(_stop(rest[-1]))
    if not pub:
        return
    fields = {"title": _title(rest[:-1])}
    for name, value in pub.items():
        fields["institution" if name == "publisher" else name] = value
    yield _Reading("techreport", fields, persons)


def _periodical(persons: dict, rest: list[str]) -> Iterator[_Reading]:
    """A whole issue: ``Editors, editor. Title. Issue title. Year; Volume(Issue).``"""
    if "author" in persons or len(rest) < 2:
        return
    source = _source(_stop(rest[-1]))
    if not source or "pages" in source or "volume" not in source:
        return
    fields = {"title": _stop(rest[0]), **source}
    if len(rest) > 2:
        fields["issuetitle"] = _title(rest[1:-1])
    yield _Reading("periodical", fields, persons)


def _article(persons: dict, rest: list[str], *, url: bool) -> Iterator[_Reading]:
    if len(rest) < 2 or "editor" in persons:
        return
    source = _source(_stop(rest[-1]))
    if source is None or (url and set(source) == {"year"}):
        return  # a web page with a year is not taken for an article
    # The style prints journals without stops, so a journal is one block; a
    # blog's "Int. J. Cardiol." is read as well (and printed the house way).
    for start in dict.fromkeys((len(rest) - 2, _journal_start(rest, len(rest) - 1))):
        if start <= 0:
            continue  # no title: not an article
        journal = _stop(" ".join(rest[start:-1]))
        if _EDITION.match(journal + ".") or journal.startswith("In: ") or journal == "p":
            continue
        yield _Reading("article", {"journal": journal, **source,
                                   "title": _title(rest[:start])}, persons)


def _tail(rest: list[str]) -> tuple[dict[str, str], list[str]]:
    """A book's ``[edition.] [Address: Publisher; Year.]`` from the right."""
    fields: dict[str, str] = {}
    if rest:
        pub = _publication(_stop(rest[-1]))
        if pub and ("year" in pub or "address" in pub) and len(rest) > 1:
            fields.update(pub)
            rest = rest[:-1]
    if len(rest) > 1:
        edition = _EDITION.match(rest[-1])
        if edition:
            text = edition.group(1)
            ordinal = _ORDINAL.match(text)
            fields["edition"] = ordinal.group(1) if ordinal else text
            rest = rest[:-1]
    return fields, rest


def _chapter(persons: dict, rest: list[str]) -> Iterator[_Reading]:
    at = next((i for i, seg in enumerate(rest) if seg.startswith("In: ")), None)
    if at is None or "editor" in persons:
        return
    tail = rest[at:]
    tail[0] = tail[0][4:]
    fields: dict[str, str] = {}
    readers = dict(persons)
    if tail and tail[-1].startswith("p. ") and len(tail) > 1:
        fields["pages"] = _stop(tail.pop()[3:])
    more, tail = _tail(tail)
    fields.update(more)
    editors = re.match(r"^(.*), editors?\.$", tail[0]) if tail else None
    if editors and len(tail) > 1:
        names = names_source(editors.group(1), strict=False)
        if names is None:
            return
        readers["editor"] = names
        tail = tail[1:]
    if not tail:
        return
    fields["booktitle"] = _title(tail)
    if at:
        fields["title"] = _title(rest[:at])
    yield _Reading("incollection", fields, readers)


def _bracketed(persons: dict, rest: list[str]) -> Iterator[_Reading]:
    """Theses (``[dissertation]``) and web pages (``[Internet]``)."""
    labels = {"[dissertation].": "phdthesis", "[master's thesis].": "mastersthesis",
              "[Internet].": "online"}
    found = next(((i, lab) for i, seg in enumerate(rest) for lab in labels
                  if seg.endswith(lab)), None)
    if found is None:
        return
    at, label = found
    seg = rest[at]
    type_ = labels[label]
    title = " ".join(filter(None, [*rest[:at], seg[: -len(label)].rstrip()]))
    fields = {"title": title} if title else {}
    tail = rest[at + 1:]
    if len(tail) > 1:
        return
    if tail:
        pub = _publication(_stop(tail[0]))
        if pub is None:
            return
        if type_ == "online":
            year = pub.pop("year", "")
            cited = re.match(r"^(.*?) ?\[cited (.+)\]$", year)
            if cited:
                year, pub["urldate"] = cited.groups()
            if year:
                pub["year"] = year
        else:
            school = pub.pop("publisher", "")
            if school:
                pub["school"] = school
        fields.update(pub)
    yield _Reading(type_, fields, persons)


def _report(persons: dict, rest: list[str]) -> Iterator[_Reading]:
    if "editor" in persons:
        return
    fields: dict[str, str] = {}
    body = list(rest)
    if body and _YEAR_RE.match(_stop(body[-1])):
        fields["year"] = _stop(body.pop())
    if len(body) > 1 and ": " in body[-1] and "; " not in body[-1]:
        address, institution = _stop(body[-1]).split(": ", 1)
        if _YEAR_RE.match(address) or _PAGES.match(institution):
            return  # "2011: 193-208" is an article's source
        fields["address"], fields["institution"] = address, institution
        body.pop()
    number_at = next((i for i, s in enumerate(body) if s.startswith("Report No.: ")), None)
    if number_at is not None:
        if number_at != len(body) - 1:
            return
        fields["number"] = _stop(body.pop()[len("Report No.: "):])
    elif "institution" not in fields:
        return
    if body:
        fields["title"] = _title(body)
    yield _Reading("techreport", fields, persons)


def _book(persons: dict, rest: list[str]) -> Iterator[_Reading]:
    fields, body = _tail(rest)
    editors = None
    if "author" in persons and len(body) > 1:
        editors = re.match(r"^(.*), editors?\.$", body[-1])
    readers = dict(persons)
    if editors:
        names = names_source(editors.group(1), strict=False)
        if names:
            readers["editor"] = names
            body = body[:-1]
    if body:
        fields["title"] = _title(body)
    if not (set(fields) & {"publisher", "address", "edition"} or "editor" in readers):
        return  # nothing but a title and a year: read as misc
    yield _Reading("book", fields, readers)


def _misc(persons: dict, rest: list[str]) -> Iterator[_Reading]:
    fields: dict[str, str] = {}
    body = list(rest)
    pages = re.match(r"^p\. (\S+)\.$", body[-1])
    if pages and len(body) > 1:
        fields["pages"] = pages.group(1)
        body.pop()
    pub = _publication(_stop(body[-1]))
    if pub and ("year" in pub or "address" in pub):
        fields.update(pub)
        body.pop()
    if body:
        fields["title"] = _title(body)
    yield _Reading("misc", fields, persons)


# --------------------------------------------------------------------------
# Links and variants
# --------------------------------------------------------------------------

# The house forms first (exact), then the usual variants of blogs.
_LINK_TAILS = (
    ("doi", re.compile(r"(?:^|\s)doi:(\S+)$")),
    ("url", re.compile(r"(?:^|\s)Available from: (https?://\S+)$")),
    ("doi", re.compile(r"(?:^|\s)(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(10\.\S+?)\.?$",
                       re.IGNORECASE)),
    ("url", re.compile(r"(?:^|\s)(?:Available (?:from|at):?\s*|URL:?\s*)?<?(https?://\S+?)>?\.?$",
                       re.IGNORECASE)),
)


def _split_link(text: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Readings of the body and a trailing ``doi:...`` or ``Available from: URL``."""
    seen = set()
    for name, pattern in _LINK_TAILS:
        match = pattern.search(text)
        if match and tex_raw(match.group(1)) and (name, match.start()) not in seen:
            seen.add((name, match.start()))
            yield text[: match.start()].strip(), {name: match.group(1)}
    yield text, {}


def loose(text: str) -> str:
    """Words and numbers only: what a variant and the house form share."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?i)\b(?:doi:|https?://(?:dx\.)?doi\.org/|available (?:from|at):?)", "", text)
    return re.sub(r"[\W_]+", "", text.replace("\u2013", "-")).lower()


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------

# An article printed the usual other ways: "BMJ 2019;3:1-2." (journal and
# year in one block, no spaces).  Tried when the text reads only as a book.
_RUN_ON_SOURCE = re.compile(
    r"(?<=[^.?!]) ((?:19|20)\d\d[a-z]?)\s*;\s*([^:;]*?)\s*:\s*([\w\u2013-]+)\.(?=\s|$)"
)
_SPACED_SOURCE = re.compile(
    r"(?<=[.?!] )((?:19|20)\d\d[a-z]?)\s*;\s*([^:;]*?)\s*:\s*([\w\u2013-]+)\.(?=\s|$)"
)


def _variants(text: str) -> Iterator[str]:
    """The text rewritten from the usual blog variants towards the house form."""
    for sep_year, sep_pages in (("; ", ": "), (";", ":")):
        def house(match: re.Match, lead: str = "", sy: str = sep_year,
                  sp: str = sep_pages) -> str:
            year, volume, pages = match.groups()
            return f"{lead}{year}{sy}{volume}{sp}{pages}."
        yield _RUN_ON_SOURCE.sub(lambda m: house(m, ". "), text)
        yield _SPACED_SOURCE.sub(house, text)


def parse_reference(text: str) -> Reference:
    """Read one reference, its list number already removed."""
    text = " ".join(text.split())
    ref = _parse(text)
    if ref.verbatim or ref.type in ("book", "misc"):
        for variant in _variants(text):
            if variant == text:
                continue
            other = _parse(variant)
            if other.type == "article" and other.exact:
                other.text, other.exact = text, False
                return other
    return ref


def _parse(text: str) -> Reference:
    fallback: Reference | None = None
    for body, link in _split_link(text):
        segs = _BOUNDARY.split(body) if body else []
        for reading in _readings(segs, link):
            ref = _accept(text, reading, link)
            if ref is None:
                continue
            if ref.exact:
                return ref
            fallback = fallback or ref
    return fallback or verbatim(text)


def _accept(text: str, reading: _Reading, link: dict[str, str]) -> Reference | None:
    if not (reading.persons or "year" in reading.fields or link):
        return None  # a bare title is no reading: the text is kept verbatim instead
    fields = {}
    for name, value in reading.fields.items():
        encoded = tex(value)
        if encoded is None:
            return None
        if name == "pages":  # ranges as BibTeX writes them; printed with "-"
            encoded = re.sub(r"(?<=\w)-(?=\w)", "--", encoded)
        fields[name] = encoded
    fields.update(link)
    try:
        result = printed(to_entry(reading.type, fields, reading.persons))
    except Exception:  # noqa: BLE001  (a reading pybtex cannot hold is just not this one)
        return None
    if result == text:
        return Reference(text, reading.type, fields, reading.persons, exact=True, printed=result)
    if loose(result) == loose(text):
        return Reference(text, reading.type, fields, reading.persons, printed=result)
    return None


def verbatim(text: str) -> Reference:
    """The text as the title of a ``misc`` entry: printed as written, flagged."""
    value = tex(text.replace("{", "(").replace("}", ")")) or ""
    result = printed(to_entry("misc", {"title": value}, {}))
    return Reference(text, "misc", {"title": value}, {}, exact=result == text,
                     verbatim=True, printed=result)


__all__ = ["DOI_RESOLVER", "Reference", "bib_source", "parse_reference", "printed", "tex"]
