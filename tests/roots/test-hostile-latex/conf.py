"""TeX's special characters in every field staff write (synthetic test data)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

project = "Specials test"
extensions = ["kb"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "vancouver"
nitpicky = True
exclude_patterns = ["_build"]
kb_pagefind = False
latex_engine = "xelatex"  # as the site: FreeFont prints every character
