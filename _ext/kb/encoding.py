"""A page that is not UTF-8 is reported with its line, and still read.

Before reading (``env-before-read-docs``), each page to be read is checked;
one that is not UTF-8 gets a warning naming the line, and the whole build
then reads with the lenient codec of ``bibcheck.py``, so its bad bytes are
shown as U+FFFD instead of the page going missing with a traceback.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from .bibcheck import LENIENT_UTF8, not_utf8_message, undecodable_line

logger = logging.getLogger(__name__)


def check_encoding(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """A page that is not UTF-8 is reported, then read with its bad bytes replaced."""
    encoding = env.settings.get("input_encoding", "utf-8-sig")
    if encoding == LENIENT_UTF8:
        encoding = app.config.source_encoding
    lenient = False
    for docname in docnames:
        try:
            data = env.doc2path(docname).read_bytes()
        except OSError:
            continue
        bad = undecodable_line(data, encoding)
        if bad:
            logger.warning(not_utf8_message(bad[1]), location=(docname, bad[0]),
                           type="kb", subtype="completeness")
            lenient = True
    if lenient:
        env.settings["input_encoding"] = LENIENT_UTF8


def setup_encoding(app: Sphinx) -> None:
    app.connect("env-before-read-docs", check_encoding)
