""""How to cite this essay": the house-style citation and a BibTeX entry.

The essay page marks the place when it is read (after the reference
list); the block is made when the page is written, because authors'
names live on their person pages, which may be read after the essay. It
is built from standard docutils nodes, so every builder renders it; the
funders' PDF leaves it out (it is an aid for web readers, and a BibTeX
block in every chapter of a bound document reads as clutter). Sphinx's
search skips it (class ``no-search``): otherwise every essay would match
the site's own name.

Nothing is invented: an undated essay is cited without a year, and the
web address appears only when ``html_baseurl`` is set.

On the web site the block also links the entry as files to download,
written beside the page (``essays/<slug>.bib``, ``.ris``, ``.json`` in
CSL-JSON), and the build writes every essay in one ``references.bib``,
``references.ris`` and ``references.json`` at the site's root, for
funders' output reporting and for importing the whole knowledge base.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from pathlib import Path
from typing import Any

from docutils import nodes
from pybtex.database import Person
from pybtex.exceptions import PybtexError
from sphinx.application import Sphinx

from .citeformats import csl_item, csl_json, ris_record
from .domain import kb_domain
from .essaymeta import doi_url, essay_meta
from .models import Essay
from .vancouver import format_names
from .website import page_url, site_builder, site_essay

HEADING = "How to cite this essay"


class cite_this(nodes.General, nodes.Element):  # noqa: N801 - docutils style
    """Where the block goes; ``docname`` names the essay (PDFs merge pages)."""


def add_cite_this(container: nodes.Element, docname: str) -> None:
    """Called by the essay page transform: the block goes at the very end."""
    container += cite_this(docname=docname)


def _person(name: str) -> Person | None:
    try:
        return Person(name)
    except PybtexError:  # e.g. unbalanced braces: print the name as written
        return None


def vancouver_names(names: list[str]) -> str:
    """``Currie G, van der Berg JP``: the house style's author list."""
    persons = [_person(name) for name in names]
    if all(p is not None for p in persons):
        return format_names(persons)
    return ", ".join(names)


def _as_sentence(text: str) -> str:
    """The text ending in ``.``, ``?`` or ``!``, as written otherwise.

    Unlike ``vancouver._close_block`` for refs.bib's fields, a title's own
    ``:`` or ``,`` is kept: front matter is what staff wrote on purpose.
    """
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def citation_text(names: list[str], essay: Essay, site: str) -> str:
    """``Authors. Title. Site. Year.`` as the house style prints a report."""
    parts = [_as_sentence(vancouver_names(names))] if names else []
    parts.append(_as_sentence(essay.title))
    parts.append(_as_sentence(site))
    if essay.date:
        parts.append(essay.date[:4] + ".")
    return " ".join(parts)


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
    "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_RE = re.compile("[" + re.escape("".join(_BIBTEX_SPECIAL)) + "]")


def bibtex_escape(text: str) -> str:
    """Text as a BibTeX field value: braces balanced, TeX specials escaped."""
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group()], " ".join(text.split()))


def bibtex_name(name: str) -> str:
    """``Currie, Graeme``: unambiguous to BibTeX whatever the name's shape."""
    person = _person(name)
    return bibtex_escape(str(person) if person is not None else name)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.casefold())


def bibtex_key(names: list[str], essay: Essay) -> str:
    """``currie2019-slug``: first author's surname, year if known, the slug."""
    person = _person(names[0]) if names else None
    surname = _ascii_word(" ".join(person.last_names)) if person is not None else ""
    year = essay.date[:4] if essay.date else ""
    slug = essay.docname.rpartition("/")[2]
    return f"{surname}{year}-{slug}" if surname or year else slug


def bibtex_entry(names: list[str], essay: Essay, site: str, url: str) -> str:
    """A ``@misc`` entry any BibTeX or biblatex style accepts."""
    fields = []
    if names:
        fields.append(("author", " and ".join(bibtex_name(n) for n in names)))
    # Double braces keep the title's capitalisation, as the house style does.
    fields.append(("title", "{" + bibtex_escape(essay.title) + "}"))
    fields.append(("howpublished", bibtex_escape(site)))
    if essay.date:
        fields.append(("year", essay.date[:4]))
    if essay.doi:
        fields.append(("doi", bibtex_escape(essay.doi)))
    if url:
        fields.append(("url", url.replace("{", "%7B").replace("}", "%7D")))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(names, essay)},\n{body}\n}}"


def cite_block(app: Sphinx, essay: Essay) -> nodes.container:
    names = kb_domain(app.env).author_names(essay)
    site = app.config.project
    url = page_url(app, essay.docname)
    block = nodes.container(classes=["kb-citethis", "no-search"])
    block += nodes.rubric(HEADING, HEADING, classes=["kb-citethis-title"])
    para = nodes.paragraph(classes=["kb-citethis-text"])
    para += nodes.Text(citation_text(names, essay, site))
    if essay.doi:  # the house style: a DOI replaces the web address
        para += nodes.Text(" doi:")
        para += nodes.reference(essay.doi, essay.doi, refuri=doi_url(essay.doi))
    elif url:
        para += nodes.Text(" Available from: ")
        para += nodes.reference(url, url, refuri=url)
    block += para
    label = "BibTeX entry:"
    block += nodes.paragraph(label, label, classes=["kb-citethis-label"])
    entry = bibtex_entry(names, essay, site, url)
    block += nodes.literal_block(entry, entry, language="bibtex",
                                 classes=["kb-citethis-bibtex"])
    if site_builder(app) is not None:
        block += download_links(app, essay.docname)
    return block


