"""The object inventory is Sphinx's own, from kept title texts (kb.inventory).

The rules: ``objects.inv`` is byte for byte what Sphinx's inventory writer
makes from the environment's title nodes, after a clean build and after
an incremental one; a page read again has its new title; a kept text is
used only for the very read it was made from; a damaged file of kept texts
is made again; a build that changes no entry leaves the file as it was,
unless the file is not the one the last build wrote.
"""

from __future__ import annotations

import pickle
import zlib
from pathlib import Path

import pytest
from sphinx.util.inventory import InventoryFile

from conftest import build, built_kb_root
from kb.inventory import KEPT, WRITTEN


def sphinx_inventory(app, dest: Path) -> bytes:
    """What Sphinx writes for this build's environment, title nodes and all."""
    InventoryFile.dump(dest, app.env, app.builder)
    return dest.read_bytes()


def retitle(src: Path, title: str) -> None:
    path = src / "essays" / "alpha.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("title: ") + len("title: ")
    end = text.index("\n", start)
    path.write_text(text[:start] + title + text[end:], encoding="utf-8")


def titles_in(app) -> str:
    """The inventory's entries: four header lines, then zlib."""
    data = Path(app.outdir, "objects.inv").read_bytes()
    return zlib.decompress(data.split(b"\n", 4)[4]).decode()


def test_a_clean_build_writes_sphinx_s_inventory(tmp_path):
    _, app = built_kb_root(tmp_path)
    ours = Path(app.outdir, "objects.inv").read_bytes()
    assert ours == sphinx_inventory(app, tmp_path / "sphinx.inv")
    assert "essays/alpha std:doc -1 essays/alpha.html Alpha essay" in titles_in(app)


def test_a_page_read_again_has_its_new_title(tmp_path):
    src, _ = built_kb_root(tmp_path)
    retitle(src, "Alpha essay, retitled")
    app = build(src)
    assert "Alpha essay, retitled" in titles_in(app)
    assert Path(app.outdir, "objects.inv").read_bytes() == sphinx_inventory(
        app, tmp_path / "sphinx.inv")


def test_a_kept_text_is_used_only_for_the_read_it_came_from(tmp_path):
    src, app = built_kb_root(tmp_path)
    kept = Path(app.doctreedir, KEPT)
    before = kept.read_bytes()  # texts of the first reads
    retitle(src, "Alpha essay, retitled")
    build(src)
    kept.write_bytes(before)  # as if the last build stopped before writing them
    app = build(src)
    assert "Alpha essay, retitled" in titles_in(app)
    assert pickle.loads(kept.read_bytes()) != pickle.loads(before)


@pytest.mark.parametrize("damaged", [
    b"not a pickle",
    pickle.dumps({"essays/alpha": "Another title", "essays/beta": (1, None)}),
    pickle.dumps(["a", "list"]),
])
def test_a_damaged_file_of_kept_texts_is_made_again(tmp_path, damaged):
    src, app = built_kb_root(tmp_path)
    kept = Path(app.doctreedir, KEPT)
    expected = Path(app.outdir, "objects.inv").read_bytes()
    kept.write_bytes(damaged)
    app = build(src)
    assert Path(app.outdir, "objects.inv").read_bytes() == expected
    assert isinstance(pickle.loads(kept.read_bytes()), dict)


def edit_text(src: Path) -> None:
    path = src / "essays" / "alpha.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                    encoding="utf-8")


def test_an_edit_that_changes_no_entry_leaves_the_file_as_it_was(tmp_path):
    src, app = built_kb_root(tmp_path)
    inventory = Path(app.outdir, "objects.inv")
    written = inventory.stat().st_mtime_ns
    edit_text(src)
    app = build(src)
    assert inventory.stat().st_mtime_ns == written
    assert inventory.read_bytes() == sphinx_inventory(app, tmp_path / "sphinx.inv")


def test_a_changed_entry_writes_the_file_again(tmp_path):
    src, app = built_kb_root(tmp_path)
    inventory = Path(app.outdir, "objects.inv")
    before = inventory.read_bytes()
    retitle(src, "Alpha essay, retitled")
    app = build(src)
    assert inventory.read_bytes() != before
    assert inventory.read_bytes() == sphinx_inventory(app, tmp_path / "sphinx.inv")


@pytest.mark.parametrize("tamper", ["delete", "overwrite", "damage record"])
def test_a_file_the_last_build_did_not_leave_is_written_again(tmp_path, tamper):
    src, app = built_kb_root(tmp_path)
    inventory = Path(app.outdir, "objects.inv")
    expected = inventory.read_bytes()
    if tamper == "delete":
        inventory.unlink()
    elif tamper == "overwrite":
        inventory.write_bytes(b"# Sphinx inventory version 2\n")
    else:
        Path(app.doctreedir, WRITTEN).write_text("{not json", encoding="utf-8")
        inventory.write_bytes(b"# Sphinx inventory version 2\n")
    edit_text(src)
    build(src)
    assert inventory.read_bytes() == expected


def test_a_new_label_writes_the_file_again(tmp_path):
    src, app = built_kb_root(tmp_path)
    path = src / "essays" / "alpha.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n(kb-new-label)=\n## A new part\n\n"
                    "Its text.\n", encoding="utf-8")
    app = build(src)
    assert "kb-new-label std:label -1 essays/alpha.html#$ A new part" in titles_in(app)
    assert Path(app.outdir, "objects.inv").read_bytes() == sphinx_inventory(
        app, tmp_path / "sphinx.inv")
