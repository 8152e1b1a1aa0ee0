"""Numbered citations on any page, not only on essays (issue 18).

The synthetic ``anypage`` root has a plain page with ``{footbibliography}``
(``about``), a plain page that cites without one (``bare``), a person page
with a list, one essay and the cited-works listing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import build, copy_root

BARE_WARNING = (
    "bare.md:5: WARNING: this page cites 'two' but has no reference list: add a "
    "'{footbibliography}' directive where its numbered references should go"
)


def main(app, docname: str) -> BeautifulSoup:
    html = (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").find(attrs={"role": "main"})


def references(soup: BeautifulSoup) -> list[str]:
    return [" ".join(li.get_text(" ").replace("↩", "").split())
            for li in soup.select("ol.kb-references > li")]


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    return build(copy_root("anypage", tmp_path_factory.mktemp("anypage") / "src"),
                 freshenv=True)


def test_the_only_warning_is_the_page_that_cites_without_a_list(html):
    warnings = [w for w in html.warning.getvalue().splitlines() if w.strip()]
    assert len(warnings) == 1
    assert BARE_WARNING in re.sub(r"\x1b\[[0-9;]*m", "", warnings[0])


def test_plain_page_gets_its_own_numbered_list_where_it_asks(html):
    soup = main(html, "about")
    assert references(soup) == [
        "Smith J, Jones AB. A first article. J Test. 2001; 1: 1-10.",
        "Brown C. A Book. London: Test Press; 1999.",
    ]
    assert [m.get_text() for m in soup.select(".kb-cite")] == ["[1]", "[2, 1]"]
    further = soup.find(id="further-reading")
    assert further.select_one("ol.kb-references") is not None
    assert further.select_one("h2.kb-references-title").get_text() == "References"
    # The list stands where {footbibliography} was, before the closing paragraph.
    texts = [p.get_text() for p in further.find_all("p", recursive=False)]
    assert texts == ["A closing paragraph after the list."]
    assert further.select_one("ol.kb-references").find_next("p", string=texts[0])


def test_every_marker_and_backlink_points_at_an_anchor_on_its_page(html):
    for docname in ("about", "bare", "people/ann", "essays/only"):
        soup = main(html, docname)
        links = soup.select(".kb-cite a, a.kb-backlink")
        assert links, docname
        for link in links:
            target = link["href"].removeprefix("#")
            assert soup.find(id=target) is not None, (docname, link["href"])


def test_page_that_cites_without_a_list_still_gets_one_at_its_end(html):
    soup = main(html, "bare")
    assert references(soup) == [
        "Brown C. A Book. London: Test Press; 1999.",
        "Smith J, Jones AB. A first article. J Test. 2001; 1: 1-10.",
    ]


def test_person_page_cites_with_its_own_list(html):
    soup = main(html, "people/ann")
    assert references(soup) == ["Brown C. A Book. London: Test Press; 1999."]
    assert [m.get_text() for m in soup.select(".kb-cite")] == ["[1]"]


def test_cited_works_lists_only_what_essays_cite(html):
    soup = main(html, "works")
    works = [" ".join(li.get_text(" ").split()) for li in soup.select("ul.kb-works > li")]
    assert len(works) == 1
    assert works[0].startswith("Smith J, Jones AB. A first article.")
    assert "Cited by: The only essay" in works[0]


def test_text_builder_writes_the_plain_page_list(tmp_path):
    app = build(copy_root("anypage", tmp_path / "src"), "text", freshenv=True)
    text = (Path(app.outdir) / "about.txt").read_text(encoding="utf-8")
    assert "[2, 1]" in text
    assert "1. Smith J, Jones AB. A first article. J Test. 2001; 1: 1-10." in text
    assert "2. Brown C. A Book. London: Test Press; 1999." in text
    assert text.index("References") < text.index("A closing paragraph after the list.")


def test_latex_markers_link_to_the_plain_page_list(tmp_path):
    app = build(copy_root("anypage", tmp_path / "src"), "latex", freshenv=True,
                confoverrides={"latex_documents": [
                    ("about", "about.tex", "About", "Synthetic", "howto")]})
    tex = (Path(app.outdir) / "about.tex").read_text(encoding="utf-8")
    for number in (1, 2):
        assert r"\hyperref[\detokenize{about:ref-%d}]" % number in tex
        assert r"\label{\detokenize{about:ref-%d}}" % number in tex
    assert "Brown C. A Book. London: Test Press; 1999." in tex
