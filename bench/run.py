"""One command that builds synthetic knowledge bases and reports the figures.

For each N it generates a corpus (``bench/generate.py``), builds it with the
project's own ``conf.py`` + ``_ext/`` (the *project* stack) at ``-j 1`` and
``-j auto``, measures the output, times incremental rebuilds, and builds the
same essays and refs.bib with stock furo + myst-parser + sphinxcontrib-bibtex
(the *stock* stack, ``bench/stock/conf.py``) for the ratios.  Every build is
a fresh ``python -m sphinx`` subprocess, so timings include interpreter and
Sphinx start-up, as a user's ``make html`` does.

Run ``python bench/run.py --help`` for the flags; bench/README.md explains
each column.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

try:
    from bench import generate as gen
    from bench import pagesizes
except ImportError:  # run as ``python bench/run.py``
    import generate as gen  # type: ignore[no-redef]
    import pagesizes  # type: ignore[no-redef]

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
CORPUS_DIR = BENCH_DIR / "_corpus"
BUILD_DIR = BENCH_DIR / "_build"
README = BENCH_DIR / "README.md"
#: The project's conf.py, _ext/ and pages, copied once per run: the
#: extension may change while a long run is under way, and every N of one
#: run must measure the same code.
SNAPSHOT_DIR = BUILD_DIR / "project-snapshot"
GNU_TIME = "/usr/bin/time"
#: Fixed so that dates Sphinx prints (copyright, last updated) do not differ
#: between the -j 1 and -j auto builds being compared.
SOURCE_DATE_EPOCH = "1600000000"
#: Not part of what a reader is served, or not Sphinx's own output.
IGNORED_IN_COMPARISON = {".doctrees", ".buildinfo", "pagefind", "pagefind-recent"}

#: Falls back to this when GNU time is missing: the wrapper's children's
#: peak RSS, which is the build's, as the wrapper itself is not counted.
RUSAGE_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[2:])\n"
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1], 'w').write(\n"
    "    f'User time (seconds): {ru.ru_utime}\\nSystem time (seconds): {ru.ru_stime}\\n'\n"
    "    f'Maximum resident set size (kbytes): {ru.ru_maxrss}\\n'\n"
    ")\n"
    "sys.exit(rc)\n"
)
WARNING_RE = re.compile(r"\b(WARNING|ERROR|CRITICAL):")
UPDATING_RE = re.compile(r"(\d+) added, (\d+) changed, (\d+) removed")
READING_RE = re.compile(r"^reading sources\.\.\. \[\s*\d+%\] (\S+)")
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
WRITING_RE = re.compile(r"^writing output\.\.\. \[\s*\d+%\] (\S+)")
MAXRSS_RE = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
CPU_RE = re.compile(r"(?:User|System) time \(seconds\): ([\d.]+)")

_T0 = time.perf_counter()


def log(msg: str) -> None:
    """Progress on stderr, so a long run shows where it is."""
    print(f"[{time.perf_counter() - _T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# One build
# --------------------------------------------------------------------------


@dataclass
class Build:
    """One sphinx-build subprocess and what its output says."""

    label: str
    cmd: list[str]
    ok: bool
    wall_s: float
    peak_rss_mb: float | None
    peak_pss_total_mb: float | None
    warnings: int
    added_changed_removed: tuple[int, int, int] | None = None
    read: list[str] = field(default_factory=list)
    written: int | None = None
    stderr_tail: str = ""
    #: User + system CPU seconds of the whole process tree: unlike wall
    #: time, hardly inflated by other work on a shared machine.
    cpu_s: float | None = None
    mem_log: str = ""


def _memory_wrapper(report: Path) -> list[str]:
    if Path(GNU_TIME).exists():
        return [GNU_TIME, "-v", "-o", str(report)]
    return [sys.executable, "-c", RUSAGE_WRAPPER, str(report)]


def sphinx_cmd(srcdir: Path, outdir: Path, doctrees: Path, jobs: str, quiet: bool) -> list[str]:
    # --no-color: the progress lines are parsed, even where FORCE_COLOR is set.
    # The project is built as make html builds it: through its launcher,
    # which answers a rebuild with nothing to do without starting Sphinx
    # (_ext/kb/uptodate.py); the stock tree has none.
    launcher = srcdir / "_ext" / "kb" / "uptodate.py"
    start = [str(launcher)] if launcher.is_file() else ["-m", "sphinx"]
    cmd = [sys.executable, *start, "-b", "html", "-j", jobs, "--no-color"]
    cmd += ["-d", str(doctrees), str(srcdir), str(outdir)]
    return cmd + (["-q"] if quiet else [])


def run_sphinx(
    label: str, srcdir: Path, outdir: Path, doctrees: Path, jobs: str, quiet: bool,
    env: dict[str, str] | None = None,
) -> Build:
    """Run one build; quiet=False keeps the per-document lines we count;
    ``env`` adds to the environment of every build."""
    cmd = sphinx_cmd(srcdir, outdir, doctrees, jobs, quiet)
    build, stdout = run_timed(label, cmd, outdir.parent / "logs", env=env)
    if not quiet:
        _parse_progress(build, stdout)
    return build


def build_environment() -> dict[str, str]:
    """The environment of every timed build: fixed dates, and Python's own
    default of caching compiled modules (a machine that sets
    PYTHONDONTWRITEBYTECODE, as this benchmark's does, would otherwise
    compile every module of ``_ext/`` again at each build, about 0.05 s)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_timed(label: str, cmd: list[str], logs: Path, cwd: Path | None = None,
              env: dict[str, str] | None = None) -> tuple[Build, str]:
    """Run one build command under GNU time and the memory sampler.

    Returns the build and its stdout; logs go to ``logs/<label>.{out,err,mem}``.
    """
    logs.mkdir(parents=True, exist_ok=True)
    stem = _stem(label)
    out_log, err_log, mem_log = (logs / f"{stem}.{ext}" for ext in ("out", "err", "mem"))
    env = {**build_environment(), **(env or {})}
    start = time.perf_counter()
    with out_log.open("w") as out, err_log.open("w") as err:
        proc = subprocess.Popen(
            _memory_wrapper(mem_log) + cmd, stdout=out, stderr=err, env=env, cwd=cwd
        )
        sampler = TreeMemorySampler(proc)
        rc = proc.wait()
    wall = time.perf_counter() - start
    sampler.join()
    stdout = out_log.read_text(errors="replace")
    stderr = err_log.read_text(errors="replace")
    build = Build(
        label=label,
        cmd=cmd,
        ok=rc == 0,
        wall_s=wall,
        peak_rss_mb=_peak_rss_mb(mem_log),
        peak_pss_total_mb=sampler.peak_mb,
        cpu_s=cpu_seconds(mem_log),
        mem_log=str(mem_log),
        warnings=sum(1 for line in stderr.splitlines() if WARNING_RE.search(line)),
        stderr_tail="\n".join(stderr.splitlines()[-15:]),
    )
    if not build.ok:
        log(f"BUILD FAILED (exit {rc}): {' '.join(cmd)}\n{build.stderr_tail}")
    return build, stdout


