"""When the sources last changed, from git: a date that is not the clock.

The feed and the PDFs need a date for what has none (an undated essay, a
PDF's title page). The build's clock would make every build differ; the
last commit is the same for everyone who builds the same checkout. Outside
a git checkout (a copy, a release tarball) there is no such date, and the
callers fall back to what the content itself says, or to none. Where
``SOURCE_DATE_EPOCH`` is set (:func:`source_date_epoch`), it is the date.

Not cached: ``make serve`` runs for hours. Each question is one git
process (about 20 ms), however many files it asks about.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path


def _git(srcdir: Path | str, *args: str) -> str | None:
    """git's output in ``srcdir``, or None (no checkout, no git, an error)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # a read must not lock the repository
    try:
        done = subprocess.run(["git", "-C", str(srcdir), *args], capture_output=True,
                              text=True, timeout=60, check=False, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _moment(stamp: str) -> dt.datetime | None:
    stamp = stamp.strip()
    return dt.datetime.fromtimestamp(int(stamp), tz=dt.UTC) if stamp.isdigit() else None


def source_date_epoch() -> dt.datetime | None:
    """The time ``SOURCE_DATE_EPOCH`` fixes for the build, or None if unset.

    The reproducible-builds convention: the publishing workflow sets it to
    the last commit's time, and where it is set it wins over asking git.
    """
    return _moment(os.environ.get("SOURCE_DATE_EPOCH", ""))


def last_commit(srcdir: Path | str) -> dt.datetime | None:
    """The committer time of the checkout's last commit, or None outside git."""
    out = _git(srcdir, "log", "-1", "--format=%ct")
    return _moment(out) if out else None


def is_shallow(srcdir: Path | str) -> bool:
    """A shallow clone's history is cut: its dates would be wrong, not missing."""
    return (_git(srcdir, "rev-parse", "--is-shallow-repository") or "").strip() == "true"


def last_commits(srcdir: Path | str, paths: Iterable[str]) -> dict[str, dt.datetime]:
    """For each file (relative to ``srcdir``), when a commit last changed it.

    ``paths`` may name folders: every file committed under them is answered.
    Files never committed are left out; outside git the answer is empty.
    """
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    out = _git(srcdir, "log", "--format=%x00%ct", "--name-only", "--relative",
               "--no-renames", "--", *wanted)
    found: dict[str, dt.datetime] = {}
    moment = None
    for line in (out or "").splitlines():
        if line.startswith("\0"):
            moment = _moment(line[1:])
        elif line and moment is not None and line not in found:
            found[line] = moment  # newest first: the first time is the last change
    return found
