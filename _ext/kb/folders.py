"""Which documents have a file beside them: one listing of each folder.

Several checks ask the same question of every essay (is its doctree there,
its PDF, its downloads?). A file lookup per essay costs a ``stat`` and,
through ``pathlib``, a few objects each: 10,000 essays live in one or two
folders, so listing each folder once and answering from the listing is
cheaper (bench/README.md, sessions 8 and 9).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable


def documents_with(root: str, docnames: Iterable[str],
                   has: Callable[[str, set[str]], bool]) -> set[str]:
    """The documents for which ``has(name, names)`` holds, where ``name`` is
    the document's last part and ``names`` the files of its folder under
    ``root`` (none when the folder cannot be listed)."""
    listed: dict[str, set[str]] = {}
    found = set()
    for docname in docnames:
        folder, _, name = docname.rpartition("/")
        names = listed.get(folder)
        if names is None:
            try:
                names = listed[folder] = set(os.listdir(os.path.join(root, folder)))
            except OSError:
                names = listed[folder] = set()
        if has(name, names):
            found.add(docname)
    return found
