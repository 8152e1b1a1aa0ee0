"""The essay file as staff write it: YAML front matter in the seed's layout, then MyST."""

from __future__ import annotations

from typing import Any

import yaml


def flow(value: Any) -> str:
    """One YAML value on one line (quoted only when YAML needs it)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True,
                          sort_keys=False, width=10**9)
    return text.removesuffix("\n").removesuffix("\n...")


def front_matter(title: str, date: str | None, authors: list[dict], themes: list[str],
                 tags: list[str]) -> str:
    lines = ["---", f"title: {flow(title)}"]
    if date:
        lines.append(f"date: {date}")
    lines.append("authors:")
    for author in authors:
        lines.append(f"  - id: {author['id']}")
        if author.get("position"):
            lines.append(f"    position: {flow(author['position'])}")
        if author.get("affiliations"):
            lines.append(f"    affiliations: {flow(author['affiliations'])}")
        if author.get("roles"):
            lines.append("    roles:")
            lines += [f"      - {flow(role)}" for role in author["roles"]]
    if themes:
        lines.append(f"themes: {flow(themes)}")
    if tags:
        lines.append(f"tags: {flow(tags)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def essay_text(matter: str, body: str) -> str:
    return f"{matter}\n{body.rstrip()}\n"


def person_text(name: str) -> str:
    return f"---\nname: {flow(name)}\n---\n"


def theme_text(short: str, lead: str | None) -> str:
    lines = ["---", f"title: {flow(short)}", f"short: {flow(short)}"]
    if lead:
        lines.append(f"lead: {lead}")
    return "\n".join([*lines, "---"]) + "\n"
