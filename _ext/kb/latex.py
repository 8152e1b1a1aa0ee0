"""The funders' PDFs: the whole knowledge base, and one PDF per theme.

Essays are in no toctree (that keeps the HTML navigation small), so
Sphinx's LaTeX builder would find nothing to put in a PDF. Here:

* ``latex_documents`` is computed when conf.py leaves it at Sphinx's
  default: one document starting at the essays index, one per theme page;
* in a LaTeX build, the ``{essay-list}`` of the document's start page is
  replaced by the essays themselves (each a chapter, newest first) instead
  of a list of links, before cross-references are resolved, so links
  between essays of the same PDF work and links to pages that are not in
  it (people, other themes) become plain text;
* ``latex_elements`` gets the house layout (title page, contents, essays
  as chapters, no blank pages, each essay's title in the running footer,
  reference lists ragged-right); keys set in conf.py win. Fonts are
  Sphinx's xelatex default, GNU FreeFont, which covers the accented and
  other non-ASCII names staff write; ``make latexpdf`` fails on any
  character it lacks;
* each PDF gets its own metadata (``pdfinfo``'s Title, Author, Subject,
  Keywords) and a title-page date that is never the build's clock
  (:func:`edition_date`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex import LaTeXBuilder
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform

from ._compat import app_of, default_latex_documents, inline_all_toctrees, texescape
from .domain import kb_domain
from .frontmatter import read_data
from .gitdate import last_commit, source_date_epoch
from .models import Essay
from .nodes import kb_listing
from .pdf_completeness import report_missing_from_pdf

#: Title page: the document's title (the knowledge base's or the theme's
#: name), the "author" line under it, and ``\kbdate`` (:func:`edition_date`,
#: never the build time that Sphinx's ``\date`` would give).
TITLE_PAGE = r"""
\makeatletter
\newcommand{\kbtitlepage}{%
  \begin{titlepage}%
    \centering
    \vspace*{0.3\textheight}%
    {\sffamily\bfseries\Huge\color{TitleColor} \@title\par}%
    \vspace{2em}%
    {\sffamily\Large \@author\par}%
    \vfill
    {\large \kbdate\par}%
  \end{titlepage}%
}
\makeatother
"""

#: Essays as chapters without "Chapter N" banners; only essays in the
#: contents; the author/role block set off in italics under the title.
PREAMBLE = r"""
\titleformat{\chapter}[hang]%
  {\normalfont\sffamily\LARGE\bfseries\raggedright\color{TitleColor}}%
  {\thechapter.}{0.5em}{}
