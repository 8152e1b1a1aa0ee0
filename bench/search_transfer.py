"""What a reader downloads for their first search: Pagefind against Sphinx.

Sphinx's search page loads ``searchindex.js`` whole (plus its search
scripts) before it can answer anything, so its cost is the size of those
files. Pagefind loads its runtime and then only the index chunks for the
query's words and the text of the results it shows, so its cost depends
on the query: it is measured in headless Chromium. A fresh browser (empty
cache) opens the home page first, as a reader arriving on the site would;
everything the server sends after that, for ``search.html?q=...``, is the
first search. The server (``tests/browser.py``) gzips text as static hosts
do and lets the browser cache theme files (``max-age``), so the figure is
the search's own, not the theme's. Pagefind's index files are gzip already.

Usage::

    python bench/search_transfer.py _build/html            # default queries
    python bench/search_transfer.py SITE -q "Graeme Currie" -q leadership --json
    python bench/search_transfer.py SITE --set CORPUS/search-relevance.json --max-kb 300

``bench/run.py`` may import :func:`first_search_transfer`,
:func:`sphinx_index_transfer` and :func:`pagefind_bundle`. Results for the
synthetic corpora are in ``bench/SEARCH.md``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import urllib.parse
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))

from browser import SiteServer, chromium, chromium_missing  # noqa: E402

#: Queries that exist in the synthetic corpora (bench/generate.py): a word
#: in almost every essay, a phrase, a surname, a theme, a cited journal.
DEFAULT_QUERIES = (
    "leadership",
    "knowledge mobilisation",
    "Patel",
    "Youth Mental Health",
    "Hum Relat",
)
#: Scripts Sphinx's (and furo's) search page adds to an ordinary page.
SPHINX_SEARCH_FILES = ("searchindex.js", "_static/searchtools.js", "_static/language_data.js")
GZIP_LEVEL = 6  # what tests/browser.py's server uses; nginx's default is 1


@dataclass
class SearchTransfer:
    """One query's first search: bytes per file as sent over HTTP (bodies)."""

    query: str
    summary: str
    files: dict[str, int] = field(default_factory=dict)

    @property
    def search_page_bytes(self) -> int:
        return sum(b for p, b in self.files.items() if p.endswith("search.html"))

    @property
    def engine_bytes(self) -> int:
        """Everything but the search page's HTML: runtime, index, results."""
        return sum(b for p, b in self.files.items() if not p.endswith("search.html"))

    @property
    def total_bytes(self) -> int:
        return sum(self.files.values())


def first_search_transfer(
    site: Path,
    queries: Iterable[str] = DEFAULT_QUERIES,
    timeout: float = 60.0,
) -> list[SearchTransfer]:
    """Measure each query's first search in a fresh headless Chromium."""
    why = chromium_missing()
    if why:
        raise RuntimeError(why)
    out = []
    for query in queries:
        with SiteServer(site, prefix="/kb/", cache_seconds=3600) as server, chromium() as driver:
            driver.get(server.url + "index.html")
            _wait(driver, "return document.readyState === 'complete'", timeout)
            server.take_log()
            driver.get(server.url + "search.html?q=" + urllib.parse.quote(query))
            summary = _wait(driver, _SUMMARY_JS, timeout)
            files: dict[str, int] = {}
            for served in server.take_log():
                if served.status == 200:
                    path = served.path.removeprefix("/kb/")
                    files[path] = files.get(path, 0) + served.body_bytes
            out.append(SearchTransfer(query, summary, files))
    return out


_SUMMARY_JS = """
const s = document.getElementById('kb-search-summary');
const t = s ? s.textContent : '';
return /^(Found|No results|Search is not|Search failed|Search works)/.test(t) ? t : '';
"""


def _wait(driver: object, script: str, timeout: float) -> str:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)  # type: ignore[attr-defined]
        if value:
            return value if isinstance(value, str) else "ok"
        time.sleep(0.05)
    raise TimeoutError(f"no answer after {timeout:.0f}s from: {script.strip()[:60]}")


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL, mtime=0))


