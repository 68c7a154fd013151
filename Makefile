# Tributary: every command a developer or CI runs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The project's command line (pyproject.toml's console script; `tributary --help`)
TRIBUTARY := $(BIN)/tributary
STAMP := $(VENV)/.installed
# make lint: every pre-commit hook on every file (make test runs it beside pytest, into LINT_LOG)
LINT := $(BIN)/pre-commit run --all-files --show-diff-on-failure
LINT_LOG := target/lint.log
SCALE ?= 1
SEED ?= 42
# pytest workers of `make test` (pytest-xdist); 1 runs the suite in one process
PYTEST_WORKERS ?= 2

# dbt reads profiles.yml and dbt_project.yml from the repository root.
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
DBT := $(BIN)/dbt

.PHONY: help setup demo test lint fix clean generate next-day load serve-api dbt-build freshness bench bench-resolution \
	governance catalog retention erasure post-build postgres-up postgres-demo postgres-build prod-manifest \
	ci-changed docs serve-docs chromium monitoring-deps monitor quality

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# The virtual environment is rebuilt only when requirements.txt or pyproject.toml changes. The
# project itself is installed editable, without dependencies (requirements.txt pins them all),
# for its `tributary` command.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation --editable .
	@touch $(STAMP)
	@echo "Python environment ready in $(VENV), with the tributary command ($(TRIBUTARY) --help)."

setup: $(STAMP) ## create or refresh .venv with the pinned requirements; install the git hooks and Chromium
	@if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/pre-commit install; fi
	@# Chromium is only for the docs-site test: a machine without root still gets a working setup.
	@$(MAKE) --no-print-directory chromium || echo "Setup: Chromium is missing; the docs-site test will skip (make chromium as root installs it)."
	@echo "Setup done: $(VENV) is current with requirements.txt; pre-commit hooks installed."

chromium: ## install Chromium and ChromeDriver for the docs-site test (apt-get as root, only where missing)
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
		echo "Chromium is installed: $$(chromium --version 2>/dev/null), $$(command -v chromedriver)."; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Chromium and ChromeDriver (Debian packages chromium, chromium-driver) with apt-get ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null && \
		echo "Chromium installed: $$(chromium --version 2>/dev/null), $$(command -v chromedriver)."; \
	else \
		echo "Chromium or ChromeDriver is missing and installing them needs root (apt-get install chromium chromium-driver)."; \
		exit 1; \
	fi

demo: $(STAMP) ## generate the sandbox (once), load, erase, build, scan for PII, tier, check governance, summarize
	@start=$$(date +%s); \
	$(TRIBUTARY) sandbox generate --if-missing --seed $(SEED) --scale $(SCALE) && \
	$(TRIBUTARY) load && \
	$(TRIBUTARY) governance erasure && \
	$(TRIBUTARY) quality install --if-available && \
	$(DBT) source freshness && \
	$(DBT) build --quiet $$($(TRIBUTARY) quality dbt-vars) && \
	$(MAKE) --no-print-directory post-build && \
	$(TRIBUTARY) governance retention --no-parse && \
	$(TRIBUTARY) governance check && \
	$(TRIBUTARY) summary && \
	echo "Demo done in $$(( $$(date +%s) - start ))s: warehouse $${TRIBUTARY_WAREHOUSE_PATH:-warehouse/tributary.duckdb} (vault beside it, cold archive in its archive/), sandbox $${TRIBUTARY_SANDBOX_DIR:-data/sandbox}."

generate: $(STAMP) ## write a fresh sandbox (SEED=42 SCALE=1)
	$(TRIBUTARY) sandbox generate --seed $(SEED) --scale $(SCALE)

next-day: $(STAMP) ## advance the sandbox by one business day
	$(TRIBUTARY) sandbox next-day

load: $(STAMP) ## load every source into the warehouse
	$(TRIBUTARY) load

serve-api: $(STAMP) ## serve the sandbox FX and reviews API on 127.0.0.1:8765
	$(TRIBUTARY) sandbox serve-api

dbt-build: $(STAMP) ## dbt build on the dev target (with Elementary's monitors when on), the post-build checks, then the summary
	$(TRIBUTARY) quality install --if-available
	$(DBT) build $$($(TRIBUTARY) quality dbt-vars)
	$(MAKE) --no-print-directory post-build
	$(TRIBUTARY) summary

# Checks that read what the whole build made (selectors.yml keeps them out of `dbt build`): the
# unmasked-PII scan of every relation. Its own target path, so that the summary still reads the
# build's run_results.json.
post-build: $(STAMP) ## the post-build checks: the unmasked-PII scan of every relation outside the vault
	$(DBT) test --select tag:post_build --target-path target/post_build --quiet
	@echo "Post-build checks passed: no readable email or phone outside the vault and raw_* (results in target/post_build/run_results.json)."

