"""The funders' PDFs: built for real with Sphinx, xelatex and latexmk, read back.

Session fixtures build each PDF set once: the real site through
``make latexpdf`` (its PDFs once more, for reproducibility), and two small synthetic
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import REPO, build, commit_all, copy_root

EPOCH = "1700000000"  # 14 November 2023
EPOCH_DATE = "14 November 2023"
HAS_TEX = bool(shutil.which("xelatex") and shutil.which("latexmk"))
MAKE = shutil.which("make")
needs_tex = [
    pytest.mark.latex,
    pytest.mark.skipif(not HAS_TEX, reason="needs TeX: apt-get install latexmk "
                       "texlive-xetex texlive-fonts-recommended fonts-freefont-otf"),
]
needs_make = pytest.mark.skipif(MAKE is None, reason="needs GNU make: apt-get install make")

SEED_TITLE = "Can CLAHRC WM Enact Distributed Leadership"
SEED_BYLINE = ("Graeme Currie, Professor of Public Management, Warwick Business School, "
               "Lead IOS Theme & Deputy Director CLAHRC-WM")
WHOLE = "clahrc-wm-knowledge-base"


def squash(text: str) -> str:
    """Text as typeset, minus what typesetting changes: spaces, breaks, hyphens."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-]+", "", text)


@dataclass
class PDFs:
    """One output directory of the LaTeX builder, after latexmk."""

    outdir: Path
    warnings: str = ""
    src: Path | None = None  # the sources, for the real site

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

    def footers(self, stem: str) -> list[str]:
        """Each page's running footer and page number (text below the body)."""
        return _read(self.pdf(stem))[2]

    def info(self, stem: str) -> dict[str, str]:
        """``pdfinfo``'s fields (poppler's reading, not ours)."""
        done = subprocess.run(["pdfinfo", str(self.pdf(stem))], capture_output=True,
                              text=True, check=True)
        return dict(re.match(r"([^:]+):\s*(.*)", line).groups()
                    for line in done.stdout.splitlines() if ":" in line)

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
def _read(path: Path) -> tuple[list[str], str, list[str]]:
    pages, body, footers = [], [], []
    for page in PdfReader(path).pages:
        footer: list[str] = []

        def keep(text: str, cm: list, tm: list, font: object, size: float,
                 footer: list[str] = footer) -> None:
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # text matrix times CTM
            if BODY_BOTTOM < y < BODY_TOP:
                body.append(text)
            elif y <= BODY_BOTTOM:
                footer.append(text)
        pages.append(page.extract_text(visitor_text=keep))
        footers.append("".join(footer))
    return pages, "".join(body), footers


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


