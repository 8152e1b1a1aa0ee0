"""Build state (``kb.state``): one typed object per lifetime, nothing set on app or env.

What a build hands on within itself lives with its application
(``BuildState``); what the next build needs is pickled with the
environment, in the ``kb`` domain (``StoredState``). Real builds of a
private copy of the ``kb`` root, serial, incremental and parallel.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

from sphinx.util.console import strip_colors

from conftest import REPO, build, copy_root
from kb._compat import ENV_PICKLE_FILENAME
from kb.domain import kb_domain
from kb.state import BuildState, StoredState, build_state

#: An entry whose last field is left open (so pybtex cannot read it), and one after it.
BROKEN = "\n@article{broken,\n  title = {T},\n  year = {2000,\n}\n\n@misc{after, title = {After}}\n"


#: Ways of keeping state on Sphinx's objects behind the type checker's back.
AD_HOC = re.compile(r"__dict__|setattr\(|getattr\((?:self\.)?(?:app|env)\s*,|"
                    r"\b(?:app|env)\.kb_\w+\s*=")


def kb_attributes(obj: object) -> list[str]:
    return sorted(name for name in vars(obj) if name.startswith("kb"))


def citing_broken(tmp_path: Path) -> Path:
    """The ``kb`` root with an unreadable entry that the alpha essay cites."""
    src = copy_root("kb", tmp_path / "src")
    (src / "refs.bib").write_text((src / "refs.bib").read_text() + BROKEN)
    alpha = src / "essays" / "alpha.md"
    alpha.write_text(alpha.read_text().replace("{footcite}`one` and", "{footcite}`one,broken` and"))
    return src


def test_a_build_sets_no_attribute_on_the_app_or_the_environment(tmp_path: Path) -> None:
    app = build(copy_root("kb", tmp_path / "src"), freshenv=True)
    assert kb_attributes(app) == []
    assert kb_attributes(app.env) == []
    with open(Path(app.doctreedir) / ENV_PICKLE_FILENAME, "rb") as file:
        pickled = pickle.load(file)
    assert kb_attributes(pickled) == []
    assert isinstance(kb_domain(app.env).stored, StoredState)
    assert pickled.domaindata["kb"]["stored"] == kb_domain(app.env).stored


def test_each_application_has_its_own_build_state(tmp_path: Path) -> None:
    first = build(copy_root("kb", tmp_path / "a"), freshenv=True)
    second = build(copy_root("kb", tmp_path / "b"), freshenv=True)
    assert isinstance(build_state(first), BuildState)
    assert build_state(first) is build_state(first)
    assert build_state(first) is not build_state(second)
    # refs.bib was parsed by this build; the pages written were handed to search
    assert build_state(first).bib_parsed
    assert build_state(first).changed_pages is None


def test_an_unreadable_entry_is_remembered_by_the_next_build(tmp_path: Path) -> None:
    """Citing it is never answered with "not in the bibliography", even when the
    essay is re-read and refs.bib is not parsed again."""
    src = citing_broken(tmp_path)
    first = build(src, freshenv=True)
    assert "a '{' opened at line" in first.warning.getvalue()
    assert "not in the bibliography" not in first.warning.getvalue()
    alpha = src / "essays" / "alpha.md"
    alpha.write_text(alpha.read_text().replace("Alpha cites", "Alpha, edited, cites"))
    second = build(src)
    status = strip_colors(second.status.getvalue())
    assert "0 added, 1 changed, 0 removed" in status
    assert "checking and parsing bibtex file" not in status
    assert "a '{' opened at line" in second.warning.getvalue()  # reported until fixed
    assert "not in the bibliography" not in second.warning.getvalue()
    assert "broken" in kb_domain(second.env).stored.bib_unreadable
    assert not build_state(second).bib_parsed


def test_a_parallel_build_keeps_the_state_the_serial_one_has(tmp_path: Path) -> None:
    """Stored state is written in the main process only: merging the readers'
    environments leaves it as the serial build has it."""
    serial = build(citing_broken(tmp_path / "a"), freshenv=True)
    parallel = build(citing_broken(tmp_path / "b"), freshenv=True, parallel=2)
    assert " .. " in strip_colors(parallel.status.getvalue())  # read in chunks, in parallel
    ours, theirs = kb_domain(serial.env).stored, kb_domain(parallel.env).stored
    assert ours.bib_unreadable.keys() == theirs.bib_unreadable.keys() == {"broken"}
    assert [p for _, p in ours.bibcheck.values()] == [p for _, p in theirs.bibcheck.values()]
    assert parallel.warning.getvalue().replace(str(tmp_path / "b"), "") == \
        serial.warning.getvalue().replace(str(tmp_path / "a"), "")


def test_a_removed_essay_is_remembered_until_its_page_is_deleted(tmp_path: Path) -> None:
    src = copy_root("kb", tmp_path / "src")
    build(src, freshenv=True)
    (src / "essays" / "gamma.md").unlink()
    app = build(src)
    assert not (Path(app.outdir) / "essays" / "gamma.html").exists()
    assert kb_domain(app.env).stored.removed_docs == set()


def test_no_module_keeps_state_on_the_app_or_the_environment() -> None:
    """Build state has one home, ``state.py``, and mypy checks every use of it."""
    offending = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted((REPO / "_ext" / "kb").glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if AD_HOC.search(line)
    ]
    assert offending == []
