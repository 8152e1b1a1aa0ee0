"""The house citation style (BRIEF: "House citation style (Vancouver, as in the seed)").

Expected strings are written from the brief's rules, one small test per rule
and per entry type, plus the seed essay's twelve references character for
character.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.database import BibliographyData, Entry, Person, parse_file, parse_string
from pybtex.plugin import find_plugin

from conftest import BROKEN, REPO, SEED  # conftest also puts _ext on sys.path
from kb.vancouver import (
    VancouverStyle,
    access_date,
    entry_fingerprint,
    format_entry_text,
    format_names,
    format_person,
    is_online,
    journal_title,
    latex_to_text,
    parse_access_date,
    register,
)

TYPES_BIB = Path(__file__).resolve().parent / "data" / "vancouver_types.bib"
SEED_KEYS = [
    "heifetz1994leadership",
    "rittel1973dilemmas",
    "gronn2002distributed",
    "currie2009institutionalization",
    "currie2009leadership",
    "martin2009leadership",
    "fitzgerald2000professionals",
    "nancarrow2005dynamic",
    "ackroyd1996traditional",
    "ferlie1996new",
    "martin2008ordinary",
    "laming2009protection",
]


STYLE = VancouverStyle()


# ``Text.render_as("text")`` looks the backend plugin up (an entry-point scan)
# on every call; the property test renders thousands of entries, so it uses
# one backend instance, which is exactly what ``render_as`` does inside.
PLAIN = find_plugin("pybtex.backends", "text")()


def render(entry: Entry, label: str = "1") -> str:
    """Format through the pybtex style, as sphinxcontrib-bibtex does."""
    return STYLE.format_entry(label, entry).text.render_as("text")


def render_fast(entry: Entry) -> str:
    """``render`` with a shared plain-text backend."""
    return STYLE.format_entry("1", entry).text.render(PLAIN)


def fmt(bib: str) -> str:
    """Render the single entry in a BibTeX snippet."""
    (entry,) = parse_string(bib, "bibtex").entries.values()
    return render(entry)


def make_entry(entry_type: str, persons: dict[str, str] | None = None, **fields: str) -> Entry:
    """An entry built from Python values (field names as keywords)."""
    entry = Entry(entry_type, fields=fields)
    for role, names in (persons or {}).items():
        for name in names.split(" and "):
            entry.add_person(Person(name), role)
    return entry


def fmt_fields(entry_type: str, persons: dict[str, str] | None = None, **fields: str) -> str:
    """Render an entry built from Python values."""
    return render(make_entry(entry_type, persons, **fields))


def person(name: str) -> str:
    return format_person(Person(name))


def names(*people: str) -> str:
    return format_names([Person(p) for p in people])


# --------------------------------------------------------------------------
# Persons
# --------------------------------------------------------------------------


def test_person_initials_have_no_stops_or_spaces() -> None:
    assert person("Heifetz, Ronald A.") == "Heifetz RA"


def test_person_initials_of_given_names_in_natural_order() -> None:
    assert person("Ronald A. Heifetz") == "Heifetz RA"


def test_person_hyphenated_given_name_gives_two_initials() -> None:
    assert person("Sartre, Jean-Paul") == "Sartre JP"


def test_person_initials_written_without_stops_are_kept() -> None:
    assert person("Martin, GP") == "Martin GP"


def test_person_particles_stay_before_surname_as_written() -> None:
    assert person("van der Berg, Anna") == "van der Berg A"


def test_person_suffix_follows_initials() -> None:
    assert person("King, Jr, Martin Luther") == "King ML Jr"


def test_person_suffix_written_in_surname_follows_initials() -> None:
    assert person("Harrell Jr., Frank E.") == "Harrell FE Jr"


def test_person_corporate_author_in_braces_printed_whole() -> None:
    assert person("{World Health Organisation}") == "World Health Organisation"


def test_person_corporate_author_with_comma_printed_whole() -> None:
    assert person("{Laming, Lord}") == "Laming, Lord"


def test_person_tex_accents_in_names_become_unicode() -> None:
    assert person(r"M{\"u}ller, Hans") == "Müller H"
    assert person(r"{\v{S}}trumbelj, Erik") == "Štrumbelj E"
    assert person(r"Erlingsson, {\'U}lfar") == "Erlingsson Ú"


def test_persons_joined_by_comma_space() -> None:
    assert names("Currie, G.", "Lockett, A.", "Suhomlinova, O.") == (
        "Currie G, Lockett A, Suhomlinova O"
    )


def test_six_persons_are_all_listed() -> None:
    six = [f"Name{i}, A." for i in range(1, 7)]
    assert names(*six) == "Name1 A, Name2 A, Name3 A, Name4 A, Name5 A, Name6 A"


def test_more_than_six_persons_list_six_then_et_al() -> None:
    seven = [f"Name{i}, A." for i in range(1, 8)]
    assert names(*seven) == "Name1 A, Name2 A, Name3 A, Name4 A, Name5 A, Name6 A, et al."


def test_and_others_gives_et_al() -> None:
    assert names("Luce, R. Duncan", "others") == "Luce RD, et al."


def test_authors_block_ending_in_et_al_gets_no_extra_stop() -> None:
    authors = " and ".join(f"Name{i}, A." for i in range(1, 9))
    text = fmt_fields("article", {"author": authors}, title="T", journal="J", year="2000")
    assert text == "Name1 A, Name2 A, Name3 A, Name4 A, Name5 A, Name6 A, et al. T. J. 2000."


# --------------------------------------------------------------------------
# Titles and TeX
# --------------------------------------------------------------------------


def test_title_keeps_bib_capitalisation() -> None:
    text = fmt_fields("article", title="Leadership without Easy Answers in the NHS")
    assert text == "Leadership without Easy Answers in the NHS."


def test_title_braces_removed() -> None:
    text = fmt_fields("article", title="Toward a principled {Bayesian} workflow in {MCMC}")
    assert text == "Toward a principled Bayesian workflow in MCMC."


def test_tex_accent_to_unicode() -> None:
    assert latex_to_text(r"M{\"u}ller") == "Müller"


def test_tex_ampersand() -> None:
    assert latex_to_text(r"Psychonomic Bulletin \& Review") == "Psychonomic Bulletin & Review"


def test_tex_caron_in_braces() -> None:
    assert latex_to_text(r"{\v{S}}imko") == "Šimko"


def test_tex_dotless_i_under_accent() -> None:
    assert latex_to_text(r"Lu{\'{\i}}s") == "Luís"


def test_tex_ifmmode_does_not_crash_and_reads_well() -> None:
    assert latex_to_text(r"Merc{\ifmmode\grave{e}\else\`{e}\fi}") in {"Mercè", "Merce"}


def test_tex_markup_commands_removed() -> None:
    assert latex_to_text(r"\emph{Nudge}: improving \textbf{decisions}") == (
        "Nudge: improving decisions"
    )


def test_bare_per_cent_sign_is_text_not_a_comment() -> None:
    assert latex_to_text("Only 50% of trusts") == "Only 50% of trusts"


def test_malformed_tex_does_not_raise() -> None:
    assert latex_to_text("ends with a backslash \\") == "ends with a backslash"


def test_unterminated_ifmmode_is_fast() -> None:
    """A stray ``\\ifmmode`` must not make the regex backtrack exponentially."""
    text = r"\ifmmode" + r"\abcdefghij x {q}" * 50
    assert latex_to_text(text).startswith("x q")


TEX_PIECES = st.sampled_from(
    ["\\", "{", "}", "$", "%", "~", "--", "``", "''", "a", "B", " ", "\\'", '\\"', "\\v",
     "\\i", "\\ifmmode", "\\else", "\\fi", "\\emph", "\\&", "é", "‘", "’"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(TEX_PIECES, max_size=30).map("".join))
def test_latex_to_text_never_raises_or_leaves_markup(value: str) -> None:
    text = latex_to_text(value)
    # An escaped special (\$, \{, \}, \textbackslash) is text, printed as such.
    if not re.search(r"\\[${}]|\\textbackslash", value):
        assert not re.search(r"[\\{}$]", text)
    assert text == text.strip()


@pytest.mark.parametrize(("tex", "text"), [
    (r"Costs \$5", "Costs $5"), (r"a \textbackslash{} b", "a \\ b"), (r"set \{x\}", "set {x}"),
])
def test_escaped_tex_specials_print_literally(tex: str, text: str) -> None:
    assert latex_to_text(tex) == text


@pytest.mark.parametrize("title", ["Professionals: back to the future?", "Stop!", "Done."])
def test_title_ending_in_question_exclamation_or_stop_gets_no_extra_stop(title: str) -> None:
    assert fmt_fields("article", title=title, journal="Hum Relat") == f"{title} Hum Relat."


def test_curly_quotes_are_kept_as_written() -> None:
    text = fmt_fields("article", title="A ‘Catch-22’ in English public services")
    assert text == "A ‘Catch-22’ in English public services."


# --------------------------------------------------------------------------
# Article
# --------------------------------------------------------------------------

ARTICLE = r"""
@article{a,
  author  = {Currie, Graeme and Lockett, Andy and Suhomlinova, Olga},
  title   = {The institutionalization of distributed leadership},
  journal = {Hum Relat},
  year    = {2009},
  volume  = {62},
  number  = {11},
  pages   = {1735--61},
}
"""
ARTICLE_TEXT = (
    "Currie G, Lockett A, Suhomlinova O. The institutionalization of distributed "
    "leadership. Hum Relat. 2009; 62(11): 1735-61."
)


def test_article_full() -> None:
    assert fmt(ARTICLE) == ARTICLE_TEXT


def test_article_without_number() -> None:
    text = fmt_fields(
        "article",
        {"author": "Rittel, H. and Webber, M."},
        title="Dilemmas in a General Theory of Planning",
        journal="Policy Sci",
        year="1973",
        volume="4",
        pages="155--169",
    )
    assert text == (
        "Rittel H, Webber M. Dilemmas in a General Theory of Planning. "
        "Policy Sci. 1973; 4: 155-169."
    )


def test_article_journal_as_written_with_tex() -> None:
    text = fmt_fields("article", journal=r"Psychonomic Bulletin \& Review", year="2018")
    assert text == "Psychonomic Bulletin & Review. 2018."


def test_pages_en_dash_printed_as_hyphen() -> None:
    text = fmt_fields("article", journal="J", year="2000", volume="1", pages="10\u201319")
    assert text == "J. 2000; 1: 10-19."


def test_article_without_pages() -> None:
    text = fmt_fields("article", journal="Hum Relat", year="2009", volume="62", number="11")
    assert text == "Hum Relat. 2009; 62(11)."


def test_article_without_year() -> None:
    text = fmt_fields("article", journal="Hum Relat", volume="62", number="11", pages="1--2")
    assert text == "Hum Relat. 62(11): 1-2."


def test_article_without_journal() -> None:
    text = fmt_fields("article", title="T", year="2009", volume="62", pages="1--2")
    assert text == "T. 2009; 62: 1-2."


def test_article_without_author_starts_with_title() -> None:
    text = fmt_fields("article", title="Editorial", journal="BMJ", year="2011")
    assert text == "Editorial. BMJ. 2011."


def test_article_with_only_pages() -> None:
    assert fmt_fields("article", title="T", pages="5--9") == "T. p. 5-9."


# --------------------------------------------------------------------------
# DOI and URL
# --------------------------------------------------------------------------


def test_doi_added_after_the_entry() -> None:
    bib = ARTICLE.replace("}\n", "  doi = {10.1177/0018726709346378},\n}\n")
    assert fmt(bib) == ARTICLE_TEXT + " doi:10.1177/0018726709346378"


def test_doi_is_a_link_to_doi_org() -> None:
    entry = Entry("article", fields={"title": "T", "doi": "10.1000/xyz_1"})
    html = format_entry_text(entry).render_as("html")
    assert '<a href="https://doi.org/10.1000/xyz_1">' in html


def test_doi_link_renders_as_docutils_reference() -> None:
    import docutils.nodes

    backend = find_plugin("pybtex.backends", "docutils")()
    entry = Entry("article", fields={"title": "T", "doi": "10.1000/xyz"})
    nodes = format_entry_text(entry).render(backend)
    refs = [node for node in nodes if isinstance(node, docutils.nodes.reference)]
    assert [ref["refuri"] for ref in refs] == ["https://doi.org/10.1000/xyz"]


def test_doi_written_as_url_is_normalised() -> None:
    text = fmt_fields("misc", title="T", doi="https://doi.org/10.31234/osf.io/4un9k")
    assert text == "T. doi:10.31234/osf.io/4un9k"


def test_url_without_doi_adds_available_from_and_internet() -> None:
    text = fmt_fields("misc", title="T", year="2020", url="https://example.org/a_b")
    assert text == "T [Internet]. 2020. Available from: https://example.org/a_b"


def test_url_is_a_link() -> None:
    entry = Entry("misc", fields={"title": "T", "url": "https://example.org/"})
    assert '<a href="https://example.org/">' in format_entry_text(entry).render_as("html")


def test_url_with_doi_gives_only_doi() -> None:
    text = fmt_fields("misc", title="T", doi="10.1/x", url="https://example.org/")
    assert text == "T. doi:10.1/x"


def test_url_tex_escapes_removed() -> None:
    text = fmt_fields("misc", title="T", url=r"https://example.org/a\_b\%20c")
    assert text == "T [Internet]. Available from: https://example.org/a_b%20c"


# --------------------------------------------------------------------------
# Books and chapters
# --------------------------------------------------------------------------


def test_book() -> None:
    text = fmt_fields(
        "book",
        {"author": "Heifetz, Ronald A."},
        title="Leadership without Easy Answers",
        address="Cambridge, MA",
        publisher="Harvard University Press",
        year="1994",
    )
    assert text == (
        "Heifetz RA. Leadership without Easy Answers. "
        "Cambridge, MA: Harvard University Press; 1994."
    )


@pytest.mark.parametrize(
    "edition", ["2", "2nd", "Second", "second", "2nd edition", "2nd ed.", "2nd edn"]
)
def test_book_edition_is_ordinal_ed(edition: str) -> None:
    text = fmt_fields("book", title="T", edition=edition, publisher="P", year="2001")
    assert text == "T. 2nd ed. P; 2001."


def test_book_edition_other_numbers() -> None:
    assert fmt_fields("book", title="T", edition="3") == "T. 3rd ed."
    assert fmt_fields("book", title="T", edition="11") == "T. 11th ed."
    assert fmt_fields("book", title="T", edition="21") == "T. 21st ed."


def test_edited_book_without_authors_starts_with_editors() -> None:
    text = fmt_fields(
        "book",
        {"editor": "Soothill, K. and Henry, C. and Kendrick, K."},
        title="Themes and Perspectives in Nursing",
        address="London",
        publisher="Chapman and Hall",
        year="1996",
    )
    assert text == (
        "Soothill K, Henry C, Kendrick K, editors. Themes and Perspectives in Nursing. "
        "London: Chapman and Hall; 1996."
    )


def test_edited_book_with_one_editor_says_editor() -> None:
    text = fmt_fields("book", {"editor": "Walshe, Kieran"}, title="Healthcare Management")
    assert text == "Walshe K, editor. Healthcare Management."


def test_book_with_authors_and_editors_lists_editors_after_title() -> None:
    text = fmt_fields(
        "book", {"author": "Kolmogorov, A. N.", "editor": "Morrison, N."}, title="Foundations"
    )
    assert text == "Kolmogorov AN. Foundations. Morrison N, editor."


def test_book_without_address() -> None:
    assert fmt_fields("book", title="T", publisher="Sage", year="2009") == "T. Sage; 2009."


def test_book_without_publisher() -> None:
    assert fmt_fields("book", title="T", address="Oxford", year="1996") == "T. Oxford; 1996."


def test_book_without_year() -> None:
    assert fmt_fields("book", title="T", address="Oxford", publisher="OUP") == "T. Oxford: OUP."


def test_chapter() -> None:
    text = fmt_fields(
        "incollection",
        {"author": "Ackroyd, S.", "editor": "Soothill, K. and Henry, C. and Kendrick, K."},
        title="Traditional and new management",
        booktitle="Themes and Perspectives in Nursing",
        address="London",
        publisher="Chapman and Hall",
        year="1996",
        pages="337--355",
    )
    assert text == (
        "Ackroyd S. Traditional and new management. In: Soothill K, Henry C, Kendrick K, "
        "editors. Themes and Perspectives in Nursing. London: Chapman and Hall; 1996. p. 337-355."
    )


def test_chapter_without_editors() -> None:
    text = fmt_fields("incollection", {"author": "Ackroyd, S."}, title="T", booktitle="B")
    assert text == "Ackroyd S. T. In: B."


def test_chapter_without_booktitle_has_editors_only() -> None:
    text = fmt_fields("incollection", {"editor": "Soothill, K."}, title="T", year="1996")
    assert text == "T. In: Soothill K, editor. 1996."


def test_chapter_without_editors_or_booktitle_has_no_in() -> None:
    text = fmt_fields("incollection", {"author": "Ackroyd, S."}, title="T", year="1996")
    assert text == "Ackroyd S. T. 1996."


def test_chapter_without_pages_has_no_p() -> None:
    text = fmt_fields("incollection", title="T", booktitle="B", year="1996")
    assert text == "T. In: B. 1996."


# --------------------------------------------------------------------------
# NLM forms for web pages, reports, particles, issues, abbreviations (issue 14)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "printed"), [
    ("Ploeg, Jan-Lucas van der", "van der Ploeg JL"),
    ("Buuren, Stef van", "van Buuren S"),
    ("van Buuren, S.", "van Buuren S"),
    ("Stef van Buuren", "van Buuren S"),
    ("brown, adrienne maree", "brown AM"),  # all lower case by choice: as written
])  # fmt: skip
def test_person_lower_case_particles_stay_before_surname(name: str, printed: str) -> None:
    assert person(name) == printed


@pytest.mark.parametrize(("written", "printed"), [
    ("2024-03-01", "2024 Mar 1"), ("2024-03", "2024 Mar"), ("2024", "2024"),
    ("1 March 2024", "2024 Mar 1"), ("3-May-2020", "2020 May 3"),
    ("19. Nov. 2020", "2020 Nov 19"), ("7. June. 2021", "2021 Jun 7"),
    ("March 1, 2024", "2024 Mar 1"), ("Sept 9 2023", "2023 Sep 9"),
    ("last spring", "last spring"),
])  # fmt: skip
def test_access_dates_print_as_year_month_day(written: str, printed: str) -> None:
    assert parse_access_date(written) == printed


@pytest.mark.parametrize("note", [
    "Accessed 1 March 2024", "accessed: 2024-03-01", "[Online; accessed 1-March-2024]",
    "[Online; accessed 1. Mar. 2024]", "Accessed on 1 March 2024.",
])  # fmt: skip
def test_access_date_read_from_note(note: str) -> None:
    assert access_date(make_entry("misc", note=note)) == "2024 Mar 1"


def test_urldate_wins_over_note() -> None:
    entry = make_entry("misc", urldate="2024-03-01", note="Accessed 5 May 2020")
    assert access_date(entry) == "2024 Mar 1"


def test_zotero_web_page_is_a_web_page() -> None:
    text = fmt_fields("misc", {"author": "Martin, G. P."}, title="Blog post", year="2017",
                      url="https://example.org/p", urldate="2024-03-01")
    assert text == (
        "Martin GP. Blog post [Internet]. 2017 [cited 2024 Mar 1]. "
        "Available from: https://example.org/p"
    )


def test_access_date_without_url_is_not_printed() -> None:
    """``[cited ...]`` says when online material was consulted; a book has none."""
    assert fmt_fields("book", title="T", year="2001", urldate="2024-03-01") == "T. 2001."


def test_online_entry_without_year_gets_cited_alone() -> None:
    text = fmt_fields("online", title="T", url="https://example.org/", urldate="2024-03-01")
    assert text == "T [Internet]. [cited 2024 Mar 1]. Available from: https://example.org/"


def test_doi_makes_a_work_published_not_online() -> None:
    entry = make_entry("misc", title="T", url="https://example.org/", doi="10.1/x")
    assert not is_online(entry)
    assert is_online(make_entry("misc", url="https://example.org/"))
    assert is_online(make_entry("online"))


def test_report_number_goes_at_the_end() -> None:
    text = fmt_fields("techreport", {"author": "{Public Health England}"}, title="T",
                      address="London", institution="Public Health England", year="2018",
                      number="GW-2018-123")
    assert text == (
        "Public Health England. T. London: Public Health England; 2018. "
        "Report No.: GW-2018-123."
    )


def test_issue_field_used_when_number_is_absent() -> None:
    text = fmt_fields("article", journal="J", year="2021", volume="59", issue="5",
                      pages="1311--1342")
    assert text == "J. 2021; 59(5): 1311-1342."


@pytest.mark.parametrize(("journal", "printed"), [
    ("Am. J. Epidemiol.", "Am J Epidemiol"), ("Proc. Natl. Acad. Sci. U.S.A.",
    "Proc Natl Acad Sci USA"), ("Journal of the Royal Statistical Society. Series B",
    "Journal of the Royal Statistical Society Series B"), ("arXiv:2011.01808",
    "arXiv:2011.01808"),
])  # fmt: skip
def test_journal_title_without_full_stops(journal: str, printed: str) -> None:
    assert journal_title(make_entry("article", journal=journal)) == printed


def test_shortjournal_preferred() -> None:
    entry = make_entry("article", journaltitle="Statistics and Computing",
                       shortjournal="Stat Comput")
    assert journal_title(entry) == "Stat Comput"


@pytest.mark.parametrize("pages", ["131–-144", "131--144", "131 - 144", "131—144",
                                   r"131\textendash 144"])
def test_any_dash_in_a_page_range_prints_as_one_hyphen(pages: str) -> None:
    assert fmt_fields("article", journal="J", year="2018", pages=pages) == "J. 2018: 131-144."


def test_book_volume_series_and_location() -> None:
    text = fmt_fields("book", title="T", volume="2", series="S", number="8",
                      location="Maidenhead", publisher="P", year="2011")
    assert text == "T. Vol. 2. Maidenhead: P; 2011. (S; no. 8)."


def test_chapter_series_follows_pages() -> None:
    text = fmt_fields("incollection", title="C", booktitle="B", series="Handbook of Statistics",
                      publisher="Elsevier", year="2022", pages="103--120")
    assert text == "C. In: B. Elsevier; 2022. p. 103-120. (Handbook of Statistics)."


def test_periodical_prints_its_volume_and_issue() -> None:
    text = fmt_fields("periodical", {"editor": "Lee, M. D."}, title="J Math Psychol",
                      year="2011", volume="55", number="1")
    assert text == "Lee MD, editor. J Math Psychol. 2011; 55(1)."


def test_article_without_journal_puts_internet_after_title() -> None:
    text = fmt_fields("article", title="Preprint", year="2022", url="https://example.org/")
    assert text == "Preprint [Internet]. 2022. Available from: https://example.org/"


# --------------------------------------------------------------------------
# Entry types from the synthetic fixture (types the real bibliographies lack)
# --------------------------------------------------------------------------

TYPE_EXPECTED = {
    "report_numbered": (
        "Smith J, NHS England. Waiting times in the West Midlands. "
        "Birmingham: CLAHRC West Midlands; 2015. Report No.: WM-12."
    ),
    "report_biblatex": "Jones PQ. Staffing and safety. Leeds: NHS Digital. 2016.",
    "thesis_phd": (
        "Currie G. Managing change in the NHS [dissertation]. "
        "Nottingham: University of Nottingham; 1997."
    ),
    "thesis_masters": (
        "Lee A. Who leads the ward? [master's thesis]. Coventry: University of Warwick; 2012."
    ),
    "manual_corporate": (
        "R Core Team. R: A Language and Environment for Statistical Computing. "
        "Vienna, Austria: R Foundation for Statistical Computing; 2016."
    ),
    "manual_organization_only": (
        "Healthcare Quality Improvement Partnership. Clinical audit handbook. 3rd ed. "
        "London: Healthcare Quality Improvement Partnership; 2020."
    ),
    "online_page": (
        "World Health Organisation. Hypertension [Internet]. 2023 [cited 2024 Jan 31]. "
        "Available from: https://www.who.int/news-room/fact-sheets/detail/hypertension"
    ),
    "unpublished_manuscript": "Brown A, Green B. Distributed leadership in primary care. 2024.",
    "misc_howpublished": (
        "Black C. Leading together. Keynote address, NHS Confederation conference. 2011."
    ),
    "misc_url_in_howpublished": (
        "CLAHRC WM News Blog [Internet]. 2017. Available from: "
        "https://clahrcwmblog.wordpress.com/"
    ),
    "proceedings_paper": (
        "White D, Grey E. Networks of care. In: Black C, editor. Proceedings of the Health "
        "Services Research Conference. Manchester: HSR UK; 2018. p. 12-19."
    ),
    "inbook_chapter_number": (
        "Korenman SG. Teaching the Responsible Conduct of Research in Humans. "
        "Los Angeles: University of California; 2006. Chapter 1."
    ),
    "inbook_booktitle": (
        "Green PJ. Penalized likelihood. In: Kotz S, editor. Encyclopedia of Statistical "
        "Sciences. New York: Wiley; 1998. p. 578-586."
    ),
    "book_edited": (
        "Soothill K, Henry C, Kendrick K, editors. Themes and Perspectives in Nursing. "
        "2nd ed. London: Chapman and Hall; 1996."
    ),
    "book_one_editor": (
        "Walshe K, editor. Healthcare Management. 2nd ed. Maidenhead: Open University Press; 2011."
    ),
    # Web pages, grey literature and the fields NLM prints (issue 14).
    "online_note_accessed": (
        "Public Health England. Health profile for the West Midlands [Internet]. 2019 "
        "[cited 2024 Mar 1]. Available from: https://example.org/phe/west-midlands"
    ),
    "misc_zotero_web_page": (
        "Martin GP. Why patient involvement matters. CLAHRC WM News Blog [Internet]. 2017 "
        "[cited 2024 Mar 1]. Available from: https://example.org/blog/patient-involvement"
    ),
    "misc_online_note": (
        "Wikipedia contributors. Distributed leadership \u2014 Wikipedia, The Free Encyclopedia "
        "[Internet]. 2020 [cited 2020 May 3]. "
        "Available from: https://example.org/wiki/Distributed_leadership"
    ),
    "report_corporate_number": (
        "Public Health England. Health matters: waiting times. London: Public Health England; "
        "2018. Report No.: GW-2018-123."
    ),
    "report_online": (
        "Smith J. Staffing the night shift [Internet]. Leeds: NHS Digital. 2021 "
        "[cited 2024 Feb 8]. Available from: https://example.org/reports/night-shift.pdf"
    ),
    "thesis_online": (
        "Lee A. Leading from the ward [dissertation] [Internet]. Coventry: University of "
        "Warwick; 2019 [cited 2024 Mar 1]. Available from: https://example.org/theses/lee2019"
    ),
    "article_particles_issue": (
        "van der Ploeg JL, van Buuren S. Missing data in ward audits. Am J Epidemiol. "
        "2016; 183(8): 758-64."
    ),
    "article_shortjournal": (
        "Gronn P. Distributed leadership revisited. Leadersh Q. 2008; 19(2): 141-158."
    ),
    "article_malformed_range": "Meyer M. Sharing data. Hum Relat. 2018; 1: 131-144.",
    "article_web": (
        "Lowe D. A field guide to authorship. Science [Internet]. 2016 [cited 2024 Mar 1]. "
        "Available from: https://example.org/science/field-guide"
    ),
    "book_series_volume": (
        "Walshe K. Healthcare management. Vol. 2. Maidenhead: Open University Press; 2011. "
        "(Health services research; no. 8)."
    ),
    "periodical_issue": (
        "Lee MD, editor. Journal of Mathematical Psychology. Special issue on hierarchical "
        "models. 2011; 55(1)."
    ),
}


@pytest.fixture(scope="module")
def type_entries() -> BibliographyData:
    return parse_file(str(TYPES_BIB), "bibtex", encoding="utf-8")


@pytest.mark.parametrize("key", list(TYPE_EXPECTED))
def test_entry_type(type_entries: BibliographyData, key: str) -> None:
    assert render(type_entries.entries[key]) == TYPE_EXPECTED[key]


def test_fixture_has_an_expectation_per_entry(type_entries: BibliographyData) -> None:
    assert sorted(type_entries.entries) == sorted(TYPE_EXPECTED)


def test_thesis_without_title_keeps_label() -> None:
    assert fmt_fields("phdthesis", {"author": "Lee, A."}, year="2001") == (
        "Lee A. [dissertation]. 2001."
    )


def test_report_without_address() -> None:
    text = fmt_fields("techreport", title="T", institution="NHS Digital", year="2016")
    assert text == "T. NHS Digital. 2016."


def test_unknown_entry_type_is_formatted_like_misc() -> None:
    text = fmt_fields("software", {"author": "Carpenter, Bob"}, title="Stan", year="2017")
    assert text == "Carpenter B. Stan. 2017."


@pytest.mark.parametrize(
    "entry_type",
    ["article", "book", "incollection", "inbook", "inproceedings", "phdthesis",
     "mastersthesis", "techreport", "report", "misc", "online", "unpublished", "manual"],
)  # fmt: skip
def test_empty_entry_renders_without_error(entry_type: str) -> None:
    text = fmt_fields(entry_type)
    assert not BROKEN.search(text), text


# --------------------------------------------------------------------------
# Graceful degradation, property-based
# --------------------------------------------------------------------------

FIELD_VALUES = {
    "title": st.sampled_from(["Title", "Why?", "Done.", r"{B}ayes \& M{\"u}ller", ""]),
    "journal": st.sampled_from(["Hum Relat", "J. Stat.", ""]),
    "booktitle": st.sampled_from(["Proceedings", "Book:", ""]),
    "year": st.sampled_from(["2009", "in press", ""]),
    "volume": st.sampled_from(["62", ""]),
    "number": st.sampled_from(["11", ""]),
    "pages": st.sampled_from(["1735--61", "e12", ""]),
    "address": st.sampled_from(["London", ""]),
    "publisher": st.sampled_from(["Sage", ""]),
    "institution": st.sampled_from(["NHS", ""]),
    "school": st.sampled_from(["Warwick", ""]),
    "organization": st.sampled_from(["WHO", ""]),
    "edition": st.sampled_from(["2", "Third", ""]),
    "howpublished": st.sampled_from(["Blog post", r"\url{https://x.org/}", ""]),
    "chapter": st.sampled_from(["3", ""]),
    "doi": st.sampled_from(["10.1/x", ""]),
    "url": st.sampled_from(["https://x.org/", ""]),
}
PERSON_VALUES = st.sampled_from(
    ["", "Smith, J.", "{World Health Organisation}", "A, B and C, D and others",
     " and ".join(f"N{i}, A." for i in range(9))]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    entry_type=st.sampled_from(
        ["article", "book", "incollection", "inbook", "inproceedings", "phdthesis",
         "mastersthesis", "techreport", "report", "misc", "online", "unpublished",
         "manual", "periodical"]
    ),
    fields=st.fixed_dictionaries({}, optional=FIELD_VALUES),
    authors=PERSON_VALUES,
    editors=PERSON_VALUES,
)  # fmt: skip
def test_any_combination_of_fields_gives_clean_punctuation(
    entry_type: str, fields: dict[str, str], authors: str, editors: str
) -> None:
    persons = {role: names for role, names in (("author", authors), ("editor", editors)) if names}
    text = render_fast(make_entry(entry_type, persons, **fields))
    assert not BROKEN.search(text), text
    assert not re.search(r"[\\{}$]", text), text


# --------------------------------------------------------------------------
# The seed essay's references, character for character
# --------------------------------------------------------------------------


#: The fields the seed's reference list prints.  Staff may add others to a
#: seed work (a DOI, a URL); the seed's text is checked on these alone.
SEED_FIELDS = frozenset({
    "title", "journal", "year", "volume", "number", "pages", "booktitle",
    "address", "publisher", "institution",
})


def _seed_references() -> list[str]:
    """The numbered list at the end of the seed page, numbers removed."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    listed = [line for line in lines if re.match(r"^\s+\d+\.\s", line)]
    return [re.sub(r"^\s*\d+\.\s+", "", line) for line in listed]


