"""The staff trial: staff add content, and every test of the real site still passes.

A member of staff, following only README and the guide, adds a theme, two
people and a co-authored essay citing seven works of four kinds, with
``doi``, ``url`` and ``urldate`` (``tests/data/staff-trial``, synthetic).
The whole repository is copied, the trial added to it as staff would add
it, and every test marked ``real_site`` (conftest: each test that builds
the real site) is run again in that copy, in a pytest process of its own.
Tests that checked today's content instead of rules would fail here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, REPO

TRIAL = DATA / "staff-trial" / "site"
#: What a clone does not have, or the copy must not carry over.
_NOT_IN_CLONE = shutil.ignore_patterns(
    ".venv", "_build", ".git", "node_modules", ".pytest_cache", ".ruff_cache",
    "__pycache__", ".hypothesis", "_corpus",
)


def add_staff_trial(root: Path) -> list[Path]:
    """Add the trial's pages to the sources at ``root`` and its works to refs.bib."""
    added = []
    for path in sorted(TRIAL.rglob("*.md")):
        target = root / path.relative_to(TRIAL)
        assert not target.exists(), f"the trial would overwrite {target}"
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        added.append(target)
    refs = root / "refs.bib"
    refs.write_text(refs.read_text(encoding="utf-8")
                    + (TRIAL / "refs.bib.add").read_text(encoding="utf-8"), encoding="utf-8")
    return added


def test_trial_content_is_marked_synthetic() -> None:
    """Four pages and seven works of four kinds, each marked as not real."""
    pages = sorted(p.relative_to(TRIAL).as_posix() for p in TRIAL.rglob("*.md"))
    assert [p.split("/")[0] for p in pages] == ["essays", "people", "people", "themes"]
    for page in pages:
        assert "SYNTHETIC" in (TRIAL / page).read_text(encoding="utf-8"), page
    bib = (TRIAL / "refs.bib.add").read_text(encoding="utf-8")
    kinds = re.findall(r"^@(\w+)\{", bib, re.M)
    assert len(kinds) == 7 and len(set(kinds)) >= 4
    for field in ("doi", "url", "urldate"):
        assert re.search(rf"^\s+{field}\s*=", bib, re.M), field
    assert "SYNTHETIC" in bib


@pytest.mark.skipif(os.environ.get("KB_STAFF_TRIAL") == "1",
                    reason="this is the staff trial's own run")
def test_real_site_tests_pass_with_staff_content(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(REPO, clone, ignore=_NOT_IN_CLONE)
    if (REPO / "node_modules").is_dir():  # the accessibility checkers, if installed
        (clone / "node_modules").symlink_to(REPO / "node_modules")
    add_staff_trial(clone)
    env = {**os.environ, "KB_STAFF_TRIAL": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "real_site", "-q", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "pytest")],
        cwd=clone, env=env, capture_output=True, text=True, timeout=3600, check=False,
    )
    summary = done.stdout.strip().splitlines()[-1:] or [done.stderr[-2000:]]
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    assert re.search(r"\d+ passed", summary[0]) and "failed" not in summary[0], summary