def site_pdfs_only(src: Path) -> PDFs:
    """The whole-site and theme PDFs as ``make latexpdf`` makes them: its
    first two commands (Makefile: ``SPHINXOPTS``, ``JOBS``, ``LATEXMKOPTS``).

    Its second half, one PDF per essay, is left out: the reproducibility
    test compares these PDFs only, and ``site_latexpdf`` (the first build,
    through ``make``) makes and checks the essays' PDFs.
    """
    for command in (  # in the sources' folder, as make runs them
        [str(Path(sys.executable).parent / "sphinx-build"), "-b", "latex", "-W", "--keep-going",
         "-n", "-j", "1", ".", "_build/latex"],
        [str(MAKE), "-C", "_build/latex", "all-pdf",
         "LATEXMKOPTS=-interaction=nonstopmode -halt-on-error -quiet"],
    ):
        done = subprocess.run(command, cwd=src, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return PDFs(src / "_build" / "latex", done.stderr, src)


@pytest.fixture(scope="session")
def site_pdfs(site_latexpdf: tuple[Path, str]) -> PDFs:
    """The real site's PDFs, as ``make html`` then ``make latexpdf`` left them
    (conftest: built once with test_essaypdf's)."""
    src, stderr = site_latexpdf
    return PDFs(src / "_build" / "latex", stderr, src)


@pytest.fixture(scope="session")
def site_pdfs_again(epoch: None, site_copy: Callable[[], Path]) -> PDFs:
    """The same PDFs built again in another copy, for the reproducibility test."""
    if MAKE is None:
        pytest.skip("needs GNU make: apt-get install make")
    return site_pdfs_only(site_copy())


@pytest.fixture(scope="session")
def theme_pdfs(epoch: None, tmp_path_factory: pytest.TempPathFactory) -> PDFs:
    """Two themes, three essays: alpha holds first and second, beta third."""
    return build_root("latex", tmp_path_factory.mktemp("pdf-themes"))


@pytest.fixture(scope="session")
def typography_pdfs(epoch: None, tmp_path_factory: pytest.TempPathFactory) -> PDFs:
    return build_root("latex-typography", tmp_path_factory.mktemp("pdf-typography"))


def contents(pdfs: PDFs, stem: str) -> list[str]:
    """The essay titles, in order: the PDF's top-level bookmarks (one per
    chapter), each also on the contents page."""
    outline = [item.title for item in PdfReader(pdfs.pdf(stem)).outline
               if not isinstance(item, list)]
    page = squash(pdfs.pages(stem)[1])
    assert page.startswith("Contents")
    for number, title in enumerate(outline, start=1):
        assert f"{number}{squash(title)}" in page, title
    return [squash(title) for title in outline]


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
#
# Checked against rules, whatever essays, people and themes staff add: the
# sources' front matter says which PDFs and essays there must be, in which
# order; the seed essay is checked against the seed file.


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---")) or {}


def site_themes(src: Path) -> dict[str, dict]:
    """Theme slug -> front matter, for every theme page of the sources."""
    return {p.stem: front_matter(p) for p in sorted((src / "themes").glob("*.md"))
            if p.stem != "index"}


def ordered_essays(src: Path, theme: str | None = None) -> list[str]:
    """Essay titles (squashed) by the site's rule: newest first, undated last,
    ties by title."""
    found = []
    for path in sorted((src / "essays").glob("*.md")):
        data = front_matter(path) if path.stem != "index" else {}
        if data and (theme is None or theme in (data.get("themes") or [])):
            found.append((str(data.get("date") or ""), data["title"]))
    by_title = sorted(found, key=lambda e: e[1].casefold())
    dated = sorted((e for e in by_title if e[0]), key=lambda e: e[0], reverse=True)
    return [squash(title) for _, title in dated + [e for e in by_title if not e[0]]]


def seed_stems(pdfs: PDFs) -> list[str]:
    """The PDFs that hold the seed essay: the whole knowledge base and its themes'."""
    stems = [stem for stem in pdfs.stems if squash(SEED_TITLE) in contents(pdfs, stem)]
    assert WHOLE in stems and len(stems) >= 2
    return stems


class TestSitePDFs:
    pytestmark = needs_tex

    def test_one_pdf_for_the_whole_knowledge_base_and_one_per_theme(
        self, site_pdfs: PDFs
    ) -> None:
        themes = site_themes(site_pdfs.src)
        assert themes  # the seed's theme at least
        assert site_pdfs.stems == sorted([WHOLE, *(f"clahrc-wm-{t}" for t in themes)])
        pdfs = sorted(p.stem for p in site_pdfs.outdir.glob("*.pdf"))
        assert pdfs == site_pdfs.stems  # none left over from a retired theme
        for stem in site_pdfs.stems:
            assert site_pdfs.pdf(stem).stat().st_size > 10_000

    def test_title_page_then_contents(self, site_pdfs: PDFs) -> None:
        """Page 1 the title page, page 2 the contents, then the first chapter
        (a theme's PDF: its introduction); no page of website text."""
        themes = site_themes(site_pdfs.src)
        for stem in site_pdfs.stems:
            pages = [squash(p) for p in site_pdfs.pages(stem)]
            if stem == WHOLE:
                assert pages[0].startswith(squash("CLAHRC WM Knowledge Base"))
                first = contents(site_pdfs, stem)[0]
                assert pages[2].startswith(f"1.{first}"), pages[2][:80]
            else:
                title = themes[stem.removeprefix("clahrc-wm-")]["title"]
                assert pages[0].startswith(squash(title))
                assert squash("CLAHRC WM Knowledge Base") in pages[0]
                assert pages[2].startswith(squash(title) + "Shortname:"), pages[2][:80]
            assert pages[0].endswith(squash(EPOCH_DATE))
            assert pages[1].startswith("Contents")
            assert squash("newest first") not in "".join(pages)  # the web page's sentence
            assert site_pdfs.tex(stem).count(r"\newcommand{\kbdate}{%s}" % EPOCH_DATE) == 1

    def test_contents_list_every_essay_in_the_site_order(self, site_pdfs: PDFs) -> None:
        src = site_pdfs.src
        assert contents(site_pdfs, WHOLE) == ordered_essays(src)
        for theme in site_themes(src):
            assert contents(site_pdfs, f"clahrc-wm-{theme}") == ordered_essays(src, theme)

    def test_pdf_metadata(self, site_pdfs: PDFs) -> None:
        """Title, Author, Subject and Keywords, as ``pdfinfo`` reads them."""
        themes = site_themes(site_pdfs.src)
        for stem in site_pdfs.stems:
            info = site_pdfs.info(stem)
            assert info["Author"] == "CLAHRC WM"
            assert "CLAHRC WM Knowledge Base" in info["Subject"]
            if stem == WHOLE:
                assert info["Title"] == "CLAHRC WM Knowledge Base"
                expected = [t["title"] for t in themes.values()]
            else:
                theme = themes[stem.removeprefix("clahrc-wm-")]
                assert info["Title"] == theme["title"]
                assert info["Subject"].startswith(f"{theme['title']} ({theme['short']})")
                expected = [theme["title"]]
            keywords = info["Keywords"].split(", ")
            assert set(expected) <= set(keywords)
            if squash(SEED_TITLE) in contents(site_pdfs, stem):
                assert {"distributed leadership", "NHS"} <= set(keywords)

    def test_tagged_pdf(self, site_pdfs: PDFs) -> None:
        """Tagged, as far as xelatex's LaTeX testphase goes: paragraphs and links."""
        for stem in site_pdfs.stems:
            assert site_pdfs.info(stem)["Tagged"] == "yes"
            assert site_pdfs.tex(stem).startswith(r"\DocumentMetadata{testphase=phase-II")
            done = subprocess.run(["pdfinfo", "-struct", str(site_pdfs.pdf(stem))],
                                  capture_output=True, text=True, check=True)
            tags = re.findall(r"^\s*(\w+) \((?:block|inline)\)", done.stdout, re.M)
            assert tags.count("P") >= 10 and "Link" in tags, sorted(set(tags))

    def test_running_footer_is_the_essay_title(self, site_pdfs: PDFs) -> None:
        """Every page after the contents ends with its essay's (or the theme
        introduction's) title and page number, never a section heading."""
        for stem in site_pdfs.stems:
            titles = contents(site_pdfs, stem)
            footers = [squash(f) for f in site_pdfs.footers(stem)[2:]]
            pages = [squash(p) for p in site_pdfs.pages(stem)[2:]]
            current = None
            for number, (page, footer) in enumerate(zip(pages, footers, strict=True), 1):
                starts = [t for n, t in enumerate(titles, 1) if page.startswith(f"{n}.{t}")]
                if starts:
                    current = starts[0]
                    assert footer == str(number)  # a chapter's first page: number only
                elif current is not None:
                    assert footer == f"{current}{number}", (stem, number, footer)

    def test_seed_essay_text_byline_and_signoff(self, site_pdfs: PDFs, seed_text: str) -> None:
        lines = [line.strip() for line in seed_text.splitlines()[:33]]
        paragraphs = [line for line in lines[1:19] if len(line) > 120]
        headings = [line for line in lines[1:19] if line.endswith("?")]
        assert (len(paragraphs), len(headings)) == (5, 3)
        for stem in seed_stems(site_pdfs):
            essay = essay_text(site_pdfs, stem, SEED_TITLE)
            assert essay.startswith(squash(SEED_BYLINE))
            for text in paragraphs + headings + [lines[18]]:
                assert squash(text) in essay, text[:60]

    def test_markers_in_order_as_in_the_seed(self, site_pdfs: PDFs, seed_text: str) -> None:
        body = "\n".join(seed_text.splitlines()[:19])
        expected = re.findall(r"\[\d+\]", body)
        assert expected == ["[1]", "[2]", "[1]", "[3]", "[4]", "[5]", "[6]", "[7]", "[8]",
                            "[9]", "[10]", "[11]", "[4]", "[5]", "[6]", "[12]"]
        for stem in seed_stems(site_pdfs):
            essay = essay_text(site_pdfs, stem, SEED_TITLE)
            text = essay[: essay.index("References")]
            assert re.findall(r"\[\d+\]", text) == expected

    def test_reference_list_at_the_end_of_the_essay(
        self, site_pdfs: PDFs, seed_text: str
    ) -> None:
        entries = [line.strip() for line in seed_text.splitlines()[21:33]]
        assert len(entries) == 12 and entries[0].startswith("1. Heifetz")
        for stem in seed_stems(site_pdfs):
            essay = essay_text(site_pdfs, stem, SEED_TITLE)
            references = essay[essay.index("References") + len("References"):]
            assert references == "".join(squash(e) for e in entries)

    def test_reference_lists_are_ragged_right(self, site_pdfs: PDFs) -> None:
        """Set ragged-right, in LaTeX and in the PDF: a reference line is never
        stretched, so no gap between its words is wider than a space after a
        full stop (3.6 pt). Justified, the seed's list had gaps of 5.2 pt, and
        a line before an unbreakable URL 7.9 pt."""
        for stem in site_pdfs.stems:
            tex = site_pdfs.tex(stem)
            lists = tex.count(r"\begin{sphinxuseclass}{kb-references}")
            assert lists == len(contents(site_pdfs, stem))
            assert r"\newenvironment{sphinxclasskb-references}{\raggedright}" in tex
            assert max(reference_gaps(site_pdfs.pdf(stem))) < 4.5

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


def reference_gaps(pdf: Path) -> list[float]:
    """Gaps (pt) between neighbouring words on the lines of the reference
    lists, as poppler places them (``pdftotext -bbox-layout``).

    A list runs from its "References" heading to the next chapter, which
    starts a page without the running header. The last line of a block (an
    entry, a running head or footer) is never stretched and is left out.
    """
    done = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True)
    soup = BeautifulSoup(done.stdout, "html.parser")
    header = squash(PdfReader(pdf).metadata.title or "")
    gaps: list[float] = [0.0]
    in_references = False
    for page in soup.find_all("page"):
        blocks = page.find_all("block")
        if blocks and squash(blocks[0].get_text()) != header:
            in_references = False  # a chapter's first page
        for block in blocks:
            if squash(block.get_text()) == "References":
                in_references = True
            elif in_references:
                for line in block.find_all("line")[:-1]:
                    words = line.find_all("word")
                    if re.fullmatch(r"\d+\.", words[0].get_text()):
                        words = words[1:]  # the entry's number: the list's label gap
                    boxes = [(float(w["xmin"]), float(w["xmax"])) for w in words]
                    gaps += [b[0] - a[1] for a, b in zip(boxes, boxes[1:], strict=False)]
    return gaps


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


