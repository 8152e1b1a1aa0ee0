"""The published web site: which builders write it, and its addresses.

Shared by everything that writes for the web site (head tags, feeds, the
sitemap, JSON-LD, "How to cite", search, completeness) and by what cites
its pages from elsewhere (the PDFs), so each rule is written once.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.config import Config

from .domain import kb_domain
from .models import Essay

#: Builders whose pages are the published web site.
SITE_BUILDERS = frozenset({"html", "dirhtml"})


def site_builder(app: Sphinx) -> StandaloneHTMLBuilder | None:
    """The running builder if it writes the web site, else None."""
    builder = app.builder
    if isinstance(builder, StandaloneHTMLBuilder) and builder.name in SITE_BUILDERS:
        return builder
    return None


def site_essay(app: Sphinx, pagename: str) -> Essay | None:
    """The essay a web page shows, or None (another page, or not a web build)."""
    if site_builder(app) is None:
        return None
    return kb_domain(app.env).essays.get(pagename)


def base_url(config: Config) -> str:
    """``html_baseurl`` ending in ``/``, or ``""`` when it is not set.

    Relative links joined to a base without the slash lose its last path
    segment (``urljoin("https://x.org/kb", "a.html")`` is ``https://x.org/a.html``).
    """
    base = (config.html_baseurl or "").strip()
    return base if not base or base.endswith("/") else base + "/"


def page_url(app: Sphinx, docname: str) -> str:
    """The absolute web address of a page, whichever builder is running.

    An HTML site builder knows its own URL scheme (``dirhtml``: ``a/b/``);
    any other builder (text, LaTeX, EPUB) cites the published HTML page.
    """
    base = base_url(app.config)
    if not base:
        return ""
    builder = site_builder(app)
    if builder is not None:
        return base + builder.get_target_uri(docname)
    suffix = app.config.html_link_suffix or app.config.html_file_suffix or ".html"
    return base + docname + suffix


def remove_empty_folders(folder: Path, outdir: Path) -> None:
    """Remove ``folder`` and its parents up to ``outdir`` while they are empty
    (a page deleted leaves no empty folder in the site)."""
    while folder != outdir and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
