"""The front-matter contract, without a Sphinx build: records and messages."""

from __future__ import annotations

import pytest

from kb.frontmatter import FrontMatter, parse
from kb.models import Authorship, Essay, Person, Role, Theme
from kb.schema import to_essay, to_person, to_theme


def fm(yaml_text: str) -> FrontMatter:
    """Front matter as a page's block (its first key on line 2)."""
    return parse(yaml_text)


def only_problem(problems: list[tuple[int, str]]) -> tuple[int, str]:
    assert len(problems) == 1, problems
    return problems[0]


def test_full_essay_becomes_a_record():
    essay, problems = to_essay("essays/x", fm(
        "title: Can CLAHRC WM Enact Distributed Leadership\n"
        "date: 2019-05-31\n"
        "authors:\n"
        "  - id: graeme-currie\n"
        "    position: Professor\n"
        "    affiliations: [Warwick Business School]\n"
        "    roles:\n"
        "      - {title: Lead, theme: ios}\n"
        "      - Deputy Director\n"
        "themes: [ios]\n"
        "tags: [leadership, NHS]\n"))
    assert problems == []
    assert essay == Essay(
        "essays/x", "Can CLAHRC WM Enact Distributed Leadership", "2019-05-31",
        (Authorship("graeme-currie", "Professor", ("Warwick Business School",),
                    (Role("Lead", "ios", 9), Role("Deputy Director", None, 10)), 5),),
        (("ios", 11),), ("leadership", "NHS"))


def test_an_author_may_be_just_an_id_and_date_is_optional():
    essay, problems = to_essay("essays/x", fm("title: T\nauthors: [ann, bob]\n"))
    assert problems == []
    assert essay is not None and essay.date is None
    assert essay.person_ids == ("ann", "bob")


@pytest.mark.parametrize(("yaml_text", "line", "says"), [
    ("title: T\n", 2, "missing 'authors'"),
    ("authors: [ann]\n", 2, "missing 'title'"),
    ("title: T\nauthors: [ann]\ntag: [x]\n", 4,
     "unknown front-matter key 'tag': did you mean 'tags'?"),
    ("title: T\nauthors: [ann]\nzzz: 1\n", 4, "unknown front-matter key 'zzz': remove it"),
    ("title: [A, B]\nauthors: [ann]\n", 2, "'title' must be a single line of text"),
    ("title: true\nauthors: [ann]\n", 2, "'title' must be text, not true"),
    ("title: T\ndate: 2019-02-30\nauthors: [ann]\n", 3, "'2019-02-30' is not a real date"),
    ("title: T\ndate: 2019-5-1\nauthors: [ann]\n", 3, "form YYYY-MM-DD"),
    ("title: T\nauthors: []\n", 3, "'authors' must be a list of one or more authors"),
    ("title: T\nauthors: [Ann Example]\n", 3, "author id 'Ann Example' is not a person id"),
    ("title: T\nauthors:\n  - id: ann\n    role: Lead\n", 5,
     "unknown author key 'role': did you mean 'roles'?"),
    ("title: T\nauthors:\n  - id: ann\n    roles:\n      - {theme: ios}\n", 6,
     "missing 'title' in authors.0.roles.0"),
    ("title: T\nauthors:\n  - id: ann\n    roles: [[x]]\n", 5, "a role is text"),
    ("title: T\nauthors: [ann]\nthemes: [Implementation Science]\n", 4,
     "theme 'Implementation Science' is not a theme id"),
    ("title: T\nauthors: [ann]\ntags: [{a: b}]\n", 4, "each entry of 'tags' must be plain text"),
])
def test_essay_mistakes_are_reported_at_their_line(yaml_text: str, line: int, says: str):
    _, problems = to_essay("essays/x", fm(yaml_text))
    found_line, message = only_problem(problems)
    assert found_line == line, message
    assert says in message


def test_every_mistake_is_reported_at_once():
    _, problems = to_essay("essays/x", fm("title: [A]\ndate: soon\nauthors: 3\nfoo: 1\n"))
    assert [line for line, _ in problems] == [5, 2, 3, 4]


def test_essay_without_title_has_no_record():
    essay, _ = to_essay("essays/x", fm("authors: [ann]\n"))
    assert essay is None


def test_person_record_and_checked_links():
    person, problems = to_person("people/ann-example", fm(
        "name: Ann Example\norcid: 0000-0002-1825-0097\nemail: ann@example.org\n"
        "url: https://example.org/ann\n"))
    assert problems == []
    assert person == Person("people/ann-example", "ann-example", "Ann Example",
                            "0000-0002-1825-0097", "ann@example.org", "https://example.org/ann")


@pytest.mark.parametrize(("key", "value", "says"), [
    ("orcid", "1234", "an ORCID iD like 0000-0002-1825-0097"),
    ("email", "ann at example", "an e-mail address"),
    ("url", "javascript:alert(1)", "a web address starting with https://"),
    ("url", "https://example.org/\"onmouseover=x", "a web address starting with https://"),
])
def test_person_links_that_are_not_links_are_refused(key: str, value: str, says: str):
    person, problems = to_person("people/ann", fm(f"name: Ann\n{key}: '{value}'\n"))
    line, message = only_problem(problems)
    assert line == 3 and says in message
    assert person is not None and getattr(person, key) is None


def test_theme_record_with_the_line_of_its_lead():
    theme, problems = to_theme("themes/ios", fm(
        "title: Implementation and Organisational Studies\nshort: IOS\nlead: ann\n"))
    assert problems == []
    assert theme == Theme("themes/ios", "ios", "Implementation and Organisational Studies",
                          "IOS", "ann", 4)


def test_theme_needs_title_and_short_name():
    theme, problems = to_theme("themes/ios", fm("title: T\n"))
    assert theme is None
    assert only_problem(problems)[1].startswith("missing 'short'")
