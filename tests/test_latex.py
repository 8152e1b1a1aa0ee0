"""The funders' PDFs: built for real with Sphinx, xelatex and latexmk, read back.

Session fixtures build each PDF set once: the real site through
``make latexpdf`` (twice, for reproducibility), and two small synthetic
roots through Sphinx's LaTeX builder plus latexmk. Text is read back with
pypdf and compared after :func:`squash`, which removes what typesetting
changes (line breaks, hyphenation, spacing of bold headings).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import REPO, build, copy_root, copy_site

EPOCH = "1700000000"  # 14 November 2023
EPOCH_DATE = "14 November 2023"
HAS_TEX = bool(shutil.which("xelatex") and shutil.which("latexmk"))
MAKE = shutil.which("make")
needs_tex = [
    pytest.mark.latex,
    pytest.mark.skipif(not HAS_TEX, reason="needs TeX: apt-get install latexmk "
                       "texlive-xetex texlive-fonts-recommended fonts-freefont-otf"),
]
needs_make = pytest.mark.skipif(MAKE is None, reason="needs GNU make")

SEED_TITLE = "Can CLAHRC WM Enact Distributed Leadership"
SEED_BYLINE = ("Graeme Currie, Professor of Public Management, Warwick Business School, "
               "Lead IOS Theme & Deputy Director CLAHRC-WM")
IOS_TITLE = "Implementation and Organisational Studies"


def squash(text: str) -> str:
    """Text as typeset, minus what typesetting changes: spaces, breaks, hyphens."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-]+", "", text)


@dataclass
class PDFs:
    """One output directory of the LaTeX builder, after latexmk."""

    outdir: Path
    warnings: str = ""

    def pdf(self, stem: str) -> Path:
        return self.outdir / f"{stem}.pdf"

    def pages(self, stem: str) -> list[str]:
        """Each page's whole text, running heads and page numbers included."""
        return _read(self.pdf(stem))[0]

    def text(self, stem: str) -> str:
        return "\n".join(self.pages(stem))

    def body(self, stem: str) -> str:
        """The text of all pages without running heads and page numbers."""
        return _read(self.pdf(stem))[1]

    def log(self, stem: str) -> str:
        return (self.outdir / f"{stem}.log").read_text(encoding="utf-8", errors="replace")

    def tex(self, stem: str) -> str:
        return (self.outdir / f"{stem}.tex").read_text(encoding="utf-8")

    @property
    def stems(self) -> list[str]:
        return sorted(p.stem for p in self.outdir.glob("*.tex"))


# A4 in points: running heads sit above this band, page numbers below it.
BODY_TOP, BODY_BOTTOM = 780, 55


@cache
def _read(path: Path) -> tuple[list[str], str]:
    pages, body = [], []
    for page in PdfReader(path).pages:
        def keep(text: str, cm: list, tm: list, font: object, size: float) -> None:
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # text matrix times CTM
            if BODY_BOTTOM < y < BODY_TOP:
                body.append(text)
        pages.append(page.extract_text(visitor_text=keep))
    return pages, "".join(body)


@pytest.fixture(scope="session")
def epoch() -> Iterator[None]:
    """SOURCE_DATE_EPOCH for every build of the session (Sphinx and TeX)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        yield


def run_latexmk(outdir: Path) -> None:
    """What ``make -C _build/latex all-pdf`` does, one document at a time."""
    for tex in sorted(outdir.glob("*.tex")):
        done = subprocess.run(
            ["latexmk", "-pdf", "-dvi-", "-ps-", "-interaction=nonstopmode",
             "-halt-on-error", "-quiet", tex.name],
            cwd=outdir, capture_output=True, text=True, check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def build_root(name: str, dest: Path) -> PDFs:
    src = copy_root(name, dest / "src")
    app = build(src, "latex", freshenv=True)
    outdir = Path(app.outdir)
    run_latexmk(outdir)
    return PDFs(outdir, app.warning.getvalue())


def make_latexpdf(src: Path, stamp: Path) -> subprocess.CompletedProcess[str]:
    """``make latexpdf`` in a copy of the site, with this test run's Python."""
    stamp.touch()  # the venv is this one: nothing to install
    return subprocess.run(
        [str(MAKE), "-C", str(src), "latexpdf", f"BIN={Path(sys.executable).parent}",
         f"STAMP={stamp}"],
        capture_output=True, text=True, check=False,
    )


