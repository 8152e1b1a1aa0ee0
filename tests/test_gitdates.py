"""'Last updated' from git (issue 16): the last commit touching the essay file.

A real git repository with commits at fixed times (GIT_*_DATE), built for
real: the date is the commit's, not the clock's, and there is none outside
a checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import build, copy_root

pytestmark = pytest.mark.skipif(shutil.which("git") is None,
                                reason="needs git: apt-get install git")


def git(src: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    subprocess.run(["git", *args], cwd=src, env=env, check=True, capture_output=True)


def byline(app, docname: str) -> str:
    html = (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")
    return " ".join(BeautifulSoup(html, "html.parser").select_one(".kb-meta").get_text().split())


def modified(app, docname: str) -> str | None:
    html = (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")
    tag = BeautifulSoup(html, "html.parser").find("script", type="application/ld+json")
    return json.loads(tag.string).get("dateModified")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    src = copy_root("scholar", tmp_path / "src")
    (src / ".gitignore").write_text("_build/\n", encoding="utf-8")
    git(src, "init", "-q")
    git(src, "add", ".")
    git(src, "commit", "-q", "-m", "first", when="2021-03-04T10:00:00Z")
    return src


def test_last_updated_is_the_last_commit_and_differs_from_publication(repo):
    app = build(repo, freshenv=True)
    assert app.warning.getvalue() == ""
    assert "Last updated: 4 March 2021" in byline(app, "essays/dated-new")
    assert modified(app, "essays/dated-new") == "2021-03-04T10:00:00Z"


def test_not_shown_when_it_is_the_publication_date(repo):
    essay = repo / "essays/dated-new.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "same day", when="2020-02-01T15:00:00Z")
    app = build(repo, freshenv=True)
    assert "Last updated" not in byline(app, "essays/dated-new")
    assert "Last updated: 4 March 2021" in byline(app, "essays/dated-old")


def test_a_commit_updates_the_page_without_a_change_to_its_text(repo, tmp_path):
    essay = repo / "essays/dated-old.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    out = tmp_path / "out"
    first = build(repo, freshenv=True, builddir=out)  # uncommitted: the earlier commit
    assert "Last updated: 4 March 2021" in byline(first, "essays/dated-old")
    git(repo, "commit", "-q", "-am", "edit", when="2022-05-06T07:08:09Z")
    again = build(repo, builddir=out)
    assert "Last updated: 6 May 2022" in byline(again, "essays/dated-old")
    assert modified(again, "essays/dated-old") == "2022-05-06T07:08:09Z"
    assert "Last updated: 4 March 2021" in byline(again, "essays/dated-new")


def test_reproducible_whatever_the_clock_and_file_times(repo, tmp_path):
    first = build(repo, freshenv=True, builddir=tmp_path / "a")
    os.utime(repo / "essays/dated-new.md", (2_000_000_000, 2_000_000_000))
    second = build(repo, freshenv=True, builddir=tmp_path / "b")
    assert byline(first, "essays/dated-new") == byline(second, "essays/dated-new")


def test_absent_outside_a_git_checkout(tmp_path):
    app = build(copy_root("scholar", tmp_path / "src"), freshenv=True)
    assert "Last updated" not in byline(app, "essays/dated-new")
    assert modified(app, "essays/dated-new") == "2020-02-01"


def test_absent_in_a_shallow_clone(repo, tmp_path):
    """A clone with its history cut would date every essay by its one commit."""
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    app = build(shallow, freshenv=True)
    assert "Last updated" not in byline(app, "essays/dated-new")
