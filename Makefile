# The two commands of the README: `make book` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# One torch thread: measured 4-70x faster than two when another process is busy, and reproducible.
export LATENTEBM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: venv data assets chromium test test-lib test-notebooks test-book book notebooks bench lint clean
.PHONY: translations

# The book: Jupyter Book 1.x renders the outputs stored in the notebooks; warnings are errors.
BOOK_BUILD := $(VENV)/bin/jupyter-book build . -W -n --keep-going
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# pytest's exit code 5 means "no tests collected" (e.g. no notebooks yet): not a failure.
PYTEST_OK5 := || { rc=$$?; [ $$rc -eq 5 ] && echo "pytest: no tests collected (exit 5), not a failure"; }
# Strict nbval: every text output must be reproduced; the sanitize file only masks timings/addresses.
NBVAL := -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/book/nbval_sanitize.cfg \
	--ignore=_build --ignore=notebooks/fr --ignore-glob='*.ipynb_checkpoints*' -p no:cacheprovider
# Debian's chromium drives the browser test (never `playwright install`, which downloads a browser).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

data: venv
	$(PY) -m latentebm.data fetch

# The library's tests; the book's own tests (tests/book) need the built book: `make test` runs them.
test-lib: data
	$(PY) -m ruff check lib tests benchmarks scripts
	$(PY) -m pytest tests --ignore=tests/book $(PYTEST_OK5)

test-notebooks: data
	$(PY) $(NBVAL) notebooks/ $(PYTEST_OK5)

# MathJax and the ipywidgets HTML manager, pinned and checksummed, from the npm registry.
assets: venv
	$(PY) scripts/fetch_book_assets.py

# Then the French edition (book/i18n/README.md) into _build/html/fr/, and beside it the extraction
# of the English messages that the completeness test (tests/book/test_i18n.py) reads.
I18N := $(PY) scripts/i18n.py

book: data assets
	$(BOOK_BUILD)
	$(I18N) build fr

chromium:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser test (apt-get)"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	  || { $(SUDO) apt-get update -qq && \
	       $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; }
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is missing and could not be installed"; exit 1; }

# Configuration checks, then headless Chromium on every chapter page of _build/html.
test-book: chromium
	LATENTEBM_BOOK_TESTS=required $(PY) -m pytest tests/book -p no:cacheprovider

# In order: library tests, notebooks (nbval, strict), the book (-W), the browser test.
test: chromium
	$(MAKE) --no-print-directory test-lib
	$(MAKE) --no-print-directory test-notebooks
	$(MAKE) --no-print-directory book
	$(MAKE) --no-print-directory test-book

# Re-execute every notebook in place, one after the other, with one torch thread; stores the
# outputs and the widget state that the book renders.
notebooks: data
	@set -e; for nb in $(NOTEBOOKS); do \
	  echo "executing $$nb"; \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=1200 --log-level=WARN "$$nb"; \
	done
	$(I18N) notebooks fr

# After the English text changed: bring the French catalogs in step (new messages empty, changed
# ones fuzzy, for the translators), then the French notebooks; `status` lists what is left.
translations: venv
	$(I18N) update fr

# Measurements against the peers named in the issues (never part of `make test`): scikit-learn,
# SPORCO, and the committed LISTA checkpoints. Tables and verdicts: benchmarks/README.md.
bench: data
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) benchmarks/sparse_coding.py
	$(PY) benchmarks/lista.py
	$(PY) benchmarks/conv_sparse_coding.py

lint: venv
	$(PY) -m ruff check lib tests benchmarks scripts

clean:
	rm -rf _build book/_assets
	find book/i18n -name '*.mo' -delete
