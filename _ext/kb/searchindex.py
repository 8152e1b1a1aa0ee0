"""Sphinx's ``searchindex.js`` after an incremental build, as a fresh one writes it.

On an incremental build Sphinx removes a re-read page from every word's
list but keeps the word, with an empty list: an edit that is reverted
leaves its words in the index, which then differs from a fresh build's.
After the build (``build-finished``) such words are dropped.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from ._compat import js_index


def prune_search_index(app: Sphinx, exception: BaseException | None) -> None:
    """Drop words no page has any more from ``searchindex.js``."""
    path = Path(app.outdir) / "searchindex.js"
    if exception is not None or not getattr(app.builder, "search", False) \
            or not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    if '":[]' not in text:  # the common case, and always so after a fresh build
        return
    data = js_index.loads(text)
    for table in ("terms", "titleterms"):
        words = data.get(table, {})
        for word in [w for w, pages in words.items() if pages == []]:
            del words[word]
    pruned = js_index.dumps(data)
    if pruned != text:
        path.write_text(pruned, encoding="utf-8")


def setup_searchindex(app: Sphinx) -> None:
    # Before Pagefind indexes the site (500), and checked after it.
    app.connect("build-finished", prune_search_index, priority=100)
