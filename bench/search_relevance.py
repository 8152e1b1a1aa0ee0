"""How often the site's search puts the page a reader wants first, in Chromium.

The relevance set is written by ``bench/generate.py`` beside the synthetic
corpus (``search-relevance.json``): queries with the pages that should come
first, from what the generator put where (an essay's title, its authors, a
word found in one essay only, the commonest words). Each query runs on the
built site's own search page, in headless Chromium, exactly as a reader's
would; the score is the share of queries whose first result is relevant,
and the share with a relevant page among the first five (a query's
``neutral`` pages, such as a person's own page for their name, are
skipped: they are neither right nor wrong), and, finer, the share of the
first five results that are relevant (precision at 5, out of at most as
many relevant pages as the query has).

Usage::

    python bench/generate.py --n 1000 --out /tmp/kb/N1000
    python -m sphinx -b html -q /tmp/kb/N1000 /tmp/kb/N1000/_build/html
    python bench/search_relevance.py /tmp/kb/N1000/_build/html /tmp/kb/N1000/search-relevance.json

``tests/test_search_relevance.py`` runs it on a small corpus and keeps the
score from falling. Figures: ``bench/SEARCH.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "tests"))

from browser import SiteServer, chromium, chromium_missing  # noqa: E402

_DONE_JS = """
const s = document.getElementById('kb-search-summary');
const t = s ? s.textContent : '';
if (!/^(Found|No results|Search is not|Search failed)/.test(t)) return null;
return [...document.querySelectorAll('#kb-search-results a')].map(a => a.href);
"""


@dataclass
class Judged:
    """One query's first results, and where its first relevant page came."""

    kind: str
    query: str
    results: list[str]
    rank: int | None  # 1-based, neutral pages skipped; None: none among those shown
    precision5: float  # share of the first five (neutral pages skipped) that are relevant


def judge(site: Path, queries: list[dict], timeout: float = 60.0) -> list[Judged]:
    """Run every query on the site's search page; rank of the first relevant page."""
    why = chromium_missing()
    if why:
        raise RuntimeError(why)
    out = []
    with SiteServer(site, prefix="/kb/") as server, chromium() as driver:
        for item in queries:
            driver.get(server.url + "search.html?q=" + urllib.parse.quote(item["query"]))
            deadline = time.monotonic() + timeout
            links = None
            while links is None:
                links = driver.execute_script(_DONE_JS)
                if links is None:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"no results for {item['query']!r}")
                    time.sleep(0.05)
            results = [link.removeprefix(server.url) for link in links]
            relevant = set(item["relevant"])
            neutral = set(item.get("neutral", ()))
            ranked = [url for url in results if url not in neutral]
            rank = next((k + 1 for k, url in enumerate(ranked) if url in relevant), None)
            first5 = ranked[:5]
            precision = (sum(1 for url in first5 if url in relevant)
                         / min(5, len(relevant)) if relevant else 0.0)
            out.append(Judged(item["kind"], item["query"], results, rank, precision))
    return out


def scores(judged: list[Judged]) -> dict[str, float]:
    """Share of queries answered first, and within the first five."""
    n = len(judged) or 1
    return {
        "queries": len(judged),
        "first": sum(1 for j in judged if j.rank == 1) / n,
        "top5": sum(1 for j in judged if j.rank is not None and j.rank <= 5) / n,
        "precision5": sum(j.precision5 for j in judged) / n,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site (the html output directory)")
    parser.add_argument("truth", type=Path, help="search-relevance.json from bench/generate.py")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    queries = json.loads(args.truth.read_text(encoding="utf-8"))["queries"]
    judged = judge(args.site.resolve(), queries)
    result = scores(judged)
    if args.json:
        print(json.dumps({**result, "judged": [asdict(j) for j in judged]}, indent=1))
        return
    for j in judged:
        print(f"{j.kind:13} {j.query[:50]:50} rank {j.rank if j.rank else '-'}"
              f"  P@5 {j.precision5:.0%}")
    print(f"{result['queries']} queries: first {result['first']:.0%}, "
          f"top 5 {result['top5']:.0%}, relevant among the first 5 {result['precision5']:.0%}")


if __name__ == "__main__":
    main()
