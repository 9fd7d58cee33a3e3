# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the OpenID Connect provider of the single sign-on test (Node.js), installed from its lock file
OIDC := tests/oidc/node_modules/.package-lock.json
PORT ?= 8501
export UNCT_DB ?= data/unct.duckdb

.PHONY: run test setup demo bench clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

$(OIDC): tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund

## make run: set up, load the demo data if the database is empty, serve on http://localhost:8501
run: $(STAMP)
	$(PY) -m etl.bootstrap
	$(PY) -m streamlit run dashboard.py --server.port $(PORT)

## make test: set up, then the whole suite (browser tests and the single sign-on test included)
test: $(STAMP) $(OIDC)
	$(PY) -m pytest -q

demo: $(STAMP)
	$(PY) -m etl demo

bench: $(STAMP)
	$(PY) bench/ingest.py
	$(PY) bench/pages.py

clean:
	rm -rf $(VENV) .pytest_cache tests/oidc/node_modules
