"""Every private API ``kb._compat`` relies on still behaves as it did.

One test per touch point listed in ``_ext/kb/_compat.py``; each failure
names the API and the version it was checked against, so that an upgrade
(``make test-latest``) says exactly what to fix and where.
"""

from __future__ import annotations

import gzip
import inspect
import json
import pickle
import subprocess
from collections.abc import Callable
from pathlib import Path

import pybtex.errors
import pytest
from pybtex.database.input.bibtex import LowLevelParser, Parser
from pybtex.richtext import HRef, Tag, Text
from sphinx.builders.latex import LaTeXBuilder
from sphinx.environment import BuildEnvironment

from conftest import build, copy_root
from kb import _compat
from kb.bibcheck import CheckingParser
from kb.pagefind_bundle import find_pagefind, pagefind_command


def holds(api: str, checked: str, condition: bool | Callable[[], object]) -> None:
    """Fail naming the API when ``condition`` is false or raises."""
    try:
        ok = condition() if callable(condition) else condition
    except Exception as error:  # noqa: BLE001 - any change in the API is the finding
        pytest.fail(f"{api} changed (checked against {checked}): {error!r}; "
                    "update _ext/kb/_compat.py", pytrace=False)
    if not ok:
        pytest.fail(f"{api} changed (checked against {checked}); update _ext/kb/_compat.py",
                    pytrace=False)


def params(function: Callable[..., object]) -> list[str]:
    return list(inspect.signature(function).parameters)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A real build of a small root: environment, pickle, Sphinx's search index."""
    return build(copy_root("anypage", tmp_path_factory.mktemp("compat") / "src"),
                 freshenv=True, confoverrides={"kb_pagefind": False})


# -- Sphinx 9.0.4 -------------------------------------------------------------

def test_env_app_is_the_application(built):
    holds("BuildEnvironment._app", "Sphinx 9.0.4", lambda: _compat.app_of(built.env) is built)


def test_environment_pickle_is_where_sphinx_loads_it(built):
    path = Path(built.doctreedir) / _compat.ENV_PICKLE_FILENAME
    holds("sphinx.application.ENV_PICKLE_FILENAME", "Sphinx 9.0.4", path.is_file)
    from sphinx.builders import Builder
    holds("Builder.build pickles the environment to ENV_PICKLE_FILENAME", "Sphinx 9.0.4",
          lambda: "ENV_PICKLE_FILENAME" in inspect.getsource(Builder.build)
          and "pickle.dump" in inspect.getsource(Builder.build))
    path.unlink()
    _compat.save_environment(built)
    with open(path, "rb") as file:
        loaded = pickle.load(file)
    holds("the pickled BuildEnvironment", "Sphinx 9.0.4",
          lambda: isinstance(loaded, BuildEnvironment)
          and loaded.found_docs == built.env.found_docs)


def test_js_index_reads_and_writes_searchindex_js(built):
    text = (Path(built.outdir) / "searchindex.js").read_text(encoding="utf-8")
    holds("sphinx.search.js_index.loads", "Sphinx 9.0.4",
          lambda: "terms" in _compat.js_index.loads(text))
    holds("sphinx.search.js_index.dumps", "Sphinx 9.0.4",
          lambda: _compat.js_index.loads(_compat.js_index.dumps({"terms": {"a": []}}))
          == {"terms": {"a": []}})


def test_texescape_escapes_for_the_engine():
    holds("sphinx.util.texescape.init", "Sphinx 9.0.4", _compat.texescape.init() is None)
    holds("sphinx.util.texescape.escape(s, latex_engine)", "Sphinx 9.0.4",
          lambda: params(_compat.texescape.escape) == ["s", "latex_engine"]
          and _compat.texescape.escape("50% & $x_{y}", "xelatex") == r"50\% \& \$x\_\{y\}")


def test_inline_all_toctrees_signature():
    holds("sphinx.util.nodes.inline_all_toctrees", "Sphinx 9.0.4",
          lambda: params(_compat.inline_all_toctrees)[:6] == [
              "builder", "docnameset", "docname", "tree", "colorfunc", "traversed"])