\titlespacing*{\chapter}{0pt}{0pt}{1.2em}
\geometry{headheight=14pt}
\setcounter{secnumdepth}{0}
\setcounter{tocdepth}{0}
\newenvironment{sphinxclasskb-byline}{\itshape\raggedright}{\par\medskip}
\newenvironment{sphinxclasskb-references}{\raggedright}{\par}
"""

#: The running footer shows the essay's title (``\kbrunningtitle``, set at
#: each chapter by :class:`InlineEssays`), not Sphinx's ``\rightmark``, which
#: is the last section heading; the header shows the PDF's title.
RUNNING_FOOTER = r"""
\newcommand{\kbrunningtitle}{}
\makeatletter
\fancypagestyle{normal}{%
  \fancyhf{}%
  \fancyfoot[RO]{{\py@HeaderFamily\thepage}}%
  \fancyfoot[LO]{{\py@HeaderFamily\kbrunningtitle}}%
  \fancyhead[RO]{{\py@HeaderFamily\@title}}%
  \renewcommand{\headrulewidth}{0.4pt}%
  \renewcommand{\footrulewidth}{0.4pt}%
}
\makeatother
"""


def epoch_date() -> str:
    """The date of SOURCE_DATE_EPOCH, or none: a PDF never shows build time."""
    epoch = source_date_epoch()
    return "" if epoch is None else human_date(epoch.date())


def house_elements(engine: str) -> dict[str, str]:
    """The ``latex_elements`` the knowledge base uses unless conf.py says otherwise."""
    elements = {
        "papersize": "a4paper",
        "pointsize": "11pt",
        # One-sided, chapters start on the next page: no blank pages.
        "extraclassoptions": "openany,oneside",
        "fncychap": "",
        "releasename": "",
        "makeindex": "",
        "printindex": "",
        "preamble": "\\newcommand{\\kbdate}{%s}" % texescape.escape(epoch_date())
                    + TITLE_PAGE + PREAMBLE + RUNNING_FOOTER,
        "maketitle": r"\kbtitlepage",
    }
    if engine in ("xelatex", "lualatex"):
        elements["cmappkg"] = ""  # a pdfTeX package; these engines map Unicode
    return elements


def slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.casefold()))


def theme_titles(srcdir: Path, themes_dir: str) -> dict[str, str]:
    """Theme slug -> title, from the theme pages' front matter.

    Read here because ``latex_documents`` must be known before Sphinx reads
    any document; a page whose front matter is broken falls back to its
    slug (reading it reports the error with file and line).
    """
    titles: dict[str, str] = {}
    for path in sorted((srcdir / themes_dir).glob("*.md")):
        if path.stem == "index":
            continue
        title = path.stem
        data = read_data(path)
        if isinstance(data.get("title"), str) and data["title"].strip():
            title = data["title"].strip()
        titles[path.stem] = title
    return titles


def pdf_documents(app: Sphinx, config: Config) -> list[tuple[str, str, str, str, str]]:
    """The whole knowledge base, then one document per theme."""
    engine = config.latex_engine
    prefix = config.kb_pdf_prefix or slug(config.author) or slug(config.project)
    author = texescape.escape(config.author, engine)
    project = texescape.escape(config.project, engine)
    docs = [(f"{config.kb_essays_dir}/index", f"{prefix}-knowledge-base.tex",
             project, author, "manual")]
    for theme, title in theme_titles(Path(app.srcdir), config.kb_themes_dir).items():
        docs.append((f"{config.kb_themes_dir}/{theme}", f"{prefix}-{theme}.tex",
                     texescape.escape(title, engine), project, "manual"))
    return docs


def configure_latex(app: Sphinx, config: Config) -> None:
    """Fill in the PDF settings conf.py leaves at Sphinx's defaults."""
    texescape.init()  # the LaTeX builder fills the escape tables only later
    if config.latex_documents == default_latex_documents(config):
        config.latex_documents = pdf_documents(app, config)
    config.latex_elements = {**house_elements(config.latex_engine), **config.latex_elements}


def _in_inlined_document(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, addnodes.start_of_file):
            return True
        parent = parent.parent
    return False


def human_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def edition_date(srcdir: Path, essays: list[Essay]) -> str:
    """The title page's date: what the sources say, never the build's clock.

    SOURCE_DATE_EPOCH when set (the publishing workflow sets the last
    commit's time); else the last git commit of the sources; else, outside
    a git checkout, the date of the PDF's newest essay; else none.
    """
    if epoch_date():
        return epoch_date()
    committed = last_commit(srcdir)
    if committed is not None:
        return human_date(committed.date())
    dates = [e.date for e in essays if e.date]
    return human_date(dt.date.fromisoformat(max(dates))) if dates else ""


def pdf_info(builder: LaTeXBuilder, start: str, essays: list[Essay]) -> dict[str, str]:
    """``pdfinfo``'s fields for the PDF that starts at ``start`` (plain text).

    Title is the title page's (the knowledge base's or the theme's name),
    Author conf.py's ``author``; Subject says whose essays these are (the
    theme's, for a theme's PDF); Keywords are the themes' names and the
    essays' tags.
    """
    config = builder.config
    domain = kb_domain(builder.env)
    theme = next((t for t in domain.themes.values() if t.docname == start), None)
    project = config.project
    if theme is not None:
        title = theme.title
    elif start != f"{config.kb_essays_dir}/index" and start in builder.env.titles:
        title = builder.env.titles[start].astext()  # a document conf.py chose
    else:
        title = project
    subject = (f"{theme.title} ({theme.short}): essays of the {project}" if theme
               else f"Essays of the {project}")
    keywords: list[str] = []
    for essay in essays:
        for slug in essay.theme_slugs:
            if slug in domain.themes and (theme is None or slug == theme.slug):
                keywords.append(domain.themes[slug].title)
        keywords.extend(essay.tags)
    seen: dict[str, str] = {}
    for word in keywords:
        seen.setdefault(word.casefold(), word)
    return {"pdftitle": title, "pdfauthor": config.author or project, "pdfsubject": subject,
            "pdfkeywords": ", ".join(sorted(seen.values(), key=str.casefold))}


