"""The staff trial: staff add content, and every test of the real site still passes.

A member of staff, following only README and the guide, adds a theme, two
people and a co-authored essay citing seven works of four kinds, with
``doi``, ``url`` and ``urldate`` (``tests/data/staff-trial``, synthetic).
Every test marked ``real_site`` (conftest: each test that builds or reads
the real site) runs twice: on the site as committed and on a copy to which
the trial was added as staff would add it (conftest's ``site_source``,
``[staff-trial]`` in the test's id). Tests that checked today's content
instead of rules would fail there. This file checks the trial itself and
that no real-site test escapes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import SITE_VARIANTS, TRIAL, add_staff_trial, copy_site


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


def test_trial_is_added_as_staff_would_add_it(tmp_path: Path) -> None:
    """Its pages beside the site's, its works at the end of refs.bib."""
    src = copy_site(tmp_path / "src")
    refs = (src / "refs.bib").read_text(encoding="utf-8")
    added = add_staff_trial(src)
    assert sorted(p.relative_to(src).as_posix() for p in added) == sorted(
        p.relative_to(TRIAL).as_posix() for p in TRIAL.rglob("*.md"))
    assert (src / "refs.bib").read_text(encoding="utf-8") == refs + (
        TRIAL / "refs.bib.add").read_text(encoding="utf-8")


def test_every_real_site_test_runs_on_the_trial_too(request: pytest.FixtureRequest) -> None:
    """Each collected real-site test is one of a pair: the site, and the site
    with the trial (conftest parametrizes ``site_source``)."""
    real = [item for item in request.session.items if item.get_closest_marker("real_site")]
    assert real
    for item in real:
        callspec = getattr(item, "callspec", None)
        assert callspec and callspec.params.get("site_source") in SITE_VARIANTS, item.nodeid


def test_each_variant_holds_the_trial_or_not(
    site_source: Path, site_copy: Callable[[], Path], request: pytest.FixtureRequest,
) -> None:
    """The trial's sources, and each copy of them, carry every trial page and
    work; the site's carry none."""
    with_trial = request.node.callspec.params["site_source"] == "staff-trial"
    work = re.search(r"^@\w+\{([^,\s]+),", (TRIAL / "refs.bib.add").read_text("utf-8"),
                     re.M).group(1)
    for root in (site_source, site_copy()):
        for page in TRIAL.rglob("*.md"):
            assert (root / page.relative_to(TRIAL)).is_file() == with_trial, page
        assert (work in (root / "refs.bib").read_text("utf-8")) == with_trial
