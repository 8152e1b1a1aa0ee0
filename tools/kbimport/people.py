"""Authors, people and themes: the sign-off and the export's authors against the site.

People are matched by name (accents, case and stops ignored) to the pages
in ``people/``; a person not there gets a new page with their name and
nothing else (no biography is invented).  A role naming a theme ("Lead IOS
Theme") becomes ``{title: Lead, theme: ios}`` when a page in ``themes/``
has that short name or title; a theme named only by a short name in
capitals gets a page with that name (its full title is for staff to write).
Categories never create themes: a category is not known to be one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_FENCE = re.compile(r"^---[ \t]*$")
_SIGNOFF = re.compile(r"^\s*[\u2014\u2013]\s*|^\s*-{1,2}\s+")


def front_matter(path: Path) -> dict:
    """The YAML block at the top of a page; ``{}`` when absent or broken."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return {}
    if not lines or not _FENCE.match(lines[0]):
        return {}
    for end in range(1, len(lines)):
        if _FENCE.match(lines[end]):
            try:
                data = yaml.safe_load("\n".join(lines[1:end]))
            except yaml.YAMLError:
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def name_key(name: str) -> str:
    """``Graeme  Currie`` / ``graeme currie`` / ``Gráeme Currie.`` -> one key."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s'-]", " ", text).casefold().split())


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Theme:
    slug: str
    title: str
    short: str


@dataclass
class Site:
    """The people and themes a checkout has, and the people this import adds."""

    root: Path
    people: dict[str, str]  # name key -> id
    ids: set[str]
    themes: list[Theme]
    new_people: dict[str, str] = field(default_factory=dict)  # id -> name
    similar: dict[str, list[str]] = field(default_factory=dict)  # new id -> existing ids
    # slug -> (short name, lead's id)
    new_themes: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Site:
        people: dict[str, str] = {}
        ids = set()
        for path in sorted((root / "people").glob("*.md")):
            if path.stem == "index":
                continue
            ids.add(path.stem)
            name = front_matter(path).get("name")
            if isinstance(name, str) and name.strip():
                people.setdefault(name_key(name), path.stem)
        themes = []
        for path in sorted((root / "themes").glob("*.md")):
            data = front_matter(path)
            if path.stem != "index" and isinstance(data.get("title"), str):
                themes.append(Theme(path.stem, data["title"], str(data.get("short") or "")))
        return cls(root, people, ids, themes)

    def mark(self) -> tuple:
        """The state to go back to if the post being read is not imported."""
        return (dict(self.people), set(self.ids), dict(self.new_people), dict(self.similar),
                list(self.themes), dict(self.new_themes))

    def reset(self, mark: tuple) -> None:
        (self.people, self.ids, self.new_people, self.similar, self.themes,
         self.new_themes) = mark

    def person(self, name: str) -> str:
        """The id of the person called ``name``, creating one if none matches."""
        key = name_key(name)
        if key in self.people:
            return self.people[key]
        base = slugify(name) or "author"
        pid, number = base, 2
        while pid in self.ids:
            pid, number = f"{base}-{number}", number + 1
        surname = key.split()[-1] if key.split() else ""
        same = sorted({other for known, other in self.people.items()
                       if known.split()[-1:] == [surname] and other not in self.new_people})
        if same:
            self.similar[pid] = same
        self.ids.add(pid)
        self.people[key] = pid
        self.new_people[pid] = " ".join(name.split())
        return pid

    def theme(self, words: str) -> Theme | None:
        """The theme whose title or short name is ``words`` (any case)."""
        key = name_key(words)
        for theme in self.themes:
            if key in (name_key(theme.title), name_key(theme.short)):
                return theme
        return None

    def role(self, text: str, person: str | None = None) -> str | dict:
        """``Lead IOS Theme`` -> ``{title: Lead, theme: ios}``; others as written.

        A theme not in ``themes/`` but named by its short name (``Lead PPI
        Theme``, capitals) gets a new page: title and short name as written
        (staff then write its full title), the author as its lead if the
        role is "Lead".
        """
        words = text.split()
        if len(words) < 3 or words[-1].lower() != "theme":
            return text
        for start in range(len(words) - 2, 0, -1):
            title, named = " ".join(words[:start]), " ".join(words[start:-1])
            theme = self.theme(named)
            if theme:
                return {"title": title, "theme": theme.slug}
        short = words[-2]
        slug = slugify(short)
        if re.fullmatch(r"[A-Z][A-Z0-9&]{1,5}", short) and slug and not (
                self.root / "themes" / f"{slug}.md").exists():
            lead = person if words[:-2] == ["Lead"] else None
            theme = Theme(slug, short, short)
            self.themes.append(theme)
            self.new_themes[slug] = (short, lead)
            return {"title": " ".join(words[:-2]), "theme": slug}
        return text


@dataclass
class Author:
    name: str
    position: str | None = None
    affiliations: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)


def is_signoff(text: str) -> bool:
    """``— Name, ...``: a dash, then a name of capitalised words."""
    return bool(re.match(r"^\s*(?:[\u2014\u2013]|-{1,2})\s*[A-Z][\w.'-]+(?: [\w.'-]+){0,4}"
                         r"(?:,|\s*$|\s+and\s|;)", text))


def parse_signoff(text: str, site: Site) -> list[Author]:
    """``— Name, Position, Affiliation, Role & Role.`` (several joined by ``and``/``;``)."""
    text = _SIGNOFF.sub("", text).strip().rstrip(".").strip()
    chunks = [c.strip() for c in text.split(";") if c.strip()]
    out: list[Author] = []
    for chunk in chunks:
        out.extend(_split_and(chunk, site))
    return out


def _looks_like_name(text: str, site: Site) -> bool:
    if name_key(text) in site.people:
        return True
    words = text.split()
    return 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words)


def _split_and(chunk: str, site: Site) -> list[Author]:
    """``A, Pos and B, Pos`` -> two authors; ``Health and Social Care`` stays whole."""
    parts = re.split(r"\s+and\s+", chunk)
    groups: list[str] = [parts[0]]
    for part in parts[1:]:
        head = part.split(",")[0].strip()
        # A new author: after a bare name ("A and B"), or with a position of their own.
        if _looks_like_name(head, site) and ("," in part or "," not in groups[-1]) \
                and not _role_words(head):
            groups.append(part)
        else:
            groups[-1] = f"{groups[-1]} and {part}"
    return [_author(group) for group in groups]


_NOT_NAMES = re.compile(
    r"\b(?:Theme|Director|Lead|Professor|School|University|College|Institute|Department|"
    r"Centre|Center|Trust|Council|Care|Health|Services?|Research|Studies|Sciences?|NHS|"
    r"Foundation|Board|Group|Unit|Network|Management|Policy|Medicine|Practice|Hospital)\b")


def _role_words(text: str) -> bool:
    """Words of organisations and jobs, not of a person's name."""
    return bool(_NOT_NAMES.search(text))


def _author(text: str) -> Author:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    author = Author(parts[0])
    rest = parts[1:]
    if rest and (len(rest) >= 3 or "&" in rest[-1]):
        author.roles = [r.strip() for r in rest.pop().split("&") if r.strip()]
    if rest:
        author.position = rest.pop(0)
    author.affiliations = rest
    return author
