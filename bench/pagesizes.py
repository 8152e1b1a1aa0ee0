"""The largest HTML page of each kind in a built site (issue 19: no page
above 500 KB at 10,000 essays).

A page's kind comes from where it is: ``index.html`` is the home page,
``essays/<slug>.html`` an essay, ``essays/index.html`` the essays index,
``themes/<slug>.html`` a theme page and ``themes/<slug>/<part>.html`` a
part of its list (``_ext/kb/paging.py``), and so on. Works on ``html``
output (``dirhtml`` pages are ``<name>/index.html``: classified by folder).

    python bench/pagesizes.py _build/html      # prints the table
"""

from __future__ import annotations

import sys
from pathlib import Path

#: Output folders that are not pages of the site.
SKIPPED = ("_static", "_sources", "_images", "_downloads", ".doctrees")
#: The limit the issue sets at 10,000 essays.
LIMIT_BYTES = 500 * 1024
KINDS = (
    "home", "essay", "essays index", "essays index part", "theme", "theme part",
    "themes index", "person", "person part", "people index", "references",
    "references part", "other",
)


def kind_of(rel: str) -> str:
    """The kind of the page at ``rel`` (a posix path in the output folder)."""
    parts = rel.removesuffix(".html").split("/")
    if parts[-1] == "index" and len(parts) > 1 and parts[:2] != ["essays", "index"] \
            and not (len(parts) == 2 and parts[0] in ("themes", "people")):
        parts = parts[:-1]  # dirhtml: essays/slug/index.html is essays/slug
    folder = {"essays": "essay", "themes": "theme", "people": "person"}
    if parts == ["index"]:
        return "home"
    if parts[0] == "references":
        return "references" if len(parts) == 1 else "references part"
    if parts[0] in folder and len(parts) >= 2:
        single = folder[parts[0]]
        index = {"essay": "essays index", "theme": "themes index",
                 "person": "people index"}[single]
        if parts[1] == "index":
            return index if len(parts) == 2 else f"{index} part"
        return single if len(parts) == 2 else f"{single} part"
    return "other"


def largest_by_kind(html: Path) -> dict[str, tuple[int, str]]:
    """``{kind: (bytes, path)}`` of the largest page of each kind present."""
    found: dict[str, tuple[int, str]] = {}
    for path in html.rglob("*.html"):
        rel = path.relative_to(html).as_posix()
        if rel.startswith(SKIPPED) or rel.startswith("pagefind"):
            continue
        kind = kind_of(rel)
        size = path.stat().st_size
        if size > found.get(kind, (-1, ""))[0]:
            found[kind] = (size, rel)
    return {k: found[k] for k in KINDS if k in found}


def table(rows: list[tuple[str, dict[str, tuple[int, str]]]]) -> list[str]:
    """Markdown table: one column per (label) build, one row per kind (KB)."""
    kinds = [k for k in KINDS if any(k in sizes for _, sizes in rows)]
    lines = ["| kind | " + " | ".join(label for label, _ in rows) + " |",
             "|---|" + "---:|" * len(rows)]
    for kind in kinds:
        cells = [f"{sizes[kind][0] / 1024:,.0f}" if kind in sizes else "" for _, sizes in rows]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str]) -> int:
    for folder in argv or ["_build/html"]:
        sizes = largest_by_kind(Path(folder))
        print(f"{folder}:")
        for kind, (size, rel) in sizes.items():
            flag = "  OVER 500 KB" if size > LIMIT_BYTES else ""
            print(f"  {kind:18} {size / 1024:9,.1f} KB  {rel}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
