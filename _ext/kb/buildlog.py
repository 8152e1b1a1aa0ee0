"""The build log staff read: their messages, each on a line of its own.

Three things got in the way, each silenced here at its source and no more:

* ``sphinxext.opengraph`` prints "matplotlib is not installed, social cards
  will not be generated" when it is imported, though conf.py turns social
  cards off. It is imported here with that one line held back, and the
  line is shown after all if conf.py turns the cards on.
* myst-parser logs its whole configuration (one line of about 1,500
  characters) on every build; that one record is dropped.
* Sphinx prints "checking consistency... " and "done" around the checks
  across pages, so their warnings started on that line. Any warning that
  follows a status line left open now starts on a new line.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging as sphinx_logging

logger = sphinx_logging.getLogger(__name__)

_CARDS_MESSAGE = "matplotlib is not installed, social cards will not be generated"
_held_back: list[str] = []  # what importing sphinxext.opengraph printed and we held


def import_opengraph_quietly() -> None:
    """Import ``sphinxext.opengraph`` (once per process) holding back its print."""
    if "sphinxext.opengraph" in sys.modules:
        return
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            import sphinxext.opengraph  # noqa: F401 - conf.py loads it next
        except ImportError:
            return  # not installed: Sphinx says so when conf.py asks for it
    for line in printed.getvalue().splitlines():
        if line.strip() == _CARDS_MESSAGE:
            _held_back.append(line)
        else:
            print(line)


def cards_message_if_wanted(app: Sphinx, config: Config) -> None:
    """Say what opengraph said, if conf.py asks for the social cards."""
    if "sphinxext.opengraph" not in config.extensions:
        return
    cards = config.ogp_social_cards or {}
    if isinstance(cards, dict) and cards.get("enable", True) is not False:
        for line in _held_back:
            logger.info(line)


class DropMystConfigDump(logging.Filter):
    """Drop myst-parser's "myst vX: MdParserConfig(...)" record."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and "myst v%s:" in record.msg)


class OpenLine:
    """Whether the status stream's last record left its line open (``nonl``)."""

    def __init__(self, status: logging.StreamHandler[Any]) -> None:
        self.status = status
        self.open = False

    def seen_status(self, record: logging.LogRecord) -> bool:
        self.open = bool(getattr(record, "nonl", False)) and bool(record.getMessage())
        return True

    def before_warning(self, record: logging.LogRecord) -> bool:
        if self.open:
            self.status.stream.write("\n")
            self.status.flush()
            self.open = False
        return True


def warnings_on_their_own_line() -> None:
    """Filters on this app's status and warning handlers (set up per app)."""
    root = logging.getLogger(sphinx_logging.NAMESPACE)
    status = next((h for h in root.handlers
                   if isinstance(h, sphinx_logging.NewLineStreamHandler)), None)
    if status is None:
        return
    line = OpenLine(status)
    status.addFilter(line.seen_status)
    for handler in root.handlers:
        if isinstance(handler, sphinx_logging.WarningStreamHandler):
            handler.addFilter(line.before_warning)


def setup_buildlog(app: Sphinx) -> None:
    import_opengraph_quietly()
    myst = logging.getLogger(f"{sphinx_logging.NAMESPACE}.myst_parser.sphinx_ext.main")
    if not any(isinstance(f, DropMystConfigDump) for f in myst.filters):
        myst.addFilter(DropMystConfigDump())
    warnings_on_their_own_line()
