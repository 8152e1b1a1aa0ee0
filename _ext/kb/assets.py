"""The extension's own templates, stylesheet and scripts.

They ship inside the package, not in the site's ``_templates``/``_static``,
so any project (and every test root) using the extension gets the author
block styles and the search page; a site can still override a file by
putting one of the same name in its own folders, which come first.
"""

from __future__ import annotations

import os
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

THEME = Path(__file__).parent / "theme"


def add_asset_paths(app: Sphinx, config: Config) -> None:
    # Relative to the configuration folder, as users write them: .buildinfo
    # hashes the config, and must not depend on where the checkout lives.
    def here(*parts: str) -> str:
        return os.path.relpath(THEME.joinpath(*parts), app.confdir)

    templates = [here("templates")]
    if config.html_theme == "furo":  # page.html refines furo's own page
        templates.insert(0, here("furo"))
    config.templates_path = [*config.templates_path, *templates]
    config.html_static_path = [here("static"), *config.html_static_path]


def setup_assets(app: Sphinx) -> None:
    app.add_css_file("kb.css")
