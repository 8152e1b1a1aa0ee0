"""A small knowledge base whose files the error tests break one at a time."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

project = "Errors test"
extensions = ["kb"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "vancouver"
nitpicky = True
exclude_patterns = ["_build"]
# The error tests read Sphinx's own search index (faster than Pagefind).
kb_pagefind = False
