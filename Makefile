# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install build serve lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml package.json package-lock.json | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/border21 build

serve: install
	$(BIN)/border21 serve --host $(HOST) --port $(PORT)

run: build serve

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check service tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules .border21 .pytest_cache .mypy_cache .ruff_cache
