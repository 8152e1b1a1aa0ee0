"""Sphinx configuration of the CLAHRC WM Knowledge Base (declarative only)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "CLAHRC WM Knowledge Base"
author = "CLAHRC WM"
copyright = "CLAHRC WM"  # noqa: A001 - Sphinx's name

extensions = ["kb", "sphinxext.opengraph"]  # kb loads myst_parser and sphinxcontrib.bibtex

root_doc = "index"
exclude_patterns = [
    "_build", ".venv", ".venv-latest", "README.md", "tests", "bench", "Thumbs.db", ".DS_Store",
    ".pytest_cache", "node_modules",
]
myst_enable_extensions = ["smartquotes"]
nitpicky = True

bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "vancouver"

# PDFs for funders (make latexpdf): the kb extension adds the documents and layout.
latex_engine = "xelatex"

html_theme = "furo"
html_title = "CLAHRC WM Knowledge Base"
html_use_index = False  # no index entries: an empty "Index" page helps no reader
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False

# The published site's address, for the feed, sitemap, link previews and
# "How to cite": a placeholder until the publisher sets KB_BASE_URL (or
# -D html_baseurl=...); see README, "Publishing".
html_baseurl = os.environ.get("KB_BASE_URL", "https://example.org/kb/")
ogp_social_cards = {"enable": False}  # link previews use text, not images
