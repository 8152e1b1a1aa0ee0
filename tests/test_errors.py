"""The catalogue of staff mistakes: each stops the build with one clear message.

Every case breaks one file of a small, valid knowledge base
(``tests/roots/test-errors``) the way a staff member might, builds it for
real and checks that there is exactly one warning (so ``-W`` stops the
build), that it names the file, the line where the source has one and the
fix, that nothing crashed, and that the essay still has its page. The same
catalogue is listed for staff in ``writing-errors.md``, each entry with the
message it gives; the tests check that the guide shows the very message.
Some cases also run through ``python -m sphinx -W``, as ``make html`` does,
to check the exit status and that no traceback is printed.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

from conftest import REPO
from kb._compat import strip_escape_sequences

ROOTS = REPO / "tests" / "roots"
BASE = ROOTS / "test-errors"
GOOD_ESSAY = (BASE / "essays" / "good.md").read_text(encoding="utf-8")
REFS = (BASE / "refs.bib").read_text(encoding="utf-8")
#: Line of the first entry appended to the base refs.bib.
NEW_ENTRY_LINE = REFS.count("\n") + 2
#: What refs.bib's message says of a '{' left open on the appended entry's second line.
OPENED = f"a '{{' opened at line {NEW_ENTRY_LINE + 1} is not closed"

Changes = dict[str, str | bytes | None]  # path -> new text, bytes, or None to delete


@dataclass
class Built:
    srcdir: Path
    outdir: Path
    warnings: str
    status: str

    def warning_lines(self) -> list[str]:
        return [line for line in self.warnings.splitlines() if "WARNING:" in line]


def make_root(dest: Path, changes: Changes | None = None, base: Path = BASE) -> Path:
    """A copy of a test root with some files replaced, added or deleted."""
    shutil.copytree(base, dest)
    for rel, content in (changes or {}).items():
        path = dest / rel
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return dest


def build(srcdir: Path, builder: str = "html", *, outdir: Path | None = None,
          fresh: bool = True, **kwargs: object) -> Built:
    """A real Sphinx build in this process; warnings are collected, not raised."""
    app = SphinxTestApp(builder, srcdir=srcdir, freshenv=fresh,
                        builddir=outdir, **kwargs)  # type: ignore[arg-type]
    try:
        app.build()
    finally:
        app.cleanup()
    return Built(srcdir, Path(app.outdir), strip_escape_sequences(app.warning.getvalue()),
                 strip_escape_sequences(app.status.getvalue()))


def essay(front: str, body: str = "Some text.\n") -> str:
    return f"---\n{front}---\n\n{body}"


@dataclass(frozen=True)
class Mistake:
    """One entry of the catalogue."""

    id: str
    what: str  # what the staff member did, as the staff guide says it
    changes: Changes
    file: str  # the file the message must name
    line: int | None  # the line it must name, when the source has lines
    says: tuple[str, ...]  # what is wrong and how to fix it (substrings)
    page: str | None = "essays/bad"  # the page that must still be built


CATALOGUE: list[Mistake] = [
    Mistake("yaml", "Front matter that is not valid YAML",
            {"essays/bad.md": essay("title: Risk: a review\nauthors: [ann-example]\n")},
            "essays/bad.md", 2, ("not valid YAML", "quote values that contain ':'")),
    Mistake("unclosed", "Front matter never closed with '---'",
            {"essays/bad.md": "---\ntitle: A title\nauthors: [ann-example]\n\nText.\n"},
            "essays/bad.md", 1, ("never closed", "add a line with only '---'")),
    Mistake("missing-key", "A required key left out",
            {"essays/bad.md": essay("title: A second essay\n")},
            "essays/bad.md", 2, ("missing 'authors'", "list at least one author")),
    Mistake("unknown-key", "A misspelt or unknown key",
            {"essays/bad.md": essay("title: A second essay\nauthors: [ann-example]\n"
                                    "tag: [NHS]\n")},
            "essays/bad.md", 4, ("unknown front-matter key 'tag'", "did you mean 'tags'?")),
    Mistake("key-twice", "A key given twice",
            {"essays/bad.md": essay("title: A second essay\nauthors: [ann-example]\n"
                                    "title: Another\n")},
            "essays/bad.md", 4, ("'title' is given twice", "keep one")),
    Mistake("wrong-type", "A list where one line of text belongs",
            {"essays/bad.md": essay("title: [A, list]\nauthors: [ann-example]\n")},
            "essays/bad.md", 2, ("'title' must be a single line of text",)),
    Mistake("control-char", "An invisible control character pasted into the front matter",
            {"essays/bad.md": essay("title: A second essay\nauthors: [ann-example]\n"
                                    "tags: [NHS\x0b]\n")},
            "essays/bad.md", 4, ("invisible control character (#x000b)", "delete it")),
    Mistake("alias", "A YAML alias ('*name') in the front matter",
            {"essays/bad.md": essay("title: &t A second essay\nauthors: [ann-example]\n"
                                    "tags: [*t]\n")},
            "essays/bad.md", 4, ("anchors and aliases", "write the value out in full")),
    Mistake("unknown-person", "An author id with no page in people/",
            {"essays/bad.md": essay("title: A second essay\nauthors: [ann-exampel]\n")},
            "essays/bad.md", 3, ("unknown person 'ann-exampel'", "did you mean 'ann-example'?")),
    Mistake("unknown-theme", "A theme id with no page in themes/",
            {"essays/bad.md": essay("title: A second essay\nauthors: [ann-example]\n"
                                    "themes: [iso]\n")},
            "essays/bad.md", 4, ("unknown theme 'iso'", "did you mean 'ios'?")),
    Mistake("unknown-role-theme", "A role's theme with no page in themes/",
            {"essays/bad.md": essay("title: A second essay\nauthors:\n  - id: ann-example\n"
                                    "    roles:\n      - {title: Lead, theme: ioss}\n")},
            "essays/bad.md", 6, ("unknown theme 'ioss' in a role", "did you mean 'ios'?")),
    Mistake("unknown-lead", "A theme lead with no page in people/",
            {"themes/ios.md": "---\ntitle: Implementation and Organisational Studies\n"
                              "short: IOS\nlead: bob-nobody\n---\n"},
            "themes/ios.md", 4, ("unknown person 'bob-nobody' as theme lead",
                                 "add people/bob-nobody.md"), page="themes/ios"),
    Mistake("bad-date", "A date that does not exist or is not YYYY-MM-DD",
            {"essays/bad.md": essay("title: A second essay\ndate: 2019-02-30\n"
                                    "authors: [ann-example]\n")},
            "essays/bad.md", 3, ("'2019-02-30' is not a real date", "YYYY-MM-DD",
                                 "leave 'date' out if it is not known")),
    Mistake("bad-doi", "A DOI written as a link, or not a DOI",
            {"essays/bad.md": essay("title: A second essay\nauthors: [ann-example]\n"
                                    "doi: https://doi.org/10.1234/abc\n")},
            "essays/bad.md", 4, ("'doi' must be a DOI like 10.1234/abc-567",
                                 "without 'https://doi.org/'")),
    Mistake("unknown-licence", "A licence the site does not know",
            {"essays/bad.md": essay("title: A second essay\nauthors: [ann-example]\n"
                                    "licence: CC-BY-5.0\n")},
            "essays/bad.md", 4, ("unknown licence 'CC-BY-5.0'", "CC-BY-4.0",
                                 "licence: {name: ..., url: https://...}")),
    Mistake("funding-key", "A misspelt key in 'funding'",
            {"essays/bad.md": essay("title: A second essay\nauthors: [ann-example]\n"
                                    "funding:\n  funder: A Funder\n  awards: X-1\n")},
            "essays/bad.md", 6, ("unknown funding key 'awards'", "did you mean 'award'?")),
    Mistake("bad-url", "A person's web page that is not an https:// address",
            {"people/ann-example.md": "---\nname: Ann Example\n"
                                      "url: javascript:alert(1)\n---\n"},
            "people/ann-example.md", 3, ("'url' must be a web address starting with https://",),
            page="people/ann-example"),
    Mistake("missing-citation", "A citation key that is not in refs.bib",
            {"essays/bad.md": essay("title: A second essay\nauthors: [ann-example]\n",
                                    "A claim.{footcite}`smith2002`\n")},
            "essays/bad.md", 6, ("citation key 'smith2002' is not in the bibliography",
                                 "did you mean 'smith2001'?")),
    Mistake("no-reference-list", "A page other than an essay that cites but has no list",
            {"about.md": "---\norphan: true\n---\n\n# About\n\nA claim.{footcite}`smith2001`\n"},
            "about.md", 7, ("this page cites 'smith2001' but has no reference list",
                            "add a '{footbibliography}' directive"), page="about"),
    Mistake("bib-unclosed", "A refs.bib field whose '{' is never closed",
            {"refs.bib": REFS + "\n@article{broken,\n  title = {Unclosed,\n  year = 2000\n}\n"},
            "refs.bib", NEW_ENTRY_LINE + 1, ("the entry 'broken' cannot be read",
                                             OPENED,
                                             "add the missing '}'"), page="essays/good"),
    Mistake("bib-unclosed-mid", "A '}' missing at the end of a field, another entry after it",
            {"refs.bib": REFS + "\n@article{broken,\n  title = {Unclosed,\n  journal = {J},\n"
                                "  year = {2000},\n}\n\n@book{after,\n  title = {After},\n}\n"},
            "refs.bib", NEW_ENTRY_LINE + 1, (OPENED,
                                             "add the missing '}'"), page="essays/good"),
    Mistake("bib-swallowed-key", "Citing a work that a broken entry before it swallowed",
            {"refs.bib": REFS + "\n@article{broken,\n  title = {Unclosed,\n  year = {2000},\n\n"
                                "@article{smith2002,\n  title = {T},\n}\n",
             "essays/bad.md": essay("title: A second essay\nauthors: [ann-example]\n",
                                    "A claim.{footcite}`smith2002`\n")},
            "refs.bib", NEW_ENTRY_LINE + 1, (OPENED,
                                             "takes in the entry 'smith2002'")),
    Mistake("citation-line", "A citation key that is not in refs.bib, inside a paragraph",
            {"essays/bad.md": essay("title: A second essay\nauthors: [ann-example]\n",
                                    "A first line of the paragraph,\nthen a claim."
                                    "{footcite}`smith2001,jones1998`\n")},
            "essays/bad.md", 7, ("citation key 'jones1998' is not in the bibliography",
                                 "did you mean 'jones1999'?")),
    Mistake("bib-comma", "A refs.bib entry with a missing comma between fields",
            {"refs.bib": REFS + "\n@article{nocomma,\n  title = {T}\n  year = 2000\n}\n"},
            "refs.bib", NEW_ENTRY_LINE, ("the entry 'nocomma' cannot be read",
                                         "missing ',' between fields"), page="essays/good"),
    Mistake("bib-at", "An '@' in a refs.bib comment (an e-mail address)",
            {"refs.bib": "% Questions: ann@example.org\n" + REFS},
            "refs.bib", 1, ("'@' starts an entry", "remove it"), page="essays/good"),
    Mistake("bib-bare-word", "A refs.bib value without braces",
            {"refs.bib": REFS + "\n@book{bare,\n  title = {T},\n  publisher = Press,\n"
                                "  year = 2000\n}\n"},
            "refs.bib", NEW_ENTRY_LINE, ("'Press'", "write it as {Press}"),
            page="essays/good"),
    Mistake("bib-duplicate", "Two refs.bib entries with one key",
            {"refs.bib": REFS + "\n@article{Smith2001,\n  title = {Copy},\n  year = 2001\n}\n"},
            "refs.bib", NEW_ENTRY_LINE, ("the key 'Smith2001' is already used by the entry "
                                         "on line 1", "give this entry a different key"),
            page="essays/good"),
    Mistake("bib-field-twice", "A refs.bib entry with one field twice",
            {"refs.bib": REFS + "\n@article{twice,\n  title = {T},\n  Title = {U},\n}\n"},
            "refs.bib", NEW_ENTRY_LINE, ("two 'title' fields", "keep one"),
            page="essays/good"),
    Mistake("bib-names", "A refs.bib author list written with commas only",
            {"refs.bib": REFS + "\n@article{names,\n  author = {Smith, J, Jones, M},\n}\n"},
            "refs.bib", NEW_ENTRY_LINE, ("an author or editor of the entry 'names' cannot be read",
                                         "separate people with ' and '"),
            page="essays/good"),
    Mistake("bib-url", "A refs.bib url that is not a web address",
            {"refs.bib": REFS + "\n@misc{link,\n  title = {T},\n  url = {javascript:x()},\n}\n"},
            "refs.bib", NEW_ENTRY_LINE, ("the url 'javascript:x()' of the entry 'link' is not "
                                         "a web address", "starts with https://"),
            page="essays/good"),
    Mistake("bib-not-utf8", "refs.bib saved in another encoding",
            {"refs.bib": (REFS + "\n@misc{cafe,\n  title = {Caf\u00e9},\n}\n").encode("cp1252")},
            "refs.bib", NEW_ENTRY_LINE + 1, ("not UTF-8", "save it as UTF-8"),
            page="essays/good"),
    Mistake("no-title", "An essay without a title",
            {"essays/bad.md": essay("authors: [ann-example]\n")},
            "essays/bad.md", 2, ("missing 'title'", "add 'title: ...'")),
    Mistake("same-slug", "Two files for one essay (same name, .md and .rst)",
            {"essays/good.rst": "A Good Essay\n============\n\nText.\n"},
            "essays/good.rst", None, ("essays/good.rst and essays/good.md would both be the "
                                      "page essays/good", "delete essays/good.rst"),
            page="essays/good"),
    Mistake("same-title", "Two essays with the same title",
            {"essays/bad.md": essay("title: A good  essay\nauthors: [ann-example]\n")},
            "essays/good.md", 2, ("the title 'A Good Essay' is already used by essays/bad.md",
                                  "give one of the two essays a different title")),
    Mistake("empty", "An empty essay file",
            {"essays/bad.md": ""},
            "essays/bad.md", 1, ("this page is empty", "start it with a front-matter block")),
    Mistake("no-front-matter", "An essay without front matter",
            {"essays/bad.md": "# A title written as a heading\n\nText.\n"},
            "essays/bad.md", 1, ("has no front matter", "start it with a front-matter block")),
    Mistake("misplaced", "An essay saved in people/ (or themes/, or beside index.md)",
            {"people/bad.md": essay("title: A second essay\nauthors: [ann-example]\n",
                                    "## A section\n\nText.\n")},
            "people/bad.md", 1, ("this looks like an essay", "move it to essays/bad.md"),
            page="people/bad"),
    Mistake("not-utf8", "An essay saved in another encoding (not UTF-8)",
            {"essays/bad.md": essay("title: Caf\u00e9 culture\nauthors: [ann-example]\n")
             .encode("cp1252")},
            "essays/bad.md", 2, ("not UTF-8", "save it as UTF-8")),
    Mistake("txt-suffix", "An essay saved as .txt",
            {"essays/bad.txt": essay("title: A second essay\nauthors: [ann-example]\n")},
            "essays/bad.txt", None, ("essays/bad.txt is not built",
                                     "rename it to essays/bad.md"), page=None),
    Mistake("sub-folder", "An essay in a sub-folder of essays/",
            {"essays/2019/bad.md": essay("title: A second essay\nauthors: [ann-example]\n")},
            "essays/2019/bad.md", None, ("is in a sub-folder of essays/",
                                         "move it to essays/bad.md"), page=None),
]

CASES = {mistake.id: mistake for mistake in CATALOGUE}
GUIDE = (REPO / "writing-errors.md").read_text(encoding="utf-8")
#: The message each entry of the staff guide shows, by mistake id.
GUIDE_MESSAGES = dict(re.findall(
    r"\(mistake-([a-z0-9-]+)\)=\n###[^\n]*\n\n```text\n([^\n]*)\n```", GUIDE))


def check_guide(message: str, mistake: Mistake) -> None:
    """The staff guide shows this very message (with 'my-essay' for the file name)."""
    shown = GUIDE_MESSAGES[mistake.id]
    where, _, text = shown.partition("WARNING: ")
    pattern = re.escape(text)
    for name in ("my-essay", "another-essay"):
        pattern = pattern.replace(re.escape(name), r"[\w-]+")
    assert re.fullmatch(pattern, message.split("WARNING: ", 1)[1].rsplit(" [", 1)[0]), shown
    if mistake.line is not None:
        assert where.endswith(f":{mistake.line}: "), shown


def check_message(built: Built, mistake: Mistake) -> str:
    """Exactly one warning, naming file, line and fix; returns it."""
    lines = built.warning_lines()
    assert len(lines) == 1, f"expected one message, got:\n{built.warnings}"
    message = lines[0]
    path = built.srcdir / mistake.file
    if mistake.line is None:
        assert mistake.file in message
    else:
        assert message.startswith(f"{path}:{mistake.line}: WARNING: "), message
    for text in mistake.says:
        assert text in message, f"{text!r} not in {message!r}"
    return message


@pytest.mark.parametrize("mistake", CATALOGUE, ids=[m.id for m in CATALOGUE])
def test_mistake_gives_one_clear_message(tmp_path: Path, mistake: Mistake) -> None:
    built = build(make_root(tmp_path / "src", mistake.changes))
    check_guide(check_message(built, mistake), mistake)
    assert "Traceback" not in built.warnings + built.status
    # Nothing lost: the page (and the valid essay beside it) is still built.
    assert (built.outdir / "essays" / "good.html").is_file()
    if mistake.page:
        assert (built.outdir / f"{mistake.page}.html").is_file()


@pytest.mark.parametrize("where", ["themes/bad.md", "bad.md", "people/index.md"])
def test_essay_in_another_wrong_folder_gives_the_same_message(tmp_path: Path,
                                                            where: str) -> None:
    """Not a theme's keys, nor Sphinx's "headings start at H2" or "not in any toctree"."""
    mistake = dataclasses.replace(CASES["misplaced"], file=where,
                                  changes={where: CASES["misplaced"].changes["people/bad.md"]},
                                  page=where.removesuffix(".md"))
    built = build(make_root(tmp_path / "src", mistake.changes))
    name = where.rpartition("/")[2]
    message = check_message(built, dataclasses.replace(
        mistake, says=("this looks like an essay", f"move it to essays/{name}")))
    check_guide(message, mistake)
    assert (built.outdir / f"{mistake.page}.html").is_file()


def test_a_persons_title_is_not_taken_for_an_essay(tmp_path: Path) -> None:
    built = build(make_root(tmp_path / "src", {
        "people/ann-example.md": "---\nname: Ann Example\ntitle: Dr\n---\n"}))
    [line] = built.warning_lines()
    assert "unknown person key 'title'" in line and "essay" not in line


@pytest.mark.parametrize("builder", ["html", "latex"])
def test_unknown_ids_show_as_written_not_as_empty_names(tmp_path: Path, builder: str) -> None:
    """After the message, the author block, sign-off and theme lead show the
    id the staff member typed (the reader sees what to fix), never nothing."""
    changes = {**CASES["unknown-person"].changes, **CASES["unknown-lead"].changes}
    built = build(make_root(tmp_path / "src", changes), builder)
    assert len(built.warning_lines()) == 2
    if builder == "html":
        essay = BeautifulSoup((built.outdir / "essays" / "bad.html").read_text("utf-8"),
                              "html.parser")
        assert essay.select_one(".kb-author").get_text(strip=True) == "ann-exampel"
        assert " ".join(essay.select_one(".kb-signoff").get_text().split()) == "— ann-exampel."
        theme = (built.outdir / "themes" / "ios.html").read_text("utf-8")
        assert "Theme lead: <span" in theme and "bob-nobody</span>" in theme
    else:
        tex = "".join(p.read_text("utf-8") for p in built.outdir.glob("*.tex"))
        assert "ann\\sphinxhyphen{}exampel" in tex
        assert "Theme lead: \\sphinxhyphen" not in tex and "bob\\sphinxhyphen{}nobody" in tex


def test_base_root_is_clean(tmp_path: Path) -> None:
    """The catalogue's starting point builds without a single warning."""
    built = build(make_root(tmp_path / "src"))
    assert built.warnings == ""
    assert (built.outdir / "essays" / "good.html").is_file()


