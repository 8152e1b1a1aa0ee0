"""refs.bib checked before sphinxcontrib-bibtex reads it.

sphinxcontrib-bibtex parses the bibliography at ``builder-inited`` with
pybtex in strict mode: a syntax error raises and Sphinx prints a traceback,
a repeated key is a warning without a line and with no fix, a file that is
not UTF-8 crashes the build. Staff need one message each, with the line and
what to change. So this module runs first (a lower priority number):

* it parses every bib file once, with pybtex's parser made to record each
  problem with its line instead of raising (syntax, repeated keys and
  fields, names with too many commas, bare words, links that are not web
  addresses, encoding); pybtex keeps what it can read (the first of two
  entries with one key);
* it stores the result as sphinxcontrib-bibtex's up-to-date cache, in the
  form that extension makes itself, so its strict parser never runs.

Problems are remembered in the environment with the file's signature and
reported again on every build until the file is fixed (an unchanged file
is not parsed twice). The lenient UTF-8 codec here is also what lets a page
that is not UTF-8 be read (see ``encoding.py``).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pybtex.errors
from pybtex.database import Entry, InvalidNameString
from pybtex.database.input.bibtex import DuplicateField, LowLevelParser, Parser, UndefinedMacro
from pybtex.scanner import PrematureEOF, PybtexSyntaxError, TokenRequired
from sphinx.application import Sphinx
from sphinx.util import logging

from . import bibreparse
from ._compat import (
    ENV_PICKLE_FILENAME,
    BibData,
    BibFile,
    bibtex_data,
    get_mtime,
    is_bibdata_outdated,
    save_environment,
    set_bibtex_data,
)
from .domain import kb_domain
from .keptbib import KeptBibliography, is_lost, keep
from .state import Signature, build_state

logger = logging.getLogger(__name__)

#: A UTF-8 codec that shows undecodable bytes as U+FFFD instead of raising.
#: Used only after the file has been reported; the page is still built.
LENIENT_UTF8 = "kb_utf8_replace"
#: Links a reader may follow from a reference; others are shown as text.
SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)
_ENTRY_START = re.compile(r"@\s*[A-Za-z][\w-]*\s*[{(]")
# Inside a field value, a line that starts another field or entry: the value's
# '{' (or '"') was not closed where the field ended.
_FIELD_LINE = re.compile(r"\n[ \t]*(?:[A-Za-z][\w:.+-]*[ \t]*=|@[ \t]*[A-Za-z][\w-]*[ \t]*[{(])")
_ENTRY_KEY = re.compile(r"@[ \t]*[A-Za-z][\w-]*[ \t]*[{(][ \t]*([^\s,{}()\"]+)[ \t]*,")


def _lenient_search(name: str) -> codecs.CodecInfo | None:
    if name != LENIENT_UTF8:
        return None
    base = codecs.lookup("utf-8-sig")

    def decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
        return base.decode(data, "replace")

    def incremental(errors: str = "strict") -> codecs.IncrementalDecoder:
        return base.incrementaldecoder("replace")

    return codecs.CodecInfo(
        base.encode, decode, name=LENIENT_UTF8,  # type: ignore[arg-type]  # any buffer
        incrementalencoder=base.incrementalencoder, incrementaldecoder=incremental,
        streamreader=base.streamreader, streamwriter=base.streamwriter,
    )


codecs.register(_lenient_search)


def undecodable_line(data: bytes, encoding: str) -> tuple[int, str] | None:
    """``(line, byte)`` of the first byte ``encoding`` cannot read, if any."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as err:
        return data.count(b"\n", 0, err.start) + 1, f"0x{data[err.start]:02X}"
    except LookupError:  # an unknown encoding is Sphinx's or pybtex's to report
        return None
    return None


def not_utf8_message(byte: str) -> str:
    return (f"this file is not UTF-8 (byte {byte} on this line cannot be read and is "
            "shown as '\N{REPLACEMENT CHARACTER}'); save it as UTF-8 (in most editors: "
            "'Save as', then choose the encoding 'UTF-8') and check this line")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


