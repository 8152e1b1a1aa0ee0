"""Whole-site outputs are remade only when a build changed a page (kb.rebuilds).

The site-wide citation files, the feeds and the sitemap are made from
every essay; a rebuild that wrote no page leaves them untouched, and one
that did ends with the same bytes a fresh build makes, even after a build
that stopped half way.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import build, copy_root

#: Outputs made from every essay at the end of the build (web root: with html_baseurl).
SITE_WIDE = ("references.bib", "references.ris", "references.json", "atom.xml",
             "sitemap.xml")


def site_wide(outdir: Path) -> dict[str, bytes]:
    files = {name: (outdir / name).read_bytes() for name in SITE_WIDE}
    for folder in ("themes", "people"):
        files.update({f"{folder}/{p.name}": p.read_bytes()
                      for p in sorted((outdir / folder).glob("*.xml"))})
    return files


def fresh(src: Path, tmp_path: Path) -> dict[str, bytes]:
    copy = tmp_path / "fresh"
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("_build"))
    return site_wide(Path(build(copy, freshenv=True).outdir))


@pytest.fixture
def web_src(tmp_path: Path) -> Path:
    return copy_root("web", tmp_path / "src")


def test_a_build_that_changed_nothing_rewrites_no_site_wide_file(web_src):
    outdir = Path(build(web_src).outdir)
    stamps = {name: (outdir / name).stat().st_mtime_ns for name in SITE_WIDE}
    app = build(web_src)
    assert app.warning.getvalue() == ""
    assert {name: (outdir / name).stat().st_mtime_ns for name in SITE_WIDE} == stamps


def test_after_edits_the_site_wide_files_are_what_a_fresh_build_makes(web_src, tmp_path):
    build(web_src)
    old = web_src / "essays" / "dated-old.md"
    old.write_text(old.read_text(encoding="utf-8") + "\nA sentence added later.\n",
                   encoding="utf-8")
    build(web_src)  # only the essay's text: its page is all that is written
    new = web_src / "essays" / "dated-new.md"
    new.write_text(new.read_text(encoding="utf-8").replace("title: ", "title: Retitled "),
                   encoding="utf-8")
    app = build(web_src)  # a title: the listings are written too
    assert app.warning.getvalue() == ""
    assert site_wide(Path(app.outdir)) == fresh(web_src, tmp_path)


def test_a_build_that_stops_after_writing_pages_leaves_no_record_to_trust(web_src, tmp_path):
    build(web_src)
    (web_src / "failing.py").write_text(
        "def fail(app, exception):\n"
        "    raise KeyboardInterrupt  # as if stopped (Sphinx keeps its environment)\n\n"
        "def setup(app):\n"
        "    app.connect('build-finished', fail, priority=1)\n",
        encoding="utf-8")
    conf = web_src / "conf.py"
    plain_conf = conf.read_text(encoding="utf-8")
    conf.write_text(plain_conf + "\nsys.path.insert(0, str(Path(__file__).parent))\n"
                    "extensions.append('failing')\n", encoding="utf-8")
    essay = web_src / "essays" / "undated.md"
    essay.write_text(essay.read_text(encoding="utf-8").replace("title: ", "title: Renamed "),
                     encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build(web_src)  # pages written, site-wide files not remade
    doctrees = web_src / "_build" / "doctrees"
    records = json.loads((doctrees / "kb-rebuilds.json").read_text(encoding="utf-8"))
    assert all(not depends_on_pages for _, depends_on_pages in records.values())
    assert not (doctrees / "kb-citethis.pickle").exists()
    conf.write_text(plain_conf, encoding="utf-8")
    (web_src / "failing.py").unlink()
    app = build(web_src)  # writes nothing new, but must not trust the old files
    assert "Renamed" in (Path(app.outdir) / "references.bib").read_text(encoding="utf-8")
    assert site_wide(Path(app.outdir)) == fresh(web_src, tmp_path)


def test_a_parallel_rebuild_remakes_the_entries_of_the_pages_it_wrote(web_src, tmp_path):
    build(web_src, parallel=2)
    new = web_src / "essays" / "dated-new.md"
    new.write_text(new.read_text(encoding="utf-8").replace("title: ", "title: Retitled "),
                   encoding="utf-8")
    app = build(web_src, parallel=2)  # pages written in other processes
    assert "Retitled" in (Path(app.outdir) / "references.ris").read_text(encoding="utf-8")
    assert site_wide(Path(app.outdir)) == fresh(web_src, tmp_path)