def sphinx_index_transfer(site: Path) -> dict[str, dict[str, int]] | None:
    """Raw and gzip sizes of what Sphinx's search page loads (None: no index)."""
    if not (site / "searchindex.js").exists():
        return None
    return {
        name: {"raw": (site / name).stat().st_size, "gzip": gzipped(site / name)}
        for name in SPHINX_SEARCH_FILES
        if (site / name).exists()
    }


def pagefind_bundle(site: Path) -> dict[str, int] | None:
    """Sizes in the Pagefind bundle that bound any first search (None: none).

    ``worst_case_one_word`` is runtime + the largest index chunk + ten of the
    largest fragments: the most a one-word first search showing ten results
    can fetch.
    """
    bundle = site / "pagefind"
    if not (bundle / "pagefind.js").exists():
        return None
    chunks = [p.stat().st_size for p in (bundle / "index").glob("*.pf_index")]
    fragments = [p.stat().st_size for p in (bundle / "fragment").glob("*.pf_fragment")]
    runtime = {
        "pagefind.js (gzip)": gzipped(bundle / "pagefind.js"),
        "pagefind-worker.js (gzip)": gzipped(bundle / "pagefind-worker.js"),
        "pagefind-entry.json (gzip)": gzipped(bundle / "pagefind-entry.json"),
        "wasm": sum(p.stat().st_size for p in bundle.glob("wasm.en.pagefind")),
        "meta": sum(p.stat().st_size for p in bundle.glob("pagefind.en_*.pf_meta")),
    }
    stats = {
        **runtime,
        "index chunks": len(chunks),
        "largest index chunk": max(chunks, default=0),
        "median index chunk": int(statistics.median(chunks)) if chunks else 0,
        "fragments": len(fragments),
        "largest fragment": max(fragments, default=0),
        "median fragment": int(statistics.median(fragments)) if fragments else 0,
        "bundle on disk": sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()),
    }
    stats["worst_case_one_word"] = (
        sum(runtime.values()) + stats["largest index chunk"] + 10 * stats["largest fragment"]
    )
    return stats


def _kb(n: int) -> str:
    return f"{n / 1000:.1f} kB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site (the html output directory)")
    parser.add_argument("-q", "--query", action="append", help="repeatable; default: a set")
    parser.add_argument("--set", type=Path, help="also every query of a relevance set "
                        "(search-relevance.json from bench/generate.py)")
    parser.add_argument("--max-kb", type=float, help="exit 1 if a first search sends more")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    site = args.site.resolve()
    queries = list(args.query or ([] if args.set else DEFAULT_QUERIES))
    if args.set:
        queries += [q["query"] for q in json.loads(args.set.read_text("utf-8"))["queries"]]
    measured = first_search_transfer(site, queries)
    report = {
        "site": str(site),
        "pages": sum(1 for _ in site.rglob("*.html")),
        "queries": [
            {
                **asdict(m),
                "engine_bytes": m.engine_bytes,
                "search_page_bytes": m.search_page_bytes,
                "total_bytes": m.total_bytes,
            }
            for m in measured
        ],
        "pagefind_bundle": pagefind_bundle(site),
        "sphinx_index": sphinx_index_transfer(site),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['pages']} HTML pages in {site}")
    print(f"{'query':28} {'engine':>10} {'search.html':>12} {'total':>10}  summary")
    for m in measured:
        print(
            f"{m.query[:28]:28} {_kb(m.engine_bytes):>10} {_kb(m.search_page_bytes):>12} "
            f"{_kb(m.total_bytes):>10}  {m.summary}"
        )
    if report["pagefind_bundle"]:
        print("Pagefind bundle:", json.dumps(report["pagefind_bundle"]))
    if report["sphinx_index"]:
        total = sum(v["gzip"] for v in report["sphinx_index"].values())
        print(f"Sphinx search files (gzip): {_kb(total)}", json.dumps(report["sphinx_index"]))
    worst = max(measured, key=lambda m: m.total_bytes)
    print(f"largest first search: {_kb(worst.total_bytes)} ({worst.query!r}); "
          f"median {_kb(int(statistics.median(m.total_bytes for m in measured)))}")
    if args.max_kb is not None and worst.total_bytes > args.max_kb * 1000:
        sys.exit(1)


if __name__ == "__main__":
    main()