#: The files offered for download beside each essay page: (suffix, label).
DOWNLOADS = ((".bib", "BibTeX"), (".ris", "RIS"), (".json", "CSL-JSON"))
SITE_FILES = "references"  # references.bib, .ris, .json at the site's root


def download_links(app: Sphinx, docname: str) -> nodes.paragraph:
    """``Download: BibTeX · RIS · CSL-JSON``, relative to the page."""
    folder = posixpath.dirname(app.builder.get_target_uri(docname))
    para = nodes.paragraph(classes=["kb-citethis-downloads"])
    para += nodes.Text("Download: ")
    for index, (suffix, label) in enumerate(DOWNLOADS):
        if index:
            para += nodes.Text(" · ")
        href = posixpath.relpath(docname + suffix, folder or ".")
        para += nodes.reference(label, label, refuri=href)
    return para


def essay_files(app: Sphinx, essay: Essay) -> dict[str, str]:
    """The essay's citation in each downloadable format: suffix -> text."""
    names = kb_domain(app.env).author_names(essay)
    url = page_url(app, essay.docname)
    key = bibtex_key(names, essay)
    meta = essay_meta(app, essay)
    return {".bib": bibtex_entry(names, essay, app.config.project, url) + "\n",
            ".ris": ris_record(meta), ".json": csl_json([csl_item(meta, key)])}


def write_essay_files(app: Sphinx, pagename: str, templatename: str,
                      context: dict[str, Any], doctree: nodes.document | None) -> None:
    essay = site_essay(app, pagename)
    if essay is None:
        return
    for suffix, text in essay_files(app, essay).items():
        path = Path(app.outdir, pagename + suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_missing_essay_files(app: Sphinx) -> None:
    """Files of pages not written this time that lack them (a new output folder)."""
    out = Path(app.outdir)
    for docname, essay in kb_domain(app.env).essays.items():
        if not all((out / (docname + suffix)).is_file() for suffix, _ in DOWNLOADS):
            for suffix, text in essay_files(app, essay).items():
                (out / (docname + suffix)).parent.mkdir(parents=True, exist_ok=True)
                (out / (docname + suffix)).write_text(text, encoding="utf-8")


def remove_stale_files(app: Sphinx) -> None:
    """Downloads of essays that were deleted or renamed since the last build."""
    folder = Path(app.outdir, app.config.kb_essays_dir)
    if not folder.is_dir():
        return
    essays = kb_domain(app.env).essays
    suffixes = {suffix for suffix, _ in DOWNLOADS} | {".pdf"}  # PDFs: kb.essaypdf
    for path in folder.iterdir():
        docname = f"{app.config.kb_essays_dir}/{path.stem}"
        if path.suffix in suffixes and path.is_file() and docname not in essays:
            path.unlink()


def write_site_files(app: Sphinx, exception: BaseException | None) -> None:
    """Every essay, newest first, in one file per format (complete after any build)."""
    if exception is not None or site_builder(app) is None:
        return
    remove_stale_files(app)
    write_missing_essay_files(app)
    bib, ris, csl = [], [], []
    domain = kb_domain(app.env)
    for essay in domain.essays_sorted():
        names = domain.author_names(essay)
        bib.append(bibtex_entry(names, essay, app.config.project,
                                page_url(app, essay.docname)))
        meta = essay_meta(app, essay)
        ris.append(ris_record(meta))
        csl.append(csl_item(meta, bibtex_key(names, essay)))
    out = Path(app.outdir)
    (out / f"{SITE_FILES}.bib").write_text("\n\n".join(bib) + "\n", encoding="utf-8")
    (out / f"{SITE_FILES}.ris").write_text("\n".join(ris), encoding="utf-8")
    (out / f"{SITE_FILES}.json").write_text(csl_json(csl), encoding="utf-8")


def fill_cite_this(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Make each essay's block; drop it from the funders' PDF.

    On ``doctree-resolved``, which every builder emits for every tree it
    writes, including a PDF's tree with its essays inlined.
    """
    essays = kb_domain(app.env).essays
    for node in list(doctree.findall(cite_this)):
        essay = essays.get(node["docname"])
        if app.builder.format == "latex" or essay is None:
            node.parent.remove(node)
        else:
            node.replace_self(cite_block(app, essay))


def setup_citethis(app: Sphinx) -> None:
    app.add_node(cite_this)
    app.connect("doctree-resolved", fill_cite_this)
    app.connect("html-page-context", write_essay_files)
    app.connect("build-finished", write_site_files)
