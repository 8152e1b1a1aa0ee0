"""Every ``kb_*`` setting ``conf.py`` may set: name, default, rebuild, types, why.

One place, so that a maintainer sees all of them at once and README's
table ("Settings in conf.py") can be checked against it
(``tests/test_config.py``). ``rebuild`` is Sphinx's: ``"env"`` re-reads
every page when the value changes (it shapes what a page holds),
``"html"`` rewrites every web page, ``""`` changes only what the build
writes around the pages (feeds, PDFs, search index), so no page is redone.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

from sphinx.application import Sphinx

from .pagefind_bundle import RECENT_LIMIT, SHARD_PAGES


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    rebuild: Literal["env", "html", ""]
    types: frozenset[type]
    doc: str


SETTINGS: tuple[Setting, ...] = (
    # Where the knowledge base's pages live (docnames are "<folder>/<slug>").
    Setting("kb_essays_dir", "essays", "env", frozenset({str}),
            "the folder of essay pages"),
    Setting("kb_people_dir", "people", "env", frozenset({str}),
            "the folder of person pages"),
    Setting("kb_themes_dir", "themes", "env", frozenset({str}),
            "the folder of theme pages"),
    # What content may do (policy.py).
    Setting("kb_policy_allow", [], "env", frozenset({list, tuple}),
            "content rules a trusted site relaxes, by name, e.g. [\"math\"] "
            "(policy.RULES)"),
    Setting("kb_max_page_bytes", 2_000_000, "env", frozenset({int}),
            "a page larger than this keeps its front matter, not its text"),
    Setting("kb_max_nesting", 50, "env", frozenset({int}),
            "the deepest nesting (emphasis, lists, quotes, directives inside each "
            "other) a page may have; the deeper part is left out, with a message"),
    # Search (search.py).
    Setting("kb_pagefind", True, "html", frozenset({bool}),
            "index the site with Pagefind; False keeps Sphinx's own search"),
    Setting("kb_pagefind_recent_limit", RECENT_LIMIT, "", frozenset({float, int}),
            "share of the site's pages the recent index may hold before Pagefind "
            "indexes the whole site again (0: always the whole site)"),
    Setting("kb_pagefind_shard_pages", SHARD_PAGES, "", frozenset({int}),
            "pages in one Pagefind run at most: a larger site's index is written in "
            "shards of this many, searched together (Pagefind needs ~0.5 MB a page)"),
    # PDFs (latex.py, essaypdf.py).
    Setting("kb_pdf_prefix", "", "", frozenset({str}),
            "start of the funders' PDF file names, <prefix>-knowledge-base.pdf and "
            "<prefix>-<theme>.pdf (empty: from author, else project)"),
    Setting("kb_pdf_tagged", True, "", frozenset({bool}),
            "tagged PDFs (\\DocumentMetadata), for screen readers; costs TeX time"),
    Setting("kb_essay_pdf", True, "env", frozenset({bool}),
            "essay pages link their own PDF when it is beside them"),
    Setting("kb_pdf_set", "funders", "", frozenset({str}),
            "which PDFs a LaTeX build makes: \"funders\" (the whole knowledge base "
            "and one per theme) or \"essays\" (one per essay; make latexpdf sets it "
            "for its second build)"),
    # Long lists split into parts on the web site (paging.py).
    Setting("kb_listing_part_size", 200, "html", frozenset({int}),
            "essays per page of a split essay list (the list's own page shows the "
            "newest this many; each year's page at most this many)"),
    Setting("kb_references_part_size", 100, "html", frozenset({int}),
            "works per page of the split list of cited works"),
    # Feeds (feed.py, feeds.py).
    Setting("kb_feed_limit", 50, "", frozenset({int}),
            "how many of the newest essays each Atom feed holds"),
    # Funding and licence (funding.py): shown only when set.
    Setting("kb_funder", "", "env", frozenset({str}),
            "name of the funder"),
    Setting("kb_funding_award", "", "env", frozenset({str}),
            "award or grant number"),
    Setting("kb_funding_statement", "", "env", frozenset({str}),
            "acknowledgement printed on every essay"),
    Setting("kb_funding_disclaimer", "", "env", frozenset({str}),
            "the funder's disclaimer"),
    Setting("kb_licence", "", "env", frozenset({str}),
            "an SPDX id such as CC-BY-4.0, or a licence's name"),
    Setting("kb_licence_url", "", "env", frozenset({str}),
            "the licence's URL (needed when kb_licence is not an SPDX id)"),
)


def setup_config(app: Sphinx) -> None:
    for setting in SETTINGS:  # a copy: no two builds share a mutable default
        app.add_config_value(setting.name, copy.copy(setting.default), setting.rebuild,
                             types=setting.types, description=setting.doc)
