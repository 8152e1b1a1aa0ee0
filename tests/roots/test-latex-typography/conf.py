"""Everything staff type that TeX treats specially, in text, roles and refs (synthetic)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

project = "Typography & Co: 100% Test"
author = "Test Unit"
extensions = ["kb"]
exclude_patterns = ["_build"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "vancouver"
nitpicky = True
latex_engine = "xelatex"
kb_pagefind = False  # no search page: these roots test the PDFs
