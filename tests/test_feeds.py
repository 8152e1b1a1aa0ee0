"""Feeds for scholarly aggregators (issue 16), read with feedparser.

The site feed carries full text, authors with ORCID, summary and licence;
each theme and person has its own Atom feed, linked from its page.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
from bs4 import BeautifulSoup

from conftest import WEB_HOSTILE, build, copy_root

BASE = "https://kb.example.org/sub/path/"
ORCID = "https://orcid.org/0000-0002-1825-0097"


def parse(app, name: str) -> feedparser.FeedParserDict:
    feed = feedparser.parse((Path(app.outdir) / name).read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def entry(feed: feedparser.FeedParserDict, title: str) -> feedparser.FeedParserDict:
    [found] = [e for e in feed.entries if e.title == title]
    return found


def test_builds_without_warnings(scholar):
    assert scholar.warning.getvalue() == ""


def test_site_feed_has_full_text_with_links_resolved(scholar):
    item = entry(parse(scholar, "atom.xml"), "The Newest Dated Essay")
    [content] = item.content
    assert content.type == "text/html"
    soup = BeautifulSoup(content.value, "html.parser")
    text = " ".join(soup.get_text(" ").split())
    assert "First paragraph of the newest essay" in text and "A closing section." in text
    # xml:base makes the page's relative links absolute for feed readers.
    hrefs = {a["href"] for a in soup.find_all("a")}
    assert f"{BASE}people/alice-smith.html" in hrefs


def test_site_feed_authors_with_orcid(scholar):
    item = entry(parse(scholar, "atom.xml"), "The Newest Dated Essay")
    assert [(a.name, a.get("href")) for a in item.authors] == [
        ("Alice Smith", ORCID),
        ("Jean-Paul van der Berg", f"{BASE}people/jean-paul-van-der-berg.html")]


def test_site_feed_summary_licence_and_doi(scholar):
    item = entry(parse(scholar, "atom.xml"), "The Newest Dated Essay")
    assert item.summary == "A plain-language summary of the newest synthetic essay."
    assert item.rights == "CC BY-NC 4.0"
    links = {link.rel: link.href for link in item.links}
    assert links["license"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert links["related"] == "https://doi.org/10.5555/test.2020-01"
    undated = entry(parse(scholar, "atom.xml"), "An Essay Without a Date")
    assert undated.rights == "CC BY 4.0"


@pytest.mark.parametrize(("page", "titles"), [
    ("themes/alpha", ["The Newest Dated Essay", "An Older Dated Essay"]),
    ("themes/beta", ["The Newest Dated Essay", WEB_HOSTILE, "An Essay Without a Date"]),
    ("people/alice-smith", ["The Newest Dated Essay", "An Essay Without a Date"]),
    ("people/zoe-obrien", [WEB_HOSTILE, "An Older Dated Essay"]),
])
def test_theme_and_person_feeds_linked_from_their_pages(scholar, page, titles):
    html = (Path(scholar.outdir) / f"{page}.html").read_text(encoding="utf-8")
    links = BeautifulSoup(html, "html.parser").select(
        'head link[rel="alternate"][type="application/atom+xml"]')
    own = [link for link in links if link["href"] != "../atom.xml"]
    assert len(own) == 1
    assert urljoin(f"{BASE}{page}.html", own[0]["href"]) == f"{BASE}{page}.xml"
    feed = parse(scholar, f"{page}.xml")
    assert [e.title for e in feed.entries] == titles
    assert feed.feed.link == f"{BASE}{page}.html"
    assert {link.rel: link.href for link in feed.feed.links}["self"] == f"{BASE}{page}.xml"
    for item in feed.entries:
        assert item.content[0].value and item.rights and item.authors


def test_hostile_fields_stay_text_in_feeds(scholar):
    for name in ("atom.xml", "themes/beta.xml", "people/zoe-obrien.xml"):
        item = entry(parse(scholar, name), WEB_HOSTILE)
        assert item.summary == ('</script><script>alert("summary")</script> & {braces} '
                                '100% $5 ]]> --> \\ Ünïcode')
        assert item.rights == "</script><i>Licence</i> & {l} 100%"


def test_an_edit_rewrites_only_the_feeds_that_show_the_essay(tmp_path):
    src = copy_root("scholar", tmp_path / "src")
    out = tmp_path / "out"
    first = build(src, freshenv=True, builddir=out)
    feeds = sorted(Path(first.outdir).glob("*/*.xml"))
    before = {p: p.stat().st_mtime_ns for p in feeds}
    time.sleep(0.01)
    essay = src / "essays/dated-old.md"
    essay.write_text(essay.read_text(encoding="utf-8").replace(
        "The older essay's text.", "The older essay's new text."), encoding="utf-8")
    again = build(src, builddir=out)
    changed = {p.relative_to(again.outdir).as_posix() for p in feeds
               if p.stat().st_mtime_ns != before[p]}
    assert changed == {"themes/alpha.xml", "people/zoe-obrien.xml"}
    text = entry(parse(again, "themes/alpha.xml"), "An Older Dated Essay").content[0].value
    assert "new text" in text


def test_an_edit_to_an_essay_a_feed_no_longer_holds_leaves_that_feed(tmp_path):
    """With one entry per feed, the theme's feed holds its newest essay only:
    editing the older one rewrites none of its feeds; the newest, all of its."""
    src = copy_root("scholar", tmp_path / "src")
    out = tmp_path / "out"
    overrides = {"kb_feed_limit": 1}
    first = build(src, freshenv=True, builddir=out, confoverrides=overrides)
    feeds = sorted(Path(first.outdir).glob("*/*.xml"))
    for name, old, new in [("dated-old", "The older essay's text.", "Older, edited."),
                           ("dated-new", "", "")]:
        before = {p: p.stat().st_mtime_ns for p in feeds}
        time.sleep(0.01)
        essay = src / f"essays/{name}.md"
        text = essay.read_text(encoding="utf-8")
        essay.write_text(text.replace(old, new) if old else text + "\nA new line.\n",
                         encoding="utf-8")
        again = build(src, builddir=out, confoverrides=overrides)
        assert again.warning.getvalue() == ""
        changed = {p.relative_to(again.outdir).as_posix() for p in feeds
                   if p.stat().st_mtime_ns != before[p]}
        if name == "dated-old":
            assert changed == set()
        else:
            assert "themes/alpha.xml" in changed and "themes/beta.xml" in changed
            assert "A new line." in entry(parse(again, "themes/alpha.xml"),
                                          "The Newest Dated Essay").content[0].value
