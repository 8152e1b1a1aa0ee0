"""What a build changed, so that whole-site outputs are remade only when needed.

Several outputs are made from every essay at the end of each HTML build:
the site-wide citation files, the feeds, the sitemap, the completeness
check. Remaking them on every build made a rebuild with no change cost
O(essays) (over a second at 1,000 essays, ``bench/README.md``,
"Profile: the fixed cost of a rebuild"). Each of them shows only what the
written pages show, so it is up to date when, since its last successful
run, no page was written or removed and the configuration is the same.

A *record* says so: :func:`is_current` is true when the record of a name
holds the same key (the configuration's fingerprint and any key the caller
adds) and no page was written or removed since it was made;
:func:`remember` makes it, and the records are saved at the end of a
successful build. Records that depend on written pages are dropped from
the disk at the first page a build writes or removes, before writing it:
a build that stops half way leaves none of them, so the next build remakes
those outputs instead of trusting them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from .state import build_state
from .website import site_builder

#: Beside the doctrees: ``{name: [key, depends on written pages]}``.
RECORDS = "kb-rebuilds.json"


def _plain(value: Any) -> Any:
    """A JSON-able, order-stable form of a configuration value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return sorted([str(k), _plain(v)] for k, v in value.items())
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return type(value).__qualname__  # objects, functions: their kind only


def config_fingerprint(app: Sphinx) -> str:
    """A hash of every configuration value (objects by their type only)."""
    state = build_state(app)
    if state.config_fingerprint is None:
        values = sorted([item.name, _plain(item.value)] for item in app.config)
        state.config_fingerprint = hashlib.sha256(
            json.dumps(values, default=repr).encode()).hexdigest()
    return state.config_fingerprint


class Records:
    """This build's view of the records file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self.saved: dict[str, list[Any]] = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self.saved = {}
        #: The records as the build found them, before any page was written.
        self.before = dict(self.saved)
        self.new: dict[str, list[Any]] = {}
        self.pages_changed = False
        self.written: set[str] = set()
        self.removed = False
        self.added = False

    def write(self, records: dict[str, list[Any]]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(records, sort_keys=True), encoding="utf-8")
        except OSError:
            pass  # only a cache: the outputs are remade next time


def _records(app: Sphinx) -> Records:
    state = build_state(app)
    if state.rebuild_records is None:
        state.rebuild_records = Records(Path(app.doctreedir) / RECORDS)
    return state.rebuild_records


def _is_site(app: Sphinx) -> bool:
    return site_builder(app) is not None


def page_changed(app: Sphinx) -> None:
    """A page is about to be written or removed: outputs made from pages are stale."""
    records = _records(app)
    if not records.pages_changed:
        records.pages_changed = True
        kept = {name: rec for name, rec in records.saved.items() if not rec[1]}
        if kept != records.saved:
            records.saved = kept
            records.write(kept)


def pages_changed(app: Sphinx) -> bool:
    """Whether this build wrote or removed a page (so far)."""
    return _records(app).pages_changed


def is_current(app: Sphinx, name: str, key: Any = None, *, pages: bool = True) -> bool:
    """Whether the output ``name`` is as its last successful run made it.

    ``key`` is what else it depends on (JSON-able); with ``pages`` it also
    depends on the written pages (none written or removed since).
    """
    records = _records(app)
    if pages and records.pages_changed:
        return False
    return records.saved.get(name) == [[config_fingerprint(app), key], pages]


def remember(app: Sphinx, name: str, key: Any = None, *, pages: bool = True) -> None:
    """``name`` was made for ``key``; saved if the build succeeds."""
    _records(app).new[name] = [[config_fingerprint(app), key], pages]


def was_current(app: Sphinx, name: str, key: Any = None) -> bool:
    """Whether ``name`` was up to date when this build started: then only
    the pages this build wrote (:func:`written`) and removed can differ."""
    return _records(app).before.get(name) == [[config_fingerprint(app), key], True]


def written(app: Sphinx) -> set[str]:
    """The documents this build wrote (so far)."""
    return _records(app).written


def note_written(app: Sphinx, doctree: object, docname: str) -> None:
    if _is_site(app):
        page_changed(app)
        _records(app).written.add(docname)


def note_page(app: Sphinx, pagename: str) -> None:
    """A page that is not a document (a part of a long list, :mod:`kb.paging`)
    is about to be written or was deleted: counted as a written page, so
    whole-site outputs that trust only essay edits are remade in full."""
    if _is_site(app):
        page_changed(app)
        _records(app).written.add(pagename)


def note_removed(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                 removed: set[str]) -> list[str]:
    if removed and _is_site(app):
        page_changed(app)
        _records(app).removed = True
    if added and _is_site(app):
        _records(app).added = True
    return []


def removed_any(app: Sphinx) -> bool:
    """Whether this build removed a document."""
    return _records(app).removed


def added_any(app: Sphinx) -> bool:
    """Whether this build added a document."""
    return _records(app).added


def save(app: Sphinx, exception: BaseException | None) -> None:
    records = build_state(app).rebuild_records
    if records is None or exception is not None or not _is_site(app):
        return
    merged = {**records.saved, **records.new}
    if merged != records.saved or not records.path.is_file():
        records.write(merged)