def as_the_seed_gives(entry: Entry) -> Entry:
    """The entry with only the fields the seed prints (and its persons)."""
    fields = {k: v for k, v in entry.fields.items() if k.lower() in SEED_FIELDS}
    return Entry(entry.type, fields=fields, persons=entry.persons)


@pytest.fixture(scope="module")
def refs_bib(site_source: Path) -> BibliographyData:
    return parse_file(str(site_source / "refs.bib"), "bibtex", encoding="utf-8")


def test_seed_fixture_lists_twelve_references() -> None:
    assert len(_seed_references()) == len(SEED_KEYS) == 12


def test_refs_bib_holds_every_seed_work(refs_bib: BibliographyData) -> None:
    """Staff may add works anywhere; the seed's twelve stay (order is the essay's)."""
    assert [key for key in SEED_KEYS if key not in refs_bib.entries] == []


def test_fields_staff_add_to_a_seed_work_only_add_to_its_reference(
    refs_bib: BibliographyData,
) -> None:
    """A DOI added to a seed work is appended; the seed's text is unchanged."""
    entry = as_the_seed_gives(refs_bib.entries["currie2009institutionalization"])
    with_doi = Entry(entry.type, fields={**entry.fields, "doi": "10.1177/0018726709346378"},
                     persons=entry.persons)
    assert render(with_doi) == _seed_references()[3] + " doi:10.1177/0018726709346378"


