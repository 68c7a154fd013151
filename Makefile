# Tributary: every command a developer or CI runs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
SCALE ?= 1
SEED ?= 42

# dbt reads profiles.yml and dbt_project.yml from the repository root.
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
DBT := $(BIN)/dbt

.PHONY: help setup demo test lint fix clean generate next-day load serve-api dbt-build freshness bench

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# The virtual environment is rebuilt only when requirements.txt changes.
$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)
	@echo "Python environment ready in $(VENV)."

setup: $(STAMP) ## create or refresh .venv with the pinned requirements; install the git hooks
	@if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/pre-commit install; fi
	@echo "Setup done: $(VENV) is current with requirements.txt; pre-commit hooks installed."

demo: $(STAMP) ## generate the sandbox (once), load all six sources, check freshness, build with dbt, summarize
	@start=$$(date +%s); \
	$(PY) -m ingestion generate --if-missing --seed $(SEED) --scale $(SCALE) && \
	$(PY) -m ingestion load && \
	$(DBT) source freshness && \
	$(DBT) build --quiet && \
	$(PY) -m ingestion summary && \
	echo "Demo done in $$(( $$(date +%s) - start ))s: warehouse $${TRIBUTARY_WAREHOUSE_PATH:-warehouse/tributary.duckdb}, sandbox $${TRIBUTARY_SANDBOX_DIR:-data/sandbox}."

generate: $(STAMP) ## write a fresh sandbox (SEED=42 SCALE=1)
	$(PY) -m ingestion generate --seed $(SEED) --scale $(SCALE)

next-day: $(STAMP) ## advance the sandbox by one business day
	$(PY) -m ingestion next-day

load: $(STAMP) ## load every source into the warehouse
	$(PY) -m ingestion load

serve-api: $(STAMP) ## serve the sandbox FX and reviews API on 127.0.0.1:8765
	$(PY) -m ingestion serve-api

dbt-build: $(STAMP) ## dbt build on the dev target, then the summary of what it built
	$(DBT) build
	$(PY) -m ingestion summary

freshness: $(STAMP) ## dbt source freshness of every raw source
	$(DBT) source freshness

test: $(STAMP) lint ## the test command: lint (every pre-commit hook), pytest (real dlt, DuckDB and dbt runs)
	$(PY) -m pytest
	@echo "Tests done: lint (pre-commit on every file) and pytest passed."

lint: $(STAMP) ## every pre-commit hook on every file: hygiene, ruff, YAML, dbt parse, sqlfluff
	$(BIN)/pre-commit run --all-files --show-diff-on-failure
	@echo "Lint done: every pre-commit hook passed on every file (.pre-commit-config.yaml)."

fix: $(STAMP) ## apply ruff's and sqlfluff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix models snapshots tests analyses --processes 2

bench: $(STAMP) ## time each source's load against DuckDB reading the same files (SCALE=1)
	$(PY) bench/ingest.py --scale $(SCALE)

clean: ## remove generated data, the warehouse, dbt artefacts and reports (keeps .venv)
	rm -rf data warehouse target dbt_packages logs reports .pytest_cache
	@echo "Clean: removed data/, warehouse/, target/, logs/ and reports/."
