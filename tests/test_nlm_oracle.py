"""The house style held against an independent oracle: CSL's NLM style in citeproc-js.

Every entry of the three real bibliographies (818) and of the synthetic
``vancouver_types.bib`` is rendered twice: by ``kb.vancouver`` and by
citeproc-js with ``nlm-citation-sequence.csl`` (see ``nlm_oracle.py``).
After the named normalisers for the house's documented choices, the two
must be equal, except for the entries listed in ``EXCEPTIONS`` with the
reason for each; an exception that stops differing must be removed.
"""

from __future__ import annotations

from functools import cache

import nlm_oracle as oracle
import pybtex.errors
import pytest
from browser import skip_or_fail
from pybtex.database import Entry, parse_file
from pybtex.plugin import find_plugin

from conftest import DATA, REALBIB
from kb.vancouver import VancouverStyle

STYLE = VancouverStyle()
PLAIN = find_plugin("pybtex.backends", "text")()
FILES = {
    "turing-way": REALBIB / "turing-way_references.bib",
    "bayescogsci": REALBIB / "bayescogsci_BayesCogSci.bib",
    "ohdsi-book": REALBIB / "ohdsi-book_book.bib",
    "vancouver": DATA / "vancouver_types.bib",
}

_NAMES = "citeproc-js parses this name differently: "
_BOOK_CONTAINER = ("a @book with a container (Zotero's library catalogue in 'journal', or a "
                   "chapter typed @book with 'booktitle'): CSL prints it, the house prints "
                   "a book's own title only (the entry should be @incollection)")
_PERIODICAL = ("CSL prints a periodical's volume twice ('Vol. 55. 2011;55(1)') and has no "
               "variable for biblatex's 'issuetitle', which the house prints")
_MALFORMED_RANGE = ("pages '131–-144' (a malformed range): the house prints '131-144', "
                    "citeproc-js keeps both dashes")
#: Entries that differ after normalising, and why (not a house error in each case).
EXCEPTIONS = {
    "bayescogsci:mengSimulatingRatiosNormalizing1996":
        _NAMES + "'Xiao-Li' gives 'X li'; NLM and the house give 'XL'",
    "ohdsi-book:hersh2013caveats": _NAMES + "'Philip RO' gives 'PR'; the house keeps 'PRO'",
    "turing-way:Wilkinson2016fair": _NAMES + "'IJsbrand Jan' gives 'IjJ'; the house 'IJ'",
    "turing-way:jafar2018positionality": _NAMES + "'Anisa JN' gives 'AJ'; the house 'AJN'",
    "turing-way:Tennant2016openaccess": _NAMES + "'Chris. H. J.' gives 'ChrisHJ'; the house 'CHJ'",
    "turing-way:brown2017emergent":
        _NAMES + "'brown, adrienne maree' (lower case by choice) gives the given names in "
        "full; the house 'brown AM'",
    "turing-way:EU2013legal":
        _NAMES + "an organisation written as a person ('Of the Union, Corporate. "
        "Directorate-General...'); both outputs are wrong, the data needs {{...}}",
    "turing-way:anaconda2020sods":
        _NAMES + "'Anaconda, Inc.' (a company written as a person): BibTeX's 'Anaconda I' "
        "against CSL's 'Anaconda Inc'; the data needs {{Anaconda, Inc.}}",
    "bayescogsci:newall2023evaluation":
        "single quotes in the title: citeproc-js turns them into double quotes (American "
        "style); the house prints quotes as refs.bib has them",
    "turing-way:Meyer2018personaldata": _MALFORMED_RANGE,
    "vancouver:article_malformed_range": _MALFORMED_RANGE,
    "bayescogsci:mathpsych2011": _PERIODICAL,
    "vancouver:periodical_issue": _PERIODICAL,
    "turing-way:Ostrom1990commons": _BOOK_CONTAINER,
    "turing-way:Ostrom2006commons": _BOOK_CONTAINER,
    "turing-way:NationalAcademiesofSciences2016comms": _BOOK_CONTAINER,
    "turing-way:Mack2018patientregistries": _BOOK_CONTAINER,
    "turing-way:Bland2015medicalstatistics": _BOOK_CONTAINER,
}


