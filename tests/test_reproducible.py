"""Reproducible builds: the same sources always give the same bytes.

The real site (plus a few synthetic essays, so that parallel builds really
split the work) is built with the command line, as ``make html`` does:

* twice from scratch, in two different folders: byte-identical output,
  ``.buildinfo`` included;
* with ``-j 1``, ``-j auto`` and ``-j 4``: byte-identical output;
* incrementally after deleting an essay, editing and reverting one, and
  adding one back: byte-identical to a fresh build of the same sources
  (the deleted essay's page gone, listings and search index up to date);
* with ``SOURCE_DATE_EPOCH``: pages carry no build date at all; the feed and
  the LaTeX sources take their date from it, and nothing else changes.

Only ``.doctrees`` (Sphinx's cache, not published) is left out of the
comparisons. A small root checks the same for Sphinx's own
``searchindex.js`` (the site uses Pagefind), including renaming a person.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_errors import build, essay, make_root

SYNTHETIC = 12
EPOCH = 946684800  # 2000-01-01T00:00:00Z
OTHER_EPOCH = 1262304000  # 2010-01-01T00:00:00Z
DELETED = "essays/synthetic-03.md"
EDITED = "essays/synthetic-05.md"
MARKER = "zyzzyvaquux"  # a word no essay has


def add_synthetic_essays(src: Path, count: int = SYNTHETIC) -> None:
    """SYNTHETIC test essays (marked as such), citing works of the real refs.bib."""
    keys = re.findall(r"^@\w+\{([^,\s]+),", (src / "refs.bib").read_text("utf-8"), re.M)
    for i in range(count):
        date = f"date: 2019-{1 + i % 9:02d}-{10 + i % 10}\n" if i % 3 else ""
        body = (
            "<!-- SYNTHETIC essay written by tests/test_reproducible.py; not site content -->"
            f"\n\n## Section {i}\n\nSynthetic text number {i}.{{footcite}}`{keys[i % len(keys)]}`"
            f" More text.{{footcite}}`{keys[(7 * i + 3) % len(keys)]}`\n"
        )
        front = (f"title: Synthetic Essay {i:02d}\n{date}authors: [graeme-currie]\n"
                 "themes: [ios]\ntags: [synthetic]\n")
        (src / "essays" / f"synthetic-{i:02d}.md").write_text(essay(front, body), "utf-8")


def snapshot(outdir: Path) -> dict[str, bytes]:
    """Every published file's bytes (the doctree cache is not published)."""
    return {
        path.relative_to(outdir).as_posix(): path.read_bytes()
        for path in sorted(outdir.rglob("*"))
        if path.is_file() and ".doctrees" not in path.relative_to(outdir).parts
    }


def differences(a: Path | dict[str, bytes], b: Path | dict[str, bytes]) -> list[str]:
    """Files present in one output only, then files whose bytes differ."""
    left = a if isinstance(a, dict) else snapshot(a)
    right = b if isinstance(b, dict) else snapshot(b)
    only = sorted(set(left) ^ set(right))
    return only + [name for name in sorted(set(left) & set(right))
                   if left[name] != right[name]]


