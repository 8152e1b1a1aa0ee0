# Synthetic test content (not facts about CLAHRC WM): the web-publishing
# outputs (feed, sitemap, head tags, "How to cite") of a tiny site.
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
# essays/hostile.md has inline raw HTML on purpose (descriptions and the feed
# must strip it): a relaxation of the content policy, as a trusted site may make.
kb_policy_allow = ["raw"]
