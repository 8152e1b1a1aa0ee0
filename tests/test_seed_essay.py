"""The seed essay is published faithfully (issue 2), read from the seed file."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from conftest import SEED_ESSAY

MARKERS = [1, 2, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 4, 5, 6, 12]
FURNITURE = ["Leave a Reply", "Log Out", "Twitter", "Facebook", "Google+", "Connecting to",
             "commenting using"]


def seed_parts(seed: str) -> dict[str, list[str]]:
    """Split the saved page into the essay's parts, as the brief describes them."""
    lines = [line.strip() for line in seed.splitlines()[:33]]
    body = [line for line in lines[1:19] if line]
    return {
        "title": [lines[0]],
        "headings": [line for line in body if line.endswith("?")],
        "paragraphs": [line for line in body if not line.endswith("?")
                       and not line.startswith("—")],
        "signoff": [line for line in body if line.startswith("—")],
        "references": [re.sub(r"^\d+\.\s+", "", line) for line in lines[21:33]],
    }


def words(text: str) -> str:
    """Text without citation markers, whitespace folded: what the author wrote."""
    return " ".join(re.sub(r"\[\d+(?:, \d+)*\]", "", text).split())


@pytest.fixture(scope="module")
def page(site_html) -> BeautifulSoup:
    outdir, _ = site_html
    html = (outdir / f"{SEED_ESSAY}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


@pytest.fixture(scope="module")
def article(page):
    return page.find(attrs={"role": "main"})


def test_site_builds_without_warnings(site_html):
    _, warnings = site_html
    assert warnings.strip() == ""


def test_title_and_three_section_headings(article, seed_text):
    parts = seed_parts(seed_text)
    assert article.find("h1").get_text("", strip=True).rstrip("¶") == parts["title"][0]
    headings = [h.get_text("", strip=True).rstrip("¶")
                for h in article.select("section > h2:not(.kb-references-title)")]
    assert headings == parts["headings"]
    assert len(headings) == 3


def test_five_paragraphs_word_for_word(article, seed_text):
    expected = [words(p) for p in seed_parts(seed_text)["paragraphs"]]
    assert len(expected) == 5
    body = [words(p.get_text("")) for p in article.find_all("p")
            if not set(p.get("class", [])) & {"kb-author", "kb-meta", "kb-signoff"}
            and not p.find_parent("ol")]
    for paragraph in expected:
        assert paragraph in body


def test_sixteen_markers_in_first_citation_order(article):
    markers = [int(a.get_text()) for span in article.select("span.kb-cite")
               for a in span.find_all("a")]
    assert markers == MARKERS


def test_markers_link_to_their_reference(article):
    for link in article.select("span.kb-cite a"):
        number = link.get_text()
        assert link["href"] == f"#ref-{number}"
        assert link["aria-label"] == f"Reference {number}"
        assert article.find(id=f"ref-{number}") is not None


def reference_texts(article) -> list[str]:
    items = []
    for li in article.select("ol.kb-references > li"):
        li = BeautifulSoup(str(li), "html.parser")
        for backlink in li.select("a.kb-backlink"):
            backlink.decompose()
        items.append(" ".join(li.get_text("").split()))
    return items


def test_twelve_references_in_house_style_and_order(article, seed_text):
    items = reference_texts(article)
    assert items == seed_parts(seed_text)["references"]


def test_references_link_back_to_their_first_citation(article):
    for number, li in enumerate(article.select("ol.kb-references > li"), start=1):
        back = li.select_one("a.kb-backlink")
        marker = article.find(id=back["href"].removeprefix("#"))
        assert str(number) in [a.get_text() for a in marker.find_all("a")]
        assert back["aria-label"] == f"Back to where the text first cites reference {number}"


def test_references_heading_is_a_heading(article):
    assert article.select_one("h2.kb-references-title").get_text() == "References"


def test_sign_off_as_written(article, seed_text):
    signoff = article.select_one("p.kb-signoff")
    assert " ".join(signoff.get_text("").split()) == seed_parts(seed_text)["signoff"][0]


def test_sign_off_links_author_and_theme(article):
    links = {a.get_text(): a["href"] for a in article.select_one("p.kb-signoff").find_all("a")}
    assert links == {"Graeme Currie": "../people/graeme-currie.html",
                     "IOS Theme": "../themes/ios.html"}


def test_prose_names_the_theme_with_a_link(article):
    link = next(a for a in article.find_all("a")
                if a.get_text() == "the Implementation and Organisational Studies theme")
    assert link["href"] == "../themes/ios.html"


def test_no_page_furniture(article):
    text = article.get_text(" ")
    for furniture in FURNITURE:
        assert furniture not in text
