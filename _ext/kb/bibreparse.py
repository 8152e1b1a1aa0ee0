"""Parse again only the refs.bib entries whose text changed.

Adding or editing one work in refs.bib made every build parse the whole
file: 3,000 entries at 1,000 essays (about half a second), 30,000 at
10,000 (two seconds), then fingerprint every cited entry to find the
essays to re-read. A clean file (no problem reported) is cut into *chunks*,
each from a line starting with ``@`` to the next, and each chunk's digest
is remembered with the key of the one entry it holds. The next parse
keeps the entry object of every chunk whose text is unchanged and parses
the other chunks alone, with the same checking parser.

Whatever this cannot do exactly as a whole parse would, the whole parse
does: a file that had or has a problem, ``@string``, ``@preamble`` or
``@comment``, a chunk that holds no entry or two, an entry without a key,
a key seen twice, or several bib files. The result is then the same
entries, in the same order, with the same fields and persons.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from pybtex.database import BibliographyData, Entry

_CHUNK_START = re.compile(r"^[ \t]*@", re.MULTILINE)
_SPECIAL = re.compile(r"[ \t]*@[ \t]*(?:string|preamble|comment)\b", re.IGNORECASE)

#: ``{chunk digest: key}`` of one file's last clean parse.
ChunkMap = dict[bytes, str]


def chunks(text: str) -> tuple[str, list[str]]:
    """The text before the first entry, and the chunks (each starts with ``@``)."""
    starts = [m.start() for m in _CHUNK_START.finditer(text)]
    if not starts:
        return text, []
    ends = [*starts[1:], len(text)]
    return text[: starts[0]], [text[a:b] for a, b in zip(starts, ends, strict=True)]


def _digest(chunk: str) -> bytes:
    return hashlib.blake2b(chunk.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def chunk_map(text: str, data: BibliographyData) -> ChunkMap | None:
    """After a clean whole parse: each chunk's digest with its entry's key,
    or None when the file is not one entry per chunk."""
    head, parts = chunks(text)
    keys = list(data.entries.keys())
    if "@" in head or len(parts) != len(keys) or any(_SPECIAL.match(p) for p in parts):
        return None
    return {_digest(part): key for part, key in zip(parts, keys, strict=True)}


def reparse(text: str, known: ChunkMap, old: dict[str, Entry],
            parse_one: Callable[[str], Any]) -> tuple[BibliographyData, ChunkMap, set[str]] | None:
    """The file's entries, parsing only the chunks not in ``known``.

    ``parse_one(chunk)`` returns the parsed ``BibliographyData`` of one
    chunk, or None when it found a problem. Returns the data, the new
    chunk map and the keys whose entries are new or changed (removed keys
    are the caller's to find), or None: then parse the whole file.
    """
    head, parts = chunks(text)
    if "@" in head:
        return None
    data = BibliographyData()
    new_map: ChunkMap = {}
    changed: set[str] = set()
    for part in parts:
        if _SPECIAL.match(part):
            return None
        digest = _digest(part)
        key = known.get(digest)
        entry = old.get(key) if key is not None else None
        if key is None or entry is None or entry.key != key:
            parsed = parse_one(part)
            if parsed is None or len(parsed.entries) != 1:
                return None
            ((key, entry),) = parsed.entries.items()
            if key.startswith("unnamed-"):
                return None
            changed.add(key)
        if key in data.entries:  # a repeated key: the whole parse reports it
            return None
        data.add_entry(key, entry)
        new_map[digest] = key
    return data, new_map, changed