def latex_date(outdir: Path, stem: str) -> str:
    """The date the title page shows: the last ``\\kbdate`` the preamble defines."""
    tex = (outdir / f"{stem}.tex").read_text(encoding="utf-8")
    assert r"\kbtitlepage" in tex and r"\sphinxmaketitle" not in tex
    return re.findall(r"^\\(?:new|renew)command\{\\kbdate\}\{(.*)\}$", tex, re.M)[-1]


def test_title_page_date_without_epoch_is_the_newest_essays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside git, no build time: the date of the PDF's newest essay, or none."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    src = copy_root("latex", tmp_path / "src")
    third = src / "essays" / "third.md"  # beta's only essay: now undated
    third.write_text(third.read_text(encoding="utf-8").replace("date: 2022-01-01\n", ""),
                     encoding="utf-8")
    outdir = Path(build(src, "latex", freshenv=True).outdir)
    assert latex_date(outdir, "test-unit-knowledge-base") == "4 March 2021"
    assert latex_date(outdir, "test-unit-alpha") == "4 March 2021"
    assert latex_date(outdir, "test-unit-beta") == ""


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git: apt-get install git")
def test_title_page_date_in_a_git_checkout_is_the_last_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    src = copy_root("latex", tmp_path / "src")
    commit_all(src, "2023-06-07T12:00:00Z")
    outdir = Path(build(src, "latex", freshenv=True).outdir)
    for stem in ("test-unit-knowledge-base", "test-unit-alpha", "test-unit-beta"):
        assert latex_date(outdir, stem) == "7 June 2023"


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