def test_refs_bib_encodes_laming_as_corporate_author(refs_bib: BibliographyData) -> None:
    (laming,) = refs_bib.entries["laming2009protection"].persons["author"]
    assert laming.last_names == ["{Laming, Lord}"]
    assert not laming.first_names


@pytest.mark.parametrize("number", range(1, 13), ids=SEED_KEYS)
def test_seed_reference_is_reproduced_exactly(refs_bib: BibliographyData, number: int) -> None:
    expected = _seed_references()[number - 1]
    entry = as_the_seed_gives(refs_bib.entries[SEED_KEYS[number - 1]])
    assert render(entry, str(number)) == expected


def test_seed_bibliography_in_citation_order(refs_bib: BibliographyData) -> None:
    """The whole list through ``format_bibliography``: numbered 1-12, unsorted."""
    seed_only = BibliographyData(
        {key: as_the_seed_gives(refs_bib.entries[key]) for key in SEED_KEYS}
    )
    formatted = STYLE.format_bibliography(seed_only, SEED_KEYS)
    got = [(entry.label, entry.text.render_as("text")) for entry in formatted]
    assert got == [(str(n), text) for n, text in enumerate(_seed_references(), start=1)]


# --------------------------------------------------------------------------
# Plugin registration
# --------------------------------------------------------------------------


