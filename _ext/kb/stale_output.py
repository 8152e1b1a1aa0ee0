"""Pages of documents that no longer exist are deleted from the HTML output.

Sphinx leaves the written page (and its ``_sources`` copy) of a document
that was removed, so an incremental build would differ from a fresh one
and a deleted essay would still be online. Removed documents are noted
when Sphinx finds them (``env-get-outdated``, kept in the environment until
their output is gone) and their files deleted after the build
(``build-finished``, before Pagefind indexes the site).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment

from . import rebuilds
from .domain import kb_domain
from .paging import split_parts
from .source_files import source_suffixes
from .website import remove_empty_folders, site_builder


def note_removed(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                 removed: set[str]) -> list[str]:
    """Remember removed documents until their output is deleted (kept in the env)."""
    stored = kb_domain(env).stored
    stored.removed_docs = (stored.removed_docs | removed) - added
    return []


def remove_stale_output(app: Sphinx, exception: BaseException | None) -> None:
    """Delete pages of documents that no longer exist; Sphinx keeps them."""
    builder = site_builder(app)
    if exception is not None or builder is None:
        return
    env = app.env
    stored = kb_domain(env).stored
    # The same documents as when the output was last found clean, none
    # removed since: nothing can be stale (a scan is O(pages)).
    documents = hashlib.sha256("\n".join(sorted(env.found_docs)).encode()).hexdigest()
    if not stored.removed_docs and \
            rebuilds.is_current(app, "stale-output", documents, pages=False):
        return
    rebuilds.remember(app, "stale-output", documents, pages=False)
    outdir = Path(builder.outdir)
    current = {Path(builder.get_outfilename(d)) for d in env.found_docs}
    # Parts of long lists (kb.paging) sit beside the pages whose lists they split.
    current |= {Path(builder.get_outfilename(p.pagename)) for _, p in split_parts(app)}
    stale = [Path(builder.get_outfilename(d)) for d in stored.removed_docs
             if d not in env.found_docs]
    # Pages of the knowledge-base folders hold nothing but documents, so
    # whatever is there and is not a current document is stale, even after
    # a build with a fresh environment ("-E") or a failed one.
    for folder in (app.config.kb_essays_dir, app.config.kb_people_dir,
                   app.config.kb_themes_dir):
        if (outdir / folder).is_dir():
            stale += [p for p in (outdir / folder).rglob(f"*{builder.out_suffix}")
                      if p not in current]
    sources = outdir / "_sources"
    for page in stale:
        if page in current or not page.is_file():
            continue
        page.unlink()
        remove_empty_folders(page.parent, outdir)
        docname = _docname_of(builder, outdir, page)
        for suffix in source_suffixes(app, app.config):
            (sources / f"{docname}{suffix}{app.config.html_sourcelink_suffix}").unlink(
                missing_ok=True)
    stored.removed_docs = set()


def _docname_of(builder: StandaloneHTMLBuilder, outdir: Path, page: Path) -> str:
    rel = page.relative_to(outdir).as_posix()
    if builder.name == "dirhtml" and rel.endswith("/index" + builder.out_suffix):
        return rel[: -len("/index" + builder.out_suffix)]
    return rel[: -len(builder.out_suffix)]
