"""The house style on 818 real-world entries (``tests/data/realbib``, see its README).

Every entry must format without an exception, without broken punctuation
and without TeX left over; long author lists get ``et al.`` and corporate
authors survive whole.  ``bayescogsci`` repeats three keys, which pybtex's
default strict parse rejects; it is parsed with errors collected, and the
warning must name each repeated key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pybtex.errors
import pytest
from pybtex.database import BibliographyData, BibliographyDataError, Entry, Person, parse_file
from pybtex.plugin import find_plugin

from conftest import BROKEN, REALBIB  # conftest also puts _ext on sys.path
from kb.vancouver import MAX_NAMES, VancouverStyle, format_person, latex_to_text

TEX_LEFTOVER = re.compile(r"[\\{}$]")
REPEATED_KEYS = ("PiironenVehtari2017", "luce1986response", "HeckEtAl2018GeneralizedProcessingTree")


@dataclass(frozen=True)
class BibFile:
    name: str
    entries: int  # parsed entries, from the README
    long_author_lists: int  # entries with more than six authors, from the README
    corporate_authors: int  # persons written wholly in braces: {{R Core Team}}
    strict: bool  # parses with pybtex's default strict mode

    @property
    def id(self) -> str:
        return f"{self.name.split('_')[0]}-{self.entries}-entries"


FILES = [
    BibFile("turing-way_references.bib", 265, 48, 7, strict=True),
    BibFile("bayescogsci_BayesCogSci.bib", 434, 17, 3, strict=False),
    BibFile("ohdsi-book_book.bib", 119, 36, 1, strict=True),
]
by_file = pytest.mark.parametrize("bib", FILES, ids=[f.id for f in FILES])
STYLE = VancouverStyle()
PLAIN = find_plugin("pybtex.backends", "text")()


@cache
def load(name: str) -> tuple[BibliographyData, tuple[str, ...]]:
    """Parse a file once; return its data and the warnings pybtex reported."""
    with pybtex.errors.capture() as errors:
        data = parse_file(str(REALBIB / name), "bibtex", encoding="utf-8")
    return data, tuple(pybtex.errors.format_error(e, "WARNING: ") for e in errors)


@cache
def rendered(name: str) -> dict[str, str]:
    """Plain text of every entry, in file order.

    One backend instance is shared: ``Text.render_as("text")`` does the same
    but scans plugin entry points on every call (about 20 ms each).
    """
    data, _ = load(name)
    return {
        key: STYLE.format_entry(str(n), entry).text.render(PLAIN)
        for n, (key, entry) in enumerate(data.entries.items(), start=1)
    }


def is_corporate(person: Person) -> bool:
    last = person.last_names
    return (
        len(last) == 1
        and last[0].startswith("{")
        and last[0].endswith("}")
        and not (person.first_names or person.middle_names or person.prelast_names)
    )


def authors(entry: Entry) -> list[Person]:
    return [p for p in entry.persons.get("author", []) if str(p) != "others"]


@by_file
def test_entry_count(bib: BibFile) -> None:
    data, _ = load(bib.name)
    assert len(data.entries) == bib.entries


@by_file
def test_strict_parse(bib: BibFile) -> None:
    """Two files parse strictly; bayescogsci's repeated key is an error."""
    if bib.strict:
        parse_file(str(REALBIB / bib.name), "bibtex", encoding="utf-8")
    else:
        with pytest.raises(BibliographyDataError, match="repeated bibliography entry"):
            parse_file(str(REALBIB / bib.name), "bibtex", encoding="utf-8")


@by_file
def test_warnings_name_each_repeated_key(bib: BibFile) -> None:
    _, warnings = load(bib.name)
    if bib.strict:
        assert warnings == ()
        return
    assert warnings == tuple(f"WARNING: repeated bibliography entry: {k}" for k in REPEATED_KEYS)


