"""The written site as links between documents, kept between builds for the pages not rewritten."""

from __future__ import annotations

import os
from pathlib import Path

from test_completeness import SECOND, built_app
from test_errors import make_root

from kb.completeness import find_missing
from kb.site_links import KEPT, Site


def test_a_page_is_read_again_only_when_its_file_changed(tmp_path: Path) -> None:
    with built_app(make_root(tmp_path / "src", {"essays/second.md": SECOND})) as app:
        kept = Path(app.doctreedir) / KEPT
        assert kept.is_file()  # the build's own check kept the pages it read
        theme = Path(app.outdir) / "themes" / "ios.html"
        assert "essays/second" in Site(app).links("themes/ios")
        # Same size and time as when it was kept: the kept links stand.
        html, stat = theme.read_text(encoding="utf-8"), theme.stat()
        theme.write_text(html.replace("second.html", "second.htmx"), encoding="utf-8")
        os.utime(theme, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert "essays/second" in Site(app).links("themes/ios")
        # Any other time: read again, and the essay is missing from its theme.
        os.utime(theme, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        assert "essays/second" not in Site(app).links("themes/ios")
        assert find_missing(app) == {"essays/second": ["the theme page themes/ios.md"]}


def test_a_damaged_record_of_links_is_read_past(tmp_path: Path) -> None:
    with built_app(make_root(tmp_path / "src", {"essays/second.md": SECOND})) as app:
        (Path(app.doctreedir) / KEPT).write_bytes(b"not a pickle")
        assert find_missing(app) == {}
        assert "essays/second" in Site(app).links("themes/ios")
