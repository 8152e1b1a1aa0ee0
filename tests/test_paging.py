"""Long lists split into parts (issue 19), on real builds of small roots.

``test-paging`` has six essays and six cited works with part sizes of two,
so every kind of split happens: a theme's, a person's and the essays
index's lists by year (2021 needs two pages), the cited works by letter
(A needs two pages; an accented name and a corporate one are filed).
``test-kb`` keeps the default part sizes: nothing of it is split.
"""

from __future__ import annotations

import filecmp
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser import SiteServer, chromium, color_scheme
from bs4 import BeautifulSoup
from test_accessibility import AXE, describe, load, needs_chromium, nu_errors, run_axe
from test_incremental import assert_same

from conftest import build, copy_root

ESSAYS = ["Essay one", "Essay two", "Essay three", "Essay four", "Essay five", "Essay six"]


def soup(outdir: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / page).read_text(encoding="utf-8"), "html.parser")


def listed(outdir: Path, page: str) -> list[str]:
    """Titles of the essays a page lists (or the first link of each work)."""
    return [li.a.get_text(strip=True) for li in soup(outdir, page).select("ul.kb-listing > li")]


def pager(outdir: Path, page: str) -> list[tuple[str, str | None]]:
    """The page's part links: (text, href or None for the current part)."""
    nav = soup(outdir, page).select_one("nav.kb-pager")
    assert nav is not None, page
    return [(li.get_text(strip=True), li.a["href"] if li.a else None)
            for li in nav.select("li")]


def parts_of(outdir: Path, page: str) -> list[str]:
    """Output paths of the parts a listing page links to, in its order."""
    base = Path(page).parent
    return [(base / href).as_posix() for _, href in pager(outdir, page) if href]


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory):
    app = build(copy_root("paging", tmp_path_factory.mktemp("paging") / "src"),
                freshenv=True)
    return app, Path(app.outdir)


def test_the_split_site_builds_without_a_warning(paged):
    app, _ = paged
    assert app.warning.getvalue() == ""


def test_a_short_list_is_whole_with_no_parts(tmp_path):
    app = build(copy_root("kb", tmp_path / "src"), freshenv=True)
    out = Path(app.outdir)
    assert app.warning.getvalue() == ""
    for page in ("essays/index.html", "themes/t1.html", "people/ann.html", "refs.html"):
        assert soup(out, page).select("nav.kb-pager") == [], page
    assert listed(out, "essays/index.html") == ["Gamma essay", "Alpha essay", "Beta essay"]
    assert not any(p.is_dir() for p in (out / "themes").iterdir())


def test_a_long_list_shows_the_latest_essays_then_links_every_year(paged):
    _, out = paged
    assert listed(out, "themes/t1.html") == ["Essay one", "Essay two"]
    assert pager(out, "themes/t1.html") == [
        ("Latest", None), ("2021", "t1/2021.html"), ("2021 (2)", "t1/2021-2.html"),
        ("2020", "t1/2020.html"), ("Undated", "t1/undated.html")]


@pytest.mark.parametrize(("page", "essays"), [
    ("themes/t1.html", ["Essay one", "Essay two", "Essay three", "Essay four", "Essay six"]),
    ("people/ann.html", ["Essay one", "Essay two", "Essay four", "Essay six"]),
    ("essays/index.html", ESSAYS),
])
def test_the_parts_hold_every_essay_once_newest_first_none_over_the_size(
        paged, page, essays):
    _, out = paged
    parts = [listed(out, part) for part in parts_of(out, page)]
    assert [title for part in parts for title in part] == essays
    assert all(1 <= len(part) <= 2 for part in parts)


def test_a_part_is_titled_by_its_year_and_links_back_to_the_list(paged):
    _, out = paged
    page = soup(out, "themes/t1/2021-2.html")
    assert page.h1.get_text(strip=True).startswith("Theme One: 2021 (2 of 2)")
    assert page.title.get_text().startswith("Theme One: 2021 (2 of 2)")
    assert page.select_one(".kb-parts-intro a")["href"] == "../t1.html"
    assert ("2021 (2)", None) in pager(out, "themes/t1/2021-2.html")


