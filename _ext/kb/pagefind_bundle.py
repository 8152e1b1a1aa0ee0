"""The Pagefind search bundle on disk: a main index and a small recent one.

Pagefind has no incremental mode: indexing 1,000 essays takes ~3.5 s, so
re-indexing the whole site after an edit to one paragraph would cost more
than the rest of the rebuild (``bench/README.md``). Search engines meet the
same problem with segments, and so does this module:

- ``pagefind/`` is the *main* index of every page, written by a full run;
- ``pagefind-recent/<k>/`` are *segments* of the pages written (or
  removed) since: each build indexes its own pages into a new segment
  (~20 ms for one page), and merges it with the newest segments while
  they are at most :data:`MERGE_FACTOR` times its size, so the segments
  shrink from oldest to newest, there are few of them, and a page is
  indexed again only a logarithmic number of times. An edit after a build
  that wrote 400 list pages re-indexes its own page, not the 400;
- ``pagefind/kb-recent.json`` (the :class:`Manifest`) names the segments,
  newest last, and every entry a newer copy *supersedes* (in the main
  index or an older segment: pages changed or removed since), so the
  search page merges the indexes and drops those entries
  (``theme/static/kb-search.js``); ``pagefind-recent/kb-state.json`` holds
  which page each segment has, for the next build (not for readers).

Once the recent pages pass :data:`RECENT_LIMIT` of the site, or whenever
the main index is missing, Pagefind indexes the whole site again and the
segments go.

Pagefind holds every page of a run in memory (about 0.5 MB a page: 4 GB at
10,000 essays, ``bench/README.md``), so a site of more than
:data:`SHARD_PAGES` pages gets its main index in *shards*: the pages, in
the order of their paths, cut into runs of at most that many, each indexed
on its own into ``pagefind/`` (the first) and ``pagefind-shard-2/``,
``pagefind-shard-3/`` ... (the manifest lists them), and searched together
like the recent index. A smaller site has one shard, ``pagefind/``, as
Pagefind alone would write it. A build from a clean output directory (CI, publishing)
therefore always ends with one main index, byte for byte what a full run
gives. While pages sit in the recent index they are found by the same
words, but Pagefind ranks each index with its own word statistics, so a
recently edited page may be listed in a different place among the results.

Page ids are Pagefind's fragment hashes, which hash a page's indexed
content: a page edited and then reverted has its old id again, so it
supersedes nothing, and segments that supersede nothing and add no page
are dropped.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import _compat, pagefind_canonical

#: Folder of the main index inside the output; kb-search.js loads it from here.
MAIN_DIR = "pagefind"
#: Folder of the recent index's segments inside the output.
RECENT_DIR = "pagefind-recent"
#: The manifest, inside the main index's folder (it describes that index).
MANIFEST = "kb-recent.json"
#: Which page each segment holds, inside :data:`RECENT_DIR`.
RECENT_STATE = "kb-state.json"
#: A new segment takes in the newest ones up to this many times its size.
MERGE_FACTOR = 2
#: Segments a search merges at most (more are merged into the newest).
MAX_SEGMENTS = 8
#: Index the whole site again once this share of its pages is recent.
RECENT_LIMIT = 0.1
#: Pages of the site in one Pagefind run at most: about 0.75 GB of Pagefind's
#: memory beside Sphinx's (0.75 GB at 10,000 essays), well under 2 GB. More
#: shards cost a reader nothing: at 10,000 essays a first search downloads
#: less from 8 shards than from one index (``bench/SEARCH.md``).
SHARD_PAGES = 1500
#: Folders of the main index's later shards: ``pagefind-shard-2`` and on.
SHARD_PREFIX = "pagefind-shard-"
#: What marks a page Pagefind indexes (``theme/furo/page.html``): with it on
#: some pages of a run, Pagefind indexes those alone.
BODY_MARK = b"data-pagefind-body"
_PAGES_RE = _compat.PAGEFIND_PAGES_RE
_FRAGMENT_MAGIC = _compat.PAGEFIND_FRAGMENT_MAGIC


class PagefindError(Exception):
    """Pagefind exited with an error; the message is its output."""


def find_pagefind() -> Path | None:
    """The binary from ``pagefind[extended]`` (or one on PATH), if any.

    Found where the wrapper's ``pagefind.service.get_executable`` finds it
    (its environment variable, the extended binary's package, the plain
    one's, then PATH; ``tests/test_compat.py`` compares them), without
    importing the wrapper's service, which brings asyncio: 0.015 s of
    every build.
    """
    configured = os.environ.get("PAGEFIND_BINARY_PATH")
    if configured is not None:
        return Path(configured)
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        return Path(module.get_executable())
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found else None


def pagefind_command(executable: Path, site: Path, output: Path,
                     exclude_selectors: Iterable[str]) -> list[str]:
    """The Pagefind command line that indexes ``site`` into ``output``."""
    command = [
        str(executable), "--site", str(site), "--output-path", str(output),
        # Links that end in index.html work on every static host, and
        # from a sub-path, without relying on the server's directory index.
        "--keep-index-url",
    ]
    for selector in exclude_selectors:
        command += ["--exclude-selectors", selector]
    return command


def run(command: list[str]) -> int:
    """Run Pagefind; the number of pages it indexed.

    Its filter files are then put in a stable order (:mod:`kb.pagefind_canonical`),
    so that the same pages always give the same bundle.
    """
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PagefindError(
            f"exit status {result.returncode}:\n{(result.stderr or result.stdout).strip()}")
    output = Path(command[command.index("--output-path") + 1])
    if (output / "pagefind-entry.json").is_file():
        try:
            pagefind_canonical.canonicalise(output)
        except (pagefind_canonical.UnexpectedFormatError, OSError, ValueError, KeyError) as error:
            raise PagefindError(f"unexpected Pagefind output in {output}: {error}") from error
    found = _PAGES_RE.search(result.stdout)
    return int(found.group(1)) if found else 0


def fragment_urls(*bundles: Path) -> dict[str, str]:
    """``{page id: url}`` of every page in some bundles (their fragment files)."""
    pages = {}
    for bundle in bundles:
        folder = bundle / "fragment"
        if folder.is_dir():
            for fragment in folder.iterdir():
                data = gzip.decompress(fragment.read_bytes()).removeprefix(_FRAGMENT_MAGIC)
                pages[fragment.name.removesuffix(".pf_fragment")] = json.loads(data)["url"]
    return pages


def shard_folders(outdir: Path) -> list[str]:
    """The main index's later shards on disk, in order (``pagefind-shard-2``, ...)."""
    found = []
    try:
        for entry in os.scandir(outdir):
            number = entry.name.removeprefix(SHARD_PREFIX)
            if entry.name.startswith(SHARD_PREFIX) and number.isdigit() and entry.is_dir():
                found.append((int(number), entry.name))
    except OSError:
        return []
    return [name for _, name in sorted(found)]


def main_bundles(outdir: Path) -> list[Path]:
    """Every shard of the main index: ``pagefind/`` first."""
    return [outdir / MAIN_DIR, *(outdir / name for name in shard_folders(outdir))]


def html_pages(outdir: Path) -> list[str]:
    """Every ``.html`` page of ``outdir`` (what Pagefind reads), as sorted posix paths."""
    pages = []
    for here, folders, files in os.walk(outdir):
        folders[:] = [f for f in folders if not f.startswith(MAIN_DIR)]
        rel = os.path.relpath(here, outdir).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        pages += [prefix + name for name in files if name.endswith(".html")]
    return sorted(pages)


def indexed_pages(outdir: Path, pages: list[str]) -> list[str]:
    """Those of ``pages`` that Pagefind indexes: the ones that carry
    :data:`BODY_MARK`, or all when none does (then Pagefind indexes each whole)."""
    marked = []
    for page in pages:
        with open(outdir / page, "rb") as file:
            if BODY_MARK in file.read():
                marked.append(page)
    return marked or pages


def shard_count(pages: int, size: int) -> int:
    """How many shards :func:`shards` cuts ``pages`` pages into."""
    return 1 if pages <= size or size < 1 else -(-pages // size)


def shards(pages: list[str], size: int) -> list[list[str]]:
    """``pages`` cut in order into the fewest runs of at most ``size``,
    whose lengths differ by one at most."""
    count = shard_count(len(pages), size)
    base, longer = divmod(len(pages), count)
    out, start = [], 0
    for number in range(count):
        end = start + base + (number < longer)
        out.append(pages[start:end])
        start = end
    return out


@dataclass
class Segment:
    """One segment of the recent index: its folder and ``{page path: page id}``."""

    bundle: str
    pages: dict[str, str]


@dataclass
class Manifest:
    """What the search page needs to combine the indexes, and the next build to
    carry on from.

    ``pages`` maps every recent page's output path to the id a search finds
    it by (None: the page is gone, or not indexed); ``superseded`` are the
    ids of older copies, in the main index or an older segment.
    """

    pages: dict[str, str | None] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, outdir: Path) -> Manifest | None:
        try:
            data = json.loads((outdir / MAIN_DIR / MANIFEST).read_text(encoding="utf-8"))
            bundles, superseded = list(data["bundles"]), list(data["superseded"])
            if not bundles and not superseded:
                return cls()
            state = json.loads((outdir / RECENT_DIR / RECENT_STATE).read_text(encoding="utf-8"))
            segments = [Segment(str(s["bundle"]), dict(s["pages"])) for s in state["segments"]]
            if [s.bundle for s in segments] != bundles:
                return None
            return cls(pages=dict(state["pages"]), segments=segments, superseded=superseded)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, outdir: Path) -> None:
        """Write it, with the main index's later shards as they are on disk."""
        if self.pages:
            state = {"pages": dict(sorted(self.pages.items())),
                     "segments": [{"bundle": s.bundle, "pages": dict(sorted(s.pages.items()))}
                                  for s in self.segments]}
            (outdir / RECENT_DIR).mkdir(parents=True, exist_ok=True)
            (outdir / RECENT_DIR / RECENT_STATE).write_text(
                json.dumps(state, sort_keys=True) + "\n", encoding="utf-8")
        text = json.dumps({"bundles": [s.bundle for s in self.segments],
                           "superseded": sorted(self.superseded),
                           "shards": [f"{name}/" for name in shard_folders(outdir)]},
                          sort_keys=True)
        (outdir / MAIN_DIR / MANIFEST).write_text(text + "\n", encoding="utf-8")