def make_site_pdfs(tmp: Path) -> PDFs:
    src = copy_site(tmp / "src")
    # What a theme that was renamed since the last build left behind.
    stale = src / "_build" / "latex" / "clahrc-wm-retired"
    stale.parent.mkdir(parents=True)
    stale.with_suffix(".tex").write_text("stale", encoding="utf-8")
    stale.with_suffix(".pdf").write_bytes(b"%PDF-1.5 stale")
    done = make_latexpdf(src, tmp / "stamp")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return PDFs(src / "_build" / "latex", done.stderr)


@pytest.fixture(scope="session")
def site_pdfs(epoch: None, tmp_path_factory: pytest.TempPathFactory) -> PDFs:
    if not (HAS_TEX and MAKE):
        pytest.skip("needs TeX and make")
    return make_site_pdfs(tmp_path_factory.mktemp("pdf-site"))


@pytest.fixture(scope="session")
def site_pdfs_again(epoch: None, tmp_path_factory: pytest.TempPathFactory) -> PDFs:
    if not (HAS_TEX and MAKE):
        pytest.skip("needs TeX and make")
    return make_site_pdfs(tmp_path_factory.mktemp("pdf-site-again"))


@pytest.fixture(scope="session")
def theme_pdfs(epoch: None, tmp_path_factory: pytest.TempPathFactory) -> PDFs:
    """Two themes, three essays: alpha holds first and second, beta third."""
    return build_root("latex", tmp_path_factory.mktemp("pdf-themes"))


@pytest.fixture(scope="session")
def typography_pdfs(epoch: None, tmp_path_factory: pytest.TempPathFactory) -> PDFs:
    return build_root("latex-typography", tmp_path_factory.mktemp("pdf-typography"))


def contents(pdfs: PDFs, stem: str) -> list[str]:
    """The essay titles listed on the contents page, in order."""
    page = next(p for p in pdfs.pages(stem) if p.lstrip().startswith("Contents"))
    entries = re.findall(r"^\d+ (.+?) \d+$", page, flags=re.MULTILINE)
    return [squash(e) for e in entries]


def essay_text(pdfs: PDFs, stem: str, title: str) -> str:
    """Squashed text of one essay: from its chapter heading to the next one."""
    text = squash(pdfs.body(stem))
    titles = contents(pdfs, stem)
    number = titles.index(squash(title)) + 1
    heading = f"{number}.{titles[number - 1]}"
    assert text.count(heading) == 1, heading
    start = text.index(heading) + len(heading)
    if number == len(titles):
        return text[start:]
    return text[start: text.index(f"{number + 1}.{titles[number]}", start)]


# -- the real site, through make latexpdf -------------------------------------