class TreeMemorySampler(threading.Thread):
    """Peak of the summed PSS of a process and all its descendants.

    GNU time reports the largest *single* process; with -j auto Sphinx forks
    workers, so their memory adds up.  PSS (not RSS) splits pages shared
    after fork between the processes, so the sum is not inflated.  Sampled
    from /proc every 0.2 s, or less often when reading PSS is slow (it walks
    the page tables: ~150 ms for a 2 GB process), so that sampling costs at
    most 1/OVERHEAD_FACTOR of a core: an approximation, None without /proc.
    """

    INTERVAL_S = 0.2
    OVERHEAD_FACTOR = 20

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        super().__init__(daemon=True)
        self.proc = proc
        self.peak_kb: int | None = 0 if Path("/proc/self/smaps_rollup").exists() else None
        self.start()

    @property
    def peak_mb(self) -> float | None:
        return None if not self.peak_kb else self.peak_kb / 1024

    def run(self) -> None:
        while self.peak_kb is not None and self.proc.poll() is None:
            start = time.perf_counter()
            total = sum(_pss_kb(pid) for pid in _process_tree(self.proc.pid))
            self.peak_kb = max(self.peak_kb, total)
            cost = time.perf_counter() - start
            time.sleep(max(self.INTERVAL_S, self.OVERHEAD_FACTOR * cost))


def _process_tree(root: int) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # the process ended meanwhile
                todo += [int(c) for c in children.read_text().split()]
    return pids


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) if match else 0


def cpu_seconds(report: Path) -> float | None:
    times = CPU_RE.findall(report.read_text()) if report.exists() else []
    return sum(float(t) for t in times) if times else None


def _stem(label: str) -> str:
    return re.sub(r"[^\w.-]+", "_", label)


def _peak_rss_mb(report: Path) -> float | None:
    match = MAXRSS_RE.search(report.read_text()) if report.exists() else None
    return int(match.group(1)) / 1024 if match else None


def _parse_progress(build: Build, stdout: str) -> None:
    """Which documents Sphinx re-read and how many pages it wrote."""
    if match := UPDATING_RE.search(stdout):
        build.added_changed_removed = tuple(int(g) for g in match.groups())  # type: ignore[assignment]
    # Where FORCE_COLOR is set, Sphinx redraws progress lines in place.
    lines = ANSI_RE.sub("", stdout).replace("\r", "\n").splitlines()
    build.read = [m.group(1) for line in lines if (m := READING_RE.match(line))]
    build.written = sum(1 for line in lines if WRITING_RE.match(line))


# --------------------------------------------------------------------------
# Output measurements
# --------------------------------------------------------------------------


def essay_pages(html: Path) -> list[Path]:
    return sorted((html / "essays").glob("syn-*.html"))


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def site_files(html: Path) -> list[Path]:
    """Published files but Sphinx's private state and the Pagefind bundle.

    pagefind/ is left out so that sites with and without one compare; its
    size on disk is reported with the Pagefind figures.
    """
    return [
        p
        for p in html.rglob("*")
        if p.is_file() and p.relative_to(html).parts[0] not in IGNORED_IN_COMPARISON
    ]


def pagefind_transfer(pagefind: Path) -> dict[str, int]:
    """Bytes for a first one-word search with Pagefind (see README: method).

    Text files count gzipped (servers compress them); ``.pagefind`` and
    ``.pf_*`` files are already gzip streams, so they count as stored.
    """
    entry_path = pagefind / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text())
    lang = next(iter(entry.get("languages", {}).values()), {})
    wasm = pagefind / f"wasm.{lang.get('wasm', 'unknown')}.pagefind"
    meta = pagefind / f"pagefind.{lang.get('hash', '')}.pf_meta"
    parts = {
        "pagefind.js": gzip_size(pagefind / "pagefind.js"),
        "pagefind-entry.json": gzip_size(entry_path),
        "wasm": wasm.stat().st_size if wasm.exists() else _largest(pagefind, "wasm.*"),
        "meta": meta.stat().st_size if meta.exists() else _largest(pagefind, "*.pf_meta"),
        "largest index chunk": _largest(pagefind / "index", "*.pf_index"),
        "filters": sum(p.stat().st_size for p in pagefind.glob("filter/*.pf_filter")),
        "largest fragment": _largest(pagefind / "fragment", "*.pf_fragment"),
    }
    parts["total"] = sum(parts.values())
    ui = [pagefind / name for name in ("pagefind-ui.js", "pagefind-ui.css")]
    parts["default UI js+css, not in total"] = sum(gzip_size(p) for p in ui if p.exists())
    fragments = [p.stat().st_size for p in pagefind.glob("fragment/*.pf_fragment")]
    bundle = sum(p.stat().st_size for p in pagefind.rglob("*") if p.is_file())
    parts["whole pagefind/ on disk, not in total"] = bundle
    chunks = [p.stat().st_size for p in pagefind.glob("index/*.pf_index")]
    parts["median index chunk, not in total"] = int(statistics.median(chunks)) if chunks else 0
    parts["median fragment, not in total"] = int(statistics.median(fragments)) if fragments else 0
    return parts


def _largest(folder: Path, pattern: str) -> int:
    return max((p.stat().st_size for p in folder.glob(pattern)), default=0)


@dataclass
class SiteMetrics:
    essay_pages: int
    median_essay_page_b: int
    max_essay_page_b: int
    site_b: int
    site_files: int
    searchindex_b: int | None
    searchindex_gz_b: int | None
    pagefind: dict[str, int] | None
    largest_pages: dict[str, tuple[int, str]] | None = None  # by kind (bench/pagesizes.py)


def _metrics(pages: list[int], files: list[Path], index: Path,
             pagefind: dict[str, int] | None,
             largest_pages: dict[str, tuple[int, str]] | None = None) -> SiteMetrics:
    """What every stack's output is measured by: essay pages, whole site, search index."""
    return SiteMetrics(
        essay_pages=len(pages),
        median_essay_page_b=int(statistics.median(pages)) if pages else 0,
        max_essay_page_b=max(pages, default=0),
        site_b=sum(p.stat().st_size for p in files),
        site_files=len(files),
        searchindex_b=index.stat().st_size if index.exists() else None,
        searchindex_gz_b=gzip_size(index) if index.exists() else None,
        pagefind=pagefind,
        largest_pages=largest_pages,
    )