class MainPages:
    """``{page id: url}`` of the main index, cached beside the doctrees.

    Reading a thousand fragments costs ~0.1 s, paid once per main run
    instead of on every build. The cache is keyed on each shard's
    ``pagefind-entry.json`` and the names of its fragment files, which are
    hashes of their content: a fragment changed, added or lost is a miss.
    """

    def __init__(self, outdir: Path, cache: Path) -> None:
        self.outdir = outdir
        self.cache = cache

    def _key(self) -> str:
        key = hashlib.sha256()
        for bundle in main_bundles(self.outdir):
            key.update(bundle.name.encode() + b"\0")
            key.update((bundle / "pagefind-entry.json").read_bytes())
            for name in sorted(os.listdir(bundle / "fragment")):
                key.update(name.encode())
        return key.hexdigest()

    def get(self) -> dict[str, str]:
        try:
            key = self._key()
            data = json.loads(self.cache.read_text(encoding="utf-8"))
            if data.get("entry") == key:
                return dict(data["pages"])
        except (OSError, ValueError, AttributeError, TypeError):
            pass
        return self.refresh()

    def refresh(self) -> dict[str, str]:
        pages = fragment_urls(*main_bundles(self.outdir))
        try:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            self.cache.write_text(json.dumps({"entry": self._key(), "pages": pages}),
                                  encoding="utf-8")
        except OSError:
            pass  # only a cache
        return pages


