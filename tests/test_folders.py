"""documents_with: one listing per folder answers for every document in it."""

from __future__ import annotations

import os

from kb.folders import documents_with


def test_documents_are_found_by_the_files_of_their_folder(tmp_path, monkeypatch):
    (tmp_path / "essays").mkdir()
    for name in ("a.pdf", "b.html", "c.pdf"):
        (tmp_path / "essays" / name).write_text("x", encoding="utf-8")
    (tmp_path / "index.pdf").write_text("x", encoding="utf-8")
    listed = []
    real_listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda path: listed.append(path) or real_listdir(path))
    found = documents_with(str(tmp_path), ["essays/a", "essays/b", "essays/c", "index",
                                           "gone/x"],
                           lambda name, names: name + ".pdf" in names)
    assert found == {"essays/a", "essays/c", "index"}
    assert len(listed) == 3  # essays/, the root, gone/ (missing): once each
