"""The build log, as ``make html`` shows it in a terminal (stdout and stderr as one).

Built with ``python -m sphinx`` in a fresh process (the opengraph message
is printed once per process, when it is imported) from the ``web`` root,
which loads sphinxext-opengraph with social cards off, as conf.py does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, copy_root

CARDS = "matplotlib is not installed, social cards will not be generated"


def sphinx_log(src: Path) -> str:
    """Everything ``sphinx-build -W --keep-going -n`` prints, in the order printed."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "_ext"), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n",
         str(src), str(src / "_build")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        timeout=300, check=False,
    )
    return done.stdout


def with_unknown_author(src: Path) -> Path:
    essay = src / "essays" / "dated-new.md"
    text = essay.read_text(encoding="utf-8")
    essay.write_text(text.replace("alice-smith", "alice-smiht", 1), encoding="utf-8")
    return src


def test_warnings_start_on_their_own_line(tmp_path: Path) -> None:
    src = with_unknown_author(copy_root("web", tmp_path / "src"))
    log = sphinx_log(src)
    warnings = [line for line in log.splitlines() if "WARNING:" in line]
    assert len(warnings) == 1, log
    assert warnings[0].startswith(f"{src / 'essays' / 'dated-new.md'}:"), warnings[0]
    assert "unknown person 'alice-smiht'" in warnings[0]
    assert "checking consistency... \n" in log and "\ndone\n" in log


def test_no_social_cards_message_and_no_myst_configuration_dump(tmp_path: Path) -> None:
    log = sphinx_log(copy_root("web", tmp_path / "src"))
    assert "build succeeded" in log, log[-2000:]
    assert CARDS not in log
    assert "MdParserConfig" not in log and "myst v" not in log
    assert max(len(line) for line in log.splitlines()) < 300  # nothing like a dump


def test_the_cards_message_is_kept_when_cards_are_wanted(tmp_path: Path) -> None:
    """Only conf.py's choice silences it: with cards on, staff learn why there are none."""
    src = copy_root("web", tmp_path / "src")
    conf = src / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace(
        'ogp_social_cards = {"enable": False}', 'ogp_social_cards = {"enable": True}'),
        encoding="utf-8")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert CARDS in sphinx_log(src)
    else:  # pragma: no cover - matplotlib is no dependency of this project
        assert CARDS not in sphinx_log(src)