def test_a_persons_parts_show_what_they_held_not_their_name(paged):
    _, out = paged
    item = soup(out, "people/ann/2021.html").select_one("ul.kb-listing > li")
    assert "Ann Example" not in item.get_text()


def test_the_references_page_becomes_an_index_of_letters(paged):
    _, out = paged
    assert listed(out, "refs.html") == []
    assert pager(out, "refs.html") == [
        ("A", "refs/a.html"), ("A (2)", "refs/a-2.html"), ("B", "refs/b.html"),
        ("O", "refs/o.html"), ("Other", "refs/other.html")]


def test_every_work_is_in_one_letter_part_with_its_citing_essays(paged):
    _, out = paged
    works = {part: [" ".join(li.get_text().split())
                    for li in soup(out, part).select("ul.kb-works > li")]
             for part in parts_of(out, "refs.html")}
    assert [len(w) for w in works.values()] == [2, 1, 1, 1, 1]
    assert works["refs/o.html"][0].startswith("Özil M.")
    assert works["refs/other.html"][0].startswith("2020 Health.")
    adams = next(w for w in works["refs/a.html"] if w.startswith("Adams"))
    assert adams.endswith("Cited by: Essay one; Essay three; Essay six")
    links = soup(out, "refs/a.html").select("ul.kb-works a")
    assert links[0]["href"] == "../essays/e1.html"


def test_parts_link_to_their_neighbours(paged):
    _, out = paged
    footer = soup(out, "refs/a-2.html").select_one(".related-pages")
    assert footer.select_one("a.next-page")["href"] == "b.html"
    assert footer.select_one("a.prev-page")["href"] == "a.html"
    first = soup(out, "themes/t1/2021.html").select_one(".related-pages")
    assert first.select_one("a.prev-page")["href"] == "../t1.html"


def test_the_sitemap_lists_every_part(paged):
    _, out = paged
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = {loc.text for loc in ET.parse(out / "sitemap.xml").getroot().iter(f"{ns}loc")}
    parts = [p for page in ("refs.html", "themes/t1.html", "essays/index.html")
             for p in parts_of(out, page)]
    assert {f"https://kb.example.org/{p}" for p in parts} <= urls


def test_the_pager_is_a_labelled_navigation_out_of_the_search_index(paged):
    _, out = paged
    nav = soup(out, "themes/t1.html").select_one("nav.kb-pager")
    assert nav["aria-label"] == "Essays by year" and "no-search" in nav["class"]
    assert nav.select_one("[aria-current=page]").get_text() == "Latest"


def test_other_builders_get_whole_lists(tmp_path):
    app = build(copy_root("paging", tmp_path / "src"), "text", freshenv=True)
    text = (Path(app.outdir) / "themes" / "t1.txt").read_text(encoding="utf-8")
    assert all(title in text for title in
               ["Essay one", "Essay two", "Essay three", "Essay four", "Essay six"])
    assert "Özil" in (Path(app.outdir) / "refs.txt").read_text(encoding="utf-8")


def test_dirhtml_parts_are_folders(tmp_path):
    app = build(copy_root("paging", tmp_path / "src"), "dirhtml", freshenv=True)
    out = Path(app.outdir)
    assert app.warning.getvalue() == ""
    assert (out / "themes" / "t1" / "2021-2" / "index.html").is_file()
    assert pager(out, "themes/t1/index.html")[1] == ("2021", "2021/")


def test_a_page_where_a_part_would_go_is_named_once_and_kept(tmp_path):
    src = copy_root("paging", tmp_path / "src")
    (src / "refs").mkdir()
    (src / "refs" / "a.md").write_text("---\norphan: true\n---\n\n# Mine\n\nText.\n")
    app = build(src, freshenv=True)
    warnings = app.warning.getvalue().strip().splitlines()
    assert len(warnings) == 1
    assert "refs.md" in warnings[0] and "rename refs/a.md" in warnings[0]
    assert soup(Path(app.outdir), "refs/a.html").h1.get_text(strip=True).startswith("Mine")


