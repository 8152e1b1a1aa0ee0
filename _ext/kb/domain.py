"""The ``kb`` domain: essays, people and themes, and links between them.

All metadata lives here, in the build environment, so that Sphinx purges
it per document, merges it after parallel reads and pickles it between
incremental builds (never in module globals); so does the build state the
next build needs (:attr:`KnowledgeBaseDomain.stored`, see ``state.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Set
from typing import Any, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.builders import Builder
from sphinx.domains import Domain, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.roles import XRefRole
from sphinx.util.nodes import make_refnode

from .models import Essay, Person, Theme
from .records import Records
from .state import StoredState


class KBRole(XRefRole):
    """``{theme}`ios```, ``{person}`graeme-currie```, ``{essay}`slug```.

    Registered both as ``kb:theme`` and as plain ``theme`` for staff.
    """

    def __init__(self, reftype: str) -> None:
        super().__init__(warn_dangling=True, innernodeclass=nodes.inline)
        self._reftype = reftype

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        self.refdomain, self.reftype = "kb", self._reftype
        self.classes = ["xref", "kb", f"kb-{self._reftype}"]
        return self.create_xref_node()


def xref(reftype: str, target: str, text: str = "", **attrs: Any) -> addnodes.pending_xref:
    """A link made from front matter, resolved at write time.

    Empty ``text`` means "use the target's title". A missing target was
    already reported with its front-matter line (see ``checks.py``); its
    link shows the id as written, not an empty name.
    """
    node = addnodes.pending_xref(
        "", refdomain="kb", reftype=reftype, reftarget=target,
        refexplicit=bool(text), refwarn=True, kb_from_front_matter=True, **attrs,
    )
    shown = text or target
    node += nodes.inline(shown, shown, classes=["xref", "kb", f"kb-{reftype}"])
    return node


class KnowledgeBaseDomain(Domain):
    name = "kb"
    label = "Knowledge base"
    data_version = 5  # 3: stored build state; 4: listing specs carry their limit;
    # 5: essays in pickled buckets (records.py)
    object_types = {
        "essay": ObjType("essay", "essay"),
        "person": ObjType("person", "person"),
        "theme": ObjType("theme", "theme"),
    }
    roles = {name: KBRole(name) for name in ("essay", "person", "theme")}
    initial_data: ClassVar[dict[str, Any]] = {
        "essays": Records(),  # docname -> Essay, pickled in buckets
        "people": {},  # person id -> Person
        "themes": {},  # theme slug -> Theme
        "citations": {},  # docname -> {bib key: entry fingerprint, None if not in refs.bib}
        "listings": {},  # docname -> [ListingSpec]: what its generated lists show
        "bib_signature": None,
        "stored": StoredState(),  # build state the next build needs (state.py)
    }

    # -- typed views -------------------------------------------------------
    @property
    def essays(self) -> dict[str, Essay]:
        return self.data["essays"]

    @property
    def people(self) -> dict[str, Person]:
        return self.data["people"]

    @property
    def themes(self) -> dict[str, Theme]:
        return self.data["themes"]

    @property
    def citations(self) -> dict[str, dict[str, str | None]]:
        return self.data["citations"]

    @property
    def stored(self) -> StoredState:
        return self.data["stored"]

    def author_names(self, essay: Essay) -> list[str]:
        """Authors' names as their person pages give them (the id if unknown)."""
        return [self.people[a.person].name if a.person in self.people else a.person
                for a in essay.authors]

    def essays_sorted(self, docnames: Iterable[str] | None = None) -> list[Essay]:
        """Newest first, undated last, ties by title: one order everywhere."""
        chosen = (
            list(self.essays.values()) if docnames is None
            else [self.essays[d] for d in docnames if d in self.essays]
        )
        by_title = sorted(chosen, key=lambda e: (e.title.casefold(), e.docname))
        dated = sorted((e for e in by_title if e.date), key=lambda e: e.date or "",
                       reverse=True)
        return dated + [e for e in by_title if not e.date]

    # -- environment protocol ---------------------------------------------
    def clear_doc(self, docname: str) -> None:
        self.essays.pop(docname, None)
        self.citations.pop(docname, None)
        self.data["listings"].pop(docname, None)
        for table in (self.people, self.themes):
            for key in [k for k, v in table.items() if v.docname == docname]:
                del table[key]

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for table in ("essays", "citations", "listings"):
            for docname, value in otherdata[table].items():
                if docname in docnames:
                    self.data[table][docname] = value
        for table in ("people", "themes"):
            for key, value in otherdata[table].items():
                if value.docname in docnames:
                    self.data[table][key] = value

    # -- links ---------------------------------------------------------------
    def _target(self, typ: str, target: str) -> tuple[str, str] | None:
        """(docname, default link text) for a link, or None if unknown."""
        if typ == "essay":
            essay = self.essays.get(target) or self.essays.get(f"essays/{target}")
            return (essay.docname, essay.title) if essay else None
        if typ == "person":
            person = self.people.get(target)
            return (person.docname, person.name) if person else None
        if typ in ("theme", "theme-role"):
            theme = self.themes.get(target)
            if theme is None:
                return None
            text = theme.title if typ == "theme" else f"{theme.short} Theme"
            return theme.docname, text
        return None

    def resolve_xref(
        self, env: BuildEnvironment, fromdocname: str, builder: Builder,
        typ: str, target: str, node: addnodes.pending_xref, contnode: nodes.Element,
    ) -> nodes.reference | None:
        found = self._target(typ, target)
        if found is None:
            return None
        docname, text = found
        if not node.get("refexplicit"):
            contnode = nodes.inline(text, text, classes=contnode.get("classes", []))
        return make_refnode(builder, fromdocname, docname, "", contnode, text)

    def resolve_any_xref(
        self, env: BuildEnvironment, fromdocname: str, builder: Builder,
        target: str, node: addnodes.pending_xref, contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        results = []
        for typ in ("essay", "person", "theme"):
            ref = self.resolve_xref(env, fromdocname, builder, typ, target, node, contnode)
            if ref is not None:
                results.append((f"kb:{typ}", ref))
        return results

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for person in self.people.values():
            yield person.id, person.name, "person", person.docname, "", 1
        for theme in self.themes.values():
            yield theme.slug, theme.title, "theme", theme.docname, "", 1


def kb_domain(env: BuildEnvironment) -> KnowledgeBaseDomain:
    return env.get_domain("kb")  # type: ignore[return-value]
