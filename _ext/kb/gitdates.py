"""When each essay last changed: the date of the last commit touching its file.

From git, never from the clock or the file's mtime, so two builds of one
commit agree ("reproducible"); outside a git checkout (a downloaded
archive), or in a shallow clone whose history is cut, there is no date at
all rather than a wrong one. One
``git log`` per build reads the whole history of the essays folder.

An essay records the date it was read with (``env.metadata``); when a new
commit changes it, ``env-get-outdated`` has the page rebuilt although its
text did not change.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from .domain import kb_domain

logger = logging.getLogger(__name__)

#: ``env.metadata[docname]`` key: the ISO time of the essay's last commit.
UPDATED = "kb_git_updated"
_dates: dict[str, dict[str, str]] = {}  # srcdir -> {docname: ISO time}


def _git(srcdir: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=srcdir, capture_output=True, text=True,
                              check=False, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def read_dates(srcdir: Path, folder: str) -> dict[str, str]:
    """``{docname: committer time (UTC, ISO 8601)}`` of every committed essay."""
    top = _git(srcdir, "rev-parse", "--show-toplevel")
    if top is None or not (srcdir / folder).is_dir():
        return {}
    if (_git(srcdir, "rev-parse", "--is-shallow-repository") or "").strip() == "true":
        logger.info("no 'Last updated' dates: this is a shallow git clone (fetch the "
                    "whole history, e.g. 'git fetch --unshallow')")
        return {}
    root = Path(top.strip()).resolve()
    log = _git(srcdir, "-c", "log.showSignature=false", "log", "--no-renames",
               "--format=%x00%ct", "--name-only", "--", folder)
    if log is None:
        return {}
    dates: dict[str, str] = {}
    when = ""
    for line in log.splitlines():
        if line.startswith("\x00"):
            stamp = dt.datetime.fromtimestamp(int(line[1:]), tz=dt.UTC)
            when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif line.strip():
            try:
                rel = (root / line).relative_to(srcdir.resolve())
            except ValueError:
                continue
            docname = rel.with_suffix("").as_posix()
            dates.setdefault(docname, when)  # newest first: the first is the last change
    return dates


def refresh(app: Sphinx) -> None:
    _dates[str(app.srcdir)] = read_dates(Path(app.srcdir), app.config.kb_essays_dir)


def last_changed(app: Sphinx, docname: str) -> str | None:
    """ISO time of the essay's last commit, or None (new file, no git)."""
    return _dates.get(str(app.srcdir), {}).get(docname)


def changed_since_read(app: Sphinx, env: BuildEnvironment, added: set[str],
                       changed: set[str], removed: set[str]) -> list[str]:
    """Essays whose last commit is not the one their page shows."""
    dates = _dates.get(str(app.srcdir), {})
    return [docname for docname in kb_domain(env).essays
            if docname not in changed and docname not in removed
            and env.metadata.get(docname, {}).get(UPDATED, "") != dates.get(docname, "")]


def setup_gitdates(app: Sphinx) -> None:
    app.connect("builder-inited", refresh)
    app.connect("env-get-outdated", changed_since_read)