def unclosed_value(text: str, start: int) -> tuple[int, int] | None:
    """Where a field value of the entry at ``start`` runs past its field.

    Returns ``(offset of its '{' or '"', offset where it ends)``: the first
    value that takes in a line starting another field (``year = ...``) or
    entry (``@article{...``), or the value still open at the end of the
    text.  pybtex reports such a mistake where the entry happens to break
    (often the next entry's line); the opening brace is where to fix it.
    """
    opening = _ENTRY_START.match(text, start)
    if not opening:
        return None
    close = "}" if text[opening.end() - 1] == "{" else ")"
    depth, value_start, pos = 0, -1, opening.end()
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == '"' and depth == 0:
            end = text.find('"', pos + 1)
            end = len(text) if end < 0 else end
            if _FIELD_LINE.search(text, pos, end):
                return pos, end
            pos = end + 1
            continue
        if char == "{":
            if depth == 0:
                value_start = pos
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0 and (_FIELD_LINE.search(text, value_start, pos)
                               or text[pos + 1:].lstrip()[:1] in ("@", "")):
                # it took in another field, or the entry's own '}' (a new
                # entry, or the end of the file, follows)
                return value_start, pos
        elif char == close and depth == 0:
            return None
        pos += 1
    return (value_start, len(text)) if depth > 0 else None


class _Lines:
    """Line numbers of increasing offsets in one text, in linear time overall."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        if pos < self.pos:  # not expected: restart rather than miscount
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _syntax_message(error: PybtexSyntaxError, key: str | None) -> str:
    entry = f"the entry '{key}'" if key else "this entry"
    if isinstance(error, PrematureEOF):
        return (f"{entry} is never closed: a '{{' or '\"' opened in it has no matching "
                "'}' or '\"' before the end of the file; add the missing one")
    if isinstance(error, UndefinedMacro):
        word = str(error.args[0]) if error.args else ""
        return (f"{entry} has a field value '{word}' (line {error.lineno}) that is not in "
                f"braces: write it as {{{word}}}")
    if isinstance(error, TokenRequired):
        expected = str(error.args[0]) if error.args else "something else"
        return (f"{entry} cannot be read at line {error.lineno}: {expected}; check for a "
                "missing ',' between fields, a missing '=' after a field name, or a value "
                "not in {braces}")
    reason = error.args[0] if error.args else error
    return (f"{entry} cannot be read at line {error.lineno}: {reason}; check its braces "
            "and commas")


def _unclosed_message(opener: str, key: str | None, line: int, taken: list[str]) -> str:
    entry = f"the entry '{key}'" if key else "this entry"
    closer = "}" if opener == "{" else '"'
    swallowed = ""
    if taken:
        names = ", ".join(f"'{name}'" for name in taken)
        swallowed = (f" and takes in the {'entry' if len(taken) == 1 else 'entries'} {names}, "
                     "which cannot be read until it is closed")
    return (f"{entry} cannot be read: a '{opener}' opened at line {line} is not closed, so "
            f"its field runs on into the next lines{swallowed}; add the missing '{closer}' "
            "at the end of that field's value")


class CheckingParser(Parser):
    """pybtex's BibTeX parser that records every problem with its line, never raises.

    It reads what pybtex can (the first of two entries with one key; an
    entry up to its syntax error), so one parse serves both the checks and
    sphinxcontrib-bibtex.
    """

    def __init__(self, encoding: str | None = None) -> None:
        super().__init__(encoding)
        self.problems: list[Problem] = []
        self._first: dict[str, tuple[str, int]] = {}  # lower-cased key -> (key, line)
        self._line = 1
        self._key: str | None = None
        #: Keys of entries that cannot be read (broken, or taken into a
        #: broken one), with the line of the message about them.
        self.unreadable: dict[str, int] = {}
        self._drop: str | None = None

    def _problem(self, message: str) -> None:
        self.problems.append(Problem(self._line, message))

    def parse_string(self, text: str) -> Any:
        self.unnamed_entry_counter = 1
        lines = _Lines(text)
        low = LowLevelParser(text, keyless_entries=self.keyless_entries,
                             want_entry=self.data.want_entry, filename=self.filename,
                             macros=self.macros)

        def syntax_error(error: PybtexSyntaxError) -> None:
            # The entry's first line is where staff look; pybtex's own line
            # (the end of the file, for a brace never closed) is in the message.
            start = low.command_start or 0
            self._line = lines.at(start)
            key = low.current_entry_key
            if not _ENTRY_START.match(text, start):
                self._problem("'@' starts an entry in a .bib file, but no '@type{key,' "
                              "follows it here; if it is part of a comment or an e-mail "
                              "address, remove it (or write 'at')")
                return
            unclosed = unclosed_value(text, start)
            if unclosed is None:
                self._problem(_syntax_message(error, key))
                return
            line = text.count("\n", 0, unclosed[0]) + 1
            taken = [m.group(1) for m in _ENTRY_KEY.finditer(text, unclosed[0], unclosed[1])]
            pending.append((line, text[unclosed[0]], key, taken))
            for name in [key, *taken] if key else taken:
                self.unreadable.setdefault(name, line)
            self._drop = key  # its fields ran into each other: not printed

        pending: list[tuple[int, str, str | None, list[str]]] = []
        low.handle_error = syntax_error
        for command, body in low:
            self._line = lines.at(low.command_start or 0)
            kind = command.lower()
            if kind == "preamble":
                self.process_preamble(*body)
            elif kind != "string":
                self._entry(command, *body)
            if self._drop is not None:
                self.data.entries.pop(self._drop, None)
                self._drop = None
        for line, opener, key, taken in pending:  # name only the entries really lost
            lost = [name for name in taken if name not in self.data.entries]
            self.problems.append(Problem(line, _unclosed_message(opener, key, line, lost)))
        return self.data

    def _entry(self, command: str, key: str | None, fields: list) -> None:
        self._key = key
        if key is not None:
            first = self._first.get(key.lower())
            if first:
                same = "" if first[0] == key else f" (as '{first[0]}'; keys ignore case)"
                self._problem(f"the key '{key}' is already used by the entry on line "
                              f"{first[1]}{same}; give this entry a different key, or delete "
                              "it if it is a copy")
                return
            self._first[key.lower()] = (key, self._line)
        with pybtex.errors.capture() as captured:
            self.process_entry(command, key, fields)
        for error in captured:
            self.handle_error(error)
        entry = self.data.entries.get(key) if key is not None else None
        url = (entry.fields.get("url") or "").strip() if entry is not None else ""
        if url and not SAFE_URL.match(url):
            self._problem(f"the url '{url}' of the entry '{key}' is not a web address; use "
                          "one that starts with https:// (until then it is not a link)")

    def handle_error(self, error: Exception) -> None:
        """Problems pybtex finds while building an entry (fields, names)."""
        if isinstance(error, DuplicateField):
            field = str(error).rsplit(" has a duplicate ", 1)[-1].removesuffix(" field")
            self._problem(f"the entry '{self._key}' has two '{field.lower()}' fields; "
                          "keep one")
        elif isinstance(error, InvalidNameString):
            self._problem(f"an author or editor of the entry '{self._key}' cannot be read "
                          f"({error}); write each person as 'Surname, Given names' and "
                          "separate people with ' and '")
        else:
            self._problem(f"the entry '{self._key}' cannot be read ({error}); check it "
                          "against an entry that works")


def scan(text: str) -> list[Problem]:
    """Every problem in one bib file's text, each with its line."""
    parser = CheckingParser()
    parser.parse_string(text)
    return parser.problems


