"""Each page's table of contents is pickled on its own (kb.lazytocs).

The rules: the environment holds every table as its own pickle, and a
build unpickles only the tables it reads; what it reads is the table the
environment had, so an incremental build's pages are a fresh build's,
whether the tables were read from their pickles or made again; an
environment saved before this change (a plain dict of tables) loads.
"""

from __future__ import annotations

import filecmp
import pickle
from pathlib import Path

import pytest
from docutils import nodes
from test_incremental import assert_same

from conftest import build, built_kb_root
from kb._compat import ENV_PICKLE_FILENAME
from kb.lazytocs import LazyTocs

#: Output a rebuild and a fresh build may differ in (search: its own tests).
IGNORE = [".doctrees", ".buildinfo", "pagefind", "pagefind-recent"]


def table(*titles: str) -> nodes.bullet_list:
    """A table of contents as Sphinx's TocTreeCollector shapes one."""
    items = []
    for title in titles:
        ref = nodes.reference("", "", nodes.Text(title), internal=True, refuri="doc",
                              anchorname=f"#{title.lower()}")
        items.append(nodes.list_item("", nodes.paragraph("", "", ref)))
    return nodes.bullet_list("", *items)


def saved_environment(app):
    with open(Path(app.doctreedir) / ENV_PICKLE_FILENAME, "rb") as file:
        return pickle.load(file)


def rewrite_environment(app, change) -> None:
    path = Path(app.doctreedir) / ENV_PICKLE_FILENAME
    with open(path, "rb") as file:
        env = pickle.load(file)
    change(env)
    with open(path, "wb") as file:
        pickle.dump(env, file, pickle.HIGHEST_PROTOCOL)


def retitle(src: Path) -> None:
    """A new title for an essay: its theme and person pages are written again
    without being read (their tables come from the environment)."""
    path = src / "essays" / "alpha.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Alpha essay", "title: Alpha essay, retitled"), encoding="utf-8")


def fresh_build_of(src: Path, dest: Path):
    import shutil
    shutil.copytree(src, dest)
    return build(dest, freshenv=True)


class TestLazyTocs:
    def test_a_table_is_unpickled_when_read_and_equals_the_one_stored(self):
        tocs = LazyTocs()
        tocs["a"] = table("Opening", "Closing")
        loaded = pickle.loads(pickle.dumps(tocs))
        assert type(loaded) is LazyTocs
        assert type(dict.__getitem__(loaded, "a")) is bytes  # not yet read
        assert loaded["a"].pformat() == table("Opening", "Closing").pformat()
        assert isinstance(dict.__getitem__(loaded, "a"), nodes.bullet_list)  # read once

    def test_every_way_of_reading_a_value_gives_nodes(self):
        tocs = pickle.loads(pickle.dumps(LazyTocs({"a": table("A"), "b": table("B")})))
        assert tocs.get("a").pformat() == table("A").pformat()
        assert tocs.get("missing") is None
        assert [v.pformat() for v in tocs.values()] == [table("A").pformat(),
                                                       table("B").pformat()]
        assert [k for k, v in tocs.items() if isinstance(v, nodes.bullet_list)] == ["a", "b"]
        again = pickle.loads(pickle.dumps(tocs))
        assert again.setdefault("a", None).pformat() == table("A").pformat()
        assert isinstance(again.copy(), LazyTocs)
        assert again.copy()["b"].pformat() == table("B").pformat()
        assert again.pop("b").pformat() == table("B").pformat()
        assert again.pop("b", None) is None
        key, value = again.popitem()
        assert key == "a" and isinstance(value, nodes.bullet_list)

    def test_a_table_changed_in_place_is_pickled_with_its_change(self):
        """Sphinx numbers sections in the stored tables themselves."""
        tocs = pickle.loads(pickle.dumps(LazyTocs({"a": table("A")})))
        next(tocs["a"].findall(nodes.reference))["secnumber"] = (1,)
        again = pickle.loads(pickle.dumps(tocs))
        assert next(again["a"].findall(nodes.reference))["secnumber"] == (1,)


@pytest.fixture
def site(tmp_path):
    return built_kb_root(tmp_path)


def test_the_environment_holds_each_table_as_its_own_pickle(site):
    _, app = site
    env = saved_environment(app)
    assert type(env.tocs) is LazyTocs
    assert set(env.tocs) == set(env.found_docs)
    assert all(type(value) is bytes for value in dict.values(env.tocs))
    opening = [ref.astext() for ref in env.tocs["essays/alpha"].findall(nodes.reference)]
    assert "Opening" in opening


@pytest.mark.parametrize("name", ["longtitles", "titles"])
def test_long_and_short_titles_are_kept_the_same_way(site, name):
    _, app = site
    titles = getattr(saved_environment(app), name)
    assert type(titles) is LazyTocs
    assert all(type(value) is bytes for value in dict.values(titles))
    assert titles["essays/alpha"].astext() == "Alpha essay"
    assert titles.get("essays/alpha").astext() == "Alpha essay"


def test_a_rebuild_reading_tables_from_their_pickles_equals_a_fresh_build(site, tmp_path):
    src, _ = site
    retitle(src)
    again = build(src)
    assert again.warning.getvalue() == ""
    fresh = fresh_build_of(src, tmp_path / "fresh")
    assert_same(filecmp.dircmp(again.outdir, fresh.outdir, ignore=IGNORE))


def test_an_environment_saved_with_plain_tables_loads(site, tmp_path):
    """An environment pickled before kb.lazytocs holds a dict of nodes."""
    src, app = site
    def plain(env) -> None:
        env.tocs = dict(env.tocs.items())
        env.longtitles = dict(env.longtitles.items())
        env.titles = dict(env.titles.items())

    rewrite_environment(app, plain)
    assert type(saved_environment(app).tocs) is dict
    retitle(src)
    again = build(src)
    assert again.warning.getvalue() == ""
    assert "essays/alpha" in again.env.tocs and type(saved_environment(again).tocs) is LazyTocs
    assert type(saved_environment(again).longtitles) is LazyTocs
    assert type(saved_environment(again).titles) is LazyTocs
    fresh = fresh_build_of(src, tmp_path / "fresh")
    assert_same(filecmp.dircmp(again.outdir, fresh.outdir, ignore=IGNORE))