retention: $(STAMP) ## move rows past retention_days to the Parquet cold archive (TODAY=YYYY-MM-DD to pin the date)
	$(TRIBUTARY) governance retention $(if $(TODAY),--today $(TODAY))

erasure: $(STAMP) ## honour every erasure request: raw tables, the vault and the cold archive (then build)
	$(TRIBUTARY) governance erasure

freshness: $(STAMP) ## dbt source freshness of every raw source
	$(DBT) source freshness

# CI's job (.ci/run): lint, which runs the governance contract check on the manifest (a
# pre-commit hook); pytest, whose session builds a freshly generated test sandbox on the `ci`
# target (the full `dbt build`, tests/python/test_ci_build.py), the scale-1 sandbox as far as
# entity resolution, and the whole project on PostgreSQL (the portability build,
# tests/python/test_postgres.py), runs the contract check again with the warehouse's values
# sampled, and tests governance (masking, the unmasked-PII scan, retention, erasure),
# monitoring, slim CI and the docs site.
test: $(STAMP) ## the CI job: lint (with the governance check) beside pytest (ci-target build, PostgreSQL build, governance, monitoring, slim CI, docs site)
	@# The suite's builds never see packages installed here (monitoring on); its monitoring test
	@# installs Elementary in a folder of its own when TRIBUTARY_PACKAGES_DIR is set.
	@# Two workers (PYTEST_WORKERS): while one process waits on dbt's Python, the other's
	@# DuckDB or PostgreSQL work runs. `--dist worksteal` with the order tests/python/conftest.py
	@# gives the tests: each worker starts on one of the shared builds, which are made once.
	@# Lint runs beside pytest at the lowest CPU priority (nice 19), so that the two workers
	@# keep the cores first; it still slows pytest somewhat, and it ends near pytest's end.
	@# Measured here: lint then pytest 2 min 25 s + 17 min 9 s; side by side 17 min 12 s and
	@# about 16 min (bench/README.md). Lint writes nothing the suite reads: its dbt parse
	@# and sqlfluff use this checkout's target/, every test a target folder of its own.
	@mkdir -p target
	@echo "Lint (make lint) runs beside pytest; its output is in $(LINT_LOG) and follows pytest's."
	@nice -n 19 $(LINT) > $(LINT_LOG) 2>&1 & lint=$$!; \
	TRIBUTARY_DBT_PACKAGES_PATH=$(CURDIR)/target/no_packages $(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=25; \
	tests=$$?; wait $$lint; linted=$$?; \
	echo "----- make lint ($(LINT_LOG))"; cat $(LINT_LOG); \
	if [ $$tests -eq 0 ] && [ $$linted -eq 0 ]; then \
		echo "Tests done: lint (pre-commit on every file, the governance check among them) and pytest passed."; \
	else \
		echo "Tests FAILED: pytest $$([ $$tests -eq 0 ] && echo passed || echo failed), lint $$([ $$linted -eq 0 ] && echo passed || echo failed) (its output above, and in $(LINT_LOG))."; \
		exit 1; \
	fi

lint: $(STAMP) ## every pre-commit hook on every file: hygiene, ruff (lint, format), YAML, dbt parse, sqlfluff (models, snapshots, tests, macros)
	$(LINT)
	@echo "Lint done: every pre-commit hook passed on every file (.pre-commit-config.yaml)."

fix: $(STAMP) ## apply the fixable lint findings: whitespace, end of file, ruff, ruff format, sqlfluff
	-@git ls-files -z -- . ':(exclude)seeds/**/*.csv' | xargs -0 $(BIN)/trailing-whitespace-fixer >/dev/null
	-@git ls-files -z | xargs -0 $(BIN)/end-of-file-fixer >/dev/null
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	-$(BIN)/sqlfluff fix models snapshots tests --processes 2 --disable-progress-bar
	@echo "Fix done: whitespace, ruff and sqlfluff fixes applied; run make lint for what is left (macro findings of tributary dev lint-macros are fixed by hand)."

governance: $(STAMP) ## the governance contract check: every breach (meta, PII, access, contracts, descriptions, lineage), exit 1 on any
	$(TRIBUTARY) governance check

catalog: $(STAMP) ## write the governance catalog (owners, classification, PII, retention, access, lineage) to reports/
	$(TRIBUTARY) governance catalog --output reports

# ---------------------------------------------------------------- monitoring and data quality
# Elementary is on when its dbt package is installed (docs/quality.md); the core build never
# needs it. `make demo` and `make dbt-build` install it from TRIBUTARY_PACKAGES_DIR when that is
# set, run its monitors when it is on, and say in one line which it is.
monitoring-deps: $(STAMP) ## install Elementary's dbt package from TRIBUTARY_PACKAGES_DIR (HUB=1: from dbt Hub)
	$(TRIBUTARY) quality install $(if $(HUB),--hub,)

monitor: $(STAMP) ## Elementary: its models, the build with monitors, reports/elementary_report.html, alerts to a webhook
	$(TRIBUTARY) quality monitor

monitor-eval: $(STAMP) ## precision and recall of the monitors: 7 normal days and one of each incident (SCALE=1, needs TRIBUTARY_PACKAGES_DIR)
	$(TRIBUTARY) quality evaluate --scale $(SCALE) --seed $(SEED)

quality: $(STAMP) ## freshness, tests, rows quarantined by rule, row reconciliation, monitoring: reports/quality.md
	$(TRIBUTARY) quality report

bench: $(STAMP) ## time each source's load against DuckDB reading the same files (SCALE=1)
	$(PY) bench/ingest.py --scale $(SCALE)

bench-resolution: $(STAMP) ## entity resolution at SCALE: the linkage's time, precision and recall, old rules beside
	$(PY) bench/resolution.py --scale $(SCALE) --seed $(SEED)

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
		for role in $$(tail -n +2 seeds/governance/roles.csv | cut -d, -f1); do \
			if [ -z "$$($(PG_ADMIN) -tAc "select 1 from pg_roles where rolname = '$$role'")" ]; then \
				$(PG_ADMIN) -c "create role \"$$role\" nologin"; \
			fi; \
		done; \
	fi; \
	echo "PostgreSQL $(PG_VERSION) is up: postgresql://$(PG_USER)@$(PG_HOST):$(PG_PORT)/$(PG_DATABASE) (role and database exist, and the access-policy roles of seeds/governance/roles.csv)."

postgres-demo: $(STAMP) postgres-up ## generate the sandbox (once), load it into PostgreSQL, dbt build --target postgres
	@start=$$(date +%s); \
	$(TRIBUTARY) sandbox generate --if-missing --seed $(SEED) --scale $(SCALE) && \
	$(MAKE) --no-print-directory postgres-build && \
	echo "PostgreSQL demo done in $$(( $$(date +%s) - start ))s: database $(PG_DATABASE) on $(PG_HOST):$(PG_PORT), sandbox $${TRIBUTARY_SANDBOX_DIR:-data/sandbox}."

postgres-build: $(STAMP) ## load every source into PostgreSQL, then dbt build --target postgres (server up: make postgres-up)
	@# tributary dev build: dbt-postgres runs no Python models, so the linkage of entity
	@# resolution runs beside dbt, between the part of the build it reads and the rest
	@start=$$(date +%s); \
	TRIBUTARY_DESTINATION=postgres $(TRIBUTARY) load && \
	$(TRIBUTARY) dev build --target postgres --target-path target/postgres -- --quiet && \
	echo "PostgreSQL build done in $$(( $$(date +%s) - start ))s: dlt loaded the raw_* schemas and dbt built and tested the project in $(PG_DATABASE) on $(PG_HOST):$(PG_PORT) (results in target/postgres/run_results.json)."

# ---------------------------------------------------------------- slim CI and the docs site
# Production is the warehouse `make demo` builds from main (dev target); its manifest is kept in
# state/prod (not committed). See docs/operations.md, "Slim CI".
PROD_REF ?= main
DOCS_TARGET ?= dev
DOCS_PORT ?= 8780

prod-manifest: $(STAMP) ## save the manifest of production's code (git ref PROD_REF=main) in state/prod for slim CI
	$(TRIBUTARY) dev prod-manifest --ref $(PROD_REF)

ci-changed: $(STAMP) ## slim CI: dbt build state:modified+ on the pr target, deferring to state/prod (pr_* schemas)
	$(TRIBUTARY) dev ci-changed

docs: $(STAMP) ## generate the docs site as one static file (target/docs/static_index.html; DOCS_TARGET=dev)
	$(TRIBUTARY) dev docs --target $(DOCS_TARGET)

serve-docs: $(STAMP) ## serve the static docs site on http://127.0.0.1:8780/ (DOCS_PORT; Ctrl-C stops)
	$(TRIBUTARY) dev serve-docs --port $(DOCS_PORT)

clean: ## remove generated data, the warehouse, dbt artefacts and reports (keeps .venv)
	rm -rf data warehouse target dbt_packages logs reports state .pytest_cache
	@echo "Clean: removed data/, warehouse/, target/, logs/, reports/ and state/."
