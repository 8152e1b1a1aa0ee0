"""Folders no file was added to or removed from since the last build.

A folder's modification time changes when a file in it is created, removed
or renamed, not when a file's text is written again in place (as Sphinx
and ``kb`` write pages and downloads, and as the benchmark edits an essay).
Three checks list a folder of 10,000 essays at every build, to find a file
made or removed by hand: ``source_files`` (files that cannot be one page),
``essaypdf`` (a PDF put beside a page) and ``citethis`` (downloads deleted
by hand), each about 0.05 s. Each records the folders' times with what it
found; the next build trusts the record while every folder has the same
time, and lists them again otherwise.

As git does for its index ("racy clean"), a time recorded less than
:data:`SAFETY_NS` after it was set is not trusted: a file made in the same
clock tick, just after the record, would leave the folder's time as it was.
The records are a cache in the doctree folder: missing or damaged, every
folder is listed.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable
from typing import Any

from sphinx.application import Sphinx

#: In the doctree folder: ``{key: {"times", "at", "context", "data"}}``.
STAMPS = "kb-folder-stamps.json"

#: How long after a folder's time a record of it must be made to be trusted.
SAFETY_NS = 2_000_000_000


def folder_times(folders: Iterable[str]) -> dict[str, int | None]:
    """Each folder's modification time (ns), None for one that is missing."""
    times: dict[str, int | None] = {}
    for folder in sorted(set(folders)):
        try:
            times[folder] = os.stat(folder).st_mtime_ns
        except OSError:
            times[folder] = None
    return times


def _path(app: Sphinx) -> str:
    return os.path.join(app.doctreedir, STAMPS)


def _load(app: Sphinx) -> dict[str, Any]:
    try:
        with open(_path(app), encoding="utf-8") as file:
            stamps = json.load(file)
    except (OSError, ValueError):
        return {}
    return stamps if isinstance(stamps, dict) else {}


def unchanged(app: Sphinx, key: str, folders: Iterable[str], context: str = "") -> Any:
    """What was recorded with ``key`` while ``folders`` have the times it
    was recorded with (and were there), safely before it was recorded, and
    ``context`` is the same; otherwise None."""
    record = _load(app).get(key)
    if not isinstance(record, dict) or record.get("context") != context:
        return None
    recorded, at = record.get("times"), record.get("at")
    if not isinstance(recorded, dict) or not isinstance(at, int):
        return None
    now = folder_times(folders)
    if now != recorded or any(t is None or at - t < SAFETY_NS for t in now.values()):
        return None
    return record.get("data")


def record(app: Sphinx, key: str, times: dict[str, int | None], context: str = "",
           data: Any = True, at: int | None = None) -> None:
    """Remember ``data`` for ``key``, found while ``folders`` had these times
    (taken before they were listed); ``at`` is when it held (now)."""
    stamps = _load(app)
    stamps[key] = {"times": times, "at": time.time_ns() if at is None else at,
                   "context": context, "data": data}
    with contextlib.suppress(OSError):  # only a cache
        os.makedirs(app.doctreedir, exist_ok=True)
        with open(_path(app), "w", encoding="utf-8") as file:
            file.write(json.dumps(stamps, sort_keys=True))


def forget(app: Sphinx, key: str) -> None:
    """Drop the record of ``key`` (what it said may no longer hold)."""
    stamps = _load(app)
    if stamps.pop(key, None) is not None:
        with contextlib.suppress(OSError), open(_path(app), "w", encoding="utf-8") as file:
            file.write(json.dumps(stamps, sort_keys=True))
