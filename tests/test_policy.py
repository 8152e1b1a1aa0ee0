"""What content may do (``_ext/kb/policy.py``): each attack is refused or neutralised.

Every case adds one hostile file to a small, valid knowledge base
(``tests/roots/test-policy``), builds it for real and checks that there is
exactly one warning (so ``make html``, with ``-W``, stops), that it names
the file and line and says what to write instead, and that the attack did
nothing: a marker file proves no command ran, a local HTTP server on
127.0.0.1 proves nothing was fetched, and a secret file beside the source
folder never reaches ``_build``. Pages the extension does not own (the
root page, a new page at the top) get the same policy as essays.
"""

from __future__ import annotations

import http.server
import os
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_errors import Built, Changes, build, essay, make_root

from conftest import REPO

BASE = REPO / "tests" / "roots" / "test-policy"
SECRET = "TOP-SECRET-0e56005f"
#: A Jinja payload that would create the marker file if templates were evaluated.
JINJA = '{{{{ cycler.__init__.__globals__.os.popen("touch {marker}").read() }}}}'
GOOD_FRONT = ("title: An Essay\nauthors:\n  - id: ann-example\nthemes: [ios]\n")


def page(body: str, front: str = GOOD_FRONT) -> str:
    return essay(front, body)


@dataclass
class Server:
    """A local web server that records every request made to it."""

    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Server]:
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append(self.path)
            body = f"a,b\n{SECRET},1\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", seen)
    finally:
        httpd.shutdown()
        httpd.server_close()


def attack(tmp_path: Path, changes: Changes, builder: str = "html", **kwargs: object) -> Built:
    """Build the policy root with ``changes``; a secret file sits beside it."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (tmp_path / "secret.csv").write_text(f"a,b\n{SECRET},1\n", encoding="utf-8")
    (tmp_path / "secret.png").write_bytes((BASE / "essays/images/dot.png").read_bytes()
                                          + SECRET.encode())
    src = make_root(tmp_path / "src", changes, base=BASE)
    return build(src, builder, **kwargs)


def leaked(built: Built) -> list[str]:
    """Output files that carry the secret."""
    return [str(path.relative_to(built.outdir)) for path in built.outdir.rglob("*")
            if path.is_file() and SECRET.encode() in path.read_bytes()]


def refused(built: Built, file: str, line: int | None, *says: str) -> str:
    """The build's one warning: it names ``file:line`` and says ``says``."""
    lines = built.warning_lines()
    assert len(lines) == 1, built.warnings
    where = f"{built.srcdir / file}:{line}: WARNING: " if line else f"{built.srcdir / file}:"
    assert lines[0].startswith(where), lines[0]
    for text in says:
        assert text in lines[0], (text, lines[0])
    assert "Traceback" not in built.warnings + built.status
    return lines[0]


def html(built: Built, docname: str) -> str:
    return (built.outdir / f"{docname}.html").read_text(encoding="utf-8")


# -- parser settings and templates -------------------------------------------------

def test_myst_front_matter_cannot_turn_on_templates(tmp_path: Path) -> None:
    """The issue's payload, on a page the extension does not own: no command runs."""
    marker = tmp_path / "marker"
    built = attack(tmp_path, {"extra.md": (
        "---\nmyst:\n  enable_extensions: [substitution]\norphan: true\n---\n\n# Extra\n\n"
        + JINJA.format(marker=marker) + "\n")})
    refused(built, "extra.md", 2, "front matter cannot change how pages are read ('myst:')",
            "belong in conf.py", "Delete the 'myst:' entry")
    assert not marker.exists()
    assert "cycler." in html(built, "extra")  # shown as text (__init__ is bold in Markdown)


@pytest.mark.parametrize("key", ["substitutions", "html_meta"])
def test_other_settings_keys_are_refused_on_the_root_page(tmp_path: Path, key: str) -> None:
    index = (BASE / "index.md").read_text(encoding="utf-8")
    value = ('{x: "y"}' if key == "substitutions"
             else '{http-equiv=refresh: "0;url=https://evil.example/"}')
    built = attack(tmp_path, {"index.md": f"---\n{key}: {value}\n---\n{index}"})
    refused(built, "index.md", 2, f"('{key}:')", "belong in conf.py")
    assert "evil.example" not in html(built, "index")


