"""One work, one entry: match imported references to ``refs.bib`` and append new ones.

A work is the same when its normalised authors (surnames), title and year
are: accents, case, punctuation and TeX are ignored, so the seed's
``Heifetz RA. Leadership without Easy Answers ... 1994`` finds
``heifetz1994leadership``.  New keys follow the existing pattern (first
author's surname, year, first word of the title that is not an article);
a key already used by another work gets ``b``, ``c``, ... appended.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.errors
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.input.bibtex import Parser as BibtexParser
from pybtex.scanner import PybtexError

from kb.vancouver import latex_to_text  # noqa: E402,I001  (path set by the package)

from .refparse import Reference, bib_source

Signature = tuple[tuple[str, ...], str, str]
_SKIP_WORDS = frozenset({"a", "an", "the"})


class BibError(Exception):
    """``refs.bib`` cannot be read; the message names it and says why."""


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: ``‘Ordinary`` -> ``ordinary``."""
    text = unicodedata.normalize("NFKD", latex_to_text(text))
    return re.sub(r"[^a-z0-9]+", " ", text.encode("ascii", "ignore").decode().lower()).strip()


def _surname(person: Person) -> str:
    return fold(" ".join(person.prelast_names + person.last_names))


def signature(entry: Entry) -> Signature:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = tuple(_surname(p) for p in persons if p.last_names != ["others"])
    year = latex_to_text(entry.fields.get("year", ""))
    return names, fold(entry.fields.get("title", "")), year


def base_key(entry: Entry) -> str:
    """``heifetz1994leadership``: surname, year, first title word (ASCII)."""
    names, title, year = signature(entry)
    who = (names[0].split() or ["anon"])[0] if names else ""
    words = [w for w in title.split() if w not in _SKIP_WORDS] or title.split()
    what = words[0] if words else ""
    key = f"{who}{year if year.isdigit() else ''}{what}"
    return key or "ref"


@dataclass
class BibStore:
    """``refs.bib`` as read, plus the entries this import adds."""

    path: Path
    original: str
    signatures: dict[Signature, str]
    keys: set[str]
    added: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> BibStore:
        try:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
        except (OSError, UnicodeDecodeError) as err:
            raise BibError(f"{path}: cannot be read ({err}); fix it, then import again") from err
        try:
            with pybtex.errors.capture():
                data = BibtexParser().parse_string(text) if text.strip() else BibliographyData()
        except PybtexError as err:
            raise BibError(f"{path}: is not valid BibTeX ({err}); run make html to see "
                           "where, fix it, then import again") from err
        signatures: dict[Signature, str] = {}
        for key, entry in data.entries.items():
            signatures.setdefault(signature(entry), key)
        return cls(path, text, signatures, {k.lower() for k in data.entries})

    def key_for(self, ref: Reference) -> tuple[str, bool]:
        """The key of this work: an existing one (True) or a new one (False)."""
        entry = ref.entry()
        sig = signature(entry)
        if sig in self.signatures:
            return self.signatures[sig], True
        base = base_key(entry)
        key, suffix = base, ord("b")
        while key.lower() in self.keys:
            key, suffix = f"{base}{chr(suffix)}", suffix + 1
        self.keys.add(key.lower())
        self.signatures[sig] = key
        note = ""
        if ref.verbatim:
            note = "% Imported as written: the reference could not be read; check it.\n"
        self.added.append(note + bib_source(key, ref.type, ref.fields, ref.persons))
        return key, False

    def mark(self) -> tuple[int, set[str], dict[Signature, str]]:
        """The state to go back to if the post being read is not imported."""
        return len(self.added), set(self.keys), dict(self.signatures)

    def reset(self, mark: tuple[int, set[str], dict[Signature, str]]) -> None:
        added, self.keys, self.signatures = mark
        del self.added[added:]

    def text(self, source_name: str) -> str:
        """The new content of ``refs.bib`` (the old one if nothing was added)."""
        if not self.added:
            return self.original
        head = self.original.rstrip("\n") + "\n\n" if self.original.strip() else ""
        return head + f"% Imported from {source_name} (make import).\n\n" + "\n".join(self.added)
