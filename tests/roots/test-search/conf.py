# Synthetic test content (not facts about CLAHRC WM): a small site whose
# essays differ in theme, author and year, and in where a word occurs (a
# title, an author's name, a passing mention), for the search tests.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

project = "Search Test Knowledge Base"
extensions = ["kb"]
exclude_patterns = ["_build"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "vancouver"
nitpicky = True
html_theme = "furo"
