"""Checking refs.bib, without a Sphinx build: every problem with its line.

``tests/test_errors.py`` checks the same mistakes through real builds and
the staff guide; this file pins down the parser's rules one by one.
"""

from __future__ import annotations

import pytest

from kb.bibcheck import LENIENT_UTF8, CheckingParser, scan, undecodable_line

GOOD = "@article{smith2001,\n  author = {Smith, John},\n  title = {A},\n  year = 2001,\n}\n"


def lines_and_messages(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in scan(text)]


def test_a_good_file_has_no_problems():
    assert scan(GOOD) == []


@pytest.mark.parametrize(("text", "line", "says"), [
    (GOOD + "\n@article{broken,\n  title = {Unclosed,\n  year = 2000\n}\n", 8,
     "a '{' opened at line 8 is not closed"),  # the line where it opened
    (GOOD + "\n@article{nocomma,\n  title = {T}\n  year = 2000\n}\n", 7,
     "missing ',' between fields"),
    ("% Questions: ann@example.org\n" + GOOD, 1, "'@' starts an entry"),
    (GOOD + "\n@book{bare,\n  title = {T},\n  publisher = Press,\n  year = 2000\n}\n", 7,
     "write it as {Press}"),
    (GOOD + "\n@article{twice,\n  title = {T},\n  Title = {U},\n}\n", 7,
     "the entry 'twice' has two 'title' fields; keep one"),
    (GOOD + "\n@article{names,\n  author = {Smith, J, Jones, M},\n}\n", 7,
     "separate people with ' and '"),
    (GOOD + "\n@misc{link,\n  title = {T},\n  url = {javascript:x()},\n}\n", 7,
     "the url 'javascript:x()' of the entry 'link' is not a web address"),
])
def test_each_problem_is_reported_once_at_its_line(text: str, line: int, says: str):
    ((found_line, message),) = lines_and_messages(text)
    assert found_line == line
    assert says in message


def test_a_repeated_key_points_at_the_first_and_keeps_it():
    parser = CheckingParser()
    parser.parse_string(GOOD + "\n@article{Smith2001,\n  title = {Copy},\n}\n")
    ((problem),) = parser.problems
    assert problem.line == 7
    assert "the key 'Smith2001' is already used by the entry on line 1" in problem.message
    assert "keys ignore case" in problem.message
    assert parser.data.entries["smith2001"].fields["title"] == "A"


def test_reading_goes_on_after_a_problem():
    parser = CheckingParser()
    parser.parse_string("@misc{bad,\n  title = {T}\n  year = 1\n}\n\n" + GOOD)
    assert [p.line for p in parser.problems] == [1]
    assert "smith2001" in parser.data.entries


def test_links_that_are_web_addresses_pass():
    assert scan("@misc{a,\n  url = {https://example.org/a},\n}\n") == []
    assert scan("@misc{a,\n  url = {HTTP://example.org/a},\n}\n") == []


def test_undecodable_byte_is_found_with_its_line():
    data = GOOD.encode() + "@misc{cafe,\n  title = {Caf\u00e9},\n}\n".encode("cp1252")
    assert undecodable_line(data, "utf-8") == (7, "0xE9")
    assert undecodable_line(GOOD.encode(), "utf-8") is None
    assert undecodable_line(b"x", "no-such-encoding") is None


def test_lenient_codec_shows_bad_bytes_as_replacement_characters():
    assert b"Caf\xe9 ok".decode(LENIENT_UTF8) == "Caf\ufffd ok"
    assert b"\xef\xbb\xbfBOM".decode(LENIENT_UTF8) == "BOM"
