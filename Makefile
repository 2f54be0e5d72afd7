# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VENDOR := clipcart/web/static/vendor
# Test processes (pytest-xdist); each gets its own database.
TEST_WORKERS ?= 2
SHARED_MARKETS := ../shared/markets.toml

.PHONY: run test setup static markets lint types pytest browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/inter/files
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/@fontsource-variable/inter/index.css $(VENDOR)/inter/
	cp node_modules/@fontsource-variable/inter/files/*-wght-normal.woff2 $(VENDOR)/inter/files/
	touch $@

static: $(VENDOR)/.copied

# The package carries a copy of the shared market facts; refresh it when ../shared is there.
markets:
	@if [ -f $(SHARED_MARKETS) ] && ! cmp -s $(SHARED_MARKETS) clipcart/data/markets.toml; then \
		cp $(SHARED_MARKETS) clipcart/data/markets.toml; echo "markets.toml refreshed from ../shared"; fi

setup: $(STAMP) static markets

run: setup
	$(BIN)/clipcart demo

browser:
	@./scripts/ensure-chromium

lint: setup
	$(BIN)/ruff check clipcart tests bench
	$(BIN)/ruff format --check clipcart tests bench || true

types: setup
	$(BIN)/mypy

pytest: setup browser
	$(BIN)/pytest -n $(TEST_WORKERS)

test: setup browser
	$(BIN)/ruff check clipcart tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var test-artifacts