def test_several_mistakes_are_all_reported(tmp_path: Path) -> None:
    """Staff see every mistake of a file at once, each on its own line."""
    built = build(make_root(tmp_path / "src", {"essays/bad.md": essay(
        "title: A second essay\ndate: 31/05/2019\nauthors: [ann-exampel]\nthemes: [iso]\n"
        "colour: red\n")}))
    lines = built.warning_lines()
    path = built.srcdir / "essays" / "bad.md"
    assert sorted(line.split(": WARNING")[0] for line in lines) == [
        f"{path}:{n}" for n in (3, 4, 5, 6)
    ]


def test_broken_bib_is_reported_again_until_fixed(tmp_path: Path) -> None:
    """An incremental build repeats the refs.bib message (the file was not fixed)."""
    src = make_root(tmp_path / "src", CASES["bib-duplicate"].changes)
    out = tmp_path / "out"
    first = build(src, outdir=out)
    again = build(src, outdir=out, fresh=False)
    assert first.warning_lines() == again.warning_lines()
    assert len(again.warning_lines()) == 1
    (src / "refs.bib").write_text(REFS, encoding="utf-8")
    assert build(src, outdir=out, fresh=False).warnings == ""


def test_staff_guide_lists_the_catalogue() -> None:
    """writing-errors.md has an entry, with its message, for every mistake tested here."""
    assert set(re.findall(r"\(mistake-([a-z0-9-]+)\)=", GUIDE)) == set(CASES)
    assert set(GUIDE_MESSAGES) == set(CASES)


