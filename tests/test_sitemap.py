"""``sitemap.xml`` (issue 6): every page, absolute, complete after any build.

The cases sphinx-sitemap gets wrong (its issue #13) are tested here on
purpose: an incremental build and a parallel one.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import SEED_ESSAY, build, copy_root
from conftest import WEB_BASE as BASE

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
WEB_PAGES = sorted(
    BASE + page for page in [
        "index.html", "essays/index.html", "essays/dated-new.html", "essays/dated-old.html",
        "essays/undated.html", "essays/hostile.html", "people/index.html",
        "people/alice-smith.html", "people/jean-paul-van-der-berg.html",
        "people/zoe-obrien.html", "themes/index.html", "themes/alpha.html",
        "themes/beta.html",
    ]
)


def locations(outdir: Path | str) -> list[str]:
    root = ET.parse(Path(outdir) / "sitemap.xml").getroot()
    assert root.tag == f"{NS}urlset"
    return [url.findtext(f"{NS}loc") for url in root.iter(f"{NS}url")]


def test_lists_every_page_once_sorted(web):
    assert web.warning.getvalue() == ""
    assert locations(web.outdir) == WEB_PAGES


def test_every_address_is_a_written_page(web):
    for loc in locations(web.outdir):
        assert (Path(web.outdir) / loc.removeprefix(BASE)).is_file(), loc


def test_complete_after_an_incremental_build(tmp_path):
    src = copy_root("web", tmp_path / "src")
    build(src, freshenv=True)
    essay = src / "essays" / "dated-old.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nOne more line.\n",
                     encoding="utf-8")
    app = build(src)  # writes only the changed essay and the listing pages
    assert locations(app.outdir) == WEB_PAGES


def test_complete_after_an_essay_is_added_or_removed(tmp_path):
    src = copy_root("web", tmp_path / "src")
    build(src, freshenv=True)
    build(src)  # no change: the sitemap is kept as it is
    essay = src / "essays" / "dated-old.md"
    (src / "essays" / "copy.md").write_text(essay.read_text(encoding="utf-8")
                                            .replace("An Older", "A Copied"), encoding="utf-8")
    app = build(src)
    assert app.warning.getvalue() == ""
    assert locations(app.outdir) == sorted([*WEB_PAGES, BASE + "essays/copy.html"])
    (src / "essays" / "copy.md").unlink()
    assert locations(build(src).outdir) == WEB_PAGES


def test_same_bytes_from_a_parallel_build(web, tmp_path):
    app = build(copy_root("web", tmp_path / "src"), freshenv=True, parallel=2)
    assert (Path(app.outdir) / "sitemap.xml").read_bytes() == \
        (Path(web.outdir) / "sitemap.xml").read_bytes()


def test_dirhtml_addresses_are_folders(tmp_path):
    app = build(copy_root("web", tmp_path / "src"), "dirhtml", freshenv=True)
    found = locations(app.outdir)
    assert BASE + "essays/dated-new/" in found and BASE in found
    for loc in found:
        assert (Path(app.outdir) / loc.removeprefix(BASE) / "index.html").is_file(), loc


def test_no_base_url_no_sitemap(tmp_path):
    app = build(copy_root("web", tmp_path / "src"), freshenv=True,
                confoverrides={"html_baseurl": ""})
    assert app.warning.getvalue() == ""
    assert not (Path(app.outdir) / "sitemap.xml").exists()


def test_real_site(site_html):
    outdir, _warnings = site_html
    base = os.environ.get("KB_BASE_URL", "https://example.org/kb/")
    base = base if base.endswith("/") else base + "/"
    found = locations(outdir)
    assert f"{base}{SEED_ESSAY}.html" in found
    assert f"{base}writing.html" in found
    written = sorted(
        base + p.relative_to(outdir).as_posix() for p in Path(outdir).rglob("*.html")
        if p.name not in ("genindex.html", "search.html")
        and not p.relative_to(outdir).parts[0].startswith(("_", "pagefind"))
    )
    assert found == written