def document_preamble(builder: LaTeXBuilder, start: str, essays: list[Essay]) -> None:
    """This PDF's metadata and date, after the house preamble.

    Sphinx renders one preamble for all PDFs, from the builder's context,
    when it writes each; this post-transform runs just before that, once
    per PDF, so it sets the part that differs from one PDF to the next.
    """
    context = builder.context
    base = context.setdefault("kb_house_preamble", context.get("preamble", ""))
    engine = builder.config.latex_engine
    fields = ",\n  ".join(f"{key}={{{texescape.escape(value, engine)}}}"
                           for key, value in pdf_info(builder, start, essays).items())
    date = texescape.escape(edition_date(Path(builder.srcdir), essays), engine)
    context["preamble"] = (base + "\n\\renewcommand{\\kbdate}{%s}\n" % date
                           + "\\hypersetup{\n  %s}\n" % fields)


class InlineEssays(SphinxPostTransform):
    """In a PDF, the start page's essay list becomes the essays themselves.

    Runs before :class:`~kb.listings.FillListings` (5) and the references
    resolver (10), so the inlined essays' links and citation markers are
    resolved with the rest of the PDF. Listings anywhere else are left to
    ``FillListings``.
    """

    default_priority = 4
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        # Sphinx 9 deprecates ``self.app`` and offers post-transforms no public
        # way to the builder; its own ReferencesResolver reads ``env._app``.
        builder = app_of(self.env).builder
        if not isinstance(builder, LaTeXBuilder):
            return
        start = self.env.current_document.docname
        node = next((n for n in self.document.findall(kb_listing)
                     if n["kind"] == "essays" and not _in_inlined_document(n)), None)
        essays = self.essays_of(node, start) if node is not None else []
        document_preamble(builder, start, essays)
        if node is not None:
            self.inline(builder, start, node, essays)  # one copy of each essay per PDF

    def essays_of(self, node: kb_listing, start: str) -> list[Essay]:
        essays = kb_domain(self.env).essays_sorted()
        if node.get("theme"):
            essays = [e for e in essays if node["theme"] in e.theme_slugs]
        if node.get("person"):
            essays = [e for e in essays if node["person"] in e.person_ids]
        if node.get("limit"):
            essays = essays[: node["limit"]]
        return [e for e in essays if e.docname != start]

    def inline(self, builder: LaTeXBuilder, start: str, node: kb_listing,
               essays: list[Essay]) -> None:
        docnames = [e.docname for e in essays]
        if not docnames:  # FillListings says "No essays yet."
            return
        holder = nodes.document(self.document.settings, self.document.reporter)
        holder += addnodes.toctree(includefiles=docnames)
        inlined = inline_all_toctrees(builder, builder.docnames, start, holder,  # type: ignore[arg-type]
                                      lambda text: text, [start])
        if not node.get("limit") and not node.get("person"):
            # Nothing lost: every essay (of the theme) must now be in the PDF.
            report_missing_from_pdf(
                app_of(self.env),
                (sof["docname"] for sof in inlined.findall(addnodes.start_of_file)),
                f"built from {start}", theme=node.get("theme"))
        self.running_titles(inlined)
        # The heading that introduces the list on the web page would stand
        # alone before the first chapter.
        previous = node.previous_sibling()
        if isinstance(previous, nodes.rubric):
            previous.parent.remove(previous)
        # Essays are chapters: children of the page's top section, after all
        # of the page's own text (which introduce() heads).
        top = next((c for c in self.document.children if isinstance(c, nodes.section)),
                   self.document)
        node.parent.remove(node)
        top.extend(inlined.children)
        if any(t.docname == start for t in kb_domain(self.env).themes.values()):
            self.introduce(top)
        else:
            self.drop_own_text(top)

    def running_titles(self, inlined: nodes.Element) -> None:
        """Each essay's title for the running footer, set as its chapter starts."""
        engine = self.config.latex_engine
        for part in inlined.findall(addnodes.start_of_file):
            section = next(iter(part.findall(nodes.section)), None)
            if section is None or not isinstance(section[0], nodes.title):
                continue
            title = texescape.escape(section[0].astext(), engine)
            section.insert(1, nodes.raw(
                "", r"\renewcommand{\kbrunningtitle}{%s}" % title, format="latex"))

    def drop_own_text(self, top: nodes.Element) -> None:
        """The essays index's own text speaks of the website (its order, its
        list); in the PDF the contents page says what it holds. Without this,
        Sphinx sets that text, untitled, on a page of its own."""
        if not isinstance(top, nodes.section):
            return
        for child in list(top.children[1:]):
            if not isinstance(child, addnodes.start_of_file | nodes.raw):
                top.remove(child)

    def introduce(self, top: nodes.Element) -> None:
        """Head the theme page's own text, if any, as an unnumbered chapter.

        Sphinx uses the start page's title as the PDF's title and would set
        its text, untitled, on a page of its own before the first essay.
        """
        if not isinstance(top, nodes.section) or not isinstance(top[0], nodes.title):
            return
        own = [c for c in top.children[1:] if not isinstance(c, addnodes.start_of_file)]
        if not any(c.astext().strip() for c in own):
            return
        title = texescape.escape(top[0].astext(), self.config.latex_engine)
        heading = (rf"\chapter*{{{title}}}\markboth{{{title}}}{{{title}}}"
                   rf"\renewcommand{{\kbrunningtitle}}{{{title}}}")
        top.insert(1, nodes.raw("", heading, format="latex"))