def test_non_strict_parse_prints_a_warning_per_repeated_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a user sees with ``pybtex.errors.set_strict_mode(False)``."""
    import io

    import pybtex.io

    stderr = io.StringIO()
    monkeypatch.setattr(pybtex.io, "stderr", stderr)
    monkeypatch.setattr(pybtex.errors, "strict", False)
    monkeypatch.setattr(pybtex.errors, "error_code", 0)
    data = parse_file(str(REALBIB / "bayescogsci_BayesCogSci.bib"), "bibtex", encoding="utf-8")
    assert len(data.entries) == 434
    for key in REPEATED_KEYS:
        assert f"WARNING: repeated bibliography entry: {key}" in stderr.getvalue()


def test_repeated_key_keeps_first_entry() -> None:
    data, _ = load("bayescogsci_BayesCogSci.bib")
    # luce1986response: the first copy (line 4407) says 1991, the second 1986.
    assert data.entries["luce1986response"].fields["year"] == "1991"


@by_file
def test_every_entry_renders_with_clean_punctuation(bib: BibFile) -> None:
    texts = rendered(bib.name)
    assert len(texts) == bib.entries
    bad = {key: text for key, text in texts.items() if not text or BROKEN.search(text)}
    assert not bad


def test_shared_backend_renders_like_render_as() -> None:
    data, _ = load("ohdsi-book_book.bib")
    texts = rendered("ohdsi-book_book.bib")
    for key, entry in list(data.entries.items())[:5]:
        assert STYLE.format_entry("1", entry).text.render_as("text") == texts[key]


@by_file
def test_no_tex_left_in_output(bib: BibFile) -> None:
    bad = {key: text for key, text in rendered(bib.name).items() if TEX_LEFTOVER.search(text)}
    assert not bad


@by_file
def test_long_author_lists_get_six_names_then_et_al(bib: BibFile) -> None:
    data, _ = load(bib.name)
    texts = rendered(bib.name)
    long_lists = [key for key, entry in data.entries.items() if len(authors(entry)) > MAX_NAMES]
    assert len(long_lists) == bib.long_author_lists
    for key in long_lists:
        head, sep, _ = texts[key].partition(", et al.")
        assert sep, texts[key]
        assert head.count(", ") == MAX_NAMES - 1, texts[key]


@by_file
def test_corporate_authors_survive_whole(bib: BibFile) -> None:
    """Printed whole when among the first six; otherwise inside ``et al.``."""
    data, _ = load(bib.name)
    texts = rendered(bib.name)
    found = [
        (key, position, latex_to_text(person.last_names[0]))
        for key, entry in data.entries.items()
        for position, person in enumerate(authors(entry))
        if is_corporate(person)
    ]
    assert len(found) == bib.corporate_authors
    for key, position, name in found:
        if position < MAX_NAMES:
            assert name in texts[key]
        else:
            assert ", et al. " in texts[key]


def test_known_corporate_names() -> None:
    texts = rendered("turing-way_references.bib")
    assert texts["WHO2020Jul"].startswith("World Health Organisation. ")
    assert texts["Innovation2011EUCommission"].startswith(
        "Directorate-General for Research and Innovation (European Commission). "
    )


def test_ifmmode_accents_are_readable() -> None:
    r"""``G{\ifmmode\acute{o}\else\'{o}\fi}mez-P...`` (Turing Way, Belhajjame 2015).

    The README places the ``\ifmmode`` name in the Wilkinson 2016 FAIR paper;
    in this copy that paper has plain ``Crosas, Merc`` and the only
    ``\ifmmode`` names are Gómez-Pérez, José Manuel.
    """
    data, _ = load("turing-way_references.bib")
    entry = data.entries["Belhajjame2015RO"]
    persons = [p for p in entry.persons["author"] if "ifmmode" in str(p)]
    assert [format_person(p) for p in persons] == ["Gómez-Pérez JM"]
    assert latex_to_text(r"Merc{\ifmmode\grave{e}\else\`{e}\fi}") in {"Mercè", "Merce"}
