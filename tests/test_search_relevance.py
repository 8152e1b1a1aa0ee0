"""Search ranking keeps its measured quality (``bench/search_relevance.py``).

A small synthetic corpus from ``bench/generate.py`` is built with the
extension, and its relevance set (queries with the pages that should come
first: an essay's title, its authors' names and surnames, a word in one
essay only, the commonest words) runs on the site's own search page in
headless Chromium. The floors are the scores measured when ranking was
tuned (bench/SEARCH.md); a change that ranks passing mentions above titles
or authors falls below them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from browser import chromium_missing

from conftest import REPO, build

sys.path.insert(0, str(REPO / "bench"))
import generate as gen  # noqa: E402
import search_relevance  # noqa: E402

#: Essays in the test corpus: enough for namesakes and shared title topics.
N = 80


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    if chromium_missing():
        pytest.skip(chromium_missing())
    src = tmp_path_factory.mktemp("relevance") / "src"
    corpus = gen.generate(N, src)
    app = build(src, freshenv=True)
    queries = gen.relevance_set(N, corpus.people)
    return search_relevance.judge(Path(app.outdir), queries)


def test_the_relevance_set_covers_every_kind_of_query() -> None:
    queries = gen.relevance_set(N, gen.make_people(N))
    assert len(queries) >= 30
    kinds = {q["kind"] for q in queries}
    assert kinds == {"title", "author", "surname", "rare word", "common words", "theme"}
    assert all(q["relevant"] for q in queries)
    assert gen.relevance_set(N, gen.make_people(N)) == queries  # deterministic


@pytest.mark.browser
def test_the_page_a_reader_wants_comes_first(judged: list[Any]) -> None:
    score = search_relevance.scores(judged)
    missed = [(j.kind, j.query, j.rank) for j in judged if j.rank != 1]
    assert score["first"] >= 0.97, missed
    assert score["top5"] == 1.0, missed


@pytest.mark.browser
def test_titles_and_authors_outrank_passing_mentions(judged: list[Any]) -> None:
    by_kind: dict[str, list[float]] = {}
    for j in judged:
        by_kind.setdefault(j.kind, []).append(j.precision5)
    share = {kind: sum(v) / len(v) for kind, v in by_kind.items()}
    assert share["author"] >= 0.95 and share["surname"] >= 0.95, share
    assert share["title"] >= 0.9, share
