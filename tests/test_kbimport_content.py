"""A post's HTML to MyST, markers and sign-offs (tools/kbimport: content, markers, people).

The MyST is checked with myst-parser's own Markdown parser: blog text comes
out as the same text, never as a role, math, HTML, a heading or a list.
"""

from __future__ import annotations

import html
import sys

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from conftest import REPO

sys.path.insert(0, str(REPO))  # tools/ is not an installed package
from tools.kbimport import markers  # noqa: E402
from tools.kbimport.content import Context, drop_furniture, soup, split_parts, to_myst  # noqa: E402
from tools.kbimport.people import Site, parse_signoff  # noqa: E402

MYST = create_md_parser(MdParserConfig(), RendererHTML)
KEYS = {n: f"work{n}" for n in range(1, 13)}


def convert(html: str, themes: list[tuple[str, str]] | None = None) -> tuple[str, Context]:
    def cite(numbers: list[int]) -> str | None:
        if all(n in KEYS for n in numbers):
            return markers.role([KEYS[n] for n in numbers])
        return None

    context = Context(cite=cite, base_url="https://blog.example.org/2019/05/post/")
    body = soup(html)
    context.notes += [f"embed {src}" for src in drop_furniture(body)]
    return to_myst(body, context, themes or []), context


def rendered_text(myst: str) -> str:
    return " ".join(BeautifulSoup(MYST.render(myst), "html.parser").get_text(" ").split())


#: Text that is not a citation marker (``[1]`` is one, and becomes a role by design).
TEXT = st.text(alphabet=st.sampled_from(list("ab 1.)#>-+*_=%:|(){}[]`$~<>&\\!^'\"\u2014")),
               min_size=1, max_size=40).filter(lambda t: not markers.BRACKETED.search(t))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_any_blog_text_stays_text(text):
    myst, _ = convert(f"<p>{html.escape(text)}</p>")  # the text as a blog shows it
    rendered = MYST.render(myst)
    assert BeautifulSoup(rendered, "html.parser").find(
        ["h1", "h2", "ul", "ol", "hr", "blockquote", "code", "em", "strong", "a", "pre",
         "b", "i", "script"]) is None
    assert "myst role" not in rendered and "math" not in rendered
    assert rendered_text(myst) == " ".join(text.split())


@pytest.mark.parametrize("html, roles", [
    ("<p>a.[1] b [2,3] c [4-6] d [4] [5] [6]</p>",
     ["work1", "work2,work3", "work4,work5,work6", "work4", "work5", "work6"]),
    ("<p>a<sup>1</sup> b<sup>2,3</sup> c<sup>[4]</sup> d<sup>4–6</sup></p>",
     ["work1", "work2,work3", "work4", "work4,work5,work6"]),
])
def test_every_marker_form_becomes_a_footcite_in_place(html, roles):
    myst, context = convert(html)
    assert [r.split("`")[1] for r in myst.split("{footcite}")[1:]] == roles
    assert context.notes == []


def test_unknown_marker_is_left_as_text_and_reported():
    myst, context = convert("<p>see [99] and <sup>98</sup></p>")
    assert "{footcite}" not in myst
    assert rendered_text(myst) == "see [99] and 98"
    assert len(context.notes) == 2


def test_structure_becomes_myst():
    myst, context = convert(
        "<h1>Top</h1><p><em>a</em> <strong>b</strong> <a href='/x/'>rel</a> "
        "<a href='javascript:alert(1)'>js</a> <a href='mailto:a@b.org'>mail</a></p>"
        "<ul><li>one<ul><li>nested</li></ul></li><li>two</li></ul>"
        "<ol start='3'><li>three</li></ol><blockquote><p>q1</p><p>q2</p></blockquote>"
        "<p><img src='https://x.org/i.png' alt='An [alt]'> <img src='data:image/png;base64,AA'></p>"
        "<iframe src='https://video.example.org/'></iframe><script>x()</script>")
    assert myst.splitlines() == [
        "## Top", "",
        "*a* **b** [rel](https://blog.example.org/x/) js [mail](mailto:a@b.org)", "",
        "- one", "  - nested", "- two", "",
        "3. three", "",
        "> q1", ">", "> q2", "",
        "![An \\[alt\\]](https://x.org/i.png)",
    ]
    assert context.images == ["https://x.org/i.png"]
    assert any("javascript:" in note for note in context.notes)
    assert any("data:" in note for note in context.notes)
    assert "embed https://video.example.org/" in context.notes