def test_register_makes_vancouver_findable() -> None:
    register()
    assert find_plugin("pybtex.style.formatting", "vancouver") is VancouverStyle


def test_register_is_idempotent() -> None:
    register()
    register()
    assert find_plugin("pybtex.style.formatting", "vancouver") is VancouverStyle


def test_find_plugin_does_not_scan_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    import pybtex.plugin

    register()

    def no_scan(**kwargs: object) -> list[object]:
        raise AssertionError("entry points scanned")

    monkeypatch.setattr(pybtex.plugin, "entry_points", no_scan)
    assert find_plugin("pybtex.style.formatting", "vancouver") is VancouverStyle


def test_style_formats_entries_in_given_order_with_numbers() -> None:
    data = parse_string(
        "@misc{b, title={Second}} @misc{a, title={First}}",
        "bibtex",
    )
    formatted = list(STYLE.format_entries(data.entries.values()))
    assert [(e.key, e.label, e.text.render_as("text")) for e in formatted] == [
        ("b", "1", "Second."),
        ("a", "2", "First."),
    ]


# --------------------------------------------------------------------------
# Fingerprints
# --------------------------------------------------------------------------


def test_fingerprint_same_for_same_content() -> None:
    first = parse_string(ARTICLE, "bibtex").entries["a"]
    second = parse_string(ARTICLE.replace("title", "TITLE"), "bibtex").entries["a"]
    assert entry_fingerprint(first) == entry_fingerprint(second)


