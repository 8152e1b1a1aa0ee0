# Synthetic test content (not facts about CLAHRC WM): scholarly publishing
# (summary, DOI, funding, licence, JSON-LD, citation downloads, feeds).
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

project = "Test Knowledge Base"
author = "Test Authors"
extensions = ["kb", "sphinxext.opengraph"]
exclude_patterns = ["_build"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "vancouver"
nitpicky = True
html_baseurl = "https://kb.example.org/sub/path/"
kb_pagefind = False
ogp_social_cards = {"enable": False}
# essays/hostile.md has inline raw HTML on purpose (as in the web root): a
# relaxation of the content policy, as a trusted site may make.
kb_policy_allow = ["raw"]

# Synthetic funding and licence (placeholders, not a real award).
kb_funder = "Synthetic Research Council"
kb_funding_award = "SRC-0000-TEST"
kb_funding_statement = "This is synthetic test funding text for the whole site."
kb_funding_disclaimer = "The views expressed are the test authors' own."
kb_licence = "CC-BY-4.0"
