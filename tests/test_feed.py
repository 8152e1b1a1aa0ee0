"""The Atom feed (issue 6): valid, absolute links, newest first, reproducible.

Built from ``tests/roots/test-web`` (synthetic essays: two dated, one
undated, one with a hostile title) and from the real site.
"""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from conftest import SEED_ESSAY, build, commit_all, copy_root, web_build
from conftest import WEB_BASE as BASE
from conftest import WEB_HOSTILE as HOSTILE

ATOM = "{http://www.w3.org/2005/Atom}"
ORDER = ["The Newest Dated Essay", HOSTILE, "An Older Dated Essay", "An Essay Without a Date"]


def feed_bytes(app) -> bytes:
    return (Path(app.outdir) / "atom.xml").read_bytes()


def parsed(app) -> feedparser.FeedParserDict:
    return feedparser.parse(feed_bytes(app))


def test_builds_without_warnings(web):
    assert web.warning.getvalue() == ""


def test_feed_is_well_formed_atom(web):
    feed = parsed(web)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Test Knowledge Base"


def test_entries_are_newest_first_and_undated_last(web):
    assert [entry.title for entry in parsed(web).entries] == ORDER


def test_every_link_is_absolute_and_points_at_a_written_page(web):
    feed = parsed(web)
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": BASE + "atom.xml", "alternate": BASE + "index.html"}
    for entry in feed.entries:
        assert entry.link.startswith(BASE)
        assert (Path(web.outdir) / entry.link.removeprefix(BASE)).is_file(), entry.link
        assert entry.id == entry.link
        for author in entry.authors:
            assert (Path(web.outdir) / author.href.removeprefix(BASE)).is_file()


def test_dates_come_from_front_matter_and_are_never_invented(web):
    entries = {entry.title: entry for entry in parsed(web).entries}
    newest = entries["The Newest Dated Essay"]
    assert newest.published == newest.updated == "2020-02-01T00:00:00Z"
    undated = entries["An Essay Without a Date"]
    assert "published" not in undated
    # Outside git, without SOURCE_DATE_EPOCH, nothing says when: no time at
    # all, rather than 1970 or the build's clock.
    assert "updated" not in undated
    assert b"1970" not in feed_bytes(web)
    assert parsed(web).feed.updated == "2020-02-01T00:00:00Z"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git: apt-get install git")
