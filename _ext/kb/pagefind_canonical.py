"""Pagefind's filter files in one order, so the same site gives the same bundle.

Pagefind 1.5 collects filters in hash maps and writes them in the maps'
order, which changes from run to run (its own source says "TODO: Change
filter indexes to BTree to give them a stable hash"). With more than one
filter (theme, author, year) the bundle's ``pagefind.*.pf_meta`` and its
``filter/*.pf_filter`` files then differ between two runs over the same
site, and builds stop being reproducible. This module rewrites them in
sorted order after Pagefind runs: each filter's values (and their pages)
sorted, the metadata's list of filters sorted by name, files named by a
hash of their content as Pagefind names them (the names are only cache
keys: the browser finds files through ``pagefind-entry.json`` and the
metadata, both updated here).

The files are gzip of ``pagefind_dcd`` and CBOR, of which Pagefind uses a
small part (unsigned integers, text, arrays); that part is all this
module reads and writes, and it refuses anything else.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

MAGIC = b"pagefind_dcd"


class UnexpectedFormatError(ValueError):
    """A Pagefind file this module does not understand: leave the bundle as it is."""


def _decode(data: bytes, at: int = 0) -> tuple[Any, int]:
    head = data[at]
    major, info = head >> 5, head & 0x1F
    at += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise UnexpectedFormatError(f"CBOR item {head:#x}")
    if major == 0:
        return arg, at
    if major == 3:
        return data[at:at + arg].decode("utf-8"), at + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise UnexpectedFormatError(f"CBOR major type {major}")


def _head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise UnexpectedFormatError(f"integer {arg}")


def _encode(value: Any) -> bytes:
    if isinstance(value, bool) or not isinstance(value, (int, str, list)):
        raise UnexpectedFormatError(f"value {value!r}")
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    return _head(4, len(value)) + b"".join(_encode(v) for v in value)


def read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(MAGIC):
        raise UnexpectedFormatError(f"{path.name}: no Pagefind signature")
    value, end = _decode(data, len(MAGIC))
    if end != len(data) or _encode(value) != data[len(MAGIC):]:
        raise UnexpectedFormatError(f"{path.name}: does not read back to the same bytes")
    return value


def _bytes(value: Any) -> bytes:
    return gzip.compress(MAGIC + _encode(value), compresslevel=9, mtime=0)


def _name(language: str, value: Any) -> str:
    return f"{language}_{hashlib.sha256(_encode(value)).hexdigest()[:7]}"


def canonicalise(bundle: Path) -> None:
    """Rewrite a bundle's filters and metadata in sorted order (in place)."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for code, language in entry["languages"].items():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = read(meta_path)
        if len(meta) != 6 or not isinstance(meta[3], list):
            raise UnexpectedFormatError(f"{meta_path.name}: not Pagefind 1.5 metadata")
        filters = []
        for name, old_hash in meta[3]:
            old = bundle / "filter" / f"{old_hash}.pf_filter"
            filter_name, values = read(old)
            index = [filter_name, sorted([value, sorted(pages)] for value, pages in values)]
            new_hash = _name(code, index)
            old.unlink()
            (bundle / "filter" / f"{new_hash}.pf_filter").write_bytes(_bytes(index))
            filters.append([name, new_hash])
        meta[3] = sorted(filters)
        new_meta = _name(code, meta)
        meta_path.unlink()
        (bundle / f"pagefind.{new_meta}.pf_meta").write_bytes(_bytes(meta))
        language["hash"] = new_meta
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")
