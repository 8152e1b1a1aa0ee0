"""Files in the essays, people and themes folders that cannot become one page.

Essays are orphans reached only through generated listings, so a file that
Sphinx skips or misfiles would be an essay lost without any error. Before
Sphinx looks for documents (``config-inited``), files that cannot become
exactly one page (two files with one name, a ``.txt`` essay, an essay in a
sub-folder) are reported and the extra ones left out, so Sphinx builds one
page each.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Files that may sit beside essays without being pages.
ASSET_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf", ".csv", ".bib",
})
_BACKUP = re.compile(r"(~|\.bak|\.swp|\.tmp|\.orig)$", re.IGNORECASE)


def _warn(message: str) -> None:
    """The file is named in the message: before reading there is no environment
    to turn a path into a location."""
    logger.warning(message, type="kb", subtype="completeness")


def source_suffixes(app: Sphinx, config: Config) -> list[str]:
    """Every suffix Sphinx reads as a page: ``source_suffix`` first, then parsers'."""
    suffix = config.source_suffix
    found = [suffix] if isinstance(suffix, str) else list(suffix)
    found += [s for s in app.registry.source_suffix if s not in found]
    return found


def check_source_files(app: Sphinx, config: Config) -> None:
    """Two files for one page, essays Sphinx would skip or misfile: say so."""
    srcdir = Path(app.srcdir)
    suffixes = source_suffixes(app, config)
    # MyST Markdown is the house format: of two files for one page, it wins.
    preferred = [".md", *(s for s in suffixes if s != ".md")]
    excluded: list[str] = []
    for folder in (config.kb_essays_dir, config.kb_people_dir, config.kb_themes_dir):
        try:
            entries = sorted(os.scandir(srcdir / folder), key=lambda e: e.name)
        except OSError:
            continue
        by_stem: dict[str, list[str]] = {}
        for entry in entries:
            name = entry.name
            if name.startswith(".") or _BACKUP.search(name):
                continue
            suffix = next((s for s in suffixes if name.endswith(s)), None)
            if entry.is_dir():
                nested = [p for s in suffixes for p in Path(entry.path).rglob(f"*{s}")]
                for path in sorted(nested):
                    rel = path.relative_to(srcdir).as_posix()
                    _warn(f"{rel} is in a sub-folder of {folder}/ and is not built: pages "
                          f"must be directly in {folder}/; move it to "
                          f"{folder}/{path.name}")
                    excluded.append(rel)
            elif suffix is not None:
                by_stem.setdefault(name[: -len(suffix)], []).append(suffix)
            elif folder == config.kb_essays_dir and Path(name).suffix.lower() not in \
                    ASSET_SUFFIXES:
                stem = name.rsplit(".", 1)[0]
                _warn(f"{folder}/{name} is not built: only {', '.join(suffixes)} files "
                      f"become pages; if it is an essay, rename it to {folder}/{stem}.md")
        for stem, found in by_stem.items():
            if len(found) < 2:
                continue
            kept, *extra = sorted(found, key=preferred.index)
            for suffix in extra:
                _warn(f"{folder}/{stem}{suffix} and {folder}/{stem}{kept} would both be the "
                      f"page {folder}/{stem}; only {folder}/{stem}{kept} is built: delete "
                      f"{folder}/{stem}{suffix} or give it another file name")
                excluded.append(f"{folder}/{stem}{suffix}")
    if excluded:
        config.exclude_patterns = [*config.exclude_patterns, *excluded]


def setup_source_files(app: Sphinx) -> None:
    app.connect("config-inited", check_source_files, priority=900)