def bib_paths(app: Sphinx) -> list[Path]:
    """The bib files as sphinxcontrib-bibtex resolves them (relative to conf.py)."""
    return [(Path(app.confdir) / name).resolve() for name in app.config.bibtex_bibfiles or ()]


def _signature(path: Path) -> Signature:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def check_bibfiles(app: Sphinx) -> None:
    """Report every bib problem; parse for sphinxcontrib-bibtex without crashing."""
    if not app.config.bibtex_bibfiles:
        return
    env = app.env
    paths, encoding = bib_paths(app), app.config.bibtex_encoding
    stored = kb_domain(env).stored
    current = all(str(p) in stored.bibcheck and stored.bibcheck[str(p)][0] == _signature(p)
                  for p in paths)
    if not current or is_lost(bibtex_data(env).data) or \
            is_bibdata_outdated(bibtex_data(env), paths, encoding):
        data, stored.bibcheck, stored.bib_unreadable, stored.bib_chunks, changed = \
            parse_reusing(paths, encoding, stored.bib_chunks, bibtex_data(env).data.entries)
        set_bibtex_data(env, data._replace(data=keep(data.data, Path(app.doctreedir))))
        build = build_state(app)
        build.bib_changed = changed  # for citations.outdated_by_bibliography
        build.bib_parsed = True
        build.env_pickle_at_parse = _signature(Path(app.doctreedir) / ENV_PICKLE_FILENAME)
    elif not isinstance(bibtex_data(env).data, KeptBibliography):  # from an older kb
        data = bibtex_data(env)
        set_bibtex_data(env, data._replace(data=keep(data.data, Path(app.doctreedir))))
        build = build_state(app)
        build.bib_parsed = True  # save_parse pickles the environment with it
        build.env_pickle_at_parse = _signature(Path(app.doctreedir) / ENV_PICKLE_FILENAME)
    for path in paths:
        for problem in stored.bibcheck[str(path)][1]:
            logger.warning(problem.message, location=f"{path}:{problem.line}",
                           type="kb", subtype="bibtex")


