"""Nothing lost: every essay file is one page that readers can find.

The checks in ``_ext/kb/completeness.py`` run after every HTML build. Here
they are shown to pass on clean builds (the real site, html and dirhtml,
Sphinx's search and Pagefind), and to name the essay when it is missing
from a place readers look: each miss is produced for real, by removing a
listing from the sources or an entry from the written output.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sphinx._cli.util.errors import strip_escape_sequences
from sphinx.testing.util import SphinxTestApp
from test_errors import build, essay, make_root

from conftest import SEED_ESSAY
from kb.completeness import find_missing
from kb.pdf_completeness import report_missing_from_pdf

SECOND = essay("title: A Second Essay\nauthors: [ann-example]\nthemes: [ios]\n")


@contextmanager
def built_app(src: Path, builder: str = "html", **kwargs: object) -> Iterator[SphinxTestApp]:
    """A built app, kept open so the checks can be run again on altered output."""
    app = SphinxTestApp(builder, srcdir=src, freshenv=True, **kwargs)  # type: ignore[arg-type]
    try:
        app.build()
        yield app
    finally:
        app.cleanup()


def warnings_of(app: SphinxTestApp) -> str:
    return strip_escape_sequences(app.warning.getvalue())


def test_real_site_is_complete(site_html: tuple[Path, str]) -> None:
    """The real site passes (its build is warning-free) and has what is checked."""
    outdir, warnings = site_html
    assert "missing from" not in warnings
    assert any((outdir / "essays").glob("*.html"))


@pytest.mark.parametrize("builder", ["html", "dirhtml"])
def test_clean_build_passes(tmp_path: Path, builder: str) -> None:
    src = make_root(tmp_path / "src", {"essays/second.md": SECOND})
    with built_app(src, builder) as app:
        assert warnings_of(app) == ""
        assert find_missing(app) == {}


def test_unreachable_essay_is_named(tmp_path: Path) -> None:
    """Listings removed from the home, essays and people pages: no way to the essay."""
    src = make_root(tmp_path / "src", {
        "essays/lonely.md": essay("title: A Lonely Essay\nauthors: [ann-example]\n"),
        "index.md": "# Home\n\n```{toctree}\n:hidden:\n\nessays/index\nthemes/index\n"
                    "people/index\n```\n",
        "essays/index.md": "# Essays\n\nNo list here.\n",
        "people/index.md": "# People\n\nNo list here.\n",
    })
    with built_app(src) as app:
        lines = [line for line in warnings_of(app).splitlines() if "WARNING" in line]
    # The theme page is reached through "next" links only in 3 clicks: the
    # themed essay is 4 clicks away, too far as well.
    assert lines == [
        f"{src / 'essays' / name}.md: WARNING: the essay is missing from the home page's "
        "links (not reachable in 3 clicks: is the {essay-list} of essays/index.md there?): "
        "rebuild from scratch ('make clean html'); if it is still missing, report it to the "
        "site's maintainers [kb.completeness]"
        for name in ("good", "lonely")
    ]


def _drop_links(page: Path, target: str) -> None:
    html = page.read_text(encoding="utf-8")
    page.write_text(re.sub(rf'href="[^"]*{re.escape(target)}"', 'href="#"', html),
                    encoding="utf-8")


def test_missing_from_theme_and_person_pages_is_named(tmp_path: Path) -> None:
    src = make_root(tmp_path / "src", {"essays/second.md": SECOND})
    with built_app(src) as app:
        out = Path(app.outdir)
        _drop_links(out / "themes" / "ios.html", "second.html")
        _drop_links(out / "people" / "ann-example.html", "second.html")
        assert find_missing(app) == {"essays/second": [
            "the theme page themes/ios.md", "the person page people/ann-example.md"]}


def test_missing_page_is_named(tmp_path: Path) -> None:
    with built_app(make_root(tmp_path / "src", {"essays/second.md": SECOND})) as app:
        (Path(app.outdir) / "essays" / "second.html").unlink()
        assert find_missing(app) == {"essays/second": [
            "the site (no page essays/second.html)"]}


def test_missing_from_sphinx_search_index_is_named(tmp_path: Path) -> None:
    with built_app(make_root(tmp_path / "src", {"essays/second.md": SECOND})) as app:
        index = Path(app.outdir) / "searchindex.js"
        text = index.read_text(encoding="utf-8")
        data = json.loads(text[text.index("(") + 1: text.rindex(")")])
        data["docnames"] = [d for d in data["docnames"] if d != "essays/second"]
        index.write_text(f"Search.setIndex({json.dumps(data)})", encoding="utf-8")
        assert find_missing(app) == {"essays/second": ["the search index (searchindex.js)"]}


def test_pagefind_index_is_checked(site_copy: Callable[[], Path]) -> None:
    """The real site (Pagefind on): its bundle is read and checked."""
    with built_app(site_copy()) as app:
        assert "missing from" not in warnings_of(app)
        fragments = Path(app.outdir) / "pagefind" / "fragment"
        assert fragments.is_dir()
        for fragment in fragments.iterdir():
            data = json.loads(gzip.decompress(fragment.read_bytes())
                              .removeprefix(b"pagefind_dcd"))
            if data["url"].endswith(f"/{SEED_ESSAY}.html"):
                fragment.unlink()
        assert find_missing(app) == {SEED_ESSAY: ["the Pagefind search index"]}
        # checking one essay (an edit's build) looks up its own URL only
        assert find_missing(app, only={SEED_ESSAY}) == {
            SEED_ESSAY: ["the Pagefind search index"]}


def test_deleted_essay_page_is_removed(tmp_path: Path) -> None:
    """Sphinx leaves a deleted document's page; the incremental build removes it."""
    src = make_root(tmp_path / "src", {"essays/second.md": SECOND})
    out = tmp_path / "out"
    first = build(src, outdir=out)
    page = first.outdir / "essays" / "second.html"
    source_copy = first.outdir / "_sources" / "essays" / "second.md.txt"
    assert page.is_file() and source_copy.is_file()
    (src / "essays" / "second.md").unlink()
    again = build(src, outdir=out, fresh=False)
    assert again.warnings == ""
    assert not page.exists() and not source_copy.exists()
    assert (again.outdir / "essays" / "good.html").is_file()


