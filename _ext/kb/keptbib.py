"""The parsed refs.bib pickled beside the environment, not inside it.

Sphinx pickles the whole environment after every build that read a page,
and sphinxcontrib-bibtex keeps its parse of the bib files there: at 10,000
essays (30,000 works) that parse is 21 of the environment's 57 MB, written
again after every essay edit though refs.bib did not change
(bench/README.md, run H). Here the parse is written once, to a file of its
own named by its digest, when it is made; the environment holds a
:class:`KeptBibliography`, which pickles as a reference to that file and
is read back from it when the environment is loaded.

In that file each entry is pickled on its own (:class:`LazyEntries`) and
unpickled when first read: an essay edit reads the few works the essay
cites, not all 30,000 (0.45 s of every build's start at 10,000 essays, for
17.9 MB; bench/README.md). Code that reads every entry (a full build, a
refs.bib edit) unpickles each once, about the time of the whole file.

A missing or unreadable file (a moved or half-deleted build folder) gives
a :class:`LostBibliography`, empty, which :mod:`kb.bibcheck` parses again.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import OrderedDict
from pathlib import Path
from typing import Any

from pybtex.database import BibliographyData
from pybtex.utils import OrderedCaseInsensitiveDict

#: In the doctree folder: ``kb-bibdata-<digest>.pickle``.
PREFIX = "kb-bibdata-"


class LazyEntries(OrderedCaseInsensitiveDict):
    """pybtex's entries by key (case-insensitive, in file order), each stored
    as its own pickle until it is read.

    pybtex's mapping keeps ``_dict`` (lower-case key -> entry) and ``_keys``
    (lower-case key -> key as written, in order); every read of an entry
    (``[]``, ``get``, ``values``, ``items``, ``pop``: the mapping mixins)
    goes through ``__getitem__`` (``tests/test_keptbib.py``).
    """

    def __getitem__(self, key: str) -> Any:
        lower = key.lower()
        value = self._dict[lower]
        if type(value) is bytes:
            value = self._dict[lower] = pickle.loads(value)
        return value

    @classmethod
    def of(cls, entries: OrderedCaseInsensitiveDict) -> LazyEntries:
        """The same entries (pickles stay pickles)."""
        lazy = cls()
        lazy._keys = OrderedDict(entries._keys)
        lazy._dict = dict(entries._dict)
        return lazy

    def __reduce__(self) -> tuple[Any, tuple[Any, dict[str, bytes]]]:
        packed = {lower: value if type(value) is bytes
                  else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
                  for lower, value in self._dict.items()}
        return (_lazy_entries, (list(self._keys.items()), packed))


def _lazy_entries(keys: list[tuple[str, str]], packed: dict[str, bytes]) -> LazyEntries:
    lazy = LazyEntries()
    lazy._keys = OrderedDict(keys)
    lazy._dict = packed
    return lazy


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
    plain = _like(BibliographyData, data)
    vars(plain)["entries"] = LazyEntries.of(data.entries)
    blob = pickle.dumps(plain, pickle.HIGHEST_PROTOCOL)
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
    if not isinstance(data.entries, LazyEntries):  # a file of an older kb: kept again
        return _like(BibliographyData, data)
    kept: KeptBibliography = _like(KeptBibliography, data)
    kept.kept_file = kept_file
    return kept


def is_lost(data: BibliographyData) -> bool:
    return isinstance(data, LostBibliography)
