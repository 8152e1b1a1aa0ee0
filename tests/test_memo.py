"""Bounded memos (``kb.memo``) and the citation caches built on them.

A memo must never grow past its bound, however many builds a process runs
(the test suite runs hundreds), and a memo keyed by ``id()`` must never
answer for an object freed and replaced by another at the same address.
"""

from __future__ import annotations

import gc
import weakref

import pytest
from pybtex.database import Entry

from conftest import REPO  # noqa: F401  (puts _ext on sys.path)
from kb import citations, vancouver
from kb.memo import LRU, PerObject


def entry(title: str) -> Entry:
    return Entry("article", fields={"title": title, "journal": "J Test", "year": "2001"})


def test_lru_holds_at_most_its_bound_dropping_the_least_recently_used() -> None:
    memo: LRU[str, int] = LRU(3)
    for number, key in enumerate("abc"):
        memo.put(key, number)
    assert memo.get("a") == 0  # "a" is now the most recently used
    memo.put("d", 3)
    assert len(memo) == 3
    assert memo.get("b") is None
    assert [memo.get(k) for k in "acd"] == [0, 2, 3]


def test_lru_refuses_a_bound_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LRU(0)


def test_fingerprint_memo_does_not_grow_past_its_bound_over_many_entries() -> None:
    memo = PerObject(vancouver._content_hash, maxsize=50)
    entries = [entry(f"Title {n}") for n in range(1_000)]
    fingerprints = [memo(e) for e in entries]
    assert len(memo) == 50
    assert len(set(fingerprints)) == 1_000
    assert fingerprints[0] == memo(entries[0])  # dropped, computed again, the same


def test_the_real_memos_are_bounded() -> None:
    assert vancouver.entry_fingerprint.maxsize == citations._formatted.maxsize
    assert citations._formatted.maxsize >= 30_000  # the largest bench site's refs.bib


def test_a_memo_does_not_keep_an_entry_alive() -> None:
    first = entry("Freed")
    vancouver.entry_fingerprint(first)
    ref = weakref.ref(first)
    del first
    gc.collect()
    assert ref() is None


def test_a_new_entry_at_a_freed_entrys_id_gets_its_own_fingerprint() -> None:
    """CPython gives a freed object's memory to the next object of its size."""
    kept = []  # objects that took other addresses, kept so they are not reused
    for _ in range(1_000):
        old = entry("The old title")
        old_id, old_fingerprint = id(old), vancouver.entry_fingerprint(old)
        del old
        new = entry("A new title")
        if id(new) == old_id:
            break
        kept.append(new)
    else:
        pytest.fail("no new entry was given a freed entry's id in 1,000 tries")
    assert vancouver.entry_fingerprint(new) == vancouver._content_hash(new)
    assert vancouver.entry_fingerprint(new) != old_fingerprint


def test_formatted_references_stay_within_the_bound_and_right(
        monkeypatch: pytest.MonkeyPatch) -> None:
    vancouver.register()
    monkeypatch.setattr(citations, "_formatted", LRU(5))
    entries = [entry(f"Title number {n}") for n in range(40)]
    texts = [citations.formatted(e, "vancouver").render_as("text") for e in entries]
    assert len(citations._formatted) == 5
    assert all(f"Title number {n}" in text for n, text in enumerate(texts))
    assert citations.formatted(entries[0], "vancouver").render_as("text") == texts[0]