def test_latex_builder_context_has_the_date(tmp_path):
    from sphinx.testing.util import SphinxTestApp

    app = SphinxTestApp("latex", srcdir=copy_root("anypage", tmp_path / "src"))
    try:
        holds("LaTeXBuilder.context['date']", "Sphinx 9.0.4",
              lambda: isinstance(app.builder, LaTeXBuilder) and "date" in app.builder.context)
        holds("sphinx.builders.latex.default_latex_documents(config)", "Sphinx 9.0.4",
              lambda: _compat.default_latex_documents(app.config)[0][0] == app.config.root_doc)
    finally:
        app.cleanup()


def test_strip_escape_sequences():
    holds("sphinx._cli.util.errors.strip_escape_sequences", "Sphinx 9.0.4",
          lambda: _compat.strip_escape_sequences("\x1b[91mWARNING\x1b[39;49;00m") == "WARNING")



def test_doctree_caches_can_be_switched_off(built):
    from sphinx.builders import Builder

    holds("Builder.write_doctree fills env._write_doc_doctree_cache", "Sphinx 9.0.4",
          lambda: "_write_doc_doctree_cache[docname] = doctree"
          in inspect.getsource(Builder.write_doctree))
    holds("get_and_resolve_doctree pops env._write_doc_doctree_cache, else get_doctree",
          "Sphinx 9.0.4",
          lambda: "_write_doc_doctree_cache.pop(docname)"
          in inspect.getsource(BuildEnvironment.get_and_resolve_doctree)
          and "self.get_doctree(docname)"
          in inspect.getsource(BuildEnvironment.get_and_resolve_doctree))
    env = built.env
    loads: list[int] = []
    _compat.stream_doctrees(env, lambda: loads.append(1))
    docname = sorted(env.found_docs)[0]
    first, second = env.get_doctree(docname), env.get_doctree(docname)
    holds("BuildEnvironment.get_doctree reads env._pickled_doctree_cache first",
          "Sphinx 9.0.4",
          lambda: first is not second and loads == [1, 1]
          and not env._pickled_doctree_cache and not env._write_doc_doctree_cache)
    holds("BuildEnvironment.__getstate__ empties both doctree caches", "Sphinx 9.0.4",
          lambda: env.__getstate__()["_pickled_doctree_cache"] == {}
          and env.__getstate__()["_write_doc_doctree_cache"] == {})


def tocs_uses(package: str, name: str = "tocs") -> list[str]:
    """Each use of ``.tocs`` (or ``.longtitles``) in an installed package's
    code that is not item access, ``get``, ``in``, ``pop`` or the
    attribute's declaration: what a :class:`kb.lazytocs.LazyTocs` would not
    see."""
    import importlib
    import re

    root = Path(importlib.import_module(package).__file__).parent  # type: ignore[arg-type]
    others = []
    for path in sorted(root.rglob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0]  # noqa: PLW2901 - code only, not comments
            for match in re.finditer(rf"\.{name}\b", line):
                before, after = line[:match.start()], line[match.end():]
                if (after.startswith(("[", ".pop(", ".get("))
                        or re.search(r"\bin\s+[\w.]*$", before)
                        or line.strip().startswith(f"self.{name}: dict[")):
                    continue
                others.append(f"{path.relative_to(root)}: {line.strip()}")
    return others


#: The other uses of a ``.titles`` in Sphinx 9.0.4, read there: the first two
#: hand ``env.titles`` on to code that reads it by item access; the rest are
#: other objects' ``titles`` (the LaTeX, Texinfo and search builders' own).
TITLES_ELSEWHERE = [
    "builders/html/__init__.py: titles = self.env.titles",
    "environment/adapters/toctree.py: toc = _toctree_self_entry(title, "
    "toctreenode['parent'], env.titles)",
    "builders/latex/__init__.py: self.titles: list[tuple[str, str]] = []",
    "builders/latex/__init__.py: self.titles.append((docname, entry[2]))",
    "builders/texinfo.py: self.titles: list[tuple[str, str]] = []",
    "builders/texinfo.py: self.titles.append((docname, entry[2]))",
    "search/__init__.py: self._all_titles[docname] = word_store.titles",
    "search/__init__.py: title, is_main_title = node.astext(), len(word_store.titles) == 0",
    "search/__init__.py: word_store.titles.append((title, title_node_id))",
]