def test_fingerprint_ignores_the_key() -> None:
    first = parse_string(ARTICLE, "bibtex").entries["a"]
    second = parse_string(ARTICLE.replace("{a,", "{b,"), "bibtex").entries["b"]
    assert entry_fingerprint(first) == entry_fingerprint(second)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("@article", "@misc"),  # type
        ("{2009}", "{2010}"),  # field
        ("Lockett, Andy", "Lockett, Andrew"),  # person
        ("  pages", "  note = {x},\n  pages"),  # added field
    ],
)
def test_fingerprint_changes_with_content(old: str, new: str) -> None:
    before = next(iter(parse_string(ARTICLE, "bibtex").entries.values()))
    after = next(iter(parse_string(ARTICLE.replace(old, new), "bibtex").entries.values()))
    assert entry_fingerprint(before) != entry_fingerprint(after)


def test_fingerprint_is_stable_across_processes() -> None:
    """No dependence on Python's per-process hash seed."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from pybtex.database import parse_string;"
        "from kb.vancouver import entry_fingerprint;"
        "print(entry_fingerprint(parse_string(sys.argv[2], 'bibtex').entries['a']))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", code, str(REPO / "_ext"), ARTICLE],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.strip()
    assert other == entry_fingerprint(parse_string(ARTICLE, "bibtex").entries["a"])


# --------------------------------------------------------------------------
# The staff guide's "Citing web pages, reports and grey literature"
# --------------------------------------------------------------------------

GUIDE_SECTION = "### Citing web pages, reports and grey literature\n"


def _guide_examples() -> list[tuple[str, str]]:
    """Each BibTeX block of the section with the printed form shown after it."""
    guide = (REPO / "writing.md").read_text(encoding="utf-8")
    section = guide.split(GUIDE_SECTION, 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```bibtex\n(.*?)```\n\n```text\n(.*?)\n```", section, re.DOTALL)


def test_guide_shows_each_kind_of_grey_literature() -> None:
    kinds = {re.match(r"@(\w+)", bib).group(1) for bib, _ in _guide_examples()}  # type: ignore[union-attr]
    assert {"online", "misc", "techreport", "phdthesis", "book"} <= kinds


def _example_id(value: str) -> str:
    return value.split("{")[1].split(",")[0] if value.startswith("@") else ""


@pytest.mark.parametrize(("bib", "printed"), _guide_examples(), ids=_example_id)
def test_guide_prints_what_the_style_prints(bib: str, printed: str) -> None:
    assert fmt(bib) == printed