class TestSitePDFs:
    pytestmark = needs_tex

    def test_one_pdf_for_the_whole_knowledge_base_and_one_per_theme(
        self, site_pdfs: PDFs
    ) -> None:
        assert site_pdfs.stems == ["clahrc-wm-ios", "clahrc-wm-knowledge-base"]
        pdfs = sorted(p.stem for p in site_pdfs.outdir.glob("*.pdf"))
        assert pdfs == site_pdfs.stems  # none left over from a retired theme
        for stem in site_pdfs.stems:
            assert site_pdfs.pdf(stem).stat().st_size > 10_000

    def test_title_pages(self, site_pdfs: PDFs) -> None:
        whole = squash(site_pdfs.pages("clahrc-wm-knowledge-base")[0])
        assert squash("CLAHRC WM Knowledge Base") in whole
        theme = squash(site_pdfs.pages("clahrc-wm-ios")[0])
        assert theme.startswith(squash(IOS_TITLE))
        assert squash("CLAHRC WM Knowledge Base") in theme
        for stem in site_pdfs.stems:
            assert site_pdfs.tex(stem).count(r"\newcommand{\kbdate}{%s}" % EPOCH_DATE) == 1

    def test_contents_list_the_essays(self, site_pdfs: PDFs) -> None:
        for stem in site_pdfs.stems:
            assert contents(site_pdfs, stem) == [squash(SEED_TITLE)]

    def test_seed_essay_text_byline_and_signoff(self, site_pdfs: PDFs, seed_text: str) -> None:
        lines = [line.strip() for line in seed_text.splitlines()[:33]]
        paragraphs = [line for line in lines[1:19] if len(line) > 120]
        headings = [line for line in lines[1:19] if line.endswith("?")]
        assert (len(paragraphs), len(headings)) == (5, 3)
        for stem in site_pdfs.stems:
            essay = essay_text(site_pdfs, stem, SEED_TITLE)
            assert essay.startswith(squash(SEED_BYLINE))
            for text in paragraphs + headings + [lines[18]]:
                assert squash(text) in essay, text[:60]

    def test_markers_in_order_as_in_the_seed(self, site_pdfs: PDFs, seed_text: str) -> None:
        body = "\n".join(seed_text.splitlines()[:19])
        expected = re.findall(r"\[\d+\]", body)
        assert expected == ["[1]", "[2]", "[1]", "[3]", "[4]", "[5]", "[6]", "[7]", "[8]",
                            "[9]", "[10]", "[11]", "[4]", "[5]", "[6]", "[12]"]
        for stem in site_pdfs.stems:
            essay = essay_text(site_pdfs, stem, SEED_TITLE)
            text = essay[: essay.index("References")]
            assert re.findall(r"\[\d+\]", text) == expected

    def test_reference_list_at_the_end_of_the_essay(
        self, site_pdfs: PDFs, seed_text: str
    ) -> None:
        entries = [line.strip() for line in seed_text.splitlines()[21:33]]
        assert len(entries) == 12 and entries[0].startswith("1. Heifetz")
        for stem in site_pdfs.stems:
            essay = essay_text(site_pdfs, stem, SEED_TITLE)
            references = essay[essay.index("References") + len("References"):]
            assert references == "".join(squash(e) for e in entries)

    def test_no_undefined_references_missing_glyphs_or_blank_pages(
        self, site_pdfs: PDFs
    ) -> None:
        for stem in site_pdfs.stems:
            log = site_pdfs.log(stem)
            assert "Missing character" not in log
            assert "undefined" not in log.replace("undefined,", "")
            pages = site_pdfs.pages(stem)
            assert "??" not in "".join(pages)
            assert all(page.strip() for page in pages), [len(p) for p in pages]

    def test_reproducible_with_source_date_epoch(
        self, site_pdfs: PDFs, site_pdfs_again: PDFs
    ) -> None:
        assert site_pdfs.outdir != site_pdfs_again.outdir
        assert site_pdfs.stems == site_pdfs_again.stems
        for stem in site_pdfs.stems:
            assert site_pdfs.tex(stem) == site_pdfs_again.tex(stem)
            assert site_pdfs.pages(stem) == site_pdfs_again.pages(stem)


@pytest.mark.latex
@needs_make
@pytest.mark.skipif(not HAS_TEX, reason="needs TeX")
def test_make_latexpdf_fails_on_a_character_without_glyph(
    epoch: None, tmp_path: Path
) -> None:
    src = copy_site(tmp_path / "src")
    essay = next((src / "essays").glob("can-*.md"))
    essay.write_text(essay.read_text(encoding="utf-8") + "\nA smile: \U0001f642.\n",
                     encoding="utf-8")
    done = make_latexpdf(src, tmp_path / "stamp")
    assert done.returncode != 0
    assert "Missing character: There is no \U0001f642" in done.stdout
    assert "has no glyph" in done.stderr


# -- which essays go in which PDF ---------------------------------------------


