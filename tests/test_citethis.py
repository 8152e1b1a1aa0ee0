""""How to cite this essay" (issue 6): house style, BibTeX, nothing invented."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pybtex.database import parse_string

from conftest import SEED_ESSAY, build, copy_root
from conftest import WEB_BASE as BASE
from conftest import WEB_HOSTILE as HOSTILE
from kb.citethis import HEADING, bibtex_escape, vancouver_names


def block(outdir: Path | str, docname: str) -> BeautifulSoup:
    html = (Path(outdir) / f"{docname}.html").read_text(encoding="utf-8")
    found = BeautifulSoup(html, "html.parser").select(".kb-citethis")
    assert len(found) == 1, docname
    return found[0]


def citation(outdir: Path | str, docname: str) -> str:
    return " ".join(block(outdir, docname).select_one(".kb-citethis-text").get_text().split())


def bibtex(outdir: Path | str, docname: str) -> str:
    return block(outdir, docname).select_one("pre").get_text()


def test_builds_without_warnings(web):
    assert web.warning.getvalue() == ""


def test_house_style_citation_of_a_dated_essay(web):
    assert citation(web.outdir, "essays/dated-new") == (
        "Smith A, van der Berg JP. The Newest Dated Essay. Test Knowledge Base. 2020. "
        f"Available from: {BASE}essays/dated-new.html")
    link = block(web.outdir, "essays/dated-new").select_one(".kb-citethis-text a")
    assert link["href"] == f"{BASE}essays/dated-new.html"


def test_undated_essay_is_cited_without_a_year(web):
    text = citation(web.outdir, "essays/undated")
    assert text == ("Smith A. An Essay Without a Date. Test Knowledge Base. "
                    f"Available from: {BASE}essays/undated.html")
    entry = parse_string(bibtex(web.outdir, "essays/undated"), "bibtex").entries
    assert "year" not in next(iter(entry.values())).fields


def test_block_ends_the_essay_after_the_reference_list(web):
    html = (Path(web.outdir) / "essays/dated-new.html").read_text(encoding="utf-8")
    essay = BeautifulSoup(html, "html.parser").select_one("section.kb-essay")
    cite = essay.select_one(".kb-citethis")
    # The essay places its reference list in its first section; the block
    # still comes last, after the last section's text.
    assert html.index('class="kb-references') < html.index('class="kb-citethis')
    last_section = essay.find_all("section")[-1]
    assert "Afterwards" in last_section.h2.get_text()
    assert last_section.find_all(recursive=False)[-1] is cite
    assert cite.select_one(".rubric").get_text() == HEADING


def test_bibtex_entry_parses_and_carries_the_facts(web):
    data = parse_string(bibtex(web.outdir, "essays/dated-new"), "bibtex")
    [(key, entry)] = data.entries.items()
    assert key == "smith2020-dated-new"
    assert entry.type == "misc"
    assert [str(p) for p in entry.persons["author"]] == ["Smith, Alice",
                                                         "van der Berg, Jean-Paul"]
    assert entry.fields["title"] == "{The Newest Dated Essay}"
    assert entry.fields["year"] == "2020"
    assert entry.fields["howpublished"] == "Test Knowledge Base"
    assert entry.fields["url"] == f"{BASE}essays/dated-new.html"


# The TeX escapes bibtex_escape may write, undone (for checking only).
_UNESCAPE = {r"\textbackslash{}": "\\", r"\textasciitilde{}": "~",
             r"\textasciicircum{}": "^", r"\{": "{", r"\}": "}", r"\&": "&",
             r"\%": "%", r"\$": "$", r"\#": "#", r"\_": "_"}


def unescape(value: str) -> str:
    pattern = "|".join(re.escape(k) for k in sorted(_UNESCAPE, key=len, reverse=True))
    return re.sub(pattern, lambda m: _UNESCAPE[m.group()], value)


def test_hostile_title_gives_a_valid_entry_and_plain_citation(web):
    text = citation(web.outdir, "essays/hostile")
    assert text.startswith(f"O'Brien Z. {HOSTILE} Test Knowledge Base. 2019.")
    data = parse_string(bibtex(web.outdir, "essays/hostile"), "bibtex")
    [entry] = data.entries.values()
    assert unescape(entry.fields["title"][1:-1]) == HOSTILE
    assert [str(p) for p in entry.persons["author"]] == ["O'Brien, Zoë"]


@pytest.mark.latex
def test_bibtex_entry_typesets_to_the_title(web, tmp_path):
    """Real BibTeX and XeLaTeX print the hostile title exactly as written."""
    if not (shutil.which("xelatex") and shutil.which("bibtex") and shutil.which("pdftotext")):
        pytest.skip("needs xelatex, bibtex and pdftotext: apt-get install texlive-xetex "
                    "poppler-utils")
    (tmp_path / "refs.bib").write_text(bibtex(web.outdir, "essays/hostile"), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage{fontspec}\\setmainfont{FreeSerif}"
        "\\begin{document}\\nocite{*}\\bibliographystyle{plain}"
        "\\bibliography{refs}\\end{document}\n", encoding="utf-8")
    for command in (["xelatex", "-interaction=nonstopmode", "doc"], ["bibtex", "doc"],
                    ["xelatex", "-interaction=nonstopmode", "doc"]):
        subprocess.run(command, cwd=tmp_path, capture_output=True, check=True, timeout=120)
    subprocess.run(["pdftotext", "doc.pdf", "doc.txt"], cwd=tmp_path, check=True)
    printed = " ".join((tmp_path / "doc.txt").read_text(encoding="utf-8").split())
    # TeX sets ' and " as typographic quotes; every other character is as written.
    printed = printed.translate(str.maketrans({"\u2019": "'", "\u201d": '"'}))
    assert f"O'Brien. {HOSTILE} Test Knowledge Base, 2019." in printed


def test_more_than_six_authors_are_et_al():
    names = [f"Given{chr(65 + i)} Surname{chr(65 + i)}" for i in range(7)]
    assert vancouver_names(names) == ("SurnameA G, SurnameB G, SurnameC G, SurnameD G, "
                                      "SurnameE G, SurnameF G, et al.")


def test_bibtex_escape_balances_braces():
    assert bibtex_escape("a}b{c\\") == r"a\}b\{c\textbackslash{}"


def test_no_base_url_no_address(tmp_path):
    app = build(copy_root("web", tmp_path / "src"), freshenv=True,
                confoverrides={"html_baseurl": ""})
    assert app.warning.getvalue() == ""
    text = citation(app.outdir, "essays/dated-old")
    assert text == "O'Brien Z. An Older Dated Essay. Test Knowledge Base. 2018."
    assert "url" not in bibtex(app.outdir, "essays/dated-old")


def test_left_out_of_the_pdf_but_in_plain_text(tmp_path):
    src = copy_root("web", tmp_path / "src")
    latex = build(src, "latex", freshenv=True)
    assert latex.warning.getvalue() == ""
    tex = "".join(p.read_text(encoding="utf-8") for p in Path(latex.outdir).glob("*.tex"))
    assert "The Newest Dated Essay" in tex  # the essays are in the PDFs ...
    assert HEADING not in tex and "@misc" not in tex  # ... without the block
    text = build(src, "text")
    assert text.warning.getvalue() == ""
    page = (Path(text.outdir) / "essays" / "dated-new.txt").read_text(encoding="utf-8")
    assert HEADING in page and "@misc{smith2020-dated-new," in page


def test_sphinx_search_does_not_index_the_block(web):
    index = (Path(web.outdir) / "searchindex.js").read_text(encoding="utf-8")
    terms = index[index.index('"terms"'):]
    assert '"howpublish' not in terms and '"misc"' not in terms
    assert '"paragraph"' in terms  # the essays' own words are indexed


def test_real_site_seed_essay(site_html):
    outdir, _warnings = site_html
    text = citation(outdir, SEED_ESSAY)
    assert text.startswith("Currie G. Can CLAHRC WM Enact Distributed Leadership. "
                           "CLAHRC WM Knowledge Base. Available from: http")
    assert not re.search(r"\b(19|20)\d\d\b", text.split("Available from")[0])  # no year
    entry = parse_string(bibtex(outdir, SEED_ESSAY), "bibtex").entries
    assert list(entry) == ["currie-can-clahrc-wm-enact-distributed-leadership"]


CITATION_FILES = ("references.bib", "references.ris", "references.json")


@pytest.mark.parametrize("parallel", [0, 2])
def test_a_text_edit_leaves_the_site_citation_files_as_they_were(tmp_path, parallel):
    """The essay's page is written again, its entry is the same: the site-wide
    files are not written again (14 MB at 10,000 essays); a new title is."""
    src = copy_root("web", tmp_path / "src")
    first = build(src, parallel=parallel)
    out, records = Path(first.outdir), Path(first.doctreedir) / "kb-citethis.pickle"
    stamps = {name: (out / name).stat().st_mtime_ns for name in CITATION_FILES}
    stamps["entries"] = records.stat().st_mtime_ns
    essay = src / "essays" / "dated-old.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nA sentence added later.\n",
                     encoding="utf-8")
    app = build(src, parallel=parallel)
    assert app.warning.getvalue() == ""
    assert "added later" in (out / "essays" / "dated-old.html").read_text(encoding="utf-8")
    assert {name: (out / name).stat().st_mtime_ns for name in CITATION_FILES} \
        | {"entries": records.stat().st_mtime_ns} == stamps
    essay.write_text(essay.read_text(encoding="utf-8").replace("title: ", "title: Retitled "),
                     encoding="utf-8")
    app = build(src, parallel=parallel)
    assert app.warning.getvalue() == ""
    for name in CITATION_FILES:
        assert "Retitled" in (out / name).read_text(encoding="utf-8")
