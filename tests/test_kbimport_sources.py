"""Reading the inputs (tools/kbimport/sources.py): what is a post, what is skipped and why."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO))  # tools/ is not an installed package
from tools.kbimport.sources import SourceError, read, read_file, shortcodes  # noqa: E402

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<!-- SYNTHETIC -->\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Synthetic</title>'
        '<wp:author><wp:author_login>al</wp:author_login><wp:author_first_name>Al'
        '</wp:author_first_name><wp:author_last_name>Example</wp:author_last_name></wp:author>')


def item(post_id: int, *, status: str = "publish", kind: str = "post", date: str = "",
         pub: str = "", password: str = "", title: str = "A synthetic post") -> str:
    return (f"<item><title>{title}</title><dc:creator>al</dc:creator>"
            f"<pubDate>{pub}</pubDate><content:encoded><![CDATA[Text.]]></content:encoded>"
            f"<wp:post_id>{post_id}</wp:post_id><wp:post_date>{date}</wp:post_date>"
            f"<wp:post_name>post-{post_id}</wp:post_name><wp:status>{status}</wp:status>"
            f"<wp:post_type>{kind}</wp:post_type><wp:post_password>{password}"
            f"</wp:post_password></item>")


def export(tmp_path: Path, *items: str) -> Path:
    path = tmp_path / "export.xml"
    path.write_text(HEAD + "".join(items) + "</channel></rss>", encoding="utf-8")
    return path


def test_skip_reasons(tmp_path):
    path = export(tmp_path, item(1, status="pending"), item(2, status="future"),
                  item(3, status="trash"), item(4, password="secret"),
                  item(5, kind="nav_menu_item"), item(6, status="auto-draft"))
    posts, skipped = read_file(path)
    assert posts == []
    assert [s.reason for s in skipped] == [
        "a draft awaiting review", "scheduled, not yet published", "in the bin",
        "password-protected", "a nav menu item, not a blog post", "a draft"]


@pytest.mark.parametrize("date, pub, expected", [
    ("2019-05-31 10:00:00", "", "2019-05-31"),
    ("0000-00-00 00:00:00", "Fri, 31 May 2019 10:00:00 +0000", "2019-05-31"),
    ("0000-00-00 00:00:00", "", None),  # no date in the source: none is invented
    ("2019-02-30 10:00:00", "", None),  # not a real date
])
def test_publication_date_only_from_the_source(tmp_path, date, pub, expected):
    [post], _ = read_file(export(tmp_path, item(1, date=date, pub=pub)))
    assert post.date == expected


def test_creator_is_the_display_name(tmp_path):
    [post], _ = read_file(export(tmp_path, item(1)))
    assert post.creators == ["Al Example"]


def test_page_in_its_declared_encoding(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b'<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head>'
                     b"<body><article><p>Na\xefve</p></article></body></html>")
    [post], _ = read_file(path)
    assert post.title == "Café" and "Naïve" in post.body_html


def test_folder_reads_exports_and_pages_in_name_order(tmp_path):
    export(tmp_path, item(1))
    (tmp_path / "b.txt").write_text("Title\n\nText.\n", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    posts, skipped = read(tmp_path)
    assert [p.title for p in posts] == ["Title", "A synthetic post"]
    assert skipped[0].where.endswith("notes.pdf")


def test_missing_source(tmp_path):
    with pytest.raises(SourceError, match="no such file or folder"):
        read(tmp_path / "nothing.xml")


def test_shortcodes():
    body, dropped = shortcodes('[caption id="a"]<img src="https://x.org/i.png" alt="A"> '
                               'Caption[/caption] [gallery ids="1"] [sic]')
    assert body == ('<figure><img src="https://x.org/i.png" alt="A"><figcaption>Caption'
                    '</figcaption></figure>  [sic]')
    assert dropped == ['[gallery ids="1"]']