def test_conf_substitution_extension_is_turned_off(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    built = attack(tmp_path, {"essays/bad.md": page(JINJA.format(marker=marker) + "\n")},
                   confoverrides={"myst_enable_extensions": ["substitution"]})
    lines = built.warning_lines()
    assert len(lines) == 1 and "myst_enable_extensions includes 'substitution'" in lines[0]
    assert "kb_policy_allow" in lines[0]
    assert not marker.exists()


def test_an_essay_cannot_set_myst_either(tmp_path: Path) -> None:
    """On essays the front matter is the extension's: 'myst' is an unknown key."""
    built = attack(tmp_path, {"essays/bad.md": essay(
        GOOD_FRONT + "myst:\n  enable_extensions: [substitution]\n")})
    refused(built, "essays/bad.md", 7, "unknown front-matter key 'myst'")


def test_yaml_alias_bomb_on_a_page_not_owned_by_the_extension(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9))
    index = (BASE / "index.md").read_text(encoding="utf-8")
    built = attack(tmp_path, {"index.md": f"---\n{bomb}---\n{index}"})
    refused(built, "index.md", 3, "YAML anchors and aliases", "write the value out in full")


# -- files and addresses -----------------------------------------------------------------

INCLUDES = {
    "include": ("```{include} ../../secret.txt\n```\n", "'include' cannot be used",
                "Put the text in the page itself"),
    "literalinclude": ("```{literalinclude} ../../secret.txt\n```\n",
                       "'literalinclude' cannot be used", "Paste the code into a code block"),
    "eval-rst-include": ("```{eval-rst}\n.. include:: ../../secret.txt\n```\n",
                         "'include' cannot be used", "Put the text in the page itself"),
    "raw-file": ("```{raw} html\n:file: ../../secret.txt\n```\n", "'raw' cannot be used",
                 "Write it in Markdown"),
    "csv-file": ("```{csv-table}\n:file: ../../secret.csv\n```\n",
                 "'csv-table' cannot read ':file:'", "Put the rows under the directive"),
}


@pytest.mark.parametrize("case", INCLUDES)
def test_no_file_is_brought_into_a_page(tmp_path: Path, case: str) -> None:
    body, *says = INCLUDES[case]
    built = attack(tmp_path, {"essays/bad.md": page("## Text\n\n" + body)})
    refused(built, "essays/bad.md", 11 if "eval-rst" in body else 10, *says)
    assert leaked(built) == []


@pytest.mark.parametrize("directive", ["raw} html", "csv-table}"])
def test_no_address_is_fetched(tmp_path: Path, server: Server, directive: str) -> None:
    built = attack(tmp_path, {"essays/bad.md": page(
        f"## Text\n\n```{{{directive}\n:url: {server.url}/data\n```\n")})
    refused(built, "essays/bad.md", 10, "cannot")
    assert server.requests == []
    assert leaked(built) == []


def test_relaxed_raw_still_fetches_nothing(tmp_path: Path, server: Server) -> None:
    """A site that allows raw HTML (and file inclusion) still fetches no address."""
    built = attack(tmp_path, {"essays/bad.md": page(
        f"## Text\n\n```{{raw}} html\n:url: {server.url}/data\n```\n")},
        confoverrides={"kb_policy_allow": ["raw", "include"]})
    refused(built, "essays/bad.md", 10, "'raw' cannot read ':url:'")
    assert server.requests == []


@pytest.mark.parametrize("markdown", ["![A chart of admissions]({url}/chart.png)",
                                      "Inline ![A chart of admissions]({url}/chart.png) too."])
def test_a_remote_picture_is_not_fetched_for_the_pdf(tmp_path: Path, server: Server,
                                                       markdown: str) -> None:
    """LaTeX would download it (Sphinx's ImageDownloader): it becomes its linked description."""
    body = markdown.format(url=server.url)
    built = attack(tmp_path, {"essays/pic.md": page(f"## Text\n\n{body}\n")}, builder="latex")
    assert built.warning_lines() == []
    assert server.requests == []
    tex = "".join(p.read_text(encoding="utf-8") for p in built.outdir.glob("*.tex"))
    assert f"\\sphinxhref{{{server.url}/chart.png}}{{A chart of admissions}}" in tex


