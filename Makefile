# stisim: two commands for a fresh machine.
#   make run    set up (local .venv) and run the default scenario
#   make test   set up (local .venv), lint and run the test suite but its slow tests
#   make test-slow / test-docs / test-docs-quick / test-all   the slow tests / the documented
#   commands / those of the quick pages (CI) / all
# The environment uses the newest Python found (3.13, else 3.12, else python3; stisim
# supports 3.11-3.13). Another one: make test PYTHON=python3.11 VENV=.venv-3.11
PYTHON ?= $(shell tools/find-python 3.13 3.12 3 || echo python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
PYVER  := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
STAMP   = $(VENV)/.installed-$(PYVER)
PYTEST  = $(BIN)/python -m pytest -n 2 -q

.PHONY: run test test-slow test-docs test-docs-quick test-all setup lint format bench docs clean browser

# A venv made by another Python (an older default, or a later PYTHON=) is made anew.
$(STAMP): pyproject.toml
	@if [ -x $(BIN)/python ] && [ "$$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "$(PYVER)" ]; then \
	  echo "$(VENV) uses another Python: recreating it with $(PYTHON) ($(PYVER))"; rm -rf $(VENV); fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,dashboard,ppi,cluster]"
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/stisim run

# The dashboard's browser test drives Debian's Chromium (browser downloads do not work here).
browser:
	@command -v chromium >/dev/null || test -x /usr/bin/chromium || \
	  (apt-get update -qq && apt-get install -y -qq chromium) || \
	  (sudo apt-get update -qq && sudo apt-get install -y -qq chromium)

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/python --version
	$(PYTEST) -m "not slow"

# The slow tests (pytest -m slow): the tutorials, the closed loop, real multiruns, Dask.
test-slow: $(STAMP) browser
	$(PYTEST) -m "slow and not docs"

# Every command and snippet of README.md and docs/ at small sizes (STISIM_SMALL=1;
# tests/docs/test_doc_commands.py; python tests/docs/doc_commands.py lists them).
test-docs: $(STAMP)
	$(PYTEST) -m docs

# The documentation files whose commands run in about a minute (CI runs these; the files
# that run real sweeps, README.md, analysis, howto, workshop and sweeps, take about 9 minutes
# more on 2 cores and run with test-docs).
DOCS_QUICK = optimise or atlas or model or sdg or extending or coupling
test-docs-quick: $(STAMP)
	$(PYTEST) -m docs -k "$(DOCS_QUICK)"

test-all: test test-slow test-docs

# Import contracts (layers, no cycles) are in pyproject.toml, [tool.importlinter].
lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/lint-imports --no-logo && $(BIN)/ruff format --check stisim tests

format: $(STAMP)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format stisim tests

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .venv-3.11 outputs/runs outputs/multirun .pytest_cache