def test_theme_named_in_the_text_becomes_a_theme_link():
    myst, context = convert("<p>see our study in the Implementation and Organisational "
                            "Studies theme of CLAHRC WM</p>",
                            [("Implementation and Organisational Studies", "ios")])
    assert ("{theme}`the Implementation and Organisational Studies theme <ios>`" in myst)
    assert context.themes == ["ios"]


def test_furniture_references_and_signoff_are_taken_out():
    body = soup("<div class='post'><p>Text [1].</p><p>— Ann Example, Nurse, A Trust</p>"
                "<h3>References</h3><ol><li>Example A. A work. J Ex. 2001; 1: 1-2.</li></ol>"
                "<div class='sharedaddy'>Share this:</div><h3>Leave a Reply</h3>"
                "<p>Fill in your details below</p></div>")
    drop_furniture(body)
    parts = split_parts(body)
    assert parts.references == {1: "Example A. A work. J Ex. 2001; 1: 1-2."}
    assert parts.signoff == "— Ann Example, Nurse, A Trust"
    assert " ".join(parts.body.get_text(" ").split()) == "Text [1]."


@pytest.fixture(scope="module")
def site() -> Site:
    return Site.load(REPO)


def test_signoff_of_the_seed(site):
    [author] = parse_signoff("— Graeme Currie, Professor of Public Management, Warwick "
                             "Business School, Lead IOS Theme & Deputy Director CLAHRC-WM.",
                             site)
    assert (author.name, author.position, author.affiliations, author.roles) == (
        "Graeme Currie", "Professor of Public Management", ["Warwick Business School"],
        ["Lead IOS Theme", "Deputy Director CLAHRC-WM"])
    assert site.role("Lead IOS Theme") == {"title": "Lead", "theme": "ios"}
    assert site.role("Lead Implementation and Organisational Studies Theme") == {
        "title": "Lead", "theme": "ios"}
    assert site.role("Member of the Steering Theme") == "Member of the Steering Theme"
    assert site.person("graeme  CURRIE") == "graeme-currie"
    assert site.person("Graeme P. Currie") == "graeme-p-currie"  # not the same name: new
    assert site.similar == {"graeme-p-currie": ["graeme-currie"]}  # ... but reported


@pytest.mark.parametrize("line, names", [
    ("— Ann Example and Bo Sample", ["Ann Example", "Bo Sample"]),
    ("— Ann Example, Nurse, Health and Social Care Trust; Bo Sample, Fellow",
     ["Ann Example", "Bo Sample"]),
    ("— Ann Example, Director of Health and Social Care", ["Ann Example"]),
    ("— Ann Example, Nurse, A Trust and Bo Sample, Fellow, B University",
     ["Ann Example", "Bo Sample"]),
])
def test_several_authors_joined_by_and_or_semicolon(line, names, site):
    assert [a.name for a in parse_signoff(line, site)] == names


def test_marker_numbers():
    assert markers.numbers("2,3") == [2, 3]
    assert markers.numbers("4-6") == [4, 5, 6]
    assert markers.numbers("4–6, 8") == [4, 5, 6, 8]
    assert markers.numbers("3, 3") == [3]


def test_deep_nesting_is_flattened_below_the_sites_limit():
    myst, context = convert("<blockquote>" * 30 + "<p>deep</p>" + "</blockquote>" * 30)
    assert myst.strip() == "> " * 10 + "deep"
    assert context.notes == ["quotes or lists nested more than 10 deep were flattened; "
                             "check them"]


def test_text_after_the_reference_list_stays_in_the_essay():
    body = soup("<p>Text [1].</p><h3>References</h3><ol><li>Example A. A work. J Ex. 2001; "
                "1: 1-2.</li></ol><p><strong>Comments</strong> are welcome below.</p>"
                "<p>— Ann Example, Nurse</p>")
    drop_furniture(body)
    parts = split_parts(body)
    assert list(parts.references) == [1]
    assert parts.signoff == "— Ann Example, Nurse"
    assert " ".join(parts.body.get_text(" ").split()) == "Text [1]. Comments are welcome below."


def test_sentences_that_start_like_furniture_are_kept():
    text = ("Published by the Department of Health in 2010, the report was read widely, and "
            "its recommendations were taken up by most trusts within two years.")
    body = soup(f"<p>{text}</p><p>Subscribers to the scheme agreed.</p><p>Share this:</p>")
    drop_furniture(body)
    assert " ".join(body.get_text(" ").split()) == f"{text} Subscribers to the scheme agreed."
