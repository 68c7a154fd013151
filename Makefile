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

.PHONY: help setup demo test lint fix clean generate next-day load serve-api dbt-build freshness bench \
	postgres-up postgres-demo postgres-build monitoring-deps monitor quality

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
	$(PY) -m ingestion monitoring-deps --if-available && \
	$(DBT) source freshness && \
	$(DBT) build --quiet $$($(PY) -m ingestion monitoring-vars) && \
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

dbt-build: $(STAMP) ## dbt build on the dev target (with Elementary's monitors when on), then the summary
	$(PY) -m ingestion monitoring-deps --if-available
	$(DBT) build $$($(PY) -m ingestion monitoring-vars)
	$(PY) -m ingestion summary

freshness: $(STAMP) ## dbt source freshness of every raw source
	$(DBT) source freshness

test: $(STAMP) lint ## the test command: lint (every pre-commit hook), pytest (real dlt, DuckDB and dbt runs)
	@# The suite's builds never see packages installed here (monitoring on); its monitoring test
	@# installs Elementary in a folder of its own when TRIBUTARY_PACKAGES_DIR is set.
	TRIBUTARY_DBT_PACKAGES_PATH=$(CURDIR)/target/no_packages $(PY) -m pytest
	@echo "Tests done: lint (pre-commit on every file) and pytest passed."

lint: $(STAMP) ## every pre-commit hook on every file: hygiene, ruff, YAML, dbt parse, sqlfluff
	$(BIN)/pre-commit run --all-files --show-diff-on-failure
	@echo "Lint done: every pre-commit hook passed on every file (.pre-commit-config.yaml)."

fix: $(STAMP) ## apply ruff's and sqlfluff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix models snapshots tests analyses --processes 2

# ---------------------------------------------------------------- monitoring and data quality
# Elementary is on when its dbt package is installed (README: Monitoring); the core build never
# needs it. `make demo` and `make dbt-build` install it from TRIBUTARY_PACKAGES_DIR when that is
# set, run its monitors when it is on, and say in one line which it is.
monitoring-deps: $(STAMP) ## install Elementary's dbt package from TRIBUTARY_PACKAGES_DIR (HUB=1: from dbt Hub)
	$(PY) -m ingestion monitoring-deps $(if $(HUB),--hub,)

monitor: $(STAMP) ## Elementary: its models, the build with monitors, reports/elementary_report.html, alerts to a webhook
	$(PY) -m ingestion monitor

quality: $(STAMP) ## freshness, tests, rows quarantined by rule, row reconciliation, monitoring: reports/quality.md
	$(PY) -m ingestion quality

bench: $(STAMP) ## time each source's load against DuckDB reading the same files (SCALE=1)
	$(PY) bench/ingest.py --scale $(SCALE)

# ---------------------------------------------------------------- PostgreSQL (portability)
# The same project on PostgreSQL 15: dlt loads the sandbox with its postgres destination, then
# `dbt build --target postgres`. The local server's role, password and database below are the
# sandbox's defaults (not secrets); DESTINATION__POSTGRES__CREDENTIALS__{HOST,PORT,USERNAME,
# PASSWORD,DATABASE} point dlt and dbt's postgres target elsewhere (see .dlt/secrets.toml.example).
PG_VERSION ?= 15
PG_CLUSTER ?= main
# PG_INSTALL=no: start a server that is installed, never install one (what the tests ask for).
PG_INSTALL ?= yes
PG_HOST := $(or $(DESTINATION__POSTGRES__CREDENTIALS__HOST),127.0.0.1)
PG_PORT := $(or $(DESTINATION__POSTGRES__CREDENTIALS__PORT),5432)
PG_USER := $(or $(DESTINATION__POSTGRES__CREDENTIALS__USERNAME),tributary)
PG_PASSWORD := $(or $(DESTINATION__POSTGRES__CREDENTIALS__PASSWORD),tributary)
PG_DATABASE := $(or $(DESTINATION__POSTGRES__CREDENTIALS__DATABASE),tributary)
# The administrator's psql: the postgres OS user over the local socket (peer authentication).
PG_ADMIN := runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p $(PG_PORT) -d postgres