class TestThemePDFs:
    pytestmark = needs_tex

    def test_builds_without_warnings(self, theme_pdfs: PDFs) -> None:
        assert theme_pdfs.warnings == ""
        assert theme_pdfs.stems == ["test-unit-alpha", "test-unit-beta",
                                    "test-unit-knowledge-base"]

    def test_each_theme_pdf_holds_exactly_its_essays(self, theme_pdfs: PDFs) -> None:
        first = squash("First essay of the alpha theme")
        second = squash("Second essay of the alpha theme")
        third = squash("Third essay, of the beta theme only")
        assert contents(theme_pdfs, "test-unit-alpha") == [first, second]
        assert contents(theme_pdfs, "test-unit-beta") == [third]
        # newest first, undated last
        assert contents(theme_pdfs, "test-unit-knowledge-base") == [third, first, second]
        alpha = squash(theme_pdfs.text("test-unit-alpha"))
        assert squash("The third essay cites three") not in alpha
        beta = squash(theme_pdfs.text("test-unit-beta"))
        assert squash("The first essay cites one") not in beta
        assert squash("The second essay cites two") not in beta

    def test_each_essay_has_its_own_numbered_list(self, theme_pdfs: PDFs) -> None:
        stem = "test-unit-knowledge-base"
        first = essay_text(theme_pdfs, stem, "First essay of the alpha theme")
        second = essay_text(theme_pdfs, stem, "Second essay of the alpha theme")
        assert first.endswith(squash(
            "References 1. Smith J, Jones AB. A first article. J Test. 2001; 1: 1-10. "
            "2. Brown C. A Book. London: Test Press; 1999."))
        assert second.endswith(squash(
            "References 1. Brown C. A Book. London: Test Press; 1999. "
            "2. Test Institute. A report on tests. Leeds: Test Office. 2010."))
        assert re.findall(r"\[\d\]", theme_pdfs.text(stem)) == [
            "[1]", "[1]", "[2]", "[1]", "[1]", "[2]"]
        for stem in theme_pdfs.stems:
            log = theme_pdfs.log(stem)
            assert "There were undefined references" not in log
            assert "??" not in theme_pdfs.text(stem)

    def test_links_inside_the_pdf_are_links_others_plain_text(self, theme_pdfs: PDFs) -> None:
        whole = theme_pdfs.tex("test-unit-knowledge-base")
        alpha = theme_pdfs.tex("test-unit-alpha")
        assert r"\hyperref[\detokenize{essays/third::doc}]" in whole
        assert r"\hyperref[\detokenize{essays/third::doc}]" not in alpha
        assert r"\hyperref[\detokenize{essays/second::doc}]" in alpha
        text = squash(theme_pdfs.text("test-unit-alpha"))
        assert squash("It links to Third essay, of the beta theme only, to Second essay of "
                      "the alpha theme, to Bob Sample and to Beta Theme.") in text

    def test_theme_page_text_introduces_the_essays(self, theme_pdfs: PDFs) -> None:
        pages = theme_pdfs.pages("test-unit-alpha")
        intro = squash(pages[2])
        assert intro.startswith(squash("Alpha Theme Short name: ALP · Theme lead: Ann Example"))
        assert squash("Essays in this theme") not in squash("".join(pages))

    def test_no_blank_pages(self, theme_pdfs: PDFs) -> None:
        for stem in theme_pdfs.stems:
            pages = theme_pdfs.pages(stem)
            assert all(page.strip() for page in pages), [len(p) for p in pages]
            # title, contents, (introduction,) one page per essay: nothing else
            essays = len(contents(theme_pdfs, stem))
            assert len(pages) in (2 + essays, 3 + essays)


# -- what staff type -------------------------------------------------------------


class TestTypography:
    pytestmark = needs_tex
    STEM = "test-unit-knowledge-base"

    def test_no_missing_characters(self, typography_pdfs: PDFs) -> None:
        assert typography_pdfs.warnings == ""
        for stem in typography_pdfs.stems:
            assert "Missing character" not in typography_pdfs.log(stem)

    @pytest.mark.parametrize("typed", [
        "Ampersand & percent % dollar $ hash # under_score braces {x} tilde ~ caret ^ "
        "backslash \\ end.",
        "Typed quotes ‘single’ and “double”, straight quotes “double” and ‘single’, it’s;",
        "typed dashes 1990–2000 and pause — here, typed as 1990–2000 and pause—here.",
        "Names: Müller, Šimůnek, Ó Súilleabháin, Dvořák, Łódź, naïve café façade.",
        "Costs & benefits: 100% of $5 for #1 — “Müller’s” test_case",
    ])
    def test_essay_text(self, typography_pdfs: PDFs, typed: str) -> None:
        assert squash(typed) in squash(typography_pdfs.text(self.STEM))

    def test_author_and_role_block(self, typography_pdfs: PDFs) -> None:
        text = squash(typography_pdfs.text(self.STEM))
        assert squash(
            "Zoë Ó Súilleabháin, Reader in R&D (50%), Université de Montréal, "
            "Łódź & Søren’s {Institute}, Lead #2: ~tilde ^caret \\backslash _under $dollar "
            "& Lead H&C Theme") in text
        assert squash("Jan Šimůnek, Professor of Dvořák Studies") in text

    def test_reference_entries_as_in_the_html(
        self, typography_pdfs: PDFs, tmp_path: Path
    ) -> None:
        app = build(copy_root("latex-typography", tmp_path / "src"), "html")
        html = (Path(app.outdir) / "essays" / "symbols.html").read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        for backlink in soup.select("a.kb-backlink"):  # web only: back to the citation
            backlink.decompose()
        entries = [li.get_text(" ", strip=True) for li in soup.select("ol.kb-references > li")]
        assert len(entries) == 2 and entries[0].startswith("Müller J, Šimůnek J, Ó Súilleabháin Z")
        text = squash(typography_pdfs.body(self.STEM))
        expected = "References" + "".join(f"{n}.{squash(e)}" for n, e in
                                          enumerate(entries, 1))
        assert text.endswith(expected)

    def test_theme_title_with_specials_on_the_title_page(self, typography_pdfs: PDFs) -> None:
        first = squash(typography_pdfs.pages("test-unit-care")[0])
        assert first.startswith(squash("Health & Care: 100% of #1 — Müller’s $5 theme_x"))
        assert squash("Typography & Co: 100% Test") in first


