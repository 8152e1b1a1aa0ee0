"""Every event handler of the extension, in one table, in build-phase order.

Sphinx calls an event's handlers by priority, lowest first; at equal
priority, in the order they were connected. :data:`HANDLERS` is connected
in one go at the end of ``kb``'s ``setup()``: after Sphinx's own handlers
and those of the extensions ``kb`` loads first (myst-parser,
sphinxcontrib-bibtex), before those of extensions listed after ``kb`` in
``conf.py`` (sphinxext-opengraph) and of the theme (furo, loaded when the
builder is made). Where the order of two handlers matters, their
priorities differ and the line says why, so the order follows from this
table and not from which module was set up first
(``tests/test_wiring.py`` pins the rules). 500 is Sphinx's default: a
handler that must run between Sphinx's own and opengraph's or furo's at
500 keeps it, and handlers of ours that share it run in this table's
order (said where that order shows in the output).

Build phases, in order: ``config-inited`` (conf.py read; settings may
still change), ``builder-inited``, ``env-get-outdated``,
``env-purge-doc``, ``env-before-read-docs``, per page read
``source-read`` and ``doctree-read``, ``env-updated``,
``env-get-updated``, ``env-check-consistency``; per page written
``warn-missing-reference`` (resolving links), ``doctree-resolved`` and
``html-page-context``; ``html-collect-pages`` (extra pages, then their
``html-page-context``); ``build-finished``.

Not here, but registered where they are defined, because they are read
with their code and their order is not by event: config values
(``config.py``, one table), node classes and their visitors
(``nodes.py``), directives and roles (``policy``, ``embeds``,
``listings``, ``citations``, and the ``kb`` domain's roles in
``__init__``), source parsers, transforms and post-transforms (each with
its ``default_priority`` beside its class: ``policy``, ``pages``,
``citations``, ``listings``, ``latex``), and the stylesheet (``assets``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sphinx.application import Sphinx

from . import (
    assets,
    bibcheck,
    buildlog,
    checks,
    citations,
    citethis,
    completeness,
    embeds,
    encoding,
    essaypdf,
    fastscan,
    feed,
    feeds,
    funding,
    gcpause,
    gitdates,
    jsonld,
    latex,
    lazytocs,
    listings,
    meta,
    nodes,
    pages,
    paging,
    policy,
    rebuilds,
    scholarly,
    search,
    searchindex,
    sitemap,
    source_files,
    stale_output,
    templatecache,
    uptodate,
)

#: Events of our own, emitted by our code (``feed.feed_entry``).
EVENTS = ("kb-feed-entry",)


@dataclass(frozen=True)
class Hook:
    event: str
    priority: int
    handler: Callable[..., Any]


HANDLERS: tuple[Hook, ...] = (
    # -- config-inited: conf.py is read. Ours run before Sphinx checks and
    # converts the values (790-800), except the last two.
    # First: unknown rule names refused, 'substitution' taken out of
    # myst_enable_extensions before anything reads the configuration.
    Hook("config-inited", 100, policy.check_config),
    # Reads ogp_social_cards only; repeats opengraph's held-back message.
    Hook("config-inited", 200, buildlog.cards_message_if_wanted),
    # Refusing directives per kb_policy_allow (validated at 100).
    Hook("config-inited", 300, policy.install_directives),
    # Rewrites exclude_patterns (refused files); reads templates_path and
    # html_static_path as conf.py set them, before 450 adds ours.
    Hook("config-inited", 400, policy.check_sources),
    # Adds our templates and static folder to templates_path/html_static_path.
    Hook("config-inited", 450, assets.add_asset_paths),
    # Sets ogp_site_url from html_baseurl; opengraph reads it only later.
    Hook("config-inited", 460, meta.opengraph_site_url),
    # Reads kb_licence and kb_licence_url only.
    Hook("config-inited", 470, funding.check_config),
    # Sets latex_documents (if conf.py left Sphinx's default) and latex_elements.
    Hook("config-inited", 600, latex.configure_latex),
    # After 600: with kb_pdf_set=essays, replaces the documents 600 set.
    Hook("config-inited", 700, essaypdf.add_essay_documents),
    # Last but one, after Sphinx's own (<= 900): the collector is off from
    # here until the environment is loaded.
    Hook("config-inited", 900, gcpause.pause_collector),
    # After Sphinx's convert_source_suffix (800), whose suffixes it reads;
    # excludes the extra file of two for one page.
    Hook("config-inited", 910, source_files.check_source_files),
    # -- builder-inited: the environment is loaded, the builder made.
    # First: freeze the loaded environment before any handler makes objects.
    Hook("builder-inited", 0, gcpause.environment_loaded),
    # The record of the last clean build goes (a build stopped half way
    # leaves none); the source folders as they are before anything is read.
    Hook("builder-inited", 5, uptodate.start),
    # Before Builder.read asks which sources changed.
    Hook("builder-inited", 10, fastscan.use_fast_scans),
    # Before sphinxcontrib-bibtex's handlers (500) parse refs.bib: our
    # parse, with one message per problem, becomes their cache.
    Hook("builder-inited", 400, bibcheck.check_bibfiles),
    # Three independent settings of the builder, after Sphinx's and
    # bibtex's handlers and before furo's (all 500).
    Hook("builder-inited", 500, search.disable_sphinx_index),  # no searchindex.js
    Hook("builder-inited", 500, latex.date_from_epoch_only),  # \date reproducible
    Hook("builder-inited", 500, gitdates.refresh),  # last commits of the sources
    Hook("builder-inited", 500, templatecache.keep_compiled_templates),  # before any page
    # -- env-get-outdated: which pages to read again. Each returns pages,
    # Sphinx takes them all: order free; after Sphinx's collectors (500).
    # First: a removed page drops the records of whole-site outputs that
    # depend on pages (rebuilds), before any handler asks whether they hold.
    Hook("env-get-outdated", 0, rebuilds.note_removed),
    Hook("env-get-outdated", 500, citations.outdated_by_bibliography),  # refs.bib edits
    Hook("env-get-outdated", 500, stale_output.note_removed),  # output to delete
    Hook("env-get-outdated", 500, search.note_removed),  # pages to drop from search
    Hook("env-get-outdated", 500, gitdates.changed_since_read),  # "Last updated"
    Hook("env-get-outdated", 500, essaypdf.pdf_appeared),  # "Download PDF" link
    # -- env-purge-doc: before Sphinx forgets a changed or removed page,
    # note what its listings showed (after Sphinx's collectors, 500).
    Hook("env-purge-doc", 500, listings.note_purge),
    # Last: the previous page's doctree is garbage, collected before this one is read.
    Hook("env-purge-doc", 999, gcpause.before_read),
    # -- env-before-read-docs: the pages about to be read (independent).
    Hook("env-before-read-docs", 500, encoding.check_encoding),  # not UTF-8
    Hook("env-before-read-docs", 500, listings.note_reads),  # for listing changes
    Hook("env-before-read-docs", 500, lazytocs.make_lazy),  # tables pickled apart
    # -- source-read: a page's text, before parsing.
    # First: an oversized page is cut to its front matter before 500 reads it.
    Hook("source-read", 100, policy.limit_size),
    Hook("source-read", 500, pages.cut_front_matter),  # front matter is not Markdown
    # -- doctree-read: a page's doctree, after the transforms.
    # Summary, DOI and funding added before Sphinx's collectors and 500's
    # description read the essay (its nodes are then complete).
    Hook("doctree-read", 400, scholarly.add_scholarly),
    # What the page shows, kept in the environment (independent; after
    # Sphinx's collectors, 500).
    Hook("doctree-read", 500, listings.note_listings),  # listings it holds
    Hook("doctree-read", 500, meta.note_description),  # description for head and feed
    Hook("doctree-read", 500, essaypdf.note_pdf),  # whether it links a PDF
    # Last: a parallel reader collects what reading the page left.
    Hook("doctree-read", 999, gcpause.document_read),
    # -- env-updated: every page read (and parallel readers merged).
    # The parts of long lists are worked out again from the final environment.
    Hook("env-updated", 500, paging.forget_catalogue),
    # Last, after sphinxcontrib-bibtex's (500): freeze the whole environment.
    Hook("env-updated", 999, gcpause.reading_done),
    # -- env-get-updated: pages to write again though not read again.
    Hook("env-get-updated", 500, listings.pages_to_rewrite),  # listings that changed
    # -- env-check-consistency: every page read; one pass over all links.
    Hook("env-check-consistency", 500, checks.check_references),
    # -- warn-missing-reference: a link that resolves nowhere (while
    # resolving a page). After Sphinx's std domain handler (500): ours says
    # which page is missing and how to fix it.
    Hook("warn-missing-reference", 500, checks.explain_missing_link),
    # -- doctree-resolved: a page about to be written, for this builder.
    # Independent replacements and notes (standard nodes only; nothing of
    # ours runs on this event but these).
    # First: a page about to be written drops the records that depend on
    # pages, so a build stopped half way leaves none to trust (rebuilds).
    Hook("doctree-resolved", 0, rebuilds.note_written),
    Hook("doctree-resolved", 500, embeds.resolve_feed_links),  # {feed} for this builder
    Hook("doctree-resolved", 500, nodes.degrade_for_other_builders),  # no custom nodes
    Hook("doctree-resolved", 500, search.note_written),  # the index is stale for it
    Hook("doctree-resolved", 500, citethis.fill_cite_this),  # "How to cite this essay"
    # Its entry in the site-wide citation files is made again (in the main
    # process, also when pages are written in parallel).
    Hook("doctree-resolved", 500, citethis.forget_written),
    Hook("doctree-resolved", 500, essaypdf.add_pdf_link),  # "Download PDF"
    # -- html-page-context: a web page's template context.
    # Before sphinxext-opengraph (500), which reads context["meta"].
    Hook("html-page-context", 400, meta.add_head_tags),
    # After 400: the JSON-LD script follows the head tags in the head.
    Hook("html-page-context", 450, jsonld.add_jsonld),
    # After Sphinx's own (500), before opengraph's and furo's (500); feed_link,
    # topic_feed_link and pdf_head_tag add to the head in this order.
    Hook("html-page-context", 500, search.page_context),  # Pagefind attributes
    Hook("html-page-context", 500, feed.feed_link),  # site feed link
    Hook("html-page-context", 500, citethis.write_essay_files),  # .bib .ris .json
    Hook("html-page-context", 500, feeds.keep_fulltext),  # body for the feeds
    Hook("html-page-context", 500, feeds.topic_feed_link),  # theme/person feed link
    Hook("html-page-context", 500, essaypdf.pdf_head_tag),  # citation_pdf_url
    # Last: a page that is not a document (a list's part) collects the
    # previous page's garbage.
    Hook("html-page-context", 999, gcpause.page_context),
    # -- html-collect-pages: extra pages: the parts of long lists that changed
    # (paging; each reported to the search indexer and to rebuilds), then the
    # search page (Sphinx's is off). Independent of each other.
    Hook("html-collect-pages", 500, paging.collect_parts),
    Hook("html-collect-pages", 500, search.search_page),
    # -- kb-feed-entry (ours): an essay's Atom entry, for the full-text feeds.
    Hook("kb-feed-entry", 500, feeds.on_feed_entry),
    # -- build-finished: every page written. Ours in this order, before
    # furo's (500), then gcpause and the completeness check last.
    # First: pages of removed documents go, before Pagefind indexes (300)
    # and the completeness check (910) reads the output.
    Hook("build-finished", 100, stale_output.remove_stale_output),
    # Words no page has any more leave searchindex.js (Sphinx's search).
    Hook("build-finished", 110, searchindex.prune_search_index),
    # Keeps a new parse of refs.bib when no page was read.
    Hook("build-finished", 200, bibcheck.save_parse),
    # After 100: indexes the pages that are there.
    Hook("build-finished", 300, search.run_pagefind),
    # Puts \DocumentMetadata first in each PDF's .tex (LaTeX builds).
    Hook("build-finished", 400, latex.tag_pdfs),
    # Files around the pages (independent of each other).
    Hook("build-finished", 410, feed.write_feed),  # feed.xml
    Hook("build-finished", 420, sitemap.write_sitemap),  # sitemap.xml
    Hook("build-finished", 430, citethis.write_site_files),  # references.bib/.ris/.json
    Hook("build-finished", 440, feeds.write_topic_feeds),  # feeds per theme and person
    # The parts' fingerprints, once the parts are on disk (a build stopped
    # before this point writes every part again).
    Hook("build-finished", 445, paging.save_fingerprints),
    # After 400 rewrote the .tex files: compares their final text.
    Hook("build-finished", 450, essaypdf.keep_unchanged_tex_times),
    # After every page, download and PDF of an essay is written: their folders'
    # times, so that the next build need not list them (folderstamps).
    Hook("build-finished", 890, essaypdf.note_outputs),
    # The collector on again, everything frozen: the process is about to exit.
    Hook("build-finished", 900, gcpause.build_finished),
    # Last: every essay has its page, is listed and in every search index.
    Hook("build-finished", 910, completeness.check_completeness),
    # Last: the records of what this build remade are saved, after every
    # handler above has asked (is_current) and told (remember) them.
    Hook("build-finished", 1000, rebuilds.save),
    # After everything that writes or warns: what this clean build saw, for
    # the next make html to compare (uptodate).
    Hook("build-finished", 1100, uptodate.record),
)


def connect_handlers(app: Sphinx) -> None:
    """Declare our events, then connect every handler of :data:`HANDLERS`."""
    for name in EVENTS:
        app.add_event(name)
    for hook in HANDLERS:
        app.connect(hook.event, hook.handler, priority=hook.priority)
