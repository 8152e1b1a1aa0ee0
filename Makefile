# CLAHRC WM Knowledge Base: `make html` builds the site, `make test` tests it.
# Both create .venv/ from the pinned requirements when it is missing or stale.

PYTHON     ?= python3
VENV       := .venv
BIN        := $(VENV)/bin
STAMP      := $(VENV)/.installed
SPHINXOPTS ?= -W --keep-going -n
# One process: on 2 cores Sphinx's -j auto is slower (full build of 1,000 essays
# 28.1 s against 21.6 s, an edit 1.5 s against 0.9 s; bench/README.md), as its
# workers send the whole environment back to the main process. JOBS=auto to try.
JOBS       ?= 1
BUILDDIR   := _build

.PHONY: help html test latexpdf pdf serve new-essay clean lint bench lock citation-meta test-latest

help:
	@echo "make html       build the site into $(BUILDDIR)/html"
	@echo "make import     bring blog posts in: SOURCE=<export.xml, page.txt/.html or folder>"
	@echo "make latexpdf   build the funders' PDFs into $(BUILDDIR)/latex"
	@echo "make bench      scale benchmark, bench/README.md (BENCH=--quick: 15 s smoke run)"
	@echo "make serve      live preview on http://127.0.0.1:8000 (rebuilds on save)"
	@echo "make new-essay  start a new essay from a skeleton"
	@echo "make citation-meta  write CITATION.cff and .zenodo.json (README: Getting DOIs)"
	@echo "make test       run the whole test suite"
	@echo "make test-latest  the suite with the newest Sphinx, myst-parser, bibtex, docutils, furo"
	@echo "make clean      remove $(BUILDDIR)"
	@echo "make lock       regenerate requirements.lock (hashes) after editing requirements.txt"

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

html: $(STAMP)
	$(BIN)/python _ext/kb/uptodate.py -b html $(SPHINXOPTS) -j $(JOBS) . $(BUILDDIR)/html

# Live preview for staff, on this computer only (127.0.0.1): rebuilds when a
# file is saved and reloads the browser. Warnings are shown, the page still updates.
PORT ?= 8000
# Search works as on the published site: a save re-indexes only the pages it
# changed (_ext/kb/pagefind_bundle.py). In its own folder, so that switching
# between `make serve` and `make html` rebuilds neither.
serve: $(STAMP)
	$(BIN)/sphinx-autobuild --host 127.0.0.1 --port $(PORT) $(SPHINXOPTS) \
	  --ignore .venv --ignore .venv-latest --ignore .mypy_cache --ignore .git --ignore tests --ignore bench --ignore tools \
	  --ignore node_modules --ignore .pytest_cache --ignore .ruff_cache --ignore .hypothesis \
	  --ignore "*.swp" --ignore "*~" --ignore "*/.#*" . $(BUILDDIR)/preview

# The scale benchmark: corpora of 100 and 1,000 synthetic essays (light and heavy)
# built with this project, the stock stack and mystmd (about an hour); bench/README.md.
bench: $(STAMP) bench/node_modules/.bin/myst
	$(BIN)/python bench/run.py $(BENCH)

# The mystmd peer of the benchmark, pinned in bench/package-lock.json (bench only).
bench/node_modules/.bin/myst: bench/package-lock.json
	cd bench && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# make new-essay [TITLE="..."] [SLUG=...] [AUTHOR=id[,id]] [THEME=slug[,slug]] [DATE=YYYY-MM-DD]
# asks for whatever is not given. Values go through the environment, so any
# character in a title is safe; only ones given on the command line are used.
new-essay: $(STAMP)
	$(BIN)/python tools/new_essay.py \
	  $(if $(filter command line,$(origin TITLE)),--title "$$TITLE") \
	  $(if $(filter command line,$(origin SLUG)),--slug "$$SLUG") \
	  $(if $(filter command line,$(origin AUTHOR)),--author "$$AUTHOR") \
	  $(if $(filter command line,$(origin THEME)),--theme "$$THEME") \
	  $(if $(filter command line,$(origin DATE)),--date "$$DATE") $(ARGS)

.PHONY: import
# make import SOURCE=<WordPress export .xml | saved page .txt/.html | folder> [FORCE=1]
# writes essays/, new people/ and new refs.bib entries, then prints what to check.
# SOURCE goes through the environment, so any character in a path is safe.
import: $(STAMP)
	@test -n "$$SOURCE" || { echo "make import needs SOURCE=<export.xml, page.txt or .html, or a folder>" >&2; exit 2; }
	$(BIN)/python -m tools.kbimport "$$SOURCE" $(if $(FORCE),--force)

# make lint checks the importer too (a prerequisite added here, beside its target).
.PHONY: lint-import
lint: lint-import
lint-import: $(STAMP)
	$(BIN)/ruff check tools/kbimport

# PDFs for funders: the whole knowledge base and one per theme (xelatex via latexmk).
TEX_PACKAGES := latexmk texlive-xetex texlive-fonts-recommended fonts-freefont-otf
LATEXMKOPTS  ?= -interaction=nonstopmode -halt-on-error -quiet

