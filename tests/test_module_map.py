"""The module map is one true list: README and ``kb/__init__.py`` name every module."""

from __future__ import annotations

import re

import kb
from conftest import REPO

MODULES = {p.stem for p in (REPO / "_ext" / "kb").glob("*.py") if p.stem != "__init__"}


def readme_map() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text.split("## How the extension is organised", 1)[1].split("\n## ", 1)[0]


def test_package_docstring_names_every_module_and_no_other():
    named = set(re.findall(r"``(\w+)``", kb.__doc__ or "")) - {"kb"}
    assert named == MODULES


def test_readme_names_every_module_and_no_other():
    named = set(re.findall(r"`(\w+)\.py`", readme_map()))
    assert named == MODULES
