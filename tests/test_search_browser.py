"""Search and sub-path publishing, in headless Chromium against the built site.

The real site (conftest's ``site_html``) is served under ``/kb/`` on
127.0.0.1, as it would be from https://example.org/kb/; any URL that
escapes the sub-path is a 404 in the server's log and fails the tests.
What the real site cannot show (filters with several themes, authors and
years; a title match against a passing mention) is checked on the small
synthetic ``test-search`` root.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from browser import (
    SiteServer,
    chromium,
    chromium_missing,
    html_pages,
    search_summary,
    wait_for,
)

from conftest import SEED_ESSAY

#: Browser tests carry both marks; the index checks at the end need no browser.
in_browser = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing())),
]


def browser_test(test: Any) -> Any:
    for mark in in_browser:
        test = mark(test)
    return test

ESSAY_TITLE = "Can CLAHRC WM Enact Distributed Leadership"


@pytest.fixture(scope="module")
def driver() -> Any:
    if chromium_missing():
        pytest.skip(chromium_missing())
    with chromium() as drv:
        yield drv


def result_links(driver: Any) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('#kb-search-results a')].map(a => a.href);"
    )


def run_search(driver: Any, server: SiteServer, query: str) -> tuple[str, list[str]]:
    """Open the search page with ``?q=``; results render asynchronously."""
    driver.get(server.url + "search.html?q=" + urllib.parse.quote(query))
    summary = wait_for(lambda: search_summary(driver), what=f"search summary for {query!r}")
    return summary, result_links(driver)


@browser_test
@pytest.mark.parametrize("query", [
    pytest.param("disillusionment", id="its-words"),
    pytest.param("Graeme Currie", id="its-author"),
    pytest.param("Implementation and Organisational Studies", id="its-theme"),
    pytest.param("Suhomlinova", id="cited-author"),
    pytest.param("Dilemmas in a General Theory of Planning", id="cited-title"),
])
def test_search_finds_the_essay(driver: Any, server: SiteServer, query: str) -> None:
    summary, links = run_search(driver, server, query)
    assert summary.startswith("Found") and f"\u2018{query}\u2019" in summary, summary
    assert server.url + SEED_ESSAY + ".html" in links


@browser_test
def test_result_count_in_summary_matches_the_list(driver: Any, server: SiteServer) -> None:
    summary, links = run_search(driver, server, "leadership")
    count = int(re.match(r"Found (\d+) results? for", summary).group(1))
    assert count == len(links) or (count > len(links) == 10)


@browser_test
def test_a_word_nowhere_in_the_site_finds_nothing(driver: Any, server: SiteServer) -> None:
    summary, links = run_search(driver, server, "xylophonist")
    assert summary == ("No results for \u2018xylophonist\u2019: "
                       "no page has the word \u2018xylophonist\u2019.")
    assert links == []


@browser_test
@pytest.mark.parametrize("query", ["photosynthesis", "photo", "pz"])
def test_a_word_in_no_page_finds_nothing_and_highlights_nothing(
    driver: Any, server: SiteServer, site: Path, query: str,
) -> None:
    """Pagefind alone would match the seed's one-letter word 'P' (of 'Baby P').

    The rule, whatever staff write: a page is shown only if it holds a word
    starting with the query (the last word while typing); with none, the
    page says so and highlights nothing.
    """
    summary, links = run_search(driver, server, query)
    if not links:
        assert summary.startswith(f"No results for \u2018{query}\u2019"), summary
        assert driver.execute_script("return document.querySelectorAll('mark').length") == 0
    holds = re.compile(rf"\b{re.escape(query)}", re.IGNORECASE)
    for link in links:
        page = site / link.removeprefix(server.url).split("#")[0]
        assert holds.search(page.read_text(encoding="utf-8")), (query, link)


@browser_test
def test_a_typo_is_answered_with_the_word_it_meant(driver: Any, server: SiteServer) -> None:
    from selenium.webdriver.common.by import By

    summary, links = run_search(driver, server, "leadrship")
    assert summary.startswith("No results for \u2018leadrship\u2019") and links == []
    suggestion = driver.find_element(By.CSS_SELECTOR, "#kb-search-suggest a")
    assert suggestion.text == "leadership"
    suggestion.click()
    wait_for(lambda: "q=leadership" in driver.current_url, what="the suggested search")
    summary = wait_for(lambda: search_summary(driver), what="the suggestion's results")
    assert summary.startswith("Found") and "\u2018leadership\u2019" in summary
    assert server.url + SEED_ESSAY + ".html" in result_links(driver)


@browser_test
def test_search_loads_pagefind_chunks_only_from_the_sub_path(
    driver: Any, server: SiteServer,
) -> None:
    server.take_log()
    run_search(driver, server, "distributed leadership")
    log = server.take_log()
    paths = [entry.path for entry in log]
    assert not [e for e in log if e.status != 200], "requests that failed"
    assert all(p.startswith("/kb/") for p in paths), paths
    assert not any(p.endswith("searchindex.js") for p in paths)
    assert "/kb/pagefind/pagefind.js" in paths
    assert any(p.startswith("/kb/pagefind/index/") for p in paths), paths
    assert any(p.startswith("/kb/pagefind/fragment/") for p in paths), paths


@browser_test
def test_furo_search_box_leads_to_results_and_the_essay(
    driver: Any, server: SiteServer,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(server.url + "index.html")
    box = driver.find_element(By.CSS_SELECTOR, "input.sidebar-search")
    box.send_keys("Graeme Currie", Keys.ENTER)
    wait_for(lambda: search_summary(driver), what="results after the sidebar search")
    assert urllib.parse.urlsplit(driver.current_url).path == "/kb/search.html"
    essay = server.url + SEED_ESSAY + ".html"
    assert essay in result_links(driver)
    # The page's own box shows the query, and the reader can refine it there.
    assert driver.find_element(By.ID, "kb-search-query").get_attribute("value") == "Graeme Currie"
    links = driver.find_elements(By.CSS_SELECTOR, "#kb-search-results a")
    next(a for a in links if a.get_property("href") == essay).click()
    wait_for(lambda: driver.current_url.startswith(essay), what="the essay page")
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith(ESSAY_TITLE)


@browser_test
def test_search_opened_from_disk_says_how_to_preview(driver: Any, site: Path) -> None:
    """Browsers load no index from file://; the page says what to do instead."""
    driver.get((site / "search.html").as_uri() + "?q=leadership")
    summary = wait_for(lambda: search_summary(driver), what="the search page's message")
    assert summary.startswith("Search works when the site is served by a web server")
    assert "make serve" in summary


