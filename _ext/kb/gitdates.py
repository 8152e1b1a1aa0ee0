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

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from .domain import kb_domain
from .gitdate import is_shallow, last_commits
from .state import build_state

logger = logging.getLogger(__name__)

#: ``env.metadata[docname]`` key: the ISO time of the essay's last commit.
UPDATED = "kb_git_updated"


def read_dates(srcdir: Path, folder: str) -> dict[str, str]:
    """``{docname: committer time (UTC, ISO 8601)}`` of every committed essay."""
    if not (srcdir / folder).is_dir():
        return {}
    if is_shallow(srcdir):
        logger.info("no 'Last updated' dates: this is a shallow git clone (fetch the "
                    "whole history, e.g. 'git fetch --unshallow')")
        return {}
    return {Path(path).with_suffix("").as_posix(): moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            for path, moment in last_commits(srcdir, [folder]).items()}


def refresh(app: Sphinx) -> None:
    build_state(app).git_dates = read_dates(Path(app.srcdir), app.config.kb_essays_dir)


def last_changed(app: Sphinx, docname: str) -> str | None:
    """ISO time of the essay's last commit, or None (new file, no git)."""
    return build_state(app).git_dates.get(docname)


def changed_since_read(app: Sphinx, env: BuildEnvironment, added: set[str],
                       changed: set[str], removed: set[str]) -> list[str]:
    """Essays whose last commit is not the one their page shows."""
    dates = build_state(app).git_dates
    return [docname for docname in kb_domain(env).essays
            if docname not in changed and docname not in removed
            and env.metadata.get(docname, {}).get(UPDATED, "") != dates.get(docname, "")]


def setup_gitdates(app: Sphinx) -> None:
    app.connect("builder-inited", refresh)
    app.connect("env-get-outdated", changed_since_read)
