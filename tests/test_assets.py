"""The extension's theme files, and the theme set up in time for Sphinx's comparisons."""

from __future__ import annotations

from pathlib import Path

from conftest import build, copy_root


def test_a_rebuild_does_not_say_the_configuration_changed_when_it_did_not(tmp_path: Path):
    src = copy_root("paging", tmp_path / "src")
    build(src)
    again = build(src)
    output = again.status.getvalue()
    assert "loading pickled environment" in output  # the saved environment was used
    assert "configuration has changed" not in output
    assert "pygments_dark_style" in again.config  # furo's setting, known by then


def test_a_changed_setting_is_still_reported(tmp_path: Path):
    src = copy_root("paging", tmp_path / "src")
    build(src)
    conf = src / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + '\npygments_dark_style = "monokai"\n',
                    encoding="utf-8")
    output = build(src).status.getvalue()
    assert "The configuration has changed (1 option: 'pygments_dark_style')" in output
