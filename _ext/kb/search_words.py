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

- ``pagefind/kb-words.json``: ``{"shards": {key: file}, "pages": n,
  "common": m}``, the shard list, and above how many pages a word is common;
- ``pagefind/kb-words/<key>.<hash>.json``: ``[[word, pages, heading pages],
  ...]`` sorted by word (names carry a content hash, so a cached shard is
  never stale); when the main index is itself in shards
  (:mod:`kb.pagefind_bundle`), each word also has the shards that hold it,
  bit ``i`` for shard ``i`` (``pagefind/`` is 0, then the manifest's
  ``shards`` in order): in a shard without the word, Pagefind's fallback
  would find pages by a shorter word, so the search page searches only
  the shards that have every query word;
- ``pagefind-recent/<k>/kb-words.json``: each recent segment's vocabulary,
  whole (it holds a few pages), with the ids of its pages, so that results
  from the recent segments are dropped when a query word is not among
  their words.

A word used on most pages costs a search dearly: Pagefind's index holds
every place every page uses it, so at 10,000 essays one such word is a
download of 100-300 kB (``bench/SEARCH.md``). Readers searching for such
words mostly want the essays *about* them, so this module also writes a
*headings* index, ``pagefind-titles/``: one small record per page with
only its title, its authors' names and its themes' names (and the
essay's filters and date: a filter's essays are listed from it). When
every word of a query is common and all are in some page's headings,
the search page answers from that index first,
the pages whose title, authors or themes match, and offers the full text
search as a second step: a first search stays small at any size.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import shutil
import tempfile
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
#: The most shards of the main index whose words' places fit a JavaScript
#: number (bits 0-52); past that the search page searches every shard.
MASK_SHARDS = 53
#: Metadata fields whose words Pagefind indexes and a reader searches for.
META_FIELDS = ("title", "authors")
#: The headings index's folder, beside the main one.
HEADINGS_DIR = "pagefind-titles"
#: A word is common when more pages than this share of them (and than
#: COMMON_MIN) have it: then the headings index answers first.
COMMON_SHARE = 0.1
COMMON_MIN = 50
_NOT_WORD = re.compile(r"[^\w]|_")
_PARTS = re.compile(r"[^\W_]+")


def _plain(text: str) -> str:
    """Lower case without diacritics, as Pagefind normalises indexed words."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(text: str) -> set[str]:
    """The distinct words Pagefind indexes for ``text`` (before stemming)."""
    out: set[str] = set()
    for token in set(_plain(text).split()):
        word = _NOT_WORD.sub("", token)
        if not word:
            continue
        out.add(word)
        if len(word) != len(token):  # a compound: its parts are indexed too
            out.update(_PARTS.findall(token))
    return out


def _fragments(*folders: Path) -> Iterator[tuple[str, dict]]:
    """``(page id, fragment)`` of every page in some Pagefind bundles (shards)."""
    for folder in folders:
        fragments = folder / "fragment"
        if not fragments.is_dir():
            continue
        for path in sorted(fragments.iterdir()):
            data = gzip.decompress(path.read_bytes()).removeprefix(bundle._FRAGMENT_MAGIC)
            yield path.name.removesuffix(".pf_fragment"), json.loads(data)


def page_words(fragment: dict) -> set[str]:
    meta = fragment.get("meta") or {}
    text = " ".join([fragment.get("content", ""),
                     *(str(meta[field]) for field in META_FIELDS if field in meta)])
    return words_of(text)


def vocabulary(*folders: Path) -> tuple[Counter[str], list[str]]:
    """Each word's page count, and the page ids, of some bundles (an index's shards)."""
    counts, ids, _, _ = read(*folders)
    return counts, ids


def read(*folders: Path) -> tuple[Counter[str], list[str], list[dict], dict[str, int]]:
    """One pass over some bundles (the main index's shards): each word's
    page count, the page ids, each page's fragment without its text, and
    in which bundles each word is (bit ``i`` for ``folders[i]``)."""
    counts: Counter[str] = Counter()
    masks: dict[str, int] = {}
    ids, pages = [], []
    for number, folder in enumerate(folders):
        bit = 1 << number
        for page_id, fragment in _fragments(folder):
            words = page_words(fragment)
            counts.update(words)
            for word in words:
                masks[word] = masks.get(word, 0) | bit
            ids.append(page_id)
            pages.append({key: fragment.get(key) for key in ("url", "meta", "filters")})
    return counts, ids, pages, masks


def heading_records(fragments: list[dict], dates: dict[str, str] | None = None) -> list[dict]:
    """One record per page (its fragment, :func:`read`): url, title,
    authors, themes' names, filters, and the date (``dates``: by output
    path) for sorting."""
    dates = dates or {}
    theme_titles = {}
    for fragment in fragments:
        found = re.fullmatch(r".*/themes/([^/]+)\.html", fragment.get("url") or "")
        if found and found.group(1) != "index":
            theme_titles[found.group(1)] = (fragment.get("meta") or {}).get("title", "")
    records = []
    for fragment in fragments:
        meta = fragment.get("meta") or {}
        filters = fragment.get("filters") or {}
        themes = [theme_titles.get(slug, slug) for slug in filters.get("theme", [])]
        records.append({"url": fragment["url"], "title": meta.get("title", ""),
                        "authors": meta.get("authors", ""), "themes": themes,
                        "filters": filters, "date": dates.get(fragment["url"].lstrip("/"))})
    return sorted(records, key=lambda r: r["url"])


def heading_words(record: dict) -> set[str]:
    return words_of(" ".join([record["title"], record["authors"], *record["themes"]]))


def heading_page(record: dict) -> str:
    """The headings index's HTML for one page: only what a search weighs most."""
    esc = html.escape
    spans = "".join(f'<span data-pagefind-filter="{esc(name)}:{esc(value)}"></span>'
                    for name, values in sorted(record["filters"].items()) for value in values)
    if record["authors"]:
        spans += f'<span data-pagefind-meta="authors:{esc(record["authors"])}"></span>'
    if record.get("date"):
        spans += f'<span data-pagefind-sort="date:{esc(record["date"])}"></span>'
    lines = [f"<h1>{esc(record['title'])}</h1>", spans]
    if record["authors"]:
        lines.append(f"<p>{esc(record['authors'].replace('; ', ', '))}</p>")
    if record["themes"]:
        lines.append(f"<p>{esc(', '.join(record['themes']))}</p>")
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{esc(record['title'])}</title></head><body>"
            + "".join(lines) + "</body></html>\n")


