"""A small knowledge base that the content-policy tests attack one file at a time."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

project = "Policy test"
extensions = ["kb"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "vancouver"
nitpicky = True
exclude_patterns = ["_build"]
kb_pagefind = False  # the policy tests read no search index
