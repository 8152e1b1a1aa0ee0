"""The CLAHRC WM Knowledge Base extension for Sphinx.

One module per concern (the same list as README's "How the extension is
organised"; ``tests/test_module_map.py`` keeps the two in step):

* ``policy`` what content may do (the one place of its rules); ``embeds``
  ``{video}`` and ``{feed}``, made by our code instead of raw HTML;
* ``frontmatter`` reads YAML with line numbers; ``schema`` is the
  front-matter contract and its messages; ``models`` the records;
* ``domain`` holds them in the build environment (the ``kb`` domain, links);
* ``pages`` shapes essay, person and theme pages; ``byline`` the
  author/role block and sign-off;
* ``citations`` numbered citations and reference lists (any page);
  ``vancouver`` the house style; ``bibcheck`` clear messages for refs.bib,
  ``bibreparse`` parsing only its changed entries, ``keptbib`` the parse
  pickled beside the environment; ``lazytocs`` each page's table of
  contents and titles unpickled only when read; ``records`` the essays'
  records pickled in buckets, again only where one changed; ``inventory``
  the object inventory from kept title texts, written only when it
  changes; ``templatecache`` page templates compiled once; ``fastscan``
  Sphinx's checks for changed sources, made cheaper;
* ``listings`` the generated lists; ``paging`` long lists split into
  parts; ``checks`` checks across pages;
  ``completeness`` no essay lost (every essay where readers look), with
  ``site_links`` the written site's links; ``pdf_completeness`` the same
  for a PDF; ``source_files`` files that cannot become one page;
  ``folderstamps`` folders unchanged since the last build (no listing);
  ``folders`` which documents have a file beside them (one listing each);
  ``encoding`` pages that are not UTF-8; ``stale_output`` pages of removed
  documents; ``searchindex`` Sphinx's search index kept as a fresh build's;
* ``nodes`` our doctree nodes and how each builder renders them;
  ``assets`` templates and CSS;
* ``search`` Pagefind in the build; ``pagefind_bundle`` its indexes on disk;
  ``search_words`` the index's words (checks, suggestions, headings index);
  ``pagefind_canonical`` Pagefind's filter files in a stable order;
* ``latex`` the funders' PDFs; ``essaypdf`` one PDF per essay;
* ``feed`` the site's Atom feed; ``feeds`` full text, and a feed per theme
  and person; ``sitemap``; ``meta`` Scholar and link-preview tags;
  ``website`` which builders write the web site, and its addresses;
* ``scholarly`` summary, DOI and funding on essay pages; ``funding`` and
  ``licences`` what they are set from; ``essaymeta`` an essay's
  bibliographic facts, for ``jsonld`` (schema.org), ``citeformats`` (RIS,
  CSL-JSON) and ``citethis`` "How to cite this essay";
* ``gitdate`` dates from git for what has none; ``gitdates`` "Last updated";
* ``buildlog`` a build log of messages only;
* ``gcpause`` keeps the garbage collector off the loaded environment;
* ``rebuilds`` what a build changed (whole-site outputs remade only then);
  ``uptodate`` what a clean build saw, so that ``make html`` with nothing
  changed need not start Sphinx;
* ``state`` the build's own state, typed: what one build hands on, and
  what the next one needs; ``memo`` bounded memos of pure functions;
* ``config`` every ``kb_*`` setting of conf.py; ``wiring`` every event
  handler, in one table, in build-phase order;
* ``_compat`` the one place that touches private APIs of dependencies.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from . import vancouver
from .assets import setup_assets
from .buildlog import setup_buildlog
from .citations import setup_citations
from .config import setup_config
from .domain import KBRole, KnowledgeBaseDomain
from .embeds import setup_embeds
from .latex import setup_latex
from .listings import setup_listings
from .nodes import setup_nodes
from .pages import setup_pages
from .paging import setup_paging
from .policy import setup_policy
from .wiring import connect_handlers

__version__ = "0.1.0"


def setup(app: Sphinx) -> dict[str, Any]:
    setup_buildlog(app)
    app.setup_extension("myst_parser")
    app.setup_extension("sphinxcontrib.bibtex")
    setup_config(app)  # every kb_* value (config.py)
    setup_policy(app)  # what content may do: before anything reads a page
    setup_embeds(app)  # what pages used raw HTML for, made safely
    vancouver.register()
    app.add_domain(KnowledgeBaseDomain)
    for name in ("essay", "person", "theme"):
        app.add_role(name, KBRole(name))
    setup_assets(app)
    setup_nodes(app)
    setup_pages(app)
    setup_citations(app)
    setup_listings(app)
    setup_paging(app)  # issue 19: long lists split into parts
    setup_latex(app)
    connect_handlers(app)  # every event handler, in one table (wiring.py)
    return {
        "version": __version__,
        "env_version": 2,  # 2: StoredState.bib_chunks
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
