"""``make new-essay`` / ``tools/new_essay.py`` (issue 6).

The tool writes into a fresh copy of the real site, which is then built
with Sphinx: the skeleton must build without a single warning and appear
where essays appear.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO, build

TOOL = REPO / "tools" / "new_essay.py"
NO_PAGEFIND = {"kb_pagefind": False}  # the search index is not under test here


def run(root: Path, *args: str, answers: str | None = None) -> subprocess.CompletedProcess:
    """The tool as staff run it; no answers means nobody at the keyboard."""
    return subprocess.run(
        [sys.executable, str(TOOL), "--root", str(root), *args],
        input=answers if answers is not None else "", capture_output=True, text=True,
        timeout=60, check=False,
    )


def page_title(outdir: Path, docname: str) -> str:
    """The essay's title exactly as staff wrote it (Scholar's tag keeps it verbatim)."""
    html = (outdir / f"{docname}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").find("meta", attrs={
        "name": "citation_title"})["content"]


def essays_listed(outdir: Path, docname: str) -> list[str]:
    html = (outdir / f"{docname}.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    return [li.find("a").get_text() for li in soup.select("ul.kb-essays > li")]


def test_skeleton_builds_cleanly_and_is_listed(site_copy):
    root = site_copy()
    result = run(root, "--title", "A Test Essay: Skeleton #1", "--author", "graeme-currie",
                 "--theme", "ios")
    assert result.returncode == 0, result.stderr
    assert "essays/a-test-essay-skeleton-1.md" in result.stdout
    assert "make serve" in result.stdout
    app = build(root, freshenv=True, confoverrides=NO_PAGEFIND)
    assert app.warning.getvalue() == ""
    outdir = Path(app.outdir)
    page = BeautifulSoup((outdir / "essays/a-test-essay-skeleton-1.html").read_text(
        encoding="utf-8"), "html.parser")
    assert page_title(outdir, "essays/a-test-essay-skeleton-1") == "A Test Essay: Skeleton #1"
    assert "Graeme Currie" in page.select_one(".kb-byline").get_text()
    assert "A Test Essay: Skeleton #1" in essays_listed(outdir, "themes/ios")
    assert "A Test Essay: Skeleton #1" in essays_listed(outdir, "people/graeme-currie")
    # Never a date unless one was given.
    text = (root / "essays/a-test-essay-skeleton-1.md").read_text(encoding="utf-8")
    assert "\ndate:" not in text
    assert page.select_one(".kb-byline time") is None


def test_date_and_several_authors_and_themes(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(REPO / "tests" / "roots" / "test-web", root)
    result = run(root, "--title", "Two Authors", "--slug", "two-authors", "--author",
                 "alice-smith, zoe-obrien", "--theme", "alpha,beta", "--date", "2021-03-04")
    assert result.returncode == 0, result.stderr
    app = build(root, freshenv=True)
    assert app.warning.getvalue() == ""
    outdir = Path(app.outdir)
    byline = BeautifulSoup((outdir / "essays/two-authors.html").read_text(encoding="utf-8"),
                           "html.parser").select_one(".kb-byline")
    assert byline.find("time")["datetime"] == "2021-03-04"
    assert [a.get_text() for a in byline.select(".kb-author a")] == ["Alice Smith",
                                                                     "Zoë O'Brien"]
    assert "Two Authors" in essays_listed(outdir, "themes/beta")
    assert essays_listed(outdir, "essays/index")[0] == "Two Authors"  # the newest


@pytest.mark.parametrize(("args", "message"), [
    (["--author", "graeme-curie", "--theme", "ios"],
     "unknown person 'graeme-curie': did you mean 'graeme-currie'?"),
    (["--author", "graeme-currie", "--theme", "iso"],
     "unknown theme 'iso': did you mean 'ios'?"),
    (["--author", "graeme-currie", "--theme", "ios", "--slug", "Not A Slug"],
     "the slug 'Not A Slug' is not usable"),
    (["--author", "graeme-currie", "--theme", "ios", "--date", "2019-31-05"],
     "the date '2019-31-05' is not a real date"),
    (["--author", "graeme-currie", "--theme", "ios", "--slug",
      "can-clahrc-wm-enact-distributed-leadership"],
     "essays/can-clahrc-wm-enact-distributed-leadership.md already exists"),
])
def test_refuses_with_a_reason_and_writes_nothing(site_copy, args, message):
    root = site_copy()
    before = sorted((root / "essays").iterdir())
    result = run(root, "--title", "Some New Essay", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert sorted((root / "essays").iterdir()) == before


def test_refuses_a_title_already_used(site_copy):
    root = site_copy()
    result = run(root, "--title", "can clahrc wm enact  distributed leadership",
                 "--slug", "other", "--author", "graeme-currie", "--theme", "ios")
    assert result.returncode == 2
    assert "already used by essays/can-clahrc-wm-enact-distributed-leadership.md" \
        in result.stderr


def test_without_answers_says_what_is_missing(site_copy):
    result = run(site_copy())
    assert result.returncode == 2
    assert "missing --title" in result.stderr


def test_asks_for_what_is_missing_and_again_when_wrong(site_copy):
    root = site_copy()
    # Title; accept the offered slug; a wrong id, then the right one; theme.
    answers = "Asked For Essay\n\nnobody\ngraeme-currie\nios\n"
    result = run(root, answers=answers)
    assert result.returncode == 0, result.stderr
    assert "unknown person 'nobody'" in result.stderr
    assert "graeme-currie" in result.stdout and "Graeme Currie" in result.stdout  # listed
    assert "Implementation and Organisational Studies (IOS)" in result.stdout
    assert (root / "essays" / "asked-for-essay.md").exists()


def test_title_with_yaml_specials_round_trips(site_copy):
    root = site_copy()
    title = "Yes: 'quotes', \"double\" & #hash — 2019-01-01?"
    result = run(root, "--title", title, "--slug", "specials", "--author", "graeme-currie",
                 "--theme", "ios")
    assert result.returncode == 0, result.stderr
    app = build(root, freshenv=True, confoverrides=NO_PAGEFIND)
    assert app.warning.getvalue() == ""
    assert page_title(Path(app.outdir), "essays/specials") == title


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make: apt-get install make")
def test_make_new_essay_passes_values_safely(site_copy, tmp_path):
    root = site_copy()
    stamp = tmp_path / "installed"
    stamp.touch()  # newer than the requirements: make installs nothing
    title = "Quotes \"inside\" and 'single' ; echo unsafe"
    env = {**os.environ, "THEME": "not-used-from-the-environment"}
    result = subprocess.run(
        ["make", "-s", "new-essay", f"BIN={Path(sys.executable).parent}",
         f"STAMP={stamp}", f"TITLE={title}", "AUTHOR=graeme-currie", "THEME=ios",
         "SLUG=via-make", f"ARGS=--root {root}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    text = (root / "essays" / "via-make.md").read_text(encoding="utf-8")
    assert "themes: [ios]" in text
    app = build(root, freshenv=True, confoverrides=NO_PAGEFIND)
    assert app.warning.getvalue() == ""
    assert page_title(Path(app.outdir), "essays/via-make") == title


def test_asks_for_the_date_and_again_when_wrong(site_copy):
    """Asked interactively: a date is asked for too, checked, never invented."""
    root = site_copy()
    answers = "Dated Essay\n\ngraeme-currie\nios\n31/05/2019\n2019-05-31\n"
    result = run(root, answers=answers)
    assert result.returncode == 0, result.stderr
    assert "Date written, YYYY-MM-DD (Enter if not known)" in result.stdout
    assert "the date '31/05/2019' is not a real date written YYYY-MM-DD" in result.stderr
    text = (root / "essays" / "dated-essay.md").read_text(encoding="utf-8")
    assert "\ndate: 2019-05-31\n" in text


def test_an_unknown_date_is_left_out(site_copy):
    root = site_copy()
    result = run(root, answers="Undated Essay\n\ngraeme-currie\nios\n\n")
    assert result.returncode == 0, result.stderr
    text = (root / "essays" / "undated-essay.md").read_text(encoding="utf-8")
    assert "\ndate:" not in text and "# date: YYYY-MM-DD" in text


def test_skeleton_suggests_each_authors_fields_once_without_anyones_position(site_copy):
    """No author gets the seed author's position; the hint is there once, in comments."""
    root = site_copy()
    (root / "people" / "cy-example.md").write_text(
        "---\nname: Cy Example\n---\n\n<!-- SYNTHETIC person for this test -->\n",
        encoding="utf-8")
    result = run(root, "--title", "Two Authors", "--author", "graeme-currie,cy-example",
                 "--theme", "ios")
    assert result.returncode == 0, result.stderr
    text = (root / "essays" / "two-authors.md").read_text(encoding="utf-8")
    assert "Professor of Public Management" not in text
    assert "Warwick Business School" not in text
    assert text.count("position:") == 1 and text.count("roles:") == 1
    front = yaml.safe_load(text.split("---")[1])
    assert front["authors"] == [{"id": "graeme-currie"}, {"id": "cy-example"}]
    app = build(root, freshenv=True, confoverrides=NO_PAGEFIND)
    assert app.warning.getvalue() == ""
