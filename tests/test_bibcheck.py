"""refs.bib checks (``kb.bibcheck``): where a '{' left open is reported.

The whole-build messages are in ``test_errors.py``; these check the parser
alone on the cases that mislead most.
"""

from __future__ import annotations

from conftest import REPO  # noqa: F401  (puts _ext on sys.path)
from kb.bibcheck import CheckingParser, Problem, unclosed_value


def scan(text: str) -> tuple[list[Problem], dict[str, int], list[str]]:
    parser = CheckingParser()
    data = parser.parse_string(text)
    return parser.problems, parser.unreadable, list(data.entries)


def test_last_field_left_open_is_reported_where_it_opened() -> None:
    """Its '}' is taken from the entry, which then ends at the next entry."""
    problems, unreadable, keys = scan(
        "@article{a,\n  title = {T},\n  year = {2000,\n}\n\n@article{b,\n  title = {B},\n}\n"
    )
    assert [p.line for p in problems] == [3]
    assert "a '{' opened at line 3 is not closed" in problems[0].message
    assert "did you mean" not in problems[0].message
    assert unreadable == {"a": 3}
    assert keys == ["b"]


def test_field_taking_in_the_next_entry_names_it() -> None:
    problems, unreadable, keys = scan(
        "@article{a,\n  title = {Open,\n  year = {2000},\n\n@article{b,\n  title = {B},\n}\n"
    )
    assert [p.line for p in problems] == [2]
    assert "takes in the entry 'b'" in problems[0].message
    assert unreadable == {"a": 2, "b": 2}
    assert keys == []


def test_entry_read_after_all_is_not_named() -> None:
    """pybtex recovers at the next '@' after an open quote: 'b' is not lost."""
    problems, _, keys = scan(
        '@article{q,\n  title = "Open,\n  year = 2000\n}\n@book{b, title={B}}\n'
    )
    assert keys == ["b"]
    assert "takes in" not in problems[0].message
    assert "a '\"' opened at line 2" in problems[0].message


def test_run_on_field_is_not_printed() -> None:
    """The broken entry is left out rather than printed with its fields in its title."""
    _, _, keys = scan("@article{a,\n  title = {Open,\n  journal = {J},\n  year = {2000},\n}\n")
    assert keys == []


def test_missing_comma_keeps_its_own_message() -> None:
    problems, unreadable, _ = scan("@article{n,\n  title = {T}\n  year = 2000\n}\n")
    assert "missing ','" in problems[0].message
    assert unreadable == {}


def test_balanced_entry_has_no_unclosed_value() -> None:
    text = "@article{a,\n  title = {A {B} c},\n  note = {x = y},\n}\n"
    assert unclosed_value(text, 0) is None
