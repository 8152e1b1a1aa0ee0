"""Reading front matter, without a Sphinx build: values, lines, refusals."""

from __future__ import annotations

import pytest

from kb.frontmatter import FrontMatter, FrontMatterError, parse, split


def matter(source: str) -> FrontMatter:
    yaml_text, _ = split(source)
    assert yaml_text is not None
    return parse(yaml_text)


def test_split_cuts_the_block_and_keeps_every_later_line_number():
    source = "---\ntitle: T\nauthors: [ann]\n---\n\n## Heading\nText\n"
    yaml_text, body = split(source)
    assert yaml_text == "title: T\nauthors: [ann]"
    assert body.split("\n").index("## Heading") == source.split("\n").index("## Heading")
    assert body.strip() == "## Heading\nText"


def test_fence_may_have_trailing_spaces():
    assert split("--- \ntitle: T\n---\t\nBody")[0] == "title: T"


def test_page_without_a_block_is_left_alone():
    assert split("# Just a page\n") == (None, "# Just a page\n")
    assert split("") == (None, "")
    assert split("Text\n---\ntitle: T\n---\n")[0] is None  # only a first-line fence opens


def test_a_block_never_closed_is_an_error_on_line_1():
    with pytest.raises(FrontMatterError) as caught:
        split("---\ntitle: T\n\nText\n")
    assert caught.value.line == 1
    assert "never closed" in str(caught.value)


def test_values_keep_their_source_lines():
    m = matter("---\ntitle: T\nauthors:\n  - id: ann\n    roles:\n      - Lead\n---\n")
    assert m.data == {"title": "T", "authors": [{"id": "ann", "roles": ["Lead"]}]}
    assert m.line("title") == 2
    assert m.line("authors", 0) == 4
    assert m.line("authors", 0, "roles", 0) == 6


def test_a_missing_path_falls_back_to_its_nearest_parent():
    m = matter("---\ntitle: T\nauthors:\n  - id: ann\n---\n")
    assert m.line("authors", 0, "position") == 4
    assert m.line("nothing") == m.start == 2


def test_dates_stay_as_written_so_the_schema_judges_them():
    assert matter("---\ndate: 2019-05-31\n---\n").data["date"] == "2019-05-31"
    assert matter("---\ndate: 2019-02-30\n---\n").data["date"] == "2019-02-30"


def test_scalars_resolve_as_yaml_does():
    m = matter("---\na: 3\nb: true\nc: null\nd: 'quoted: yes'\n---\n")
    assert m.data == {"a": 3, "b": True, "c": None, "d": "quoted: yes"}


def test_an_empty_block_is_an_empty_mapping():
    assert matter("---\n---\n").data == {}


@pytest.mark.parametrize(("yaml_text", "line", "says"), [
    ("title: Risk: a review", 2, "not valid YAML"),
    ("title: T\n  bad indent: x\n:", 3, "not valid YAML"),
    ("- a\n- b", 2, "must be 'key: value' lines"),
    ("title: A\ntitle: B", 3, "'title' is given twice"),
    ("title: &t A\ntags: [*t]", 3, "anchors and aliases"),
    ("a: &x [*x]", 2, "anchors and aliases"),
    ("title: T\ntags: [NHS\x0b]", 3, "invisible control character (#x000b)"),
    ("[a]: b", 2, "a key must be a plain word"),
    ("title: !!python/object:os.system x", 2, "not valid YAML"),
])
def test_refusals_name_the_line_and_the_fix(yaml_text: str, line: int, says: str):
    with pytest.raises(FrontMatterError) as caught:
        parse(yaml_text)
    assert caught.value.line == line
    assert says in str(caught.value)
