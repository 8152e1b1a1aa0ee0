"""When the sources last changed, from git: a date that is not the clock.

The feed and the PDFs need a date for what has none (an undated essay, a
PDF's title page). The build's clock would make every build differ; the
last commit is the same for everyone who builds the same checkout. Outside
a git checkout (a copy, a release tarball) there is no such date, and the
callers fall back to what the content itself says, or to none.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path


def last_commit(srcdir: str, path: str = "") -> dt.datetime | None:
    """The committer time of the last commit that touched ``path`` (or any file).

    ``None`` when ``srcdir`` is not in a git checkout, git is not installed,
    or the file was never committed. Not cached: ``make serve`` runs for
    hours, and callers ask a few dozen times per build at most.
    """
    command = ["git", "-C", srcdir, "log", "-1", "--format=%ct"]
    if path:
        command += ["--", path]
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # a read must not lock the repository
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30,
                              check=False, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = done.stdout.strip()
    if done.returncode != 0 or not stamp.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(stamp), tz=dt.UTC)


def changed(srcdir: Path | str, path: Path | str | None = None) -> dt.datetime | None:
    """When ``path`` was last committed; a file not yet committed: the last commit."""
    if path is not None:
        found = last_commit(str(srcdir), str(path))
        if found is not None:
            return found
    return last_commit(str(srcdir))
