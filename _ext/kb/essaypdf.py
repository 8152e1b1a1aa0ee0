"""One PDF per essay, beside its web page (``essays/<slug>.pdf``).

Readers and Google Scholar want a PDF of the single essay (Scholar's
``citation_pdf_url`` must name one in the page's own folder). ``make
latexpdf`` builds them with the funders' PDFs:

* at ``config-inited``, one ``latex_documents`` entry per essay
  (``essay-<slug>.tex``, Sphinx's "howto" class: the title with the authors
  on the line below, then the essay, its funding statement and its
  reference list), titles and names read from the front matter because the
  document list must be known before any page is read;
* after the build, every ``.tex`` whose text did not change gets its old
  modification time back, so the ``make all-pdf`` step recompiles only
  the PDFs whose essay, authors' or themes' names or cited works changed
  (each is in the ``.tex`` text): one edit at 100 essays compiles one
  essay, not a hundred (``bench/PDF.md``);
* ``make latexpdf`` then copies each essay's PDF to ``_build/html/essays``.

On the web page, a "Download PDF" link and ``citation_pdf_url`` name the
PDF when it is there, beside the page (so no link is ever dangling; ``make
latexpdf`` builds the HTML again after copying the PDFs, which rewrites
just the pages whose PDF appeared); ``kb_essay_pdf = False`` turns the
links off.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import texescape

from . import folderstamps
from .domain import kb_domain
from .folders import documents_with
from .frontmatter import read_data
from .website import page_url

PREFIX = "essay-"
ESSAYS = "essays"  # kb_pdf_set: the essays' own PDFs instead of the funders' ones
TEX_STATE = "kb-tex-state.json"  # in the doctree folder (not an output)


HAS_PDF = "kb_has_pdf"  # env.metadata[docname]: whether the page linked its PDF


def has_pdf(app: Sphinx, docname: str) -> bool:
    """Whether the web page may link the essay's PDF: it is there, beside the page."""
    return (app.builder.name == "html" and app.config.kb_essay_pdf
            and Path(app.outdir, docname).with_suffix(".pdf").is_file())


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def essay_documents(srcdir: Path, config: Config) -> list[tuple[str, str, str, str, str]]:
    """(start, target, title, authors, class) for each essay; broken pages use their slug.

    Reading the page reports what is wrong with it; here nothing is checked.
    """
    names: dict[str, str] = {}
    for path in sorted((srcdir / config.kb_people_dir).glob("*.md")):
        names[path.stem] = _text(read_data(path).get("name")) or path.stem
    engine = config.latex_engine
    docs = []
    for path in sorted((srcdir / config.kb_essays_dir).glob("*.md")):
        if path.stem == "index":
            continue
        data = read_data(path)
        listed = data.get("authors")
        authors: list[Any] = listed if isinstance(listed, list) else []
        ids = [a.get("id") if isinstance(a, dict) else a for a in authors]
        people = [names.get(i, i) for i in ids if isinstance(i, str) and i]
        title = _text(data.get("title")) or path.stem.replace("-", " ")
        docs.append((f"{config.kb_essays_dir}/{path.stem}", f"{PREFIX}{path.stem}.tex",
                     texescape.escape(title, engine),
                     texescape.escape(", ".join(people), engine), "howto"))
    return docs


def add_essay_documents(app: Sphinx, config: Config) -> None:
    """With ``-D kb_pdf_set=essays``, the LaTeX build makes the essays' PDFs only."""
    if config.kb_pdf_set != ESSAYS:
        return
    texescape.init()
    config.latex_documents = essay_documents(Path(app.srcdir), config)
    # An article: title and authors on the first page, no contents page.
    config.latex_elements = {**config.latex_elements, "maketitle": r"\maketitle",
                             "tableofcontents": ""}


def keep_unchanged_tex_times(app: Sphinx, exception: BaseException | None) -> None:
    """A ``.tex`` written again with the same text keeps its old time.

    ``make all-pdf`` compiles a PDF when its ``.tex`` is newer; Sphinx's
    LaTeX builder rewrites every document on every build.
    """
    if exception is not None or app.builder.name != "latex":
        return
    out = Path(app.outdir)
    if app.config.kb_pdf_set == ESSAYS:  # a deleted essay leaves no PDF behind
        wanted = {target for _, target, *_ in app.config.latex_documents}
        for tex in out.glob(f"{PREFIX}*.tex"):
            if tex.name not in wanted:
                for stale in (tex, tex.with_suffix(".pdf")):
                    stale.unlink(missing_ok=True)
    state_file = Path(app.doctreedir, TEX_STATE)
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    new_state = {}
    for tex in sorted(out.glob("*.tex")):
        digest = hashlib.sha256(tex.read_bytes()).hexdigest()
        old = state.get(tex.name)
        if old and old[0] == digest:
            os.utime(tex, ns=(old[1], old[1]))
        new_state[tex.name] = [digest, tex.stat().st_mtime_ns]
    state_file.write_text(json.dumps(new_state, sort_keys=True), encoding="utf-8")