def test_tocs_are_read_only_by_item_access(built, tmp_path):
    from kb.lazytocs import LazyTocs

    for package in ("sphinx", "furo", "myst_parser", "sphinxcontrib.bibtex"):
        for name in ("tocs", "longtitles", "titles"):
            elsewhere = TITLES_ELSEWHERE if (package, name) == ("sphinx", "titles") else []
            holds(f"{package} reads env.{name} only by item access, get, in and pop",
                  "Sphinx 9.0.4",
                  lambda package=package, name=name, elsewhere=elsewhere:
                  sorted(tocs_uses(package, name)) == sorted(elsewhere))
    env = built.env
    before, tocs = env.tocs, LazyTocs()
    _compat.replace_tocs(env, tocs)
    before_long, longtitles = env.longtitles, LazyTocs()
    _compat.replace_longtitles(env, longtitles)
    try:
        holds("BuildEnvironment.tocs and .longtitles are attributes the environment pickles",
              "Sphinx 9.0.4",
              lambda: env.tocs is tocs and env.__getstate__()["tocs"] is tocs
              and env.__getstate__()["longtitles"] is longtitles)
    finally:
        _compat.replace_tocs(env, before)
        _compat.replace_longtitles(env, before_long)


def test_project_maps_each_document_to_its_source(built):
    env = built.env
    holds("Project._docname_to_path (docname -> source path under srcdir)", "Sphinx 9.0.4",
          lambda: set(_compat.source_paths(env)) == set(env.found_docs)
          and all(Path(env.srcdir, path) == Path(env.doc2path(docname))
                  for docname, path in _compat.source_paths(env).items()))


def test_a_project_works_with_string_paths_until_it_discovers_again(built):
    """What ``fastscan.ScanningProject`` pickles: string paths, no path map."""
    from sphinx.project import Project

    env = built.env
    project = Project(env.srcdir, env.project.source_suffix)
    paths = {name: str(path) for name, path in _compat.source_paths(env).items()}
    project.__dict__.update(_compat.project_maps_state(set(paths), dict(paths)))
    discover = inspect.getsource(Project.discover)
    holds("Project.doc2path takes string paths; path2doc finds names by suffix without "
          "the map; discover clears both maps first", "Sphinx 9.0.4",
          lambda: all(project.doc2path(name, absolute=True) == env.doc2path(name)
                      and project.doc2path(name, absolute=False) == Path(path)
                      and project.path2doc(path) == name for name, path in paths.items())
          and "self._path_to_docname.clear()" in discover
          and "self._docname_to_path.clear()" in discover)


def test_project_discover_fills_docnames_and_both_maps():
    from sphinx.project import Project

    source = inspect.getsource(Project.discover)
    holds("Project.discover: get_matching_files(srcdir, include, exclude + EXCLUDE_PATHS), "
          "path2doc, os.access, then docnames and both maps", "Sphinx 9.0.4",
          lambda: "[*exclude_paths, *EXCLUDE_PATHS]" in source
          and "os.access(self.srcdir / filename, os.R_OK)" in source
          and "self._path_to_docname[path] = docname" in source
          and "self._docname_to_path[docname] = path" in source
          and "self.project.discover(" in inspect.getsource(BuildEnvironment.find_files)
          and list(_compat.PROJECT_EXCLUDE_PATHS) == ["**/_sources", ".#*", "**/.#*",
                                                      "*.lproj/**"])


