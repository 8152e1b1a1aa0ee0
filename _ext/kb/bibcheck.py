"""refs.bib checked before sphinxcontrib-bibtex reads it.

sphinxcontrib-bibtex parses the bibliography at ``builder-inited`` with
pybtex in strict mode: a syntax error raises and Sphinx prints a traceback,
a repeated key is a warning without a line and with no fix, a file that is
not UTF-8 crashes the build. Staff need one message each, with the line and
what to change. So this module runs first (a lower priority number):

* it scans every bib file with pybtex's low-level parser, collecting each
  problem with its line (syntax, repeated keys and fields, names with too
  many commas, bare words, links that are not web addresses, encoding);
* it then parses the files for sphinxcontrib-bibtex itself, with pybtex's
  errors captured (pybtex keeps what it can read, the first of two entries
  with one key), and stores the result as that extension's up-to-date cache,
  so the stock parser never meets the broken file.

Problems are remembered in the environment with the file's signature and
reported again on every build until the file is fixed (an unchanged file
is not parsed twice). The lenient UTF-8 codec here is also what lets a page
that is not UTF-8 be read (see ``completeness.py``).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import pybtex.errors
from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person
from pybtex.database.input.bibtex import LowLevelParser, UndefinedMacro, month_names
from pybtex.scanner import PrematureEOF, PybtexSyntaxError, TokenRequired
from pybtex.utils import CaseInsensitiveDict
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinxcontrib.bibtex.bibfile import is_bibdata_outdated, parse_bibdata

logger = logging.getLogger(__name__)

#: A UTF-8 codec that shows undecodable bytes as U+FFFD instead of raising.
#: Used only after the file has been reported; the page is still built.
LENIENT_UTF8 = "kb_utf8_replace"
#: Sphinx runs ``builder-inited`` handlers by priority; sphinxcontrib-bibtex's
#: use the default (500), so ours runs first.
PRIORITY = 400
_PERSON_FIELDS = ("author", "editor")
#: Links a reader may follow from a reference; others are shown as text.
SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)
_ENTRY_START = re.compile(r"@\s*[A-Za-z][\w-]*\s*[{(]")
_STATE = "kb_bibcheck"  # env attribute: {path: (signature, problems)}


def _lenient_search(name: str) -> codecs.CodecInfo | None:
    if name != LENIENT_UTF8:
        return None
    base = codecs.lookup("utf-8-sig")

    def decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
        return base.decode(data, "replace")

    def incremental(errors: str = "strict") -> codecs.IncrementalDecoder:
        return base.incrementaldecoder("replace")  # type: ignore[misc]

    return codecs.CodecInfo(
        base.encode, decode, name=LENIENT_UTF8,
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


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, max(pos, 0)) + 1


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


def scan(text: str) -> list[Problem]:
    """Every problem in one bib file's text, each with its line."""
    problems: list[Problem] = []
    parser = LowLevelParser(text, macros=CaseInsensitiveDict(month_names))

    def collect(error: PybtexSyntaxError) -> None:
        # The entry's first line is where staff look; pybtex's own line
        # (the end of the file, for a brace never closed) is in the message.
        start = parser.command_start or 0
        if not _ENTRY_START.match(text, start):
            message = ("'@' starts an entry in a .bib file, but no '@type{key,' follows it "
                       "here; if it is part of a comment or an e-mail address, remove it "
                       "(or write 'at')")
        else:
            message = _syntax_message(error, parser.current_entry_key)
        problems.append(Problem(_line_of(text, start), message))

    parser.handle_error = collect  # type: ignore[method-assign]
    seen: dict[str, tuple[str, int]] = {}
    for command, body in parser:
        key = parser.current_entry_key
        if command.lower() in ("string", "preamble") or key is None:
            continue
        start = _line_of(text, parser.command_start or 0)
        first = seen.get(key.casefold())
        if first:
            same = "" if first[0] == key else f" (as '{first[0]}'; keys ignore case)"
            problems.append(Problem(start, (
                f"the key '{key}' is already used by the entry on line {first[1]}{same}; "
                "give this entry a different key, or delete it if it is a copy")))
        else:
            seen[key.casefold()] = (key, start)
        problems.extend(_check_fields(key, body[1], start))
    return sorted(problems, key=lambda p: p.line)


