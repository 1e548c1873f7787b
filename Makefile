# The two commands of the README: `make book` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# One torch thread: measured 4-70x faster than two when another process is busy, and reproducible.
export LATENTEBM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: venv data test test-lib book notebooks bench lint clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

data: venv
	$(PY) -m latentebm.data fetch

test-lib: data
	$(PY) -m pytest tests

test: test-lib

book: data
	@echo "make book: set-up done (venv, package, data). The book build is not wired yet."

bench: data
	$(PY) benchmarks/sparse_coding.py

lint: venv
	$(PY) -m ruff check lib tests benchmarks scripts

clean:
	rm -rf _build
