# stisim: two commands for a fresh machine.
#   make run    set up (local .venv) and run the default scenario
#   make test   set up (local .venv) and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test setup lint format bench docs clean browser

$(STAMP): pyproject.toml
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
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check stisim tests

format: $(STAMP)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format stisim tests

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) outputs/runs outputs/multirun .pytest_cache