def test_a_remote_picture_stays_a_picture_on_the_web(tmp_path: Path, server: Server) -> None:
    built = attack(tmp_path, {"essays/pic.md": page(
        f"## Text\n\n![A chart of admissions]({server.url}/chart.png)\n")})
    assert built.warning_lines() == []
    assert server.requests == []
    assert f'<img alt="A chart of admissions" src="{server.url}/chart.png"' in html(
        built, "essays/pic")


def test_include_parser_option_imports_nothing(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """``:parser:`` would import any module on the path: here one that leaves a marker."""
    marker = tmp_path / "marker"
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "kbpolicyevil.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(modules))
    built = attack(tmp_path, {"essays/bad.md": page(
        "## Text\n\n```{include} ../other.txt\n:parser: kbpolicyevil\n```\n"),
        "other.txt": "Other text.\n"})
    refused(built, "essays/bad.md", 10, "'include' cannot be used")
    assert not marker.exists()
    assert "kbpolicyevil" not in sys.modules


def test_relaxed_include_still_refuses_parser(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A site that allows include still may not import a parser named by a page."""
    marker = tmp_path / "marker"
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "kbpolicyevil2.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(modules))
    built = attack(tmp_path, {"essays/bad.md": page(
        "## Text\n\n```{include} ../other.md\n:parser: kbpolicyevil2\n```\n"),
        "other.md": "Other text.\n"}, confoverrides={"kb_policy_allow": ["include"]})
    lines = built.warning_lines()
    assert any("the ':parser:' option imports Python code and cannot be used" in line
               for line in lines), built.warnings
    assert not marker.exists()


def test_rst_page_gets_the_same_policy(tmp_path: Path) -> None:
    """A page in reStructuredText, which the extension does not own, is refused alike."""
    built = attack(tmp_path, {"extra.rst": ":orphan:\n\nExtra\n=====\n\n"
                              ".. include:: ../secret.txt\n\n.. raw:: html\n\n"
                              "   <script>alert(1)</script>\n\n"
                              "`x <javascript:alert(1)>`_ and `named`_\n\n"
                              ".. _named: javascript:alert(2)\n"})
    found = [(line.split(": WARNING: ")[0].rsplit("/", 1)[1], line.split(": WARNING: ")[1])
             for line in built.warning_lines()]
    expected = [("extra.rst:6", "'include' cannot be used"),
                ("extra.rst:8", "'raw' cannot be used"),
                ("extra.rst:12", "the link to 'javascript:alert(1)' uses 'javascript:'"),
                ("extra.rst:12", "the link to 'javascript:alert(2)' uses 'javascript:'")]
    assert [(where, message[:len(start)]) for (where, message), (_, start)
            in zip(found, expected, strict=True)] == expected, built.warnings
    assert leaked(built) == []
    out = html(built, "extra")
    assert "<script>alert" not in out and "javascript:" not in out


def test_docutils_conf_cannot_turn_file_insertion_back_on(tmp_path: Path) -> None:
    built = attack(tmp_path, {
        "docutils.conf": "[general]\nfile_insertion_enabled: yes\nraw_enabled: yes\n",
        "essays/bad.md": page("## Text\n\n```{eval-rst}\n.. csv-table::\n"
                              "   :file: ../../secret.csv\n```\n")})
    refused(built, "essays/bad.md", 11, "'csv-table' cannot read ':file:'")
    assert leaked(built) == []


LINKS = {
    "git-config": ("[config](../.git/config)", "link", "is in '.git'"),
    "proc": ("[environment](../../../../../../../../proc/self/environ)", "link",
             "is outside the site's folder"),
    "secret": ("[secret](../../secret.txt)", "link", "is outside the site's folder"),
    "download-role": ("{download}`secret <../../secret.txt>`", "link",
                      "is outside the site's folder"),
    "image": ("![a picture](../../secret.png)", "image", "put the picture in the site's folder"),
    "image-file-scheme": ("```{eval-rst}\n.. image:: file:///etc/passwd\n```", "image",
                          "uses 'file:'"),
    "rst-javascript": ("```{eval-rst}\n`click <javascript:alert(1)>`_\n```", "link",
                       "uses 'javascript:'"),
    "rst-image-target": ("```{eval-rst}\n.. image:: images/dot.png\n"
                         "   :target: javascript:alert(1)\n```", "link", "uses 'javascript:'"),
}


@pytest.mark.parametrize("case", LINKS)
def test_links_and_images_stay_in_the_site(tmp_path: Path, case: str) -> None:
    body, what, says = LINKS[case]
    git = {".git/config": f"[remote]\n  token = {SECRET}\n"}
    built = attack(tmp_path, {"essays/bad.md": page(f"## Text\n\n{body}\n"), **git})
    # An image's :target: has no line of its own in docutils: the file is named.
    line = None if case == "rst-image-target" else 11 if "eval-rst" in body else 10
    refused(built, "essays/bad.md", line, f"the {what} ", says)
    assert leaked(built) == []
    assert "javascript:" not in html(built, "essays/bad")


def test_a_link_through_a_symlink_is_resolved_first(tmp_path: Path) -> None:
    built_src = tmp_path / "src"
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    make_root(built_src, {"essays/bad.md": page("## Text\n\n[data](images/data.txt)\n")},
              base=BASE)
    (built_src / "essays" / "images" / "data.txt").symlink_to(tmp_path / "secret.txt")
    built = build(built_src)
    refused(built, "essays/bad.md", 10, "is outside the site's folder")
    assert leaked(built) == []


def test_markdown_javascript_link_is_only_text(tmp_path: Path) -> None:
    """markdown-it itself does not make links of javascript: addresses."""
    built = attack(tmp_path, {"essays/bad.md": page(
        "## Text\n\n[click](javascript:alert(1)) and <javascript:alert(2)>\n")})
    assert "javascript:" not in "".join(
        a for a in html(built, "essays/bad").split('href="')[1:] if a.startswith("javascript"))


# -- raw output -----------------------------------------------------------------------

RAW = {
    "html-block": ("<script>alert(1)</script>", "HTML in the text ('<script>alert(1)</script>')"),
    "html-inline": ('Read <a href="x" onclick="alert(1)">this</a> now.',
                    "HTML in the text ('<a href=\"x\" onclick=\"alert(1)\">')"),
    "comment-then-script": ("<!-- a note --><script>alert(1)</script>",
                            "HTML in the text ('<!-- a note --><script>alert(1)</script>')"),
    "raw-html": ("```{raw} html\n<script>alert(1)</script>\n```", "'raw' cannot be used"),
    "raw-latex": ("```{raw} latex\n\\input{/etc/passwd}\n```", "'raw' cannot be used"),
    "rst-raw-role": ("```{eval-rst}\n.. role:: html(raw)\n   :format: html\n\n"
                     ":html:`<script>alert(1)</script>`\n```", "'raw' cannot be used"),
    "tabularcolumns": ("```{tabularcolumns} |p{\\input{/etc/passwd}}|\n```",
                       "'tabularcolumns' cannot be used"),
    "math": ("{math}`\\input{/etc/passwd}`", "math cannot be used"),
    "meta": ("```{meta}\n:http-equiv=refresh: 0;url=https://evil.example/\n```",
             "'meta' cannot be used"),
}


@pytest.mark.parametrize("case", RAW)
def test_no_raw_html_or_latex_from_content(tmp_path: Path, case: str) -> None:
    body, says = RAW[case]
    built = attack(tmp_path, {"essays/bad.md": page(f"## Text\n\n{body}\n")})
    refused(built, "essays/bad.md", 14 if case == "rst-raw-role" else 10, says)
    page_html = html(built, "essays/bad")
    assert "<script>alert" not in page_html
    assert 'onclick="alert' not in page_html
    assert "evil.example/\"" not in page_html.split("</head>")[0]


@pytest.mark.parametrize("body", ["```{raw} latex\n\\input{/etc/passwd}\n```",
                                  "```{math}\n\\input{/etc/passwd}\n```",
                                  "{math}`\\input{/etc/passwd}`"])
def test_raw_latex_never_reaches_the_tex(tmp_path: Path, body: str) -> None:
    built = attack(tmp_path, {"essays/bad.md": page(f"## Text\n\n{body}\n")},
                   builder="latex")
    assert len(built.warning_lines()) == 1
    tex = "".join(p.read_text(encoding="utf-8") for p in built.outdir.glob("*.tex"))
    assert "\\input{/etc/passwd}" not in tex


# -- the source folder ----------------------------------------------------------------------

def test_symlinked_essay_outside_the_folder_is_not_read(tmp_path: Path) -> None:
    src = make_root(tmp_path / "src", base=BASE)
    (tmp_path / "outside.md").write_text(page(SECRET), encoding="utf-8")
    (src / "essays" / "linked.md").symlink_to(tmp_path / "outside.md")
    built = build(src)
    lines = built.warning_lines()
    assert len(lines) == 1, built.warnings
    assert lines[0].startswith(f"{src / 'essays' / 'linked.md'}:1: WARNING: ")
    assert "'essays/linked.md' is a symbolic link to a file outside the site's folder" \
        in lines[0]
    assert leaked(built) == []


def test_symlinked_folder_outside_is_not_read(tmp_path: Path) -> None:
    src = make_root(tmp_path / "src", base=BASE)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "page.md").write_text(f"# Page\n\n{SECRET}\n", encoding="utf-8")
    (src / "more").symlink_to(outside, target_is_directory=True)
    built = build(src)
    lines = built.warning_lines()
    assert len(lines) == 1, built.warnings
    assert lines[0].startswith(f"{src / 'more' / 'page.md'}:1: WARNING: the folder 'more' is "
                               "a symbolic link to a folder outside the site's folder; "
                               "move the pages themselves into it")
    assert leaked(built) == []


def test_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    src = make_root(tmp_path / "src", base=BASE)
    (src / "essays" / "alias.md").symlink_to(src / "essays" / "good.md")
    built = build(src)
    assert "symbolic link" not in built.warnings


@pytest.mark.parametrize("folder", ["pagefind", "pagefind-recent", "pagefind-titles",
                                    "pagefind-shard-2", "_static", "_images", "_downloads",
                                    "_sources"])
def test_reserved_output_folder_names(tmp_path: Path, folder: str) -> None:
    built = attack(tmp_path, {f"{folder}/page.md": "# A page\n"})
    line = built.warning_lines()
    assert len(line) == 1, built.warnings
    assert line[0].startswith(f"{built.srcdir / folder / 'page.md'}:1: WARNING: the folder "
                              f"'{folder}/' has the name of a folder the build makes")
    assert "rename the folder" in line[0]


# -- limits -----------------------------------------------------------------------------------

def test_page_over_the_size_limit(tmp_path: Path) -> None:
    big = page("## Text\n\n" + ("A sentence of an essay. " * 40 + "\n\n") * 2200)
    assert len(big.encode()) > 2_000_000
    built = attack(tmp_path, {"essays/bad.md": big})
    refused(built, "essays/bad.md", 1, "is 2.1 MB, over the limit of 2.0 MB",
            "Split it into several pages")
    assert (built.outdir / "essays" / "bad.html").exists()  # the page, without the text


NESTED = {
    "emphasis": ("*" * 200 + "x" + "*" * 200, 10, "nested more than 50 levels deep here"),
    "directives": ("".join("`" * (80 - i) + "{note}\n" for i in range(60)) + "deep\n"
                   + "".join("`" * (21 + i) + "\n" for i in range(60)), 57,
                   "nested more than 50 levels deep here"),
    "too-deep-to-parse": ("*" * 3000 + "x" + "*" * 3000, 1,
                          "nested too deeply to be read"),
}


@pytest.mark.parametrize("case", NESTED)
def test_deep_nesting_is_cut_with_a_message(tmp_path: Path, case: str) -> None:
    """Writers and pickle recurse: a sane limit, and a message instead of a crash."""
    nested, line, says = NESTED[case]
    built = attack(tmp_path, {"essays/bad.md": page(f"## Text\n\n{nested}\n")})
    refused(built, "essays/bad.md", line, says, "left out")


def test_nesting_within_the_limit_is_kept_whole(tmp_path: Path) -> None:
    """markdown-it alone drops text nested deeper than 20 levels (ten lists) silently."""
    built = attack(tmp_path, {"essays/bad.md": page(
        "## Text\n\n" + "> " * 15 + "deep quote\n\n"
        + "".join("  " * i + f"- item {i}\n" for i in range(15)))})
    assert built.warnings == ""
    out = html(built, "essays/bad")
    assert "deep quote" in out and "item 14" in out


def test_markdown_nested_beyond_the_limit(tmp_path: Path) -> None:
    built = attack(tmp_path, {"essays/bad.md": page("## Text\n\n" + "> " * 3000 + "deep\n")})
    refused(built, "essays/bad.md", 10, "nested more than 50 levels deep here", "left out")


BILLION_LAUGHS = "name: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"x{i}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9))


@pytest.mark.parametrize("yaml_text", [BILLION_LAUGHS, "name: &a [*a]\n",
                                       "name: " + "[" * 5000 + "]" * 5000 + "\n"],
                         ids=["billion-laughs", "recursive", "deep"])
def test_new_essay_does_not_hang_on_a_hostile_person_file(tmp_path: Path,
                                                          yaml_text: str) -> None:
    """``make new-essay`` reads people/: an aliased file is reported, not expanded."""
    import subprocess
    import time

    root = make_root(tmp_path / "site", {"people/eve.md": f"---\n{yaml_text}---\n"}, base=BASE)
    start = time.monotonic()
    run = subprocess.run(
        [sys.executable, str(REPO / "tools" / "new_essay.py"), "--root", str(root),
         "--title", "A Title", "--author", "ann-example", "--theme", "ios"],
        capture_output=True, text=True, timeout=60, check=False)
    assert time.monotonic() - start < 30
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert re.match(r"new-essay: people/eve\.md:[23]: ", run.stderr), run.stderr
    assert "aliases" in run.stderr or "nested more than" in run.stderr
    assert (root / "essays" / "a-title.md").exists()


# -- what content may do ------------------------------------------------------------------------

IMPORTED = """---
title: "Patients as Partners: What the Blog Taught Us"
date: 2016-03-04
authors:
  - id: ann-example
    position: Professor
themes: [ios]
tags: [patient involvement, NHS]
---

<!-- wp:heading -->
## A heading
<!-- /wp:heading -->

Text with *emphasis*, **strong** words and a [link](https://www.example.org/page?x=1&y=2)
and another to [an http page](http://example.com/) and [e-mail](mailto:someone@example.org).

- a list item
- another, citing a work.{footcite}`smith2001`

1. first
2. second

> A block quote
> over two lines.

![A chart of admissions by month](https://blog.example.org/wp-content/uploads/2016/03/chart.png)

### A sub-heading

A local picture: ![a dot](images/dot.png), and a link to
[the other essay](good.md), the {theme}`ios` theme and [a section](#a-heading).

```{footbibliography}
```
"""


def test_an_imported_blog_essay_passes(tmp_path: Path) -> None:
    """Everything the WordPress importer writes is allowed: no warning at all.

    HTML comments (WordPress marks its blocks with them) show nothing, so
    they are simply left out of the page.
    """
    built = attack(tmp_path, {"essays/imported.md": IMPORTED})
    assert built.warnings == ""
    out = html(built, "essays/imported")
    assert "wp:heading" not in out
    assert 'src="https://blog.example.org/wp-content/uploads/2016/03/chart.png"' in out
    assert 'alt="A chart of admissions by month"' in out
    assert 'href="https://www.example.org/page?x=1&amp;y=2"' in out
    assert (built.outdir / "_images" / "dot.png").exists()


def test_the_real_site_passes(site_html: tuple[Path, str]) -> None:
    assert site_html[1] == ""


def test_a_rule_can_be_relaxed_by_name(tmp_path: Path) -> None:
    built = attack(tmp_path, {"essays/bad.md": page("## Text\n\n{math}`e^{i\\pi} + 1 = 0`\n")},
                   confoverrides={"kb_policy_allow": ["math"]})
    assert built.warnings == ""
    assert "math" in html(built, "essays/bad")


def test_an_unknown_rule_name_is_reported(tmp_path: Path) -> None:
    built = attack(tmp_path, {}, confoverrides={"kb_policy_allow": ["maths"]})
    lines = built.warning_lines()
    assert len(lines) == 1 and "unknown rule 'maths'" in lines[0]
    assert "math" in lines[0].split("the rules are:")[1]


def test_make_html_fails_on_a_refusal(tmp_path: Path) -> None:
    """As ``make html`` runs it: exit status 1, the message, no traceback."""
    import subprocess

    src = make_root(tmp_path / "src", {"essays/bad.md": page(
        "## Text\n\n```{include} ../../secret.txt\n```\n")}, base=BASE)
    run = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going",
                          "-n", "-q", str(src), str(tmp_path / "out")],
                         capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO / "_ext")})
    assert run.returncode == 1
    assert "essays/bad.md:10: WARNING: 'include' cannot be used" in run.stderr
    assert "Traceback" not in run.stderr


# -- safe replacements for raw HTML -------------------------------------------------------------

VIDEO = "```{{video}} {address}\n:title: {title}\n```\n"


@pytest.mark.parametrize(("address", "player"), [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
])
def test_video_from_an_allowed_host(tmp_path: Path, address: str, player: str) -> None:
    from bs4 import BeautifulSoup

    title = "Patients <b>talk</b> & care"
    built = attack(tmp_path, {"essays/bad.md": page(
        "## Text\n\n" + VIDEO.format(address=address, title=title))})
    assert built.warnings == ""
    soup = BeautifulSoup(html(built, "essays/bad"), "html.parser")
    frame = soup.find("iframe")
    assert frame["src"] == player and frame["title"] == title
    assert soup.find("b") is None
    link = soup.find("figure", class_="kb-video").find("a")
    assert link["href"] == address and link.get_text() == title


@pytest.mark.parametrize("address", [
    "https://evil.example/watch?v=dQw4w9WgXcQ",
    "http://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com/watch?v=x\"onload=\"alert(1)",
    "javascript:alert(1)",
])
def test_video_from_elsewhere_is_refused(tmp_path: Path, address: str) -> None:
    built = attack(tmp_path, {"essays/bad.md": page(
        "## Text\n\n" + VIDEO.format(address=address, title="A video"))})
    refused(built, "essays/bad.md", 10, "is not one the site can show", "YouTube or Vimeo")
    assert "<iframe" not in html(built, "essays/bad")


def test_video_needs_a_title(tmp_path: Path) -> None:
    built = attack(tmp_path, {"essays/bad.md": page(
        "## Text\n\n```{video} https://youtu.be/dQw4w9WgXcQ\n```\n")})
    refused(built, "essays/bad.md", 10, "needs ':title: what it shows'")


def test_video_is_a_plain_link_in_the_pdf(tmp_path: Path) -> None:
    built = attack(tmp_path, {"essays/bad.md": page(
        "## Text\n\n" + VIDEO.format(address="https://youtu.be/dQw4w9WgXcQ",
                                      title="A video"))}, builder="latex")
    assert built.warning_lines() == []
    tex = "".join(p.read_text(encoding="utf-8") for p in built.outdir.glob("*.tex"))
    assert "\\sphinxhref{https://youtu.be/dQw4w9WgXcQ}{A video}" in tex
    assert "iframe" not in tex


def test_feed_link_is_relative_on_the_web(site: Path) -> None:
    """The home page's feed link, written without HTML, reaches atom.xml."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    link = soup.find("a", class_="kb-feed-link")
    assert link.get_text() == "Atom feed"
    assert (site / link["href"]).resolve() == (site / "atom.xml").resolve()


def test_the_staff_guide_and_readme_say_what_content_may_do() -> None:
    """Every rule a maintainer can relax is named in the staff guide."""
    from kb.policy import RULES

    guide = (REPO / "writing.md").read_text(encoding="utf-8")
    section = guide[guide.index("## What content may do"):guide.index("## Previewing")]
    for rule in RULES:
        assert f"`{rule}`" in section, rule
    for example in ("kb_policy_allow", "{video}", "{feed}", "kb_max_page_bytes"):
        assert example in section, example
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## What content may do" in readme and "_ext/kb/policy.py" in readme


def test_feed_link_is_the_full_address_in_the_pdf(tmp_path: Path) -> None:
    body = page("## Text\n\nFollow the {feed}`Atom feed`.\n")
    built = attack(tmp_path / "a", {"essays/bad.md": body}, builder="latex",
                   confoverrides={"html_baseurl": "https://kb.example.org/kb/"})
    assert built.warning_lines() == []
    tex = "".join(p.read_text(encoding="utf-8") for p in built.outdir.glob("*.tex"))
    assert "\\sphinxhref{https://kb.example.org/kb/atom.xml}{Atom feed}" in tex
    plain = attack(tmp_path / "b", {"essays/bad.md": body})  # no address: no feed, no link
    assert "Atom feed" in html(plain, "essays/bad")
    assert "atom.xml" not in html(plain, "essays/bad")
