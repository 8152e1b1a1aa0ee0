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

# Funding and licence (issue 16), printed at the end of every essay and in its
# metadata (JSON-LD, feeds, CITATION.cff). Shown only when set. PLACEHOLDERS:
# fill in the funder's exact name, award number and required wording; never
# guess them. An essay's front matter may add to or override them.
# kb_funder = "..."                # e.g. the funder's name
# kb_funding_award = "..."         # award or grant number
# kb_funding_statement = "..."     # the acknowledgement the funder asks for
# kb_funding_disclaimer = "..."    # the funder's disclaimer, word for word
# kb_licence = "..."               # an SPDX id such as CC-BY-4.0, or a name
# kb_licence_url = "..."           # needed when kb_licence is not an SPDX id
# kb_doi = "10.5281/zenodo...."    # the whole knowledge base's (concept) DOI, once
#                                  # Zenodo has given one (make citation-meta)
