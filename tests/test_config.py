"""Every ``kb_*`` setting is declared once, in ``kb.config``, and documented in README.

README's "Settings in conf.py" table names each setting with its
default; a Sphinx application with the extension knows exactly the
settings ``kb.config`` declares, with their defaults and rebuild kinds.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from conftest import REPO, copy_root
from kb.config import SETTINGS

ROW = re.compile(r"^\| `(kb_\w+)` \| `([^`]*)` \| (.+) \|$", re.MULTILINE)


def readme_table() -> dict[str, object]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Settings in conf.py", 1)[1].split("\n## ", 1)[0]
    return {name: ast.literal_eval(default) for name, default, _ in ROW.findall(section)}


def test_readme_documents_every_setting_with_its_default():
    assert readme_table() == {s.name: s.default for s in SETTINGS}


def test_each_setting_says_what_it_does_and_is_declared_once():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    for setting in SETTINGS:
        assert setting.doc and setting.rebuild in ("env", "html", "")
        assert isinstance(setting.default, tuple(setting.types)), setting.name


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> SphinxTestApp:
    src = copy_root("kb", tmp_path_factory.mktemp("config") / "src")
    app = SphinxTestApp("html", srcdir=src)
    app.cleanup()
    return app


def test_sphinx_knows_exactly_the_declared_settings(app: SphinxTestApp):
    """No module registers a ``kb_*`` value of its own, none is lost."""
    known = {v.name: (v.value, v.rebuild) for v in app.config if v.name.startswith("kb_")}
    assert known == {s.name: (s.default, s.rebuild) for s in SETTINGS}


def test_a_mutable_default_is_not_shared_between_builds(app: SphinxTestApp, tmp_path: Path):
    other = SphinxTestApp("html", srcdir=copy_root("kb", tmp_path / "src"))
    other.cleanup()
    assert other.config.kb_policy_allow == app.config.kb_policy_allow == []
    assert other.config.kb_policy_allow is not app.config.kb_policy_allow
