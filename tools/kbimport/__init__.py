"""Bring the existing blog in: ``make import SOURCE=<path>``.

Reads a WordPress export (WXR), a saved blog page (plain text or HTML) or a
folder of them, and writes essays, people and ``refs.bib`` entries as staff
would by hand.  One module per job: ``sources`` reads the inputs into posts
(and says which it skips and why), ``content`` takes the furniture, the
reference list and the sign-off out of a post's HTML and turns the rest
into MyST, ``markers`` reads citation markers, ``refparse`` reads
Vancouver references into BibTeX (the inverse of ``kb.vancouver``, checked
by it), ``bibstore`` matches them to ``refs.bib`` and appends new works,
``people`` matches authors, roles and themes to the site, ``essay`` writes
the front matter, and ``cli`` runs it all, writes atomically only when
every input could be read, and prints the report.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The knowledge-base extension is the one source of the house style.
if str(ROOT / "_ext") not in sys.path:
    sys.path.insert(0, str(ROOT / "_ext"))
