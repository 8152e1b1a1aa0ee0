"""Only changed refs.bib entries are parsed again (kb.bibreparse).

The rule: whatever was edited, the entries are those a whole parse gives
(same keys, order, types, fields, persons), and when that cannot be
assured the whole file is parsed instead.
"""

from __future__ import annotations

from pathlib import Path

from pybtex.database import BibliographyData
from sphinx.util.console import strip_colors

from conftest import build, copy_root
from kb.bibcheck import CheckingParser
from kb.bibreparse import chunk_map, reparse

BIB = """% Synthetic bibliography for the test.
@article{one,
  author = {Smith, John and Jones, Ann B.},
  title = {A first article},
  journal = {J Test},
  year = {2001},
}

@book{two,
  author = {Brown, Carol},
  title = {A Book},
  publisher = {Test Press},
  year = {1999},
}
@misc{three,
  author = {{World Health Organisation}},
  title = {Three},
  year = {2020},
}
"""


def whole(text: str) -> BibliographyData:
    parser = CheckingParser("utf-8")
    parser.parse_string(text)
    assert parser.problems == []
    return parser.data


def one(chunk: str) -> BibliographyData | None:
    parser = CheckingParser("utf-8")
    parser.parse_string(chunk)
    return None if parser.problems else parser.data


def same(a: BibliographyData, b: BibliographyData) -> None:
    assert list(a.entries) == list(b.entries)
    for key, entry in a.entries.items():
        other = b.entries[key]
        assert (entry.type, dict(entry.fields)) == (other.type, dict(other.fields))
        assert {role: [str(p) for p in people] for role, people in entry.persons.items()} \
            == {role: [str(p) for p in people] for role, people in other.persons.items()}


def test_edited_added_and_removed_entries_give_what_a_whole_parse_gives():
    first = whole(BIB)
    known = chunk_map(BIB, first)
    assert known is not None and sorted(known.values()) == ["one", "three", "two"]
    edited = (BIB.replace("A Book", "A Book, Second Edition")
              .replace("@misc{three,\n  author = {{World Health Organisation}},\n"
                       "  title = {Three},\n  year = {2020},\n}\n", "")
              + "@article{four,\n  author = {Doe, Jane},\n  title = {Four},\n  year = {2021},\n}\n")
    result = reparse(edited, known, first.entries, one)
    assert result is not None
    data, new_known, changed = result
    same(data, whole(edited))
    assert changed == {"two", "four"}  # removed keys are the caller's to add
    assert data.entries["one"] is first.entries["one"]  # not parsed again
    assert new_known == chunk_map(edited, whole(edited))


def test_what_a_chunk_cannot_say_alone_is_left_to_the_whole_parse():
    first = whole(BIB)
    known = chunk_map(BIB, first)
    assert known is not None
    repeated = BIB + "@book{One,\n  title = {Again},\n  year = {2000},\n}\n"
    macro = "@string{jt = {J Test}}\n" + BIB
    broken = BIB.replace("title = {A Book},", "title = {A Book,")
    two_in_one = BIB.replace("}\n\n@book{two,", "} @book{two,")
    for text in (repeated, macro, broken, two_in_one):
        assert reparse(text, known, first.entries, one) is None
    assert chunk_map(two_in_one, whole(two_in_one)) is None


def _title_on_page(outdir: Path, docname: str) -> str:
    return (outdir / f"{docname}.html").read_text(encoding="utf-8")


def test_a_build_shows_every_edit_of_a_cited_entry_and_rereads_no_other_essay(tmp_path):
    src = copy_root("kb", tmp_path / "src")
    build(src)
    bib = src / "refs.bib"
    for title in ("A Book Retitled", "A Book Retitled Twice"):  # the second one reparses
        text = bib.read_text(encoding="utf-8")
        bib.write_text(text.replace("title = {A Book", f"title = {{{title}", 1)
                       .replace(f"title = {{{title} Retitled", f"title = {{{title}"),
                       encoding="utf-8")
        app = build(src)
        assert app.warning.getvalue() == ""
        assert title in _title_on_page(Path(app.outdir), "essays/beta")
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text + "@misc{uncited,\n  title = {Nobody cites this},\n  year = {2020},\n}\n",
                   encoding="utf-8")
    app = build(src)
    assert "0 added, 0 changed, 0 removed" in strip_colors(app.status.getvalue())
