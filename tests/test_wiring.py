"""Every event handler of ours is in ``kb.wiring``'s table and called in its order.

The real site is built with Python's profiler noting each handler that
Sphinx's event manager calls, in call order, one list per emission. Of
ours, each emission calls exactly the table's handlers for that event, in
the table's priority order (so a handler connected anywhere else fails);
the rules that matter hold against Sphinx's own handlers and those of
other extensions; and they follow from the priorities alone, not from
the order of the table's lines.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import pytest
import sphinx.events
from sphinx.application import Sphinx
from sphinx.testing.util import SphinxTestApp

import kb
from kb import (
    bibcheck,
    completeness,
    essaypdf,
    fastscan,
    gcpause,
    jsonld,
    latex,
    meta,
    pages,
    policy,
    rebuilds,
    scholarly,
    search,
    source_files,
    stale_output,
    uptodate,
)
from kb.wiring import HANDLERS

KB = str(Path(kb.__file__).parent)
EMIT = sphinx.events.EventManager.emit.__code__
OURS = {hook.handler.__code__: hook for hook in HANDLERS}


def name(code: CodeType) -> str:
    hook = OURS.get(code)
    return f"{hook.handler.__module__}.{code.co_name}" if hook else code.co_filename


def expected(event: str) -> list[CodeType]:
    """The table's handlers of ``event`` in the order Sphinx calls them.

    Less generators (``html-collect-pages``): calling one runs none of its
    code, so the profiler sees it only when Sphinx iterates it, later.
    """
    rows = [hook for hook in HANDLERS if hook.event == event]
    codes = [hook.handler.__code__ for hook in sorted(rows, key=lambda h: h.priority)]
    return [code for code in codes if not code.co_flags & inspect.CO_GENERATOR]


def is_handler(frame: FrameType) -> bool:
    """Sphinx calls a handler with the app first (after ``self`` for a method);
    the emitter's other calls (logging, ``repr`` of the arguments) are not."""
    code = frame.f_code
    args = [frame.f_locals.get(n) for n in code.co_varnames[:code.co_argcount]]
    if code.co_flags & inspect.CO_VARARGS:
        args += list(frame.f_locals[code.co_varnames[code.co_argcount
                                                     + code.co_kwonlyargcount]])
    return any(isinstance(value, Sphinx) for value in args[:2])


@pytest.fixture(scope="module")
def emissions(site_copy: Callable[[], Path]) -> list[list[CodeType]]:
    """The handlers each event emission of a real site build called, in order."""
    groups: dict[int, list[CodeType]] = {}
    frames: list[FrameType] = []  # kept alive, so no two emissions share an id

    def note(frame: FrameType, event: str, arg: Any) -> None:
        caller = frame.f_back
        if event == "call" and caller is not None and caller.f_code is EMIT \
                and is_handler(frame):
            if id(caller) not in groups:
                frames.append(caller)
                groups[id(caller)] = []
            groups[id(caller)].append(frame.f_code)

    src = site_copy()
    sys.setprofile(note)
    try:
        app = SphinxTestApp("html", srcdir=src, freshenv=True)
        try:
            app.build()
        finally:
            app.cleanup()
    finally:
        sys.setprofile(None)
    return list(groups.values())


def emissions_of(emissions: list[list[CodeType]], event: str) -> Iterator[list[CodeType]]:
    first = expected(event)[0]
    return (calls for calls in emissions if first in calls)


def test_each_event_calls_exactly_the_tables_handlers_in_priority_order(emissions):
    seen = set()
    for calls in emissions:
        ours = [code for code in calls if code.co_filename.startswith(KB)]
        if not ours:
            continue
        assert ours[0] in OURS, f"{name(ours[0])} is connected outside kb/wiring.py"
        event = OURS[ours[0]].event
        assert [name(c) for c in ours] == [name(c) for c in expected(event)], event
        seen.add(event)
    # Every phase of a fresh HTML build was seen, so the check above is not empty.
    assert seen >= {
        "config-inited", "builder-inited", "env-get-outdated", "env-before-read-docs",
        "source-read", "doctree-read", "env-updated", "env-get-updated",
        "env-check-consistency", "doctree-resolved", "html-page-context",
        "kb-feed-entry", "build-finished",
    }