def test_build_info_decides_whether_every_page_is_outdated(built):
    from sphinx.builders import Builder
    from sphinx.builders.html import StandaloneHTMLBuilder

    source = inspect.getsource(StandaloneHTMLBuilder.get_outdated_docs)
    holds("StandaloneHTMLBuilder.get_outdated_docs: BuildInfo.load(.buildinfo) against "
          "self.build_info, then the newest template against .buildinfo's time",
          "Sphinx 9.0.4",
          lambda: "BuildInfo.load(build_info_path)" in source
          and "self.build_info != build_info" in source
          and "self.templates.newest_template_mtime()" in source
          and "template_mtime > old_mtime" in source)
    holds("Builder.read and Builder.build_update call env.get_outdated_files and "
          "self.get_outdated_docs as methods", "Sphinx 9.0.4",
          lambda: "self.env.get_outdated_files(" in inspect.getsource(Builder.read)
          and "self.get_outdated_docs()" in inspect.getsource(Builder.build_update))
    holds("unchanged_build_info_time after a build", "Sphinx 9.0.4",
          lambda: isinstance(_compat.unchanged_build_info_time(built.builder), int))


def test_roles_forget_their_last_page():
    from sphinx.util.docutils import SphinxRole

    class Role(SphinxRole):
        def run(self):
            return [], []

    holds("SphinxRole.__call__ keeps the inliner", "Sphinx 9.0.4",
          lambda: "self.inliner = inliner" in inspect.getsource(SphinxRole.__call__))
    role = Role()
    role.inliner = object()  # type: ignore[assignment]
    roles = _compat._docutils_roles._roles
    holds("docutils.parsers.rst.roles._roles", "docutils 0.22.4", lambda: isinstance(roles, dict))
    roles["kb-compat-probe"] = role
    try:
        _compat.release_roles()
    finally:
        del roles["kb-compat-probe"]
    holds("docutils.parsers.rst.roles._roles holds the role objects", "docutils 0.22.4",
          lambda: "inliner" not in role.__dict__)


# -- pybtex 0.26.1 ------------------------------------------------------------

def test_rich_text_like_keeps_the_kind_of_text():
    link = HRef("https://example.org/", "old")
    same = _compat.rich_text_like(link, ["new"])
    holds("pybtex.richtext.BaseMultipartText._create_similar", "pybtex 0.26.1",
          lambda: isinstance(same, HRef) and same.url == link.url and str(same) == "new")
    tag = _compat.rich_text_like(Tag("em", "x"), [Text("y")])
    holds("pybtex.richtext.BaseMultipartText._create_similar (Tag)", "pybtex 0.26.1",
          lambda: isinstance(tag, Tag) and tag.name == "em")


def test_bibtex_parser_internals_that_bibcheck_extends():
    holds("pybtex LowLevelParser(text, keyless_entries, macros, handle_error, want_entry, "
          "filename)", "pybtex 0.26.1",
          lambda: {"text", "keyless_entries", "macros", "handle_error", "want_entry",
                   "filename"} <= set(params(LowLevelParser.__init__)))
    low = LowLevelParser("@misc{k, title={T}}")
    commands = list(low)
    holds("LowLevelParser yields (command, (key, fields)) and has command_start, "
          "current_entry_key", "pybtex 0.26.1",
          lambda: commands[0][0] == "misc" and commands[0][1][0] == "k"
          and low.command_start == 0 and low.current_entry_key == "k")
    for name in ("process_entry", "process_preamble", "parse_string"):
        holds(f"pybtex Parser.{name}", "pybtex 0.26.1", lambda n=name: callable(getattr(Parser, n)))
    parser = Parser()
    for name in ("keyless_entries", "macros", "data", "filename"):
        holds(f"pybtex Parser().{name}", "pybtex 0.26.1", lambda n=name: hasattr(parser, n))
    holds("pybtex Parser.unnamed_entry_counter (set by parse_string, used by process_entry)",
          "pybtex 0.26.1",
          lambda: "self.unnamed_entry_counter" in inspect.getsource(Parser.process_entry))
    holds("pybtex.errors.capture", "pybtex 0.26.1", lambda: callable(pybtex.errors.capture))
    # The whole chain, as bibcheck uses it: a problem with its line, no exception.
    checker = CheckingParser()
    checker.parse_string("@misc{a, title={A}}\n\n@misc{a, title={B}}\n")
    holds("pybtex parser hooks used by bibcheck.CheckingParser", "pybtex 0.26.1",
          lambda: [p.line for p in checker.problems] == [3] and "a" in checker.data.entries)


