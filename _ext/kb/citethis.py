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

import contextlib
import os
import pickle
import posixpath
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from pybtex.database import Person
from pybtex.exceptions import PybtexError
from sphinx.application import Sphinx

from . import essaypdf, rebuilds
from .citeformats import csl_item, csl_json_of, csl_list_item, ris_record
from .domain import kb_domain
from .essaymeta import doi_url, essay_meta
from .folders import documents_with
from .models import Essay
from .nodes import cite_this
from .state import build_state
from .vancouver import format_names
from .website import page_url, site_builder, site_essay

HEADING = "How to cite this essay"


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


#: Beside the doctrees: each essay's entry in the site-wide files, as last
#: written, so that a build remakes only the entries of the pages it wrote.
SITE_RECORDS = "kb-citethis.pickle"
#: Beside it while a build holds its entries (none trusted after a stop).
HELD_SUFFIX = ".held"
#: An essay's entry in the three formats: BibTeX, RIS, CSL-JSON item (as
#: printed in the list, :func:`~kb.citeformats.csl_list_item`).
SiteRecord = tuple[str, str, str]
_RECORDS_FORMAT = 1  # bump when SiteRecord changes


def site_record(app: Sphinx, essay: Essay) -> SiteRecord:
    """The essay's citation in the downloadable formats (RIS and CSL-JSON
    do not list the works it cites, so those are not formatted)."""
    names = kb_domain(app.env).author_names(essay)
    url = page_url(app, essay.docname)
    meta = essay_meta(app, essay, cited=False)
    return (bibtex_entry(names, essay, app.config.project, url), ris_record(meta),
            csl_list_item(csl_item(meta, bibtex_key(names, essay))))


def essay_files(app: Sphinx, essay: Essay) -> dict[str, str]:
    """The essay's citation in each downloadable format: suffix -> text."""
    bib, ris, csl = _site_records(app)[essay.docname] = site_record(app, essay)
    return {".bib": bib + "\n", ".ris": ris, ".json": csl_json_of([csl])}


def _site_records(app: Sphinx) -> dict[str, SiteRecord]:
    """The entries as last written, taken off the disk at first use.

    A build that stops before :func:`write_site_files` saves them again
    leaves none, so the next one makes every entry afresh instead of
    trusting entries of pages it may have rewritten since. The file is
    moved aside (:data:`HELD_SUFFIX`) rather than deleted, so that a build
    whose entries all stayed as loaded moves it back instead of writing it.
    """
    state = build_state(app)
    records = state.cite_records
    if records is None:
        path = Path(app.doctreedir, SITE_RECORDS)
        held = path.with_name(path.name + HELD_SUFFIX)
        held.unlink(missing_ok=True)  # left by a build that stopped: not to trust
        try:
            path.replace(held)
            fingerprint, records = pickle.loads(held.read_bytes())
            if fingerprint != (_RECORDS_FORMAT, rebuilds.config_fingerprint(app)):
                records = {}
        except (OSError, pickle.UnpicklingError, ValueError, TypeError, EOFError):
            records = {}
        state.cite_records = records
        state.cite_loaded = dict(records) if records else None
    return records


def forget_written(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """An essay's page is about to be written: its entry is made again.

    In the main process before any page is written, so that a parallel
    build (which writes pages in other processes, whose entries are lost)
    never keeps an entry of the page as it was.
    """
    if site_builder(app) is not None:
        _site_records(app).pop(docname, None)


def write_essay_files(app: Sphinx, pagename: str, templatename: str,
                      context: dict[str, Any], doctree: nodes.document | None) -> None:
    essay = site_essay(app, pagename)
    if essay is None:
        return
    for suffix, text in essay_files(app, essay).items():
        path = Path(app.outdir, pagename + suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_missing_essay_files(app: Sphinx, docnames: Iterable[str]) -> None:
    """Files of pages not written this time that lack them (a new output folder).

    One listing of each folder, not a file lookup per essay and format, and
    none when no file was added to or removed from them since the last build.
    """
    if essaypdf.outputs_unchanged(app):
        return
    out = Path(app.outdir)
    essays = kb_domain(app.env).essays
    docnames = list(docnames)
    complete = documents_with(os.fspath(out), docnames, lambda name, names: all(
        name + suffix in names for suffix, _ in DOWNLOADS))
    for docname in docnames:
        if docname in complete:
            continue
        for suffix, text in essay_files(app, essays[docname]).items():
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
    """Every essay, newest first, in one file per format (complete after any build).

    Only the entries of essays whose pages this build wrote are made again
    (the others are kept from the last build, :data:`SITE_RECORDS`), and
    nothing is done when no page was written or removed.
    """
    if exception is not None or site_builder(app) is None:
        return
    out = Path(app.outdir)
    paths = [out / f"{SITE_FILES}{suffix}" for suffix in (".bib", ".ris", ".json")]
    records = _site_records(app)
    loaded = build_state(app).cite_loaded  # what the files on disk hold
    current = set(kb_domain(app.env).essays)
    write_missing_essay_files(app, sorted(current))
    if rebuilds.is_current(app, "citethis") and all(p.is_file() for p in paths) \
            and records.keys() == current:
        _save_site_records(app, records)
        return
    if loaded is not None and loaded.keys() == current and all(p.is_file() for p in paths):
        for docname in current - records.keys():  # pages written, in any process
            records[docname] = site_record(app, kb_domain(app.env).essays[docname])
        if all(records[docname] == entry for docname, entry in loaded.items()):
            # Pages written again, their entries unchanged (a text edit): the
            # same essays in the same order (titles, dates and addresses are
            # in the entries), so the files would be written as they are,
            # and so would the entries' own file (moved back).
            build_state(app).cite_records = build_state(app).cite_loaded = None
            path = Path(app.doctreedir, SITE_RECORDS)
            with contextlib.suppress(OSError):
                path.with_name(path.name + HELD_SUFFIX).replace(path)
            rebuilds.remember(app, "citethis")
            return
    if records.keys() != current:  # essays removed, or no records (a first build)
        remove_stale_files(app)
        for docname in records.keys() - current:
            del records[docname]
    essays = kb_domain(app.env).essays_sorted()  # sorted only for files written
    for essay in essays:
        if essay.docname not in records:
            records[essay.docname] = site_record(app, essay)
    entries = [records[essay.docname] for essay in essays]
    paths[0].write_text("\n\n".join(bib for bib, _, _ in entries) + "\n", encoding="utf-8")
    paths[1].write_text("\n".join(ris for _, ris, _ in entries), encoding="utf-8")
    paths[2].write_text(csl_json_of([csl for _, _, csl in entries]), encoding="utf-8")
    _save_site_records(app, records)
    rebuilds.remember(app, "citethis")


def _save_site_records(app: Sphinx, records: dict[str, SiteRecord]) -> None:
    build_state(app).cite_records = None
    build_state(app).cite_loaded = None
    path = Path(app.doctreedir, SITE_RECORDS)
    path.with_name(path.name + HELD_SUFFIX).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # only a cache
        path.write_bytes(pickle.dumps(((_RECORDS_FORMAT, rebuilds.config_fingerprint(app)),
                                       records), pickle.HIGHEST_PROTOCOL))


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
