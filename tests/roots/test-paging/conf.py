# Synthetic test content (not facts about CLAHRC WM): long lists split into
# parts (kb.paging), with part sizes small enough that six essays need them.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

project = "Paging Test"
extensions = ["kb"]
exclude_patterns = ["_build"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "vancouver"
nitpicky = True
html_theme = "furo"
html_baseurl = "https://kb.example.org/"
kb_pagefind = False
kb_listing_part_size = 2
kb_references_part_size = 2
