"""``make import`` (tools/kbimport): the seed page, a WordPress export, a saved HTML page.

Imports run into copies of the real site, which are then built with Sphinx
(``-W``-style: no warnings); the seed page must come out as the hand-made
seed essay does.  Fixtures in ``tests/data/import/`` are synthetic.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from test_seed_essay import MARKERS, reference_texts, seed_parts, words

from conftest import DATA, REPO, SEED, SEED_ESSAY

sys.path.insert(0, str(REPO))  # tools/ is not an installed package
from tools.kbimport.cli import main  # noqa: E402

FIXTURES = DATA / "import"
WXR = FIXTURES / "synthetic-blog.xml"
PAGE = FIXTURES / "synthetic-page.html"


def run(capsys, *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and "_build" not in p.parts}


def matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.fixture(scope="module")
def imported(site_copy, tmp_path_factory) -> dict:
    """The site without its seed essay; seed page and fixtures imported; built once."""
    import io
    from contextlib import redirect_stdout

    src = site_copy()
    (src / f"{SEED_ESSAY}.md").unlink()
    reports = []
    for source in (SEED, FIXTURES):
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            assert main([str(source), "--root", str(src)]) == 0
        reports.append(buffer.getvalue())
    app = SphinxTestApp("html", srcdir=src, freshenv=True)
    try:
        app.build()
        return {"src": src, "out": Path(app.outdir), "warnings": app.warning.getvalue(),
                "seed_report": reports[0], "report": reports[1]}
    finally:
        app.cleanup()


def page(imported: dict, doc: str) -> BeautifulSoup:
    html = (imported["out"] / f"{doc}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").find(attrs={"role": "main"})


def test_imported_site_builds_without_warnings(imported):
    assert imported["warnings"].strip() == ""


# -- the seed page reproduces the seed essay ----------------------------------

def test_seed_import_reuses_all_twelve_works_and_adds_nothing(imported):
    assert "Works already in refs.bib, reused: 12" in imported["seed_report"]
    assert "New works" not in imported["seed_report"]
    assert "New people" not in imported["seed_report"]
    assert (imported["src"] / "people" / "graeme-currie.md").read_text() == (
        REPO / "people" / "graeme-currie.md").read_text()


def test_seed_front_matter_as_written_by_hand(imported):
    got = matter(imported["src"] / f"{SEED_ESSAY}.md")
    want = matter(REPO / f"{SEED_ESSAY}.md")
    assert "date" not in got  # the saved page has none: never invented
    want.pop("tags")  # chosen by hand; the saved page has no tags
    assert got == want


def test_seed_page_text_markers_references_signoff(imported, seed_text):
    article = page(imported, SEED_ESSAY)
    parts = seed_parts(seed_text)
    assert article.find("h1").get_text("", strip=True).rstrip("¶") == parts["title"][0]
    headings = [h.get_text("", strip=True).rstrip("¶")
                for h in article.select("section > h2:not(.kb-references-title)")]
    assert headings == parts["headings"]
    body = [words(p.get_text("")) for p in article.find_all("p")]
    assert all(words(p) in body for p in parts["paragraphs"])
    markers = [int(a.get_text()) for span in article.select("span.kb-cite")
               for a in span.find_all("a")]
    assert markers == MARKERS
    assert reference_texts(article) == parts["references"]
    signoff = article.select_one("p.kb-signoff")
    assert " ".join(signoff.get_text("").split()) == parts["signoff"][0]
    links = {a.get_text(): a["href"] for a in signoff.find_all("a")}
    assert links == {"Graeme Currie": "../people/graeme-currie.html",
                     "IOS Theme": "../themes/ios.html"}
    theme = next(a for a in article.find_all("a")
                 if a.get_text() == "the Implementation and Organisational Studies theme")
    assert theme["href"] == "../themes/ios.html"
    for furniture in ("Leave a Reply", "Twitter", "commenting using"):
        assert furniture not in article.get_text(" ")


# -- the WordPress export -----------------------------------------------------

def test_export_report_names_what_was_skipped_and_why(imported):
    report = imported["report"]
    assert "post 103 'A Synthetic Draft': a draft" in report
    assert "post 104 'About this synthetic blog': a page, not a blog post" in report
    assert "post 105 'chart': an attachment, not a blog post" in report
    assert "post 106 'A Synthetic Private Post': a private post" in report
    assert "https://blog.example.org/wp-content/uploads/2015/03/chart.png" in report
    assert "reference 5 could not be read; kept as written" in report
    assert "people/tess-synthetic.md (Tess Synthetic)" in report
    assert "the shortcode [embed]https://video.example.org/synthetic[/embed] was left out" \
        in report


def test_export_front_matter_dates_authors_themes_tags(imported):
    one = matter(imported["src"] / "essays" / "synthetic-post-one.md")
    assert str(one["date"]) == "2015-03-02"
    assert one["authors"] == [{"id": "tess-synthetic", "position": "Research Fellow",
                               "affiliations": ["University of Nowhere"],
                               "roles": [{"title": "Lead", "theme": "ios"}, "Synthetic Role"]}]
    assert one["themes"] == ["ios"]  # the category "IOS" is the theme's short name
    assert one["tags"] == ["Synthetic testing", "learning health"]
    two = matter(imported["src"] / "essays" / "synthetic-post-two.md")
    assert two["authors"] == [{"id": "graeme-currie"}]  # dc:creator, matched by name


def test_export_body_is_plain_myst(imported):
    text = (imported["src"] / "essays" / "synthetic-post-one.md").read_text()
    assert "This is a *synthetic* test post about **learning health systems**." \
           "{footcite}`synthetic2014learning`" in text
    assert "{footcite}`example2012book,nobody2011unpublished`" in text  # <sup>2,3</sup>
    assert "- first point{footcite}`example2012book`" in text
    assert "> A quoted sentence" in text
    assert "![A synthetic bar chart](https://blog.example.org/wp-content/uploads/" in text
    assert "[relative link](https://blog.example.org/2014/01/older-post/)" in text
    assert "\\$5 and a \\*star\\*" in text
    assert "<" not in text.split("---\n", 2)[2].replace("<ios>", "")  # no raw HTML
    assert "synthetic comment" not in text


def test_caption_shortcode_becomes_image_and_caption(imported):
    text = (imported["src"] / "essays" / "synthetic-post-two.md").read_text()
    assert ("![A synthetic map](https://blog.example.org/wp-content/uploads/2016/07/map.png)"
            "\n\nA synthetic map of nowhere.") in text
    assert "[caption" not in text and "[embed" not in text


def test_two_posts_citing_one_work_share_one_entry(imported):
    bib = (imported["src"] / "refs.bib").read_text()
    assert bib.count("Learning health systems in practice") == 1
    for doc in ("synthetic-post-one", "synthetic-post-two", "a-synthetic-saved-page"):
        assert "synthetic2014learning" in (imported["src"] / "essays" / f"{doc}.md").read_text()
    assert bib.count("Leadership without Easy Answers") == 1  # the seed's work reused


def test_export_numbers_readers_see_are_the_blogs(imported):
    article = page(imported, "essays/synthetic-post-one")
    markers = [[int(a.get_text()) for a in span.find_all("a")]
               for span in article.select("span.kb-cite")]
    assert markers == [[1], [2, 3], [4], [2]]
    items = reference_texts(article)
    assert items[3] == ("Heifetz RA. Leadership without Easy Answers. Cambridge, MA: Harvard "
                        "University Press; 1994.")
    assert article.find("img")["alt"] == "A synthetic bar chart"


# -- the saved HTML page ------------------------------------------------------

def test_saved_html_page(imported):
    path = imported["src"] / "essays" / "a-synthetic-saved-page.md"
    data = matter(path)
    assert str(data["date"]) == "2017-09-04"
    assert [a["id"] for a in data["authors"]] == ["pat-sample", "quinn-example"]
    assert data["themes"] == ["ios"] and data["tags"] == ["synthetic"]
    article = page(imported, "essays/a-synthetic-saved-page")
    markers = [[int(a.get_text()) for a in span.find_all("a")]
               for span in article.select("span.kb-cite")]
    assert markers == [[1], [2, 3], [1, 2, 3]]
    text = article.get_text(" ")
    for furniture in ("Share this", "Leave a Reply", "Related", "Fill in your details", "Home"):
        assert furniture not in text
    assert len(article.select("ol.kb-references > li")) == 3


def test_saved_text_page_with_wrapped_lines_and_two_authors(imported):
    path = imported["src"] / "essays" / "a-synthetic-text-page.md"
    data = matter(path)
    assert [a["id"] for a in data["authors"]] == ["rowan-synthetic", "sam-example"]
    # "Lead SYN Theme": no such theme, so a page named as the role names it
    assert data["authors"][1]["roles"] == [{"title": "Lead", "theme": "syn"}]
    assert matter(imported["src"] / "themes" / "syn.md") == {
        "title": "SYN", "short": "SYN", "lead": "sam-example"}
    assert "themes/syn.md: a new theme named only 'SYN' by a role" in imported["report"]
    signoff = page(imported, "essays/a-synthetic-text-page").select("p.kb-signoff")[1]
    assert {a.get_text(): a["href"] for a in signoff.find_all("a")} == {
        "Sam Example": "../people/sam-example.html", "SYN Theme": "../themes/syn.html"}
    text = path.read_text()
    assert "saved with hard line breaks in the middle {footcite}`synthetic2018synthetic`." in text
    assert "- a second point that goes on over two lines" in text
    assert "## Points to note" in text
    assert ("reference 1 is printed in the house style as: Synthetic R. A synthetic text "
            "study. Synth Med. 2018; 7(1): 1-9.") in imported["report"]
    article = page(imported, "essays/a-synthetic-text-page")
    for furniture in ("Share this", "Twitter", "Loading"):
        assert furniture not in article.get_text(" ")
    assert [[int(a.get_text()) for a in span.find_all("a")]
            for span in article.select("span.kb-cite")] == [[1], [2], [1, 2]]


# -- safe to repeat -----------------------------------------------------------

def test_importing_twice_changes_nothing(site_copy, capsys):
    src = site_copy()
    assert run(capsys, WXR, "--root", src)[0] == 0
    first = snapshot(src)
    code, out, _ = run(capsys, WXR, "--root", src)
    assert code == 0
    assert snapshot(src) == first
    assert "Already imported (2)" in out


def test_existing_essay_kept_without_force(site_copy, capsys):
    src = site_copy()
    essay = src / f"{SEED_ESSAY}.md"
    before = essay.read_bytes()
    code, out, _ = run(capsys, SEED, "--root", src)
    assert code == 0 and essay.read_bytes() == before
    assert "exists and differs; kept (use --force" in out
    assert run(capsys, SEED, "--root", src, "--force")[0] == 0
    assert essay.read_bytes() != before


# -- bad input ----------------------------------------------------------------

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss><channel><item><title>&lol2;</title></item></channel></rss>
"""
NO_TITLE = WXR.read_text(encoding="utf-8").replace(
    "<title>Synthetic Post Two</title>", "<title></title>")
