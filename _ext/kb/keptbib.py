"""The parsed refs.bib pickled beside the environment, not inside it.

Sphinx pickles the whole environment after every build that read a page,
and sphinxcontrib-bibtex keeps its parse of the bib files there: at 10,000
essays (30,000 works) that parse is 21 of the environment's 57 MB, written
again after every essay edit though refs.bib did not change
(bench/README.md, run H). Here the parse is written once, to a file of its
own named by its digest, when it is made; the environment holds a
:class:`KeptBibliography`, which pickles as a reference to that file and
is read back from it when the environment is loaded.

A missing or unreadable file (a moved or half-deleted build folder) gives
a :class:`LostBibliography`, empty, which :mod:`kb.bibcheck` parses again.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

from pybtex.database import BibliographyData

#: In the doctree folder: ``kb-bibdata-<digest>.pickle``.
PREFIX = "kb-bibdata-"


class KeptBibliography(BibliographyData):
    """A parse of the bib files that pickles as the name of its file."""

    kept_file: str = ""

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (restore, (self.kept_file,))


class LostBibliography(BibliographyData):
    """No parse: its file could not be read. Pickles as empty."""

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (LostBibliography, ())


def _like(cls: type[BibliographyData], data: BibliographyData) -> Any:
    """The same parse (sharing its entries) as an instance of ``cls``."""
    new: BibliographyData = object.__new__(cls)
    vars(new).update((k, v) for k, v in vars(data).items() if k != "kept_file")
    return new


def keep(data: BibliographyData, doctreedir: Path) -> KeptBibliography:
    """``data`` written to its own file in ``doctreedir``; other such files
    (older parses) are deleted."""
    if isinstance(data, KeptBibliography) and Path(data.kept_file).is_file():
        return data
    blob = pickle.dumps(_like(BibliographyData, data), pickle.HIGHEST_PROTOCOL)
    path = Path(doctreedir) / f"{PREFIX}{hashlib.sha256(blob).hexdigest()[:32]}.pickle"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file():
        partial = path.with_suffix(".partial")
        partial.write_bytes(blob)
        partial.replace(path)  # never a half-written parse under the real name
    for old in path.parent.glob(f"{PREFIX}*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)
    kept: KeptBibliography = _like(KeptBibliography, data)
    kept.kept_file = str(path)
    return kept


def restore(kept_file: str) -> BibliographyData:
    """Unpickling a :class:`KeptBibliography`: the parse read from its file."""
    try:
        with open(kept_file, "rb") as file:
            data = pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return LostBibliography()
    if not isinstance(data, BibliographyData):
        return LostBibliography()
    kept: KeptBibliography = _like(KeptBibliography, data)
    kept.kept_file = kept_file
    return kept


def is_lost(data: BibliographyData) -> bool:
    return isinstance(data, LostBibliography)
