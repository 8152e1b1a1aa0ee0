"""Page templates compiled once, kept between builds.

Sphinx makes a new Jinja environment at every build and compiles each
template it renders (furo's ``page.html``, ``base.html`` and their parts,
and ours) from its source again: about 20 templates, 0.1 s of every
build, which an edit that writes one page pays in full. Jinja's own
bytecode cache (``jinja2.FileSystemBytecodeCache``) keeps each compiled
template beside the doctrees and uses it only while the template's source
is unchanged (it compares a checksum of the source, and Jinja's and
Python's versions), so a changed template is compiled again.

The templates are the theme's and the project's code, not content; the
cache lives in the build's own folder, as the pickled environment does.
"""

from __future__ import annotations

import os

from jinja2 import FileSystemBytecodeCache
from sphinx.application import Sphinx

from . import _compat

#: The folder, beside the doctrees, that holds the compiled templates.
FOLDER = "kb-templates"


def keep_compiled_templates(app: Sphinx) -> None:
    """Give the builder's Jinja environment a bytecode cache (builders
    without Sphinx's template loader, such as LaTeX's, have none to give)."""
    environment = _compat.template_environment(app.builder)
    if environment is None or environment.bytecode_cache is not None:
        return
    folder = os.path.join(app.doctreedir, FOLDER)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return  # no cache: templates are compiled as Sphinx does
    environment.bytecode_cache = FileSystemBytecodeCache(folder)
