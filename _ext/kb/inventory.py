"""The object inventory (``objects.inv``) without every page's title nodes.

Sphinx writes ``objects.inv`` at the end of every HTML build, and its
entry for each page (``std:doc``) is the page title's text, which the
standard domain makes from the title's nodes (``clean_astext``: a copy
of the nodes, images' alt text and raw nodes removed). At 10,000 essays
that is 0.15 s of each edit, and it is the one reason a build would read
every page's title (``kb.lazytocs`` keeps them pickled until read).

So the text of each title is kept, with the time its page was read
(``env.all_docs``, a new time at each read), in
``kb-inventory-titles.pickle`` beside the doctrees. At the next build a
page read since has its text made again from its nodes, and every other
page's kept text is given to Sphinx's own inventory writer as a text node
(``clean_astext`` of a text node is the text itself), so the file is what
Sphinx alone would write (``tests/test_inventory.py`` compares them).

Most builds change no entry: an edit changes a page's text, not its
title, labels or name. So the entries are fingerprinted before they are
formatted and compressed (the larger part of the 0.15 s), and the file is
left as it is when the fingerprint, and the file's size and time, are
those the last build recorded in ``kb-inventory.json``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
from typing import Any

from docutils import nodes
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment
from sphinx.util.inventory import InventoryFile
from sphinx.util.nodes import clean_astext

from . import _compat

#: The kept texts: {docname: (time the page was read, title text)}.
KEPT = "kb-inventory-titles.pickle"

#: The last inventory written: its entries' fingerprint, its size and time.
WRITTEN = "kb-inventory.json"


def _load(path: str) -> dict[str, tuple[int, str]]:
    try:
        with open(path, "rb") as file:
            kept = pickle.load(file)
    except Exception:  # noqa: BLE001 - missing or damaged in any way: made again
        return {}
    return kept if isinstance(kept, dict) else {}


def _valid(entry: object, read_at: int) -> bool:
    return (type(entry) is tuple and len(entry) == 2 and entry[0] == read_at
            and type(entry[1]) is str)


def title_texts(env: BuildEnvironment) -> dict[str, str]:
    """Every page's title text as the inventory shows it; made from the
    title's nodes only for pages read since the texts were kept."""
    path = os.path.join(env.doctreedir, KEPT)
    kept = _load(path)
    now: dict[str, tuple[int, str]] = {}
    titles = env.titles
    for docname, read_at in env.all_docs.items():
        entry = kept.get(docname)
        now[docname] = entry if entry is not None and _valid(entry, read_at) \
            else (read_at, clean_astext(titles[docname]))
    if now != kept:
        with contextlib.suppress(OSError), open(path, "wb") as file:  # only a cache
            pickle.dump(now, file, pickle.HIGHEST_PROTOCOL)
    return {docname: text for docname, (_, text) in now.items()}


def fingerprint(builder: StandaloneHTMLBuilder, texts: dict[str, str]) -> str:
    """Changes whenever the inventory would: its header, how pages' URIs
    are made, each page's title text and every domain's other entries.

    The standard domain makes a page's entry from ``env.all_docs`` and its
    title alone, one node copy per page (0.04 s at 10,000): here the pages
    and their title texts are taken as they are, and the domains give
    their other entries with no page listed.
    """
    env = builder.env
    all_docs = env.all_docs
    env.all_docs = {}
    try:
        entries = [(domain.name, sorted(domain.get_objects()))
                   for domain in env.domains.sorted()]
    finally:
        env.all_docs = all_docs
    made_of = (env.config.project, env.config.version, builder.name, builder.link_suffix,
               sorted(texts.items()), entries)
    # repr, not pickle: a pickle differs when equal strings are or are not one object
    return hashlib.sha256(repr(made_of).encode("utf-8", "surrogatepass")).hexdigest()


def _file_state(path: str) -> list[int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _recorded(record_path: str) -> dict[str, Any]:
    try:
        with open(record_path, encoding="utf-8") as file:
            record = json.load(file)
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def dump_inventory(builder: StandaloneHTMLBuilder) -> None:
    """``objects.inv`` as Sphinx writes it, each title given as its text;
    not written again when nothing in it would change."""
    env = builder.env
    texts = title_texts(env)
    path = os.path.join(builder.outdir, _compat.INVENTORY_FILENAME)
    record_path = os.path.join(env.doctreedir, WRITTEN)
    now = fingerprint(builder, texts)
    record = _recorded(record_path)
    if record.get("fingerprint") == now and record.get("file") == _file_state(path):
        return
    titles = env.titles
    _compat.replace_titles(env, {docname: nodes.Text(text) for docname, text in texts.items()})
    try:
        InventoryFile.dump(path, env, builder)
    finally:
        _compat.replace_titles(env, titles)
    with contextlib.suppress(OSError), open(record_path, "w", encoding="utf-8") as file:
        file.write(json.dumps({"fingerprint": now, "file": _file_state(path)}))