def _missing_target(site: Path, prefix: str, href: str) -> str | None:
    """Why an internal link's target is not in the built site (None: it is)."""
    parts = urllib.parse.urlsplit(href)
    if not parts.path.startswith(prefix):
        return "outside the sub-path"
    rel = parts.path[len(prefix):]
    target = site / rel
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return "no such file"
    if parts.fragment and target.suffix == ".html":
        html = target.read_text(encoding="utf-8")
        if f'id="{urllib.parse.unquote(parts.fragment)}"' not in html:
            return f"no element with id {parts.fragment!r}"
    return None


@browser_test
def test_every_page_works_from_a_sub_path(
    driver: Any, server: SiteServer, site: Path,
) -> None:
    """Links, stylesheets and scripts of every page resolve under /kb/."""
    origin = server.url.removesuffix("/kb/")
    problems: list[str] = []
    pages = html_pages(site)
    assert "search.html" in pages and SEED_ESSAY + ".html" in pages
    for page in pages:
        server.take_log()
        driver.get(server.url + page)
        wait_for(lambda: driver.execute_script("return document.readyState") == "complete",
                 what=f"{page} to load")
        # Chromium asks every origin for /favicon.ico on its own; the site has none.
        failed = [e.path for e in server.take_log()
                  if e.status >= 400 and e.path != "/favicon.ico"]
        problems += [f"{page}: {path} failed to load" for path in failed]
        unstyled = driver.execute_script(
            "return [...document.querySelectorAll('link[rel=stylesheet]')]"
            ".filter(l => !l.sheet).map(l => l.href);"
        )
        problems += [f"{page}: stylesheet {href} not applied" for href in unstyled]
        hrefs = driver.execute_script(
            "return [...document.querySelectorAll('a[href]')].map(a => a.href);"
        )
        for href in hrefs:
            if not href.startswith(origin):
                continue  # an external link (Sphinx, furo credits)
            why = _missing_target(site, "/kb/", href)
            if why:
                problems.append(f"{page}: link {href}: {why}")
    assert not problems, "\n".join(problems)


