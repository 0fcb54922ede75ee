# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-postgres setup setup-dev init demo-clear bench clean

$(VENV)/.req: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.req-dev: $(VENV)/.req requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.req
setup-dev: $(VENV)/.req-dev

init: setup
	$(PY) manage.py init --demo

run: init
	$(PY) manage.py serve --port $(PORT) --address 0.0.0.0

test: setup-dev
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

# The database tests on PostgreSQL (installs and starts Debian's postgresql if needed; root).
test-postgres: setup-dev
	bash scripts/ci_postgres.sh

bench: setup-dev
	$(PY) -m benchmarks.run_all

demo-clear: setup
	$(PY) manage.py demo clear

clean:
	rm -rf $(VENV) .pytest_cache
