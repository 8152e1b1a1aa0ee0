"""Essay, person and theme pages: front matter in, page structure out.

``source-read`` cuts the YAML front matter out before myst-parser sees it
(blank lines keep line numbers true); a read-time transform then gives the
page its title, author/role block, sign-off, reference list or listing,
and records the page in the ``kb`` domain.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from . import schema
from .byline import byline, signoff
from .citations import place_reference_list
from .citethis import add_cite_this
from .domain import kb_domain, xref
from .frontmatter import FrontMatter, FrontMatterError, parse, split
from .models import Essay, Person, Theme
from .nodes import kb_listing, reference_list

logger = logging.getLogger(__name__)

_MATTER = "kb_front_matter"  # env.current_document: FrontMatter or FrontMatterError
_MISPLACED = "kb_misplaced_essay"  # env.current_document: an essay saved outside essays/
# The front matter's first line becomes this H1 so that the Markdown's "##"
# sections nest under the page title; the transform puts the real title in.
TITLE_PLACEHOLDER = "kb-page-title-from-front-matter"

ESSAY, PERSON, THEME = "essay", "person", "theme"


def page_kind(config: Any, docname: str) -> str | None:
    """Which kind of knowledge-base page a document is, from its folder."""
    folder, _, name = docname.rpartition("/")
    if not folder or "/" in folder or name == "index":
        return None
    return {
        config.kb_essays_dir: ESSAY,
        config.kb_people_dir: PERSON,
        config.kb_themes_dir: THEME,
    }.get(folder)


def looks_like_essay(kind: str | None, text: str) -> bool:
    """Front matter only an essay has: ``authors``; in a person's page also a
    ``title`` with an essay's ``date``, ``themes`` or ``tags`` (a ``title``
    alone may be a mistaken honorific, which the person checks report)."""
    try:
        yaml_text, _ = split(text)
        data = parse(yaml_text).data if yaml_text is not None else {}
    except FrontMatterError:
        return False
    keys = set(data) if isinstance(data, dict) else set()
    return "authors" in keys or (
        kind == PERSON and "title" in keys and bool(keys & {"date", "themes", "tags"}))


def cut_front_matter(app: Sphinx, docname: str, source: list[str]) -> None:
    kind = page_kind(app.config, docname)
    if kind != ESSAY and looks_like_essay(kind, source[0]):
        # Saved in the wrong folder: read as the essay it is, so that the
        # one message is "move it", not the person page's or Sphinx's.
        app.env.current_document[_MISPLACED] = True
        kind = ESSAY
    if kind is None:
        return
    text = source[0]
    matter: FrontMatter | FrontMatterError
    try:
        yaml_text, body = split(text)
    except FrontMatterError as err:  # never closed: no way to tell YAML from text
        app.env.current_document[_MATTER] = err
        source[0] = f"# {TITLE_PLACEHOLDER}\n"
        return
    if yaml_text is None:
        source[0] = f"# {TITLE_PLACEHOLDER}\n\n" + text
        what = "is empty" if not text.strip() else "has no front matter"
        matter = FrontMatterError(
            f"this page {what}: start it with a front-matter block, e.g. "
            "'---' / 'title: ...' / '---' (see the 'Writing an essay' page)", 1)
    else:
        source[0] = f"# {TITLE_PLACEHOLDER}" + body
        try:
            matter = parse(yaml_text)
        except FrontMatterError as err:
            matter = err
    app.env.current_document[_MATTER] = matter


def warn(docname: str, line: int, message: str) -> None:
    logger.warning(message, location=(docname, line), type="kb", subtype="frontmatter")


class KnowledgePageTransform(SphinxTransform):
    """Build the page's structure from its validated front matter."""

    default_priority = 700  # before smart quotes (750) and doctree-read (880)

    def apply(self, **kwargs: Any) -> None:
        docname = self.env.docname
        kind = page_kind(self.config, docname)
        if self.env.current_document.get(_MISPLACED):
            kind = ESSAY
            name = docname.rpartition("/")[2]
            warn(docname, 1, "this looks like an essay: move it to "
                 f"{self.config.kb_essays_dir}/{name}.md")
        if kind is None:
            return
        matter = self.env.current_document.get(_MATTER)
        unreadable = isinstance(matter, FrontMatterError)
        if isinstance(matter, FrontMatterError):
            warn(docname, matter.line, str(matter))
            matter = FrontMatter({}, start=matter.line)
        elif matter is None:  # pragma: no cover - source-read always runs
            matter = FrontMatter({})
        convert: Any = {ESSAY: schema.to_essay, PERSON: schema.to_person,
                   THEME: schema.to_theme}[kind]
        record, problems = convert(docname, matter)
        # One message per mistake: every key of an unreadable block would
        # otherwise be reported "missing" as well.
        for line, message in [] if unreadable else problems:
            warn(docname, line, message)
        fallback = docname.rpartition("/")[2].replace("-", " ")
        if kind == ESSAY:
            self.essay_page(record or Essay(docname, fallback, None, (), (), ()))
        elif kind == PERSON:
            self.person_page(record or Person(docname, docname.rpartition("/")[2], fallback))
        else:
            self.theme_page(record or Theme(docname, docname.rpartition("/")[2],
                                            fallback, fallback.upper()))
        # Pages of the knowledge base are reached through listings, not the
        # navigation tree, which keeps every page's navigation small.
        self.env.metadata[docname]["orphan"] = True

    def wrap(self, title: str, classes: list[str]) -> nodes.section:
        """Give the page its title from front matter, everything beneath it."""
        document = self.document
        section = next(iter(document.findall(nodes.section)), None)
        if section is None or section[0].astext() != TITLE_PLACEHOLDER:
            section = nodes.section()
            section += nodes.title("", "")
            section.extend(document.children)
            document.children = []
            document += section
        for old in section["ids"]:
            document.ids.pop(old, None)
        for old in section["names"]:
            document.nameids.pop(old, None)
        section["ids"], section["names"] = [], []
        section[0].children = []
        section[0] += nodes.Text(title)  # type: ignore[operator]  # a title: an Element
        # Sections the staff member started with "#" belong under the title.
        for sibling in list(document.children):
            if sibling is not section:
                document.remove(sibling)
                section += sibling
        section["classes"].extend(classes)
        section["names"].append(nodes.fully_normalize_name(title))
        document.note_implicit_target(section, section)
        return section

    def essay_page(self, essay: Essay) -> None:
        kb_domain(self.env).essays[self.env.docname] = essay
        section = self.wrap(essay.title, ["kb-essay"])
        section.insert(1, byline(essay))
        end = last_section(section)
        placeholders = list(self.document.findall(reference_list))
        closing = signoff(essay)
        if placeholders:
            placeholder = placeholders[0]
            index = placeholder.parent.index(placeholder)
            for offset, para in enumerate(closing):
                placeholder.parent.insert(index + offset, para)
        else:
            end.extend(closing)
        place_reference_list(self.env, self.document, end)
        add_cite_this(end, self.env.docname)

    def person_page(self, person: Person) -> None:
        kb_domain(self.env).people[person.id] = person
        section = self.wrap(person.name, ["kb-person"])
        links = nodes.paragraph(classes=["kb-contact"])
        for label, uri in (
            ("ORCID", f"https://orcid.org/{person.orcid}" if person.orcid else None),
            ("Email", f"mailto:{person.email}" if person.email else None),
            ("Web page", person.url),
        ):
            if uri:
                if len(links):
                    links += nodes.Text(" · ")
                shown = uri.removeprefix("mailto:")
                links += nodes.Text(f"{label}: ")
                links += nodes.reference(shown, shown, refuri=uri)
        if len(links):
            section.insert(1, links)
        section += nodes.rubric("Essays", "Essays")
        section += kb_listing(kind="essays", person=person.id)

    def theme_page(self, theme: Theme) -> None:
        kb_domain(self.env).themes[theme.slug] = theme
        section = self.wrap(theme.title, ["kb-theme"])
        about = nodes.paragraph(classes=["kb-theme-meta"])
        about += nodes.Text(f"Short name: {theme.short}")
        if theme.lead:
            about += nodes.Text(" · Theme lead: ")
            about += xref("person", theme.lead)
        section.insert(1, about)
        section += nodes.rubric("Essays in this theme", "Essays in this theme")
        section += kb_listing(kind="essays", theme=theme.slug)


def last_section(section: nodes.section) -> nodes.section:
    """The innermost last section: where closing matter belongs."""
    while True:
        subsections = [c for c in section.children if isinstance(c, nodes.section)]
        if not subsections or section.children[-1] is not subsections[-1]:
            return section
        section = subsections[-1]


def setup_pages(app: Sphinx) -> None:
    app.add_transform(KnowledgePageTransform)