@browser_test
def test_search_after_edits_finds_the_newest_words_and_not_the_older(
    driver: Any, site_copy: Any,
) -> None:
    """Incremental builds index their pages into segments beside the main
    index (kb.pagefind_bundle); the reader sees one, current, result.

    The first edit retitles the essay, so it rewrites the listings too and
    makes a segment too large for the second edit's one page to join: the
    search merges the main index and two segments, in which two older copies
    of the essay are superseded.
    """
    from conftest import build

    src = site_copy()
    essay = src / f"{SEED_ESSAY}.md"

    def edit(old: str, new: str) -> None:
        text = essay.read_text(encoding="utf-8")
        assert old in text
        essay.write_text(text.replace(old, new), encoding="utf-8")

    # Words no other essay has, whatever staff add: the oldest, then newer ones.
    edit("disillusionment", "quuxzyzzyvold")
    build(src, freshenv=True)
    edit("quuxzyzzyvold", "zyzzyvamiddle")
    edit("title: Can CLAHRC WM Enact Distributed Leadership",
         "title: Can CLAHRC WM Enact Distributed Leadership?")
    overrides = {"kb_pagefind_recent_limit": 0.9}
    build(src, confoverrides=overrides)
    edit("zyzzyvamiddle", "zyzzyvaquux")
    app = build(src, confoverrides=overrides)
    out = Path(app.outdir)
    bundles = json.loads((out / "pagefind" / "kb-recent.json").read_text("utf-8"))["bundles"]
    assert len(bundles) == 2 and all(b.startswith("pagefind-recent/") for b in bundles)
    with SiteServer(out, prefix="/kb/") as server:
        page = server.url + SEED_ESSAY + ".html"
        summary, links = run_search(driver, server, "zyzzyvaquux")
        assert summary.startswith("Found 1 result") and links == [page], summary
        for older in ("zyzzyvamiddle", "quuxzyzzyvold"):
            summary, links = run_search(driver, server, older)
            assert summary == f"No results for \u2018{older}\u2019.", summary
        summary, links = run_search(driver, server, "Graeme Currie")
        assert links.count(page) == 1, links
        log = server.take_log()
        for bundle in bundles:
            assert any(e.path.startswith(f"/kb/{bundle}") for e in log), bundle
        # Chromium asks every new origin for /favicon.ico on its own; the site has none.
        assert not [e for e in log if e.status != 200 and e.path != "/favicon.ico"]


# --------------------------------------------------------------------------
# Words, filters and ranking, on the synthetic test-search root
# --------------------------------------------------------------------------

#: The test-search root's essays (synthetic), by page.
LIGHTHOUSE = "essays/lighthouse-keeping.html"  # "Lighthouse" in its title, by Ann Okafor
HARBOUR = "essays/harbour-records.html"  # mentions lighthouse twice; cites Okafor
QUAY = "essays/quay-walls.html"  # Ann Okafor and Bram Lind, waves + tides, 2020
TIDES = "essays/tide-tables.html"  # Cleo Marsh, tides, 2021; the one-letter word "P"


@pytest.fixture(scope="module")
def search_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import build, copy_root

    app = build(copy_root("search", tmp_path_factory.mktemp("search") / "src"), freshenv=True)
    return Path(app.outdir)


