"""Phones: the site at 390x844 CSS px (a current iPhone) in headless Chromium.

Chromium emulates a mobile viewport (the page's meta viewport is honoured,
3 device pixels per CSS pixel). The essay page must not scroll sideways,
its author block and references must be at a readable size, and the
keyboard alone must reach everything, including furo's navigation drawer.
Screenshots go to the test's tmp dir and /tmp/kb-phone*.png for a person
to look at.
"""

from __future__ import annotations

import base64
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from browser import SiteServer, chromium, chromium_missing, html_pages, wait_for

from conftest import REPO, SEED_ESSAY

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing())),
]

WIDTH, HEIGHT = 390, 844
#: The smallest text we accept in the author block and the references.
MIN_FONT_PX = 14.0
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def phone() -> Any:
    with chromium(WIDTH, HEIGHT, mobile=True, scale=3) as drv:
        drv.set_script_timeout(60)
        yield drv


def load(driver: Any, server: SiteServer, page: str) -> None:
    driver.get(server.url + page)
    wait_for(lambda: driver.execute_script("return document.readyState") == "complete",
             what=f"{page} to load")


def overflow(driver: Any) -> dict[str, Any]:
    return driver.execute_script(
        "const s = document.scrollingElement;"
        "return {scroll: s.scrollWidth, client: s.clientWidth, inner: window.innerWidth};"
    )


def screenshot(driver: Any, path: Path) -> None:
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    path.write_bytes(base64.b64decode(shot["data"]))


def test_essay_fits_the_phone_and_reads_well(
    phone: Any, server: SiteServer, tmp_path: Path,
) -> None:
    load(phone, server, SEED_ESSAY + ".html")
    size = overflow(phone)
    assert size["inner"] == WIDTH, size  # the mobile viewport is in effect
    assert size["scroll"] <= size["client"], f"scrolls sideways: {size}"
    sizes = phone.execute_script(
        "return [...document.querySelectorAll("
        "'.kb-byline p, .kb-byline a, ol.kb-references > li, ol.kb-references p')]"
        ".map(e => [e.className || e.tagName, parseFloat(getComputedStyle(e).fontSize),"
        " e.getBoundingClientRect().right]);"
    )
    assert len(sizes) >= 12 + 2, sizes  # 12 references, author line, meta line
    small = [s for s in sizes if s[1] < MIN_FONT_PX]
    assert not small, f"text smaller than {MIN_FONT_PX}px: {small}"
    cut = [s for s in sizes if s[2] > WIDTH]
    assert not cut, f"text running off the right edge: {cut}"

    top = tmp_path / "kb-phone.png"
    screenshot(phone, top)
    phone.execute_script("document.querySelector('.kb-references-title, ol.kb-references')"
                         ".scrollIntoView({block: 'start', behavior: 'instant'});"
                         "window.scrollBy({top: -80, behavior: 'instant'});")
    wait_for(lambda: phone.execute_script(
        "return document.querySelector('ol.kb-references').getBoundingClientRect().top"
        " < window.innerHeight / 2;"), what="the references to scroll into view")
    refs = tmp_path / "kb-phone-references.png"
    screenshot(phone, refs)
    for shot in (top, refs):
        assert shot.read_bytes().startswith(b"\x89PNG")
        shutil.copyfile(shot, Path("/tmp") / shot.name)


def test_no_page_scrolls_sideways_on_the_phone(
    phone: Any, server: SiteServer, site: Path,
) -> None:
    wide = []
    for page in [*html_pages(site), "search.html?q=leadership"]:
        load(phone, server, page)
        size = overflow(phone)
        if size["scroll"] > size["client"]:
            wide.append(f"{page}: {size}")
    assert not wide, "\n".join(wide)


VISIBLE_FOCUS = """
const e = document.activeElement;
if (!e || e === document.body) return 'body';
if (e.classList.contains('sidebar-toggle')) {
  // Furo's drawer checkboxes: their icon in the header shows the focus.
  const icon = e.id === '__navigation' ? '.nav-overlay-icon' : '.toc-header-icon';
  const style = getComputedStyle(document.querySelector(icon));
  return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 ? 'ok'
    : e.id + ': no visible focus on its icon';
}
const r = e.getBoundingClientRect();
const style = getComputedStyle(e);
// 1px of slack: boxes sit at fractional positions, scrolling moves by whole pixels.
const seen = r.width > 0 && r.height > 0 && r.left >= -1 && r.right <= window.innerWidth + 1
  && r.top >= -1 && r.bottom <= window.innerHeight + 1 && style.visibility === 'visible';
return seen ? 'ok' : (e.outerHTML.slice(0, 120) + ' at ' + JSON.stringify(r));
"""


def test_keyboard_alone_on_the_phone(phone: Any, server: SiteServer) -> None:
    """Every Tab stop is on screen; the navigation drawer opens with Space."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    load(phone, server, SEED_ESSAY + ".html")
    hidden, stops = [], []
    for _ in range(120):
        ActionChains(phone).send_keys(Keys.TAB).perform()
        state = _settle(phone)  # furo's skip link slides in: give it a moment
        if state == "body":
            break
        stops.append(phone.execute_script(
            "return document.activeElement.id || document.activeElement.textContent.trim();"))
        if state != "ok":
            hidden.append(state)
    assert "__navigation" in stops and "Graeme Currie" in stops, stops
    assert not hidden, "focus went out of sight:\n" + "\n".join(hidden)

    load(phone, server, SEED_ESSAY + ".html")
    for _ in range(5):
        ActionChains(phone).send_keys(Keys.TAB).perform()
        if phone.execute_script("return document.activeElement.id") == "__navigation":
            break
    ActionChains(phone).send_keys(Keys.SPACE).perform()
    wait_for(lambda: phone.execute_script(
        "return document.querySelector('.sidebar-drawer').getBoundingClientRect().left") == 0,
        what="the navigation drawer to open")
    for _ in range(30):
        ActionChains(phone).send_keys(Keys.TAB).perform()
        if phone.execute_script(
            "return !!document.activeElement.closest('.sidebar-drawer .sidebar-tree');"
        ):
            break
    else:
        pytest.fail("Tab never reached the navigation links in the open drawer")
    assert _settle(phone) == "ok"


def _settle(driver: Any, timeout: float = 3.0) -> str:
    """The focus check, retried briefly while transitions run."""
    deadline = time.monotonic() + timeout
    while True:
        state = driver.execute_script(VISIBLE_FOCUS)
        if state in ("ok", "body") or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def test_axe_at_phone_size(phone: Any, server: SiteServer, site: Path) -> None:
    """The narrow layout (furo's header, drawers) meets WCAG 2.2 AA too."""
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE}: run 'npm ci' at the repository root")
    source = AXE.read_text(encoding="utf-8")
    problems = []
    for page in html_pages(site):
        load(phone, server, page)
        phone.execute_script(source)
        result = phone.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values:"
            " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
            ".then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' -- '"
            " + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join('; '))));"
        )
        problems += [f"{page}: {v}" for v in result]
    assert not problems, "\n".join(problems)
