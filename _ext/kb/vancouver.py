"""The house citation style: Vancouver (NLM *Citing Medicine*) as the seed prints it.

The formatting is done by plain functions over a pybtex ``Entry`` rather than
pybtex's template language: the rules are few and fixed, the functions are
easy to test one by one, and formatting thousands of entries stays cheap (no
plugin look-ups or template trees per entry).  :class:`VancouverStyle` is the
thin pybtex adapter that ``bibtex_default_style = "vancouver"`` selects once
:func:`register` has run.

The printed forms
-----------------

A reference is a sequence of blocks, each ending in one full stop (none is
added after ``?``, ``!`` or ``.``), joined by single spaces; a missing field
drops its block or part with its punctuation.  ``[Internet]`` (:data:`INTERNET`)
and ``[cited 2024 Mar 1]`` (:data:`CITED`) appear only for material
consulted online (:func:`is_online`).  The link comes last, without a full
stop: ``doi:10.1/x`` (:data:`DOI_PREFIX`) or, without a DOI,
``Available from: https://...`` (:data:`AVAILABLE_FROM`).

* article: ``Authors. Title. Journal [Internet]. Year [cited D]; Volume(Issue): Pages.``
  (``Year: Pages`` without volume or issue; ``p. Pages`` without a year).
  The seed's spacing ``2009; 62(11): 1735-61`` is the house's; NLM writes
  ``2009;62(11):1735-61``.  Pages are printed as written (not elided or
  expanded) with any dash as one hyphen.  The journal is ``shortjournal``
  if given, without full stops (:func:`journal_title`).  A journal article
  with a DOI is not ``[Internet]``.
* book (also manual, proceedings, collection): ``Authors. Title [Internet].
  Editors, editors. 2nd ed. Vol. 2. Address: Publisher; Year [cited D].
  (Series; no. 8).``  Without authors, the editors lead (then an
  ``organization``).
* chapter (incollection, inproceedings, inbook with ``booktitle``):
  ``Authors. Title. In: Editors, editors. Book title [Internet]. 2nd ed.
  Address: Publisher; Year [cited D]. p. Pages. (Series).``  An inbook
  without ``booktitle`` is its book's form followed by ``Chapter N. p. Pages.``
* thesis: ``Author. Title [dissertation] [Internet]. Address: School; Year [cited D].``
  (``[master's thesis]``, :data:`THESIS_LABELS`).
* report (techreport, report) with a number: ``Author. Title [Internet].
  Address: Institution; Year [cited D]. (Series). Report No.: N.``
  (:data:`REPORT_NUMBER`); without a number, the seed's entry 12:
  ``Author. Title. Address: Institution. Year.``
* web page (online, and misc with a URL, as Zotero exports one):
  ``Author. Title [Internet]. Address: Publisher; Year [cited D].`` or, with
  a site named in ``journal``/``booktitle``, ``Author. Title. Site [Internet].
  Year [cited D].``  Misc also prints ``howpublished``, an edition and
  ``p. Pages``.
* periodical: ``Editors, editor. Title [Internet]. Issue title. Year; Volume(Issue).``
* unpublished: ``Author. Title [Internet]. How published. Year.``

Names: ``Surname Initials Suffix`` (``King ML Jr``), six then ``et al.``
(:data:`MAX_NAMES`); lower-case particles before the surname (``van der
Ploeg JL``, also when written after the given names); a braced corporate
name whole.  Dates: ``[cited 2024 Mar 1]`` (:func:`nlm_date`, :data:`MONTHS`)
from ``urldate`` or from "accessed ..." in ``note`` (:func:`access_date`).
``location`` is read as ``address``, ``issue`` as ``number`` of an article.

Public API:

* :class:`VancouverStyle` -- pybtex formatting style (``format_entry``).
* :func:`register` -- register the style as the pybtex plugin ``vancouver``.
* :func:`format_entry_text` -- one entry as ``pybtex.richtext.Text``.
* :func:`format_person` / :func:`format_names` -- NLM person lists.
* :func:`latex_to_text` -- TeX field value to plain Unicode text.
* :data:`entry_fingerprint` -- stable hash to detect changed entries
  (computed once per entry object).
* :func:`is_online`, :func:`access_date`, :func:`parse_access_date`,
  :func:`nlm_date`, :func:`journal_title`, :func:`split_trailing_particles`
  and the label constants -- the rules above, for a parser of the printed
  form (the inverse of this module) to share.
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
from pybtex.style.labels.number import LabelStyle as NumberLabels
from pybtex.style.names.plain import NameStyle as PlainNames
from pybtex.style.sorting.none import SortingStyle as NoSorting

from .memo import PerObject

__all__ = [
    "AVAILABLE_FROM",
    "BOOK_VOLUME",
    "CITED",
    "DOI_PREFIX",
    "INTERNET",
    "MAX_NAMES",
    "MONTHS",
    "REPORT_NUMBER",
    "SERIES_NUMBER",
    "THESIS_LABELS",
    "VancouverStyle",
    "access_date",
    "entry_fingerprint",
    "format_entry_text",
    "format_names",
    "format_person",
    "is_online",
    "journal_title",
    "latex_to_text",
    "nlm_date",
    "parse_access_date",
    "register",
    "split_trailing_particles",
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


def split_trailing_particles(given: Sequence[str]) -> tuple[list[str], list[str]]:
    """Given names and the lower-case particles written after them.

    ``Ploeg, Jan-Lucas van der`` and ``Buuren, Stef van`` put the particle
    after the given names, where BibTeX takes it for a given name (``Ploeg
    JLVD``).  NLM keeps a lower-case particle before the surname as the
    name is written (``van der Ploeg JL``, like ``van der Ploeg, Jan-Lucas``),
    so trailing lower-case words after a capitalised given name move there.
    A name written all in lower case (``brown, adrienne maree``) is left
    as written.
    """
    names = list(given)
    if not names or not latex_to_text(names[0])[:1].isupper():
        return names, []
    cut = len(names)
    while cut > 1 and latex_to_text(names[cut - 1])[:1].islower():
        cut -= 1
    return names[:cut], names[cut:]


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
    given, particles = split_trailing_particles(person.first_names + person.middle_names)
    surname = latex_to_text(" ".join(particles + person.prelast_names + last))
    initials = _initials(given)
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

#: Any run of dashes or spaces-around-a-hyphen between two page numbers.
_DASHES = re.compile(
    r"\s*(?:\\textendash|\\textemdash|[-\u2010-\u2015])"
    r"(?:\s*(?:\\textendash|\\textemdash|[-\u2010-\u2015]))*\s*"
)
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_EDITION_WORD = re.compile(r"[\s.,]*\b(?:edition|edn|ed)\b\.?$", re.IGNORECASE)
_YEAR_IN_DATE = re.compile(r"^\s*(\d{4})")

#: NLM's month abbreviations (no full stops), used in ``[cited 2024 Mar 1]``.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FULL_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_MONTH_NAMES = {
    name: number
    for number, (abbreviation, full) in enumerate(zip(MONTHS, _FULL_MONTHS, strict=True), start=1)
    for name in (abbreviation.lower(), full)
} | {"sept": 9}
#: The label of material consulted online: ``Title [Internet]``.
INTERNET = "Internet"
#: ``[cited 2024 Mar 1]``: when online material was consulted.
CITED = "cited"
#: Printed before a URL when the entry has no DOI.
AVAILABLE_FROM = "Available from: "
#: Printed before a DOI (which links to :data:`DOI_RESOLVER`).
DOI_PREFIX = "doi:"
#: ``Report No.: GW-2018-123``, the last block of a numbered report.
REPORT_NUMBER = "Report No.: "
#: ``Vol. 2``: the volume of a book (a journal's volume is in its source).
BOOK_VOLUME = "Vol. "
#: ``(Series title; no. 8)``: a series and the number in it.
SERIES_NUMBER = "no. "
#: Labels after a thesis title: ``Title [dissertation]``.
THESIS_LABELS = {"phdthesis": "dissertation", "mastersthesis": "master's thesis"}


def _pages(entry: Entry) -> str:
    """Pages as written, any dash (``--``, ``–``, ``–-``, `` - ``) printed as ``-``."""
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


def _address(entry: Entry) -> str:
    """``address``, or biblatex's ``location`` (the same thing)."""
    return _field(entry, "address") or _field(entry, "location")


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


