# Two commands: `make run` starts the dashboard on the demo data; `make test` runs the whole suite.
# Both create .venv when it is missing and (re)install the project when pyproject.toml changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# The dashboard listens on this machine only; `make run HOST=0.0.0.0` exposes it to the network (no login!).
HOST ?= 127.0.0.1
PYTEST_ARGS ?=

.PHONY: run test test-fast lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -e ".[test]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/python -m ui.serve --server.address $(HOST) --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Unit and AppTest only: no browser, about a minute.
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-output