@pytest.mark.parametrize("builder", ["html", "dirhtml"])
def test_stale_pages_go_even_with_a_fresh_environment(tmp_path: Path, builder: str) -> None:
    """``-E`` forgets what was removed; the essays folder of the output is swept."""
    src = make_root(tmp_path / "src", {"essays/second.md": SECOND})
    out = tmp_path / "out"
    first = build(src, builder, outdir=out)
    page = next(p for p in first.outdir.rglob("*.html") if "second" in str(p))
    (src / "essays" / "second.md").unlink()
    build(src, builder, outdir=out, fresh=True)
    assert not page.exists()
    assert not (first.outdir / "essays" / "second").exists()  # dirhtml's folder too
    assert any((first.outdir / "essays").rglob("*.html"))


def test_pdf_check_names_missing_essays(tmp_path: Path) -> None:
    """The function the LaTeX side calls with the essays a PDF contains."""
    src = make_root(tmp_path / "src", {"essays/second.md": SECOND,
                                       "essays/other.md": essay(
                                           "title: Off Theme\nauthors: [ann-example]\n")})
    with built_app(src, "latex") as app:
        assert report_missing_from_pdf(app, ["essays/good"], "ios.pdf", theme="ios") == [
            "essays/second"]
        assert report_missing_from_pdf(app, ["essays/good", "essays/second"], "kb.pdf") == [
            "essays/other"]
        lines = [line for line in warnings_of(app).splitlines() if "WARNING" in line]
    assert len(lines) == 2
    assert lines[0].startswith(f"{src / 'essays' / 'second.md'}: WARNING: the essay is "
                               "missing from the PDF ios.pdf")