def is_online(entry: Entry) -> bool:
    """Whether the entry is cited as material consulted online (NLM).

    Every ``@online`` entry, and any entry whose URL is printed: one with a
    ``url`` (or a web address in ``howpublished``) and no ``doi``.  With a
    DOI the house prints the DOI instead of the URL, so the work is cited as
    published (a journal article with a DOI is not "[Internet]" in NLM
    either).  Such entries get :data:`INTERNET` and, when an access date is
    known, ``[cited ...]``.
    """
    return entry.type.lower() == "online" or bool(_url(entry) and not _doi(entry))


_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_ACCESSED = re.compile(r"\baccessed\b\s*(?:on\s*)?:?\s*(.+?)[\s\].;]*$", re.IGNORECASE)


def nlm_date(year: int, month: int | None = None, day: int | None = None) -> str:
    """``2024 Mar 1`` (``2024 Mar``, ``2024``): NLM's date form."""
    parts = [str(year)]
    if month and 1 <= month <= 12:
        parts.append(MONTHS[month - 1])
        if day:
            parts.append(str(day))
    return " ".join(parts)


def parse_access_date(text: str) -> str:
    """An access date written in any common way, as ``2024 Mar 1``.

    ISO (``2024-03-01``), day first (``1 March 2024``, ``19. Nov. 2020``,
    ``3-May-2020``) or month first (``March 1, 2024``).  Text that is not a
    recognisable date is returned as written (whitespace tidied), so
    nothing staff wrote is lost.
    """
    text = text.strip()
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        year, month, day = iso.groups()
        return nlm_date(int(year), int(month) if month else None, int(day) if day else None)
    words = [word for word in re.split(r"[\s.,\-/]+", text) if word]
    years = [int(word) for word in words if re.fullmatch(r"\d{4}", word)]
    days = [int(word) for word in words if re.fullmatch(r"\d{1,2}", word)]
    months = [_MONTH_NAMES[word.lower()] for word in words if word.lower() in _MONTH_NAMES]
    if len(years) == 1 and len(months) == 1 and len(days) <= 1 and len(words) <= 4:
        return nlm_date(years[0], months[0], days[0] if days else None)
    return _SPACES.sub(" ", text)