@cache
def entries() -> dict[str, Entry]:
    """Every entry, keyed ``file:key`` (bayescogsci's repeated keys: the first)."""
    found: dict[str, Entry] = {}
    for name, path in FILES.items():
        with pybtex.errors.capture():
            data = parse_file(str(path), "bibtex", encoding="utf-8")
        found.update({f"{name}:{key}": entry for key, entry in data.entries.items()})
    return found


@cache
def compared() -> dict[str, tuple[str, str]]:
    """``file:key`` -> (house output, CSL output), both normalised."""
    items = [oracle.to_csl(key, entry) for key, entry in entries().items()]
    csl = oracle.render_csl(items)
    return {
        key: (oracle.normalise_ours(STYLE.format_entry("", entry).text.render(PLAIN), entry),
              oracle.normalise(theirs))
        for (key, entry), theirs in zip(entries().items(), csl, strict=True)
    }


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[str, str]]:
    reason = oracle.available()
    if reason:
        skip_or_fail(reason)
    return compared()


def test_every_entry_is_compared(results: dict[str, tuple[str, str]]) -> None:
    assert sum(key.split(":")[0] != "vancouver" for key in results) == 818
    assert len(results) == len(entries())


def test_house_style_agrees_with_csl_nlm(results: dict[str, tuple[str, str]]) -> None:
    """Equal after the normalisers, but for the listed exceptions."""
    differ = {key: pair for key, pair in results.items() if pair[0] != pair[1]}
    unexplained = {key: pair for key, pair in differ.items() if key not in EXCEPTIONS}
    assert not unexplained, "\n".join(
        f"{key}\n  house: {ours}\n  csl:   {theirs}" for key, (ours, theirs) in unexplained.items()
    )


def test_every_exception_still_differs(results: dict[str, tuple[str, str]]) -> None:
    """An exception that no longer differs is removed from the list."""
    agree = [key for key in EXCEPTIONS if results[key][0] == results[key][1]]
    assert not agree


def test_exceptions_are_few() -> None:
    assert len(EXCEPTIONS) <= 20


def test_the_seed_forms_survive_the_normalisers() -> None:
    """The normalisers equate the seed's form with NLM's, and nothing more."""
    seed = "Currie G. T. Hum Relat. 2009; 62(11): 1735-61."
    nlm = "Currie G. T. Hum Relat. 2009;62(11):1735–61."
    assert oracle.normalise(seed) == oracle.normalise(nlm)
    assert oracle.normalise(seed) != oracle.normalise(nlm.replace("62(11)", "62"))
    assert oracle.normalise("Report GW-2018-123.") != oracle.normalise("Report No.: GW-12.")


@pytest.mark.parametrize(("ours", "theirs"), [
    ("Am J Epidemiol. 1993:325-33.", "Am J Epidemiol. 1993;325–33."),
    ("2017;58(8): e101-e106.", "2017;58(8):e101–6."),
    ("T. London: P; 2018. Report No.: GW-2018-123.", "T. London: P; 2018. Report GW-2018-123."),
    ("T. London: P; 2018. Report No.: 12.", "T. London: P; 2018. Report no.: 12."),
    ("T [dissertation]. Coventry: U; 2019.", "T [dissertation]. [Coventry]: U; 2019."),
    ("the 'Catch-22'. J.", "the ‘Catch-22’. J."),
    ('"Nerd of Trust". PLoS Biol.', "“Nerd of Trust.” PLoS Biol."),
    ("arXiv preprint arXiv:2011.01808. 2020.", "arXiv preprint arXiv:201101808. 2020."),
])  # fmt: skip
def test_normalisers_equate_documented_house_choices(ours: str, theirs: str) -> None:
    assert oracle.normalise(ours) == oracle.normalise(theirs)


def test_csl_input_follows_house_choices() -> None:
    """DOI replaces the URL; editions as numbers; no editors of a journal article."""
    entry = Entry("article", fields={"title": "T", "doi": "10.1/x", "url": "https://x.org/",
                                     "urldate": "2024-03-01"})
    item = oracle.to_csl("a", entry)
    assert "URL" not in item and "accessed" not in item
    assert oracle.to_csl("b", Entry("book", fields={"edition": "Second"}))["edition"] == "2"
