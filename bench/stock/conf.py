"""Stock-stack configuration for the benchmark's comparison builds.

What a user of stock furo + myst-parser + sphinxcontrib-bibtex would write
for the same essays and refs.bib: no project extension, the stock pybtex
"plain" style, and a glob toctree in index.md (written by generate.py).
"""

project = "Synthetic knowledge base (stock stack)"
author = "bench/generate.py"

extensions = ["myst_parser", "sphinxcontrib.bibtex"]

# Stock myst-parser option: the front-matter title becomes the page's h1,
# as the project's pages show it (otherwise stock pages start at h2).
myst_title_to_header = True

bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "plain"

html_theme = "furo"

exclude_patterns = ["_build", "themes", "people", "Thumbs.db", ".DS_Store"]