# -- sphinxcontrib-bibtex 2.7.0 -------------------------------------------------

def test_cite_domain_keeps_the_parsed_bibliography(built):
    data = _compat.bibtex_data(built.env)
    holds("sphinxcontrib-bibtex domain.data['bibdata'] (BibData)", "sphinxcontrib-bibtex 2.7.0",
          lambda: isinstance(data, _compat.BibData) and set(data.data.entries) == {"one", "two"})
    holds("sphinxcontrib-bibtex BibtexDomain.bibdata", "sphinxcontrib-bibtex 2.7.0",
          lambda: built.env.get_domain("cite").bibdata is data)  # type: ignore[attr-defined]
    replaced = data._replace(encoding="latin-1")
    _compat.set_bibtex_data(built.env, replaced)
    try:
        holds("sphinxcontrib-bibtex reads domain.data['bibdata']", "sphinxcontrib-bibtex 2.7.0",
              lambda: built.env.get_domain("cite").bibdata is replaced)  # type: ignore
    finally:
        _compat.set_bibtex_data(built.env, data)


def test_bibfile_cache_layout(built):
    data = _compat.bibtex_data(built.env)
    path = next(iter(data.bibfiles))
    holds("sphinxcontrib.bibtex.bibfile.BibData fields", "sphinxcontrib-bibtex 2.7.0",
          _compat.BibData._fields == ("encoding", "bibfiles", "data"))
    holds("sphinxcontrib.bibtex.bibfile.BibFile fields", "sphinxcontrib-bibtex 2.7.0",
          _compat.BibFile._fields == ("mtime", "keys"))
    holds("sphinxcontrib.bibtex.bibfile.get_mtime", "sphinxcontrib-bibtex 2.7.0",
          lambda: _compat.get_mtime(path) == data.bibfiles[path].mtime)
    holds("sphinxcontrib.bibtex.bibfile.is_bibdata_outdated(bibdata, bibfilenames, encoding)",
          "sphinxcontrib-bibtex 2.7.0",
          lambda: not _compat.is_bibdata_outdated(data, [path], data.encoding)
          and _compat.is_bibdata_outdated(data, [path], "latin-1"))


# -- Pagefind 1.5.2 -------------------------------------------------------------

def test_pagefind_is_found_where_the_wrapper_finds_it(monkeypatch, tmp_path):
    from pagefind.service import get_executable

    holds("pagefind.service.get_executable finds the extended binary's package",
          "Pagefind 1.5.2", lambda: find_pagefind() == get_executable() is not None)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "pagefind"))
    holds("pagefind.service.get_executable takes PAGEFIND_BINARY_PATH first",
          "Pagefind 1.5.2", lambda: find_pagefind() == get_executable() == tmp_path / "pagefind")


def test_pagefind_output(tmp_path):
    executable = find_pagefind()
    assert executable is not None, "Pagefind not installed: pip install -r requirements.txt"
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text(
        "<!doctype html><html lang='en'><head><title>T</title></head>"
        "<body><main><h1>Synthetic</h1><p>Words to index.</p></main></body></html>",
        encoding="utf-8")
    out = tmp_path / "pagefind"
    result = subprocess.run(pagefind_command(executable, site, out, ()),
                            capture_output=True, text=True, check=True)
    found = _compat.PAGEFIND_PAGES_RE.search(result.stdout)
    holds("Pagefind's 'Indexed N pages' on stdout", "Pagefind 1.5.2",
          lambda: found is not None and found.group(1) == "1")
    fragments = list((out / "fragment").glob("*.pf_fragment"))
    holds("Pagefind fragment files (fragment/*.pf_fragment)", "Pagefind 1.5.2",
          len(fragments) == 1)
    raw = gzip.decompress(fragments[0].read_bytes())
    holds("Pagefind fragment format (gzip, magic prefix, JSON with url)", "Pagefind 1.5.2",
          lambda: raw.startswith(_compat.PAGEFIND_FRAGMENT_MAGIC)
          and json.loads(raw.removeprefix(_compat.PAGEFIND_FRAGMENT_MAGIC))["url"]
          == "/page.html")
    holds("pagefind-entry.json (version, languages)", "Pagefind 1.5.2",
          lambda: {"version", "languages"}
          <= set(json.loads((out / "pagefind-entry.json").read_text("utf-8"))))


