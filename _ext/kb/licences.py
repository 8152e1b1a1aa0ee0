"""Licences staff may name by identifier (``licence: CC-BY-4.0``).

The SPDX identifiers of the Creative Commons licences and their legal
code, so an essay or ``conf.py`` names one word and every output (page,
JSON-LD, feed, PDF, CITATION.cff) gets the same name and URL. Anything
else is written out as ``{name: ..., url: ...}``.
"""

from __future__ import annotations

from .models import Licence

_CC = "https://creativecommons.org/"
#: SPDX id -> (name shown to readers, URL of the licence).
LICENCES: dict[str, tuple[str, str]] = {
    "CC-BY-4.0": ("CC BY 4.0", _CC + "licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("CC BY-SA 4.0", _CC + "licenses/by-sa/4.0/"),
    "CC-BY-NC-4.0": ("CC BY-NC 4.0", _CC + "licenses/by-nc/4.0/"),
    "CC-BY-NC-SA-4.0": ("CC BY-NC-SA 4.0", _CC + "licenses/by-nc-sa/4.0/"),
    "CC-BY-ND-4.0": ("CC BY-ND 4.0", _CC + "licenses/by-nd/4.0/"),
    "CC-BY-NC-ND-4.0": ("CC BY-NC-ND 4.0", _CC + "licenses/by-nc-nd/4.0/"),
    "CC0-1.0": ("CC0 1.0", _CC + "publicdomain/zero/1.0/"),
}


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


_BY_KEY = {_key(k): k for k in LICENCES} | {_key(v[0]): k for k, v in LICENCES.items()}


def known_licence(text: str) -> Licence | None:
    """``CC-BY-4.0`` or ``CC BY 4.0`` (any case) as a Licence; None if unknown."""
    spdx = _BY_KEY.get(_key(text))
    if spdx is None:
        return None
    name, url = LICENCES[spdx]
    return Licence(name, url)


def spdx_id(licence: Licence) -> str | None:
    """The SPDX identifier of a known licence (for CITATION.cff, Zenodo)."""
    return _BY_KEY.get(_key(licence.name))