# -- without TeX: the documents, the layout, the message -----------------------


def test_latex_documents_one_per_theme(tmp_path: Path) -> None:
    from sphinx.testing.util import SphinxTestApp

    app = SphinxTestApp("latex", srcdir=copy_root("latex", tmp_path / "src"))
    try:
        assert app.config.latex_documents == [
            ("essays/index", "test-unit-knowledge-base.tex", "Test Knowledge Base",
             "Test Unit", "manual"),
            ("themes/alpha", "test-unit-alpha.tex", "Alpha Theme", "Test Knowledge Base",
             "manual"),
            ("themes/beta", "test-unit-beta.tex", "Beta Theme", "Test Knowledge Base",
             "manual"),
        ]
        elements = app.config.latex_elements
        assert elements["extraclassoptions"] == "openany,oneside"
        assert elements["maketitle"] == r"\kbtitlepage"
    finally:
        app.cleanup()


def test_latex_documents_from_conf_py_are_kept(tmp_path: Path) -> None:
    from sphinx.testing.util import SphinxTestApp

    mine = [("index", "mine.tex", "Mine", "Me", "howto")]
    app = SphinxTestApp("latex", srcdir=copy_root("latex", tmp_path / "src"),
                        confoverrides={"latex_documents": mine,
                                       "latex_elements": {"papersize": "letterpaper"}})
    try:
        assert app.config.latex_documents == mine
        assert app.config.latex_elements["papersize"] == "letterpaper"
        assert app.config.latex_elements["extraclassoptions"] == "openany,oneside"
    finally:
        app.cleanup()


def test_latex_sources_hold_the_essays_as_chapters(tmp_path: Path) -> None:
    app = build(copy_root("latex", tmp_path / "src"), "latex", freshenv=True)
    assert app.warning.getvalue() == ""
    outdir = Path(app.outdir)

    def chapters(stem: str) -> list[str]:
        return re.findall(r"^\\chapter\{(.*)\}$",
                          (outdir / f"{stem}.tex").read_text(encoding="utf-8"), re.MULTILINE)

    assert chapters("test-unit-alpha") == ["First essay of the alpha theme",
                                           "Second essay of the alpha theme"]
    assert chapters("test-unit-beta") == ["Third essay, of the beta theme only"]
    assert chapters("test-unit-knowledge-base") == [
        "Third essay, of the beta theme only", "First essay of the alpha theme",
        "Second essay of the alpha theme"]
    assert r"\chapter*{Alpha Theme}" in (outdir / "test-unit-alpha.tex").read_text("utf-8")


def test_no_build_time_in_the_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    app = build(copy_root("latex", tmp_path / "src"), "latex", freshenv=True)
    tex = (Path(app.outdir) / "test-unit-alpha.tex").read_text(encoding="utf-8")
    assert r"\newcommand{\kbdate}{}" in tex
    assert r"\kbtitlepage" in tex and r"\sphinxmaketitle" not in tex


@needs_make
def test_make_latexpdf_without_tex_says_what_to_install() -> None:
    env = {**os.environ, "PATH": "/nonexistent"}
    done = subprocess.run([str(MAKE), "-s", "-C", str(REPO), "need-tex"],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode != 0
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1
    assert ("make latexpdf needs TeX: sudo apt-get install -y --no-install-recommends "
            "latexmk texlive-xetex texlive-fonts-recommended fonts-freefont-otf") in lines[0]
