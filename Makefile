# One entry point for everything a developer or CI does.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SANDBOX_PORT ?= 8001

.PHONY: serve test test-fast test-lowest lock check format bench browser-deps clean

LOCK := requirements/lock.txt
LOWEST_LOCK := requirements/lowest.txt
LOWEST := .venv-lowest
UV := uv==0.13.9
# Both locks: every package pinned with its hashes, for Python 3.11+ on any platform.
COMPILE = $(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
	--python-version 3.11 --no-annotate --custom-compile-command "make lock" --quiet

# The exact versions CI tested, with their hashes (requirements/lock.txt, `make lock`), then
# Portero itself without touching them; `pip check` fails on a lock older than pyproject.toml.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	@touch $(STAMP)

## lock: after a change to pyproject.toml, pin requirements/lock.txt again (versions already
## pinned stay where still allowed; `make lock UPGRADE=1` takes the newest allowed) and
## requirements/lowest.txt (the lowest versions pyproject.toml declares)
# Not after $(STAMP): that installs the lock, which is what is being remade.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet '$(UV)'
	$(COMPILE) $(if $(UPGRADE),--upgrade) -o $(LOCK)
	$(COMPILE) --resolution lowest-direct --upgrade -o $(LOWEST_LOCK)

# .venv-lowest is made anew whenever its lock or pyproject.toml changes: nothing left over.
$(LOWEST)/.installed: pyproject.toml $(LOWEST_LOCK)
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet --require-hashes -r $(LOWEST_LOCK)
	$(LOWEST)/bin/python -m pip install --quiet --no-deps -e .
	$(LOWEST)/bin/python -m pip check
	@touch $@

## test-lowest: the fast tier against the lowest versions pyproject.toml declares
## (requirements/lowest.txt, in .venv-lowest); CI runs it after `make test`
test-lowest: $(LOWEST)/.installed
	@start=$$(date +%s); \
	$(LOWEST)/bin/pytest -q -p no:cacheprovider -m "not slow and not postgres" $(PYTEST_ARGS); \
	status=$$?; echo "make test-lowest: $$(( $$(date +%s) - start )) s"; exit $$status

## serve: install, migrate the embedded SQLite database, print demo calls, serve on :8000
## (and the sandbox wallet of the seamless demo partner on :8001, stopped with the server)
serve: $(STAMP)
	$(BIN)/portero migrate
	PORTERO_PUBLIC_URL=$${PORTERO_PUBLIC_URL:-http://$(HOST):$(PORT)} \
		PORTERO_DEMO_SANDBOX_URL=http://$(HOST):$(SANDBOX_PORT) $(BIN)/portero demo
	@PORTERO_SANDBOX_AUTH_TOKEN=$$(cat var/sandbox-token) $(BIN)/portero wallet sandbox \
		--host $(HOST) --port $(SANDBOX_PORT) & sandbox=$$!; \
	trap 'kill $$sandbox 2>/dev/null' EXIT INT TERM; \
	PORTERO_PUBLIC_URL=$${PORTERO_PUBLIC_URL:-http://$(HOST):$(PORT)} \
		$(BIN)/portero serve --host $(HOST) --port $(PORT) --no-migrate

## test: install what the tests need, lint, type-check, run every test
test: $(STAMP) browser-deps check
	$(BIN)/pytest

## test-fast: the tests a developer runs after every change: SQLite only, no browser, no
## races between processes, no Monte Carlo (`make test` runs everything, as CI does)
test-fast: $(STAMP)
	@start=$$(date +%s); \
	$(BIN)/pytest -q -m "not slow and not postgres" $(PYTEST_ARGS); status=$$?; \
	echo "make test-fast: $$(( $$(date +%s) - start )) s"; exit $$status

## check: formatting, lint and types
check: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/mypy --strict bench/portero_bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## browser-deps: Debian's chromium, a colour emoji font for the slot symbols and the CJK fonts
## for the pages in Japanese, Chinese and Korean (needs root; skipped otherwise)
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'color emoji' && \
		[ -n "$$(fc-list :lang=ja 2>/dev/null)" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing chromium, fonts-noto-color-emoji and fonts-noto-cjk (Debian packages) for the browser tests…"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji \
			fonts-noto-cjk >/dev/null; \
	else echo "chromium is not installed and this is not root: browser tests will be skipped"; fi

## bench: regenerate bench/README.md (starts its own server against PostgreSQL)
bench: $(STAMP)
	bash bench/run.sh

clean:
	rm -rf $(VENV) $(LOWEST) var .pytest_cache .mypy_cache .ruff_cache test-artifacts bench/results
