"""schema.org JSON-LD on essay and person pages (issue 16), read by extruct.

extruct is the extractor crawlers' tooling uses (Scrapinghub); what it
reads out of the built page is what is checked, not our own JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import extruct
from bs4 import BeautifulSoup

from conftest import WEB_HOSTILE

BASE = "https://kb.example.org/sub/path/"


def jsonld(app, docname: str) -> list[dict]:
    html = (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")
    return extruct.extract(html, base_url=f"{BASE}{docname}.html",
                           syntaxes=["json-ld"])["json-ld"]


def article(app, docname: str) -> dict:
    [data] = jsonld(app, docname)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ScholarlyArticle"
    return data


def test_builds_without_warnings(scholar):
    assert scholar.warning.getvalue() == ""


def test_scholarly_article_fields(scholar):
    data = article(scholar, "essays/dated-new")
    url = f"{BASE}essays/dated-new.html"
    assert data["@id"] == data["url"] == url
    assert data["headline"] == "The Newest Dated Essay"
    assert data["datePublished"] == "2020-02-01"
    assert data["dateModified"] == "2020-02-01"  # not in git: the publication date
    assert data["description"] == "A plain-language summary of the newest synthetic essay."
    assert data["identifier"] == "https://doi.org/10.5555/test.2020-01"
    assert data["keywords"] == ["first tag", "second"]
    assert [t["url"] for t in data["about"]] == [f"{BASE}themes/alpha.html",
                                                 f"{BASE}themes/beta.html"]
    assert data["about"][1]["name"] == "Beta & <Gamma> Theme"
    assert data["isPartOf"] == {"@type": "WebSite", "name": "Test Knowledge Base",
                                "url": BASE}
    assert data["license"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert data["funder"] == {"@type": "Organization", "name": "Synthetic Research Council"}
    assert data["funding"]["identifier"] == "SRC-OVERRIDE-1"


def test_authors_are_people_with_orcid_and_affiliation(scholar):
    alice, jean_paul = article(scholar, "essays/dated-new")["author"]
    assert alice["@type"] == "Person"
    assert alice["@id"] == "https://orcid.org/0000-0002-1825-0097"
    assert alice["name"] == "Alice Smith"
    assert alice["affiliation"] == [{"@type": "Organization", "name": "Test University"}]
    assert alice["url"] == f"{BASE}people/alice-smith.html"
    # Without an ORCID the person's page identifies them.
    assert jean_paul["@id"] == f"{BASE}people/jean-paul-van-der-berg.html"
    assert (jean_paul["givenName"], jean_paul["familyName"]) == ("Jean-Paul", "van der Berg")


def test_citations_are_the_cited_works(scholar):
    [book] = article(scholar, "essays/dated-new")["citation"]
    assert book["@type"] == "Book"
    assert book["name"] == "A Synthetic Book"
    assert book["datePublished"] == "2001"
    assert book["author"] == [{"@type": "Person", "name": "J. Doe"}]
    assert "citation" not in article(scholar, "essays/undated")


def test_undated_essay_has_no_invented_date(scholar):
    data = article(scholar, "essays/undated")
    assert "datePublished" not in data and "dateModified" not in data


def test_person_page(scholar):
    [data] = jsonld(scholar, "people/alice-smith")
    assert data["@type"] == "Person"
    assert data["@id"] == data["identifier"] == "https://orcid.org/0000-0002-1825-0097"
    assert data["name"] == "Alice Smith"
    assert data["url"] == f"{BASE}people/alice-smith.html"
    assert jsonld(scholar, "themes/alpha") == []


def test_hostile_values_cannot_end_the_script(scholar):
    html = (Path(scholar.outdir) / "essays/hostile.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    [element] = soup.find_all("script", type="application/ld+json")
    assert element.parent.name == "head"
    raw = element.string
    for bad in ("</", "<!--", "-->", "]]>", "<script"):
        assert bad not in raw
    data = json.loads(raw)
    assert data["headline"] == WEB_HOSTILE
    assert data["description"] == ('</script><script>alert("summary")</script> & {braces} '
                                   '100% $5 ]]> --> \\ Ünïcode')
    assert data["funder"]["name"] == "</script><b>Funder</b> & {co} 100% $5"
    assert data["license"] == "https://example.org/licence?a=1&b=2"
    assert data == article(scholar, "essays/hostile")  # extruct reads the same
