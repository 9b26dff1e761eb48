# make report  - set up what is missing, then build every brief into build/
# make test    - set up what is missing (plus test tools), then run the tests
# make check   - validate content and templates without rendering
# make preview - serve the general English PDFs on localhost; rebuild on every save
#                (narrow it: make preview ARGS="--brief fintech-2030 --lang zh-Hant")
# make lint    - ruff
# make bench   - time a cold build, a no-op and a one-brief rebuild; sizes; build/bench.json
# make clean   - remove build outputs (keeps .venv)
# make release - clean build of every artifact into build/release/: SHA256SUMS, manifest.json,
#                one zip per audience; verified before it reports success

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The venv is (re)installed whenever pyproject.toml changes.
VENV_STAMP := $(VENV)/.installed

.PHONY: report test check preview lint bench release clean distclean setup setup-system setup-system-test

report: setup
	$(BIN)/briefgen build

test: setup setup-system-test
	$(BIN)/ruff check src tests scripts
	$(BIN)/pytest

check: $(VENV_STAMP)
	$(BIN)/briefgen check

preview: setup
	$(BIN)/briefgen preview $(ARGS)

bench: setup
	$(BIN)/python scripts/bench.py

release: setup
	$(BIN)/briefgen release build

lint: $(VENV_STAMP)
	$(BIN)/ruff check src tests scripts

setup: setup-system $(VENV_STAMP)

setup-system:
	@sh scripts/setup-system.sh

setup-system-test:
	@sh scripts/setup-system.sh --test

$(VENV_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV) src/*.egg-info
