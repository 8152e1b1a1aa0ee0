"""Which sources changed, answered as Sphinx answers it (kb.fastscan).

The rules: after any change to the sources, doctrees, pages or
dependencies, the environment's added, changed and removed documents and
the builder's outdated pages are exactly those of Sphinx's own methods on
the same files; the environment still pickles as Sphinx's class.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment
from sphinx.project import Project
from sphinx.testing.util import SphinxTestApp

from conftest import build, copy_root
from kb._compat import ENV_PICKLE_FILENAME
from kb.fastscan import ScanningEnvironment, ScanningHTMLBuilder

ESSAY = "---\ntitle: {title}\ndate: 2021-01-01\nauthors:\n  - id: ann\nthemes: [t1]\n---\n\nText.\n"


def later(path: Path, seconds: int = 3600) -> None:
    """Make ``path`` look written ``seconds`` after now (not after its own
    time: the test root's files keep the repository's times when copied)."""
    when = time.time() + seconds
    os.utime(path, (when, when))


def earlier(path: Path, seconds: int = 3600) -> None:
    when = path.stat().st_mtime - seconds
    os.utime(path, (when, when))


def answers(src: Path) -> tuple[object, object]:
    """(ours, Sphinx's): outdated files and outdated pages of a new app."""
    app = SphinxTestApp("html", srcdir=src)
    try:
        assert type(app.env) is ScanningEnvironment
        assert type(app.builder) is ScanningHTMLBuilder
        app.env.find_files(app.config, app.builder)
        ours = (app.env.get_outdated_files(False), sorted(app.builder.get_outdated_docs()))
        theirs = (BuildEnvironment.get_outdated_files(app.env, False),
                  sorted(StandaloneHTMLBuilder.get_outdated_docs(app.builder)))
        return ours, theirs
    finally:
        app.cleanup()


def new_essay(src: Path) -> None:
    (src / "essays" / "delta.md").write_text(ESSAY.format(title="Delta"), encoding="utf-8")


def with_dependency(src: Path, out: Path, doctrees: Path) -> None:
    """A dependency of one essay, newer than when the essay was read."""
    pickled = doctrees / ENV_PICKLE_FILENAME
    env = pickle.loads(pickled.read_bytes())
    (src / "extra.txt").write_text("x", encoding="utf-8")
    env.dependencies["essays/beta"] = {src / "extra.txt"}
    env.dependencies["essays/gamma"] = {src / "missing.txt"}
    pickled.write_bytes(pickle.dumps(env, pickle.HIGHEST_PROTOCOL))
    later(src / "extra.txt")


CHANGES: dict[str, Callable[[Path, Path, Path], object]] = {
    "nothing": lambda src, out, doctrees: None,
    "a source edited": lambda src, out, doctrees: later(src / "essays" / "alpha.md"),
    "a doctree lost": lambda src, out, doctrees: (doctrees / "essays" / "beta.doctree").unlink(),
    "a page lost": lambda src, out, doctrees: (out / "essays" / "gamma.html").unlink(),
    "a page older than its source": lambda src, out, doctrees: earlier(out / "index.html"),
    "a document added": lambda src, out, doctrees: new_essay(src),
    "a document removed": lambda src, out, doctrees: (src / "essays" / "gamma.md").unlink(),
    "dependencies newer or missing": with_dependency,
    "a template newer than the build": lambda src, out, doctrees: earlier(
        out / ".buildinfo", 10 * 365 * 86400),
    "build info changed": lambda src, out, doctrees: (out / ".buildinfo").write_text(
        "# Sphinx build info version 1\nconfig: 0\ntags: 0\n", encoding="utf-8"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_outdated_documents_and_pages_are_sphinx_s(tmp_path, change):
    src = copy_root("kb", tmp_path / "src")
    app = build(src, freshenv=True)
    assert app.warning.getvalue() == ""
    CHANGES[change](src, Path(app.outdir), Path(app.doctreedir))
    ours, theirs = answers(src)
    assert ours == theirs


def test_a_source_edit_is_found_and_nothing_else(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src, freshenv=True)
    later(src / "essays" / "alpha.md")
    (added, changed, removed), pages = answers(src)[0]
    assert (added, changed, removed) == (set(), {"essays/alpha"}, set())
    assert pages == ["essays/alpha"]


def test_sources_are_timed_once_when_the_build_starts_and_a_later_edit_is_the_next_s(
        tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src, freshenv=True)
    app = SphinxTestApp("html", srcdir=src)  # started: kb.uptodate timed every source
    try:
        later(src / "essays" / "alpha.md")
        app.env.find_files(app.config, app.builder)
        assert sorted(app.builder.get_outdated_docs()) == []
    finally:
        app.cleanup()
    (added, changed, removed), pages = answers(src)[0]
    assert changed == {"essays/alpha"} and pages == ["essays/alpha"]


def test_the_environment_is_pickled_as_sphinx_s_own_class(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    app = build(src, freshenv=True)
    assert type(app.env) is ScanningEnvironment
    with open(Path(app.doctreedir) / ENV_PICKLE_FILENAME, "rb") as file:
        assert type(pickle.load(file)) is BuildEnvironment


def project_answers(project, files) -> tuple[set[str], dict[str, object], dict[str, object]]:
    """What a project tells Sphinx: its documents, each file's document
    name (absolute or relative path) and each document's source path."""
    root = Path(project.srcdir)
    names = {f"{kind}:{name}": project.path2doc(root / name if kind == "abs" else name)
             for name in files for kind in ("abs", "rel")}
    paths = {f"{absolute}:{docname}": str(project.doc2path(docname, absolute))
             for docname in sorted(project.docnames) for absolute in (True, False)}
    return set(project.docnames), names, paths


def sphinx_project(src: Path, suffixes=(".md",), exclude=(), include=("**",)) -> Project:
    project = Project(src, suffixes)
    project.discover(list(exclude), include)
    return project


def test_the_project_is_pickled_with_string_paths_and_found_again(tmp_path):
    """Unpickling a ``Path`` is slow; the saved project holds strings, and
    gives Sphinx's answers before and after the next build discovers again."""
    src = copy_root("kb", tmp_path / "src")
    app = build(src, freshenv=True)
    files = sorted(p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file())
    expected = project_answers(sphinx_project(src, app.env.project.source_suffix,
                                      app.config.exclude_patterns), files)
    with open(Path(app.doctreedir) / ENV_PICKLE_FILENAME, "rb") as file:
        project = pickle.load(file).project
    assert type(project) is Project and project._path_to_docname == {}
    assert all(type(path) is str for path in project._docname_to_path.values())
    assert project_answers(project, files) == expected
    later(src / "essays" / "alpha.md")
    again = build(src)
    assert project_answers(again.env.project, files) == expected
    assert "essays/alpha" in again.env.all_docs


@pytest.mark.parametrize("include", [("**",), ("essays/**", "index.md", "sub/**")])
def test_discovered_documents_are_sphinx_s(tmp_path, include):
    import unicodedata

    from sphinx.project import Project

    from kb.fastscan import ScanningProject

    src = copy_root("kb", tmp_path / "src")
    files = ["notes.txt", "sub/deeper/page.md", "sub/skipped/page.md", "_sources/x.md",
             ".#lock.md", "sub/.#lock.md", unicodedata.normalize("NFD", "sub/café.md"),
             "_build/y.md", "dup.md", "dup.rst", "sub/page.rst"]
    for name in files:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text("# Page\n", encoding="utf-8")
    exclude = ["_build", "sub/skipped", "README.md", "*.txt"]
    every_file = sorted(p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file())
    found = []
    for cls in (Project, ScanningProject):
        project = cls(src, (".md", ".rst"))
        docnames = set(project.discover(exclude, include))
        assert docnames == project.docnames
        found.append(project_answers(project, every_file))
    assert found[0] == found[1]
    assert "sub/deeper/page" in found[1][0]
    assert not {"sub/skipped/page", "_build/y", ".#lock", "sub/.#lock"} & found[1][0]


#: Glob patterns of the kinds conf.py and Sphinx use, and paths to try them on.
PATTERNS = ["_build", "**/_sources", ".#*", "**/.#*", "*.lproj/**", "sub/skipped", "*.txt",
            "README.md", "essays/**", "[!a]*.md", "[ab]?.md", "x[", "a/*/c", "**"]
PATHS = st.text(alphabet="ab/.#*_[]!?xc-é", max_size=14)


@settings(max_examples=400, deadline=None)
@given(patterns=st.lists(st.sampled_from(PATTERNS), max_size=6, unique=True), path=PATHS)
def test_one_matcher_matches_a_path_exactly_when_any_pattern_does(patterns, path):
    from sphinx.util.matching import compile_matchers

    from kb.fastscan import any_matcher

    assert bool(any_matcher(patterns)(path)) == any(m(path) for m in compile_matchers(patterns))
