"""WCAG 2.2 AA, valid HTML and keyboard use, checked on every page of the site.

axe-core (``npm ci`` puts it in node_modules/) runs in headless Chromium on
every page of the built site, once with ``prefers-color-scheme: light`` and
once with ``dark``; the Nu HTML Checker (vnu-jar, needs Java) reads every
page. Both must report nothing. Keyboard tests walk the seed essay with Tab.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from browser import (
    SiteServer,
    chromium,
    chromium_missing,
    color_scheme,
    html_pages,
    search_summary,
    skip_or_fail,
    wait_for,
)

from conftest import REPO, SEED_ESSAY

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no wcag22a rules).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NEEDS_NPM = "run 'npm ci' at the repository root (package.json pins it)"

needs_chromium = pytest.mark.skipif(chromium_missing() is not None,
                                    reason=str(chromium_missing()))


@pytest.fixture(scope="module")
def driver() -> Any:
    with chromium() as drv:
        drv.set_script_timeout(60)
        yield drv


#: The search page as its script renders it: results; results with the
#: filters open and ticked; no results with a "Did you mean" link.
SEARCHES = (
    "search.html?q=distributed+leadership",
    "search.html?q=leadership&theme=ios&author=graeme-currie",
    "search.html?q=leadrship",
)


def pages_to_check(site: Path) -> list[str]:
    """Every page, plus the search page showing results (rendered by script)."""
    return [*html_pages(site), *SEARCHES]


def load(driver: Any, server: SiteServer, page: str) -> None:
    driver.get(server.url + page)
    wait_for(lambda: driver.execute_script("return document.readyState") == "complete",
             what=f"{page} to load")
    if page.startswith("search.html?"):
        wait_for(lambda: search_summary(driver), what="search results")
    if "theme=" in page:
        wait_for(lambda: driver.execute_script(
            "return document.querySelectorAll('#kb-search-filters input:checked').length"),
            what="the filter controls")


def run_axe(driver: Any, source: str) -> dict[str, Any]:
    driver.execute_script(source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
        " resultTypes: ['violations']})"
        ".then(r => done({violations: r.violations}))"
        ".catch(e => done({error: String(e)}));",
        WCAG_TAGS,
    )
    if "error" in result:
        pytest.fail(f"axe-core failed: {result['error']}")
    return result


def describe(page: str, violation: dict[str, Any]) -> str:
    targets = "; ".join(
        " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
        for node in violation["nodes"][:5]
    )
    return (f"{page}: {violation['id']} ({violation['impact']}) {violation['help']}"
            f" -- {targets}")


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violations(
    driver: Any, server: SiteServer, site: Path, scheme: str,
) -> None:
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE}: {NEEDS_NPM}")
    source = AXE.read_text(encoding="utf-8")
    color_scheme(driver, scheme)
    problems: list[str] = []
    backgrounds = set()
    pages = pages_to_check(site)
    for page in pages:
        load(driver, server, page)
        backgrounds.add(driver.execute_script(
            "return getComputedStyle(document.body).backgroundColor;"))
        problems += [describe(page, v) for v in run_axe(driver, source)["violations"]]
    # The scheme really applied: furo's page is white in light, near-black in dark.
    expected = "rgb(255, 255, 255)" if scheme == "light" else "rgb(19, 20, 22)"
    assert backgrounds == {expected}
    assert len(pages) >= 10
    assert not problems, f"{len(problems)} axe violations ({scheme}):\n" + "\n".join(problems)


def nu_errors(paths: Iterable[str]) -> tuple[list[dict[str, Any]], int]:
    """The Nu HTML Checker's errors for ``paths``, and its exit status."""
    java = shutil.which("java")
    if java is None:
        skip_or_fail("java not found: the Nu HTML Checker needs a Java runtime: "
                     "apt-get install default-jre-headless")
    if not VNU.exists():
        skip_or_fail(f"vnu.jar not found at {VNU}: {NEEDS_NPM}")
    run = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *paths],
        capture_output=True, text=True, check=False,
    )
    report = json.loads(run.stderr or run.stdout)
    errors = [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    return errors, run.returncode


def test_nu_html_checker_finds_no_errors(site: Path) -> None:
    files = [str(site / page) for page in html_pages(site)]
    assert len(files) >= 10
    found, status = nu_errors(files)
    errors = [
        f"{urllib.parse.unquote(m.get('url', '')).removeprefix('file:')}:"
        f"{m.get('lastLine', '?')}: {m['message']}"
        for m in found
    ]
    assert not errors, "\n".join(errors)
    assert status == 0


@pytest.mark.browser
@needs_chromium
def test_nu_html_checker_accepts_the_search_page_as_rendered(
    driver: Any, server: SiteServer, tmp_path: Path,
) -> None:
    """The results, filters and suggestions the script adds are valid HTML too."""
    files: dict[str, str] = {}
    for k, page in enumerate(SEARCHES):
        load(driver, server, page)
        # The summary can show before the suggestions it announces are in place.
        wait_for(lambda: driver.execute_script(
            "return document.querySelectorAll('#kb-search-results li, #kb-search-suggest a,"
            " #kb-search-filters input').length") > 0,
            what=f"results, suggestions or filters on {page}")
        html = driver.execute_script("return document.documentElement.outerHTML")
        path = tmp_path / f"search-{k}.html"
        path.write_text("<!DOCTYPE html>\n" + html, encoding="utf-8")
        files[path.as_uri()] = page
    found, status = nu_errors(urllib.parse.urlsplit(uri).path for uri in files)
    errors = [f"{files.get(m.get('url', ''), m.get('url'))}:{m.get('lastLine', '?')}: "
              f"{m['message']}" for m in found]
    assert not errors, "\n".join(errors)
    assert status == 0


@pytest.mark.browser
@needs_chromium
def test_search_results_and_filters_are_announced_and_labelled(
    driver: Any, server: SiteServer,
) -> None:
    """A live region speaks the outcome; every filter box has its label."""
    load(driver, server, SEARCHES[1])
    status = driver.execute_script(
        "return document.getElementById('kb-search-summary').closest('[role=status]') !== null;")
    assert status
    unlabelled = driver.execute_script(
        "return [...document.querySelectorAll('#kb-search-filters input')]"
        ".filter(b => !document.querySelector('label[for=\"' + b.id + '\"]')).length;")
    assert unlabelled == 0
    assert driver.execute_script(
        "return document.getElementById('kb-search-filters').closest('form')"
        " === document.getElementById('kb-search-form');")


# --------------------------------------------------------------------------
# Keyboard alone
# --------------------------------------------------------------------------


def tab_until(driver: Any, selector: str, limit: int = 150) -> bool:
    """Press Tab until the focused element matches ``selector``."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.execute_script(
            "return document.activeElement.matches(arguments[0]);", selector
        ):
            return True
    return False


@pytest.mark.browser
@needs_chromium
def test_keyboard_reaches_author_and_follows_a_citation(
    driver: Any, server: SiteServer,
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    load(driver, server, SEED_ESSAY + ".html")
    assert tab_until(driver, ".kb-byline .kb-author a"), "Tab never reached the author link"
    assert driver.execute_script("return document.activeElement.textContent") == "Graeme Currie"
    assert tab_until(driver, ".kb-cite a"), "Tab never reached a citation marker"
    label = driver.execute_script("return document.activeElement.getAttribute('aria-label')")
    assert label == "Reference 1"
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait_for(lambda: urllib.parse.urlsplit(driver.current_url).fragment == "ref-1",
             what="the marker's link to be followed")
    # (furo scrolls smoothly: wait for the scroll to end)
    wait_for(lambda: driver.execute_script(
        "const r = document.getElementById('ref-1').closest('li').getBoundingClientRect();"
        "return r.top >= 0 && r.bottom <= window.innerHeight;"
    ), what="reference 1 to be scrolled into view")
    # Focus moved with the reader: the next Tab goes on from the reference.
    ActionChains(driver).send_keys(Keys.TAB).perform()
    after = driver.execute_script(
        "const ref = document.getElementById('ref-1');"
        "return !!(ref.compareDocumentPosition(document.activeElement)"
        " & Node.DOCUMENT_POSITION_FOLLOWING);"
    )
    assert after, "Tab after following the marker did not continue from the reference"


@pytest.mark.browser
@needs_chromium
def test_keyboard_searches_and_opens_a_result(driver: Any, server: SiteServer) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    load(driver, server, "index.html")
    assert tab_until(driver, "input.sidebar-search", limit=20)
    ActionChains(driver).send_keys("Suhomlinova", Keys.ENTER).perform()
    wait_for(lambda: search_summary(driver), what="search results")
    assert tab_until(driver, "#kb-search-results a", limit=30)
    target = driver.execute_script("return document.activeElement.href")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait_for(lambda: driver.current_url == target, what="the result to open")
    assert target.endswith(SEED_ESSAY + ".html")
