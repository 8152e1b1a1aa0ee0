"""No page above 500 KB of HTML at 10,000 essays (issue 19).

A synthetic corpus of 60 essays (``bench/generate.py``, as the benchmark
makes them) is built with small part sizes, so that every list is split
the way a large site's are. Then every page must be under the limit now,
every list part must hold at most its part size, and every page must stay
under the limit when its lists are grown to what 10,000 essays give them
(the default part size for split lists; ten times as many people), using
the bytes each listed item takes on this very page.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import generate  # noqa: E402
import pagesizes  # noqa: E402

N = 60
BIG = 10_000
LIMIT = pagesizes.LIMIT_BYTES
SMALL_PARTS = {"kb_listing_part_size": 5, "kb_references_part_size": 10}
DEFAULT_PARTS = {"kb-essays": 200, "kb-works": 100}  # paging.py's defaults


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    src = tmp_path_factory.mktemp("pagesizes") / "src"
    generate.generate(N, src)
    app = SphinxTestApp("html", srcdir=src, freshenv=True, confoverrides=SMALL_PARTS)
    try:
        app.build()
        return Path(app.outdir), app.warning.getvalue()
    finally:
        app.cleanup()


def pages(outdir: Path) -> list[Path]:
    return [p for p in outdir.rglob("*.html")
            if not p.relative_to(outdir).as_posix().startswith(pagesizes.SKIPPED)]


def projected(page: Path) -> int:
    """The page's bytes with each list grown to its size at 10,000 essays."""
    html = page.read_text(encoding="utf-8")
    size = len(html.encode())
    for ul in BeautifulSoup(html, "html.parser").select("ul.kb-listing"):
        items = len(ul.find_all("li", recursive=False))
        if not items:
            continue
        kind = next(c for c in ul["class"] if c in ("kb-essays", "kb-works", "kb-people",
                                                     "kb-themes"))
        grown = {"kb-themes": items, "kb-people": items * BIG // N}.get(
            kind, min(DEFAULT_PARTS.get(kind, 0), items * BIG // N))
        per_item = len(str(ul).encode()) / items
        size += int((max(grown, items) - items) * per_item)
    return size


def test_the_corpus_builds_without_a_warning(corpus):
    _, warnings = corpus
    assert warnings == ""


def test_lists_are_split_into_parts_of_at_most_their_size(corpus):
    outdir, _ = corpus
    sizes = pagesizes.largest_by_kind(outdir)
    assert {"theme part", "essays index part", "references part"} <= set(sizes)
    for page in pages(outdir):
        rel = page.relative_to(outdir).as_posix()
        if rel == "index.html":  # the home page's latest ten ({essay-list} :limit: 10)
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for ul in soup.select("ul.kb-essays, ul.kb-works"):
            kind = "kb_listing_part_size" if "kb-essays" in ul["class"] \
                else "kb_references_part_size"
            assert len(ul.find_all("li", recursive=False)) <= SMALL_PARTS[kind], rel


def test_every_page_is_under_the_limit_now_and_at_ten_thousand_essays(corpus):
    outdir, _ = corpus
    over = {page.relative_to(outdir).as_posix(): (page.stat().st_size, projected(page))
            for page in pages(outdir)}
    assert {rel: s for rel, s in over.items() if max(s) > LIMIT} == {}


@pytest.mark.parametrize(("path", "kind"), [
    ("index.html", "home"),
    ("essays/syn-1-x.html", "essay"), ("essays/syn-1-x/index.html", "essay"),
    ("essays/index.html", "essays index"), ("essays/index/2019.html", "essays index part"),
    ("themes/ios.html", "theme"), ("themes/ios/index.html", "theme"),
    ("themes/ios/2019-2.html", "theme part"), ("themes/ios/2019-2/index.html", "theme part"),
    ("people/ann.html", "person"), ("people/ann/undated.html", "person part"),
    ("references.html", "references"), ("references/index.html", "references"),
    ("references/a-2.html", "references part"), ("search.html", "other"),
])
def test_the_benchmark_knows_each_kind_of_page_in_html_and_dirhtml(path, kind):
    assert pagesizes.kind_of(path) == kind
