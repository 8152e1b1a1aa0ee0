"""Start a new essay: ``make new-essay`` (or ``python tools/new_essay.py``).

Takes the title, slug, author(s) and theme(s) as options, or asks for
the ones missing; checks them against the site (a slug not yet used, people
defined in ``people/``, themes defined in ``themes/``) and writes
``essays/<slug>.md`` with valid front matter and a body to fill in, which
builds as it is. A date is written only when given with ``--date``: it is
never guessed.

Only the standard library and PyYAML (already a build dependency), so it
runs before anything else is installed. Exit status: 0 written, 2 refused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import importlib.util
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import yaml

ROOT = Path(__file__).resolve().parents[1]
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FENCE = re.compile(r"^---[ \t]*$")
T = TypeVar("T")


class RefusedError(Exception):
    """A value that cannot be used; the message says what to change."""


# -- what the site already has ------------------------------------------------

def _load_reader() -> ModuleType:
    """The build's own front-matter reader, ``_ext/kb/frontmatter.py``, loaded alone.

    It refuses YAML aliases (a few aliased lines expand to gigabytes, or
    never end) and deep nesting, with the line; it needs only PyYAML.
    """
    spec = importlib.util.spec_from_file_location(
        "kb_frontmatter", Path(__file__).resolve().parents[1] / "_ext" / "kb" / "frontmatter.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


_READER = _load_reader()
_REPORTED: set[Path] = set()


def front_matter(path: Path) -> dict:
    """The YAML block at the top of a page, ``{}`` if there is none or it is broken."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    try:
        yaml_text, _ = _READER.split(text)
        return _READER.parse(yaml_text).data if yaml_text is not None else {}
    except _READER.FrontMatterError as err:
        if path not in _REPORTED:  # once, however often the page is read
            _REPORTED.add(path)
            print(f"new-essay: {path.parent.name}/{path.name}:{err.line}: {err} "
                  "(read as if it had no front matter)", file=sys.stderr)
        return {}


def pages(folder: Path, label: Callable[[str, dict], str]) -> dict[str, str]:
    """Page id (file name) -> how to show it, for every page but the index."""
    return {
        path.stem: label(path.stem, front_matter(path))
        for path in sorted(folder.glob("*.md")) if path.stem != "index"
    }


def people(root: Path) -> dict[str, str]:
    return pages(root / "people", lambda pid, data: str(data.get("name") or pid))


def themes(root: Path) -> dict[str, str]:
    def label(slug: str, data: dict) -> str:
        title, short = data.get("title") or slug, data.get("short")
        return f"{title} ({short})" if short else str(title)
    return pages(root / "themes", label)


def essay_titles(root: Path) -> dict[str, str]:
    """Normalised title -> file, to refuse a title already in use."""
    titles = {}
    for path in sorted((root / "essays").glob("*.md")):
        title = front_matter(path).get("title")
        if isinstance(title, str):
            titles[" ".join(title.casefold().split())] = f"essays/{path.name}"
    return titles


# -- checking values -------------------------------------------------------------

def slugify(title: str) -> str:
    """``Can CLAHRC WM Enact Distributed Leadership?`` -> ``can-clahrc-wm-...``."""
    title = re.sub(r"['\u2019]", "", title)  # "it's" -> "its", not "it-s"
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_title.casefold()))[:80].strip("-")


def check_title(root: Path, title: str) -> str:
    title = title.strip()
    if not title:
        raise RefusedError("the title is empty")
    if any(unicodedata.category(ch) == "Cc" for ch in title):
        raise RefusedError("the title must be one line of text")
    used = essay_titles(root).get(" ".join(title.casefold().split()))
    if used:
        raise RefusedError(f"the title is already used by {used}; choose another")
    return title


def check_slug(root: Path, slug: str) -> str:
    slug = slug.strip()
    if not SLUG.match(slug) or slug == "index":
        raise RefusedError(f"the slug '{slug}' is not usable: lower-case letters, digits and "
                      "single hyphens, e.g. 'distributed-leadership-in-the-nhs'")
    if (root / "essays" / f"{slug}.md").exists():
        raise RefusedError(f"essays/{slug}.md already exists: choose another slug")
    return slug