def access_date(entry: Entry) -> str:
    """When the work was consulted, as ``2024 Mar 1``, or ``""``.

    From ``urldate`` (biblatex, and Zotero's export), else from the words
    after "accessed" in ``note`` (``Accessed 1 March 2024``, ``[Online;
    accessed 3-May-2020]``, as Wikipedia's and Google Scholar's exports
    write it).
    """
    urldate = _field(entry, "urldate")
    if urldate:
        return parse_access_date(urldate)
    found = _ACCESSED.search(_field(entry, "note"))
    return parse_access_date(found.group(1)) if found else ""


_STOP_NOT_DECIMAL = re.compile(r"(?<!\d)\.|\.(?!\d)")


def journal_title(entry: Entry) -> str:
    """The journal, as NLM abbreviates: without full stops.

    ``shortjournal`` (biblatex; Zotero's "Journal Abbr") is preferred to
    ``journal``/``journaltitle`` when present, as CSL's NLM style does.
    Full stops are dropped (``Am. J. Epidemiol.`` -> ``Am J Epidemiol``,
    ``U.S.A.`` -> ``USA``) except a decimal point between digits
    (``arXiv:2011.01808``).
    """
    title = (
        _field(entry, "shortjournal")
        or _field(entry, "journalabbreviation")
        or _field(entry, "journal")
        or _field(entry, "journaltitle")
    )
    return _SPACES.sub(" ", _STOP_NOT_DECIMAL.sub("", title)).strip()


def _close_block(text: str) -> str:
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


def _dated(entry: Entry) -> str:
    """The year, followed by ``[cited 2024 Mar 1]`` for online material."""
    year = _year(entry)
    cited = access_date(entry) if is_online(entry) else ""
    if not cited:
        return year
    return f"{year} [{CITED} {cited}]" if year else f"[{CITED} {cited}]"


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


def _titled(title: str, *labels: str) -> str:
    """``Title [label] [label]``, the labels alone without a title."""
    tags = " ".join(f"[{label}]" for label in labels if label)
    if tags:  # ``Wikiquote, [Internet]``: punctuation the title ended with goes
        title = title.rstrip(" ,;:")
    return " ".join(part for part in (title, tags) if part)


def _internet(entry: Entry) -> str:
    """:data:`INTERNET` for online material, else ``""``."""
    return INTERNET if is_online(entry) else ""


