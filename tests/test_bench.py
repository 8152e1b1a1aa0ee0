"""The scale benchmark (``bench/``) keeps working, and says what it measures.

The corpus generator must be deterministic and mark everything it writes
as synthetic; ``bench/run.py --quick`` must run from a checkout and record
the incremental behaviour the targets are about (an edit re-reads one
essay, an uncited refs.bib entry re-reads none). Timings are not asserted:
they belong to the benchmark's report, not to tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import generate as gen  # noqa: E402


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_n_gives_the_same_corpus_byte_for_byte(tmp_path: Path) -> None:
    first = gen.generate(12, tmp_path / "a", tmp_path / "a-stock")
    gen.generate(12, tmp_path / "b", tmp_path / "b-stock")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert tree(tmp_path / "a-stock") == tree(tmp_path / "b-stock")
    assert len(list((tmp_path / "a" / "essays").glob("syn-*.md"))) == first.n == 12


def test_everything_generated_is_marked_synthetic(tmp_path: Path) -> None:
    gen.generate(12, tmp_path / "kb")
    essays = list((tmp_path / "kb" / "essays").glob("syn-*.md"))
    assert essays and all(gen.SYNTHETIC_ESSAY_MARK in p.read_text("utf-8") for p in essays)
    assert (tmp_path / "kb" / "refs.bib").read_text("utf-8").startswith(gen.SYNTHETIC_BIB_MARK)
    people = [p for p in (tmp_path / "kb" / "people").glob("*.md") if p.name != "index.md"]
    assert people and all("SYNTHETIC" in p.read_text("utf-8") for p in people)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("bench")
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--no-stock", "--jobs", "1",
         "--workdir", str(work), "--json", str(work / "results.json")],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"report": result.stdout, **json.loads((work / "results.json").read_text())}


def test_quick_run_builds_without_warnings_and_reports(quick_run: dict) -> None:
    (project,) = quick_run["results"]
    assert project["stack"] == "project" and project["n"] == 20
    assert project["full"]["1"]["ok"] and project["full"]["1"]["warnings"] == 0
    assert "| target | measured | limit | verdict |" in quick_run["report"]
    assert "Largest page of each kind" in quick_run["report"]  # bench/pagesizes.py


def test_incremental_steps_read_only_what_changed(quick_run: dict) -> None:
    (project,) = quick_run["results"]
    steps = {step["step"]: step for step in project["incremental"]}
    assert steps["no change"]["read"] == 0
    assert steps["edit one essay's paragraph"]["read"] == 1
    assert steps["edit one essay's paragraph"]["written"] == 1
    assert steps["add one essay"]["added_changed_removed"] == [1, 0, 0]
    assert steps["add one refs.bib entry"]["read"] == 0
