"""``make html`` skips Sphinx only when the last clean build saw exactly what is there now.

The launcher (``_ext/kb/uptodate.py``) runs as its own process, so these
builds do too: a real ``sphinx-build`` through the launcher, then each kind
of change, then the launcher's own question (:func:`uptodate.changed`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, build, commit_all, copy_root
from kb import uptodate

LAUNCHER = REPO / "_ext" / "kb" / "uptodate.py"
#: The test roots' conf.py finds ``kb`` where the repository keeps it.
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1600000000", "PYTHONPATH": str(REPO / "_ext")}
ENV.pop(uptodate.FORCE, None)
ARGS = ["-b", "html", "-n", "-W", "--keep-going", "-j", "1", ".", "_build/html"]


def launch(src: Path, env: dict[str, str], args: list[str] = ARGS) -> str:
    """``make html``'s command in ``src``: what it printed (checked to succeed)."""
    done = subprocess.run([sys.executable, str(LAUNCHER), *args], cwd=src, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def ran_sphinx(output: str) -> bool:
    return "build succeeded" in output


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A small knowledge base built once through the launcher, recorded."""
    src = copy_root("paging", tmp_path / "src")
    env = dict(ENV)
    time.sleep(0.1)  # the copy's times well before the build's start
    assert ran_sphinx(launch(src, env))
    assert (src / "_build/html/.doctrees" / uptodate.RECORD).is_file()
    return src, env


def changed(src: Path, env: dict[str, str], args: list[str] = ARGS) -> str | None:
    return uptodate.changed(args, env, str(src))


def test_a_second_make_html_with_nothing_changed_does_not_start_sphinx(site):
    src, env = site
    page = src / "_build/html/essays/e1.html"
    written = page.stat().st_mtime_ns
    assert changed(src, env) is None
    assert "is up to date" in launch(src, env)
    assert page.stat().st_mtime_ns == written


@pytest.mark.parametrize("change", [
    "edit an essay", "add an essay", "remove an essay", "edit refs.bib", "edit conf.py",
    "add a folder with a page", "touch a file",
])
def test_any_change_to_the_sources_runs_sphinx(site, change):
    src, env = site
    essay = src / "essays/e1.md"
    if change == "edit an essay":
        essay.write_text(essay.read_text(encoding="utf-8") + "\nOne more line.\n",
                         encoding="utf-8")
    elif change == "add an essay":
        (src / "essays/second.md").write_text("# Second\n", encoding="utf-8")
    elif change == "remove an essay":
        essay.unlink()
    elif change == "edit refs.bib":
        with (src / "refs.bib").open("a", encoding="utf-8") as file:
            file.write("\n@misc{new, title={New}}\n")
    elif change == "edit conf.py":
        with (src / "conf.py").open("a", encoding="utf-8") as file:
            file.write("\nhtml_title = 'Another title'\n")
    elif change == "add a folder with a page":
        (src / "more").mkdir()
        (src / "more/page.md").write_text("# More\n", encoding="utf-8")
    elif change == "touch a file":
        os.utime(src / "people/ann.md")
    assert changed(src, env) is not None


def test_a_change_to_an_extension_outside_the_sources_runs_sphinx(tmp_path):
    src = copy_root("paging", tmp_path / "src")
    (tmp_path / "ext").mkdir()
    local = tmp_path / "ext/local_ext.py"
    local.write_text("def setup(app):\n    return {'parallel_read_safe': True}\n",
                     encoding="utf-8")
    with (src / "conf.py").open("a", encoding="utf-8") as file:
        file.write(f"\nsys.path.insert(0, {str(tmp_path / 'ext')!r})\n"
                   "extensions.append('local_ext')\n")
    env = dict(ENV)
    time.sleep(0.1)
    launch(src, env)
    assert changed(src, env) is None
    local.write_text(local.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    assert changed(src, env) == f"{local} changed"


def test_a_docutils_conf_appearing_beside_conf_py_runs_sphinx(site):
    src, env = site
    (src / "docutils.conf").write_text("[general]\n", encoding="utf-8")
    assert changed(src, env) is not None


def test_a_file_added_while_the_build_runs_makes_the_next_one_run(tmp_path):
    """The record holds the folders as the build found them when it started."""
    src = copy_root("paging", tmp_path / "src")
    (tmp_path / "ext").mkdir()
    (tmp_path / "ext/adds_a_file.py").write_text(
        "from pathlib import Path\n\n"
        "def add(app, env, docnames):\n"
        "    (Path(app.srcdir) / 'late.txt').write_text('late', encoding='utf-8')\n\n"
        "def setup(app):\n"
        "    app.connect('env-before-read-docs', add)\n"
        "    return {'parallel_read_safe': True}\n", encoding="utf-8")
    with (src / "conf.py").open("a", encoding="utf-8") as file:
        file.write(f"\nsys.path.insert(0, {str(tmp_path / 'ext')!r})\n"
                   "extensions.append('adds_a_file')\n")
    env = dict(ENV)
    time.sleep(0.1)
    assert ran_sphinx(launch(src, env))
    assert (src / "late.txt").is_file()
    assert changed(src, env) == "a file was added to or removed from the source folder"


def test_an_edit_is_built_not_skipped(site):
    src, env = site
    essay = src / "essays/e1.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nA sentence added later.\n",
                     encoding="utf-8")
    assert ran_sphinx(launch(src, env))
    assert "A sentence added later." in (src / "_build/html/essays/e1.html").read_text(
        encoding="utf-8")


@pytest.mark.parametrize("change", [
    "remove a page", "remove the saved environment", "another environment variable",
    "another option", "another output folder",
])
def test_a_changed_output_command_or_environment_runs_sphinx(site, change):
    src, env = site
    args = ARGS
    if change == "remove a page":
        (src / "_build/html/essays/e1.html").unlink()
    elif change == "remove the saved environment":
        (src / "_build/html/.doctrees/environment.pickle").unlink()
    elif change == "another environment variable":
        env = {**env, "KB_BASE_URL": "https://example.com/kb/"}
    elif change == "another option":
        args = [*ARGS[:-2], "-D", "html_title=Other", *ARGS[-2:]]
    elif change == "another output folder":
        args = [*ARGS[:-1], "_build/other"]
    assert changed(src, env, args) is not None


@pytest.mark.parametrize("args", [
    ["-a", *ARGS], ["-E", *ARGS], ["-nE", *ARGS[1:]], [*ARGS, "essays/e1.md"],
    ["-M", "html", ".", "_build"],
])
def test_a_full_build_or_named_files_always_run_sphinx(site, args):
    src, env = site
    assert changed(src, env, args) is not None


@pytest.mark.parametrize("damage", ["{}", '{"command": 1}', "[]", "not json", "folder"])
def test_a_damaged_or_old_record_runs_sphinx(site, damage):
    src, env = site
    record = src / "_build/html/.doctrees" / uptodate.RECORD
    if damage == "folder":
        record.unlink()
        record.mkdir()
    else:
        record.write_text(damage, encoding="utf-8")
    assert changed(src, env) is not None


def test_force_runs_sphinx_and_the_next_make_html_does_not(site):
    src, env = site
    assert ran_sphinx(launch(src, {**env, uptodate.FORCE: "1"}))
    assert changed(src, env) is None


def test_a_new_commit_runs_sphinx(tmp_path):
    """Pages show when their essay was last committed (gitdates)."""
    src = copy_root("paging", tmp_path / "src")
    commit_all(src, "2024-01-01T12:00:00")
    env = dict(ENV)
    time.sleep(0.1)
    launch(src, env)
    assert changed(src, env) is None
    (src / ".gitignore").write_text("_build\n", encoding="utf-8")
    commit_all(src, "2024-02-01T12:00:00", [src / ".gitignore"])
    os.utime(src / ".gitignore", ns=(0, 0))
    assert uptodate.git_commit(str(src)) is not None
    assert changed(src, env) == "the git commit changed"


def test_a_build_with_a_warning_leaves_no_record(tmp_path):
    src = copy_root("paging", tmp_path / "src")
    essay = src / "essays/e1.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nSee {footcite}`nosuchkey`.\n",
                     encoding="utf-8")
    time.sleep(0.1)
    app = build(src)
    assert app.warning.getvalue()
    assert not (Path(app.doctreedir) / uptodate.RECORD).exists()


def test_a_record_that_cannot_be_written_does_not_fail_the_build(tmp_path):
    src = copy_root("paging", tmp_path / "src")
    time.sleep(0.1)
    doctrees = src / "_build/doctrees"
    (doctrees / uptodate.RECORD).mkdir(parents=True)  # a folder where the file goes
    (doctrees / (uptodate.RECORD + ".tmp")).mkdir()
    app = build(src)
    assert not app.warning.getvalue()
    assert (doctrees / uptodate.RECORD).is_dir()


def test_a_source_changed_after_the_build_started_leaves_no_record(tmp_path, monkeypatch):
    src = copy_root("paging", tmp_path / "src")
    monkeypatch.setenv(uptodate.STARTED, str(time.time_ns() - 10**9))
    app = build(src)
    assert not app.warning.getvalue()
    assert not (Path(app.doctreedir) / uptodate.RECORD).exists()
    time.sleep(0.1)  # the first build's last writes well before the next start
    monkeypatch.setenv(uptodate.STARTED, str(time.time_ns()))
    app = build(src, verbosity=1)
    why = [line for line in app.status.getvalue().splitlines() if "not recorded" in line]
    assert (Path(app.doctreedir) / uptodate.RECORD).exists(), (why, app.warning.getvalue())


@pytest.mark.parametrize(("args", "folders"), [
    (ARGS, (".", "_build/html", "_build/html/.doctrees")),
    (["-b", "html", "-d", "D", "S", "O"], ("S", "O", "D")),
    (["-bhtml", "-dD", "-j", "auto", "-q", "S", "O"], ("S", "O", "D")),
    (["--builder=html", "--doctree-dir", "D", "--jobs=1", "S", "O"], ("S", "O", "D")),
    (["-b", "html", "S"], None),
    (["-b", "html", "--some-new-option", "S", "O"], None),
    (["-b", "html", "-Wa", "S", "O"], None),
    (["-b", "html", "-C", "S", "O"], None),
    (["-b", "html", "--", "S", "O"], None),
    (["-b", "html", "-d"], None),
    (["--color", "-T", "-b", "html", "S", "O"], ("S", "O", "O/.doctrees")),
])
def test_the_command_line_is_read_as_sphinx_build_reads_it(args, folders):
    assert uptodate.command_folders(args) == folders


def test_the_launcher_reads_entry_points_once_and_answers_as_the_standard_library(
        monkeypatch):
    from importlib import metadata

    scan = metadata.entry_points
    monkeypatch.setattr(metadata, "entry_points", scan)  # restored after the test
    groups = ["sphinx.html_themes", "pybtex.style.formatting", "pygments.styles", "no.such"]
    expected = {group: scan(group=group) for group in groups}
    uptodate.scan_entry_points_once()
    assert metadata.entry_points is not scan
    assert metadata.entry_points() is metadata.entry_points()  # read once, kept
    for group in groups:
        assert metadata.entry_points(group=group) == expected[group]
    assert metadata.entry_points(group="sphinx.html_themes", name="furo") == \
        scan(group="sphinx.html_themes", name="furo")
    assert len(metadata.entry_points(group="sphinx.html_themes", name="furo")) == 1


@pytest.mark.parametrize(("args", "name"), [
    (["-b", "html", "S", "O"], "html"),
    (["-bhtml", "S", "O"], "html"),
    (["--builder=latex", "S", "O"], "latex"),
    (["--builder", "linkcheck", "S", "O"], "linkcheck"),
    (["-M", "html", "S", "O"], None),
    (["S", "O"], None),
])
def test_the_builder_is_read_from_the_command_line(args, name):
    assert uptodate.builder_name(args) == name


def test_an_html_build_sets_up_none_of_the_builders_it_never_uses(tmp_path, monkeypatch):
    from sphinx import application

    monkeypatch.setattr(application, "builtin_extensions", application.builtin_extensions)
    uptodate.skip_unused_builders()
    app = build(copy_root("kb", tmp_path / "src"), confoverrides={"kb_pagefind": False})
    assert not uptodate.UNUSED_BY_HTML & set(app.extensions)
    assert {"sphinx.builders.html", "sphinx.builders.latex", "sphinx.builders.gettext"} \
        <= set(app.extensions)
    assert app.statuscode == 0
    assert app.warning.getvalue() == ""
    assert (app.outdir / "index.html").is_file()
