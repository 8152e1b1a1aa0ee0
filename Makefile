# CLAHRC WM Knowledge Base: `make html` builds the site, `make test` tests it.
# Both create .venv/ from the pinned requirements when it is missing or stale.

PYTHON     ?= python3
VENV       := .venv
BIN        := $(VENV)/bin
STAMP      := $(VENV)/.installed
SPHINXOPTS ?= -W --keep-going -n
JOBS       ?= auto
BUILDDIR   := _build

.PHONY: help html test latexpdf pdf serve new-essay clean lint

help:
	@echo "make html       build the site into $(BUILDDIR)/html"
	@echo "make latexpdf   build the funders' PDFs into $(BUILDDIR)/latex"
	@echo "make serve      live preview on http://127.0.0.1:8000 (rebuilds on save)"
	@echo "make new-essay  start a new essay from a skeleton"
	@echo "make test       run the whole test suite"
	@echo "make clean      remove $(BUILDDIR)"

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

html: $(STAMP)
	$(BIN)/sphinx-build -b html $(SPHINXOPTS) -j $(JOBS) . $(BUILDDIR)/html

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check _ext tests bench conf.py

clean:
	rm -rf $(BUILDDIR)
