"""RIS and CSL-JSON downloads and the whole-site reference files (issue 16).

Read back with rispy (RIS) and rendered with citeproc-py (CSL-JSON), the
libraries reference managers and citation processors are built on.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import rispy
from bs4 import BeautifulSoup
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from pybtex.database import parse_file

from conftest import SEED_ESSAY, WEB_HOSTILE, build, copy_root

BASE = "https://kb.example.org/sub/path/"


def out(app) -> Path:
    return Path(app.outdir)


def render(items: list[dict]) -> list[str]:
    """What a CSL processor prints for the items (a Harvard style it bundles)."""
    with warnings.catch_warnings():  # citeproc-py 0.11 knows no CSL 1.0.2 'license'
        warnings.simplefilter("ignore", UserWarning)
        source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def test_builds_without_warnings(scholar):
    assert scholar.warning.getvalue() == ""


def test_page_links_its_downloads_beside_it(scholar):
    html = (out(scholar) / "essays/dated-new.html").read_text(encoding="utf-8")
    links = BeautifulSoup(html, "html.parser").select(".kb-citethis-downloads a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("BibTeX", "dated-new.bib"), ("RIS", "dated-new.ris"), ("CSL-JSON", "dated-new.json")]
    for a in links:
        assert (out(scholar) / "essays" / a["href"]).is_file()


def test_ris_parses_with_the_facts(scholar):
    [record] = rispy.loads((out(scholar) / "essays/dated-new.ris").read_text(encoding="utf-8"))
    assert record["type_of_reference"] == "BLOG"
    assert record["title"] == "The Newest Dated Essay"
    assert record["authors"] == ["Smith, Alice", "van der Berg, Jean-Paul"]
    assert record["year"] == "2020" and record["date"] == "2020/02/01"
    assert record["doi"] == "10.5555/test.2020-01"
    assert record["urls"] == [f"{BASE}essays/dated-new.html"]
    assert record["abstract"] == "A plain-language summary of the newest synthetic essay."
    assert record["secondary_title"] == "Test Knowledge Base"


def test_undated_essay_has_no_year_anywhere(scholar):
    [record] = rispy.loads((out(scholar) / "essays/undated.ris").read_text(encoding="utf-8"))
    assert "year" not in record and "date" not in record
    [item] = json.loads((out(scholar) / "essays/undated.json").read_text(encoding="utf-8"))
    assert "issued" not in item
    assert render([item]) == [
        "Smith, A. (no date) \u201cAn Essay Without a Date\u201d, Test Knowledge Base. "
        f"Test Authors. Available at: {BASE}essays/undated.html."]


def test_csl_json_renders_with_citeproc(scholar):
    [item] = json.loads((out(scholar) / "essays/dated-new.json").read_text(encoding="utf-8"))
    assert item["type"] == "post-weblog"
    assert item["issued"] == {"date-parts": [[2020, 2, 1]]}
    assert render([item]) == [
        "Smith, A. and van der Berg, J.-P. (2020) \u201cThe Newest Dated Essay\u201d, "
        "Test Knowledge Base. Test Authors, 1 February. "
        "Available at: https://doi.org/10.5555/test.2020-01."]


def test_hostile_text_stays_text_in_every_format(scholar):
    [record] = rispy.loads((out(scholar) / "essays/hostile.ris").read_text(encoding="utf-8"))
    assert record["title"] == WEB_HOSTILE
    assert record["abstract"] == ('</script><script>alert("summary")</script> & {braces} '
                                  '100% $5 ]]> --> \\ Ünïcode')
    [item] = json.loads((out(scholar) / "essays/hostile.json").read_text(encoding="utf-8"))
    assert item["title"] == WEB_HOSTILE
    assert WEB_HOSTILE in render([item])[0]
    entry = next(iter(parse_file(out(scholar) / "essays/hostile.bib").entries.values()))
    assert entry.fields["doi"] == "10.5555/x\\&y;z(1)"


def test_whole_site_files_hold_every_essay(scholar):
    expected = ["The Newest Dated Essay", WEB_HOSTILE, "An Older Dated Essay",
                "An Essay Without a Date"]  # the site's order: newest first
    records = rispy.loads((out(scholar) / "references.ris").read_text(encoding="utf-8"))
    assert [r["title"] for r in records] == expected
    bib = parse_file(out(scholar) / "references.bib")
    assert list(bib.entries) == ["smith2020-dated-new", "obrien2019-hostile",
                                 "obrien2018-dated-old", "smith-undated"]
    items = json.loads((out(scholar) / "references.json").read_text(encoding="utf-8"))
    assert [i["title"] for i in items] == expected
    assert len(render(items)) == 4


def test_files_appear_in_a_new_output_folder_without_rewriting_pages(tmp_path):
    """An incremental build into a folder that lacks them still writes them."""
    src = copy_root("scholar", tmp_path / "src")
    first = build(src, freshenv=True)
    for path in (out(first) / "essays").glob("*.ris"):
        path.unlink()
    again = build(src)
    assert sorted(p.name for p in (out(again) / "essays").glob("*.ris")) == [
        "dated-new.ris", "dated-old.ris", "hostile.ris", "undated.ris"]


def test_seed_essay_renders_as_a_reference_manager_would_print_it(site):
    [item] = json.loads((site / f"{SEED_ESSAY}.json").read_text(encoding="utf-8"))
    [printed] = render([item])
    assert printed.startswith("Currie, G. (no date) \u201cCan CLAHRC WM Enact Distributed "
                              "Leadership\u201d, CLAHRC WM Knowledge Base.")
    assert printed.endswith(f"{SEED_ESSAY}.html.")
