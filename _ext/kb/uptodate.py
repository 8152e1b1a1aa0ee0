"""``make html`` when nothing changed: "up to date", without starting Sphinx.

Sphinx learns that a rebuild has nothing to do only after importing itself,
furo, MyST and pybtex and loading the environment: a second or more, most of
it imports (bench/README.md, "Session 10"). make answers "is the target up to
date?" from file times, but knows nothing of what a Sphinx site depends on.
This module tells it. At the end of a build with no warning, :func:`record`
writes down what the build saw; ``make html`` runs this file as a script
(:func:`main`), which compares (:func:`changed`) and either says the site is
up to date or hands over to Sphinx with the same arguments.

What is written down, so what makes the next ``make html`` run Sphinx:

* the command line, working folder, Python and environment variables (all
  but a shell's bookkeeping, :data:`VOLATILE`); with ``-a``, ``-E``,
  named files or ``KB_ALWAYS_BUILD=1`` Sphinx always runs;
* every folder of the source folder that Sphinx looks in (its
  ``exclude_patterns`` left out, as Sphinx leaves them out) with its
  entries, and every file in them with its size and times: essays,
  ``refs.bib``, ``conf.py``, ``_ext/``;
* files documents depend on outside it, the code of every Python module
  loaded from elsewhere than the standard library and ``site-packages``,
  the Pagefind program, the installed packages (the listing of
  ``site-packages``) and the git commit (pages show the date of the last one);
* every folder of the output (a page removed) and the saved environment.

Nothing is written down for a build that failed or warned, or when a
source's times are too close to the start of the build to tell a later
change from the one it read (:data:`MARGIN_NS`). The record is removed
when a build starts, so a build that stops half way leaves none.

Only the standard library, and nothing of the ``kb`` package at import:
the check must not pay the imports it saves. ``tests/test_uptodate.py``
changes each kind of input and checks that Sphinx runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import sysconfig
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The record's file name, in the doctree folder.
RECORD = "kb-uptodate.json"
VERSION = 2
#: When the launcher started, handed to Sphinx (nanoseconds since the epoch).
STARTED = "KB_BUILD_STARTED_NS"
#: ``KB_ALWAYS_BUILD=1 make html``: run Sphinx whatever the record says.
FORCE = "KB_ALWAYS_BUILD"
#: Environment variables a shell or make changes between two identical
#: commands, this module's own, and one Sphinx sets itself during the build
#: (to the ``docutils.conf`` beside ``conf.py``, a file recorded with the others).
VOLATILE = frozenset({
    "_", "OLDPWD", "PWD", "SHLVL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS",
    "MAKE_TERMOUT", "MAKE_TERMERR", STARTED, FORCE, "DOCUTILSCONFIG",
})
#: Folders that are never the build's input: git's own (the commit is
#: recorded instead) and Python's compiled modules.
SKIPPED_FOLDERS = frozenset({".git", "__pycache__"})
#: A file last changed less than this before the build started could change
#: again without its times showing it (time stamps come from a clock that
#: lags by a tick): then no record is written.
MARGIN_NS = 50_000_000
#: The same on a file system keeping whole seconds or two (FAT, some shares).
COARSE_MARGIN_NS = 2_000_000_000

_VALUED_SHORT = frozenset("bdcDAtjw")
_VALUED_LONG = frozenset({
    "--builder", "--doctree-dir", "--conf-dir", "--define", "--html-define", "--tag",
    "--jobs", "--warning-file",
})
_FLAG_LONG = frozenset({
    "--color", "--no-color", "--quiet", "--silent", "--verbose", "--nitpicky",
    "--keep-going", "--fail-on-warning", "--show-traceback", "--pdb", "--isolated",
    "--exception-on-warning",
})
#: Short flags that ask for a full build (-a, -E), make mode (-M) or no conf.py (-C).
_ALWAYS_SHORT = frozenset("aEMC")


def command_folders(args: Sequence[str]) -> tuple[str, str, str] | None:
    """(source, output, doctree folder) of a ``sphinx-build`` command line;
    None when it asks for a full build, names files, or is not understood
    (Sphinx then runs)."""
    positional: list[str] = []
    doctrees = None
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg.startswith("--"):
            name, given, value = arg.partition("=")
            if name in _FLAG_LONG:
                continue
            if name not in _VALUED_LONG:
                return None  # --write-all, --fresh-env, "--", or unknown
        elif arg.startswith("-") and len(arg) > 1:
            if arg[1] not in _VALUED_SHORT:
                if _ALWAYS_SHORT & set(arg[1:]):
                    return None  # also among combined flags, as in -nE
                continue
            name, value = arg[:2], arg[2:]
            given = "=" if value else ""
        else:
            positional.append(arg)
            continue
        if not given:
            if not rest:
                return None
            value = rest.pop(0)
        if name in ("-d", "--doctree-dir"):
            doctrees = value
    if len(positional) != 2:
        return None
    source, output = positional
    return source, output, doctrees or os.path.join(output, ".doctrees")


def environment_digest(environ: Mapping[str, str]) -> str:
    items = sorted((k, v) for k, v in environ.items() if k not in VOLATILE)
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()


def packages_digest() -> str:
    """The installed distributions (their folders name their versions)."""
    listing: list[list[object]] = []
    for folder in sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}):
        try:
            listing.append([folder, sorted(os.listdir(folder))])
        except OSError:
            listing.append([folder, None])
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest()


def git_commit(folder: str) -> str | None:
    """The commit checked out where ``folder`` is (None outside git), read
    from git's files; "unknown" where they are not the usual ones."""
    here = os.path.abspath(folder)
    while True:
        dot_git = os.path.join(here, ".git")
        if os.path.isdir(dot_git):
            break
        if os.path.exists(dot_git):
            return "unknown"  # a worktree's or submodule's .git file
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
    try:
        with open(os.path.join(dot_git, "HEAD"), encoding="utf-8") as file:
            head = file.read().strip()
        shallow = os.path.exists(os.path.join(dot_git, "shallow"))
        if not head.startswith("ref: "):
            return f"{head} {shallow}"
        ref = head[5:]
        try:
            with open(os.path.join(dot_git, ref), encoding="utf-8") as file:
                return f"{file.read().strip()} {shallow}"
        except FileNotFoundError:
            with open(os.path.join(dot_git, "packed-refs"), encoding="utf-8") as file:
                for line in file:
                    if line.rstrip("\n").endswith(" " + ref):
                        return f"{line.split()[0]} {shallow}"
    except OSError:
        pass
    return "unknown"


