"""Hostile or awkward text stays text, in HTML and in LaTeX.

HTML: the files of ``tests/roots/test-hostile`` (an essay, a person, a
theme and two refs.bib entries whose every field carries markup, attribute
breakers and ``javascript:`` links) are added to a copy of the real site,
which is built with its real theme and templates. Every page, the feed and
the sitemap are then read with BeautifulSoup: no script that a clean build
of the site does not have, no ``on*`` attribute, no ``javascript:`` link, no
element made from staff text; and the text is shown as written. Web
addresses that are not ``https://`` are refused with a message.

LaTeX: ``tests/roots/test-hostile-latex`` puts ``& % $ # _ { } ~ ^ \\`` in the
same fields; the generated ``.tex`` must carry each as its escaped form,
and (with TeX installed) the PDF must print them literally.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_errors import Built, build, make_root

from conftest import REPO

HOSTILE = REPO / "tests" / "roots" / "test-hostile"
LATEX_ROOT = REPO / "tests" / "roots" / "test-hostile-latex"
ESSAY_TITLE = "<script>alert('title')</script> & \" onmouseover=\"alert('title')"
PERSON_NAME = "Mallory <script>alert('name')</script> \" onmouseover=\"alert('name')"
THEME_TITLE = "Cross <script>alert('theme')</script> \" onmouseover=\"alert('theme') Studies"
#: Text of the elements the hostile fields would make if they were markup.
STAFF_ELEMENT_TEXTS = ("bold affiliation", "Lead", "XSS", "tag")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data")


_STRAIGHT = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")


def _text(element: object) -> str:
    """Shown text with the site's smart quotes (a typographic choice) made straight."""
    return element.get_text().translate(_STRAIGHT).rstrip("#\u00b6 ")  # type: ignore[attr-defined]


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _pages(outdir: Path) -> Iterator[Path]:
    return (p for p in sorted(outdir.rglob("*.html")) if "_static" not in p.parts)


def _script_src(src: str) -> str:
    """A script's file, whatever page links it (``../_static/x.js?v=1`` -> ``x.js``)."""
    return src.split("?")[0].rsplit("/", 1)[-1]


def _scripts(outdir: Path) -> tuple[set[str], set[str]]:
    """(script files, inline script texts) used anywhere in a built site."""
    files, inline = set(), set()
    for page in _pages(outdir):
        for script in _soup(page).find_all("script"):
            if script.get("src"):
                files.add(_script_src(script["src"]))
            elif script.get("type") != "application/ld+json":
                inline.add(script.get_text())
    return files, inline


@pytest.fixture(scope="module")
def hostile_site(site_copy: Callable[[], Path]) -> Built:
    src = site_copy()
    for folder in ("essays", "people", "themes"):
        for path in (HOSTILE / folder).iterdir():
            shutil.copy(path, src / folder / path.name)
    with (src / "refs.bib").open("a", encoding="utf-8") as bib:
        bib.write((HOSTILE / "refs.bib").read_text(encoding="utf-8"))
    return build(src)


def test_refused_addresses_are_reported(hostile_site: Built) -> None:
    """url, orcid and e-mail fields that are not what they claim: refused, with lines."""
    lines = hostile_site.warning_lines()
    person = hostile_site.srcdir / "people" / "mallory.md"
    assert sorted(line.split(": WARNING")[0] for line in lines if "mallory" in line) == [
        f"{person}:{n}" for n in (3, 4, 5)
    ]
    assert any("refs.bib" in line and "hostileurl2020" in line for line in lines)
    assert len(lines) == 4, hostile_site.warnings


def test_no_markup_from_staff_text_reaches_a_page(hostile_site: Built,
                                                   site_html: tuple[Path, str]) -> None:
    clean_files, clean_inline = _scripts(site_html[0])
    problems = []
    pages = list(_pages(hostile_site.outdir))
    assert hostile_site.outdir / "essays" / "hostile.html" in pages
    for page in pages:
        soup = _soup(page)
        name = page.relative_to(hostile_site.outdir)
        for script in soup.find_all("script"):
            if script.get("src"):
                if _script_src(script["src"]) not in clean_files:
                    problems.append(f"{name}: script {script['src']}")
            elif script.get("type") == "application/ld+json":
                json.loads(script.get_text())  # a '</script>' inside would break it
            elif script.get_text() not in clean_inline:
                problems.append(f"{name}: inline script {script.get_text()[:60]!r}")
        for tag in soup.find_all(True):
            for attribute, value in tag.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                if attribute.lower().startswith("on"):
                    problems.append(f"{name}: <{tag.name} {attribute}=...>")
                if attribute.lower() in URL_ATTRIBUTES and re.match(
                        r"\s*(javascript|vbscript|data):", text, re.IGNORECASE):
                    problems.append(f"{name}: <{tag.name} {attribute}={text!r}>")
        # Elements that only staff text could have made.
        for tag in soup.find_all(["img", "b", "i", "title"]):
            if tag.get("src") == "x" or tag.get_text() in STAFF_ELEMENT_TEXTS:
                problems.append(f"{name}: <{tag.name}> element from staff text")
    assert problems == []