@pytest.fixture(scope="module")
def search_root(search_build: Path) -> Any:
    if chromium_missing():
        pytest.skip(chromium_missing())
    with SiteServer(search_build, prefix="/kb/") as srv:
        yield srv


def pages(server: SiteServer, links: list[str]) -> list[str]:
    return [link.removeprefix(server.url) for link in links]


def open_search(driver: Any, server: SiteServer, query_string: str) -> tuple[str, list[str]]:
    driver.get(server.url + "search.html?" + query_string)
    summary = wait_for(lambda: search_summary(driver), what=f"results for {query_string}")
    return summary, pages(server, result_links(driver))


@browser_test
@pytest.mark.parametrize(("query", "found"), [
    pytest.param("lighthouse", [LIGHTHOUSE, HARBOUR], id="a-whole-word"),
    pytest.param("lig", [LIGHTHOUSE, HARBOUR], id="the-last-word-as-typed"),
    pytest.param("ledgers lighth", [HARBOUR], id="whole-words-then-a-start"),
    pytest.param("p", [TIDES], id="a-one-letter-word-that-is-there"),
])
def test_results_hold_every_word(driver: Any, search_root: SiteServer, query: str,
                                 found: list[str]) -> None:
    summary, links = open_search(driver, search_root, "q=" + urllib.parse.quote(query))
    assert summary.startswith("Found"), summary
    assert sorted(links) == sorted(found)


@browser_test
@pytest.mark.parametrize("query", [
    pytest.param("li", id="a-start-of-two-letters"),
    pytest.param("light keeping", id="a-start-that-is-not-the-last-word"),
    pytest.param("lighthouse photosynthesis", id="one-word-in-no-page"),
])
def test_no_result_without_every_word(driver: Any, search_root: SiteServer, query: str) -> None:
    summary, links = open_search(driver, search_root, "q=" + urllib.parse.quote(query))
    assert summary.startswith(f"No results for \u2018{query}\u2019"), summary
    assert links == []


@browser_test
@pytest.mark.parametrize(("query_string", "found", "says"), [
    pytest.param("theme=tides", [HARBOUR, QUAY, TIDES], "in Tide Studies", id="theme"),
    pytest.param("author=ann-okafor", [LIGHTHOUSE, QUAY], "by Ann Okafor", id="author"),
    pytest.param("year=2020", [HARBOUR, QUAY], "from 2020", id="year"),
    pytest.param("theme=tides&author=ann-okafor", [QUAY],
                 "in Tide Studies, by Ann Okafor", id="theme-and-author"),
    pytest.param("q=tides&theme=tides&year=2021", [TIDES],
                 "\u2018tides\u2019 in Tide Studies, from 2021", id="query-theme-and-year"),
    pytest.param("q=lighthouse&author=bram-lind", [HARBOUR], "by Bram Lind",
                 id="query-and-author"),
    pytest.param("year=2020&year=2021", [HARBOUR, QUAY, TIDES], "from 2020 or 2021",
                 id="either-year"),
])
def test_filters_alone_and_combined(driver: Any, search_root: SiteServer, query_string: str,
                                    found: list[str], says: str) -> None:
    summary, links = open_search(driver, search_root, query_string)
    assert summary.startswith(f"Found {len(found)} result") and says in summary, summary
    assert sorted(links) == sorted(found)
    if "q=" not in query_string:  # an empty query lists essays, newest first
        assert links == sorted(found, key=[LIGHTHOUSE, HARBOUR, QUAY, TIDES].index,
                               reverse=True)


