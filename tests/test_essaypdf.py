"""One PDF per essay beside its page (issue 16): built with real xelatex.

The synthetic ``scholar`` root through Sphinx's LaTeX builder with
``kb_pdf_set=essays`` and latexmk, read back with pdftotext; and a copy of
the real site through ``make html`` then ``make latexpdf``, as published.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import SEED_ESSAY, WEB_HOSTILE, build, copy_root

HAS_TEX = bool(shutil.which("xelatex") and shutil.which("latexmk")
               and shutil.which("pdftotext"))
pytestmark = pytest.mark.skipif(not HAS_TEX, reason="needs TeX and poppler-utils: apt-get "
                                "install latexmk texlive-xetex fonts-freefont-otf poppler-utils")
ESSAYS = ["dated-new", "dated-old", "hostile", "undated"]


def latexmk(outdir: Path, tex: str) -> None:
    done = subprocess.run(["latexmk", "-pdf", "-dvi-", "-ps-", "-interaction=nonstopmode",
                           "-halt-on-error", "-quiet", tex], cwd=outdir,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:]


def text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return " ".join(out.split())


def essays_build(src: Path):
    return build(src, "latex", confoverrides={"kb_pdf_set": "essays",
                                              "latex_engine": "xelatex"})


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    src = copy_root("scholar", tmp_path_factory.mktemp("essaypdf") / "src")
    app = essays_build(src)
    out = Path(app.outdir)
    for slug in ESSAYS:
        latexmk(out, f"essay-{slug}.tex")
    return out, app.warning.getvalue()


def test_one_document_per_essay_and_nothing_else(pdfs):
    out, warnings = pdfs
    assert warnings == ""
    assert sorted(p.name for p in out.glob("*.tex")) == [f"essay-{s}.tex" for s in ESSAYS]


def test_title_authors_funding_and_references(pdfs):
    body = text(pdfs[0] / "essay-dated-new.pdf")
    assert body.startswith("The Newest Dated Essay Alice Smith, Jean-Paul van der Berg ")
    assert "Contents" not in body
    assert "A plain-language summary of the newest synthetic essay." in body
    assert "References 1. Doe J. A Synthetic Book. Nowhere: Test Press; 2001." in body
    assert ("Funding and licence This is synthetic test funding text for the whole site. "
            "Funder: Synthetic Research Council (award SRC-OVERRIDE-1). The views expressed "
            "are the test authors' own. Licence: CC BY-NC 4.0.") in body
    assert "How to cite" not in body  # a web reader's aid


def test_every_essay_pdf_has_the_funding_statement(pdfs):
    for slug in ESSAYS:
        assert "Funding and licence" in text(pdfs[0] / f"essay-{slug}.pdf"), slug


def test_hostile_text_is_typeset_as_text(pdfs):
    body = text(pdfs[0] / "essay-hostile.pdf")
    assert body.startswith(" ".join(WEB_HOSTILE.split()))
    for shown in ('</script><script>alert("summary")</script> & {braces} 100% $5 ]]> -->',
                  "<img src=x onerror=alert(1)> ]]> & {stmt}",
                  "</script><!-- \\ disclaimer & {d} -->"):
        assert shown in body


def test_unchanged_essays_keep_their_tex_time_and_a_deleted_one_goes(tmp_path):
    """Only an essay whose text changed is newer than its PDF after a rebuild."""
    src = copy_root("scholar", tmp_path / "src")
    out = Path(essays_build(src).outdir)
    (out / "essay-undated.pdf").write_bytes(b"%PDF")  # as if compiled
    times = {tex.name: tex.stat().st_mtime_ns for tex in out.glob("*.tex")}
    time.sleep(0.05)
    names = src / "people" / "zoe-obrien.md"  # an author's name: both her essays change
    names.write_text(names.read_text(encoding="utf-8").replace("Zoë", "Zoe"), "utf-8")
    (src / "essays" / "undated.md").unlink()
    essays_build(src)
    newer = sorted(t.name for t in out.glob("*.tex") if t.stat().st_mtime_ns != times[t.name])
    assert newer == ["essay-dated-old.tex", "essay-hostile.tex"]
    assert not (out / "essay-undated.tex").exists()
    assert not (out / "essay-undated.pdf").exists()


def test_web_page_links_its_pdf_once_it_is_beside_it(tmp_path):
    """No dangling link: the page links its PDF when the PDF is there."""
    src = copy_root("scholar", tmp_path / "src")
    out = tmp_path / "out"
    first = build(src, builddir=out, freshenv=True)
    page = Path(first.outdir) / "essays/dated-new.html"
    assert "citation_pdf_url" not in page.read_text("utf-8")
    page.with_suffix(".pdf").write_bytes(b"%PDF-1.5")  # what make latexpdf copies
    build(src, builddir=out)  # incremental: rewrites the pages whose PDF appeared
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    assert soup.select_one(".kb-byline .kb-pdf a")["href"] == "dated-new.pdf"
    [tag] = soup.find_all("meta", attrs={"name": "citation_pdf_url"})
    assert tag["content"] == "https://kb.example.org/sub/path/essays/dated-new.pdf"
    assert "kb-pdf" not in (page.parent / "undated.html").read_text("utf-8")
    build(src, builddir=out, confoverrides={"kb_essay_pdf": False}, freshenv=True)
    assert "citation_pdf_url" not in page.read_text("utf-8")


def test_make_html_then_latexpdf_puts_each_pdf_beside_its_page(site_latexpdf):
    """As published: citation_pdf_url names a PDF in the page's own folder."""
    src = site_latexpdf[0]  # conftest: make html, then make latexpdf
    html_dir = src / "_build" / "html"
    for page in (html_dir / "essays").glob("*.html"):
        if page.stem == "index":
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        url = soup.find("meta", attrs={"name": "citation_pdf_url"})["content"]
        pdf = page.with_name(url.rpartition("/")[2])
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
        assert page.with_suffix("").name in url
    seed = text(html_dir / f"{SEED_ESSAY}.pdf")
    assert seed.startswith("Can CLAHRC WM Enact Distributed Leadership Graeme Currie ")
    assert "References 1. Heifetz RA." in seed


@pytest.mark.parametrize("name", ["syn-00001-a-title", "a.b", "a.", ".hidden", "a.b.c", "x"])
def test_a_pdf_s_name_is_the_page_s_with_pdf_for_its_suffix(name):
    from pathlib import PurePosixPath

    from kb.essaypdf import pdf_file_name

    assert pdf_file_name(name) == PurePosixPath(name).with_suffix(".pdf").name