def page_count(outdir: Path) -> int:
    """Pages in the main index, from its shards' entry files (0 when there is none)."""
    total = 0
    for bundle in main_bundles(outdir):
        try:
            entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
            total += sum(int(lang["page_count"]) for lang in entry["languages"].values())
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return 0
    return total


def _scratch(main_pages: MainPages) -> tempfile.TemporaryDirectory[str]:
    """A folder for a copy of some pages, beside the doctrees: on the output's
    file system, so that the copies are hard links (not 0.5 GB copied at
    10,000 essays), and where ``make serve`` does not watch."""
    folder = main_pages.cache.parent
    folder.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix="kb-pagefind-", dir=folder)


def _link_site(outdir: Path, pages: Iterable[str], site: Path) -> None:
    """``pages`` of ``outdir`` at the same paths under ``site`` (hard links where possible)."""
    for page in pages:
        target = site / page
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(outdir / page, target)
        except OSError:  # another file system, or no hard links
            shutil.copyfile(outdir / page, target)


def index_all(executable: Path, outdir: Path, exclude: Iterable[str],
              main_pages: MainPages, shard_pages: int = SHARD_PAGES) -> int:
    """A main index of the whole site and no recent one; pages indexed.

    Up to ``shard_pages`` pages, Pagefind runs once over the site; a
    larger site is indexed shard by shard (:func:`shards`), each run over
    a copy of its pages alone (hard links), so that Pagefind's memory is
    one shard's.
    """
    exclude = list(exclude)
    shutil.rmtree(outdir / MAIN_DIR, ignore_errors=True)
    shutil.rmtree(outdir / RECENT_DIR, ignore_errors=True)
    for name in shard_folders(outdir):
        shutil.rmtree(outdir / name, ignore_errors=True)
    pages = html_pages(outdir)
    if len(pages) <= shard_pages:
        indexed = run(pagefind_command(executable, outdir, outdir / MAIN_DIR, exclude))
    else:
        indexed = 0
        parts = shards(indexed_pages(outdir, pages), shard_pages)
        for number, part in enumerate(parts, start=1):
            target = outdir / (MAIN_DIR if number == 1 else f"{SHARD_PREFIX}{number}")
            with _scratch(main_pages) as tmp:
                _link_site(outdir, part, Path(tmp))
                indexed += run(pagefind_command(executable, Path(tmp), target, exclude))
    Manifest().save(outdir)
    main_pages.refresh()
    return indexed


