"""Nothing lost from a PDF: every essay it should hold is in it.

The LaTeX side of ``completeness.py``: ``latex.py`` calls
:func:`report_missing_from_pdf` with the documents a PDF actually contains.
"""

from __future__ import annotations

from collections.abc import Iterable

from sphinx.application import Sphinx
from sphinx.util import logging

from .completeness import essay_docnames
from .domain import kb_domain

logger = logging.getLogger(__name__)


def report_missing_from_pdf(app: Sphinx, included: Iterable[str], pdf: str,
                            theme: str | None = None) -> list[str]:
    """Warn for each essay (of ``theme``, or all) not in the PDF ``pdf``."""
    domain = kb_domain(app.env)
    inside = set(included)
    missing = [d for d in essay_docnames(app) if d not in inside and (
        theme is None or (d in domain.essays and theme in domain.essays[d].theme_slugs))]
    for docname in missing:
        logger.warning(
            f"the essay is missing from the PDF {pdf}: rebuild from scratch "
            "('make clean latexpdf'); if it is still missing, report it to the site's "
            "maintainers", location=(docname, None), type="kb", subtype="completeness")
    return missing
