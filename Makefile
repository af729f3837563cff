# The two commands a newcomer needs: `make build` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
AS_OF  ?=
BUILD_FLAGS ?=

.PHONY: build test serve check lint fmt setup clean conventions links

build: setup
	$(BIN)/credit-portal build $(if $(AS_OF),--as-of $(AS_OF)) $(BUILD_FLAGS)

test: setup
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)
	$(MAKE) lint

check: setup
	$(BIN)/credit-portal check

# Issue 7's web and open-data conventions alone (metadata, sitemaps, feeds, axe, vnu, links).
conventions: setup
	$(BIN)/python -m pytest -n auto tests/conventions $(PYTEST_ARGS)

# The links that leave the sample site, listed (never fetched).
links: setup
	$(BIN)/python -m pytest -q -rP tests/conventions/test_links.py -k external

serve: setup
	$(BIN)/credit-portal serve

lint: setup
	$(BIN)/ruff check generator tests bench scripts
	$(BIN)/ruff format --check generator
	$(BIN)/mypy

fmt: setup
	$(BIN)/ruff format generator tests bench scripts
	$(BIN)/ruff check --fix generator tests bench scripts

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	# --ignore-scripts: vnu-jar's postinstall would fetch a Java runtime; the machine's Java is used.
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

clean:
	rm -rf site .site-* .site.build-* .site.old-* $(VENV) node_modules
