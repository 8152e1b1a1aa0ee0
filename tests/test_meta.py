"""Head tags for Google Scholar and link previews (issue 6).

Checked on the synthetic ``test-web`` root and on the real site, by
parsing the written HTML with BeautifulSoup (which undoes the escaping,
so a value equal to the front matter proves it was escaped correctly).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import SEED_ESSAY, build, copy_root
from conftest import WEB_BASE as BASE
from conftest import WEB_HOSTILE as HOSTILE
from kb.meta import plain, shorten


def head(outdir: Path | str, docname: str) -> BeautifulSoup:
    html = (Path(outdir) / f"{docname}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").head


def names(soup: BeautifulSoup, name: str) -> list[str]:
    return [tag["content"] for tag in soup.find_all("meta", attrs={"name": name})]


def prop(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"property": name})
    return tag["content"] if tag else None


def test_builds_without_warnings(web):
    assert web.warning.getvalue() == ""


def test_scholar_tags_of_a_dated_essay_with_two_authors(web):
    soup = head(web.outdir, "essays/dated-new")
    assert names(soup, "citation_title") == ["The Newest Dated Essay"]
    assert names(soup, "citation_author") == ["Alice Smith", "Jean-Paul van der Berg"]
    assert names(soup, "citation_publication_date") == ["2020/02/01"]


def test_undated_essay_has_no_publication_date(web):
    soup = head(web.outdir, "essays/undated")
    assert names(soup, "citation_title") == ["An Essay Without a Date"]
    assert names(soup, "citation_publication_date") == []


def test_pages_that_are_not_essays_have_no_scholar_tags(web):
    for docname in ("index", "people/alice-smith", "themes/alpha", "essays/index"):
        soup = head(web.outdir, docname)
        assert not soup.find_all("meta", attrs={"name": lambda n: n and n.startswith(
            "citation_")}), docname


def test_hostile_title_and_text_stay_text(web):
    soup = head(web.outdir, "essays/hostile")
    assert names(soup, "citation_title") == [HOSTILE]
    assert prop(soup, "og:title") == HOSTILE
    assert names(soup, "citation_author") == ["Zoë O'Brien"]
    assert names(soup, "description") == ["Raw & “quoted” text with a citation."]
    scripts = soup.find_all("script", string=lambda s: s and "alert" in s)
    # Only the JSON-LD holds the title, as data with '<' escaped (test_jsonld.py).
    assert [s["type"] for s in scripts] == ["application/ld+json"]
    assert "<" not in scripts[0].string


def test_description_is_the_first_paragraph_not_the_author_block(web):
    soup = head(web.outdir, "essays/dated-new")
    expected = ("First paragraph of the newest essay, citing a book. It goes on; "
                "with a stray space before a semicolon.")
    assert names(soup, "description") == [expected]
    assert prop(soup, "og:description") == expected


def test_opengraph_tags_are_absolute_and_typed(web):
    essay = head(web.outdir, "essays/dated-old")
    assert prop(essay, "og:url") == BASE + "essays/dated-old.html"
    assert prop(essay, "og:type") == "article"
    assert prop(essay, "og:title") == "An Older Dated Essay"
    assert essay.find("link", rel="canonical")["href"] == BASE + "essays/dated-old.html"
    home = head(web.outdir, "index")
    assert prop(home, "og:type") == "website"
    assert prop(home, "og:url") == BASE + "index.html"


def test_base_url_without_slash_or_from_command_line(tmp_path):
    src = copy_root("web", tmp_path / "src")
    app = build(src, freshenv=True,
                confoverrides={"html_baseurl": "https://other.example.net/kb"})
    soup = head(app.outdir, "essays/dated-old")
    assert prop(soup, "og:url") == "https://other.example.net/kb/essays/dated-old.html"


def test_renamed_person_is_renamed_in_scholar_tags_after_incremental_build(tmp_path):
    src = copy_root("web", tmp_path / "src")
    build(src, freshenv=True)
    person = src / "people" / "alice-smith.md"
    person.write_text(person.read_text().replace("Alice Smith", "Alice B Smith"))
    app = build(src)
    soup = head(app.outdir, "essays/dated-new")
    assert names(soup, "citation_author") == ["Alice B Smith", "Jean-Paul van der Berg"]


def test_real_site_seed_essay(site_html):
    outdir, _warnings = site_html
    soup = head(outdir, SEED_ESSAY)
    assert names(soup, "citation_title") == ["Can CLAHRC WM Enact Distributed Leadership"]
    assert names(soup, "citation_author") == ["Graeme Currie"]
    assert names(soup, "citation_publication_date") == []  # the seed gives no date
    [description] = names(soup, "description")
    assert description.startswith("The emergence of ‘Distributed Leadership’ (DL) reflects")
    assert "Professor" not in description  # not the author block
    assert len(description) <= 200
    assert prop(soup, "og:url").endswith(f"/{SEED_ESSAY}.html")


@pytest.mark.parametrize(("text", "expected"), [
    ("a  b\n c", "a b c"),
    ("word ; next , and .", "word; next, and."),
])
def test_plain(text, expected):
    assert plain(text) == expected


def test_shorten_cuts_at_a_word_with_an_ellipsis():
    text = "word " * 100
    short = shorten(text.strip(), 30)
    assert len(short) <= 30 and short.endswith("word…")
    assert shorten("short text", 30) == "short text"
