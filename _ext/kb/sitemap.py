"""``sitemap.xml``: every page of the site, for search engines.

Our own, rather than sphinx-sitemap (2.9.0), which collects the pages a
build *writes*: after an incremental build (``make html``, ``make serve``)
its sitemap lists only the pages that changed (its issue #13, open since
2018), and with parallel writing (``-j auto``) the order of its entries
changes from build to build. Here the list comes from the environment,
which knows every document after any build, and is sorted, so the file is
complete and reproducible. Essays are orphans (reached through listings,
not the navigation), so nothing in the navigation could stand in for it.

Without ``html_baseurl`` no sitemap is written: it must hold absolute
addresses. The sitemap protocol allows 50,000 addresses per file, five
times the 10,000 essays the site is designed for.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from . import rebuilds
from .paging import split_parts
from .state import build_state
from .website import base_url, site_builder

logger = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_FILE = "sitemap.xml"
#: The rebuild record of the sitemap's pages (:mod:`kb.rebuilds`).
SAME_PAGES = "sitemap, same pages"


def site_addresses(app: Sphinx) -> list[str]:
    """Absolute address of every document and every part of a long list
    (:mod:`kb.paging`), sorted (not genindex or search: no documents)."""
    base = base_url(app.config)
    pages = [*app.env.all_docs, *(part.pagename for _, part in split_parts(app))]
    return sorted(base + app.builder.get_target_uri(pagename) for pagename in pages)


def sitemap(addresses: list[str]) -> bytes:
    urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
    for address in addresses:
        ET.SubElement(ET.SubElement(urlset, "url"), "loc").text = address
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def write_sitemap(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or site_builder(app) is None:
        return
    if not base_url(app.config):
        logger.info("no %s written: set html_baseurl to the site's address", SITEMAP_FILE)
        return
    target = Path(app.outdir, SITEMAP_FILE)
    if _same_pages(app) and target.is_file():
        rebuilds.remember(app, SAME_PAGES)
        return
    addresses = site_addresses(app)
    key = hashlib.sha256("\n".join(addresses).encode()).hexdigest()
    if not (rebuilds.is_current(app, "sitemap", key, pages=False) and target.is_file()):
        target.write_bytes(sitemap(addresses))  # documents or parts added or removed
    rebuilds.remember(app, "sitemap", key, pages=False)
    rebuilds.remember(app, SAME_PAGES)


def _same_pages(app: Sphinx) -> bool:
    """Whether the site has the pages it had when the sitemap was last made:
    no page written or removed since, or only documents rewritten, none
    added or removed, and the parts of long lists as they were
    (:mod:`kb.paging`); then the addresses need not be listed again."""
    return rebuilds.is_current(app, SAME_PAGES) or (
        rebuilds.was_current(app, SAME_PAGES) and not rebuilds.removed_any(app)
        and not rebuilds.added_any(app) and build_state(app).parts_unchanged)