def _segment_number(bundle: str) -> int:
    name = bundle.rstrip("/").rpartition("/")[2]
    return int(name) if name.isdigit() else 0


def _to_merge(segments: list[Segment], size: int) -> int:
    """How many of the newest ``segments`` a new one of ``size`` pages takes in."""
    taken = 0
    while taken < len(segments) and (
            len(segments) - taken >= MAX_SEGMENTS
            or MERGE_FACTOR * size >= len(segments[-1 - taken].pages)):
        size += len(segments[-1 - taken].pages)
        taken += 1
    return taken


def _superseded(pages: dict[str, str | None], main: dict[str, str],
                segments: list[Segment]) -> set[str]:
    """Every copy of a recent page that is not the one a search should find."""
    out = set()
    for page, visible in pages.items():
        for copy in (main.get(page), *(s.pages.get(page) for s in segments)):
            if copy is not None and copy != visible:
                out.add(copy)
    return out


def index_recent(executable: Path, outdir: Path, exclude: Iterable[str],
                 changed: Iterable[str], manifest: Manifest,
                 main_pages: MainPages) -> tuple[int, Path | None]:
    """Index this build's pages into a new segment, merged with the newest ones.

    ``changed`` are output paths relative to ``outdir``, posix style; a
    path with no file is a removed page. Returns the pages indexed and the
    new segment's folder (None when there is none).
    """
    changed = set(changed)
    segments = list(manifest.segments)
    number = 1 + max((_segment_number(s.bundle) for s in segments), default=0)
    batch = {page for page in changed if (outdir / page).is_file()}
    merged = [segments.pop() for _ in range(_to_merge(segments, len(batch)))]
    covered = changed.union(*(s.pages for s in merged))
    batch |= {page for s in merged for page in s.pages if (outdir / page).is_file()}
    indexed, ids, folder = 0, {}, None
    if batch:
        bundle = f"{RECENT_DIR}/{number}/"
        folder = outdir / bundle
        with _scratch(main_pages) as tmp:
            _link_site(outdir, sorted(batch), Path(tmp))
            indexed = run(pagefind_command(executable, Path(tmp), folder, exclude))
        ids = {url.removeprefix("/"): page_id for page_id, url in fragment_urls(folder).items()}
        if ids:
            segments.append(Segment(bundle, ids))
        else:
            shutil.rmtree(folder, ignore_errors=True)
            folder = None
    for segment in merged:
        shutil.rmtree(outdir / segment.bundle, ignore_errors=True)
    pages = dict(manifest.pages)
    pages.update({page: ids.get(page) for page in covered})
    # A segment all of whose pages newer copies replace adds nothing.
    kept = [s for s in segments if any(pages.get(p) == i for p, i in s.pages.items())]
    for segment in segments:
        if segment not in kept:
            shutil.rmtree(outdir / segment.bundle, ignore_errors=True)
    main = {url.removeprefix("/"): page_id for page_id, url in main_pages.get().items()}
    if all(pages[page] == main.get(page) for page in pages):  # back to the main index
        shutil.rmtree(outdir / RECENT_DIR, ignore_errors=True)
        Manifest().save(outdir)
        return indexed, None
    Manifest(pages=pages, segments=kept,
             superseded=sorted(_superseded(pages, main, kept))).save(outdir)
    return indexed, folder if folder is not None and folder.is_dir() else None


def indexed_urls(outdir: Path, main_pages: MainPages) -> set[str] | None:
    """Every URL a search can find: main minus superseded, plus recent.

    None when the site has no main index.
    """
    if not (outdir / MAIN_DIR / "pagefind-entry.json").is_file():
        return None
    manifest = Manifest.load(outdir) or Manifest()
    hidden = set(manifest.superseded)
    urls = {url for page_id, url in main_pages.get().items() if page_id not in hidden}
    urls |= {f"/{page}" for page, page_id in manifest.pages.items() if page_id is not None}
    return urls
