"""The Pagefind search bundle on disk: a main index and a small recent one.

Pagefind has no incremental mode: indexing 1,000 essays takes ~3.5 s, so
re-indexing the whole site after an edit to one paragraph would cost more
than the rest of the rebuild (``bench/README.md``). Search engines meet the
same problem with segments, and so does this module:

- ``pagefind/`` is the *main* index of every page, written by a full run;
- ``pagefind-recent/`` is a *recent* index of only the pages written (or
  removed) since, rebuilt on each build from those pages alone (~20 ms);
- ``pagefind/kb-recent.json`` (the :class:`Manifest`) names the recent
  bundle and the main index's entries it *supersedes* (pages changed or
  removed since the main run), so the search page merges the two indexes
  and drops those entries (``theme/static/kb-search.js``).

Once the recent pages pass :data:`RECENT_LIMIT` of the site, or whenever
the main index is missing, Pagefind indexes the whole site again and the
recent index goes.

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
supersedes nothing, and a recent index that supersedes nothing and adds
no page is dropped.
"""

from __future__ import annotations

import gzip
import hashlib
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
#: Folder of the recent index inside the output.
RECENT_DIR = "pagefind-recent"
#: The manifest, inside the main index's folder (it describes that index).
MANIFEST = "kb-recent.json"
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
    """The binary from ``pagefind[extended]`` (or one on PATH), if any."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        return Path(found) if found else None
    return get_executable()


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
class Manifest:
    """What the search page needs to combine the two indexes.

    ``pages`` are the output paths of the recent pages (the state carried
    from build to build), ``superseded`` the main index's ids to drop.
    """

    bundle: str | None = None
    pages: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, outdir: Path) -> Manifest | None:
        try:
            data = json.loads((outdir / MAIN_DIR / MANIFEST).read_text(encoding="utf-8"))
            return cls(bundle=data["bundle"], pages=list(data["pages"]),
                       superseded=list(data["superseded"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, outdir: Path) -> None:
        """Write it, with the main index's later shards as they are on disk."""
        text = json.dumps({"bundle": self.bundle, "pages": sorted(self.pages),
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


def index_recent(executable: Path, outdir: Path, exclude: Iterable[str],
                 recent_pages: Iterable[str], main_pages: MainPages) -> int:
    """Index the recent pages (the manifest's and this build's) on their own.

    ``recent_pages`` are output paths relative to ``outdir``, posix style;
    a path with no file is a removed page. Returns the pages indexed.
    """
    pages = sorted(recent_pages)
    shutil.rmtree(outdir / RECENT_DIR, ignore_errors=True)
    indexed = 0
    recent: dict[str, str] = {}
    existing = [p for p in pages if (outdir / p).is_file()]
    if existing:
        with _scratch(main_pages) as tmp:
            _link_site(outdir, existing, Path(tmp))
            indexed = run(pagefind_command(executable, Path(tmp), outdir / RECENT_DIR, exclude))
        recent = {url: page_id for page_id, url in fragment_urls(outdir / RECENT_DIR).items()}
    in_main = {url: page_id for page_id, url in main_pages.get().items()}
    superseded = sorted(in_main[url] for url in (f"/{p}" for p in pages)
                        if url in in_main and recent.get(url) != in_main[url])
    adds = any(url not in in_main or in_main[url] != page_id
               for url, page_id in recent.items())
    if not superseded and not adds:  # back to what the main index has
        shutil.rmtree(outdir / RECENT_DIR, ignore_errors=True)
        Manifest().save(outdir)
        return indexed
    if not recent:
        shutil.rmtree(outdir / RECENT_DIR, ignore_errors=True)
    Manifest(bundle=f"{RECENT_DIR}/" if recent else None, pages=pages,
             superseded=superseded).save(outdir)
    return indexed


def indexed_urls(outdir: Path, main_pages: MainPages) -> set[str] | None:
    """Every URL a search can find: main minus superseded, plus recent.

    None when the site has no main index.
    """
    if not (outdir / MAIN_DIR / "pagefind-entry.json").is_file():
        return None
    manifest = Manifest.load(outdir) or Manifest()
    hidden = set(manifest.superseded)
    urls = {url for page_id, url in main_pages.get().items() if page_id not in hidden}
    if manifest.bundle:
        urls |= set(fragment_urls(outdir / RECENT_DIR).values())
    return urls