def test_matchers_are_compiled_patterns_match_methods():
    import re

    from sphinx.util.matching import compile_matchers

    matcher = compile_matchers(["**/_sources"])[0]
    holds("sphinx.util.matching.compile_matchers gives re.Pattern.match", "Sphinx 9.0.4",
          lambda: re.compile(_compat.matcher_pattern(matcher)).match("a/_sources") is not None
          and _compat.matcher_pattern(matcher).endswith("$"))


def test_the_inventory_is_dumped_from_the_environment_s_titles():
    from sphinx.builders.html import StandaloneHTMLBuilder
    from sphinx.domains.std import StandardDomain

    holds("StandaloneHTMLBuilder.dump_inventory writes InventoryFile.dump(outdir / "
          "INVENTORY_FILENAME, env, builder)", "Sphinx 9.0.4",
          lambda: "InventoryFile.dump(self.outdir / INVENTORY_FILENAME, self.env, self)"
          in inspect.getsource(StandaloneHTMLBuilder.dump_inventory))
    holds("StandardDomain.get_objects gives each page clean_astext(env.titles[doc])",
          "Sphinx 9.0.4",
          lambda: "clean_astext(self.env.titles[doc])"
          in inspect.getsource(StandardDomain.get_objects))
    holds("only StandardDomain.get_objects lists env.all_docs, each page once",
          "Sphinx 9.0.4",
          lambda: "for doc in self.env.all_docs:"
          in inspect.getsource(StandardDomain.get_objects)
          and "all_docs" not in inspect.getsource(StandardDomain.get_objects).split(
              "for doc in self.env.all_docs:", 1)[1])


def test_the_builder_renders_with_the_template_loader_s_jinja_environment(tmp_path):
    from jinja2 import Environment
    from sphinx.jinja2glue import BuiltinTemplateLoader

    app = build(copy_root("anypage", tmp_path / "src"), confoverrides={"kb_pagefind": False})
    holds("builder.templates is a BuiltinTemplateLoader", "Sphinx 9.0.4",
          lambda: isinstance(app.builder.templates, BuiltinTemplateLoader))
    holds("BuiltinTemplateLoader.environment is the Jinja environment pages render with",
          "Sphinx 9.0.4",
          lambda: isinstance(app.builder.templates.environment, Environment)
          and app.builder.templates.environment.loader is app.builder.templates)
    holds("BuiltinTemplateLoader.init makes the environment with no bytecode cache",
          "Sphinx 9.0.4",
          lambda: "bytecode_cache" not in inspect.getsource(BuiltinTemplateLoader.init))
    assert _compat.template_environment(app.builder) is app.builder.templates.environment


def test_the_application_counts_the_warnings_it_logs(tmp_path):
    from sphinx.application import Sphinx
    from sphinx.util import logging as sphinx_logging

    app = build(copy_root("anypage", tmp_path / "src"), confoverrides={"kb_pagefind": False})
    before = _compat.warning_count(app)
    sphinx_logging.getLogger("kb.test").warning("a warning for the count")
    holds("Sphinx._warncount counts each warning logged", "Sphinx 9.0.4",
          lambda: _compat.warning_count(app) == before + 1)
    holds("Sphinx.build sets the status code from _warncount after build-finished",
          "Sphinx 9.0.4",
          lambda: inspect.getsource(Sphinx.build).index("'build-finished', None")
          < inspect.getsource(Sphinx.build).index("self._warncount == 0"))


def test_the_builders_an_html_build_skips_are_sphinx_s_own():
    from sphinx import application

    from kb.uptodate import UNUSED_BY_HTML

    holds("sphinx.application.builtin_extensions lists Sphinx's own builders",
          "Sphinx 9.0.4", lambda: UNUSED_BY_HTML.issubset(application.builtin_extensions))
