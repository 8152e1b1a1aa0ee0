"""An essay as RIS and CSL-JSON: what reference managers import.

Zotero, EndNote, Mendeley and citeproc processors read these without
guessing from the page. Both are made from :class:`~kb.essaymeta.EssayMeta`,
the facts JSON-LD and the feeds use too. RIS is line-based, so every value
is folded to one line; CSL-JSON is written by :mod:`json`. Nothing is
invented: an undated essay has no year, and no "accessed" date is given.
"""

from __future__ import annotations

import json
from typing import Any

from .essaymeta import EssayMeta

#: An essay is a post on the knowledge base's site (CSL "post-weblog", RIS "BLOG").
CSL_TYPE = "post-weblog"
RIS_TYPE = "BLOG"


def _line(text: str) -> str:
    return " ".join(text.split())


def ris_record(meta: EssayMeta) -> str:
    lines = [("TY", RIS_TYPE), ("TI", meta.title)]
    lines += [("AU", f"{a.name.family}, {a.name.given}" if a.name.given else a.name.family)
              for a in meta.authors]
    if meta.date:
        lines += [("PY", meta.date[:4]), ("DA", meta.date.replace("-", "/"))]
    lines += [("T2", meta.site), ("PB", meta.publisher)]
    if meta.url:
        lines.append(("UR", meta.url))
    if meta.doi:
        lines.append(("DO", meta.doi))
    if meta.summary:
        lines.append(("AB", meta.summary))
    lines += [("KW", tag) for tag in meta.tags]
    lines += [("KW", title) for title, _ in meta.themes]
    if meta.licence:
        lines.append(("N1", f"Licence: {meta.licence.name}"
                            + (f" ({meta.licence.url})" if meta.licence.url else "")))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {_line(value)}".rstrip() + "\n" for tag, value in lines)


def csl_item(meta: EssayMeta, key: str) -> dict[str, Any]:
    item: dict[str, Any] = {"id": key, "type": CSL_TYPE, "title": meta.title}
    if meta.authors:
        item["author"] = [{"family": a.name.family, "given": a.name.given}
                          if a.name.given else {"literal": a.name.family}
                          for a in meta.authors]
    if meta.date:
        item["issued"] = {"date-parts": [[int(part) for part in meta.date.split("-")]]}
    item["container-title"] = meta.site
    item["publisher"] = meta.publisher
    if meta.url:
        item["URL"] = meta.url
    if meta.doi:
        item["DOI"] = meta.doi
    if meta.summary:
        item["abstract"] = meta.summary
    if meta.tags:
        item["keyword"] = ", ".join(meta.tags)
    if meta.licence:
        item["license"] = meta.licence.url or meta.licence.name
    return item


def csl_json(items: list[dict[str, Any]]) -> str:
    """A CSL-JSON file: always a list of items."""
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def csl_list_item(item: dict[str, Any]) -> str:
    """One item as :func:`csl_json` prints it inside the list (indented)."""
    text = json.dumps(item, ensure_ascii=False, indent=2)
    return "\n".join("  " + line for line in text.split("\n"))


def csl_json_of(items: list[str]) -> str:
    """:func:`csl_json` of items already printed by :func:`csl_list_item`:
    the same text, without formatting every item again (``json`` indents
    in pure Python, about 0.4 ms per essay)."""
    return "[\n" + ",\n".join(items) + "\n]\n" if items else "[]\n"