BAD = {
    "malformed.xml": ("<?xml version='1.0'?><rss><channel><item></channel></rss>",
                      "malformed XML"),
    "empty.txt": ("", "the file is empty"),
    "blank.html": ("  \n\n ", "the file is empty"),
    "data.xml": ("<?xml version='1.0'?><catalog><book/></catalog>", "not a WordPress export"),
    "image.txt": ("\x89PNG\x00\x00binary", "unknown format"),
    "bomb.xml": (BOMB, "refused"),
    "no-title.xml": (NO_TITLE, "post 102: the post has no title"),
    "deep.html": ("<html><head><title>Deep</title></head><body><article>"
                  + "<blockquote>" * 3000 + "x" + "</blockquote>" * 3000
                  + "<p>— Ann Example, Nurse</p></article></body></html>", "nested too deeply"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_input_one_line_nothing_written(name, site_copy, tmp_path):
    src = site_copy()
    before = snapshot(src)
    content, message = BAD[name]
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "tools.kbimport", str(bad), "--root", str(src)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {bad}") and message in lines[0]
    assert lines[1:] == ["Nothing was written."]
    assert "Traceback" not in proc.stderr + proc.stdout
    assert snapshot(src) == before


def test_folder_with_one_bad_file_writes_nothing(site_copy, tmp_path, capsys):
    src = site_copy()
    before = snapshot(src)
    folder = tmp_path / "blog"
    folder.mkdir()
    (folder / "a.xml").write_bytes(WXR.read_bytes())
    (folder / "b.txt").write_text("", encoding="utf-8")
    code, _, err = run(capsys, folder, "--root", src)
    assert code == 1 and "b.txt: the file is empty" in err
    assert snapshot(src) == before


def test_make_import_target(tmp_path):
    """``make import`` runs the importer; without SOURCE, or on bad input, it writes nothing."""
    before = snapshot(REPO / "essays"), (REPO / "refs.bib").read_bytes()
    proc = subprocess.run(["make", "-s", "import"], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "SOURCE": ""})
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == ("make import needs SOURCE=<export.xml, page.txt or "
                                           ".html, or a folder>")
    empty = tmp_path / "saved page.txt"
    empty.write_text("", encoding="utf-8")
    proc = subprocess.run(["make", "-s", "import", f"SOURCE={empty}"], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert f"error: {empty}: the file is empty" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (snapshot(REPO / "essays"), (REPO / "refs.bib").read_bytes()) == before


def test_a_post_not_imported_adds_no_works_or_people(site_copy, capsys, tmp_path):
    """An essay kept (no --force) brings none of its new works or new people along."""
    src = site_copy()
    (src / "essays" / "synthetic-post-one.md").write_text("edited by hand\n", encoding="utf-8")
    before = (src / "refs.bib").read_bytes()
    single = tmp_path / "one-post.xml"
    text = WXR.read_text(encoding="utf-8")
    single.write_text(text[:text.index("<item>\n\t\t<title>Synthetic Post Two")]
                      + "</channel>\n</rss>\n", encoding="utf-8")
    code, out, _ = run(capsys, single, "--root", src)
    assert code == 0 and "exists and differs; kept" in out
    assert (src / "refs.bib").read_bytes() == before
    assert not (src / "people" / "tess-synthetic.md").exists()
    assert "New works" not in out and "New people" not in out