def _book_volume(entry: Entry) -> str:
    """``Vol. 2`` (a word such as ``II`` is printed as written)."""
    volume = _field(entry, "volume")
    return f"{BOOK_VOLUME}{volume}" if volume else ""


def _series(entry: Entry, *, numbered: bool = True) -> str:
    """``(Series; no. 8)``, ``(Series)``, or ``""``: NLM's last block of a book.

    ``numbered`` is false where ``number`` means something else (a report).
    """
    series = _field(entry, "series")
    if not series:
        return ""
    number = _field(entry, "number") if numbered else ""
    if number:
        label = SERIES_NUMBER if number[:1].isdigit() else ""
        series = f"{series}; {label}{number}"
    return f"({series})"


# --------------------------------------------------------------------------
# Entry types: each returns the blocks of the entry; each block gets its
# own full stop, and blocks are joined by single spaces.
# --------------------------------------------------------------------------

Blocks = list[str]


def _article(entry: Entry) -> Blocks:
    """``Authors. Title. Journal [Internet]. Year [cited D]; Volume(Issue): Pages.``

    The issue is ``number``, else biblatex's ``issue``.
    """
    lead = _lead(entry)
    volume = _field(entry, "volume")
    number = _field(entry, "number") or _field(entry, "issue")
    issue = volume + (f"({number})" if number else "")
    source = "; ".join(part for part in (_dated(entry), issue) if part)
    pages = _pages(entry)
    if pages:
        source = f"{source}: {pages}" if source else f"p. {pages}"
    title, journal = _field(entry, "title"), journal_title(entry)
    if journal:
        journal = _titled(journal, _internet(entry))
    else:  # a preprint or web article: the label follows the title
        title = _titled(title, _internet(entry))
    return [lead, title, journal, source]


def _book(entry: Entry) -> Blocks:
    """``Authors. Title [Internet]. Editors. Edition. Vol. V. Address: Publisher; Year. (Series).``

    An edited book without authors starts with the editors; a book with both
    lists the editors after the title, as NLM does.
    """
    lead = _lead(entry, organization=True)
    authored = bool(entry.persons.get("author"))
    publisher = _publisher(entry)
    return [
        lead,
        _titled(_field(entry, "title"), _internet(entry)),
        _editors(entry) if authored else "",
        _edition(entry),
        _book_volume(entry),
        _publication(_address(entry), publisher, _dated(entry)),
        _series(entry),
    ]


def _chapter(entry: Entry) -> Blocks:
    """``Authors. Title. In: Editors. Book title [Internet]. Address: Publisher; Year. p. Pages.``

    Also used for ``inproceedings`` (the book title is the proceedings).  A
    BibTeX ``inbook`` without ``booktitle`` has the book as its title and a
    ``chapter`` number instead.
    """
    booktitle = _field(entry, "booktitle")
    if entry.type.lower() == "inbook" and not booktitle:
        blocks = _book(entry)
        series = blocks.pop()
        chapter = _field(entry, "chapter")
        pages = _pages(entry)
        return [
            *blocks,
            f"Chapter {chapter}" if chapter else "",
            f"p. {pages}" if pages else "",
            series,
        ]
    authors = format_names(entry.persons.get("author", []))
    in_parts = [part for part in (_editors(entry), _titled(booktitle, _internet(entry))) if part]
    in_block = "In: " + " ".join(_close_block(part) for part in in_parts) if in_parts else ""
    publisher = _publisher(entry)
    pages = _pages(entry)
    return [
        authors,
        _field(entry, "title"),
        in_block,
        _edition(entry),
        _publication(_address(entry), publisher, _dated(entry)),
        f"p. {pages}" if pages else "",
        _series(entry),
    ]


def _thesis(label: str) -> Callable[[Entry], Blocks]:
    def thesis(entry: Entry) -> Blocks:
        """``Author. Title [label] [Internet]. Address: School; Year.``"""
        lead = _lead(entry)
        school = _field(entry, "school") or _field(entry, "institution")
        return [
            lead,
            _titled(_field(entry, "title"), label, _internet(entry)),
            _publication(_address(entry), school, _dated(entry)),
        ]

    return thesis