def pdf_name(docname: str) -> str:
    return docname.rpartition("/")[2] + ".pdf"


def pdf_url(app: Sphinx, docname: str) -> str:
    """Absolute address of the essay's PDF, in the page's folder (html builder)."""
    page = page_url(app, docname)
    return page.rpartition("/")[0] + "/" + pdf_name(docname) if page else ""


def add_pdf_link(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """"Download PDF" in the author block of essay pages on the web site."""
    if docname not in kb_domain(app.env).essays or not has_pdf(app, docname):
        return
    byline = next((n for n in doctree.findall(nodes.container)
                   if "kb-byline" in n["classes"]), None)
    if byline is None:
        return
    para = nodes.paragraph(classes=["kb-pdf"])
    para += nodes.reference("Download PDF", "Download PDF", refuri=pdf_name(docname))
    byline += para


def pdf_head_tag(app: Sphinx, pagename: str, templatename: str,
                 context: dict[str, Any], doctree: nodes.document | None) -> None:
    """``citation_pdf_url``: Google Scholar's pointer to the full text."""
    if pagename not in kb_domain(app.env).essays or not has_pdf(app, pagename):
        return
    url = pdf_url(app, pagename)
    if url:
        context["metatags"] = context.get("metatags", "") + (
            f'<meta name="citation_pdf_url" content="{html.escape(url, quote=True)}" />\n')


def note_pdf(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    if docname in kb_domain(app.env).essays:
        app.env.metadata[docname][HAS_PDF] = has_pdf(app, docname)


#: The record (:mod:`kb.folderstamps`) of the folders of essays' pages.
OUTPUTS = "essay-outputs"


def _output_folders(app: Sphinx) -> list[str]:
    # Joined once per folder, not per essay (0.015 s at 10,000).
    folders = {docname.rpartition("/")[0] for docname in kb_domain(app.env).essays}
    return sorted(os.path.join(app.outdir, folder) for folder in folders)


def _outputs_context(app: Sphinx) -> str:
    return f"kb_essay_pdf={bool(app.config.kb_essay_pdf)}"


def outputs_unchanged(app: Sphinx) -> bool:
    """No file was added to or removed from the folders of essays' pages
    (a PDF, a download) since the end of the last web build."""
    return folderstamps.unchanged(app, OUTPUTS, _output_folders(app),
                                  _outputs_context(app)) is not None


def note_outputs(app: Sphinx, exception: BaseException | None) -> None:
    """At the end of a web build, every essay's page as it links its PDF:
    the folders' times, for :func:`outputs_unchanged`."""
    if exception is not None or app.builder.name != "html":
        return
    folderstamps.record(app, OUTPUTS, folderstamps.folder_times(_output_folders(app)),
                        _outputs_context(app))


def pdf_appeared(app: Sphinx, env: Any, added: set[str], changed: set[str],
                 removed: set[str]) -> list[str]:
    """Essays whose PDF was made (or removed) since their page was written."""
    if app.builder.name != "html" or outputs_unchanged(app):
        return []
    pdfs = _pdfs(app, kb_domain(env).essays) if app.config.kb_essay_pdf else set()
    return [docname for docname in kb_domain(env).essays
            if docname not in changed and docname not in removed
            and env.metadata.get(docname, {}).get(HAS_PDF) != (docname in pdfs)]


def _pdfs(app: Sphinx, docnames: Iterable[str]) -> set[str]:
    """Which of ``docnames`` have a PDF beside their page (:func:`has_pdf`),
    one folder listing each instead of one file lookup per essay."""
    return documents_with(os.fspath(app.outdir), docnames,
                          lambda name, names: pdf_file_name(name) in names)


def pdf_file_name(name: str) -> str:
    """``PurePosixPath(name).with_suffix(".pdf").name`` without a path
    object per essay (0.05 s of each build at 10,000 essays)."""
    dot = name.rfind(".")
    return (name[:dot] if 0 < dot < len(name) - 1 else name) + ".pdf"
