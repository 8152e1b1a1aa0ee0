"""Files in the essays, people and themes folders that cannot become one page.

Essays are orphans reached only through generated listings, so a file that
Sphinx skips or misfiles would be an essay lost without any error. Before
Sphinx looks for documents (``config-inited``), files that cannot become
exactly one page (two files with one name, a ``.txt`` essay, an essay in a
sub-folder) are reported and the extra ones left out, so Sphinx builds one
page each.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from . import folderstamps

logger = logging.getLogger(__name__)

#: Files that may sit beside essays without being pages.
ASSET_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf", ".csv", ".bib",
})
#: The record (:mod:`kb.folderstamps`) of what the folders held.
STAMP = "source-files"
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
    """Two files for one page, essays Sphinx would skip or misfile: say so.

    What was found is kept with the folders' times (:mod:`kb.folderstamps`),
    and said again without listing them while no file was added or removed
    (not when a folder had a sub-folder: a file added in it would not change
    the folder's time).
    """
    srcdir = Path(app.srcdir)
    suffixes = source_suffixes(app, config)
    folders = [os.path.join(srcdir, folder)
               for folder in (config.kb_essays_dir, config.kb_people_dir, config.kb_themes_dir)]
    context = json.dumps([suffixes, folders])
    kept = folderstamps.unchanged(app, STAMP, folders, context)
    if _valid(kept):
        warnings, excluded = kept["warnings"], kept["excluded"]
    else:
        times = folderstamps.folder_times(folders)  # before listing them
        warnings, excluded, nested = _scan(srcdir, config, suffixes)
        if nested:
            folderstamps.forget(app, STAMP)
        else:
            folderstamps.record(app, STAMP, times, context,
                                {"warnings": warnings, "excluded": excluded})
    for message in warnings:
        _warn(message)
    if excluded:
        config.exclude_patterns = [*config.exclude_patterns, *excluded]


def _valid(kept: Any) -> bool:
    return (isinstance(kept, dict) and isinstance(kept.get("warnings"), list)
            and isinstance(kept.get("excluded"), list))


def _scan(srcdir: Path, config: Config, suffixes: list[str]) -> tuple[list[str], list[str], bool]:
    """(messages, files to exclude, whether a folder has a sub-folder)."""
    # MyST Markdown is the house format: of two files for one page, it wins.
    preferred = [".md", *(s for s in suffixes if s != ".md")]
    warnings: list[str] = []
    excluded: list[str] = []
    has_folders = False
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
                has_folders = True
                nested = [p for s in suffixes for p in Path(entry.path).rglob(f"*{s}")]
                for path in sorted(nested):
                    rel = path.relative_to(srcdir).as_posix()
                    warnings.append(f"{rel} is in a sub-folder of {folder}/ and is not built: "
                                    f"pages must be directly in {folder}/; move it to "
                                    f"{folder}/{path.name}")
                    excluded.append(rel)
            elif suffix is not None:
                by_stem.setdefault(name[: -len(suffix)], []).append(suffix)
            elif folder == config.kb_essays_dir and Path(name).suffix.lower() not in \
                    ASSET_SUFFIXES:
                stem = name.rsplit(".", 1)[0]
                warnings.append(f"{folder}/{name} is not built: only {', '.join(suffixes)} "
                                f"files become pages; if it is an essay, rename it to "
                                f"{folder}/{stem}.md")
        for stem, found in by_stem.items():
            if len(found) < 2:
                continue
            kept, *extra = sorted(found, key=preferred.index)
            for suffix in extra:
                warnings.append(
                    f"{folder}/{stem}{suffix} and {folder}/{stem}{kept} would both be the "
                    f"page {folder}/{stem}; only {folder}/{stem}{kept} is built: delete "
                    f"{folder}/{stem}{suffix} or give it another file name")
                excluded.append(f"{folder}/{stem}{suffix}")
    return warnings, excluded, has_folders