def parse(paths: list[Path], encoding: str) -> tuple[
        BibData, dict[str, tuple[Signature, list[Problem]]], dict[str, tuple[str, int]]]:
    """One parse of every bib file: sphinxcontrib-bibtex's data, the problems,
    and the keys of entries that cannot be read (with file and line).

    The result is what ``sphinxcontrib.bibtex.bibfile.parse_bibdata`` would
    make, so that extension finds its cache up to date and does not parse.
    """
    parser = CheckingParser(encoding)
    unreadable: dict[str, tuple[str, int]] = {}
    bibfiles: dict[Path, BibFile] = {}
    state: dict[str, tuple[Signature, list[Problem]]] = {}
    for path in paths:
        signature = _signature(path)
        parser.problems = []
        parser.unreadable = {}
        if signature is None:
            parser.problems.append(Problem(1, (
                f"the bibliography {path.name} (in bibtex_bibfiles of conf.py) does not "
                "exist: create it, or correct its name in conf.py")))
            keys: dict[str, None] = {}
        else:
            logger.info("checking and parsing bibtex file %s... ", path, nonl=True)
            data = path.read_bytes()
            bad = undecodable_line(data, encoding)
            if bad:
                parser.problems.append(Problem(bad[0], not_utf8_message(bad[1])))
            before = set(parser.data.entries.keys())
            parser.filename = str(path)
            parser.parse_string(data.decode(LENIENT_UTF8 if bad else encoding))
            keys = dict.fromkeys(k for k in parser.data.entries if k not in before)
            logger.info("parsed %d entries", len(keys))
        bibfiles[path] = BibFile(mtime=get_mtime(path), keys=keys)
        state[str(path)] = (signature, sorted(parser.problems, key=lambda p: p.line))
        for key, line in parser.unreadable.items():
            if key not in parser.data.entries:
                unreadable.setdefault(key, (str(path), line))
    return BibData(encoding=encoding, bibfiles=bibfiles, data=parser.data), state, unreadable


def parse_reusing(paths: list[Path], encoding: str, known: dict[str, bibreparse.ChunkMap],
                  old: dict[str, Entry]) -> tuple[BibData, dict, dict[str, tuple[str, int]],
                                                  dict[str, bibreparse.ChunkMap], set[str] | None]:
    """:func:`parse`, keeping the entries whose text is unchanged (:mod:`kb.bibreparse`).

    Also returns the chunk maps for the next parse, and the keys whose
    entries changed, were added or removed (None when every entry was parsed).
    """
    if len(paths) == 1 and str(paths[0]) in known:
        path = paths[0]
        signature = _signature(path)
        raw = path.read_bytes() if signature is not None else b""
        if signature is not None and undecodable_line(raw, encoding) is None:

            def parse_one(chunk: str) -> Any:
                parser = CheckingParser(encoding)
                parser.filename = str(path)
                parser.parse_string(chunk)
                return None if parser.problems else parser.data

            result = bibreparse.reparse(raw.decode(encoding), known[str(path)], old, parse_one)
            if result is not None:
                data, chunk_map, changed = result
                changed.update(key for key in old if key not in data.entries)
                logger.info("checking and parsing bibtex file %s... parsed %d changed "
                            "entries of %d", path, len(changed), len(data.entries))
                bibfiles = {path: BibFile(mtime=get_mtime(path), keys=dict.fromkeys(data.entries))}
                return (BibData(encoding=encoding, bibfiles=bibfiles, data=data),
                        {str(path): (signature, [])}, {}, {str(path): chunk_map}, changed)
    bibdata, state, unreadable = parse(paths, encoding)
    maps: dict[str, bibreparse.ChunkMap] = {}
    if len(paths) == 1 and state[str(paths[0])][0] is not None and not state[str(paths[0])][1]:
        try:
            text = paths[0].read_bytes().decode(encoding)
        except (OSError, UnicodeDecodeError, LookupError):
            text = None
        found = bibreparse.chunk_map(text, bibdata.data) if text is not None else None
        if found is not None:
            maps[str(paths[0])] = found
    return bibdata, state, unreadable, maps, None


def save_parse(app: Sphinx, exception: BaseException | None) -> None:
    """Keep a new parse of refs.bib even when no document was re-read.

    Sphinx saves the environment only when a document was read, and an
    entry no essay cites re-reads none: the parse (2 s for 30,000 entries)
    would then be repeated by every build until some essay changed.
    """
    build = build_state(app)
    pickled = Path(app.doctreedir) / ENV_PICKLE_FILENAME
    if exception is None and build.bib_parsed and \
            _signature(pickled) == build.env_pickle_at_parse:
        save_environment(app)