class RaggedReferences(SphinxPostTransform):
    """Reference lists ragged-right: justified, a URL or DOI that cannot be
    broken leaves wide gaps between the words of its line."""

    default_priority = 11
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.enumerated_list)):
            if "kb-references" in node["classes"] and not isinstance(
                    node.parent, nodes.container):
                box = nodes.container(classes=["kb-references"])
                node.replace_self(box)
                box += node


class LinkTextInPDF(SphinxPostTransform):
    """Knowledge-base links keep their words in a PDF, in the text's font.

    A link to a page that is not in the PDF (a person, another theme)
    cannot be a link there and becomes its text; a link written without
    text has none until it is resolved, so it gets its target's title
    here. Runs after the listings are filled (5), before links are
    resolved (10).
    """

    default_priority = 9
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        domain = kb_domain(self.env)
        for node in self.document.findall(addnodes.pending_xref):
            if node.get("refdomain") != "kb" or not node.children:
                continue
            content = node[0]
            if isinstance(content, nodes.literal):  # roles' default: code font
                plain = nodes.inline(content.rawsource, "", *content.children,
                                     classes=content["classes"])
                node.replace(content, plain)
                content = plain
            if not node.get("refexplicit") and isinstance(content, nodes.Element):
                found = domain._target(node["reftype"], node["reftarget"])
                if found is not None:
                    content.children = []
                    content += nodes.Text(found[1])


#: Tagged PDF (``pdfinfo``: "Tagged: yes"): LaTeX's own route, which must
#: come before ``\documentclass``. With xelatex and TeX Live 2022 the
#: testphase tags paragraphs and links (phase-III gives "Tagged: no"), not
#: yet headings or lists. ``xmp=false``: the XMP packet would carry the
#: build time, read from the .log file, which makes latexmk complain.
DOCUMENT_METADATA = r"\DocumentMetadata{testphase=phase-II, pdfversion=1.7, xmp=false}"


def tag_pdfs(app: Sphinx, exception: BaseException | None) -> None:
    r"""Put ``\DocumentMetadata`` first in each PDF's LaTeX source.

    Sphinx's template has no place before ``\documentclass``; the line is
    added once the sources are written. Sphinx then finds each source
    changed and writes it again next time, and the line is added again:
    the bytes are the same from one build to the next.
    """
    if exception is not None or app.builder.name != "latex" or not app.config.kb_pdf_tagged:
        return
    for entry in app.config.latex_documents:
        tex = Path(app.outdir, entry[1])
        if not tex.is_file():
            continue
        text = tex.read_text(encoding="utf-8")
        if not text.startswith(r"\DocumentMetadata"):
            tex.write_text(DOCUMENT_METADATA + "\n" + text, encoding="utf-8")


def date_from_epoch_only(app: Sphinx) -> None:
    """Sphinx's ``\\date`` is the build day unless SOURCE_DATE_EPOCH is set.

    The LaTeX sources must not change from one day to the next, so without
    ``today`` in conf.py the date is SOURCE_DATE_EPOCH's or none at all (the
    title page shows ``\\kbdate``, :func:`edition_date`).
    """
    if app.builder.name == "latex" and not app.config.today:
        app.builder.context["date"] = texescape.escape(epoch_date())  # type: ignore[attr-defined]


def setup_latex(app: Sphinx) -> None:
    app.add_config_value("kb_pdf_prefix", "", "", types=[str])
    app.add_config_value("kb_pdf_tagged", True, "", types=[bool])
    app.connect("config-inited", configure_latex, priority=600)
    app.connect("builder-inited", date_from_epoch_only)
    app.add_post_transform(InlineEssays)
    app.add_post_transform(LinkTextInPDF)
    app.add_post_transform(RaggedReferences)
    app.connect("build-finished", tag_pdfs)