latexpdf: need-tex $(STAMP)
	@rm -f $(BUILDDIR)/latex/*.tex  # a renamed or removed theme leaves no stale PDF
	$(BIN)/sphinx-build -b latex $(SPHINXOPTS) -j $(JOBS) . $(BUILDDIR)/latex
	@for pdf in $(BUILDDIR)/latex/*.pdf; do \
	  test -e "$${pdf%.pdf}.tex" || rm -f "$$pdf" "$${pdf%.pdf}.log"; done
	$(MAKE) -C $(BUILDDIR)/latex all-pdf LATEXMKOPTS="$(LATEXMKOPTS)"
	@if grep -H "^Missing character" $(BUILDDIR)/latex/*.log; then \
	  echo "A character above has no glyph in the PDF's fonts: change it in the essay or add a font." >&2; \
	  exit 1; fi
	@ls $(BUILDDIR)/latex/*.pdf
	@# One PDF per essay, beside its web page (issue 16; _ext/kb/essaypdf.py): only
	@# the essays whose .tex changed are compiled again.
	$(BIN)/sphinx-build -b latex $(SPHINXOPTS) -j $(JOBS) -D kb_pdf_set=essays . $(BUILDDIR)/latex-essays
	@cd $(BUILDDIR)/latex-essays && for tex in essay-*.tex; do test -e "$$tex" || continue; \
	  pdf="$${tex%.tex}.pdf"; if [ ! -e "$$pdf" ] || [ "$$tex" -nt "$$pdf" ]; then \
	    echo "PDF of $$tex"; latexmk -pdf -dvi- -ps- $(LATEXMKOPTS) "$$tex" || exit 1; fi; done
	@if grep -H "^Missing character" $(BUILDDIR)/latex-essays/*.log 2>/dev/null; then \
	  echo "A character above has no glyph in the PDF's fonts: change it in the essay or add a font." >&2; \
	  exit 1; fi
	@if [ -d $(BUILDDIR)/html/essays ]; then \
	  for pdf in $(BUILDDIR)/latex-essays/essay-*.pdf; do test -e "$$pdf" || continue; \
	    cp -p "$$pdf" "$(BUILDDIR)/html/essays/$${pdf##*/essay-}"; done; \
	  echo "Essay PDFs copied beside their pages in $(BUILDDIR)/html/essays"; \
	  $(BIN)/sphinx-build -b html $(SPHINXOPTS) -j $(JOBS) -q . $(BUILDDIR)/html; fi

pdf: latexpdf

# CITATION.cff and .zenodo.json for the whole knowledge base, from conf.py and
# people/ (README, "Getting DOIs"); commit them before tagging a release.
citation-meta: $(STAMP)
	$(BIN)/python tools/citation_meta.py

.PHONY: need-tex
need-tex:  # one line, not a LaTeX stack trace, when TeX or the fonts are missing
	@$(if $(shell command -v xelatex >/dev/null && command -v latexmk >/dev/null \
	  && fc-list FreeSerif 2>/dev/null | grep -q . && echo yes),,$(error \
	  make latexpdf needs TeX: sudo apt-get install -y --no-install-recommends $(TEX_PACKAGES)))

# Tests run in parallel (pytest-xdist), one worker per CPU; a test file's
# tests stay on one worker, so a module's fixtures build once (--dist loadfile;
# a file's staff-trial half is a unit of its own: tests/conftest.py, xdist_unit).
# TESTOPTS="-n 0" runs them in this process, one after another.
TESTOPTS ?= -n auto --dist loadfile
test: $(STAMP)
	$(BIN)/python -m pytest $(TESTOPTS)

lint: $(STAMP)
	$(BIN)/ruff check _ext tests bench conf.py
	$(BIN)/mypy

# The compatibility job: the whole suite in a venv of its own with the newest
# releases this Python can install of the build's main dependencies (all other
# packages as pinned), so an upgrade is known to work before it is needed.
LATEST_VENV     := .venv-latest
LATEST_PACKAGES := sphinx myst-parser sphinxcontrib-bibtex docutils furo pybtex \
                   pybtex-docutils latexcodec
LATEST_PATTERN  := ^($(subst $(eval) ,|,$(strip $(LATEST_PACKAGES))))==
# PYTHON=python3.13 tries the releases that need a newer Python (the venv is
# made again when PYTHON changes).
test-latest:
	@want=$$($(PYTHON) -c 'import sys; print(sys.version)'); \
	  have=$$($(LATEST_VENV)/bin/python -c 'import sys; print(sys.version)' 2>/dev/null); \
	  if [ "$$want" != "$$have" ]; then rm -rf $(LATEST_VENV) && $(PYTHON) -m venv $(LATEST_VENV); fi
	grep -v '^-r' requirements-dev.txt > $(LATEST_VENV)/requirements.txt
	grep -viE '$(LATEST_PATTERN)' requirements.txt >> $(LATEST_VENV)/requirements.txt
	$(LATEST_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade \
	  -r $(LATEST_VENV)/requirements.txt $(LATEST_PACKAGES)
	@$(LATEST_VENV)/bin/python -m pip list --disable-pip-version-check 2>/dev/null \
	  | grep -iE '^($(subst $(eval) ,|,$(strip $(LATEST_PACKAGES)))) '
	$(LATEST_VENV)/bin/python -m pytest $(TESTOPTS)

clean:
	rm -rf $(BUILDDIR)

# requirements.lock: what the publishing build installs (pip install
# --require-hashes): every build requirement, direct and indirect, pinned,
# with the hashes of all its files on PyPI, so one lock serves Linux x86_64
# and arm64 runners and every Python from 3.11. Run after editing requirements.txt.
lock: $(STAMP)
	$(BIN)/uv pip compile requirements.txt --universal --python-version 3.11 \
	  --generate-hashes --custom-compile-command "make lock" --quiet -o requirements.lock
