"""Page templates are compiled once and kept beside the doctrees (kb.templatecache).

The rules: a build keeps each template it compiled in the cache folder; the
next build loads them instead of compiling again (Jinja writes a template's
file only when it compiled it); a changed template is compiled again and
its new text is on the pages; a damaged cache file is compiled again; the
pages are the same with or without the cache.
"""

from __future__ import annotations

from pathlib import Path

from conftest import build, copy_root
from kb.templatecache import FOLDER

PAGE = """{% extends "!page.html" %}
{%- block extrahead -%}{{ super() }}<meta name="kb-test" content="MARK">{%- endblock -%}
"""


def cache_files(app) -> dict[str, int]:
    folder = Path(app.doctreedir, FOLDER)
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}


def with_template(tmp_path: Path, mark: str) -> Path:
    src = copy_root("kb", tmp_path / "src")
    (src / "_templates").mkdir()
    (src / "_templates" / "page.html").write_text(PAGE.replace("MARK", mark), encoding="utf-8")
    return src


def touch_essay(src: Path) -> None:
    path = src / "essays" / "alpha.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                    encoding="utf-8")


def test_compiled_templates_are_kept_and_loaded_by_the_next_build(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    app = build(src, freshenv=True)
    kept = cache_files(app)
    assert kept, "no compiled template kept"
    touch_essay(src)
    app = build(src)
    assert cache_files(app) == kept  # loaded, none compiled and written again
    assert "One more sentence." in Path(app.outdir, "essays", "alpha.html").read_text(
        encoding="utf-8")


def test_a_changed_template_is_compiled_again(tmp_path):
    src = with_template(tmp_path, "first")
    overrides = {"templates_path": ["_templates"]}
    app = build(src, freshenv=True, confoverrides=overrides)
    page = Path(app.outdir, "essays", "alpha.html")
    assert '<meta name="kb-test" content="first">' in page.read_text(encoding="utf-8")
    (src / "_templates" / "page.html").write_text(PAGE.replace("MARK", "second"),
                                                 encoding="utf-8")
    build(src, confoverrides=overrides)
    text = page.read_text(encoding="utf-8")
    assert '<meta name="kb-test" content="second">' in text
    assert "content=\"first\"" not in text


def test_a_damaged_cache_file_is_compiled_again(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    app = build(src, freshenv=True)
    page = Path(app.outdir, "essays", "alpha.html")
    expected = page.read_text(encoding="utf-8")
    for name in cache_files(app):
        Path(app.doctreedir, FOLDER, name).write_bytes(b"damaged")
    page.unlink()
    app = build(src)
    assert page.read_text(encoding="utf-8") == expected
    assert all(Path(app.doctreedir, FOLDER, name).read_bytes() != b"damaged"
               for name in cache_files(app))


def test_pages_are_the_same_with_or_without_the_cache(tmp_path):
    cached = build(copy_root("kb", tmp_path / "a"), freshenv=True)
    src = copy_root("kb", tmp_path / "b")
    uncached = build(src, freshenv=True)
    for name in cache_files(uncached):
        Path(uncached.doctreedir, FOLDER, name).unlink()
    touch_essay(src)
    touch_essay(tmp_path / "a")
    cached = build(tmp_path / "a")
    uncached = build(src)
    for page in ("index.html", "essays/alpha.html"):
        assert Path(cached.outdir, page).read_text(encoding="utf-8") == \
            Path(uncached.outdir, page).read_text(encoding="utf-8")