def position(calls: list[CodeType], where: str) -> list[int]:
    return [i for i, code in enumerate(calls) if where in code.co_filename]


def test_ours_run_where_they_must_among_sphinx_and_other_extensions(emissions):
    for calls in emissions_of(emissions, "builder-inited"):
        # Our parse of refs.bib (one message per problem) becomes bibtex's cache.
        bibtex = position(calls, "sphinxcontrib/bibtex")
        assert bibtex and calls.index(bibcheck.check_bibfiles.__code__) < min(bibtex)
        # The loaded environment is frozen before any handler makes objects.
        assert calls[0] is gcpause.environment_loaded.__code__
    for calls in emissions_of(emissions, "config-inited"):
        # The source suffixes Sphinx normalises (convert_source_suffix) are read.
        sphinx_config = position(calls, "sphinx/config.py")
        assert calls.index(source_files.check_source_files.__code__) > max(sphinx_config)
    for calls in emissions_of(emissions, "html-page-context"):
        # sphinxext-opengraph reads the page metadata our head tags set.
        opengraph = position(calls, "sphinxext/opengraph")
        assert opengraph and calls.index(meta.add_head_tags.__code__) < min(opengraph)
    for calls in emissions_of(emissions, "env-updated"):
        assert calls[-1] is gcpause.reading_done.__code__  # after bibtex's merge
    for calls in emissions_of(emissions, "build-finished"):
        assert calls[-3:] == [completeness.check_completeness.__code__, rebuilds.save.__code__,
                              uptodate.record.__code__]


def priority(handler: Callable[..., Any]) -> int:
    (hook,) = [hook for hook in HANDLERS if hook.handler is handler]
    return hook.priority


#: (earlier, later, why): orders that change what the build does.
RULES: list[tuple[Callable[..., Any], Callable[..., Any], str]] = [
    (policy.check_config, policy.install_directives, "rules are validated, then applied"),
    (policy.check_sources, source_files.check_source_files, "refused files first"),
    (latex.configure_latex, essaypdf.add_essay_documents, "essays' PDFs replace the set"),
    (policy.limit_size, pages.cut_front_matter, "an oversized page is cut first"),
    (scholarly.add_scholarly, meta.note_description, "the essay's nodes are complete"),
    (meta.add_head_tags, jsonld.add_jsonld, "the head tags come first in the head"),
    (stale_output.remove_stale_output, search.run_pagefind,
     "pages of removed documents are not indexed"),
    (search.run_pagefind, completeness.check_completeness,
     "every essay is checked in the index just written"),
    (stale_output.remove_stale_output, completeness.check_completeness,
     "the check reads the output as it stays"),
    (completeness.check_completeness, rebuilds.save,
     "the records are saved once every handler has used them"),
    (rebuilds.save, uptodate.record,
     "a build is recorded as up to date only once everything has been written"),
    (uptodate.start, fastscan.use_fast_scans,
     "the source folders are seen before Sphinx looks for changed sources"),
    (latex.tag_pdfs, essaypdf.keep_unchanged_tex_times,
     "the .tex is compared once it has its final text"),
]


@pytest.mark.parametrize(("earlier", "later", "why"), RULES,
                         ids=[f"{a.__name__}<{b.__name__}" for a, b, _ in RULES])
def test_the_order_that_matters_follows_from_priorities(earlier, later, why):
    assert priority(earlier) < priority(later), why


def test_the_collector_pauses_around_everything_else():
    """gcpause: first of builder-inited, last of the others but the two checks
    and the saving of rebuild and up-to-date records."""
    checks = {source_files.check_source_files, completeness.check_completeness,
              rebuilds.save, uptodate.record}
    for hook in (h for h in HANDLERS if h.handler.__module__ == "kb.gcpause"):
        others = [h for h in HANDLERS if h.event == hook.event and h is not hook]
        if hook.event == "builder-inited":
            assert all(hook.priority < h.priority for h in others)
        else:
            assert {h.handler for h in others if h.priority >= hook.priority} <= checks
