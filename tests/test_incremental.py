"""Incremental and parallel builds stay correct (issue 3).

Each test edits a private copy of the ``kb`` root and rebuilds it in
place, as ``make html`` does, then checks every page the change touches.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

from bs4 import BeautifulSoup
from sphinx.util.console import strip_colors

from conftest import build, copy_root

DELTA = """---
title: Delta essay
date: 2022-02-02
authors:
  - id: ann
themes: [t2]
---

## Body

Delta text.
"""


def listed(app, docname: str) -> list[str]:
    html = (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    return [li.find("a").get_text() for li in soup.select("ul.kb-essays > li")]


def test_added_essay_appears_everywhere_with_nothing_else_edited(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src)
    (src / "essays" / "delta.md").write_text(DELTA, encoding="utf-8")
    app = build(src)
    assert app.warning.getvalue() == ""
    assert (Path(app.outdir) / "essays" / "delta.html").exists()
    assert listed(app, "themes/t2")[0] == "Delta essay"
    assert "Delta essay" in listed(app, "people/ann")
    assert listed(app, "index")[0] == "Delta essay"
    assert listed(app, "essays/index")[0] == "Delta essay"
    assert "Delta essay" not in listed(app, "themes/t1")


def test_removed_essay_leaves_every_listing(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src)
    (src / "essays" / "beta.md").unlink()
    app = build(src)
    for docname in ("themes/t1", "themes/t2", "people/ann", "people/bob", "index"):
        assert "Beta essay" not in listed(app, docname), docname


def test_re_themed_essay_moves_between_theme_pages(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src)
    gamma = src / "essays" / "gamma.md"
    gamma.write_text(gamma.read_text().replace("themes: [t2]", "themes: [t1]"))
    app = build(src)
    assert "Gamma essay" in listed(app, "themes/t1")
    assert "Gamma essay" not in listed(app, "themes/t2")


def test_renamed_person_is_renamed_on_every_page(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src)
    bob = src / "people" / "bob.md"
    bob.write_text(bob.read_text().replace("Bob Sample", "Robert Sample"))
    app = build(src)
    for docname in ("essays/beta", "essays/gamma", "essays/alpha", "index"):
        html = (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")
        assert "Robert Sample" in html and "Bob Sample" not in html, docname


def test_unchanged_rebuild_reads_nothing(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src)
    app = build(src)
    assert "0 added, 0 changed, 0 removed" in app.status.getvalue()


def test_bibliography_edit_rereads_only_the_essays_citing_the_entry(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src)
    bib = src / "refs.bib"
    bib.write_text(bib.read_text().replace("A first article", "A first article, revised")
                   + "\n@misc{unused, title = {Not cited}, year = {2020}}\n")
    app = build(src)
    status = app.status.getvalue()
    assert "0 added, 1 changed, 0 removed" in status
    html = (Path(app.outdir) / "essays" / "alpha.html").read_text(encoding="utf-8")
    assert "A first article, revised" in html


def test_an_uncited_bib_entry_is_parsed_once_not_at_every_build(tmp_path):
    """Nothing is re-read, so Sphinx would not save the environment: we do."""
    src = copy_root("kb", tmp_path / "src")
    build(src)
    bib = src / "refs.bib"
    bib.write_text(bib.read_text() + "\n@misc{unused, title = {Not cited}, year = {2020}}\n")
    first = build(src).status.getvalue()
    assert "checking and parsing bibtex file" in first and "0 changed" in first
    assert "checking and parsing bibtex file" not in build(src).status.getvalue()


def test_parallel_build_equals_serial_build_byte_for_byte(tmp_path):
    serial = build(copy_root("kb", tmp_path / "a"), freshenv=True)
    parallel = build(copy_root("kb", tmp_path / "b"), freshenv=True, parallel=2)
    compare = filecmp.dircmp(serial.outdir, parallel.outdir, ignore=[".doctrees", ".buildinfo"])
    assert_same(compare)


def assert_same(compare: filecmp.dircmp) -> None:
    assert not compare.left_only and not compare.right_only
    _, mismatch, errors = filecmp.cmpfiles(compare.left, compare.right, compare.common_files,
                                           shallow=False)
    assert mismatch == [] and errors == []
    for sub in compare.subdirs.values():
        assert_same(sub)


def written(app) -> set[str]:
    """Docnames the last build wrote, from Sphinx's progress lines."""
    status = strip_colors(app.status.getvalue())
    return {line.rsplit("] ", 1)[1].strip() for line in status.splitlines()
            if line.startswith("writing output... [")}


def test_editing_an_essays_text_rewrites_only_that_essay(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src)
    gamma = src / "essays" / "gamma.md"
    gamma.write_text(gamma.read_text().replace("Gamma text.", "Gamma text, revised."))
    assert written(build(src)) == {"essays/gamma"}


def test_changing_an_essays_date_rewrites_the_listings(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src)
    gamma = src / "essays" / "gamma.md"
    gamma.write_text(gamma.read_text().replace("2021-01-01", "2019-01-01"))
    app = build(src)
    assert {"essays/gamma", "themes/t2", "people/bob", "index"} <= written(app)
    assert listed(app, "index") == ["Alpha essay", "Gamma essay", "Beta essay"]


def test_adding_an_essay_rewrites_only_the_listings_that_show_it(tmp_path):
    """Ann's new essay in theme t2: t1's page and Bob's do not list it."""
    src = copy_root("kb", tmp_path / "src")
    build(src)
    (src / "essays" / "delta.md").write_text(DELTA, encoding="utf-8")
    assert written(build(src)) == {
        "essays/delta", "themes/t2", "people/ann",  # its own, its theme's, its author's
        "index", "essays/index",  # every essay, and the counts per theme and person
        "refs",  # the cited works (their "Cited by" lists)
    }


def test_re_theming_an_essay_rewrites_both_themes_pages_only(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src)
    gamma = src / "essays" / "gamma.md"
    gamma.write_text(gamma.read_text().replace("themes: [t2]", "themes: [t1]"))
    pages = written(build(src))
    assert {"themes/t1", "themes/t2", "people/bob"} <= pages  # Bob wrote it: his page lists it
    assert "people/ann" not in pages