def _report(entry: Entry) -> Blocks:
    """``Author. Title [Internet]. Address: Institution; Year. (Series). Report No.: N.``

    Without a number, the seed's own form (its entry 12, Lord Laming's
    report): ``Author. Title. Address: Institution. Year.``
    """
    lead = _lead(entry)
    number = _field(entry, "number")
    institution = _field(entry, "institution") or _field(entry, "publisher")
    title = _titled(_field(entry, "title"), _internet(entry))
    series = _series(entry, numbered=False)
    if not number:
        return [lead, title, _place_publisher(_address(entry), institution), _dated(entry),
                series]
    return [
        lead,
        title,
        _publication(_address(entry), institution, _dated(entry)),
        series,
        f"{REPORT_NUMBER}{number}",
    ]


def _misc(entry: Entry) -> Blocks:
    """``Author. Title [Internet]. How published. Address: Publisher; Year [cited D]. p. Pages.``

    Zotero exports a web page as ``@misc`` with ``url`` and ``urldate``: it
    prints as a web page (:func:`is_online`).  A site or collection named
    in ``journal`` or ``booktitle`` follows the title and takes the label:
    ``Title. Site name [Internet]. Year [cited D].``
    """
    lead = _lead(entry, organization=True)
    howpublished = _field(entry, "howpublished")
    if _url(entry) and re.match(r"https?://", howpublished):
        howpublished = ""  # printed as the link instead
    publisher = _publisher(entry) or _field(entry, "institution")
    title = _field(entry, "title")
    container = (_field(entry, "journal") or _field(entry, "journaltitle")
                 or _field(entry, "booktitle"))
    if container:
        container = _titled(container, _internet(entry))
    else:
        title = _titled(title, _internet(entry))
    pages = _pages(entry)
    return [
        lead,
        title,
        container,
        howpublished,
        _edition(entry),
        _publication(_address(entry), publisher, _dated(entry)),
        f"p. {pages}" if pages else "",
    ]


def _periodical(entry: Entry) -> Blocks:
    """``Editors. Title [Internet]. Issue title. Year; Volume(Issue).``

    A whole journal issue (biblatex ``@periodical``).
    """
    volume = _field(entry, "volume")
    number = _field(entry, "number") or _field(entry, "issue")
    issue = volume + (f"({number})" if number else "")
    return [
        _lead(entry, organization=True),
        _titled(_field(entry, "title") or journal_title(entry), _internet(entry)),
        _field(entry, "issuetitle"),
        "; ".join(part for part in (_dated(entry), issue) if part),
    ]


def _unpublished(entry: Entry) -> Blocks:
    """``Author. Title [Internet]. How published. Year.``"""
    lead = _lead(entry)
    return [
        lead,
        _titled(_field(entry, "title"), _internet(entry)),
        _field(entry, "howpublished"),
        _dated(entry),
    ]


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
    "phdthesis": _thesis(THESIS_LABELS["phdthesis"]),
    "mastersthesis": _thesis(THESIS_LABELS["mastersthesis"]),
    "techreport": _report,
    "report": _report,
    "online": _misc,
    "periodical": _periodical,
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
    body = " ".join(filter(None, map(_close_block, blocks)))
    parts: list[str | HRef] = [body]
    doi = _doi(entry)
    url = _url(entry)
    link_sep = " " if body else ""
    if doi:
        parts += [link_sep, HRef(DOI_RESOLVER + doi, String(f"{DOI_PREFIX}{doi}"))]
    elif url:
        parts += [f"{link_sep}{AVAILABLE_FROM}", HRef(url, String(url))]
    return Text(*parts)


# --------------------------------------------------------------------------
# Change detection
# --------------------------------------------------------------------------


def _content_hash(entry: Entry) -> str:
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


#: :func:`_content_hash`, computed once per entry object: every essay citing
#: an entry asks for it, on every build that checks refs.bib for changes.
entry_fingerprint: PerObject[Entry, str] = PerObject(_content_hash)


# --------------------------------------------------------------------------
# pybtex plugin
# --------------------------------------------------------------------------


class VancouverStyle(BaseStyle):
    """pybtex formatting style ``vancouver``: numbered, in citation order."""

    # Classes, not names: pybtex's find_plugin returns a class as it is, where
    # a name costs a scan of every installed package's entry points (about
    # 40 ms each time a build first formats a reference).
    default_name_style = PlainNames  # required by BaseStyle, unused here
    default_label_style = NumberLabels
    default_sorting_style = NoSorting

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
