"""Citation markers as blogs print them: ``[1]``, ``[2,3]``, ``[4-6]``, ``<sup>2,3</sup>``."""

from __future__ import annotations

import re

_LIST = r"\d{1,3}(?:\s*[,\u2013\u2014-]\s*\d{1,3})*"
#: A bracketed marker in running text.
BRACKETED = re.compile(rf"\[({_LIST})\]")
#: The whole text of a superscript that is a marker (``1``, ``2,3``, ``[4-6]``).
SUPERSCRIPT = re.compile(rf"^\s*\[?({_LIST})\]?\s*$")


def numbers(spec: str) -> list[int]:
    """``2,3`` -> [2, 3]; ``4-6`` -> [4, 5, 6]; order kept, repeats dropped."""
    out: list[int] = []
    for part in re.split(r"\s*,\s*", spec.strip()):
        bounds = re.split(r"\s*[\u2013\u2014-]\s*", part)
        if len(bounds) == 2 and int(bounds[0]) <= int(bounds[1]) <= int(bounds[0]) + 50:
            values = range(int(bounds[0]), int(bounds[1]) + 1)
        else:
            values = [int(b) for b in bounds]
        out.extend(v for v in values if v not in out)
    return out


def role(keys: list[str]) -> str:
    """The MyST for one marker: ``{footcite}`a,b```."""
    return "{footcite}`" + ",".join(keys) + "`"
