"""Bring the existing blog in: ``make import SOURCE=<path>``.

Reads a WordPress export (WXR), a saved blog page (plain text or HTML) or a
folder of them, and writes essays, people and ``refs.bib`` entries as staff
would by hand.  One module per job: ``sources`` reads the inputs,
``content`` turns a post's HTML into MyST, ``markers`` finds citation
markers, ``refparse`` reads Vancouver references (the inverse of
``kb.vancouver``), ``bibstore`` matches and appends works, ``people``
matches authors and themes, ``essay`` writes the page, ``cli`` runs it all
and prints the report.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The knowledge-base extension is the one source of the house style.
if str(ROOT / "_ext") not in sys.path:
    sys.path.insert(0, str(ROOT / "_ext"))
