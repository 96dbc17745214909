# Two commands do everything on a fresh machine:  make demo   and   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH  := $(VENV)/.installed-bench

.PHONY: demo test check bench clean browser

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

$(BENCH): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@touch $(BENCH)

## make demo: the costed staffing plan of the embedded demo contact center
demo: $(STAMP)
	$(BIN)/ccwfm demo

# Debian's chromium for the dashboard's browser test (tests/dashboard/test_browser.py);
# if it cannot be installed the build goes on and that test skips.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || ! command -v sudo >/dev/null 2>&1 || echo sudo -n)
browser:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null 2>&1 \
	  && $(SUDO) apt-get update -qq \
	  && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	  && test -x $(CHROMIUM); } \
	  || echo "warning: could not install chromium; the browser test will skip"

## make test: the default test suite (well under 15 minutes on 2 cores)
test: $(STAMP) browser
	$(BIN)/python -m pytest -q -m "not slow"

## make check: everything, including the heavy statistical checks
check: $(STAMP) browser
	HYPOTHESIS_PROFILE=check $(BIN)/python -m pytest -q

## make bench: every benchmark in benchmarks/ (JSON summaries with --json)
bench: $(BENCH)
	@for b in benchmarks/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
