"""Each page's table of contents kept pickled until a build reads it.

Sphinx keeps every page's section tree (``env.tocs``: docutils nodes) in
the environment, which it unpickles at the start of every build and
pickles again after any page was read. At 10,000 essays that is 15 MB of
small node objects, about 1.2 s of each edit's pickling and as much of
its loading (bench/README.md, "Profile: what an edit at 10,000 spent"),
yet an edit reads only the tables of the pages it writes: essays are in
no toctree, so only the edited page's own table and the few pages in the
root toctree are looked at.

So ``env.tocs`` becomes a :class:`LazyTocs`: a dict whose values are
stored as each table's own pickle (bytes) and unpickled on first access
through ``tocs[docname]``; one that was accessed or set is pickled again
when the environment is saved (Sphinx may number its sections in place).
Pickling and unpickling 10,000 byte strings costs a few milliseconds. A
table's nodes refer to nothing outside it (no ``document``, no parent), so
pickling each alone gives the same trees as pickling them together.

Each page's long title (``env.longtitles``, 2.2 MB of nodes at 10,000
essays, 0.08 s of each edit) and short title (``env.titles``, 0.07 s) are
kept the same way: Sphinx reads them only for the page it writes and its
neighbours, and for the object inventory, which ``kb.inventory`` writes
from each title's kept text.

How Sphinx and furo use ``env.tocs``, ``env.longtitles`` and ``env.titles``
(``tests/test_compat.py``, touch point 18): item access, ``get``, ``in``,
``pop`` and assignment. The other ways to
read a dict's values (``get``, ``values``, ``items``, ``setdefault``,
``copy``) are overridden too; the one that cannot be is ``dict(tocs)``
or ``{**tocs}``, which copy the stored bytes: nothing in Sphinx 9.0.4
does that.
"""

from __future__ import annotations

import pickle
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from . import _compat

_MISSING: Any = object()


def _unpacked(value: Any) -> Any:
    return pickle.loads(value) if type(value) is bytes else value


def _packed(value: Any) -> bytes:
    return value if type(value) is bytes else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


class LazyTocs(dict[str, Any]):
    """``env.tocs`` whose tables stay pickled until read."""

    __slots__ = ()

    def __getitem__(self, docname: str) -> nodes.bullet_list:
        value = dict.__getitem__(self, docname)
        if type(value) is bytes:
            value = pickle.loads(value)
            dict.__setitem__(self, docname, value)
        return value

    def get(self, docname: str, default: Any = None) -> Any:
        if docname not in self:
            return default
        return self[docname]

    def pop(self, docname: str, default: Any = _MISSING) -> Any:
        if default is _MISSING:
            return _unpacked(dict.pop(self, docname))
        return _unpacked(dict.pop(self, docname, default))

    def popitem(self) -> tuple[str, Any]:
        docname, value = dict.popitem(self)
        return docname, _unpacked(value)

    def setdefault(self, docname: str, default: Any = None) -> Any:
        if docname not in self:
            self[docname] = default
        return self[docname]

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self[docname] for docname in self]

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return [(docname, self[docname]) for docname in self]

    def copy(self) -> LazyTocs:
        return LazyTocs(dict.items(self))

    def packed(self) -> dict[str, bytes]:
        """Every table as its pickle: what this dict pickles as."""
        return {docname: _packed(value) for docname, value in dict.items(self)}

    def __reduce__(self) -> tuple[Any, tuple[dict[str, bytes]]]:
        return (restore, (self.packed(),))


def restore(packed: dict[str, Any]) -> LazyTocs:
    """A :class:`LazyTocs` of these tables, pickled or not (unpickling one:
    its tables still pickled; or a plain dict an older environment held)."""
    tocs = LazyTocs()
    dict.update(tocs, packed)
    return tocs


def make_lazy(app: Sphinx, env: BuildEnvironment, *args: Any) -> None:
    """``env.tocs``, ``env.longtitles`` and ``env.titles`` as
    :class:`LazyTocs` (an environment made by an earlier version or by
    Sphinx holds plain dicts)."""
    if not isinstance(env.tocs, LazyTocs):
        _compat.replace_tocs(env, restore(env.tocs))
    if not isinstance(env.longtitles, LazyTocs):
        _compat.replace_longtitles(env, restore(env.longtitles))
    if not isinstance(env.titles, LazyTocs):
        _compat.replace_titles(env, restore(env.titles))
