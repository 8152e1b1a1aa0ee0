"""Property-based tests: any front matter, any bib entry, no traceback, no lost essay.

Hypothesis writes an essay's front matter (raw text with YAML specials and
control characters, or mappings of known and unknown keys to values of any
type) or a refs.bib entry (any type, key and fields, braces included) into
the small knowledge base of ``tests/roots/test-errors`` and builds it for
real. Whatever it writes, the build must finish without an exception, every
warning must name a file of the knowledge base, and the essay must still
have its page and be on the listings (the completeness check would say
otherwise). Examples are few (each is a real Sphinx build) and random;
``KB_PROPERTY_EXAMPLES=500`` runs more.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_errors import BASE, REFS, Built, build, make_root

#: Each example is a real build (~0.4 s); KB_PROPERTY_EXAMPLES=500 for a long run.
EXAMPLES = settings(
    max_examples=int(os.environ.get("KB_PROPERTY_EXAMPLES", "20")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Any character a file can hold (no lone surrogates: they cannot be saved).
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
YAML_SPECIALS = st.sampled_from([
    ":", ": ", "#", " #", "-", "- ", "? ", "[", "]", "{", "}", ",", "&a", "*a", "!", "!!str",
    "|", ">", "'", '"', "%", "@", "`", "---", "...", "\t", "\n", "\r\n", "\x00", "\x0b",
    "\u2028", "\ufeff", "null", "~", "yes", "no", "on", "1e3", "0x1F", "2019-02-30",
    "<script>", "\\", "ios", "ann-example", "title", "authors",
])
TEXT = st.text(ANY_CHAR, max_size=24) | st.lists(YAML_SPECIALS | st.text(ANY_CHAR, max_size=4),
                                                 max_size=6).map("".join)
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
           | st.dates().map(dt.date.isoformat) | TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
ESSAY_KEYS = ("title", "date", "authors", "themes", "tags")
KEYS = st.sampled_from((*ESSAY_KEYS, "author", "Title", "theme", "id", "roles")) | TEXT
AUTHOR = st.fixed_dictionaries(
    {"id": st.sampled_from(["ann-example", "ann-exampel", "Ann Example", ""]) | TEXT},
    optional={"position": VALUES, "affiliations": VALUES, "roles": VALUES, "orcid": VALUES},
)
PLAUSIBLE = st.fixed_dictionaries(
    {"title": TEXT, "authors": st.lists(AUTHOR | TEXT, max_size=2)},
    optional={"date": SCALARS, "themes": st.lists(TEXT | st.just("ios"), max_size=2) | VALUES,
              "tags": VALUES, "extra": VALUES},
)


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


FRONT_MATTER = st.one_of(
    st.text(ANY_CHAR, max_size=200),  # anything between the fences
    st.lists(YAML_SPECIALS | TEXT, max_size=12).map("".join),
    st.dictionaries(KEYS, VALUES, max_size=6).map(_dump),
    PLAUSIBLE.map(_dump),
)

BIB_FIELDS = ("author", "editor", "title", "journal", "booktitle", "year", "volume", "number",
              "pages", "publisher", "address", "edition", "school", "institution", "type",
              "howpublished", "note", "url", "doi", "month", "urldate", "organization")
BIB_TEXT = st.lists(st.sampled_from(["{", "}", "\\", '"', "@", ",", "=", "%", "#", "~", "$",
                                     "\\&", "{\\\"u}", " and ", "--", "others", "\n"])
                    | st.text(ANY_CHAR, max_size=8), max_size=8).map("".join)
BIB_ENTRY = st.tuples(
    st.sampled_from(["article", "book", "incollection", "phdthesis", "mastersthesis",
                     "techreport", "misc", "online", "inproceedings", "weird"]) | BIB_TEXT,
    st.sampled_from(["fuzz2020", "smith2001"]) | BIB_TEXT,
    st.lists(st.tuples(st.sampled_from(BIB_FIELDS) | BIB_TEXT, BIB_TEXT), max_size=6),
    st.booleans(),  # brace the values (BibTeX's usual form) or write them bare
)


def _bib(entry: tuple[str, str, list[tuple[str, str]], bool]) -> str:
    kind, key, fields, braced = entry
    body = ",\n".join(f"  {name} = {{{value}}}" if braced else f"  {name} = {value}"
                      for name, value in fields)
    return f"\n@{kind}{{{key},\n{body}\n}}\n"


@dataclass
class Result:
    built: Built
    pages: set[str]  # every page written, relative to the output folder
    essay_list: str  # the HTML of essays/index.html, the list of all essays


def _build(changes: dict[str, str | bytes]) -> Result:
    with tempfile.TemporaryDirectory(prefix="kb-property-") as tmp:
        built = build(make_root(Path(tmp) / "src", changes, base=BASE))
        index = built.outdir / "essays" / "index.html"
        return Result(built, {p.relative_to(built.outdir).as_posix()
                              for p in built.outdir.rglob("*.html")},
                      index.read_text("utf-8") if index.exists() else "")


def _check(result: Result, essay_file: str = "") -> None:
    """Every message names a file; nothing crashed; no essay was lost."""
    built = result.built
    for line in built.warning_lines():
        assert line.startswith(f"{built.srcdir}/"), line
        assert "missing from" not in line, line
    assert "Traceback" not in built.warnings + built.status
    assert "essays/good.html" in result.pages
    if essay_file:
        assert essay_file.replace(".md", ".html") in result.pages
        assert f'href="{Path(essay_file).stem}.html"' in result.essay_list


@EXAMPLES
@given(FRONT_MATTER, st.sampled_from(["Some text.\n", "A claim.{footcite}`smith2001`\n"]))
def test_any_front_matter_builds_or_says_why(front: str, body: str) -> None:
    _check(_build({"essays/fuzz.md": f"---\n{front}\n---\n\n{body}"}), "essays/fuzz.md")


@EXAMPLES
@given(st.text(ANY_CHAR, max_size=300))
def test_any_essay_file_builds_or_says_why(text: str) -> None:
    """Not even the fences: whatever a file holds, the essay is built."""
    _check(_build({"essays/fuzz.md": text}), "essays/fuzz.md")


@EXAMPLES
@given(st.lists(BIB_ENTRY, min_size=1, max_size=3), st.booleans())
def test_any_bib_entry_builds_or_says_why(entries: list, cite: bool) -> None:
    essay = (BASE / "essays" / "good.md").read_text("utf-8")
    if cite:  # cite the generated keys too, so they are formatted
        keys = ",".join(key for _, key, _, _ in entries if key.strip() and "`" not in key)
        essay = essay.replace("{footcite}`smith2001`", f"{{footcite}}`smith2001,{keys}`")
    _check(_build({"refs.bib": REFS + "".join(map(_bib, entries)), "essays/good.md": essay}))


@EXAMPLES
@given(st.sampled_from(["name", "url", "orcid", "email", "nickname"]), VALUES)
def test_any_person_field_builds_or_says_why(key: str, value: object) -> None:
    page = _dump({"name": "Ann Example", key: value} if key != "name" else {key: value})
    _check(_build({"people/ann-example.md": f"---\n{page}---\n"}))