@browser_test
def test_filters_show_counts_and_round_trip_through_the_url(
    driver: Any, search_root: SiteServer,
) -> None:
    from selenium.webdriver.common.by import By

    open_search(driver, search_root, "q=the")
    driver.find_element(By.CSS_SELECTOR, "#kb-search-filters summary").click()
    label = wait_for(lambda: driver.execute_script(
        "const b = document.getElementById('kb-filter-theme-tides');"
        "return b && document.querySelector('label[for=' + b.id + ']').textContent;"),
        what="the filter controls")
    assert label == "Tide Studies (3)"
    driver.find_element(By.ID, "kb-filter-theme-tides").click()
    driver.find_element(By.ID, "kb-filter-author-ann-okafor").click()
    driver.find_element(By.CSS_SELECTOR, "#kb-search-filters button[type=submit]").click()
    wait_for(lambda: "theme=tides" in driver.current_url, what="the filtered search's URL")
    summary = wait_for(lambda: search_summary(driver), what="the filtered results")
    shared = driver.current_url
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(shared).query)
    assert query == {"q": ["the"], "theme": ["tides"], "author": ["ann-okafor"]}
    assert pages(search_root, result_links(driver)) == [QUAY], summary
    # The shared link, opened afresh, shows the same search with its boxes ticked.
    driver.get("about:blank")
    driver.get(shared)
    wait_for(lambda: search_summary(driver), what="the shared search")
    assert pages(search_root, result_links(driver)) == [QUAY]
    ticked = driver.execute_script(
        "return [...document.querySelectorAll('#kb-search-filters input:checked')]"
        ".map(b => b.name + '=' + b.value);")
    assert sorted(ticked) == ["author=ann-okafor", "theme=tides"]
    assert driver.find_element(By.ID, "kb-search-query").get_attribute("value") == "the"


@browser_test
@pytest.mark.parametrize(("query", "first", "passing"), [
    pytest.param("lighthouse", LIGHTHOUSE, HARBOUR, id="title-before-passing-mentions"),
    pytest.param("okafor", QUAY, HARBOUR, id="author-before-a-cited-namesake"),
])
def test_a_title_or_author_match_ranks_before_a_passing_mention(
    driver: Any, search_root: SiteServer, query: str, first: str, passing: str,
) -> None:
    _, links = open_search(driver, search_root, "q=" + query)
    assert first in links and passing in links
    assert links.index(first) < links.index(passing)
    essays = [link for link in links if link.startswith("essays/")]
    assert essays[-1] == passing, essays


