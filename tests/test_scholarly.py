"""Summary, DOI, funding and licence on essay pages (issue 16).

Built from ``tests/roots/test-scholar`` (synthetic: site-wide funding and
licence in its conf.py; one essay with a summary, a DOI and overrides, one
whose every new field is hostile text, one with nothing of its own).
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

HOSTILE_SUMMARY = '</script><script>alert("summary")</script> & {braces} 100% $5 ]]> --> \\ Ünïcode'


def page(app, docname: str) -> BeautifulSoup:
    html = (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


def meta(soup: BeautifulSoup, name: str) -> list[str]:
    return [m["content"] for m in soup.find_all("meta", attrs={"name": name})]


def test_builds_without_warnings(scholar):
    assert scholar.warning.getvalue() == ""


def test_summary_follows_the_author_block_and_is_the_description(scholar):
    soup = page(scholar, "essays/dated-new")
    byline = soup.select_one(".kb-byline")
    summary = byline.find_next_sibling()
    assert "kb-summary" in summary["class"]
    assert text(summary) == "A plain-language summary of the newest synthetic essay."
    assert meta(soup, "description") == [text(summary)]
    og = soup.find("meta", attrs={"property": "og:description"})
    assert og["content"] == text(summary)


def test_without_a_summary_the_description_is_the_first_paragraph(scholar):
    soup = page(scholar, "essays/undated")
    assert soup.select_one(".kb-summary") is None
    assert meta(soup, "description") == ["The undated essay\u2019s text."]


def test_doi_in_author_block_scholar_tag_and_citation(scholar):
    soup = page(scholar, "essays/dated-new")
    link = soup.select_one(".kb-byline .kb-doi a")
    assert link["href"] == link.get_text() == "https://doi.org/10.5555/test.2020-01"
    assert meta(soup, "citation_doi") == ["10.5555/test.2020-01"]
    cite = soup.select_one(".kb-citethis-text")
    assert text(cite).endswith("2020. doi: 10.5555/test.2020-01")
    assert "Available from" not in text(cite)
    assert cite.a["href"] == "https://doi.org/10.5555/test.2020-01"
    assert "doi = {10.5555/test.2020-01}" in " ".join(soup.select_one(".kb-citethis pre")
                                                       .get_text().split())


def test_without_doi_how_to_cite_gives_the_address(scholar):
    soup = page(scholar, "essays/undated")
    assert soup.select_one(".kb-doi") is None and not meta(soup, "citation_doi")
    assert "Available from: https://kb.example.org/sub/path/essays/undated.html" in text(
        soup.select_one(".kb-citethis-text"))


def test_every_essay_ends_with_the_funding_statement_before_how_to_cite(scholar):
    for docname in ("essays/dated-new", "essays/dated-old", "essays/undated",
                    "essays/hostile"):
        soup = page(scholar, docname)
        block = soup.select_one("section.kb-essay .kb-funding")
        assert block is not None, docname
        assert block.find_next_sibling() is soup.select_one(".kb-citethis"), docname


def test_site_funding_and_licence_from_conf(scholar):
    block = page(scholar, "essays/undated").select_one(".kb-funding")
    assert [text(p) for p in block.select("p:not(.rubric)")] == [
        "This is synthetic test funding text for the whole site.",
        "Funder: Synthetic Research Council (award SRC-0000-TEST).",
        "The views expressed are the test authors' own.",
        "Licence: CC BY 4.0 .",
    ]
    assert block.select_one(".kb-licence a")["href"] == (
        "https://creativecommons.org/licenses/by/4.0/")


def test_essay_overrides_award_and_licence(scholar):
    block = page(scholar, "essays/dated-new").select_one(".kb-funding")
    assert text(block.select_one(".kb-funder")) == (
        "Funder: Synthetic Research Council (award SRC-OVERRIDE-1).")
    assert block.select_one(".kb-licence a")["href"] == (
        "https://creativecommons.org/licenses/by-nc/4.0/")


def test_own_funder_replaces_the_sites_award(scholar):
    funder = page(scholar, "essays/hostile").select_one(".kb-funder")
    assert "SRC-0000-TEST" not in text(funder)


def test_no_funding_configured_no_statement(web):
    """A site whose conf.py sets no funding or licence prints none."""
    soup = BeautifulSoup((Path(web.outdir) / "essays/dated-new.html")
                         .read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one(".kb-funding") is None


def test_hostile_text_in_every_new_field_stays_text(scholar):
    soup = page(scholar, "essays/hostile")
    assert text(soup.select_one(".kb-summary")) == " ".join(HOSTILE_SUMMARY.split())
    assert meta(soup, "description") == [HOSTILE_SUMMARY]
    block = soup.select_one(".kb-funding")
    assert "<img src=x onerror=alert(1)> ]]> & {stmt}" in text(block)
    assert "</script><b>Funder</b> & {co} 100% $5" in text(block)
    assert "</script><!-- \\ disclaimer & {d} -->" in text(block)
    assert "</script><i>Licence</i> & {l} 100%" in text(block)
    assert block.select_one(".kb-licence a")["href"] == "https://example.org/licence?a=1&b=2"
    # No markup from front matter became an element.
    for part in (soup.select_one(".kb-summary"), soup.select_one(".kb-byline"), block):
        for tag in ("script", "img", "b", "i"):
            assert not part.find_all(tag), tag
    scripts = soup.select("head script:-soup-contains('alert')")
    assert [s["type"] for s in scripts] == ["application/ld+json"]  # data, '<' escaped
    assert meta(soup, "citation_doi") == ["10.5555/x&y;z(1)"]
