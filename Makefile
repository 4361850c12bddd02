# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= 100000

.PHONY: run test install build serve lint typecheck clean bench

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

# The benchmark against Virtuoso 7 and rdflib-endpoint (README, "Performance"): `make bench SIZE=1000000`.
$(VENV)/.installed-bench: pyproject.toml | $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.run --triples $(SIZE)

lint: install
	$(BIN)/ruff check service tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules .border21 .pytest_cache .mypy_cache .ruff_cache
