# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the OpenID Connect provider of the single sign-on test (Node.js), installed from its lock file
OIDC := tests/oidc/node_modules/.package-lock.json
PORT ?= 8501
#: test processes (pytest-xdist): the browser and store tests wait on servers, so two workers pay even on two cores
WORKERS ?= 2
export UNCT_DB ?= data/unct.duckdb

#: what the dashboard needs from Debian (Chromium prints the PDF meeting brief, in DejaVu fonts), and what the tests
#: need besides, as "a file that shows it is there:the package that brings it"
RUN_NEEDS := /usr/bin/chromium:chromium /usr/share/fonts/truetype/dejavu:fonts-dejavu-core
SYSTEM_NEEDS := $(RUN_NEEDS) /usr/bin/pdftotext:poppler-utils

.PHONY: run test test-fast lint setup system run-system demo bench clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
	    rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
	  else echo "Python's venv module is missing. Run: sudo apt-get install -y python3-venv"; exit 1; fi; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

## system: the Debian packages the tests need — installed when missing (as root), else a stop with the command
system:
	@missing=""; \
	for need in $(SYSTEM_NEEDS); do test -e "$${need%%:*}" || missing="$$missing $${need##*:}"; done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages the tests need:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "The tests need Debian packages that are missing. Install them, then run make test again:"; \
	    echo "    sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

## run-system: the Debian packages the dashboard needs — installed when missing (as root), else the command to run
## (the dashboard starts without them; only the PDF meeting brief needs Chromium)
run-system:
	@missing=""; \
	for need in $(RUN_NEEDS); do test -e "$${need%%:*}" || missing="$$missing $${need##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages the PDF brief needs:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "The PDF meeting brief needs Debian packages that are missing (the rest works without them):"; \
	    echo "    sudo apt-get install -y$$missing"; \
	  fi; \
	fi

$(OIDC): tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund

## make run: set up, load the demo data if the database is empty, serve on http://localhost:8501
run: $(STAMP) run-system
	$(PY) -m etl.bootstrap
	$(PY) -m streamlit run dashboard.py --server.port $(PORT)

## make test: set up (system packages and the test OIDC provider included), then the whole suite
test: $(STAMP) system $(OIDC)
	$(PY) -m pytest -q -p no:cacheprovider -n $(WORKERS) --dist loadscope --durations=25

## make test-fast: the suite without browser and slow tests, for working on the code
test-fast: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow and not browser" -n $(WORKERS) --dist loadscope

## make lint: ruff (lint and format check) and mypy (settings in pyproject.toml)
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

demo: $(STAMP)
	$(PY) -m etl demo

bench: $(STAMP)
	$(PY) bench/ingest.py --loaders 2
	$(PY) bench/pages.py
	$(PY) bench/brief.py
	$(PY) bench/sessions.py

clean:
	rm -rf $(VENV) .pytest_cache tests/oidc/node_modules