def _times(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _output_folders(output: str, skipped: str) -> dict[str, list[int] | None]:
    """Each output folder's times: they change when a page in it is removed.
    A folder whose link count says it has no subfolder (2, on Linux's file
    systems) is not listed: the essays' 10,000 pages are not read through."""
    folders: dict[str, list[int] | None] = {}
    pending = [output]
    while pending:
        folder = pending.pop()
        try:
            st = os.stat(folder)
        except OSError:
            folders[folder] = None
            continue
        folders[folder] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        if st.st_nlink == 2:
            continue
        with os.scandir(folder) as entries:
            pending.extend(entry.path for entry in entries
                           if entry.is_dir(follow_symlinks=False) and entry.path != skipped)
    return dict(sorted(folders.items()))


class SourceFolders:
    """What a build looks at in its source folder: each folder's entries
    but those Sphinx excludes (``exclude_patterns``, as one regular
    expression), git's and Python's caches and the build's own output."""

    def __init__(self, source: str, exclude: str | None, outputs: Iterable[str]) -> None:
        self.source = source
        self.exclude = exclude
        self.excluded = re.compile(exclude).match if exclude else None
        self.outputs = set(outputs)
        # As the entries' relative names: 11,000 joins cost 0.03 s at 10,000 essays.
        self._output_names = {os.path.relpath(output, source).replace(os.sep, "/")
                              for output in self.outputs}

    def entries(self, folder: str, names: Iterable[str]) -> list[str]:
        """The names in ``folder`` (relative, posix; "" for the source) that count."""
        prefix = folder + "/" if folder else ""
        excluded, outputs = self.excluded, self._output_names
        return sorted(name for name in names
                      if name not in SKIPPED_FOLDERS
                      and not (excluded and excluded(prefix + name))
                      and prefix + name not in outputs)

    def listing(self, folder: str) -> list[str] | None:
        try:
            return self.entries(folder, os.listdir(os.path.join(self.source, folder)))
        except OSError:
            return None

    def scan(self) -> tuple[dict[str, list[str]], list[str]]:
        """Every folder's entries, and every file's path, from the top."""
        folders: dict[str, list[str]] = {}
        files: list[str] = []
        for root, dirs, names in os.walk(self.source, followlinks=True):  # as Sphinx
            folder = os.path.relpath(root, self.source).replace(os.sep, "/")
            folder = "" if folder == "." else folder
            folders[folder] = listed = self.entries(folder, [*dirs, *names])  # sorted
            kept = set(listed)
            parent = root if root.endswith(os.sep) else root + os.sep
            files.extend(parent + name for name in names if name in kept)
            dirs[:] = [d for d in dirs if d in kept]
        return folders, files


def _command(args: Sequence[str], environ: Mapping[str, str], cwd: str) -> dict[str, Any]:
    return {
        "version": VERSION,
        "args": list(args),
        "cwd": cwd,
        "python": [sys.executable, sys.version],
        "environment": environment_digest(environ),
        "packages": packages_digest(),
    }


def changed(args: Sequence[str], environ: Mapping[str, str], cwd: str) -> str | None:
    """What differs from the last build's record (a short reason), or None
    when nothing does and the site is up to date."""
    folders = command_folders(args)
    if folders is None:
        return "the command asks Sphinx for a full build or names files"
    source, _output, doctrees = (os.path.realpath(os.path.join(cwd, f)) for f in folders)
    try:
        with open(os.path.join(doctrees, RECORD), encoding="utf-8") as file:
            record = json.load(file)
    except (OSError, ValueError):
        return "no record of a clean build"
    try:
        return _differs(record, args, environ, cwd, source)
    except (KeyError, TypeError, ValueError, AttributeError, re.error):
        return "the record is not one this version reads"


def _differs(record: dict[str, Any], args: Sequence[str], environ: Mapping[str, str],
             cwd: str, source: str) -> str | None:
    if record["command"] != _command(args, environ, cwd):
        return "the command, environment or installed packages changed"
    if record["git"] != git_commit(source) or record["git"] == "unknown":
        return "the git commit changed"
    for path, times in record["files"].items():
        if _times(path) != times:
            return f"{path} changed"
    sources = SourceFolders(record["source"], record["exclude"], record["outputs_at"])
    for folder, names in record["folders"].items():
        if sources.listing(folder) != names:
            return f"a file was added to or removed from {folder or 'the source folder'}"
    for folder, times in record["outputs"].items():
        if _times(folder) != times:
            return f"a file was added to or removed from {folder}"
    return None


def main(args: Sequence[str] | None = None) -> int:
    """``python _ext/kb/uptodate.py SPHINX-BUILD-ARGUMENTS``: "up to date",
    or Sphinx with the same arguments (in this process)."""
    started = time.time_ns()
    args = list(sys.argv[1:] if args is None else args)
    cwd = os.getcwd()
    if not os.environ.get(FORCE) and changed(args, os.environ, cwd) is None:
        folders = command_folders(args)
        assert folders is not None
        print(f"Nothing changed since the last build: {folders[1]} is up to date.")
        return 0
    # Sphinx in this process, as ``python -m sphinx`` would run it: one
    # interpreter start, not two. This file's folder leaves the module path
    # first (kb's modules must not be found as top-level ones).
    os.environ[STARTED] = str(started)
    sys.path[0] = cwd
    scan_entry_points_once()
    if builder_name(args) == "html":
        skip_unused_builders()
    import sphinx
    from sphinx.cmd.build import main as sphinx_build

    sys.argv = [os.path.join(os.path.dirname(sphinx.__file__), "__main__.py"), *args]
    return sphinx_build(args)


#: Sphinx's own builders that an ``html`` build neither runs nor reads a
#: setting of (linkcheck alone imports ``requests``): their imports take
#: 0.06-0.07 s of every build (bench/README.md, session 13).
#: ``gettext`` stays (its settings are read by translation transforms),
#: ``latex`` too (``kb.latex`` sets its settings in every build).
UNUSED_BY_HTML = frozenset({
    "sphinx.builders.changes", "sphinx.builders.dummy", "sphinx.builders.epub3",
    "sphinx.builders.linkcheck", "sphinx.builders.manpage", "sphinx.builders.texinfo",
    "sphinx.builders.text", "sphinx.builders.xml",
})


def builder_name(args: Sequence[str]) -> str | None:
    """The builder ``-b``/``--builder`` names (None in make mode, ``-M``)."""
    name = None
    for index, arg in enumerate(args):
        if arg == "-M":
            return None
        if arg in ("-b", "--builder") and index + 1 < len(args):
            name = args[index + 1]
        elif arg.startswith("--builder="):
            name = arg.partition("=")[2]
        elif arg.startswith("-b") and len(arg) > 2:
            name = arg[2:]
    return name


def skip_unused_builders() -> None:
    """Leave :data:`UNUSED_BY_HTML` out of the extensions Sphinx sets up
    (``_compat`` item 23)."""
    from sphinx import application

    application.builtin_extensions = tuple(
        name for name in application.builtin_extensions if name not in UNUSED_BY_HTML)


def scan_entry_points_once() -> None:
    """Read the installed packages' entry points once for the whole build.

    Sphinx (themes), sphinxcontrib-bibtex, pybtex and Pygments each ask
    ``importlib.metadata.entry_points`` for their plugins, nine times a
    build, and every call reads every installed package's metadata again
    (6 ms each with this project's requirements, bench/README.md). Nothing
    is installed while one build runs, so the launcher keeps the first
    answer; a caller's group or name is selected from it as the standard
    library does.
    """
    from importlib import metadata

    scan = metadata.entry_points
    found: list[Any] = []  # typeshed: SelectableGroups before Python 3.12

    def entry_points(**params: Any) -> metadata.EntryPoints:
        if not found:
            found.append(scan())
        return found[0].select(**params) if params else found[0]

    metadata.entry_points = entry_points  # type: ignore[assignment]


# -- Sphinx's side: the record -------------------------------------------------


def record_path(app: Sphinx) -> str:
    return os.path.join(os.fspath(app.doctreedir), RECORD)


def _source_folders(app: Sphinx) -> SourceFolders:
    from .fastscan import patterns_regex

    return SourceFolders(
        os.path.realpath(app.srcdir), patterns_regex(app.config.exclude_patterns),
        [os.path.realpath(app.outdir), os.path.realpath(app.doctreedir)])


#: What a build looked in, folders' entries, and files' sizes and times.
Seen = tuple[SourceFolders, dict[str, list[str]], dict[str, list[int] | None]]
#: Per build: its source folders and files as they were when it started
#: (None: a file changed too close to the start to be told apart later).
_SEEN: WeakKeyDictionary[Sphinx, Seen | None] = WeakKeyDictionary()


def start(app: Sphinx) -> None:
    """A build starts: no record until it ends cleanly; the source folders
    and files as they are now, before anything is read. A file changed
    while the build runs then differs from the record, so the next build
    runs Sphinx."""
    with contextlib.suppress(OSError):  # none, or not a file we can remove
        os.unlink(record_path(app))
    from .fastscan import times_at_start

    sources = _source_folders(app)
    folders, paths = sources.scan()
    files = {path: _times(path) for path in paths}
    times_at_start[app.env] = files  # the sources' times, for Sphinx's own check
    _SEEN[app] = (sources, folders, files) if _all_read_before(app, files) else None


def _all_read_before(app: Sphinx, files: Mapping[str, list[int] | None],
                     absent: bool = False) -> bool:
    """Whether every file was last changed surely before the build started;
    one that is not there counts as changed, unless ``absent`` (its
    appearing is then a change the record shows)."""
    started = _started_ns(os.environ)
    for path, times in files.items():
        if times is None and absent:
            continue
        if times is None or not _read_before(times[1:], started):
            from sphinx.util import logging

            logging.getLogger(__name__).verbose(
                "not recorded as up to date: %s changed as the build started", path)
            return False
    return True


def _started_ns(environ: Mapping[str, str]) -> int:
    """When the launcher started, else when this module was imported (after
    conf.py was read: so two seconds more are asked of every file)."""
    try:
        return int(environ[STARTED])
    except (KeyError, ValueError):
        return _IMPORTED_NS - COARSE_MARGIN_NS


_IMPORTED_NS = time.time_ns()


def _read_before(times: Iterable[int], started: int) -> bool:
    """Whether a file with these times was surely last changed before the
    build started, by a margin its time stamps can show."""
    for stamp in times:
        coarse = stamp % 1_000_000 == 0
        if stamp >= started - (COARSE_MARGIN_NS if coarse else MARGIN_NS):
            return False
    return True


def _module_files() -> list[str]:
    """The files of the Python modules loaded from outside the standard
    library and ``site-packages`` (an extension beside conf.py, or wherever
    conf.py put it on ``sys.path``)."""
    paths = sysconfig.get_paths()
    folders = [paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    installed = tuple({os.path.join(f(folder), "") for folder in folders
                       for f in (os.path.abspath, os.path.realpath)})
    files = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py") and not path.startswith(installed):
            path = os.path.realpath(path)
            if not path.startswith(installed):
                files.append(path)
    return files


def _other_files(app: Sphinx) -> dict[str, list[int] | None]:
    """The documents' dependencies anywhere, the extensions' code and the
    Pagefind program, with their sizes and times."""
    from .pagefind_bundle import find_pagefind

    srcdir = os.path.realpath(app.srcdir)
    paths = _module_files()
    # conf.py and docutils.conf, wherever -c put them (Sphinx execs conf.py:
    # it is no module).
    paths += [os.path.realpath(os.path.join(app.confdir, name))
              for name in ("conf.py", "docutils.conf")]
    for dependencies in app.env.dependencies.values():
        paths.extend(os.path.realpath(os.path.join(srcdir, d)) for d in dependencies)
    program = find_pagefind()
    if program:
        paths.append(os.path.realpath(program))
    return {path: _times(path) for path in paths}


def record(app: Sphinx, exception: BaseException | None) -> None:
    """After a build with no error and no warning: what it saw."""
    from . import _compat

    seen = _SEEN.pop(app, None)
    if seen is None or exception is not None or _compat.warning_count(app) or app.statuscode:
        return
    scanned, folders, files = seen
    others = _other_files(app)
    if not _all_read_before(app, others, absent=True):
        return
    doctrees = os.path.realpath(app.doctreedir)
    environment = os.path.join(doctrees, _compat.ENV_PICKLE_FILENAME)
    data = {
        "command": _command(sys.argv[1:], os.environ, os.getcwd()),
        "git": git_commit(os.fspath(app.srcdir)),
        "source": scanned.source,
        "exclude": scanned.exclude,
        "outputs_at": sorted(scanned.outputs),
        "folders": folders,
        "files": {**others, **files, environment: _times(environment)},
        "outputs": _output_folders(os.path.realpath(app.outdir), doctrees),
    }
    path = record_path(app)
    try:
        with open(path + ".tmp", "w", encoding="utf-8") as file:
            # dumps, not dump: only a one-shot encode takes the C encoder
            # (the heavy 10,000 site's record: 0.039 s in pure Python, 0.018 s).
            file.write(json.dumps(data, separators=(",", ":")))
        os.replace(path + ".tmp", path)
    except OSError:  # a full disk, a read-only folder: the next build runs Sphinx
        with contextlib.suppress(OSError):
            os.unlink(path + ".tmp")


if __name__ == "__main__":
    sys.exit(main())
