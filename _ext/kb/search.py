"""Site search with Pagefind instead of Sphinx's ``searchindex.js``.

Sphinx writes one ``searchindex.js`` that every reader downloads whole on
their first search, and it grows with the corpus (about 1.3 MB at 1,000
essays). Pagefind splits its index into chunks and fetches only those a
query needs, so the first search stays small at 10,000 essays (figures in
``bench/SEARCH.md``). This module switches Sphinx's indexer off (no work
spent on an index nobody loads), writes the ``search`` page from
``theme/templates/kb-search.html``, which runs Pagefind in the browser, and
indexes the written site with Pagefind once an HTML build has succeeded.
With ``kb_pagefind = False`` Sphinx's own search is left as it is.

What gets indexed is decided in the HTML: ``theme/furo/page.html`` marks
each document's body with ``data-pagefind-body``, so navigation, footer and
the search page itself stay out; :data:`EXCLUDE_SELECTORS` keeps out the
generated listings (a page listing 10,000 essays would otherwise match
every author's name and be a huge result to fetch), heading anchors and
blocks marked ``no-search`` (such as "How to cite this essay").
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Builders whose output is a browsable site Pagefind can index.
SITE_BUILDERS = frozenset({"html", "dirhtml"})
#: Folder of the index inside the output; kb-search.js loads it from here.
BUNDLE_DIR = "pagefind"
#: The search page's template, in the extension's ``theme/templates/``.
SEARCH_TEMPLATE = "kb-search.html"
#: Elements inside the indexed body that are not the page's own text;
#: ``no-search`` is the class Sphinx's own indexer skips, honoured here too.
EXCLUDE_SELECTORS = (".kb-listing", ".headerlink", ".no-search")
_PAGES_RE = re.compile(r"Indexed (\d+) pages?")


def _is_site_builder(app: Sphinx) -> bool:
    return app.builder is not None and app.builder.name in SITE_BUILDERS


def disable_sphinx_index(app: Sphinx) -> None:
    """No ``searchindex.js``: the reader's first search must load only Pagefind."""
    if _is_site_builder(app) and app.config.kb_pagefind:
        app.builder.search = False  # type: ignore[attr-defined]


def search_page(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Write ``search.html`` ourselves: Sphinx skips it once its indexer is off."""
    if _is_site_builder(app) and app.config.kb_pagefind:
        yield "search", {}, SEARCH_TEMPLATE


def pagefind_command(executable: Path, outdir: Path) -> list[str]:
    """The Pagefind command line for one output directory."""
    command = [
        str(executable),
        "--site", str(outdir),
        "--output-subdir", BUNDLE_DIR,
        # Links that end in index.html work on every static host, and
        # from a sub-path, without relying on the server's directory index.
        "--keep-index-url",
    ]
    for selector in EXCLUDE_SELECTORS:
        command += ["--exclude-selectors", selector]
    return command


def find_pagefind() -> Path | None:
    """The binary from ``pagefind[extended]`` (or one on PATH), if any."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        return Path(found) if found else None
    return get_executable()


def note_page_change(app: Sphinx, *args: object) -> None:
    """A document was written or removed: the search index is out of date."""
    app.kb_site_changed = True  # type: ignore[attr-defined]


def run_pagefind(app: Sphinx, exception: BaseException | None) -> None:
    """Index the finished site; a failure is a warning, so ``-W`` stops the build.

    Pagefind has no incremental mode, so it is run only when a page was
    written or removed (a rebuild that changed nothing costs no indexing).
    """
    if exception is not None or not _is_site_builder(app) or not app.config.kb_pagefind:
        return
    outdir = Path(app.outdir)
    changed = getattr(app, "kb_site_changed", False)
    app.kb_site_changed = False  # type: ignore[attr-defined]
    if not changed and (outdir / BUNDLE_DIR / "pagefind.js").is_file():
        return
    executable = find_pagefind()
    if executable is None:
        logger.warning(
            "site search needs Pagefind, which is not installed: run "
            "'pip install -r requirements.txt' (or set kb_pagefind = False in conf.py)",
            type="kb", subtype="search",
        )
        return
    # Start from nothing: an old bundle's chunks would linger beside the new ones.
    shutil.rmtree(outdir / BUNDLE_DIR, ignore_errors=True)
    (outdir / "searchindex.js").unlink(missing_ok=True)  # left by older builds
    logger.info("indexing the site for search with Pagefind... ", nonl=True)
    result = subprocess.run(
        pagefind_command(executable, outdir),
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        logger.info("failed")
        logger.warning(
            "Pagefind could not index %s (exit status %d):\n%s",
            outdir, result.returncode, (result.stderr or result.stdout).strip(),
            type="kb", subtype="search",
        )
        return
    found = _PAGES_RE.search(result.stdout)
    logger.info("done (%s pages)", found.group(1) if found else "?")


def setup_search(app: Sphinx) -> None:
    app.add_config_value("kb_pagefind", True, "html", types=frozenset({bool}))
    app.connect("builder-inited", disable_sphinx_index)
    app.connect("html-collect-pages", search_page)
    app.connect("doctree-resolved", note_page_change)
    app.connect("env-get-outdated", _note_removals)
    app.connect("build-finished", run_pagefind)


def _note_removals(app: Sphinx, env: object, added: set[str], changed: set[str],
                   removed: set[str]) -> list[str]:
    if removed:
        note_page_change(app)
    return []