@pytest.fixture(scope="module")
def sharded_root(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The test-search root again, its main index cut into shards of three pages."""
    if chromium_missing():
        pytest.skip(chromium_missing())
    from conftest import build, copy_root

    src = copy_root("search", tmp_path_factory.mktemp("sharded") / "src")
    app = build(src, freshenv=True, confoverrides={"kb_pagefind_shard_pages": 3})
    with SiteServer(Path(app.outdir), prefix="/kb/") as srv:
        yield srv


#: Searches of every kind the search page makes: words, a word's start, a
#: word in no page, filters alone and with words; and "passing", of one
#: shard, which in a shard of "p" and no "passing" Pagefind would match by "p".
SAME_SEARCHES = ["q=passing", "q=lighthouse", "q=lig", "q=ledgers+lighth", "q=p", "q=li", "q=the",
                 "q=okafor", "q=tides&theme=tides&year=2021", "q=lighthouse&author=bram-lind",
                 "theme=tides", "author=ann-okafor", "year=2020&year=2021"]


#: Of those, searches whose filter counts are of their results alone: Pagefind
#: counts the pages it found, before the search page drops its prefix matches
#: ("p" finds every word starting with p), so those counts differ by shard.
SAME_COUNTS = ["q=passing", "q=lighthouse", "q=the", "q=tides&theme=tides&year=2021", "theme=tides",
               "author=ann-okafor", "year=2020&year=2021"]


def filter_labels(driver: Any) -> list[str]:
    """The filter controls' labels with their counts (the panel opened)."""
    driver.execute_script("document.getElementById('kb-search-filters').open = true;")
    return wait_for(lambda: driver.execute_script(
        "return [...document.querySelectorAll('#kb-search-filters label')]"
        ".map(l => l.textContent).sort();"), what="the filter controls")


@browser_test
def test_an_index_in_shards_answers_as_one_index(
    driver: Any, search_root: SiteServer, sharded_root: SiteServer,
) -> None:
    """A large site's index is written in shards (kb.pagefind_bundle); the
    reader gets the same results, counts and filter counts as from one."""
    assert (sharded_root.root / "pagefind-shard-3").is_dir()
    sharded_root.take_log()
    for query_string in SAME_SEARCHES:
        summary, links = open_search(driver, search_root, query_string)
        labels = filter_labels(driver) if query_string in SAME_COUNTS else []
        got_summary, got_links = open_search(driver, sharded_root, query_string)
        assert got_summary == summary, query_string
        assert sorted(got_links) == sorted(links), query_string
        if "q=" not in query_string:  # a listing: newest first, in both
            assert got_links == links, query_string
        assert (filter_labels(driver) if labels else []) == labels, query_string
        if query_string == "q=the":  # counts summed over the shards
            assert "Tide Studies (3)" in labels, labels
    log = sharded_root.take_log()
    assert any(e.path.startswith("/kb/pagefind-shard-3/") for e in log)
    assert not [e for e in log if e.status != 200 and e.path != "/favicon.ico"]


# --------------------------------------------------------------------------
# The index itself (no browser)
# --------------------------------------------------------------------------


def test_sphinx_index_is_replaced_by_pagefind(site: Path) -> None:
    assert not (site / "searchindex.js").exists()
    search = (site / "search.html").read_text(encoding="utf-8")
    assert "searchtools.js" not in search and "searchindex.js" not in search
    assert "_static/kb-search.js" in search
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    indexed = [p for p in html_pages(site)
               if "data-pagefind-body" in (site / p).read_text(encoding="utf-8")]
    # Every document, and nothing else: not the search page, not the index.
    assert SEED_ESSAY + ".html" in indexed
    assert "search.html" not in indexed and "genindex.html" not in indexed
    assert entry["languages"]["en"]["page_count"] == len(indexed)


def test_pagefind_output_is_reproducible(site: Path, tmp_path: Path) -> None:
    """Same site in, byte-identical bundles out (builds stay reproducible):
    Pagefind's index and the vocabulary."""
    from kb.pagefind_bundle import MANIFEST, find_pagefind, pagefind_command, run
    from kb.search import EXCLUDE_SELECTORS
    from kb.search_words import HEADINGS_DIR, write_main

    def bundle(root: Path) -> dict[str, bytes]:
        # The headings index also sorts by the essays' dates, which only the
        # build knows; test_reproducible compares whole clean builds for it.
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted((root / "pagefind").rglob("*"))
                if p.is_file() and p.name != MANIFEST}

    copy = tmp_path / "html"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("pagefind", HEADINGS_DIR))
    run(pagefind_command(find_pagefind(), copy, copy / "pagefind", EXCLUDE_SELECTORS))
    write_main(copy, find_pagefind())
    assert (copy / HEADINGS_DIR / "pagefind.js").is_file()
    assert bundle(copy) == bundle(site)


def test_filters_are_written_in_one_order(search_build: Path, tmp_path: Path) -> None:
    """Pagefind writes filters in hash-map order (different on each run); with
    three filters of several values the bundle must still be the same."""
    from kb.pagefind_bundle import find_pagefind, pagefind_command, run
    from kb.search import EXCLUDE_SELECTORS

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    runs = []
    for k in range(3):
        out = tmp_path / f"run{k}"
        run(pagefind_command(find_pagefind(), search_build, out, EXCLUDE_SELECTORS))
        runs.append(files(out))
    assert len([name for name in runs[0] if name.startswith("filter/")]) == 3
    assert runs[0] == runs[1] == runs[2]


def test_kb_pagefind_false_keeps_sphinx_search(site_copy: Any) -> None:
    from sphinx.testing.util import SphinxTestApp

    app = SphinxTestApp("html", srcdir=site_copy(), freshenv=True,
                        confoverrides={"kb_pagefind": False})
    try:
        app.build()
    finally:
        app.cleanup()
    out = Path(app.outdir)
    assert (out / "searchindex.js").exists()
    assert not (out / "pagefind").exists()
    assert "searchtools.js" in (out / "search.html").read_text(encoding="utf-8")