# -- the real command line ----------------------------------------------------

def _sphinx_w(srcdir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "_ext"), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-q",
         str(srcdir), str(srcdir / "_build" / "html")],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )


#: The mistakes that crashed the stock stack with a traceback, plus one of each
#: kind; every mistake is built in-process above (an exception would fail it).
COMMAND_LINE_CASES = ("yaml", "unknown-person", "bib-unclosed", "bib-at", "bib-duplicate",
                      "bib-not-utf8", "not-utf8", "same-slug", "empty")


def test_sphinx_w_stops_on_mistakes_without_traceback(tmp_path: Path) -> None:
    """``sphinx-build -W --keep-going -n`` exits non-zero with the message, no traceback."""
    roots = {key: make_root(tmp_path / key, CASES[key].changes) for key in COMMAND_LINE_CASES}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(roots, pool.map(_sphinx_w, roots.values()), strict=True))
    for key, result in results.items():
        output = result.stdout + result.stderr
        assert result.returncode == 1, f"{key}: exit {result.returncode}\n{output}"
        assert "Traceback" not in output and "Extension error" not in output, output
        assert CASES[key].says[0] in output, f"{key}: {output}"


def test_plain_w_stops_at_the_first_message(tmp_path: Path) -> None:
    """Without --keep-going, ``-W`` stops at the message, still without a traceback."""
    src = make_root(tmp_path / "src", CASES["bib-unclosed"].changes)
    env = {**os.environ, "PYTHONPATH": str(REPO / "_ext"), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q", str(src),
         str(tmp_path / "out")],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    assert f"{src / 'refs.bib'}:{CASES['bib-unclosed'].line}" in output
