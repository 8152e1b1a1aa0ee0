"""The parsed refs.bib is pickled beside the environment (kb.keptbib).

The rules: an essay edit re-pickles the environment but not the parse; a
refs.bib edit replaces the parse's file; a lost or broken file is parsed
again, and the site comes out as a fresh build makes it.
"""

from __future__ import annotations

import filecmp
import pickle
from pathlib import Path

import pytest
from test_incremental import assert_same

from conftest import build, built_kb_root, copy_root
from kb._compat import ENV_PICKLE_FILENAME
from kb.keptbib import PREFIX, KeptBibliography


def kept_files(app) -> list[Path]:
    return sorted(Path(app.doctreedir).glob(f"{PREFIX}*.pickle"))


def append_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")


@pytest.fixture
def site(tmp_path):
    return built_kb_root(tmp_path)


def test_the_environment_holds_a_reference_to_the_parse_not_the_parse(site):
    _, app = site
    [kept] = kept_files(app)
    with open(Path(app.doctreedir) / ENV_PICKLE_FILENAME, "rb") as file:
        env = pickle.load(file)
    data = env.domaindata["cite"]["bibdata"].data
    assert isinstance(data, KeptBibliography)
    assert Path(data.kept_file) == kept
    assert len(data.entries) > 0
    assert kept.stat().st_size > 0
    # the environment's pickle names the file but does not hold the entries
    assert b"kept_file" not in pickle.dumps(data)
    assert len(pickle.dumps(data)) < 300


def test_an_essay_edit_keeps_the_parse_file(site):
    src, app = site
    [kept] = kept_files(app)
    before = kept.stat().st_mtime_ns
    append_line(src / "essays" / "alpha.md", "\nOne more sentence.\n")
    again = build(src)
    assert again.warning.getvalue() == ""
    assert kept_files(again) == [kept]
    assert kept.stat().st_mtime_ns == before


def test_a_bib_edit_replaces_the_parse_file(site):
    src, app = site
    [old] = kept_files(app)
    append_line(src / "refs.bib", "\n@book{newbook, author = {New, Ann}, title = {New},"
                " publisher = {P}, year = {2001}}\n")
    again = build(src)
    assert again.warning.getvalue() == ""
    [new] = kept_files(again)
    assert new != old


@pytest.mark.parametrize("damage", ["delete", "truncate"])
def test_a_lost_parse_is_parsed_again_and_the_site_is_as_fresh(site, tmp_path, damage):
    src, app = site
    [kept] = kept_files(app)
    if damage == "delete":
        kept.unlink()
    else:
        kept.write_bytes(kept.read_bytes()[:100])
    append_line(src / "essays" / "alpha.md", "\nOne more sentence.\n")
    again = build(src)
    assert again.warning.getvalue() == ""
    assert len(kept_files(again)) == 1
    fresh = build(copy_root("kb", tmp_path / "fresh"), freshenv=True)
    append_line(Path(fresh.srcdir) / "essays" / "alpha.md", "\nOne more sentence.\n")
    fresh = build(Path(fresh.srcdir), freshenv=True)
    assert_same(filecmp.dircmp(again.outdir, fresh.outdir, ignore=[
        ".doctrees", ".buildinfo", "pagefind", "pagefind-recent"]))  # search: its own tests


def test_lazy_entries_read_like_pybtex_s_mapping():
    from pybtex.database import Entry
    from pybtex.utils import OrderedCaseInsensitiveDict

    from kb.keptbib import LazyEntries

    plain = OrderedCaseInsensitiveDict([("Smith2020", Entry("book", {"title": "A"})),
                                        ("jones", Entry("misc", {"title": "B"}))])
    lazy = pickle.loads(pickle.dumps(LazyEntries.of(plain)))
    assert type(lazy) is LazyEntries
    assert all(type(value) is bytes for value in lazy._dict.values())  # nothing read yet
    assert list(lazy) == ["Smith2020", "jones"] and len(lazy) == 2
    assert "SMITH2020" in lazy and "nobody" not in lazy
    assert lazy["smith2020"] == plain["Smith2020"]
    assert type(lazy._dict["jones"]) is bytes  # only what was read
    assert lazy.get("JONES") == plain["jones"] and lazy.get("nobody") is None
    assert list(lazy.items()) == list(plain.items())
    assert list(lazy.values()) == list(plain.values())
    again = pickle.loads(pickle.dumps(lazy))  # read entries are pickled again
    assert list(again.items()) == list(plain.items())
    assert again.pop("Jones") == plain["jones"] and list(again) == ["Smith2020"]


def test_an_essay_edit_unpickles_only_the_entries_it_cites(site):
    src, app = site
    append_line(src / "refs.bib", "\n@book{uncited, author = {New, Ann}, title = {New},"
                " publisher = {P}, year = {2001}}\n")
    assert build(src).warning.getvalue() == ""
    append_line(src / "essays" / "alpha.md", "\nOne more sentence.\n")
    again = build(src)
    assert again.warning.getvalue() == ""
    entries = again.env.domaindata["cite"]["bibdata"].data.entries
    read = {key for key in entries if type(entries._dict[key.lower()]) is not bytes}
    assert read <= {"one", "two"} and "uncited" in entries


def test_a_parse_kept_by_an_older_version_is_kept_again(site, tmp_path):
    """Files written before entries were pickled one by one still load; the
    next build writes the file again in the new form."""
    src, app = site
    [kept] = kept_files(app)
    data = pickle.loads(kept.read_bytes())
    from pybtex.utils import OrderedCaseInsensitiveDict
    vars(data)["entries"] = OrderedCaseInsensitiveDict(data.entries.items())
    kept.write_bytes(pickle.dumps(data, pickle.HIGHEST_PROTOCOL))
    append_line(src / "essays" / "alpha.md", "\nOne more sentence.\n")
    again = build(src)
    assert again.warning.getvalue() == ""
    [new] = kept_files(again)
    assert new != kept
    from kb.keptbib import LazyEntries
    assert type(pickle.loads(new.read_bytes()).entries) is LazyEntries
    fresh = build(copy_root("kb", tmp_path / "fresh"), freshenv=True)
    append_line(Path(fresh.srcdir) / "essays" / "alpha.md", "\nOne more sentence.\n")
    fresh = build(Path(fresh.srcdir), freshenv=True)
    assert_same(filecmp.dircmp(again.outdir, fresh.outdir, ignore=[
        ".doctrees", ".buildinfo", "pagefind", "pagefind-recent"]))
