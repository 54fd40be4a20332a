# Kawal: the two Quickstart commands are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo demo-reset test lint check chat bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Kawal needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## Start the demo: terminal chat on SQLite with Lampung Barat demo data (no token needed).
## The demo database is kept: `make demo` again resumes where you left off.
demo: $(STAMP)
	$(BIN)/kawal demo

## Start the demo over from fresh demo data.
demo-reset: $(STAMP)
	$(BIN)/kawal demo --reset

## Run the whole test suite (PostgreSQL too when KAWAL_TEST_POSTGRES_URL is set), one worker
## per core (TEST_WORKERS=0: one process); the longest tests start first (tests/conftest.py).
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load

## Lint and type-check.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check: lint test

chat: $(STAMP)
	$(BIN)/kawal chat

BENCH_STAMP := $(VENV)/.bench-$(shell cksum pyproject.toml | cut -d' ' -f1)
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

## Load benchmark (minutes): Kawal, an aiogram echo bot and a python-telegram-bot form bot over
## HTTP, webhook and polling, on SQLite; add PostgreSQL with KAWAL_BENCH_POSTGRES_URL (emptied!):
## one process per mode, and two webhook processes on that database.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.telegram_load --db sqlite $(if $(KAWAL_BENCH_POSTGRES_URL),--db $(KAWAL_BENCH_POSTGRES_URL) --processes 2) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache kawal-demo.db*
