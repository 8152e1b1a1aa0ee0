"""Folders unchanged since the last build are not listed again (kb.folderstamps).

The rules: a record is trusted only while every folder has the time it
was recorded with, was there, and the record was made safely after that
time (a file made in the same clock tick must not go unseen), and only for
the same context; a missing or damaged record is no record. In a build:
a PDF put beside a page, a download deleted by hand, and a second file for
one page are all still found after builds that trusted their records.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from conftest import build, built_kb_root
from kb import folderstamps
from kb.folderstamps import SAFETY_NS, STAMPS


@pytest.fixture
def app(tmp_path):
    """An application for the small kb root (only its doctree folder is used)."""
    src, built = built_kb_root(tmp_path)
    return built


def aged(folder: Path, seconds: float = 60) -> None:
    """The folder's time set back, as if its last file was made a while ago."""
    then = time.time_ns() - int(seconds * 1e9)
    os.utime(folder, ns=(then, then))


def test_a_record_holds_while_the_folder_keeps_its_time(app, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    aged(folder)
    folderstamps.record(app, "k", folderstamps.folder_times([str(folder)]), "c", {"x": 1})
    assert folderstamps.unchanged(app, "k", [str(folder)], "c") == {"x": 1}
    (folder / "new.pdf").write_bytes(b"%PDF")
    assert folderstamps.unchanged(app, "k", [str(folder)], "c") is None


def test_a_file_written_again_in_place_changes_nothing(app, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "page.html").write_text("one", encoding="utf-8")
    aged(folder)
    folderstamps.record(app, "k", folderstamps.folder_times([str(folder)]))
    (folder / "page.html").write_text("two", encoding="utf-8")
    assert folderstamps.unchanged(app, "k", [str(folder)]) is True


def test_a_record_made_too_soon_after_the_folder_changed_is_not_trusted(app, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    times = folderstamps.folder_times([str(folder)])
    folderstamps.record(app, "k", times, at=times[str(folder)] + SAFETY_NS - 1)
    assert folderstamps.unchanged(app, "k", [str(folder)]) is None
    folderstamps.record(app, "k", times, at=times[str(folder)] + SAFETY_NS)
    assert folderstamps.unchanged(app, "k", [str(folder)]) is True


def test_another_context_a_missing_folder_or_a_damaged_record_is_no_record(app, tmp_path):
    folder, gone = tmp_path / "folder", tmp_path / "gone"
    folder.mkdir()
    aged(folder)
    folderstamps.record(app, "k", folderstamps.folder_times([str(folder), str(gone)]), "c")
    assert folderstamps.unchanged(app, "k", [str(folder), str(gone)], "c") is None
    folderstamps.record(app, "k", folderstamps.folder_times([str(folder)]), "c")
    assert folderstamps.unchanged(app, "k", [str(folder)], "other") is None
    assert folderstamps.unchanged(app, "k", [str(folder), str(gone)], "c") is None
    Path(app.doctreedir, STAMPS).write_text("{damaged", encoding="utf-8")
    assert folderstamps.unchanged(app, "k", [str(folder)], "c") is None
    folderstamps.record(app, "k", folderstamps.folder_times([str(folder)]), "c")
    folderstamps.forget(app, "k")
    assert folderstamps.unchanged(app, "k", [str(folder)], "c") is None


def age_every_folder(root: Path) -> None:
    for folder in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        aged(folder)


def quiet_builds(src: Path, count: int = 2) -> SphinxTestApp:
    """Builds after which every record is trusted (folders aged first)."""
    app = None
    for _ in range(count):
        age_every_folder(src)
        app = build(src)
        assert app.warning.getvalue() == ""
    return app


def test_a_pdf_put_beside_a_page_after_trusted_builds_is_linked(tmp_path):
    src, app = built_kb_root(tmp_path)
    app = quiet_builds(src)
    assert folderstamps.unchanged(app, "essay-outputs", [str(Path(app.outdir, "essays"))],
                                  "kb_essay_pdf=True") is True
    Path(app.outdir, "essays", "alpha.pdf").write_bytes(b"%PDF-1.5\n")
    app = build(src)
    assert 'href="alpha.pdf"' in Path(app.outdir, "essays", "alpha.html").read_text(
        encoding="utf-8")


def test_a_download_deleted_by_hand_after_trusted_builds_is_made_again(tmp_path):
    src, app = built_kb_root(tmp_path)
    app = quiet_builds(src)
    download = next(p for p in Path(app.outdir, "essays").iterdir()
                    if p.name.startswith("alpha.") and p.suffix in {".bib", ".ris"})
    text = download.read_bytes()
    download.unlink()
    build(src)
    assert download.read_bytes() == text


def test_a_second_file_for_a_page_after_trusted_builds_is_reported_every_time(tmp_path):
    src, app = built_kb_root(tmp_path)
    quiet_builds(src)
    (src / "essays" / "alpha.rst").write_text("Alpha\n=====\n", encoding="utf-8")
    records = []
    for build_number in range(3):  # listed, listed (aged folders), trusted
        if build_number == 1:
            age_every_folder(src)
        app = build(src)
        assert "essays/alpha.rst and essays/alpha.md would both be" in app.warning.getvalue()
        assert not Path(app.outdir, "essays", "alpha.rst.html").exists()
        stamps = json.loads(Path(app.doctreedir, STAMPS).read_text(encoding="utf-8"))
        records.append(stamps["source-files"])
    assert records[2] == records[1]  # the third build trusted the second's record
    assert records[2]["data"]["excluded"] == ["essays/alpha.rst"]
