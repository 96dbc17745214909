# Two commands do everything on a fresh machine:  make demo   and   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH  := $(VENV)/.installed-bench

.PHONY: demo test check bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

$(BENCH): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@touch $(BENCH)

## make demo: staffing table for the embedded demo day
demo: $(STAMP)
	$(BIN)/ccwfm demo

## make test: the default test suite (well under 15 minutes on 2 cores)
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

## make check: everything, including the heavy statistical checks
check: $(STAMP)
	$(BIN)/python -m pytest -q

## make bench: every benchmark in benchmarks/ (JSON summaries with --json)
bench: $(BENCH)
	@for b in benchmarks/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
