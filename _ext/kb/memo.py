"""Bounded memos of pure functions, for a process that runs many builds.

A memo kept in a plain dict grows for as long as the process lives (the
test suite runs hundreds of builds in one), and one keyed by ``id()``
answers for a freed object's successor at the same address. These hold
at most ``maxsize`` items, dropping the least recently used first, and
:class:`PerObject` checks that an id still belongs to the object it was
computed for.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

#: Items a memo holds by default: above the 30,000 refs.bib entries of the
#: largest bench site (10,000 essays), so no build computes anything twice.
MAXSIZE = 65_536


class LRU(Generic[K, V]):
    """A mapping of at most ``maxsize`` items; the least recently used goes first.

    Values are never None (:meth:`get` returns None for a missing key).
    """

    def __init__(self, maxsize: int = MAXSIZE) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._items: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.maxsize:
            self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        self._items.clear()


class PerObject(Generic[T, V]):
    """``compute(obj)`` once per object, for objects that cannot be dict keys.

    Keyed by ``id(obj)``, with a weak reference to the object: the memo
    does not keep it alive, and an id reused by a new object after the old
    one was freed is recognised (the reference is dead) and computed anew.
    """

    def __init__(self, compute: Callable[[T], V], maxsize: int = MAXSIZE) -> None:
        self.compute = compute
        self.maxsize = maxsize
        self._items: LRU[int, tuple[weakref.ref[T], V]] = LRU(maxsize)

    def __len__(self) -> int:
        return len(self._items)

    def __call__(self, obj: T) -> V:
        known = self._items.get(id(obj))
        if known is not None and known[0]() is obj:
            return known[1]
        value = self.compute(obj)
        self._items.put(id(obj), (weakref.ref(obj), value))
        return value
