# Accord: `make run` sets up and starts a demo server; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export ACCORD_HOME ?= $(CURDIR)/var

.PHONY: run install test test-sqlite test-postgres test-browser lint bench clean

$(BIN)/accord: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/accord

run: install
	$(BIN)/accord migrate
	$(BIN)/accord demo
	$(BIN)/accord serve --with-worker

# The whole suite: SQLite, then PostgreSQL, with the browser tests on both.
test: install
	$(BIN)/python scripts/run_tests.py

test-sqlite: install
	$(BIN)/python scripts/run_tests.py --only sqlite

test-postgres: install
	$(BIN)/python scripts/run_tests.py --only postgres

bench: install
	$(BIN)/python bench/request_latency.py

clean:
	rm -rf $(VENV) var build *.egg-info