def measure_site(html: Path) -> SiteMetrics:
    pagefind = html / "pagefind"
    return _metrics(
        [p.stat().st_size for p in essay_pages(html)], site_files(html),
        html / "searchindex.js",
        pagefind=pagefind_transfer(pagefind)
        if (pagefind / "pagefind-entry.json").exists()
        else None,
        largest_pages=pagesizes.largest_by_kind(html),
    )


def _digests(root: Path) -> dict[str, str]:
    digests = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if path.is_file() and rel.parts[0] not in IGNORED_IN_COMPARISON:
            digests[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def compare_trees(a: Path, b: Path) -> list[str]:
    """Paths whose bytes differ (or exist on one side only)."""
    da, db = _digests(a), _digests(b)
    return sorted(p for p in da.keys() | db.keys() if da.get(p) != db.get(p))


# --------------------------------------------------------------------------
# Incremental steps
# --------------------------------------------------------------------------


def edit_paragraph(srcdir: Path, essay: int, k: int) -> str:
    """Append a sentence to the first paragraph of one essay."""
    path = srcdir / "essays" / f"{gen.essay_slug(essay)}.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    body = lines.index(gen.SYNTHETIC_ESSAY_MARK)
    para = next(
        i
        for i in range(body + 1, len(lines))
        if lines[i] and not lines[i].startswith(("#", "```", "<!--"))
    )
    lines[para] += f" This sentence was added by bench/run.py (edit {k})."
    path.write_text("\n".join(lines), encoding="utf-8")
    return f"essays/{path.stem}"


def incremental_steps(
    corpus: gen.Corpus, srcdir: Path, k: int, myst: bool = False
) -> list[tuple[str, object]]:
    """(name, change) pairs; k makes repeated steps touch new items. The
    last is the project's only: no change, with its launcher told to start
    Sphinx anyway (what a no-change rebuild costs Sphinx itself)."""
    n = corpus.n
    write = gen.write_myst_essay if myst else gen.write_essay
    return [
        ("no change", lambda: None),
        ("edit one essay's paragraph", lambda: edit_paragraph(srcdir, n // 2 + k, k)),
        ("add one essay", lambda: write(srcdir, n + k, corpus.n_keys, corpus.people, corpus.kind)),
        ("add one refs.bib entry", lambda: gen.append_bib_entry(srcdir / "refs.bib", 3 * n + k)),
        (SPHINX_NO_CHANGE, lambda: None),
    ]


#: The step that times Sphinx on a rebuild with nothing to do (project only).
SPHINX_NO_CHANGE = "no change, Sphinx started anyway"
#: What tells the project's launcher to start Sphinx whatever its record says.
ALWAYS_BUILD = {"KB_ALWAYS_BUILD": "1"}


@dataclass
class Incremental:
    step: str
    wall_s: float
    cpu_s: float | None
    ok: bool
    read: int
    read_essays: int
    written: int | None
    added_changed_removed: tuple[int, int, int] | None
    runs: int


def run_incremental(
    stack: str,
    corpus: gen.Corpus,
    srcdir: Path,
    outdir: Path,
    doctrees: Path,
    jobs: str,
    repeat: int,
) -> list[Incremental]:
    """Each step: change the sources, rebuild the same output dir, time it."""
    def rebuild(label: str) -> Build:
        env = ALWAYS_BUILD if SPHINX_NO_CHANGE in label else None
        return run_sphinx(label, srcdir, outdir, doctrees, jobs, quiet=False, env=env)

    return _incremental(stack, corpus, srcdir, repeat, False, rebuild,
                        steps=5 if stack == "project" else 4)


def _incremental(
    stack: str,
    corpus: gen.Corpus,
    srcdir: Path,
    repeat: int,
    myst: bool,
    rebuild: Callable[[str], Build],
    steps: int = 4,
) -> list[Incremental]:
    """The first ``steps`` incremental steps, ``repeat`` times."""
    results: dict[str, list[Build]] = {}
    for k in range(repeat):
        for name, change in incremental_steps(corpus, srcdir, k, myst)[:steps]:
            change()  # type: ignore[operator]
            label = f"{stack}-N{corpus.n}-inc-{name}-{k}"
            log(f"  {stack} incremental: {name} (run {k + 1}/{repeat})")
            results.setdefault(name, []).append(rebuild(label))
    return [_summarise(name, builds) for name, builds in results.items()]


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _summarise(step: str, builds: list[Build]) -> Incremental:
    last = builds[-1]
    return Incremental(
        step=step,
        wall_s=statistics.median(b.wall_s for b in builds),
        cpu_s=_median([b.cpu_s for b in builds]),
        ok=all(b.ok for b in builds),
        read=len(last.read),
        read_essays=sum(1 for d in last.read if d.startswith("essays/syn-")),
        written=last.written,
        added_changed_removed=last.added_changed_removed,
        runs=len(builds),
    )


# --------------------------------------------------------------------------
# One stack at one N
# --------------------------------------------------------------------------


@dataclass
class StackResult:
    stack: str
    n: int
    #: Which corpus (generate.CORPORA); results.json files of before it are "light".
    corpus: str = "light"
    full: dict[str, Build] = field(default_factory=dict)
    full_wall_s: dict[str, float] = field(default_factory=dict)
    full_cpu_s: dict[str, float | None] = field(default_factory=dict)
    site: SiteMetrics | None = None
    parallel_identical: bool | None = None
    parallel_differences: list[str] = field(default_factory=list)
    incremental: list[Incremental] = field(default_factory=list)
    #: Seconds bench/run.py spent indexing with Pagefind (--pagefind), if it did.
    pagefind_index_s: float | None = None

    @property
    def ok(self) -> bool:
        return bool(self.full) and all(b.ok for b in self.full.values())


@dataclass(frozen=True)
class Plan:
    """What to run for one stack."""

    jobs: list[str]
    repeat: int
    inc_jobs: str | None  # None: no incremental steps
    pagefind: bool  # index the output with Pagefind if the build did not
    #: No -j auto build above this N (several GB per process at 10,000).
    auto_max_n: int = 10**9
    #: Runs of each incremental step (median); None: ``repeat``. A rebuild
    #: takes seconds where a full build takes minutes, so its noise can be
    #: cut by repeating it alone.
    inc_repeat: int | None = None


def run_dir(kind: str, n: int) -> str:
    """Folder name of one corpus and size, under _corpus/ and _build/
    (the light corpus keeps the names it had before there were two)."""
    return f"N{n}" if kind == "light" else f"{kind}-N{n}"


def full_build(
    stack: str, tag: str, n: int, srcdir: Path, jobs: str, repeat: int
) -> tuple[Build, float, float | None]:
    """Fresh output and doctree dirs for every run; median wall and CPU time."""
    base = BUILD_DIR / tag / f"{stack}-j{jobs}"
    shutil.rmtree(base / "logs", ignore_errors=True)  # no stale logs from an earlier run
    walls, cpus = [], []
    for r in range(repeat):
        shutil.rmtree(base / "html", ignore_errors=True)
        shutil.rmtree(base / "doctrees", ignore_errors=True)
        log(f"{stack} {tag}: full build -j {jobs} (run {r + 1}/{repeat})")
        label = f"{stack}-N{n}-j{jobs}-{r}"
        build = run_sphinx(label, srcdir, base / "html", base / "doctrees", jobs, quiet=True)
        walls.append(build.wall_s)
        cpus.append(build.cpu_s)
        if not build.ok:
            break
    return build, statistics.median(walls), _median(cpus)


def index_with_pagefind(html: Path) -> float | None:
    """Time Pagefind on a built site that has no pagefind/ of its own."""
    if (html / "pagefind").exists() or importlib.util.find_spec("pagefind") is None:
        return None
    log(f"  pagefind --site {html}")
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "pagefind", "--site", str(html)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        log(f"pagefind failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
        return None
    return time.perf_counter() - start


def bench_stack(stack: str, corpus: gen.Corpus, srcdir: Path, plan: Plan) -> StackResult:
    """Full builds per -j, output checks, then incremental steps."""
    result = StackResult(stack, corpus.n, corpus.kind)
    tag = run_dir(corpus.kind, corpus.n)
    jobs_list = [j for j in plan.jobs if j != "auto" or corpus.n <= plan.auto_max_n]
    plan = Plan(jobs_list or ["1"], plan.repeat, plan.inc_jobs, plan.pagefind,
                inc_repeat=plan.inc_repeat)
    for jobs in plan.jobs:
        build, wall, cpu = full_build(stack, tag, corpus.n, srcdir, jobs, plan.repeat)
        result.full[jobs] = build
        if not build.ok:
            return result
        result.full_wall_s[jobs] = wall
        result.full_cpu_s[jobs] = cpu
    base = BUILD_DIR / tag
    html = {jobs: base / f"{stack}-j{jobs}" / "html" for jobs in plan.jobs}
    if "1" in html and "auto" in html:
        diffs = compare_trees(html["1"], html["auto"])
        result.parallel_identical = not diffs
        result.parallel_differences = diffs[:20]
    first = html[plan.jobs[0]]
    result.site = measure_site(first)  # before --pagefind adds to the site
    if plan.pagefind and result.site.pagefind is None:
        result.pagefind_index_s = index_with_pagefind(first)
        if result.pagefind_index_s is not None:
            result.site.pagefind = pagefind_transfer(first / "pagefind")
    if plan.inc_jobs is not None:
        inc = plan.inc_jobs if plan.inc_jobs in html else plan.jobs[0]
        result.incremental = run_incremental(
            stack, corpus, srcdir, html[inc], html[inc].parent / "doctrees", inc,
            plan.inc_repeat or plan.repeat,
        )
    return result


# --------------------------------------------------------------------------
# The mystmd peer
# --------------------------------------------------------------------------

#: ``npm ci`` in bench/ installs the pinned mystmd here (bench/package.json).
MYST_BIN = BENCH_DIR / "node_modules" / ".bin" / "myst"
#: mystmd's per-page progress line: which pages it (re)processed.
MYST_BUILT_RE = re.compile(r"Built (essays/\S+|\S+\.md) in ")


def myst_cmd() -> list[str]:
    """``myst build --site``: parse, resolve citations and cross-references,
    write every page's content and the search index; the HTML render needs
    a theme mystmd downloads at build time (bench/README.md)."""
    return [str(MYST_BIN), "build", "--site"]


def run_myst(label: str, tree: Path) -> Build:
    build, stdout = run_timed(label, myst_cmd(), tree.parent / f"{tree.name}-logs", cwd=tree)
    lines = ANSI_RE.sub("", stdout + "\n" + Path(build.mem_log).with_suffix(".err").read_text(
        errors="replace")).splitlines()
    build.read = [m.group(1).removesuffix(".md") for line in lines
                  if (m := MYST_BUILT_RE.search(line))]
    # mystmd prints problems with emoji, not "WARNING:": count its ⚠️ and ⛔️ lines.
    build.warnings += sum(1 for line in lines if line.startswith(("⚠", "⛔")))
    return build


def measure_myst_site(site: Path) -> SiteMetrics:
    """Sizes of mystmd's output: each page's content (JSON, what the theme
    renders into HTML) and the whole ``_build/site`` folder."""
    return _metrics(
        [p.stat().st_size for p in sorted((site / "content").glob("syn-*.json"))],
        [p for p in site.rglob("*") if p.is_file()], site / "myst.search.json",
        pagefind=None,
    )


def bench_mystmd(kind: str, n: int, plan: Plan, all_steps_max_n: int) -> StackResult:
    """Full builds of the same essays with mystmd, then the incremental steps
    (above ``all_steps_max_n`` only "no change": each step is a full build)."""
    tag = run_dir(kind, n)
    tree = CORPUS_DIR / f"{tag}-myst"
    log(f"mystmd {tag}: writing the mystmd tree")
    gen.write_myst_tree(tree, n, kind)
    corpus = gen.Corpus(n, None, None, gen.make_people(n), kind)
    result = StackResult("mystmd", n, kind)
    walls, cpus = [], []
    for r in range(plan.repeat):
        shutil.rmtree(tree / "_build", ignore_errors=True)
        log(f"mystmd {tag}: full build (run {r + 1}/{plan.repeat})")
        build = run_myst(f"mystmd-N{n}-full-{r}", tree)
        walls.append(build.wall_s)
        cpus.append(build.cpu_s)
        if not build.ok:
            result.full["1"] = build
            return result
    result.full["1"] = build
    result.full_wall_s["1"] = statistics.median(walls)
    result.full_cpu_s["1"] = _median(cpus)
    result.site = measure_myst_site(tree / "_build" / "site")
    if plan.inc_jobs is not None:
        result.incremental = _incremental(
            "mystmd", corpus, tree, plan.repeat, True, lambda label: run_myst(label, tree),
            steps=4 if n <= all_steps_max_n else 1,
        )
    return result


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def _kb(b: int | None) -> str:
    return "n/a" if b is None else f"{b / 1024:,.1f}"


def _secs(s: float | None, digits: int) -> str:
    return "n/a" if s is None else f"{s:,.{digits}f}"


def _mb(b: float | None) -> str:
    return "n/a" if b is None else f"{b:,.0f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(row) + " |" for row in rows]


def full_build_rows(results: list[StackResult]) -> list[list[str]]:
    rows = []
    for r in results:
        for jobs, build in r.full.items():
            wall = r.full_wall_s.get(jobs, build.wall_s)
            cpu = r.full_cpu_s.get(jobs, build.cpu_s)
            rows.append(
                [
                    str(r.n),
                    r.corpus,
                    r.stack,
                    jobs,
                    f"{wall:,.1f}" if build.ok else "FAILED",
                    f"{1000 * wall / r.n:,.1f}" if build.ok else "-",
                    _secs(cpu, 1),
                    "n/a" if cpu is None else f"{1000 * cpu / r.n:,.1f}",
                    _mb(build.peak_rss_mb),
                    _mb(build.peak_pss_total_mb),
                    str(build.warnings),
                ]
            )
    return rows


def _pagefind_cell(r: StackResult) -> str:
    pf = r.site.pagefind if r.site else None
    if pf is None:
        return "no pagefind/"
    by_bench = (
        f" (indexed by --pagefind in {r.pagefind_index_s:.1f} s)" if r.pagefind_index_s else ""
    )
    return _kb(pf["total"]) + by_bench


def pagefind_rows(results: list[StackResult]) -> list[list[str]]:
    rows = []
    for r in results:
        if r.site and r.site.pagefind:
            rows += [
                [str(r.n), r.corpus, r.stack, part, _kb(b)] for part, b in r.site.pagefind.items()
            ]
    return rows


def output_rows(results: list[StackResult]) -> list[list[str]]:
    rows = []
    for r in results:
        if r.site is None:
            continue
        s = r.site
        identical = (
            "n/a" if r.parallel_identical is None else ("yes" if r.parallel_identical else "NO")
        )
        rows.append(
            [
                str(r.n),
                r.corpus,
                r.stack,
                _kb(s.median_essay_page_b),
                _kb(s.max_essay_page_b),
                f"{s.site_b / 2**20:,.1f}",
                str(s.site_files),
                f"{_kb(s.searchindex_b)} / {_kb(s.searchindex_gz_b)}",
                _pagefind_cell(r),
                identical,
            ]
        )
    return rows


def incremental_rows(results: list[StackResult]) -> list[list[str]]:
    rows = []
    for r in results:
        for inc in r.incremental:
            acr = inc.added_changed_removed
            rows.append(
                [
                    str(r.n),
                    r.corpus,
                    r.stack,
                    inc.step,
                    f"{inc.wall_s:,.2f}" if inc.ok else "FAILED",
                    _secs(inc.cpu_s, 2),
                    f"{inc.read} ({inc.read_essays})",
                    "n/a" if inc.written is None else str(inc.written),
                    "n/a" if acr is None else "/".join(map(str, acr)),
                    str(inc.runs),
                ]
            )
    return rows


def _find(
    results: list[StackResult], stack: str, n: int, corpus: str = "light"
) -> StackResult | None:
    return next(
        (r for r in results if (r.stack, r.n, r.corpus) == (stack, n, corpus) and r.ok), None
    )


def _step(r: StackResult | None, step: str) -> Incremental | None:
    return next((i for i in r.incremental if i.step == step), None) if r else None


def _per_essay(r: StackResult | None, jobs: str, cpu: bool) -> float | None:
    times = (r.full_cpu_s if cpu else r.full_wall_s) if r else {}
    t = times.get(jobs)
    return None if t is None or r is None else t / r.n


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


class Targets:
    """Rows of the targets table: measured value, limit, verdict."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def add(self, name: str, value: float | str | None, limit: str, passed: bool) -> None:
        if value is None:
            self.rows.append([name, "n/a", limit, "n/a"])
            return
        shown = f"{value:,.2f}" if isinstance(value, float) else value
        self.rows.append([name, shown, limit, "pass" if passed else "FAIL"])

    def at_most(self, name: str, value: float | None, limit: float) -> None:
        self.add(name, value, f"≤ {limit:g}", value is not None and value <= limit)


def target_rows(
    results: list[StackResult], ns: list[int], corpus: str = "light"
) -> list[list[str]]:
    """The first scale issue's targets, as ratios measured in this run (wall and CPU time)."""
    small = 100 if 100 in ns else min(ns)
    big = 1000 if 1000 in ns else max(ns)
    p_small = _find(results, "project", small, corpus)
    p_big = _find(results, "project", big, corpus)
    if small == big:  # one N: no growth ratios
        p_small = None
    stock_big = _find(results, "stock", big, corpus)
    t = Targets()
    for cpu, kind in ((False, "wall"), (True, "CPU")):
        for jobs in ("1", "auto"):
            ratio = _ratio(_per_essay(p_big, jobs, cpu), _per_essay(p_small, jobs, cpu))
            t.at_most(f"{kind} ms/essay N={big} ÷ N={small} (-j {jobs})", ratio, 1.1)
    page = _ratio(*(r.site.median_essay_page_b if r and r.site else None for r in (p_big, p_small)))
    t.at_most(f"essay page N={big} ÷ N={small}", page, 1.05)
    for cpu, kind in ((False, "wall"), (True, "CPU")):
        speedup = _ratio(_per_essay(stock_big, "1", cpu), _per_essay(p_big, "1", cpu))
        t.add(
            f"stock ÷ project full build, {kind}, N={big}, -j 1",
            speedup,
            "≥ 10",
            speedup is not None and speedup >= 10,
        )
    auto = _per_essay(p_big, "auto", cpu=False)
    t.at_most(f"wall ms/essay at -j auto, N={big}", None if auto is None else 1000 * auto, 50)
    edit = _step(p_big, "edit one essay's paragraph")
    t.at_most(
        f"wall of the rebuild after editing one paragraph, N={big} (s)",
        edit.wall_s if edit and edit.ok else None,
        2,
    )
    t.at_most(
        f"CPU of the rebuild after editing one paragraph, N={big} (s)",
        edit.cpu_s if edit and edit.ok else None,
        2,
    )
    bib = _step(p_big, "add one refs.bib entry")
    reread = f"{bib.read_essays} essays ({bib.read} docs)" if bib and bib.ok else None
    t.add(
        f"essays re-read after adding an uncited refs.bib entry, N={big}",
        reread,
        "0",
        bool(bib) and bib.read_essays == 0,
    )
    builds = p_big.full.values() if p_big else []
    peaks = [m for b in builds for m in (b.peak_rss_mb, b.peak_pss_total_mb) if m]
    t.at_most(f"peak memory, N={big} (MB)", max(peaks) if peaks else None, 1024)
    checked = [
        r
        for r in results
        if r.stack == "project" and r.corpus == corpus and r.parallel_identical is not None
    ]
    same = ("yes" if all(r.parallel_identical for r in checked) else "NO") if checked else None
    t.add("-j auto output identical to -j 1 (all N)", same, "yes", same == "yes")
    return t.rows


#: Issue 19's limits on the project's incremental rebuilds at N = 1,000 (wall s).
REBUILD_LIMITS = (
    ("no change", 1.0),
    ("edit one essay's paragraph", 1.5),
    ("add one essay", 3.0),
    ("add one refs.bib entry", 1.5),
)


def _peak_mb(r: StackResult | None) -> float | None:
    """The larger of the largest process's RSS and the whole tree's PSS."""
    builds = r.full.values() if r else []
    peaks = [m for b in builds for m in (b.peak_rss_mb, b.peak_pss_total_mb) if m]
    return max(peaks) if peaks else None


def issue19_rows(
    results: list[StackResult], ns: list[int], corpus: str
) -> list[list[str]]:
    """Issue 19's targets: rebuilds at N = 1,000; edit, memory, growth at 10,000."""
    mid = 1000 if 1000 in ns else max(ns)
    huge = 10_000
    p_mid, p_huge = _find(results, "project", mid, corpus), _find(results, "project", huge, corpus)
    t = Targets()
    for step, limit in REBUILD_LIMITS:
        inc = _step(p_mid, step)
        t.at_most(f"rebuild after: {step}, N={mid}, wall (s)",
                  inc.wall_s if inc and inc.ok else None, limit)
    edit = _step(p_huge, "edit one essay's paragraph")
    t.at_most(f"rebuild after: edit one essay's paragraph, N={huge}, wall (s)",
              edit.wall_s if edit and edit.ok else None, 2)
    t.at_most(f"peak memory of the whole build (Pagefind included), N={huge} (MB)",
              _peak_mb(p_huge), 2048)
    for cpu, kind in ((False, "wall"), (True, "CPU")):
        ratio = _ratio(_per_essay(p_huge, "1", cpu), _per_essay(p_mid, "1", cpu))
        t.at_most(f"full build {kind} ms/essay N={huge} ÷ N={mid} (-j 1)", ratio, 1.2)
    return t.rows


PEERS = ("stock", "mystmd")


def peer_rows(results: list[StackResult]) -> list[list[str]]:
    """Per-essay full-build time of each stack at -j 1, and the ratios to the project."""
    keys = dict.fromkeys((r.n, r.corpus) for r in results if r.stack == "project")
    return [_peer_row(results, n, corpus) for n, corpus in keys]


def _peer_row(results: list[StackResult], n: int, corpus: str) -> list[str]:
    wall = {s: _per_essay(_find(results, s, n, corpus), "1", cpu=False)
            for s in ("project", *PEERS)}
    cpu = {s: _per_essay(_find(results, s, n, corpus), "1", cpu=True)
           for s in ("project", *PEERS)}
    cells = []
    for stack in ("project", *PEERS):
        w, c = wall[stack], cpu[stack]
        cpu_ms = "n/a" if c is None else f"{1000 * c:,.1f}"
        cells.append("n/a" if w is None else f"{1000 * w:,.1f} ({cpu_ms})")
    ratios = []
    for times in (wall, cpu):
        of = [_ratio(times[stack], times["project"]) for stack in PEERS]
        known = [r for r in of if r is not None]
        ratios.append([*of, min(known) if known else None])
    shown = [
        "n/a" if w is None else f"{w:,.1f}×" + ("" if c is None else f" ({c:,.1f}×)")
        for w, c in zip(*ratios, strict=True)
    ]
    return [str(n), corpus, *cells, *shown]


def myst_version() -> str:
    done = subprocess.run([str(MYST_BIN), "--version"], capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() or "unknown"


def machine() -> str:
    import sphinx

    return (
        f"{os.cpu_count()} CPUs (`nproc`: {_nproc()}), {platform.machine()}, "
        f"Python {platform.python_version()}, Sphinx {sphinx.__version__}, "
        f"{platform.system()} {platform.release()}"
    )


def project_version() -> str:
    """Which extension was measured: the commit, and whether it was edited."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # ":(glob)": "*.md" alone would also match bench/README.md, which runs rewrite.
    paths = ["_ext", "_static", "_templates", ":(glob)*.md", *gen.PROJECT_FILES]
    dirty = git("status", "--porcelain", "--", *paths)
    return commit + (" with uncommitted changes to conf.py/_ext/pages" if dirty else "")


def _nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


#: What :func:`machine_speed` times: interpreter work alone, no I/O.
SPEED_PROBE = ("import time\nt = time.perf_counter()\nfor _ in range(10_000_000): pass\n"
               "print(time.perf_counter() - t)")


def machine_speed() -> float | None:
    """Seconds a fresh interpreter takes for 10^7 turns of an empty loop,
    best of three. This shared machine's speed has moved by half within
    minutes (bench/README.md, "Session 12"), so a run says how fast the
    machine was before each corpus size, beside the wall times it took."""
    times = []
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", SPEED_PROBE], capture_output=True,
                              text=True, check=False)
        if done.returncode == 0:
            times.append(float(done.stdout))
    return round(min(times), 2) if times else None


def load_average() -> str:
    """Other work on the machine inflates wall times: say how much there was."""
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


@dataclass
class RunInfo:
    """What a reader needs to reproduce and judge a run."""

    command: str
    ns: list[int]
    corpora: list[str] = field(default_factory=lambda: ["light"])
    #: Peer tools and their versions (mystmd).
    peers: dict[str, str] = field(default_factory=dict)
    date: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M"))
    machine: str = field(default_factory=lambda: machine())
    version: str = "n/a"
    load_start: str = field(default_factory=lambda: load_average())
    load_end: str = ""
    #: :func:`machine_speed` before each corpus and size, and at the end.
    speeds: dict[str, float | None] = field(default_factory=dict)


def _speeds_line(speeds: dict[str, float | None]) -> str:
    measured = ", ".join(f"{when} {'n/a' if s is None else f'{s:.2f}'}"
                         for when, s in speeds.items())
    return ("Machine speed (s for 10^7 turns of an empty Python loop, best of 3; "
            f"lower is faster): {measured}")


def render(results: list[StackResult], run: RunInfo) -> str:
    lines = [
        f"Command: `{run.command}`  ",
        f"Date: {run.date}  ",
        f"Machine: {run.machine}  ",
        f"Project (conf.py, _ext/) at commit {run.version}  ",
        f"Corpora: {', '.join(run.corpora)}; peers: "
        + (", ".join(f"{k} {v}" for k, v in run.peers.items()) or "none")
        + "  ",
        f"Load average (1/5/15 min) at start: {run.load_start}; at end: {run.load_end}"
        + ("  " if run.speeds else ""),
        *([_speeds_line(run.speeds)] if run.speeds else []),
        "",
        "Full builds (fresh output and doctree dirs; wall = median of the repeats):",
        "",
        *_table(
            [
                "N",
                "corpus",
                "stack",
                "-j",
                "wall (s)",
                "ms/essay",
                "CPU (s)",
                "CPU ms/essay",
                "peak RSS, largest process (MB)",
                "peak PSS, all processes (MB)",
                "warnings",
            ],
            full_build_rows(results),
        ),
        "",
        "Output (from the first -j build):",
        "",
        *_table(
            [
                "N",
                "corpus",
                "stack",
                "median essay page (KB)",
                "largest essay page (KB)",
                "site (MB)",
                "files",
                "searchindex.js KB / gzip KB",
                "Pagefind first search (KB)",
                "-j auto identical",
            ],
            output_rows(results),
        ),
    ]
    sized = [(f"N={r.n} {r.corpus} {r.stack}", r.site.largest_pages) for r in results
             if r.site is not None and r.site.largest_pages]
    if sized:
        lines += ["", "Largest page of each kind (KB of HTML; limit 500 at N=10,000):", "",
                  *pagesizes.table(sized)]
    pf = pagefind_rows(results)
    if pf:
        lines += [
            "",
            "Pagefind first-search transfer, by part (KB; see Method):",
            "",
            *_table(["N", "corpus", "stack", "part", "KB"], pf),
        ]
    inc = incremental_rows(results)
    if inc:
        lines += [
            "",
            (
                "Incremental rebuilds (same output dir; wall and CPU: medians of the runs; "
                "docs read = all documents Sphinx re-read by the last run, in brackets the "
                "synthetic essays among them):"
            ),
            "",
            *_table(
                [
                    "N",
                    "corpus",
                    "stack",
                    "change",
                    "wall (s)",
                    "CPU (s)",
                    "docs read (essays)",
                    "pages written",
                    "added/changed/removed",
                    "runs",
                ],
                inc,
            ),
        ]
    corpora = list(dict.fromkeys(r.corpus for r in results)) or run.corpora
    peer = peer_rows(results)
    if any(r.stack != "project" for r in results) and peer:
        lines += [
            "",
            "Against the peers: full build, -j 1, wall ms per essay (CPU ms in brackets), "
            "and how many times longer each alternative takes than the project (wall; "
            "CPU in brackets, the figure to read on a busy machine):",
            "",
            *_table(["N", "corpus", "project", "stock", "mystmd", "stock ÷ project",
                     "mystmd ÷ project", "best alternative ÷ project"], peer),
        ]
    lines += [
        "",
        "Issue 19 targets (rebuilds of the project at -j 1; n/a: that N was not in this run):",
        "",
        *_table(["corpus", "target", "measured", "limit", "verdict"],
                [[c, *row] for c in corpora for row in issue19_rows(results, run.ns, c)]),
        "",
        "Targets of the first scale issue (ratios from this run):",
        "",
        *_table(["corpus", "target", "measured", "limit", "verdict"],
                [[c, *row] for c in corpora for row in target_rows(results, run.ns, c)]),
    ]
    diffs = [r for r in results if r.parallel_differences]
    for r in diffs:
        lines += [
            "",
            f"-j 1 vs -j auto differences, {r.stack} N={r.n} (first 20): "
            + ", ".join(f"`{d}`" for d in r.parallel_differences),
        ]
    failed = [b for r in results for b in r.full.values() if not b.ok]
    for b in failed:
        lines += ["", f"FAILED: `{' '.join(b.cmd)}`", "", "```", b.stderr_tail, "```"]
    return "\n".join(lines) + "\n"


def write_readme(markdown: str, section: str) -> None:
    """Replace the text between the section's markers (added at the end if missing)."""
    start_mark, end_mark = f"<!-- bench-{section}:start -->", f"<!-- bench-{section}:end -->"
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    if start_mark not in text or end_mark not in text:
        text += f"\n## Results ({section})\n\n{start_mark}\n{end_mark}\n"
    start, end = text.index(start_mark), text.index(end_mark)
    README.write_text(
        text[: start + len(start_mark)] + "\n\n" + markdown + "\n" + text[end:],
        encoding="utf-8",
    )


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Benchmark the knowledge base build on synthetic corpora."
    )
    p.add_argument(
        "--n", type=int, action="append", help="corpus size; repeatable (default: 100 and 1000)"
    )
    p.add_argument(
        "--corpus",
        action="append",
        choices=gen.CORPORA,
        help="light (vocabulary prose, ~12 citations) or heavy (the seed essay's text, "
        "20-25 citations); repeatable (default: both)",
    )
    p.add_argument(
        "--peer",
        action="append",
        choices=["mystmd", "none"],
        help="also build with this peer (mystmd: bench/node_modules, `npm ci` in bench/); "
        "default: mystmd when installed, none with --quick",
    )
    p.add_argument(
        "--peer-max-n",
        type=int,
        default=1000,
        help="no peer builds above this N (default 1000)",
    )
    p.add_argument(
        "--peer-steps-max-n",
        type=int,
        default=100,
        help="above this N, time only the no-change rebuild of a peer (mystmd re-processes "
        "every page on every build, so each step costs a full build; default 100)",
    )
    p.add_argument("--huge", action="store_true", help="also N=10,000")
    p.add_argument("--quick", action="store_true", help="smoke run: N=20 only")
    p.add_argument(
        "--stock",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also build with the stock stack (default: yes)",
    )
    p.add_argument(
        "--project",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="build with the project's conf.py + _ext (default: yes)",
    )
    p.add_argument(
        "--stock-max-n",
        type=int,
        default=1000,
        help="skip stock builds above this N (default 1000: stock is O(N^2))",
    )
    p.add_argument(
        "--jobs",
        action="append",
        choices=["1", "auto"],
        help="-j values for project builds; repeatable (default: 1 and auto)",
    )
    p.add_argument(
        "--auto-max-n",
        type=int,
        default=1000,
        help="no -j auto project build above this N (default 1000: at 10,000 each "
        "process holds several GB)",
    )
    p.add_argument(
        "--stock-jobs",
        action="append",
        choices=["1", "auto"],
        help="-j values for stock builds (default: 1)",
    )
    p.add_argument(
        "--stock-incremental",
        action="store_true",
        help="also time incremental rebuilds on the stock stack",
    )
    p.add_argument(
        "--incremental",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time incremental rebuilds on the project stack (default: yes)",
    )
    p.add_argument(
        "--inc-jobs", default="1", choices=["1", "auto"], help="-j for incremental rebuilds"
    )
    p.add_argument(
        "--pagefind",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="index the first build's output with Pagefind when the build did not (default: yes)",
    )
    p.add_argument(
        "--repeat", type=int, default=1, metavar="K", help="median of K runs (default 1)"
    )
    p.add_argument(
        "--inc-repeat",
        type=int,
        metavar="K",
        help="median of K runs of each incremental step of the project stack "
        "(default: --repeat)",
    )
    p.add_argument(
        "--write-readme",
        nargs="?",
        const="results",
        metavar="SECTION",
        help="put the report between <!-- bench-SECTION:start/end --> in bench/README.md "
        "(default SECTION: results)",
    )
    p.add_argument(
        "--from-json",
        type=Path,
        metavar="PATH",
        help="build nothing: render the results saved by an earlier run (see --json)",
    )
    p.add_argument("--json", type=Path, help="raw results file (default: _build/results.json "
                   "in the work folder)")
    p.add_argument("--workdir", type=Path, metavar="DIR",
                   help="where corpora and builds go (default: bench/, in _corpus/ and _build/)")
    return p.parse_args(argv)


def use_workdir(workdir: Path) -> None:
    """Put corpora, builds and the project snapshot under ``workdir``."""
    global CORPUS_DIR, BUILD_DIR, SNAPSHOT_DIR
    CORPUS_DIR = workdir / "_corpus"
    BUILD_DIR = workdir / "_build"
    SNAPSHOT_DIR = BUILD_DIR / "project-snapshot"


def sizes(args: argparse.Namespace) -> list[int]:
    if args.quick:
        return [20]
    ns = list(args.n or [100, 1000])
    if args.huge and 10_000 not in ns:
        ns.append(10_000)
    return sorted(set(ns))


def plans(args: argparse.Namespace) -> dict[str, Plan]:
    inc = args.inc_jobs if args.incremental else None
    stock_inc = args.inc_jobs if args.stock_incremental else None
    return {
        "project": Plan(
            args.jobs or ["1", "auto"], args.repeat, inc, args.pagefind, args.auto_max_n,
            args.inc_repeat,
        ),
        "stock": Plan(args.stock_jobs or ["1"], args.repeat, stock_inc, args.pagefind),
        "peer": Plan(["1"], args.repeat, "1" if args.incremental else None, False),
    }


def snapshot_project() -> str:
    """Copy the project's files once for the whole run; return its version."""
    version = project_version()
    shutil.rmtree(SNAPSHOT_DIR, ignore_errors=True)
    SNAPSHOT_DIR.mkdir(parents=True)
    gen.copy_project_scaffold(SNAPSHOT_DIR, REPO_ROOT)
    return version


def _build_from_json(d: dict) -> Build:
    acr = d.get("added_changed_removed")
    build = Build(**{**d, "added_changed_removed": tuple(acr) if acr else None})
    if build.cpu_s is None:  # results.json written before CPU time was recorded
        out = Path(build.cmd[build.cmd.index("-d") + 3])
        build.cpu_s = cpu_seconds(out.parent / "logs" / f"{_stem(build.label)}.mem")
    return build


def _incremental_from_json(stack: str, n: int, d: dict) -> Incremental:
    acr = d.get("added_changed_removed")
    inc = Incremental(**{"cpu_s": None, **d, "added_changed_removed": tuple(acr) if acr else None})
    if inc.cpu_s is None:  # as above: read the runs' GNU time logs
        stems = [_stem(f"{stack}-N{n}-inc-{inc.step}-{k}") for k in range(inc.runs)]
        logs = [p for st in stems for p in BUILD_DIR.glob(f"N{n}/{stack}-j*/logs/{st}.mem")]
        inc.cpu_s = _median([cpu_seconds(p) for p in logs])
    return inc


def load_results(path: Path) -> tuple[RunInfo, list[StackResult]]:
    """Results of an earlier run, to render them again without building."""
    data = json.loads(path.read_text())
    if isinstance(data, list):  # written before the run's details were saved
        unknown = "unknown (results.json without run details)"
        ns = sorted({d["n"] for d in data})
        run = {"command": unknown, "ns": ns, "date": unknown, "machine": unknown}
        data = {
            "run": {**run, "version": unknown, "load_start": unknown, "load_end": unknown},
            "results": data,
        }
    results = []
    for d in data["results"]:
        full = {jobs: _build_from_json(b) for jobs, b in d["full"].items()}
        site = d.get("site")
        if site:
            site = SiteMetrics(**site)
        r = StackResult(
            **{
                **d,
                "full": full,
                "site": site,
                "incremental": [
                    _incremental_from_json(d["stack"], d["n"], i) for i in d["incremental"]
                ],
            }
        )
        r.full_cpu_s = r.full_cpu_s or {jobs: b.cpu_s for jobs, b in full.items()}
        results.append(r)
    return RunInfo(**data["run"]), results


def save_results(path: Path, run: RunInfo, results: list[StackResult]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"run": asdict(run), "results": [asdict(r) for r in results]}
    path.write_text(json.dumps(data, indent=2, default=str))


def peers(args: argparse.Namespace) -> list[str]:
    """The peers to build: asked for, or mystmd when installed (not --quick)."""
    if args.peer:
        wanted = [p for p in dict.fromkeys(args.peer) if p != "none"]
    else:
        wanted = [] if args.quick or not MYST_BIN.exists() else ["mystmd"]
    if "mystmd" in wanted and not MYST_BIN.exists():
        log(f"no {MYST_BIN}: run `npm ci --ignore-scripts` in bench/ (make bench does); "
            "skipping the mystmd peer")
        wanted.remove("mystmd")
    return wanted


def run_benchmark(args: argparse.Namespace, command: str) -> tuple[RunInfo, list[StackResult]]:
    run = RunInfo(command=command, ns=sizes(args), corpora=list(
        dict.fromkeys(args.corpus or gen.CORPORA)))
    project = args.project and (REPO_ROOT / "conf.py").is_file()
    if args.project and not project:
        log(f"no {REPO_ROOT / 'conf.py'}: skipping the project stack")
    plan = plans(args)
    with_peers = peers(args)
    if project:
        run.version = snapshot_project()
    if with_peers:
        run.peers = {"mystmd": myst_version()}
    results: list[StackResult] = []
    for kind in run.corpora:
        for n in run.ns:
            stock = args.stock and n <= args.stock_max_n
            tag = run_dir(kind, n)
            run.speeds[f"before {kind} N={n}"] = machine_speed()
            log(f"{tag}: generating the {kind} corpus")
            corpus = gen.generate(
                n,
                CORPUS_DIR / tag if project else None,
                CORPUS_DIR / f"{tag}-stock" if stock else None,
                root=SNAPSHOT_DIR,
                kind=kind,
            )
            if corpus.project:
                results.append(bench_stack("project", corpus, corpus.project, plan["project"]))
            if corpus.stock:
                results.append(bench_stack("stock", corpus, corpus.stock, plan["stock"]))
            if "mystmd" in with_peers and n <= args.peer_max_n:
                results.append(bench_mystmd(kind, n, plan["peer"], args.peer_steps_max_n))
    run.load_end = load_average()
    run.speeds["end"] = machine_speed()
    save_results(args.json, run, results)
    return run, results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workdir:
        use_workdir(args.workdir.resolve())
    if args.json is None:
        args.json = BUILD_DIR / "results.json"
    if args.from_json:
        run, results = load_results(args.from_json)
    else:
        command = " ".join(["python bench/run.py", *(argv if argv is not None else sys.argv[1:])])
        run, results = run_benchmark(args, command)
    markdown = render(results, run)
    print(markdown)
    if args.write_readme:
        write_readme(markdown, args.write_readme)
        log(f"updated {README}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