def test_text_is_shown_as_written(hostile_site: Built) -> None:
    out = hostile_site.outdir
    essay = _soup(out / "essays" / "hostile.html")
    assert _text(essay.find("h1")) == ESSAY_TITLE
    assert ESSAY_TITLE in _text(essay.title)
    text = _text(essay.find("main") or essay)
    for shown in ("<img src=x onerror=alert('position')>", "<b>bold affiliation</b>",
                  "<script>alert('role')</script>", "<script>alert('tag')</script>",
                  "<script>alert('bibtitle')</script>", "javascript:alert('bib-url')",
                  PERSON_NAME):
        assert shown in text, shown
    person = _soup(out / "people" / "mallory.html")
    assert _text(person.find("h1")) == PERSON_NAME
    theme = _soup(out / "themes" / "xss.html")
    assert _text(theme.find("h1")) == THEME_TITLE
    assert "<b>XSS</b>" in _text(theme)


def test_refused_links_are_not_links(hostile_site: Built) -> None:
    """The refused person fields are not shown; the bib url is text, not a link."""
    person = _soup(hostile_site.outdir / "people" / "mallory.html")
    assert person.find(class_="kb-contact") is None
    essay = _soup(hostile_site.outdir / "essays" / "hostile.html")
    references = essay.find(class_="kb-references")
    assert "javascript:alert('bib-url')" in _text(references)
    assert all(not a.get("href", "").startswith("javascript") for a in references("a"))
    doi = [a["href"] for a in references("a") if "doi.org" in a.get("href", "")]
    assert doi == ["https://doi.org/10.1000/\"><script>alert('doi')</script>"]


def test_feed_and_sitemap_are_well_formed(hostile_site: Built) -> None:
    """XML outputs parse, and carry the title as text (no element from it)."""
    for name in ("atom.xml", "sitemap.xml"):
        path = hostile_site.outdir / name
        if not path.exists():
            continue
        root = ET.parse(path).getroot()
        tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
        assert not tags & {"script", "img", "svg", "b", "i"}, (name, tags)
    feed = hostile_site.outdir / "atom.xml"
    if feed.exists():
        titles = [e.text for e in ET.parse(feed).getroot().iter()
                  if e.tag.endswith("title")]
        assert ESSAY_TITLE in titles


# -- LaTeX -------------------------------------------------------------------

#: What Sphinx's LaTeX writer turns each character into.
TEX_ESCAPES = {
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
}
#: Each front-matter field of the LaTeX root is this word plus the specials.
FRONT_MATTER_FIELDS = ("Title", "Tag", "Position", "Affiliation", "Role", "Person", "Theme",
                       "Short")
SPECIALS = "& % $ # _ { } ~ ^ \\"
#: Specials as they reach the reference list from refs.bib (written \&, \%, ...).
BIB_SPECIALS = "&%$#_{}~^\\"


def _escaped(text: str) -> str:
    return "".join(TEX_ESCAPES.get(char, char) for char in text)


@pytest.fixture(scope="module")
def latex_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    src = make_root(tmp_path_factory.mktemp("latex") / "src", base=LATEX_ROOT)
    return build(src, "latex")


def _tex(built: Built) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(built.outdir.glob("*.tex")))


def _bib_fields(built: Built) -> tuple[str, str]:
    """The formatted title and journal of the one reference, as LaTeX."""
    line = next(line for line in _tex(built).splitlines() if "Bibtitle" in line)
    title = line[line.index("Bibtitle"): line.index("Journal")]
    return title, line[line.index("Journal"): line.index("2020")]


def test_latex_root_builds_cleanly(latex_build: Built) -> None:
    assert latex_build.warnings == ""
    assert len(list(latex_build.outdir.glob("*.tex"))) == 2  # whole KB, one theme


@pytest.mark.parametrize("field", FRONT_MATTER_FIELDS)
def test_latex_escapes_front_matter(latex_build: Built, field: str) -> None:
    assert _escaped(f"{field} {SPECIALS}") in _tex(latex_build)


@pytest.mark.parametrize("char", BIB_SPECIALS)
def test_latex_escapes_bib_fields(latex_build: Built, char: str) -> None:
    title, journal = _bib_fields(latex_build)
    assert TEX_ESCAPES[char] in title
    assert TEX_ESCAPES[char] in journal or char not in "&%$#_"


@pytest.mark.latex
def test_pdf_prints_special_characters_literally(latex_build: Built,
                                                 tmp_path: Path) -> None:
    if not (shutil.which("xelatex") and shutil.which("latexmk")
            and shutil.which("pdftotext")):
        pytest.skip("needs xelatex, latexmk and pdftotext: apt-get install latexmk "
                    "texlive-xetex poppler-utils")
    work = tmp_path / "latex"
    shutil.copytree(latex_build.outdir, work)
    tex = next(p.name for p in sorted(work.glob("*.tex")) if "specials" in p.name)
    subprocess.run(["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error",
                    tex], cwd=work, capture_output=True, check=True, timeout=600)
    text = subprocess.run(["pdftotext", str(work / tex.replace(".tex", ".pdf")), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for field in FRONT_MATTER_FIELDS:
        assert f"{field} {SPECIALS}" in flat, field
    assert f"Bibtitle {SPECIALS}." in flat
