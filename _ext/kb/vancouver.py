"""The house citation style: Vancouver (NLM *Citing Medicine*) as the seed prints it.

The formatting is done by plain functions over a pybtex ``Entry`` rather than
pybtex's template language: the rules are few and fixed, the functions are
easy to test one by one, and formatting thousands of entries stays cheap (no
plugin look-ups or template trees per entry).  :class:`VancouverStyle` is the
thin pybtex adapter that ``bibtex_default_style = "vancouver"`` selects once
:func:`register` has run.

Public API:

* :class:`VancouverStyle` -- pybtex formatting style (``format_entry``).
* :func:`register` -- register the style as the pybtex plugin ``vancouver``.
* :func:`format_entry_text` -- one entry as ``pybtex.richtext.Text``.
* :func:`format_person` / :func:`format_names` -- NLM person lists.
* :func:`latex_to_text` -- TeX field value to plain Unicode text.
* :func:`entry_fingerprint` -- stable hash to detect changed entries.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
from pybtex.database import Entry, Person
from pybtex.plugin import register_plugin
from pybtex.richtext import HRef, String, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle

__all__ = [
    "MAX_NAMES",
    "VancouverStyle",
    "entry_fingerprint",
    "format_entry_text",
    "format_names",
    "format_person",
    "latex_to_text",
    "register",
]

PLUGIN_GROUP = "pybtex.style.formatting"
PLUGIN_NAME = "vancouver"
#: NLM lists the first six persons, then "et al.".
MAX_NAMES = 6
DOI_RESOLVER = "https://doi.org/"

# --------------------------------------------------------------------------
# TeX to text
# --------------------------------------------------------------------------

# Characters that may need TeX decoding; a value without any of them is
# returned as it is (after whitespace clean-up), which is the common case.
_TEX_TRIGGERS = re.compile(r"[\\{}$~%]|--|``|''")
# ``\ifmmode <math> \else <text> \fi`` (Turing Way names such as G\'omez-P\'erez):
# keep the text branch.  The branches hold at most one level of braces.  The
# token alternatives cannot overlap (possessive quantifiers), so a stray
# ``\ifmmode`` without ``\fi`` fails in linear time, not exponential.
_TEX_TOKEN = r"(?:[^{}\\]|\\[A-Za-z]++\s*+|\\[^A-Za-z]|\{[^{}]*+\})"
_IFMMODE = re.compile(
    rf"\\ifmmode(?![A-Za-z])\s*+{_TEX_TOKEN}*?"
    rf"\\else(?![A-Za-z])\s*+({_TEX_TOKEN}*?)\s*\\fi(?![A-Za-z])\s*"
)
# Dotless i/j appear under accents (``\'{\i}``); latexcodec only composes the
# accent with a plain letter.
_DOTLESS_AFTER_COMMAND = re.compile(r"(\\[A-Za-z]+)\s*\\([ij])(?![A-Za-z])\s*")
_DOTLESS = re.compile(r"\\([ij])(?![A-Za-z])\s*")
# A bare % is a TeX comment to latexcodec; in bib data it is a per cent sign.
_BARE_PERCENT = re.compile(r"(?<!\\)%")
# Commands latexcodec leaves alone, mapped to text.
_EXTRA_COMMANDS = {
    "textquoteright": "\u2019",
    "textquoteleft": "\u2018",
    "textquotedblleft": "\u201c",
    "textquotedblright": "\u201d",
    "dots": "\u2026",
    "textellipsis": "\u2026",
    "textasciicircum": "^",
}
_EXTRA_RE = re.compile(r"\\(" + "|".join(_EXTRA_COMMANDS) + r")(?![A-Za-z])\s*(?:\{\})?")
_LEFTOVER_COMMAND = re.compile(r"\\[A-Za-z]+\*?\s*")
_LEFTOVER_SYMBOL = re.compile(r"\\(.)")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=16384)
def latex_to_text(value: str) -> str:
    r"""Turn a BibTeX field value into plain Unicode text.

    TeX accents become Unicode (``M{\"u}ller`` -> ``Müller``), ``\&`` becomes
    ``&``, unknown commands and all braces are dropped, and whitespace
    (including ``~``) collapses to single spaces.  Never raises: text that
    latexcodec cannot decode is cleaned without it.  Cached because names
    and journal titles repeat across a bibliography.
    """
    if not _TEX_TRIGGERS.search(value):
        return _SPACES.sub(" ", value).strip()
    text = value
    for escape, placeholder in _KEPT_ESCAPES:
        text = text.replace(escape, placeholder)
    text = _IFMMODE.sub(r"\1", text)
    text = _DOTLESS_AFTER_COMMAND.sub(r"\1 \2", text)  # \u\i -> \u i
    text = _DOTLESS.sub(r"\1", text)
    text = _BARE_PERCENT.sub(r"\\%", text)
    text = _EXTRA_RE.sub(lambda m: _EXTRA_COMMANDS[m.group(1)], text)
    with contextlib.suppress(UnicodeError, ValueError, IndexError):  # malformed: clean as is
        text = codecs.decode(text, "ulatex")  # type: ignore[call-overload]  # str to str
    text = _LEFTOVER_COMMAND.sub("", text)
    text = _LEFTOVER_SYMBOL.sub(r"\1", text)
    for char in "{}$\\":
        text = text.replace(char, "")
    for escape, placeholder in _KEPT_ESCAPES:
        text = text.replace(placeholder, _KEPT_TEXT[escape])
    return _SPACES.sub(" ", text).strip()


# Escaped TeX specials that must survive the brace and dollar stripping; they
# travel through decoding as private-use characters.
_KEPT_ESCAPES = (
    ("\\textbackslash{}", "\ue000"), ("\\textbackslash", "\ue000"),
    ("\\$", "\ue001"), ("\\{", "\ue002"), ("\\}", "\ue003"),
)
_KEPT_TEXT = {
    "\\textbackslash{}": "\\", "\\textbackslash": "\\", "\\$": "$", "\\{": "{", "\\}": "}",
}


def _field(entry: Entry, name: str) -> str:
    """A field as plain text, ``""`` when absent or empty."""
    value = entry.fields.get(name)
    return latex_to_text(value) if value else ""


def _raw(entry: Entry, name: str) -> str:
    """A field without TeX decoding (URLs, DOIs), braces and escapes removed."""
    value = entry.fields.get(name)
    if not value:
        return ""
    value = re.sub(r"\\(?:url|href)\s*", "", value)
    value = re.sub(r"\\([_%&#~$])", r"\1", value)
    return value.replace("{", "").replace("}", "").strip()


# --------------------------------------------------------------------------
# Persons
# --------------------------------------------------------------------------

_INITIAL_SPLIT = re.compile(r"[\s.\-\u2010\u2011\u2013]+")


def _initials(names: Sequence[str]) -> str:
    """``Ronald A.`` -> ``RA``, ``Jean-Paul`` -> ``JP``, ``E.P.`` -> ``EP``.

    A one- or two-letter all-capitals token is taken as initials already
    written (``Martin, GP``) rather than as a name.
    """
    out: list[str] = []
    for name in names:
        for piece in _INITIAL_SPLIT.split(latex_to_text(name)):
            if not piece:
                continue
            if len(piece) <= 2 and piece.isalpha() and piece.isupper():
                out.append(piece)
                continue
            letter = next((ch for ch in piece if ch.isalpha()), "")
            out.append(letter.upper())
    return "".join(out)


def _is_others(person: Person) -> bool:
    """BibTeX's ``and others`` marker."""
    return (
        person.last_names == ["others"]
        and not person.first_names
        and not person.middle_names
        and not person.prelast_names
        and not person.lineage_names
    )


_SUFFIX = re.compile(r"^(?:Jr|Sr|II|III|IV)\.?$")


def format_person(person: Person) -> str:
    """One person the NLM way: ``van der Berg A``, ``King ML Jr``.

    A corporate author written in braces (``{World Health Organisation}``,
    ``{Laming, Lord}``) has no first names and is printed whole.  A suffix
    written into the surname (``Harrell Jr., Frank E.``, ``Daum{\\'e} III,
    Hal``) is moved after the initials; NLM prints suffixes without a stop.
    """
    last = list(person.last_names)
    lineage = list(person.lineage_names)
    if len(last) > 1 and _SUFFIX.match(last[-1]):
        lineage.insert(0, last.pop())
    surname = latex_to_text(" ".join(person.prelast_names + last))
    initials = _initials(person.first_names + person.middle_names)
    suffix = " ".join(latex_to_text(part).rstrip(".") for part in lineage)
    return " ".join(part for part in (surname, initials, suffix) if part)


def format_names(persons: Sequence[Person]) -> str:
    """Persons joined by ``, ``; after six, or at ``and others``, ``et al.``."""
    truncated = bool(persons) and _is_others(persons[-1])
    people = list(persons[:-1] if truncated else persons)
    if len(people) > MAX_NAMES:
        people = people[:MAX_NAMES]
        truncated = True
    names = [name for name in map(format_person, people) if name]
    if truncated and names:
        names.append("et al.")
    return ", ".join(names)


def _editors(entry: Entry) -> str:
    """``Soothill K, Henry C, editors`` (``editor`` for one), or ``""``."""
    persons = entry.persons.get("editor", [])
    names = format_names(persons)
    if not names:
        return ""
    one = len(persons) == 1 and not _is_others(persons[0])
    return f"{names}, {'editor' if one else 'editors'}"


# --------------------------------------------------------------------------
# Other field helpers
# --------------------------------------------------------------------------

_DASHES = re.compile(r"\s*(?:-{2,3}|\\textendash\s*|\\textemdash\s*|[\u2013\u2014])\s*")
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_EDITION_WORD = re.compile(r"[\s.,]*\b(?:edition|edn|ed)\b\.?$", re.IGNORECASE)
_YEAR_IN_DATE = re.compile(r"^\s*(\d{4})")


def _pages(entry: Entry) -> str:
    """Pages as written, ``--`` or an en dash printed as ``-``."""
    value = entry.fields.get("pages")
    if not value:
        return ""
    return latex_to_text(_DASHES.sub("-", value))


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _edition(entry: Entry) -> str:
    """``2`` / ``Second`` / ``2nd edition`` -> ``2nd ed.``."""
    text = _EDITION_WORD.sub("", _field(entry, "edition")).strip()
    if not text:
        return ""
    if text.isdigit():
        text = _ordinal(int(text))
    elif text.lower() in _ORDINAL_WORDS:
        text = _ordinal(_ORDINAL_WORDS[text.lower()])
    return f"{text} ed."


def _year(entry: Entry) -> str:
    """``year``, else the year of a biblatex ``date``."""
    year = _field(entry, "year")
    if year:
        return year
    match = _YEAR_IN_DATE.match(entry.fields.get("date", ""))
    return match.group(1) if match else ""


def _doi(entry: Entry) -> str:
    """The bare DOI, without a resolver URL or ``doi:`` prefix."""
    doi = _raw(entry, "doi")
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)
    return doi.strip()


def _url(entry: Entry) -> str:
    url = _raw(entry, "url")
    if not url:  # web sources often put the URL in howpublished
        howpublished = _raw(entry, "howpublished")
        if re.match(r"https?://\S+$", howpublished):
            url = howpublished
    return url.split()[0] if url else ""


def _sentence(text: str) -> str:
    """End a block with one full stop; ``?``, ``!`` and ``.`` need none.

    Trailing ``,;:`` left by the bib data are dropped first so that a block
    never ends ``:.``.
    """
    text = text.rstrip(" ,;:")
    if not text or text.endswith((".", "?", "!")):
        return text
    return text + "."


def _place_publisher(address: str, publisher: str) -> str:
    """``Address: Publisher``, or whichever of the two exists."""
    if address and publisher:
        return f"{address}: {publisher}"
    return address or publisher


def _publication(address: str, publisher: str, year: str) -> str:
    """``Address: Publisher; Year`` with missing parts left out."""
    return "; ".join(part for part in (_place_publisher(address, publisher), year) if part)


def _lead(entry: Entry, *, organization: bool = False) -> str:
    """The first block: authors, else editors, else (optionally) organization.

    NLM prints an organization that is both author and publisher twice
    (``World Health Organization. Title. Geneva: World Health Organization``).
    """
    authors = format_names(entry.persons.get("author", []))
    if authors:
        return authors
    editors = _editors(entry)
    if editors or not organization:
        return editors
    return _field(entry, "organization")


def _publisher(entry: Entry) -> str:
    """``publisher``, else ``organization`` (manuals, proceedings, web pages)."""
    return _field(entry, "publisher") or _field(entry, "organization")


def _titled(title: str, label: str) -> str:
    """``Title [label]`` (``[label]`` alone without a title)."""
    return f"{title} [{label}]" if title else f"[{label}]"


# --------------------------------------------------------------------------
# Entry types: each returns the blocks of the entry; each block gets its
# own full stop, and blocks are joined by single spaces.
# --------------------------------------------------------------------------

Blocks = list[str]


def _article(entry: Entry) -> Blocks:
    """``Authors. Title. Journal. Year; Volume(Number): Pages.``"""
    lead = _lead(entry)
    volume, number = _field(entry, "volume"), _field(entry, "number")
    issue = volume + (f"({number})" if number else "")
    source = "; ".join(part for part in (_year(entry), issue) if part)
    pages = _pages(entry)
    if pages:
        source = f"{source}: {pages}" if source else f"p. {pages}"
    journal = _field(entry, "journal") or _field(entry, "journaltitle")
    return [lead, _field(entry, "title"), journal, source]


def _book(entry: Entry) -> Blocks:
    """``Authors. Title. Edition ed. Address: Publisher; Year.``

    An edited book without authors starts with the editors; a book with both
    lists the editors after the title, as NLM does.
    """
    lead = _lead(entry, organization=True)
    authored = bool(entry.persons.get("author"))
    publisher = _publisher(entry)
    return [
        lead,
        _field(entry, "title"),
        _editors(entry) if authored else "",
        _edition(entry),
        _publication(_field(entry, "address"), publisher, _year(entry)),
    ]


def _chapter(entry: Entry) -> Blocks:
    """``Authors. Title. In: Editors, editors. Book title. Address: Publisher; Year. p. Pages.``

    Also used for ``inproceedings`` (the book title is the proceedings).  A
    BibTeX ``inbook`` without ``booktitle`` has the book as its title and a
    ``chapter`` number instead.
    """
    booktitle = _field(entry, "booktitle")
    if entry.type.lower() == "inbook" and not booktitle:
        blocks = _book(entry)
        chapter = _field(entry, "chapter")
        pages = _pages(entry)
        return [
            *blocks,
            f"Chapter {chapter}" if chapter else "",
            f"p. {pages}" if pages else "",
        ]
    authors = format_names(entry.persons.get("author", []))
    in_parts = [part for part in (_editors(entry), booktitle) if part]
    in_block = "In: " + " ".join(_sentence(part) for part in in_parts) if in_parts else ""
    publisher = _publisher(entry)
    pages = _pages(entry)
    return [
        authors,
        _field(entry, "title"),
        in_block,
        _edition(entry),
        _publication(_field(entry, "address"), publisher, _year(entry)),
        f"p. {pages}" if pages else "",
    ]


def _thesis(label: str) -> Callable[[Entry], Blocks]:
    def thesis(entry: Entry) -> Blocks:
        """``Author. Title [label]. Address: School; Year.``"""
        lead = _lead(entry)
        school = _field(entry, "school") or _field(entry, "institution")
        return [
            lead,
            _titled(_field(entry, "title"), label),
            _publication(_field(entry, "address"), school, _year(entry)),
        ]

    return thesis


def _report(entry: Entry) -> Blocks:
    """``Author. Title. Address: Institution. Year.`` (the seed's entry 12)."""
    lead = _lead(entry)
    number = _field(entry, "number")
    institution = _field(entry, "institution") or _field(entry, "publisher")
    return [
        lead,
        _field(entry, "title"),
        f"Report No.: {number}" if number else "",
        _place_publisher(_field(entry, "address"), institution),
        _year(entry),
    ]


def _misc(entry: Entry) -> Blocks:
    """``Author. Title. How published. Address: Publisher; Year.``"""
    lead = _lead(entry, organization=True)
    howpublished = _field(entry, "howpublished")
    if _url(entry) and re.match(r"https?://", howpublished):
        howpublished = ""  # printed as the link instead
    publisher = _publisher(entry)
    return [
        lead,
        _field(entry, "title"),
        howpublished,
        _publication(_field(entry, "address"), publisher, _year(entry)),
    ]


def _online(entry: Entry) -> Blocks:
    """``Author. Title [Internet]. Publisher; Year [cited Date].`` (NLM web page)."""
    lead = _lead(entry, organization=True)
    publisher = _publisher(entry)
    year = _year(entry)
    cited = _field(entry, "urldate")
    if cited:
        year = f"{year} [cited {cited}]" if year else f"[cited {cited}]"
    return [
        lead,
        _titled(_field(entry, "title"), "Internet"),
        _publication(_field(entry, "address"), publisher, year),
    ]


def _unpublished(entry: Entry) -> Blocks:
    """``Author. Title. How published. Year.``"""
    lead = _lead(entry)
    return [lead, _field(entry, "title"), _field(entry, "howpublished"), _year(entry)]


_FORMATTERS: dict[str, Callable[[Entry], Blocks]] = {
    "article": _article,
    "book": _book,
    "proceedings": _book,
    "collection": _book,
    "manual": _book,
    "incollection": _chapter,
    "inbook": _chapter,
    "inproceedings": _chapter,
    "conference": _chapter,
    "phdthesis": _thesis("dissertation"),
    "mastersthesis": _thesis("master's thesis"),
    "techreport": _report,
    "report": _report,
    "online": _online,
    "unpublished": _unpublished,
    "misc": _misc,
}


def format_entry_text(entry: Entry) -> Text:
    """Format one entry as rich text (links for DOI and URL).

    Unknown entry types are formatted like ``misc``.  Missing fields are
    left out together with their punctuation, so the result never has
    ``..``, ``()`` or a dangling ``In:``.
    """
    blocks = _FORMATTERS.get(entry.type.lower(), _misc)(entry)
    body = " ".join(filter(None, map(_sentence, blocks)))
    parts: list[str | HRef] = [body]
    doi = _doi(entry)
    url = _url(entry)
    link_sep = " " if body else ""
    if doi:
        parts += [link_sep, HRef(DOI_RESOLVER + doi, String(f"doi:{doi}"))]
    elif url:
        parts += [f"{link_sep}Available from: ", HRef(url, String(url))]
    return Text(*parts)


# --------------------------------------------------------------------------
# Change detection
# --------------------------------------------------------------------------


def entry_fingerprint(entry: Entry) -> str:
    """A stable hash of an entry's type, fields and persons.

    Field names are case-insensitive in BibTeX, so they are lower-cased; the
    citation key is not included (it is what the fingerprint is stored
    under).  Used to re-read only the essays whose cited entries changed.
    """
    payload = {
        "type": entry.type.lower(),
        "fields": sorted((name.lower(), value) for name, value in entry.fields.items()),
        "persons": sorted(
            (role.lower(), [str(person) for person in persons])
            for role, persons in entry.persons.items()
        ),
    }
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()


# --------------------------------------------------------------------------
# pybtex plugin
# --------------------------------------------------------------------------


class VancouverStyle(BaseStyle):
    """pybtex formatting style ``vancouver``: numbered, in citation order."""

    default_name_style = "plain"  # required by BaseStyle, unused here
    default_label_style = "number"
    default_sorting_style = "none"

    def format_entry(self, label: str, entry: Entry, bib_data: object = None) -> FormattedEntry:
        """Format ``entry`` directly, skipping pybtex's template machinery."""
        return FormattedEntry(entry.key, format_entry_text(entry), label)


def register() -> None:
    """Make ``bibtex_default_style = "vancouver"`` find :class:`VancouverStyle`.

    A runtime registration, so pybtex's ``find_plugin`` returns it without
    scanning package entry points.  ``force=True`` makes repeated calls (and
    a reloaded module) idempotent: the current class always wins.
    """
    register_plugin(PLUGIN_GROUP, PLUGIN_NAME, VancouverStyle, force=True)