def _check_fields(key: str, fields: list[tuple[str, list[str]]], line: int) -> list[Problem]:
    problems = []
    names: set[str] = set()
    for name, parts in fields:
        lower = name.lower()
        value = "".join(parts)
        if lower in names:
            problems.append(Problem(line, f"the entry '{key}' has two '{lower}' fields; "
                                          "keep one"))
        names.add(lower)
        if lower in _PERSON_FIELDS:
            problems.extend(_check_names(key, lower, value, line))
        elif lower == "url" and value.strip() and not SAFE_URL.match(value.strip()):
            problems.append(Problem(line, (
                f"the url '{value.strip()}' of the entry '{key}' is not a web address; "
                "use one that starts with https:// (until then it is not a link)")))
    return problems


def _check_names(key: str, field: str, value: str, line: int) -> list[Problem]:
    problems = []
    with pybtex.errors.capture() as captured:
        for name in split_name_list(" ".join(value.split())):
            Person(name)
    for error in captured:
        problems.append(Problem(line, (
            f"the {field} list of the entry '{key}' cannot be read ({error}); write each "
            "person as 'Surname, Given names' and separate people with ' and '")))
    return problems


def bib_paths(app: Sphinx) -> list[Path]:
    """The bib files as sphinxcontrib-bibtex resolves them (relative to conf.py)."""
    return [(Path(app.confdir) / name).resolve() for name in app.config.bibtex_bibfiles or ()]


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def check_bibfiles(app: Sphinx) -> None:
    """Report every bib problem, then parse for sphinxcontrib-bibtex without crashing."""
    if not app.config.bibtex_bibfiles:
        return
    env = app.env
    encoding = app.config.bibtex_encoding
    state: dict[str, tuple[tuple[int, int], list[Problem], bool]] = getattr(env, _STATE, {})
    lenient = False
    for path in bib_paths(app):
        signature = _signature(path)
        if signature is None:
            continue  # sphinxcontrib-bibtex says "could not open bibtex file"
        known = state.get(str(path))
        if known and known[0] == signature:
            problems, not_utf8 = known[1], known[2]
        else:
            data = path.read_bytes()
            bad = undecodable_line(data, encoding)
            problems = [Problem(bad[0], not_utf8_message(bad[1]))] if bad else []
            problems += scan(data.decode(LENIENT_UTF8 if bad else encoding))
            not_utf8 = bad is not None
            state[str(path)] = (signature, problems, not_utf8)
        lenient = lenient or not_utf8
        for problem in problems:
            logger.warning(problem.message, location=f"{path}:{problem.line}",
                           type="kb", subtype="bibtex")
    env.kb_bibcheck = state  # type: ignore[attr-defined]
    take_over_parse(app, lenient)


def take_over_parse(app: Sphinx, lenient: bool) -> None:
    """Fill sphinxcontrib-bibtex's cache so its own (strict) parse is skipped."""
    domain = app.env.get_domain("cite")
    paths, encoding = bib_paths(app), app.config.bibtex_encoding
    if not is_bibdata_outdated(domain.bibdata, paths, encoding):  # type: ignore[attr-defined]
        return
    with pybtex.errors.capture():  # reported above, with lines and fixes
        parsed = parse_bibdata(paths, LENIENT_UTF8 if lenient else encoding)
    domain.data["bibdata"] = parsed._replace(encoding=encoding)


def setup_bibcheck(app: Sphinx) -> None:
    app.connect("builder-inited", check_bibfiles, priority=PRIORITY)
