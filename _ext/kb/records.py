"""Per-document records that pickle in buckets, each pickled again only
when one of its records changed.

Sphinx pickles the whole environment after every build that read a page.
The ``kb`` domain's essays (one :class:`~kb.models.Essay`, with its
authors and roles, per essay) are the largest part of it made of small
objects: at 10,000 essays, 0.12 s of each edit's pickling, though an edit
changes one essay's record or none. So the essays are kept in a
:class:`Records`: a dict whose items fall into :data:`BUCKETS` buckets by
a stable hash of their key, which pickles as one pickle (bytes) per
bucket. The bytes a bucket was loaded from, or last pickled as, are kept
until one of its items is set or removed, and pickled again as they are.
The keys' order is pickled too (a list of strings, a millisecond), so a
loaded copy iterates in the order the original did, as a dict's pickle
would.

Only for records that are never changed in place (frozen dataclasses of
tuples and strings): a change made inside a value is not seen.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

#: How many buckets: an edit pickles one of them again.
BUCKETS = 64

_MISSING: Any = object()


def bucket_of(key: str) -> int:
    """The key's bucket, the same in every process (unlike ``hash``)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % BUCKETS


class Records(dict[str, Any]):
    """A dict of immutable records that pickles as buckets of bytes."""

    __slots__ = ("_pickled",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pickled: dict[int, bytes] = {}  # bucket -> its pickle, while unchanged

    # -- every way to change an item forgets its bucket's pickle ----------
    def __setitem__(self, key: str, value: Any) -> None:
        self._pickled.pop(bucket_of(key), None)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self, key)
        self._pickled.pop(bucket_of(key), None)

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        if key in self:
            self._pickled.pop(bucket_of(key), None)
            return dict.pop(self, key)
        if default is _MISSING:
            raise KeyError(key)
        return default

    def popitem(self) -> tuple[str, Any]:
        key, value = dict.popitem(self)
        self._pickled.pop(bucket_of(key), None)
        return key, value

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        items = other.items() if isinstance(other, Mapping) else other
        for key, value in [*items, *kwargs.items()]:
            self[key] = value

    def __ior__(self, other: Any) -> Records:  # type: ignore[override,misc]
        self.update(other)
        return self

    def clear(self) -> None:
        dict.clear(self)
        self._pickled.clear()

    # -- pickling ------------------------------------------------------------
    def pickled_buckets(self) -> list[bytes]:
        """Every bucket's pickle, made again only for buckets changed since."""
        changed: dict[int, dict[str, Any]] = {
            number: {} for number in range(BUCKETS) if number not in self._pickled}
        if changed:
            for key, value in dict.items(self):
                items = changed.get(bucket_of(key))
                if items is not None:
                    items[key] = value
            for number, items in changed.items():
                self._pickled[number] = pickle.dumps(items, pickle.HIGHEST_PROTOCOL)
        return [self._pickled[number] for number in range(BUCKETS)]

    def __reduce__(self) -> tuple[Any, tuple[list[bytes], list[str]]]:
        return (restore, (self.pickled_buckets(), list(self)))


def restore(buckets: Iterable[bytes], order: Iterable[str]) -> Records:
    """The records these bucket pickles hold, in this order of keys, each
    pickle kept for the next time they are pickled (unless the number of
    buckets changed)."""
    items: dict[str, Any] = {}
    buckets = list(buckets)
    for bucket in buckets:
        items.update(pickle.loads(bucket))
    records = Records()
    dict.update(records, ((key, items[key]) for key in order))
    if len(buckets) == BUCKETS:
        records._pickled = dict(enumerate(buckets))  # noqa: SLF001 - our own class
    return records