def _ids(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def check_known(value: str, known: dict[str, str], what: str, folder: str) -> list[str]:
    """Comma-separated ids, each the file name of a page in ``folder``."""
    ids = _ids(value)
    if not ids:
        raise RefusedError(f"give at least one {what} id")
    for item in ids:
        if item not in known:
            close = difflib.get_close_matches(item, list(known), n=1)
            hint = (f"did you mean '{close[0]}'?" if close
                    else f"add {folder}/{item}.md first, or use one of: {', '.join(known)}")
            raise RefusedError(f"unknown {what} '{item}': {hint}")
    if len(set(ids)) != len(ids):
        raise RefusedError(f"a {what} is given twice")
    return ids


def check_date(value: str) -> str:
    value = value.strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        raise RefusedError(f"the date '{value}' is not a real date written YYYY-MM-DD") from None
    return value


# -- asking ------------------------------------------------------------------------

def obtain(given: str | None, question: str, check: Callable[[str], T],
           option: str, default: str | None = None) -> T:
    """An option's value checked, or the answer to ``question`` (asked again if wrong)."""
    if given is not None:
        return check(given)
    prompt = f"{question}{f' [{default}]' if default else ''}: "
    while True:
        try:
            answer = input(prompt).strip() or (default or "")
        except EOFError:  # no one to ask (CI, a pipe): say which option is missing
            print(file=sys.stderr)
            raise RefusedError(f"missing {option}") from None
        try:
            return check(answer)
        except RefusedError as err:
            print(f"  {err}", file=sys.stderr)


def show(title: str, known: dict[str, str]) -> None:
    print(f"{title}:")
    for key, label in known.items():
        print(f"  {key:<30} {label}")


# -- writing -----------------------------------------------------------------------

def yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar, quoted when YAML would misread it."""
    text = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True,
                          width=1_000_000).strip()[1:-1]
    if yaml.safe_load(f"k: {text}") != {"k": value}:  # never seen; JSON is YAML too
        text = json.dumps(value, ensure_ascii=False)
    return text


def skeleton(title: str, authors: list[str], theme_slugs: list[str],
             date: str | None) -> str:
    lines = ["---", f"title: {yaml_scalar(title)}"]
    if date:
        lines.append(f"date: {date}")
    else:
        lines.append("# date: YYYY-MM-DD     # only when known: never guess")
    lines.append("authors:")
    for person in authors:
        lines += [
            f"  - id: {person}",
            "    # As things stood when the essay was written (all optional):",
            "    # position: Professor of Public Management",
            "    # affiliations: [Warwick Business School]",
            "    # roles: [{title: Lead, theme: ios}, Deputy Director CLAHRC-WM]",
        ]
    lines += [
        f"themes: [{', '.join(theme_slugs)}]",
        "# tags: [distributed leadership, NHS]",
        "---",
        "",
        "## First section heading",
        "",
        "Write the first paragraph here.",
        "",
        "% Cite a work from refs.bib with {footcite}`key`, several at once with",
        "% {footcite}`key1,key2`. The numbered reference list, your sign-off and",
        "% 'How to cite this essay' are added at the end by themselves.",
        "% Preview while you write: make serve. Guide: the 'Writing an essay' page.",
        "",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write essays/<slug>.md, a new essay that builds as it is. "
                    "Missing values are asked for.")
    parser.add_argument("--title", help="the essay's title, as readers will see it")
    parser.add_argument("--slug", help="file and web-address name (default: from the title)")
    parser.add_argument("--author", help="person id(s) from people/, comma-separated")
    parser.add_argument("--theme", help="theme slug(s) from themes/, comma-separated")
    parser.add_argument("--date", help="YYYY-MM-DD, only if the date is known")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root: Path = args.root
    known_people, known_themes = people(root), themes(root)
    try:
        if not known_people:
            raise RefusedError("no people are defined yet: add people/<id>.md with 'name: ...'")
        if not known_themes:
            raise RefusedError("no themes are defined yet: add themes/<slug>.md first")
        title = obtain(args.title, "Title", lambda v: check_title(root, v), "--title")
        if args.slug is not None:
            slug = check_slug(root, args.slug)
        elif args.title is None:  # asked for the title: offer the slug too
            slug = obtain(None, "Slug (file name)", lambda v: check_slug(root, v),
                          "--slug", default=slugify(title))
        else:
            slug = check_slug(root, slugify(title))
        if args.author is None:
            show("People", known_people)
        authors = obtain(args.author, "Author id(s), comma-separated",
                         lambda v: check_known(v, known_people, "person", "people"),
                         "--author")
        if args.theme is None:
            show("Themes", known_themes)
        theme_slugs = obtain(args.theme, "Theme slug(s), comma-separated",
                             lambda v: check_known(v, known_themes, "theme", "themes"),
                             "--theme")
        date = check_date(args.date) if args.date else None
    except RefusedError as err:
        print(f"new-essay: {err}", file=sys.stderr)
        return 2
    path = root / "essays" / f"{slug}.md"
    text = skeleton(title, authors, theme_slugs, date)
    with path.open("x", encoding="utf-8") as out:  # never overwrite an essay
        out.write(text)
    print(f"Wrote essays/{slug}.md. Next:\n"
          f"  1. Write the essay under the front matter (sections start with '## ').\n"
          f"  2. Preview it as you write: make serve, then open\n"
          f"     http://127.0.0.1:8000/essays/{slug}.html\n"
          f"  3. Before you publish: make html (it must finish without warnings).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
