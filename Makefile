# mailslot: `make run` serves on SQLite, `make test` runs what CI runs.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
CHROMIUM := /usr/bin/chromium
# The PgBouncer tests start Debian's pgbouncer in transaction mode (tests/support/pgbouncer.py).
PGBOUNCER := /usr/sbin/pgbouncer
# The backup tests run PostgreSQL's pg_dump, pg_restore and psql (Debian's postgresql-client).
PG_DUMP := /usr/bin/pg_dump
# The deployment tests put Debian's nginx in front of two instances (deploy/nginx/).
NGINX := /usr/sbin/nginx
# The export tests open an archive's mbox files in a real mail reader (tests/exports/).
MAIL_READER := /usr/bin/s-nail
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# What ruff reads; clients/python and clients/typescript are generated (pyproject excludes them).
PY_SOURCES := src tests bench clients docs/examples
# The clients' generators: openapi-typescript and tsc, exactly as package-lock.json pins them;
# openapi-python-client in a venv of its own (it needs an older typer than the mailslot command).
NODE_MODULES := clients/typescript/node_modules/.installed
# axe-core, injected into the page by the accessibility test, exactly as its lock pins it.
AXE := tests/e2e/axe/node_modules/.installed
GENERATOR := .tools/openapi-python-client
CLIENT_TOOLS := $(NODE_MODULES) $(GENERATOR)/.installed

.DEFAULT_GOAL := help
.PHONY: help run test test-fast lint fmt typecheck clients docs docs-serve db-upgrade db-revision bench bench-search bench-live bench-hardening clean services

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

run: $(VENV)/.runtime ## set up, migrate and serve (SQLite under ./data unless MAILSLOT_DATABASE_URL is set)
	$(BIN)/mailslot db upgrade
	$(BIN)/mailslot serve --no-migrate

test: $(VENV)/.synced $(CHROMIUM) $(PGBOUNCER) $(PG_DUMP) $(NGINX) $(MAIL_READER) $(CLIENT_TOOLS) $(AXE) ## lint, type-check, build the docs and run the whole suite on SQLite and PostgreSQL (what CI runs)
	$(MAKE) --no-print-directory lint typecheck docs
	$(BIN)/pytest -n auto --dist loadgroup --db=all $(ARGS)

test-fast: $(VENV)/.synced $(CHROMIUM) $(PGBOUNCER) $(PG_DUMP) $(NGINX) $(MAIL_READER) $(CLIENT_TOOLS) $(AXE) ## the suite on SQLite only
	$(BIN)/pytest -n auto --dist loadgroup --db=sqlite $(ARGS)

lint: $(VENV)/.synced ## ruff: lint and formatting
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)

fmt: $(VENV)/.synced ## format and fix what ruff can
	$(BIN)/ruff check --fix $(PY_SOURCES)
	$(BIN)/ruff format $(PY_SOURCES)

typecheck: $(VENV)/.synced ## mypy, strict
	$(BIN)/mypy

clients: $(VENV)/.synced $(CLIENT_TOOLS) ## regenerate clients/ from the app's OpenAPI document (after an API change)
	$(BIN)/python clients/generate.py

# NO_MKDOCS_2_WARNING: Material 9.7+ prints a notice about its end of life on every build.
docs docs-serve: export NO_MKDOCS_2_WARNING := 1
docs: $(VENV)/.synced ## build the documentation site into site/, strictly (a broken link or a page missing from nav fails)
	$(BIN)/mkdocs build --strict --quiet

docs-serve: $(VENV)/.synced ## preview the documentation site at http://127.0.0.1:8100
	$(BIN)/mkdocs serve --strict

db-upgrade: $(VENV)/.runtime ## apply migrations to MAILSLOT_DATABASE_URL (or the SQLite default)
	$(BIN)/mailslot db upgrade

db-revision: $(VENV)/.synced ## new migration from the models: make db-revision m="add x"
	$(BIN)/python -m mailslot.db.revision "$(m)"

bench-search: $(VENV)/.synced ## cost of a search: a 10^5-message mailbox, and a small one among 10^3-10^6 others' messages, SQLite and PostgreSQL (~20 min)
	$(BIN)/python bench/search.py --db all --messages 100000 --rounds 40
	$(BIN)/python bench/search.py --db all --foreign 1000,10000,100000,1000000 --rounds 40

bench-hardening: $(VENV)/.synced ## sign-in timing and slow clients (reported, not asserted; ~2 min)
	$(BIN)/python -m bench.signin_timing
	$(BIN)/python -m bench.slow_clients
	$(BIN)/python -m bench.slow_clients --stock
bench-live: $(VENV)/.synced ## live delivery: latency across two instances (PostgreSQL + Redis), memory per idle stream (~1 min)
	$(BIN)/python -m bench.live $(ARGS)

clean: ## remove environments, caches, local data and the built site
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache data site clients/typescript/node_modules tests/e2e/axe/node_modules

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install -q uv==$(UV_VERSION)

$(NODE_MODULES): clients/typescript/package.json clients/typescript/package-lock.json
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(AXE): tests/e2e/axe/package.json tests/e2e/axe/package-lock.json
	cd tests/e2e/axe && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(GENERATOR)/.installed: clients/python-generator.txt | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(GENERATOR)
	$(UV) pip sync --quiet --python $(GENERATOR)/bin/python --require-hashes clients/python-generator.txt
	touch $@

# Only when missing: a machine that has it starts the tests at once.
$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

$(PGBOUNCER):
	DEBIAN_FRONTEND=noninteractive apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y pgbouncer
$(PG_DUMP):
	DEBIAN_FRONTEND=noninteractive apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-client

# The tests run it as their own user with a generated configuration; the package's own
# service is not needed (and is not started where there is no init system).
$(NGINX):
	DEBIAN_FRONTEND=noninteractive apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx-light
$(MAIL_READER):
	DEBIAN_FRONTEND=noninteractive apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y s-nail

# argon2 compiled for this machine's CPU where it has AVX2 (or AVX-512) and a C compiler:
# the same hashes at the same OWASP parameters in half the CPU time (PyPI's wheel is built
# for SSE2, which every x86-64 has). The venv is then this machine's: do not copy it to
# an older CPU. Anywhere else, or if the build fails, the wheel stays.
ARGON2_AVX2 := $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && command -v cc >/dev/null && echo yes)

# argon2 rebuilt natively where the CPU allows (above); the portable wheel otherwise.
define argon2_native
	CFLAGS="-O3 -march=native" $(UV) pip install --python $(BIN)/python --no-cache --no-deps \
	  --no-binary argon2-cffi-bindings --reinstall-package argon2-cffi-bindings \
	  "argon2-cffi-bindings==$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("argon2-cffi-bindings"))')" \
	  || echo "argon2: the native build failed; keeping the portable wheel"
endef

# Re-synced only when the dependencies change, so a second `make run` starts at once.
# `make run` installs what serving needs and nothing else (--inexact: the test tools of an
# earlier `make test` stay); `make test` adds the test, docs and client tools.
$(VENV)/.runtime: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --python $(PYTHON)
ifeq ($(ARGON2_AVX2),yes)
	$(argon2_native)
endif
	touch $@

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --python $(PYTHON)
ifeq ($(ARGON2_AVX2),yes)
	$(argon2_native)
endif
	touch $@ $(VENV)/.runtime

bench: $(VENV)/.synced ## load scenarios against a bare endpoint (PostgreSQL; DB=sqlite for SQLite)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.run --db $(or $(DB),postgres) $(ARGS)