# -- incremental builds -------------------------------------------------------------

def outputs(outdir: Path) -> dict[str, int]:
    """Every page's modification time (ns), by path."""
    return {p.relative_to(outdir).as_posix(): p.stat().st_mtime_ns
            for p in outdir.rglob("*.html") if ".doctrees" not in p.parts}


def test_a_citation_edit_rewrites_only_the_part_holding_the_work(tmp_path):
    src = copy_root("paging", tmp_path / "src")
    out = Path(build(src).outdir)
    before = outputs(out)
    five = src / "essays" / "e5.md"
    five.write_text(five.read_text().replace("{footcite}`ozil`", "{footcite}`ozil,brown`"))
    app = build(src)
    after = outputs(out)
    rewritten = {p for p in after if after[p] != before.get(p)}
    # The essay and the part holding the work it now cites; not the index of
    # works (the same works are cited), nor its theme's or author's lists.
    assert rewritten - {"search.html", "genindex.html"} == {"essays/e5.html", "refs/b.html"}
    assert "Essay five" in soup(out, "refs/b.html").get_text()
    assert app.warning.getvalue() == ""


def test_a_rebuild_with_no_change_writes_no_part(tmp_path):
    src = copy_root("paging", tmp_path / "src")
    out = Path(build(src).outdir)
    before = outputs(out)
    app = build(src)
    assert app.warning.getvalue() == ""
    assert {p for p in before if outputs(out).get(p) != before[p]} <= {
        "search.html", "genindex.html"}


def test_a_text_edit_rewrites_the_essay_and_no_part(tmp_path):
    src = copy_root("paging", tmp_path / "src")
    out = Path(build(src).outdir)
    before = outputs(out)
    five = src / "essays" / "e5.md"
    five.write_text(five.read_text() + "\nOne more sentence.\n")
    app = build(src)
    assert app.warning.getvalue() == ""
    rewritten = {p for p in before if outputs(out).get(p) != before[p]}
    assert rewritten - {"search.html", "genindex.html"} == {"essays/e5.html"}
    assert "One more sentence." in (out / "essays/e5.html").read_text()


def test_a_new_essay_rewrites_the_parts_of_its_year_not_every_part(tmp_path):
    src = copy_root("paging", tmp_path / "src")
    out = Path(build(src).outdir)
    before = outputs(out)
    (src / "essays" / "e7.md").write_text(
        "---\ntitle: Essay seven\ndate: 2021-01-01\nauthors:\n  - id: ann\n"
        "themes: [t1]\n---\n\n## Body\n\nEssay seven.\n", encoding="utf-8")
    app = build(src)
    assert app.warning.getvalue() == ""
    rewritten = {p for p in before if outputs(out).get(p) != before[p]}
    # In the lists whose 2021 keeps its two pages (of two essays), only the
    # page it joins; no part of another year (essay parts show no total).
    # Ann's 2021 gains a second page, so her list's navigation changes.
    for listing in ("essays/index/", "themes/t1/"):
        assert {p for p in rewritten if p.startswith(listing)} == {f"{listing}2021-2.html"}
    assert "Essay seven" in soup(out, "essays/index/2021-2.html").get_text()


def test_a_part_deleted_by_hand_is_written_again_by_the_next_build(tmp_path):
    src = copy_root("paging", tmp_path / "src")
    out = Path(build(src).outdir)
    expected = (out / "refs/b.html").read_bytes()
    (out / "refs/b.html").unlink()
    app = build(src)
    assert app.warning.getvalue() == ""
    assert (out / "refs/b.html").read_bytes() == expected


def test_citing_a_work_no_essay_cited_rewrites_the_index_of_works(tmp_path):
    src = copy_root("paging", tmp_path / "src")
    bib = src / "refs.bib"
    bib.write_text(bib.read_text() + "@book{cole, author = {Cole, Cy}, title = {C},"
                   " publisher = {P}, year = {2000}}\n")
    out = Path(build(src).outdir)
    five = src / "essays" / "e5.md"
    five.write_text(five.read_text().replace("{footcite}`ozil`", "{footcite}`ozil,cole`"))
    app = build(src)
    assert app.warning.getvalue() == ""
    assert "7 works" in soup(out, "refs.html").get_text()
    assert ("C", "refs/c.html") in pager(out, "refs.html")
    assert "Essay five" in soup(out, "refs/c.html").get_text()