def write_headings(executable: Path, outdir: Path, records: list[dict]) -> None:
    """Index the pages' headings alone into ``pagefind-titles/``."""
    target = outdir / HEADINGS_DIR
    shutil.rmtree(target, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="kb-pagefind-titles-") as tmp:
        site = Path(tmp)
        for record in records:
            path = site / record["url"].lstrip("/")
            if path.name == "" or record["url"].endswith("/"):
                path = path / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(heading_page(record), encoding="utf-8")
        bundle.run(bundle.pagefind_command(executable, site, target, ()))


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


def write_main(outdir: Path, executable: Path | None = None,
               dates: dict[str, str] | None = None) -> int:
    """Write the main index's vocabulary in shards (and the headings index); words."""
    main = outdir / bundle.MAIN_DIR
    parts = bundle.main_bundles(outdir)
    counts, ids, pages, masks = read(*parts)
    records = heading_records(pages, dates)
    in_headings: Counter[str] = Counter()
    for record in records:
        in_headings.update(heading_words(record))
    if executable is not None:
        write_headings(executable, outdir, records)
    folder = main / SHARDS
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    listing = {}
    for key, words in sorted(shards(counts).items()):
        if 1 < len(parts) <= MASK_SHARDS:  # which of the index's shards hold it
            data = _dump([[w, c, in_headings.get(w, 0), masks[w]] for w, c in words])
        else:
            data = _dump([[w, c, in_headings.get(w, 0)] for w, c in words])
        name = f"{key}.{hashlib.sha256(data).hexdigest()[:10]}.json"
        (folder / name).write_bytes(data)
        listing[key] = name
    common = max(COMMON_MIN, int(COMMON_SHARE * len(ids)))
    headings = executable is not None and (outdir / HEADINGS_DIR / "pagefind.js").is_file()
    (main / INDEX).write_bytes(_dump({"pages": len(ids), "common": common,
                                      "headings": f"{HEADINGS_DIR}/" if headings else None,
                                      "shards": listing}))
    return len(counts)


def write_segment(segment: Path) -> None:
    """Write a recent segment's vocabulary, whole, with its page ids."""
    counts, ids = vocabulary(segment)
    (segment / INDEX).write_bytes(_dump({"ids": ids, "words": sorted(counts.items())}))


def write(outdir: Path, segment: Path | None, executable: Path | None = None,
          dates: dict[str, str] | None = None) -> None:
    """After Pagefind indexed some pages: the new segment's vocabulary (the
    main one too when it is missing)."""
    if not (outdir / bundle.MAIN_DIR / INDEX).is_file():
        write_main(outdir, executable, dates)
    if segment is not None:
        write_segment(segment)
