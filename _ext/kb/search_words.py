"""The search index's vocabulary, for the search page's checks and suggestions.

Pagefind matches each query word as a prefix of the indexed words and,
when no indexed word starts with it, falls back to the longest indexed
word the query word starts with (upstream Pagefind #315, #793): a search
for ``photosynthesis`` "finds" a page holding the one-letter word ``p``.
The search page therefore checks each word against this vocabulary first,
and offers "Did you mean ..." from it when a word is in no page.

The vocabulary is read from what Pagefind indexed (its fragments: each
page's indexed text and metadata), cut into words as Pagefind cuts them
(whitespace, then letters and digits only, lower case, no diacritics, and
the parts of hyphenated words), with the number of pages holding each word.
It is written in shards keyed by the words' first letters (:func:`shard_key`)
so that a search fetches only the shard of each query word: at 10,000
essays the whole vocabulary is megabytes, a shard a few kilobytes.

- ``pagefind/kb-words.json``: ``{"shards": {key: file}}``, the shard list;
- ``pagefind/kb-words/<key>.<hash>.json``: ``[[word, pages], ...]`` sorted
  by word (names carry a content hash, so a cached shard is never stale);
- ``pagefind-recent/kb-words.json``: the recent index's vocabulary, whole
  (it holds a few pages), with the ids of its pages, so that results from
  that index are dropped when a query word is not among its words.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import pagefind_bundle as bundle

#: The shard list, in the main bundle's folder; the shards' folder beside it.
INDEX = "kb-words.json"
SHARDS = "kb-words"
#: A shard of more words than this is split by one more letter.
SHARD_WORDS = 1500
#: Metadata fields whose words Pagefind indexes and a reader searches for.
META_FIELDS = ("title", "authors")
_NOT_WORD = re.compile(r"[^\w]|_")
_PARTS = re.compile(r"[^\W_]+")


def _plain(text: str) -> str:
    """Lower case without diacritics, as Pagefind normalises indexed words."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(text: str) -> set[str]:
    """The distinct words Pagefind indexes for ``text`` (before stemming)."""
    out: set[str] = set()
    for token in set(text.split()):
        word = _NOT_WORD.sub("", token)
        if not word:
            continue
        out.add(_plain(word))
        if len(word) != len(token):  # a compound: its parts are indexed too
            out.update(_plain(part) for part in _PARTS.findall(token))
    return out


def _fragments(folder: Path) -> Iterator[tuple[str, dict]]:
    """``(page id, fragment)`` of every page in a Pagefind bundle."""
    fragments = folder / "fragment"
    if not fragments.is_dir():
        return
    for path in sorted(fragments.iterdir()):
        data = gzip.decompress(path.read_bytes()).removeprefix(bundle._FRAGMENT_MAGIC)
        yield path.name.removesuffix(".pf_fragment"), json.loads(data)


def page_words(fragment: dict) -> set[str]:
    meta = fragment.get("meta") or {}
    text = " ".join([fragment.get("content", ""),
                     *(str(meta[field]) for field in META_FIELDS if field in meta)])
    return words_of(text)


def vocabulary(folder: Path) -> tuple[Counter[str], list[str]]:
    """Each word's page count, and the page ids, of one bundle."""
    counts: Counter[str] = Counter()
    ids = []
    for page_id, fragment in _fragments(folder):
        counts.update(page_words(fragment))
        ids.append(page_id)
    return counts, ids


def shard_key(word: str, keys: Iterable[str] = ()) -> str:
    """The shard a word lives in: the longest key it starts with (else 2 letters)."""
    best = word[:2]
    for key in keys:
        if word.startswith(key) and len(key) > len(best):
            best = key
    return best


def shards(counts: Counter[str]) -> dict[str, list[tuple[str, int]]]:
    """Words grouped by their first two letters, big groups by three, four ..."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for word in sorted(counts):
        groups.setdefault(word[:2], []).append((word, counts[word]))
    out: dict[str, list[tuple[str, int]]] = {}
    pending = list(groups.items())
    while pending:
        key, words = pending.pop()
        if len(words) <= SHARD_WORDS:
            out[key] = words
            continue
        # Too big: one letter deeper (the word ``key`` itself, if any, stays here).
        longer: dict[str, list[tuple[str, int]]] = {}
        for word, count in words:
            longer.setdefault(word[:len(key) + 1], []).append((word, count))
        if len(longer) == 1:
            out[key] = words
            continue
        pending += longer.items()
    return out


def _dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_main(outdir: Path) -> int:
    """Write the main index's vocabulary in shards; the number of words."""
    main = outdir / bundle.MAIN_DIR
    counts, _ = vocabulary(main)
    folder = main / SHARDS
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    listing = {}
    for key, words in sorted(shards(counts).items()):
        data = _dump([[w, c] for w, c in words])
        name = f"{key}.{hashlib.sha256(data).hexdigest()[:10]}.json"
        (folder / name).write_bytes(data)
        listing[key] = name
    (main / INDEX).write_bytes(_dump({"pages": sum(1 for _ in (main / "fragment").iterdir())
                                      if (main / "fragment").is_dir() else 0,
                                      "shards": listing}))
    return len(counts)


def write_recent(outdir: Path) -> None:
    """Write the recent index's vocabulary, whole, with its page ids."""
    recent = outdir / bundle.RECENT_DIR
    if not recent.is_dir():
        return
    counts, ids = vocabulary(recent)
    (recent / INDEX).write_bytes(_dump({"ids": ids, "words": sorted(counts.items())}))


def write(outdir: Path, whole: bool) -> None:
    """After Pagefind: the main vocabulary when it reindexed all, the recent one always."""
    if whole or not (outdir / bundle.MAIN_DIR / INDEX).is_file():
        write_main(outdir)
    write_recent(outdir)
