"""Search after an edit: only the written pages are indexed again.

Real Sphinx builds with real Pagefind, of the real site plus twelve
synthetic essays (marked as such). A build that writes few pages indexes
them beside the main index; the main index's copies of those pages are
superseded; reverting an edit, or writing too many pages, leaves one main
index again, byte for byte what a clean build gives.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_reproducible import add_synthetic_essays, differences, snapshot

from conftest import build, copy_site

EDITED = "essays/synthetic-05"
DELETED = "essays/synthetic-03"
MARKER = "zyzzyvaquux"  # a word no essay has
#: The manifest of a site whose index is one main bundle and nothing else.
ONE_MAIN_INDEX = {"bundles": [], "superseded": [], "shards": []}


def manifest(out: Path) -> dict:
    return json.loads((out / "pagefind" / "kb-recent.json").read_text(encoding="utf-8"))


def recent(out: Path) -> dict[str, dict]:
    """``{url: fragment}`` a search finds in the recent segments (newest copy)."""
    found: dict[str, dict] = {}
    listed = manifest(out)
    for bundle in listed["bundles"]:
        found.update(fragments(out / bundle))
    return {url: f for url, f in found.items() if f["id"] not in listed["superseded"]}


def fragments(bundle: Path) -> dict[str, dict]:
    """``{url: fragment}`` of a Pagefind bundle."""
    found = {}
    for path in (bundle / "fragment").iterdir():
        data = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        found[data["url"]] = {**data, "id": path.name.removesuffix(".pf_fragment")}
    return found


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Site:
    """A source tree and its HTML output, rebuilt in place like ``make html``."""

    def __init__(self, src: Path, limit: float, **overrides: object) -> None:
        self.src = src
        self.limit = limit
        self.overrides = overrides
        self.out = Path(self.build(fresh=True).outdir)

    def build(self, fresh: bool = False):
        app = build(self.src, freshenv=fresh, confoverrides={
            "kb_pagefind_recent_limit": self.limit, **self.overrides})
        assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
        return app

    def edit(self, docname: str, old: str, new: str) -> None:
        path = self.src / f"{docname}.md"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def site(site_source: Path, built_once: Callable) -> Site:
    """A copy of the real site plus synthetic essays, just built clean
    (built once; conftest's ``built_once`` puts it back for each test)."""
    def make(src: Path) -> Site:
        copy_site(src, site_source)
        add_synthetic_essays(src)
        return Site(src, limit=0.25)
    return built_once(("pagefind-site", site_source), make)


def test_a_clean_build_has_one_main_index(site: Site) -> None:
    assert manifest(site.out) == ONE_MAIN_INDEX
    assert not (site.out / "pagefind-recent").exists()
    assert f"/{EDITED}.html" in fragments(site.out / "pagefind")


def test_an_edited_page_is_indexed_beside_the_untouched_main_index(site: Site) -> None:
    main = tree(site.out / "pagefind")
    old_id = fragments(site.out / "pagefind")[f"/{EDITED}.html"]["id"]
    site.edit(EDITED, "More text.", f"More {MARKER} text.")
    site.build()

    found = recent(site.out)
    assert list(found) == [f"/{EDITED}.html"]
    assert MARKER in found[f"/{EDITED}.html"]["content"]
    assert manifest(site.out) == {"bundles": ["pagefind-recent/1/"],
                                  "superseded": [old_id], "shards": []}
    del main["kb-recent.json"]
    assert {k: v for k, v in tree(site.out / "pagefind").items()
            if k != "kb-recent.json"} == main


def test_reverting_an_edit_gives_the_clean_build_again(site: Site, tmp_path: Path) -> None:
    clean = snapshot(site.out)
    site.edit(EDITED, "More text.", f"More {MARKER} text.")
    site.build()
    assert (site.out / "pagefind-recent").is_dir()
    site.edit(EDITED, f"More {MARKER} text.", "More text.")
    site.build()
    assert differences(site.out, clean) == []


def test_a_second_edit_keeps_the_first_page_in_the_recent_index(site: Site) -> None:
    site.edit(EDITED, "More text.", f"More {MARKER} text.")
    site.build()
    site.edit("essays/synthetic-07", "More text.", "More words.")
    site.build()
    assert sorted(recent(site.out)) == [f"/{EDITED}.html", "/essays/synthetic-07.html"]
    assert len(manifest(site.out)["superseded"]) == 2
    # one page each: the second segment took the first in (MERGE_FACTOR)
    assert manifest(site.out)["bundles"] == ["pagefind-recent/2/"]


def test_an_edit_after_a_build_of_many_pages_indexes_only_its_own_page(site: Site) -> None:
    """A retitled essay rewrites every listing that shows it: a large segment.
    The next edit's one page goes into a segment of its own; the large one
    is not indexed again, and still holds the listings."""
    from kb.pagefind_bundle import indexed_urls
    from kb.search import main_pages

    site.limit = 1.0
    site.edit(EDITED, "title: Synthetic Essay 05", "title: Synthetic Essay Five")
    site.build()
    [large] = manifest(site.out)["bundles"]
    before = tree(site.out / large)
    site.edit("essays/synthetic-07", "More text.", f"More {MARKER} text.")
    app = site.build()
    assert "done (1 page;" in app.status.getvalue()
    bundles = manifest(site.out)["bundles"]
    assert bundles[0] == large and len(bundles) == 2
    assert tree(site.out / large) == before
    assert list(fragments(site.out / bundles[1])) == ["/essays/synthetic-07.html"]
    assert len(fragments(site.out / large)) > 2
    urls = indexed_urls(site.out, main_pages(app))
    assert {f"/{EDITED}.html", "/essays/synthetic-07.html", "/essays/index.html"} <= urls


def test_an_older_segments_copy_of_a_page_edited_again_is_superseded(site: Site) -> None:
    site.limit = 1.0
    site.edit(EDITED, "title: Synthetic Essay 05", "title: Synthetic Essay Five")
    site.build()
    [large] = manifest(site.out)["bundles"]
    older = fragments(site.out / large)[f"/{EDITED}.html"]["id"]
    site.edit(EDITED, "More text.", f"More {MARKER} text.")
    site.build()
    assert older in manifest(site.out)["superseded"]
    assert MARKER in recent(site.out)[f"/{EDITED}.html"]["content"]


@pytest.mark.parametrize("seed", range(5))
def test_segments_stay_few_and_each_page_is_indexed_few_times(seed: int) -> None:
    """The merge policy alone, over 300 builds of random sizes: every segment is
    more than MERGE_FACTOR times the next, so there are at most log2 of the
    recent pages, and a page is indexed again about that many times."""
    import itertools
    import random

    from kb.pagefind_bundle import MAX_SEGMENTS, MERGE_FACTOR, Segment, _to_merge

    rng = random.Random(seed)
    segments: list[Segment] = []
    indexed = written = 0
    for build_number in range(300):
        size = rng.choice([1, 1, 1, 2, 5, 40, 400])
        written += size
        taken = _to_merge(segments, size)
        for _ in range(taken):
            size += len(segments.pop().pages)
        indexed += size
        segments.append(Segment(f"pagefind-recent/{build_number}/",
                                {f"p{build_number}-{i}": "" for i in range(size)}))
        sizes = [len(s.pages) for s in segments]
        assert all(a > MERGE_FACTOR * b for a, b in itertools.pairwise(sizes)), sizes
        assert len(segments) <= MAX_SEGMENTS
    assert indexed <= written * len(bin(written))  # about log2(pages) times each


def test_a_removed_page_is_superseded_and_not_found(site: Site) -> None:
    from kb.pagefind_bundle import indexed_urls
    from kb.search import main_pages

    site.limit = 1.0  # removing an essay rewrites every listing that showed it
    gone = fragments(site.out / "pagefind")[f"/{DELETED}.html"]["id"]
    (site.src / f"{DELETED}.md").unlink()
    app = site.build()
    assert gone in manifest(site.out)["superseded"]
    assert f"/{DELETED}.html" not in recent(site.out)
    urls = indexed_urls(site.out, main_pages(app))
    assert f"/{DELETED}.html" not in urls and f"/{EDITED}.html" in urls


def test_too_many_recent_pages_index_the_whole_site_again(site: Site) -> None:
    site.limit = 0.0
    site.edit(EDITED, "More text.", f"More {MARKER} text.")
    site.build()
    assert not (site.out / "pagefind-recent").exists()
    assert manifest(site.out) == ONE_MAIN_INDEX
    assert MARKER in fragments(site.out / "pagefind")[f"/{EDITED}.html"]["content"]


def test_a_lost_main_index_is_made_again_without_any_edit(site: Site) -> None:
    clean = tree(site.out / "pagefind")
    shutil.rmtree(site.out / "pagefind")
    site.build()
    assert tree(site.out / "pagefind") == clean


def test_the_completeness_check_sees_the_recent_index(site: Site) -> None:
    """An essay only the recent index has (new since the main run) is not 'missing'."""
    site.limit = 1.0
    added = site.src / "essays" / "synthetic-99.md"
    shutil.copyfile(site.src / f"{EDITED}.md", added)
    site.edit("essays/synthetic-99", "title: Synthetic Essay 05", "title: Synthetic Essay 99")
    site.build()  # the check warns (and the build asserts none) if it is not found
    assert "/essays/synthetic-99.html" in recent(site.out)


CRASH = '''
from pathlib import Path

def setup(app):
    def crash(app, exception):
        if (Path(app.srcdir) / "crash-now").exists():
            raise KeyboardInterrupt  # Ctrl+C: Sphinx keeps its environment
    app.connect("build-finished", crash, priority=10)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
'''


def test_a_build_stopped_before_indexing_leaves_no_stale_search(
    site_copy: Callable[[], Path],
) -> None:
    """Pages written by a build stopped before Pagefind ran are indexed next time.

    Sphinx keeps the environment of a build stopped with Ctrl+C (an error
    deletes it, so the next build starts afresh anyway), so the next build
    has nothing to write: only the missing manifest tells it to index.
    """
    src = site_copy()
    add_synthetic_essays(src)
    (src / "_ext" / "kb_test_crash.py").write_text(CRASH, encoding="utf-8")
    site = Site(src, limit=0.25, extensions=["kb", "sphinxext.opengraph", "kb_test_crash"])
    site.edit(EDITED, "More text.", f"More {MARKER} text.")
    (src / "crash-now").touch()
    with pytest.raises(KeyboardInterrupt):
        site.build()
    assert not (site.out / "pagefind" / "kb-recent.json").exists()
    (src / "crash-now").unlink()
    app = site.build()
    assert "writing output... [" not in app.status.getvalue()  # nothing left to write...
    assert manifest(site.out) == ONE_MAIN_INDEX
    # ... and yet the edit is in the index, the whole site's
    assert MARKER in fragments(site.out / "pagefind")[f"/{EDITED}.html"]["content"]


def test_dirhtml_pages_are_matched_by_their_folder_index(site_copy: Callable[[], Path]) -> None:
    """With dirhtml a page is essays/x/index.html: still one result, the current one."""
    src = site_copy()
    add_synthetic_essays(src)
    first = build(src, "dirhtml", freshenv=True)
    out = Path(first.outdir)
    old_id = fragments(out / "pagefind")[f"/{EDITED}/index.html"]["id"]
    (src / f"{EDITED}.md").write_text((src / f"{EDITED}.md").read_text("utf-8").replace(
        "More text.", f"More {MARKER} text.", 1), encoding="utf-8")
    app = build(src, "dirhtml", confoverrides={"kb_pagefind_recent_limit": 0.25})
    assert "WARNING" not in app.warning.getvalue(), app.warning.getvalue()
    assert manifest(out)["superseded"] == [old_id]
    assert list(recent(out)) == [f"/{EDITED}/index.html"]
    assert MARKER in recent(out)[f"/{EDITED}/index.html"]["content"]


# -- a large site's main index, in shards ----------------------------------------------------

def test_pages_are_cut_into_the_fewest_shards_of_even_size() -> None:
    from kb.pagefind_bundle import shard_count, shards

    pages = [f"essays/e{i:02}.html" for i in range(11)]
    assert shards(pages, 11) == [pages] and shard_count(11, 11) == 1
    assert [len(cut) for cut in shards(pages, 5)] == [4, 4, 3]
    assert [len(cut) for cut in shards(pages, 10)] == [6, 5]
    assert sum(shards(pages, 5), []) == pages  # in path order, each page once
    assert shard_count(11, 5) == len(shards(pages, 5))


def vocabulary(out: Path) -> dict[str, list]:
    """``{word: [pages, heading pages, (shards)]}`` of the search page's vocabulary."""
    listing = json.loads((out / "pagefind" / "kb-words.json").read_text(encoding="utf-8"))
    return {entry[0]: entry[1:] for name in listing["shards"].values()
            for entry in json.loads((out / "pagefind" / "kb-words" / name).read_text("utf-8"))}


def shard_bundles(out: Path) -> list[Path]:
    from kb.pagefind_bundle import shard_folders

    return [out / "pagefind", *(out / name for name in shard_folders(out))]


def test_a_site_over_the_shard_size_finds_what_one_index_finds(
    site: Site, tmp_path: Path,
) -> None:
    """Each shard is one Pagefind run over its pages alone: together they
    hold the very fragments, words and headings one run over the site does."""
    from kb.pagefind_bundle import page_count
    from kb.search_words import page_words

    one = tmp_path / "one"
    shutil.copytree(site.out, one)
    site.overrides = {**site.overrides, "kb_pagefind_shard_pages": 5}
    site.build()  # nothing to write: the setting alone indexes the site again
    bundles = shard_bundles(site.out)
    assert len(bundles) > 2
    assert manifest(site.out) == {**ONE_MAIN_INDEX,
                                  "shards": [f"{b.name}/" for b in bundles[1:]]}
    sizes = [len(fragments(b)) for b in bundles]
    assert max(sizes) <= 5 and max(sizes) - min(sizes) <= 1
    together = {url: f for b in bundles for url, f in fragments(b).items()}
    assert len(together) == sum(sizes) == page_count(site.out) == page_count(one)
    assert together == fragments(one / "pagefind")
    assert tree(site.out / "pagefind-titles") == tree(one / "pagefind-titles")
    # The same vocabulary, each word with the shards that have it (bit i: bundles[i]).
    sharded, whole = vocabulary(site.out), vocabulary(one)
    assert {w: entry[:2] for w, entry in sharded.items()} == whole
    holders = [{w for f in fragments(b).values() for w in page_words(f)} for b in bundles]
    assert all(entry[2] == sum(1 << i for i, words in enumerate(holders) if w in words)
               for w, entry in sharded.items())
    assert any(bin(entry[2]).count("1") == 1 for entry in sharded.values())


def test_an_edit_supersedes_its_page_in_whichever_shard_holds_it(site: Site) -> None:
    from kb.pagefind_bundle import indexed_urls
    from kb.search import main_pages

    site.overrides = {**site.overrides, "kb_pagefind_shard_pages": 5}
    site.build()
    holder = next(b for b in shard_bundles(site.out) if f"/{EDITED}.html" in fragments(b))
    assert holder.name != "pagefind"  # the test means a later shard
    old_id = fragments(holder)[f"/{EDITED}.html"]["id"]
    shards_before = manifest(site.out)["shards"]
    site.edit(EDITED, "More text.", f"More {MARKER} text.")
    app = site.build()
    assert manifest(site.out) == {"bundles": ["pagefind-recent/1/"],
                                  "superseded": [old_id], "shards": shards_before}
    assert f"/{EDITED}.html" in indexed_urls(site.out, main_pages(app))


def test_a_site_that_shrinks_below_the_shard_size_has_one_index_again(site: Site) -> None:
    clean = tree(site.out / "pagefind")
    site.overrides = {**site.overrides, "kb_pagefind_shard_pages": 5}
    site.build()
    assert (site.out / "pagefind-shard-2").is_dir()
    site.overrides = {**site.overrides, "kb_pagefind_shard_pages": 10_000}
    site.build()
    assert not list(site.out.glob("pagefind-shard-*"))
    assert manifest(site.out) == ONE_MAIN_INDEX
    assert tree(site.out / "pagefind") == clean


def test_sharded_clean_builds_are_byte_for_byte_the_same(
    site_copy: Callable[[], Path],
) -> None:
    outs = []
    for _ in range(2):
        src = site_copy()
        add_synthetic_essays(src)
        outs.append(Site(src, limit=0.25, kb_pagefind_shard_pages=7).out)
    assert len(shard_bundles(outs[0])) > 1
    for name in ["pagefind", *manifest(outs[0])["shards"]]:
        assert tree(outs[0] / name) == tree(outs[1] / name)