def test_removed_essays_take_their_parts_with_them(tmp_path):
    src = copy_root("paging", tmp_path / "src")
    out = Path(build(src).outdir)
    assert (out / "themes/t1/undated.html").is_file()
    (src / "essays" / "e6.md").unlink()
    app = build(src)
    assert app.warning.getvalue() == ""
    for gone in ("themes/t1/undated.html", "essays/index/undated.html",
                 "people/ann/undated.html", "refs/other.html"):
        assert not (out / gone).exists(), gone
        kept = Path(app.doctreedir, "kb-part-items", gone).with_suffix(".json")
        assert not kept.exists(), kept  # nor its items' HTML, kept for rewrites
    assert ("Undated", "t1/undated.html") not in pager(out, "themes/t1.html")


def test_incremental_build_equals_a_fresh_one(tmp_path):
    src = copy_root("paging", tmp_path / "a")
    build(src)
    edits = {"e2.md": ("2021-05-01", "2019-05-01"), "e5.md": ("[t2]", "[t1]")}
    for name, (old, new) in edits.items():
        path = src / "essays" / name
        path.write_text(path.read_text().replace(old, new))
    incremental = build(src)
    fresh_src = copy_root("paging", tmp_path / "b")
    for name, (old, new) in edits.items():
        path = fresh_src / "essays" / name
        path.write_text(path.read_text().replace(old, new))
    fresh = build(fresh_src, freshenv=True)
    assert (Path(fresh.outdir) / "themes/t1/2019.html").is_file()
    assert_same(filecmp.dircmp(incremental.outdir, fresh.outdir,
                               ignore=[".doctrees", ".buildinfo"]))


def test_parallel_build_equals_serial_build(tmp_path):
    serial = build(copy_root("paging", tmp_path / "a"), freshenv=True)
    parallel = build(copy_root("paging", tmp_path / "b"), freshenv=True, parallel=2)
    assert_same(filecmp.dircmp(serial.outdir, parallel.outdir,
                               ignore=[".doctrees", ".buildinfo"]))


# -- readers: accessible, valid, usable on a phone -------------------------------------

@pytest.fixture(scope="module")
def driver():
    with chromium() as drv:
        drv.set_script_timeout(60)
        yield drv


PART_PAGES = ["themes/t1.html", "themes/t1/2021-2.html", "refs.html", "refs/a-2.html",
              "people/ann/undated.html", "essays/index/2020.html"]


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_split_lists_have_no_wcag_violations(paged, driver, scheme):
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE}")
    _, out = paged
    source = AXE.read_text(encoding="utf-8")
    color_scheme(driver, scheme)
    problems: list[str] = []
    with SiteServer(out, prefix="/kb/") as server:
        for page in PART_PAGES:
            load(driver, server, page)
            problems += [describe(page, v) for v in run_axe(driver, source)["violations"]]
    assert not problems, "\n".join(problems)


@pytest.mark.browser
@needs_chromium
def test_the_pager_fits_a_phone_and_its_links_are_big_enough_to_tap(paged, driver):
    _, out = paged
    driver.set_window_size(360, 740)
    try:
        with SiteServer(out, prefix="/kb/") as server:
            load(driver, server, "refs/a-2.html")
            width = driver.execute_script("return document.documentElement.scrollWidth")
            sizes = driver.execute_script(
                "return [...document.querySelectorAll('.kb-pager a, .kb-pager span')]"
                ".map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])")
    finally:
        driver.set_window_size(1280, 900)
    assert width <= 360
    assert sizes and all(w >= 24 and h >= 24 for w, h in sizes)  # WCAG 2.5.8


def test_split_lists_are_valid_html(paged):
    _, out = paged
    errors, status = nu_errors(str(out / page) for page in PART_PAGES)
    assert not errors, errors
    assert status == 0