def sphinx(src: Path, out: Path, *options: str, builder: str = "html",
           epoch: int | None = None) -> Path:
    """``sphinx-build -W --keep-going -n``, as ``make html`` runs it."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-n", "-q",
         *options, str(src), str(out)],
        capture_output=True, text=True, env=env, check=False, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@dataclass
class Builds:
    a: Path  # sources
    fresh: Path  # clean build of a
    twin: dict[str, bytes]  # clean build of b, an identical copy of a elsewhere
    auto: Path  # -j auto
    four: Path  # -j 4
    epoch: Path  # clean build of a with SOURCE_DATE_EPOCH
    chain_src: Path  # b, for the incremental chain (twin's bytes are kept above)
    chain_out: Path  # twin's folder: b's first (fresh) build, then built incrementally
    latex: Path  # LaTeX of a, SOURCE_DATE_EPOCH=EPOCH
    latex_twin: Path  # LaTeX of b, SOURCE_DATE_EPOCH=EPOCH
    latex_other: Path  # LaTeX of a, SOURCE_DATE_EPOCH=OTHER_EPOCH
    latex_now: Path  # LaTeX of a, no SOURCE_DATE_EPOCH


@pytest.fixture(scope="module")
def builds(site_copy: Callable[[], Path], tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """All independent builds at once (they are processes: use every CPU).

    The incremental chain starts from b's clean build (a build of its own
    from a third copy cost as much again), so that build's bytes are read
    here, before any test changes it.
    """
    a, b = site_copy(), site_copy()
    for src in (a, b):
        add_synthetic_essays(src)
    out = tmp_path_factory.mktemp("out")
    jobs: dict[str, tuple[Path, Path, tuple[str, ...], str, int | None]] = {
        "fresh": (a, out / "fresh", (), "html", None),
        "twin": (b, out / "twin", (), "html", None),
        "auto": (a, out / "auto", ("-j", "auto"), "html", None),
        "four": (a, out / "four", ("-j", "4"), "html", None),
        "epoch": (a, out / "epoch", (), "html", EPOCH),
        "latex": (a, out / "latex", (), "latex", EPOCH),
        "latex_twin": (b, out / "latex-twin", (), "latex", EPOCH),
        "latex_other": (a, out / "latex-other", (), "latex", OTHER_EPOCH),
        "latex_now": (a, out / "latex-now", (), "latex", None),
    }
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {name: pool.submit(sphinx, src, dest, *opts, builder=builder, epoch=epoch)
                   for name, (src, dest, opts, builder, epoch) in jobs.items()}
        done = {name: future.result() for name, future in futures.items()}
    twin = done.pop("twin")
    return Builds(a=a, twin=snapshot(twin), chain_src=b, chain_out=twin, **done)


def test_two_clean_builds_are_byte_identical(builds: Builds) -> None:
    """Two checkouts of the same sources, in different folders, built from scratch."""
    assert differences(builds.fresh, builds.twin) == []
    assert (builds.fresh / "pagefind").is_dir()  # the site's search index is compared too
    assert (builds.fresh / ".buildinfo").is_file()  # so is the config's fingerprint


@pytest.mark.parametrize("jobs", ["auto", "four"])
def test_parallel_build_equals_serial(builds: Builds, jobs: str) -> None:
    assert differences(builds.fresh, getattr(builds, jobs)) == []


def test_incremental_build_equals_fresh(builds: Builds, tmp_path: Path) -> None:
    """Each incremental build equals a fresh build of the same sources, same folder."""
    src, out = builds.chain_src, builds.chain_out
    everything = snapshot(out)
    deleted = out / DELETED.replace(".md", ".html")
    assert deleted.is_file()

    # (a) An essay deleted: its page goes, every listing forgets it.
    original = (src / DELETED).read_text(encoding="utf-8")
    (src / DELETED).unlink()
    sphinx(src, out)
    assert not deleted.exists()
    without = snapshot(sphinx(src, tmp_path / "fresh"))
    assert differences(out, without) == []

    # (b) An essay edited, built, then reverted: nothing of the edit remains.
    edited = src / EDITED
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("Synthetic text", f"Synthetic {MARKER} text")
                      .replace("title: Synthetic Essay", "title: Edited Essay"), "utf-8")
    sphinx(src, out)
    assert MARKER in (out / EDITED.replace(".md", ".html")).read_text(encoding="utf-8")
    edited.write_text(text, encoding="utf-8")
    sphinx(src, out)
    assert differences(out, without) == []

    # (c) An essay added: it appears, and in every listing.
    (src / DELETED).write_text(original, encoding="utf-8")
    sphinx(src, out)
    assert differences(out, everything) == []


def test_source_date_epoch_is_honoured(builds: Builds) -> None:
    """Pages have no date to honour; the feed's date is the epoch's."""
    assert differences(builds.fresh, builds.epoch) in ([], ["atom.xml"])
    feed = builds.epoch / "atom.xml"
    if feed.exists():
        assert "<updated>2000-01-01T00:00:00Z</updated>" in feed.read_text("utf-8")


def _build_dates(outdir: Path, suffixes: tuple[str, ...]) -> list[str]:
    """Files that print today's date (a build that is not reproducible tomorrow)."""
    today = dt.date.today()
    stamps = (today.isoformat(), today.strftime("%b %d, %Y"), f"{today:%d %B %Y}",
              f"{today.day} {today:%B %Y}")
    return [name for name, data in snapshot(outdir).items()
            if name.endswith(suffixes) and not name.startswith("_static/")
            and any(stamp in data.decode("utf-8", errors="replace") for stamp in stamps)]


def test_pages_carry_no_build_date(builds: Builds) -> None:
    assert _build_dates(builds.fresh, (".html", ".xml", ".js")) == []


def test_latex_sources_carry_no_build_date(builds: Builds) -> None:
    assert _build_dates(builds.latex_now, (".tex",)) == []


def test_latex_sources_are_byte_identical(builds: Builds) -> None:
    assert differences(builds.latex, builds.latex_twin) == []


def test_latex_date_comes_from_source_date_epoch(builds: Builds) -> None:
    """A different epoch changes only the lines that print the date."""
    changed = differences(builds.latex, builds.latex_other)
    assert changed and all(name.endswith(".tex") for name in changed)
    for name in changed:
        old = (builds.latex / name).read_text("utf-8").splitlines()
        new = (builds.latex_other / name).read_text("utf-8").splitlines()
        assert len(old) == len(new)
        for before, after in zip(old, new, strict=True):
            if before != after:
                assert "2000" in before and "2010" in after, (name, before, after)


# -- Sphinx's own search index, in a small root --------------------------------

def test_incremental_equals_fresh_with_sphinx_search(tmp_path: Path) -> None:
    """Edit-and-revert, rename a person, delete and add: as fresh, searchindex.js too."""
    second = essay("title: A Second Essay\nauthors: [ann-example]\nthemes: [ios]\n",
                   "Text of the second essay.\n")
    src = make_root(tmp_path / "src", {"essays/second.md": second})
    out = tmp_path / "out"

    def same_as_fresh(step: str) -> None:
        fresh_out = tmp_path / f"fresh-{step}"
        again = build(src, outdir=out, fresh=False)
        fresh = build(src, outdir=fresh_out)
        assert again.warnings == fresh.warnings == ""
        assert differences(again.outdir, fresh.outdir) == [], step

    build(src, outdir=out)
    (src / "essays" / "second.md").write_text(
        second.replace("Text of", f"Text {MARKER} of"), encoding="utf-8")
    build(src, outdir=out, fresh=False)
    assert MARKER in (out / "html" / "searchindex.js").read_text("utf-8")
    (src / "essays" / "second.md").write_text(second, encoding="utf-8")
    same_as_fresh("reverted")
    assert MARKER not in (out / "html" / "searchindex.js").read_text("utf-8")

    person = src / "people" / "ann-example.md"
    person.write_text(person.read_text("utf-8").replace("Ann Example", "Ann Renamed"), "utf-8")
    same_as_fresh("renamed")

    (src / "essays" / "second.md").unlink()
    same_as_fresh("deleted")
    (src / "essays" / "third.md").write_text(second.replace("Second", "Third"), "utf-8")
    same_as_fresh("added")
