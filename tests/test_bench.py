"""The scale benchmark (``bench/``) keeps working, and says what it measures.

The corpus generator must be deterministic and mark everything it writes
as synthetic; ``bench/run.py --quick`` must run from a checkout and record
the incremental behaviour the targets are about (an edit re-reads one
essay, an uncited refs.bib entry re-reads none). Timings are not asserted:
they belong to the benchmark's report, not to tests.
"""

from __future__ import annotations

import json
import re
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


def test_heavy_essays_are_the_seed_text_with_20_to_25_citations(tmp_path: Path) -> None:
    corpus = gen.generate(12, tmp_path / "kb", kind="heavy")
    bib = (tmp_path / "kb" / "refs.bib").read_text("utf-8")
    assert bib.count("\n@") == 3 * corpus.n  # three works per essay
    seed = gen.seed_text()
    for path in (tmp_path / "kb" / "essays").glob("syn-*.md"):
        text = path.read_text("utf-8")
        assert gen.SYNTHETIC_ESSAY_MARK in text and gen.HEAVY_ESSAY_MARK in text
        keys = re.findall(r"\{footcite\}`([^`]+)`", text)
        assert 20 <= len(keys) <= 25
        assert all(f"{{{key}," in bib for key in keys)
        assert [h for h in re.findall(r"^## (.*)$", text, re.M)] == [
            h.rstrip() for h, _ in seed.sections
        ]
        # Every word of the seed, in order; only pseudo-words come between.
        words = iter(re.sub(r"\{footcite\}`[^`]+`", " ", text).split())
        seed_words = [w for _, ps in seed.sections for p in ps
                      for w in re.sub(r"\[\d+\]", " ", p).split()]
        assert all(w in words for w in seed_words)


def test_the_mystmd_tree_has_the_same_essays_in_its_dialect(tmp_path: Path) -> None:
    gen.generate(6, tmp_path / "kb", kind="heavy")
    gen.write_myst_tree(tmp_path / "myst", 6, "heavy")
    assert "bibliography: [refs.bib]" in (tmp_path / "myst" / "myst.yml").read_text("utf-8")
    ours = sorted((tmp_path / "kb" / "essays").glob("syn-*.md"))
    theirs = sorted((tmp_path / "myst" / "essays").glob("syn-*.md"))
    assert [p.name for p in ours] == [p.name for p in theirs]
    for a, b in zip(ours, theirs, strict=True):
        cited = re.findall(r"\{footcite\}`([^`]+)`", a.read_text("utf-8"))
        text = b.read_text("utf-8")
        assert re.findall(r"\{cite:p\}`([^`]+)`", text) == cited
        assert "footcite" not in text and "footbibliography" not in text
        assert gen.SYNTHETIC_ESSAY_MARK in text


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


def test_quick_run_builds_both_corpora_without_warnings_and_reports(quick_run: dict) -> None:
    results = quick_run["results"]
    assert [(r["stack"], r["n"], r["corpus"]) for r in results] == [
        ("project", 20, "light"), ("project", 20, "heavy")
    ]
    assert all(r["full"]["1"]["ok"] and r["full"]["1"]["warnings"] == 0 for r in results)
    assert "| corpus | target | measured | limit | verdict |" in quick_run["report"]
    assert "Largest page of each kind" in quick_run["report"]  # bench/pagesizes.py
    # How fast the machine was, before each corpus and at the end (it drifts).
    speeds = quick_run["run"]["speeds"]
    assert list(speeds) == ["before light N=20", "before heavy N=20", "end"]
    assert all(0 < s < 60 for s in speeds.values())
    assert re.search(r"Machine speed \(.*\): before light N=20 [\d.]+, .*, end [\d.]+",
                     quick_run["report"])
    for step, limit in (("no change", 1), ("add one essay", 3)):
        assert re.search(rf"\| heavy \| rebuild after: {step}, N=20, wall \(s\) \| [\d.]+ \| "
                         rf"≤ {limit} \| (pass|FAIL) \|", quick_run["report"])


@pytest.mark.parametrize("corpus", ["light", "heavy"])
def test_incremental_steps_read_only_what_changed(quick_run: dict, corpus: str) -> None:
    (project,) = [r for r in quick_run["results"] if r["corpus"] == corpus]
    steps = {step["step"]: step for step in project["incremental"]}
    assert steps["no change"]["read"] == 0
    # Sphinx itself, started by the launcher although nothing changed, reads nothing.
    assert steps["no change, Sphinx started anyway"]["read"] == 0
    assert steps["no change, Sphinx started anyway"]["added_changed_removed"] == [0, 0, 0]
    assert steps["edit one essay's paragraph"]["read"] == 1
    assert steps["edit one essay's paragraph"]["written"] == 1
    assert steps["add one essay"]["added_changed_removed"] == [1, 0, 0]
    assert steps["add one refs.bib entry"]["read"] == 0
