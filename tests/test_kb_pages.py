"""Author/role blocks, theme and person pages, listings, cross-links (issue 3)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import build, copy_root


def page(app, docname: str) -> BeautifulSoup:
    html = (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").find(attrs={"role": "main"})


def items(soup: BeautifulSoup) -> list[str]:
    return [li.find("a").get_text() for li in soup.select("ul.kb-essays > li")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(copy_root("kb", tmp_path_factory.mktemp("kb") / "src"), freshenv=True)


def test_builds_without_warnings(built):
    assert built.warning.getvalue() == ""


def test_author_block_names_position_affiliation_roles(built):
    block = page(built, "essays/alpha").select_one(".kb-byline .kb-author")
    assert " ".join(block.get_text("").split()) == (
        "Ann Example, Professor of Testing, University of Somewhere, "
        "Lead T1 Theme & Deputy Director")
    links = {a.get_text(): a["href"] for a in block.find_all("a")}
    assert links == {"Ann Example": "../people/ann.html", "T1 Theme": "../themes/t1.html"}


def test_author_block_shows_themes_date_and_tags(built):
    meta = page(built, "essays/alpha").select_one(".kb-byline .kb-meta")
    assert meta.find("a", href="../themes/t1.html").get_text() == "Theme One"
    assert meta.find("time")["datetime"] == "2020-05-01"
    assert "1 May 2020" in meta.get_text()
    assert "Tags: first tag" in meta.get_text()


def test_undated_essay_shows_no_date(built):
    assert page(built, "essays/beta").find("time") is None


def test_every_author_gets_a_line(built):
    names = [p.find("a").get_text() for p in page(built, "essays/beta").select(".kb-author")]
    assert names == ["Ann Example", "Bob Sample"]


def test_theme_page_lists_its_essays_newest_first_undated_last(built):
    theme = page(built, "themes/t2")
    assert items(theme) == ["Gamma essay", "Beta essay"]
    assert "Ann Example" in theme.select("ul.kb-essays > li")[1].get_text()


def test_theme_page_shows_short_name_and_lead(built):
    meta = page(built, "themes/t1").select_one(".kb-theme-meta")
    assert "Short name: T1" in meta.get_text()
    assert meta.find("a", href="../people/ann.html").get_text() == "Ann Example"


def test_person_page_lists_essays_with_role_held(built):
    person = page(built, "people/ann")
    assert items(person) == ["Alpha essay", "Beta essay"]
    first, second = (li.get_text(" ", strip=True) for li in person.select("ul.kb-essays > li"))
    assert "Lead T1 Theme & Deputy Director" in first
    assert "Reader in Examples" in second


def test_person_page_links_orcid(built):
    link = page(built, "people/ann").find("a", href="https://orcid.org/0000-0002-1825-0097")
    assert link is not None


def test_indexes_of_themes_and_people(built):
    home = page(built, "index")
    themes = [li.find("a").get_text() for li in home.select("ul.kb-themes > li")]
    people = [li.find("a").get_text() for li in home.select("ul.kb-people > li")]
    assert themes == ["Theme One", "Theme Two"]
    assert people == ["Ann Example", "Bob Sample"]
    assert items(home) == ["Gamma essay", "Alpha essay", "Beta essay"]


def test_prose_roles_render_target_titles(built):
    body = page(built, "essays/alpha")
    assert body.find("a", href="../themes/t2.html").get_text() == "Theme Two"
    assert body.find("a", href="../people/bob.html").get_text() == "Bob Sample"


def test_grouped_citation_reads_as_one_marker(built):
    markers = [m.get_text() for m in page(built, "essays/alpha").select(".kb-cite")]
    assert markers == ["[1]", "[2, 1]"]


def test_references_page_lists_each_work_with_citing_essays(built):
    works = page(built, "refs").select("ul.kb-works > li")
    assert [w.get_text(" ", strip=True).split(" Cited by")[0] for w in works] == [
        "Brown C. A Book. London: Test Press; 1999.",
        "Smith J, Jones AB. A first article. J Test. 2001; 1: 1-10.",
    ]
    assert [a.get_text() for a in works[0].find_all("a")] == ["Alpha essay", "Beta essay"]


def test_listing_pages_are_searchable(built):
    pages = {}
    for fragment in (Path(built.outdir) / "pagefind" / "fragment").iterdir():
        data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        pages[data["url"].lstrip("/")] = data["content"]
    for listing in ("themes/t1.html", "people/ann.html", "refs.html", "essays/index.html"):
        assert listing in pages
    assert "The first synthetic theme." in pages["themes/t1.html"]


def test_unknown_role_target_is_a_nitpicky_warning(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    essay = src / "essays" / "gamma.md"
    essay.write_text(essay.read_text() + "\nSee {theme}`nosuch`.\n")
    warnings = build(src, freshenv=True).warning.getvalue()
    assert "gamma.md" in warnings and "nosuch" in warnings


@pytest.mark.parametrize("builder", ["text", "xml", "singlehtml", "epub", "man", "texinfo"])
def test_other_builders_render_the_knowledge_base(tmp_path, builder):
    app = build(copy_root("kb", tmp_path / "src"), builder, freshenv=True)
    assert "kb_" not in app.warning.getvalue()
    assert "Traceback" not in app.warning.getvalue()
    if builder == "text":
        text = (Path(app.outdir) / "essays" / "alpha.txt").read_text(encoding="utf-8")
        assert "Ann Example*, Professor of Testing" in text
        assert "[2, 1]" in text
        assert "1. Smith J, Jones AB. A first article." in text
