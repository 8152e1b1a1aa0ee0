"""An independent oracle for the house style: the CSL style ``nlm-citation-sequence``.

The CSL repository maps "vancouver" to this style (NLM *Citing Medicine*).
It is rendered by citeproc-js (npm ``citeproc``, the reference CSL
processor) from ``tests/data/csl/``; the style and locale files, their
licence and source commit are named in ``tests/data/README.md``.  Nothing in
this module uses ``kb.vancouver``'s rules: BibTeX entries are turned into
CSL-JSON the way reference managers map the two (Zotero's and biblatex's
field names), and only TeX decoding (``latex_to_text``) is shared.

Some differences are the house's own choices, inherited from the seed
essay; each is a named normaliser below, applied to both outputs (or to
the CSL input where it is about what the house prints at all).  Nothing
else is hidden: ``test_nlm_oracle.py`` lists the remaining exceptions by key
with their reason.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pybtex.database import Entry, Person

from kb.vancouver import latex_to_text

DATA = Path(__file__).resolve().parent / "data"
STYLE = DATA / "csl" / "nlm-citation-sequence.csl"
LOCALE = DATA / "csl" / "locales-en-US.xml"
RUNNER = Path(__file__).resolve().parent / "csl_render.js"
CITEPROC = Path(__file__).resolve().parents[1] / "node_modules" / "citeproc"

# --------------------------------------------------------------------------
# BibTeX -> CSL-JSON (the usual reference-manager mapping)
# --------------------------------------------------------------------------

CSL_TYPES = {
    "article": "article-journal", "book": "book", "collection": "book",
    "proceedings": "book", "manual": "book", "incollection": "chapter",
    "inbook": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "phdthesis": "thesis", "mastersthesis": "thesis",
    "thesis": "thesis", "techreport": "report", "report": "report", "online": "webpage",
    "electronic": "webpage", "www": "webpage", "unpublished": "manuscript",
    "periodical": "periodical", "misc": "document",
}  # fmt: skip
THESIS_GENRE = {"phdthesis": "dissertation", "mastersthesis": "master's thesis"}
MONTHS = {
    name: number for number in range(1, 13)
    for name in (date(2000, number, 1).strftime("%B").lower(),
                 date(2000, number, 1).strftime("%b").lower())
}  # fmt: skip
MONTHS["sept"] = 9
ORDINALS = {word: n for n, word in enumerate(
    ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
     "tenth"), start=1)}


def _text(entry: Entry, *names: str) -> str:
    for name in names:
        for key, value in entry.fields.items():
            if key.lower() == name and value.strip():
                return latex_to_text(value)
    return ""


def _raw(entry: Entry, name: str) -> str:
    for key, value in entry.fields.items():
        if key.lower() == name:
            value = re.sub(r"\\(?:url|href)\s*", "", value)
            value = re.sub(r"\\([_%&#~$])", r"\1", value)
            return value.replace("{", "").replace("}", "").strip()
    return ""


def is_others(person: Person) -> bool:
    return str(person) == "others"


def csl_name(person: Person) -> dict[str, str]:
    last = list(person.last_names)
    if len(last) == 1 and last[0].startswith("{") and last[0].endswith("}") and not (
        person.first_names or person.middle_names or person.prelast_names
    ):
        return {"literal": latex_to_text(last[0])}
    suffix = [latex_to_text(p) for p in person.lineage_names]
    if len(last) > 1 and re.fullmatch(r"(?:Jr|Sr|II|III|IV)\.?", last[-1]):
        suffix.insert(0, last.pop())
    given = person.first_names + person.middle_names
    # A particle written after the given names (``Ploeg, Jan-Lucas van der``)
    # is a particle, as if written first; BibTeX takes it for a given name.
    trailing = []
    while (len(given) > 1 and latex_to_text(given[0])[:1].isupper()
           and latex_to_text(given[-1])[:1].islower()):
        trailing.insert(0, given.pop())
    name = {
        "family": latex_to_text(" ".join(last)),
        "given": latex_to_text(" ".join(given)),
    }
    particles = trailing + list(person.prelast_names)
    if particles:
        name["non-dropping-particle"] = latex_to_text(" ".join(particles))
    if suffix:
        name["suffix"] = " ".join(s.rstrip(".") for s in suffix)
    return {k: v for k, v in name.items() if v}


def access_date(entry: Entry) -> list[int] | None:
    """``urldate`` (ISO), or a date after "accessed" in ``note``."""
    iso = re.match(r"(\d{4})-(\d{2})-(\d{2})", _raw(entry, "urldate"))
    if iso:
        return [int(part) for part in iso.groups()]
    note = _text(entry, "note")
    found = re.search(r"accessed:?\s*(.+?)\]?\s*$", note, re.IGNORECASE)
    if not found:
        return None
    words = re.split(r"[\s.,\-]+", found.group(1).strip())
    if len(words) == 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", found.group(1).strip()):
        parsed = datetime.strptime(found.group(1).strip(), "%Y-%m-%d")
        return [parsed.year, parsed.month, parsed.day]
    words = [w for w in words if w]
    day = next((int(w) for w in words if w.isdigit() and len(w) <= 2), None)
    year = next((int(w) for w in words if w.isdigit() and len(w) == 4), None)
    month = next((MONTHS[w.lower()] for w in words if w.lower() in MONTHS), None)
    iso_in_note = re.search(r"(\d{4})-(\d{2})-(\d{2})", found.group(1))
    if iso_in_note:
        return [int(part) for part in iso_in_note.groups()]
    return [year, month, day] if year and month and day else None


def to_csl(key: str, entry: Entry, *, house: bool = True) -> dict[str, Any]:
    """One entry as CSL-JSON.  ``house`` applies the input-side house choices."""
    kind = entry.type.lower()
    booktitle = _text(entry, "booktitle")
    csl_type = CSL_TYPES.get(kind, "document")
    if kind == "inbook" and not booktitle:
        csl_type = "book"
    item: dict[str, Any] = {"id": key, "type": csl_type}
    for role in ("author", "editor"):
        persons = [p for p in entry.persons.get(role, []) if not is_others(p)]
        if persons:
            item[role] = [csl_name(p) for p in persons]
    fields = {
        "title": _text(entry, "title"),
        "container-title": booktitle or _text(entry, "journal", "journaltitle"),
        "container-title-short": _text(entry, "shortjournal", "journalabbreviation"),
        "volume": _text(entry, "volume"),
        "issue": _text(entry, "number", "issue") if csl_type in {"article-journal", "periodical"}
        else _text(entry, "issue"),
        "page": _text(entry, "pages"),
        "publisher": _text(entry, "publisher", "institution", "school", "organization"),
        "publisher-place": _text(entry, "address", "location"),
        "edition": _text(entry, "edition"),
        "collection-title": _text(entry, "series"),
        "number": _text(entry, "number") if csl_type in {"report", "document"} else "",
        "collection-number": _text(entry, "number") if csl_type in {"book", "chapter"}
        else "",
        "genre": THESIS_GENRE.get(kind, ""),
        "chapter-number": _text(entry, "chapter"),
        "DOI": re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", _raw(entry, "doi"),
                      flags=re.IGNORECASE),
        "URL": _raw(entry, "url").split(" ")[0] if _raw(entry, "url") else "",
    }
    if not fields["URL"] and re.fullmatch(r"https?://\S+", _raw(entry, "howpublished")):
        fields["URL"] = _raw(entry, "howpublished")
    if kind == "periodical":  # the issue's own title, if any, is the title
        fields["container-title"] = ""
    item.update({k: v for k, v in fields.items() if v})
    year = _text(entry, "year") or _raw(entry, "date")[:4]
    if re.fullmatch(r"\d{4}", year):
        item["issued"] = {"date-parts": [[int(year)]]}
    elif year:
        item["issued"] = {"literal": year}
    accessed = access_date(entry)
    if accessed:
        item["accessed"] = {"date-parts": [accessed]}
    if house:
        house_input(entry, item)
    return item


# --------------------------------------------------------------------------
# House choices (inherited from the seed): applied to the CSL input
# --------------------------------------------------------------------------


def house_input(entry: Entry, item: dict[str, Any]) -> None:
    """What the house prints differently on purpose, removed from the CSL input.

    * ``doi_replaces_url``: with a DOI the house prints ``doi:...`` and not
      the URL (CSL prints both for all but journal articles); the work is
      then not cited as consulted online.
    * ``edition_as_ordinal``: an edition written in words (``Second``,
      ``2nd edition``) is printed ``2nd ed.``, as NLM writes it; CSL prints
      words as written, so the oracle is given the number.
    * ``year_only`` (in :func:`to_csl`): dates are given to CSL as the year
      alone; the seed prints years only, and the house ignores ``month``
      (NLM would print ``2009 Nov`` for a journal article that has one).
    * ``article_editors_dropped``: a journal article's (handling) editors,
      which Zotero exports from PLOS and eLife pages, are not printed: NLM's
      journal article has authors, title, journal, date and location only.
    """
    if item.get("DOI"):
        item.pop("URL", None)
        item.pop("accessed", None)
    if item["type"] == "article-journal":
        item.pop("editor", None)
    edition = re.sub(r"[\s.,]*\b(?:edition|edn|ed)\b\.?$", "", item.get("edition", ""),
                     flags=re.IGNORECASE).strip()
    if edition.lower() in ORDINALS:
        item["edition"] = str(ORDINALS[edition.lower()])
    elif re.fullmatch(r"\d+(?:st|nd|rd|th)", edition):
        item["edition"] = edition[:-2]


# --------------------------------------------------------------------------
# Normalisers: applied to both outputs before comparing
# --------------------------------------------------------------------------


def plain_typography(text: str) -> str:
    """The house prints quotes, apostrophes and spaces as refs.bib has them
    (the seed's ``‘Catch-22’``); citeproc-js makes ``'`` and ``"``
    typographic, moves a full stop inside a closing quote (American style)
    and puts a narrow no-break space before a colon written with a space.
    Both outputs get straight quotes, punctuation outside, plain spaces."""
    text = re.sub("[\u2018\u2019]", "'", text)
    text = re.sub("[\u201c\u201d]", '"', text)
    text = re.sub("[\u00a0\u202f]", " ", text)
    return re.sub(r"([.,])\"", r'"\1', text)


def no_comma_before_label(text: str) -> str:
    """A title ending in a comma (``Ronald Fisher --- Wikiquote{,}``): the
    house drops it before ``[Internet]``, CSL prints ``Wikiquote, [Internet]``."""
    return re.sub(r"[,;:] \[", " [", text)


def report_number_label(text: str) -> str:
    """CSL labels only a numeric report number (``Report no.: 12``, but
    ``Report GW-2018-123``); NLM writes ``Report No.:`` before every one."""
    return re.sub(r"\. Report (?:[Nn]o\.: )?(\S+)\.$", r". Report No.: \1.", text)


def _expand_range(match: re.Match[str]) -> str:
    prefix, first, last_prefix, last = match.groups()
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return f"{prefix}{first}-{last_prefix or prefix}{last}"


def unelided_page_ranges(text: str) -> str:
    """The seed prints ranges as written (``155-169`` and ``1735-61``), with a
    hyphen; CSL elides them (``155-69``, ``e101-6``) with an en dash.  Both
    are expanded (``1735-1761``, ``e101-e106``)."""
    return re.sub(r"(?<![\w/.])([A-Za-z]?)(\d+)[\u2013-]([A-Za-z]?)(\d+)(?![\w/])",
                  _expand_range, text)


def seed_spacing(text: str) -> str:
    """The seed writes ``2009; 62(11): 1735-61``; NLM ``2009;62(11):1735-61``."""
    return re.sub(r"([;:]) (?=[\w(\[])", r"\1", text)


def year_then_pages(text: str) -> str:
    """Pages after a year with no volume: NLM (the ICMJE sample "Curr Opin Gen
    Surg. 1993:325-33") and the house write ``1993:325-33``; CSL ``1993;325-33``."""
    return re.sub(r"(\b\d{4}):(?=[\w-]+\.(?: |$))", r"\1;", text)


def thesis_place_unbracketed(text: str) -> str:
    """CSL always brackets a thesis's place (``[Nottingham]: ...``), which NLM
    reserves for a place inferred, not printed on the work; the house prints
    the place as given."""
    return re.sub(r"(\]\. )\[([^\]]+)\]:", r"\1\2:", text)


def arxiv_decimal_point(text: str) -> str:
    """CSL's ``strip-periods`` on a journal title also deletes the point of an
    arXiv identifier written as the journal (``arXiv:2011.01808``); the house
    drops only full stops (``Am. J.`` -> ``Am J``), not decimal points."""
    return re.sub(r"(arXiv:\d{4})\.(\d{4,5})", r"\1\2", text)


NORMALISERS: list[Callable[[str], str]] = [
    plain_typography, no_comma_before_label, report_number_label, unelided_page_ranges,
    seed_spacing, year_then_pages, thesis_place_unbracketed, arxiv_decimal_point,
]


def normalise(text: str) -> str:
    for normaliser in NORMALISERS:
        text = normaliser(text)
    return text


# --------------------------------------------------------------------------
# House choices that print more than CSL: removed from the house's output
# --------------------------------------------------------------------------


def and_others(text: str, entry: Entry) -> str:
    """BibTeX's ``and others`` prints ``et al.`` (NLM for an incomplete list);
    CSL-JSON cannot say "and others", so CSL lists only the names given."""
    authors = entry.persons.get("author", [])
    if authors and is_others(authors[-1]) and len(authors) <= 7:
        text = text.replace(", et al. ", ". ", 1)
    return text


def seed_report_form(text: str, entry: Entry) -> str:
    """A report without a number keeps the seed's own form (its entry 12:
    ``London: The Stationery Office. 2009.``), CSL ``...Office; 2009.``"""
    if entry.type.lower() in {"report", "techreport"} and not _text(entry, "number"):
        text = re.sub(r"\. (\d{4}\b[^.]*)\.", r"; \1.", text, count=1)
    return text


def inbook_chapter_number(text: str, entry: Entry) -> str:
    """An ``@inbook`` without ``booktitle`` is a chapter of the book in
    ``title``: the house prints ``Chapter 1.``, CSL's book has no place for it."""
    if entry.type.lower() == "inbook" and not _text(entry, "booktitle"):
        text = re.sub(r" Chapter [^.]+\.", "", text, count=1)
    return text


def howpublished_printed(text: str, entry: Entry) -> str:
    """``howpublished`` (``Keynote address, NHS Confederation conference``) is
    printed by the house; the CSL mapping has no variable CSL's NLM prints."""
    howpublished = _text(entry, "howpublished")
    if howpublished and not re.match(r"https?://", howpublished):
        text = text.replace(f" {howpublished}.", "", 1)
    return text


def organization_as_author(text: str, entry: Entry) -> str:
    """A manual or web page with only an ``organization`` starts with it, as
    NLM prints an organization that is author and publisher twice."""
    organization = _text(entry, "organization")
    if organization and not entry.persons.get("author") and not entry.persons.get("editor"):
        text = text.removeprefix(f"{organization}. ")
    return text


HOUSE_ONLY: list[Callable[[str, Entry], str]] = [
    and_others, seed_report_form, inbook_chapter_number, howpublished_printed,
    organization_as_author,
]


def normalise_ours(text: str, entry: Entry) -> str:
    for normaliser in HOUSE_ONLY:
        text = normaliser(text, entry)
    return normalise(text)


# --------------------------------------------------------------------------
# Running citeproc-js
# --------------------------------------------------------------------------


def available() -> str | None:
    """Why the oracle cannot run here, or ``None`` when it can."""
    if shutil.which("node") is None:
        return "node is not installed: apt-get install nodejs npm, then npm ci"
    if not CITEPROC.is_dir():
        return "citeproc-js not found: run 'npm ci' at the repository root"
    return None


def render_csl(items: list[dict[str, Any]]) -> list[str]:
    """citeproc-js's plain-text bibliography entries, numbers removed, in order."""
    result = subprocess.run(
        ["node", str(RUNNER), str(STYLE), str(LOCALE)],
        input=json.dumps(items), capture_output=True, text=True, check=True, timeout=300,
        cwd=CITEPROC.parents[1],
    )
    entries = json.loads(result.stdout)
    return [re.sub(r"^\d+\.\s*", "", entry) for entry in entries]