def test_undated_essays_take_their_last_commit_in_a_git_checkout(tmp_path):
    """A local build (no SOURCE_DATE_EPOCH): when git last committed the essay's
    file; a file not yet committed, the checkout's last commit."""
    src = copy_root("web", tmp_path / "src")
    commit_all(src, "2021-05-06T07:08:09Z")
    other = src / "essays" / "dated-old.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    commit_all(src, "2022-01-02T03:04:05Z", paths=[other])
    (src / "essays" / "new-undated.md").write_text(
        "---\ntitle: A New Undated Essay\nauthors: [alice-smith]\n---\n\n"
        "<!-- SYNTHETIC essay for this test -->\n\nText.\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        app = build(src, freshenv=True)
    assert app.warning.getvalue() == ""
    feed = parsed(app)
    assert feed.bozo == 0, feed.get("bozo_exception")
    entries = {entry.title: entry for entry in feed.entries}
    assert entries["An Essay Without a Date"].updated == "2021-05-06T07:08:09Z"
    assert entries["A New Undated Essay"].updated == "2022-01-02T03:04:05Z"
    assert "published" not in entries["An Essay Without a Date"]
    # A dated essay edited later is "updated" when its file was (issue 16).
    assert entries["An Older Dated Essay"].published == "2018-06-30T00:00:00Z"
    assert entries["An Older Dated Essay"].updated == "2022-01-02T03:04:05Z"
    assert feed.feed.updated == "2022-01-02T03:04:05Z"


def test_undated_essays_take_source_date_epoch(tmp_path):
    app = web_build(tmp_path / "src", epoch="1700000000")
    entries = {entry.title: entry for entry in parsed(app).entries}
    assert entries["An Essay Without a Date"].updated == "2023-11-14T22:13:20Z"
    assert "published" not in entries["An Essay Without a Date"]
    assert entries["An Older Dated Essay"].updated == "2018-06-30T00:00:00Z"
    assert parsed(app).feed.updated == "2023-11-14T22:13:20Z"


def test_authors_are_the_names_on_their_person_pages(web):
    entries = {entry.title: entry for entry in parsed(web).entries}
    authors = entries["The Newest Dated Essay"].authors
    assert [a.name for a in authors] == ["Alice Smith", "Jean-Paul van der Berg"]
    assert authors[1].href == BASE + "people/jean-paul-van-der-berg.html"
    assert [a.name for a in entries[HOSTILE].authors] == ["Zoë O'Brien"]


def test_themes_and_tags_are_categories(web):
    root = ET.fromstring(feed_bytes(web))
    newest = root.find(f"{ATOM}entry")
    categories = [(c.get("term"), c.get("label")) for c in newest.iter(f"{ATOM}category")]
    assert categories == [("alpha", "Alpha Theme"), ("beta", "Beta & <Gamma> Theme"),
                          ("first tag", None), ("second", None)]


def test_summary_is_the_first_paragraph_as_plain_text(web):
    entries = {entry.title: entry for entry in parsed(web).entries}
    assert entries["The Newest Dated Essay"].summary == (
        "First paragraph of the newest essay, citing a book. It goes on; "
        "with a stray space before a semicolon.")
    assert entries[HOSTILE].summary == "Raw & “quoted” text with a citation."


def test_hostile_text_stays_text(web):
    root = ET.fromstring(feed_bytes(web))  # well-formed XML, or this raises
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert HOSTILE in titles
    assert not list(root.iter("script")) and not list(root.iter(f"{ATOM}script"))
    assert b"<script>" not in feed_bytes(web)


def test_every_page_announces_the_feed(web):
    outdir = Path(web.outdir)
    for page in ["index.html", "essays/dated-new.html", "people/alice-smith.html"]:
        soup = BeautifulSoup((outdir / page).read_text(encoding="utf-8"), "html.parser")
        link = soup.head.find("link", rel="alternate", type="application/atom+xml")
        assert link is not None, page
        assert ((outdir / page).parent / link["href"]).resolve() == (outdir / "atom.xml")


def test_feed_limit_keeps_the_newest(tmp_path):
    app = web_build(tmp_path / "src", confoverrides={"kb_feed_limit": 2})
    assert [entry.title for entry in parsed(app).entries] == ORDER[:2]


def test_no_base_url_no_feed_and_no_warning(tmp_path):
    app = web_build(tmp_path / "src", confoverrides={"html_baseurl": ""})
    assert app.warning.getvalue() == ""
    assert not (Path(app.outdir) / "atom.xml").exists()
    html = (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
    assert "application/atom+xml" not in html


def test_base_url_without_trailing_slash_keeps_its_path(tmp_path):
    app = web_build(tmp_path / "src", confoverrides={"html_baseurl": BASE.rstrip("/")})
    assert parsed(app).entries[0].link == BASE + "essays/dated-new.html"


def test_incremental_and_parallel_builds_write_the_same_feed(web, tmp_path):
    src = copy_root("web", tmp_path / "src")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        build(src, freshenv=True, parallel=2)
        undated = src / "essays" / "undated.md"
        undated.write_text(undated.read_text(encoding="utf-8") + "\nMore text.\n",
                           encoding="utf-8")
        app = build(src, parallel=2)  # re-reads one essay, writes a few pages
        # The feed carries full text (issue 16): compare with a fresh serial build.
        fresh = build(src, freshenv=True, builddir=tmp_path / "fresh")
    assert feed_bytes(app) == feed_bytes(fresh)


def test_real_site_feed(site_html):
    outdir, _warnings = site_html
    feed = feedparser.parse((outdir / "atom.xml").read_bytes())
    assert feed.bozo == 0
    base = os.environ.get("KB_BASE_URL", "https://example.org/kb/")
    base = base if base.endswith("/") else base + "/"
    seed = next(e for e in feed.entries
                if e.title == "Can CLAHRC WM Enact Distributed Leadership")
    assert seed.link == f"{base}{SEED_ESSAY}.html"
    assert [a.name for a in seed.authors] == ["Graeme Currie"]
    assert "published" not in seed  # the seed essay gives no date