postgres-up: ## start the local PostgreSQL 15 (as root; apt-get installs it where missing), create its role and database
	@set -euo pipefail; \
	if ! command -v pg_ctlcluster >/dev/null; then \
		[ "$(PG_INSTALL)" = yes ] || { echo "PostgreSQL is not installed (pg_ctlcluster missing) and PG_INSTALL=$(PG_INSTALL)."; exit 1; }; \
		[ "$$(id -u)" = 0 ] || { echo "PostgreSQL is not installed and installing it needs root."; exit 1; }; \
		echo "Installing PostgreSQL $(PG_VERSION) with apt-get ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-$(PG_VERSION) >/dev/null; \
	fi; \
	if ! pg_lsclusters -h | awk '$$1 == "$(PG_VERSION)" && $$2 == "$(PG_CLUSTER)" && $$4 == "online" {found = 1} END {exit !found}'; then \
		[ "$$(id -u)" = 0 ] || { echo "PostgreSQL $(PG_VERSION)/$(PG_CLUSTER) is down and starting it needs root."; exit 1; }; \
		pg_ctlcluster $(PG_VERSION) $(PG_CLUSTER) start; \
	fi; \
	for _ in $$(seq 15); do pg_isready -q -h $(PG_HOST) -p $(PG_PORT) && break; sleep 1; done; \
	pg_isready -q -h $(PG_HOST) -p $(PG_PORT) || { echo "PostgreSQL does not answer on $(PG_HOST):$(PG_PORT)."; exit 1; }; \
	if [ "$$(id -u)" = 0 ]; then \
		if [ -z "$$($(PG_ADMIN) -tAc "select 1 from pg_roles where rolname = '$(PG_USER)'")" ]; then \
			$(PG_ADMIN) -c "create role \"$(PG_USER)\" login createdb password '$(PG_PASSWORD)'"; \
		fi; \
		if [ -z "$$($(PG_ADMIN) -tAc "select 1 from pg_database where datname = '$(PG_DATABASE)'")" ]; then \
			$(PG_ADMIN) -c "create database \"$(PG_DATABASE)\" owner \"$(PG_USER)\""; \
		fi; \
	fi; \
	echo "PostgreSQL $(PG_VERSION) is up: postgresql://$(PG_USER)@$(PG_HOST):$(PG_PORT)/$(PG_DATABASE) (role and database exist)."

postgres-demo: $(STAMP) postgres-up ## generate the sandbox (once), load it into PostgreSQL, dbt build --target postgres
	@start=$$(date +%s); \
	$(PY) -m ingestion generate --if-missing --seed $(SEED) --scale $(SCALE) && \
	$(MAKE) --no-print-directory postgres-build && \
	echo "PostgreSQL demo done in $$(( $$(date +%s) - start ))s: database $(PG_DATABASE) on $(PG_HOST):$(PG_PORT), sandbox $${TRIBUTARY_SANDBOX_DIR:-data/sandbox}."

postgres-build: $(STAMP) ## load every source into PostgreSQL, then dbt build --target postgres (server up: make postgres-up)
	@start=$$(date +%s); \
	TRIBUTARY_DESTINATION=postgres $(PY) -m ingestion load && \
	$(DBT) build --target postgres --target-path target/postgres --quiet && \
	echo "PostgreSQL build done in $$(( $$(date +%s) - start ))s: dlt loaded the raw_* schemas and dbt built and tested the project in $(PG_DATABASE) on $(PG_HOST):$(PG_PORT) (results in target/postgres/run_results.json)."

clean: ## remove generated data, the warehouse, dbt artefacts and reports (keeps .venv)
	rm -rf data warehouse target dbt_packages logs reports .pytest_cache
	@echo "Clean: removed data/, warehouse/, target/, logs/ and reports/."
