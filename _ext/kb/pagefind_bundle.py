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
recent index goes. A build from a clean output directory (CI, publishing)
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


def fragment_urls(bundle: Path) -> dict[str, str]:
    """``{page id: url}`` of every page in a bundle (its fragment files)."""
    pages = {}
    folder = bundle / "fragment"
    if folder.is_dir():
        for fragment in folder.iterdir():
            data = gzip.decompress(fragment.read_bytes()).removeprefix(_FRAGMENT_MAGIC)
            pages[fragment.name.removesuffix(".pf_fragment")] = json.loads(data)["url"]
    return pages


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
        text = json.dumps({"bundle": self.bundle, "pages": sorted(self.pages),
                           "superseded": sorted(self.superseded)}, sort_keys=True)
        (outdir / MAIN_DIR / MANIFEST).write_text(text + "\n", encoding="utf-8")


class MainPages:
    """``{page id: url}`` of the main index, cached beside the doctrees.

    Reading a thousand fragments costs ~0.1 s, paid once per main run
    instead of on every build. The cache is keyed on the main index's
    ``pagefind-entry.json`` and the names of its fragment files, which are
    hashes of their content: a fragment changed, added or lost is a miss.
    """

    def __init__(self, outdir: Path, cache: Path) -> None:
        self.bundle = outdir / MAIN_DIR
        self.cache = cache

    def _key(self) -> str:
        key = hashlib.sha256((self.bundle / "pagefind-entry.json").read_bytes())
        for name in sorted(os.listdir(self.bundle / "fragment")):
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
        pages = fragment_urls(self.bundle)
        try:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            self.cache.write_text(json.dumps({"entry": self._key(), "pages": pages}),
                                  encoding="utf-8")
        except OSError:
            pass  # only a cache
        return pages


def page_count(outdir: Path) -> int:
    """Pages in the main index, from its entry file (0 when there is none)."""
    try:
        entry = json.loads((outdir / MAIN_DIR / "pagefind-entry.json").read_text("utf-8"))
        return sum(int(lang["page_count"]) for lang in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return 0


def index_all(executable: Path, outdir: Path, exclude: Iterable[str],
              main_pages: MainPages) -> int:
    """A main index of the whole site and no recent one; pages indexed."""
    shutil.rmtree(outdir / MAIN_DIR, ignore_errors=True)
    shutil.rmtree(outdir / RECENT_DIR, ignore_errors=True)
    indexed = run(pagefind_command(executable, outdir, outdir / MAIN_DIR, exclude))
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
        with tempfile.TemporaryDirectory(prefix="kb-pagefind-") as tmp:
            site = Path(tmp)
            for page in existing:
                (site / page).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(outdir / page, site / page)
            indexed = run(pagefind_command(executable, site, outdir / RECENT_DIR, exclude))
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
