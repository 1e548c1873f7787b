# The two commands of the README: `make book` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# One torch thread: measured 4-70x faster than two when another process is busy, and reproducible.
export LATENTEBM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: venv data assets chromium test test-code test-rendered test-lib test-notebooks test-book \
	colab-install test-colab book \
	notebooks lab bench lint hooks clean translations

# The book: Jupyter Book 1.x renders the outputs stored in the notebooks; warnings are errors.
BOOK_BUILD := $(VENV)/bin/jupyter-book build . -W -n --keep-going
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# The Python the linters and the formatter check (the same list in .pre-commit-config.yaml).
LINT_PATHS := lib tests benchmarks scripts book/_ext
# pytest's exit code 5 means "no tests collected" (e.g. no notebooks yet): not a failure.
PYTEST_OK5 := || { rc=$$?; [ $$rc -eq 5 ] && echo "pytest: no tests collected (exit 5), not a failure"; }
# Strict nbval: every text output must be reproduced; the sanitize file only masks timings/addresses.
NBVAL := -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/book/nbval_sanitize.cfg \
	--ignore=_build --ignore=notebooks/fr --ignore-glob='*.ipynb_checkpoints*' -p no:cacheprovider
# Debian's chromium drives the browser test (never `playwright install`, which downloads a browser).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(STAMP): requirements.txt pyproject.toml scripts/lab_settings.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) scripts/lab_settings.py
	@touch $(STAMP)

venv: $(STAMP)

data: venv
	$(PY) -m latentebm.data fetch

# The library's tests; the book's own tests (tests/book) need the built book: `make test` runs them;
# tests/colab runs in Colab's environment: `make test-colab`.
test-lib: data
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)
	$(PY) -m pytest tests --ignore=tests/book --ignore=tests/colab $(PYTEST_OK5)

# Two notebooks at a time (pytest-xdist; --dist loadscope keeps a notebook's cells in order in one
# kernel), one torch thread each.
test-notebooks: data
	$(PY) $(NBVAL) -n 2 --dist loadscope notebooks/ $(PYTEST_OK5)

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

# Configuration checks, headless Chromium on every chapter page of _build/html, and JupyterLab
# driven by the same Chromium (tests/book/test_jupyterlab.py).
test-book: chromium
	LATENTEBM_BOOK_TESTS=required $(PY) -m pytest tests/book -p no:cacheprovider

# Two streams side by side, one per core, each in order: the library tests, then the notebooks
# (nbval, strict); the book (-W), then the browser test. (The book renders the notebooks' stored
# outputs, so it need not wait for nbval.) One after the other they left a core idle for most of
# CI's run. Each stream's output is printed when it ends; `make test` fails if either fails.
test: chromium data assets
	@echo "make test: two streams side by side (test-lib, test-notebooks | book, test-book);" \
	  "each one's output is printed when it ends"
	$(MAKE) --no-print-directory -j2 --output-sync=recurse test-code test-rendered

# The two streams of `make test`.
test-code:
	$(MAKE) --no-print-directory test-lib
	$(MAKE) --no-print-directory test-notebooks

test-rendered:
	$(MAKE) --no-print-directory book
	$(MAKE) --no-print-directory test-book

# Colab's stock runtime, reproduced (googlecolab/backend-info): its Python (3.13) and the versions of
# requirements-colab.txt in .venv-colab, rebuilt from scratch when that file changes. torch comes
# with its CUDA packages as in Colab (5 GB installed). uv (from PyPI, pinned) installs them: about
# 1.5 minutes where pip took 6 to 10, the same versions of the same 130 packages; its cache
# (~/.cache/uv) makes a rebuild on the same machine take seconds. The library itself is installed
# with pip, as Colab's first cell does.
UV_VERSION := 0.13.9
# The first Python 3.13 that runs (a pyenv shim may exist and refuse to run).
COLAB_PYTHON ?= $(shell for p in $(HOME)/.pyenv/versions/3.13*/bin/python3.13 python3.13; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && { command -v "$$p"; break; }; done)
COLAB_VENV := .venv-colab
COLAB_STAMP := $(COLAB_VENV)/.installed
# The library is installed as the notebooks' first cell installs it in Colab, `latentebm[book]` from
# a git URL: this checkout at its HEAD commit (uncommitted changes are not in it).
COLAB_GIT_URL = git+file://$(CURDIR)@$(shell git rev-parse HEAD)
COLAB_ENV = env -u PYTHONPATH -u MPLBACKEND PATH="$(CURDIR)/$(COLAB_VENV)/bin:$$PATH" \
	LATENTEBM_COLAB=1 LATENTEBM_COLAB_GIT_URL="$(COLAB_GIT_URL)" PYDEVD_DISABLE_FILE_VALIDATION=1

$(COLAB_STAMP): requirements-colab.txt
	@test -n "$(COLAB_PYTHON)" || { echo "Python 3.13 (Colab's) not found: set COLAB_PYTHON=/path/to/python3.13"; exit 1; }
	rm -rf $(COLAB_VENV)
	$(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --target $(COLAB_VENV)/.uv uv==$(UV_VERSION)
	$(COLAB_VENV)/.uv/bin/uv pip install --quiet --python $(COLAB_VENV)/bin/python -r requirements-colab.txt
	@touch $(COLAB_STAMP)

# The library into Colab's environment as the first cell installs it; it must change no other
# package there (a changed package would need a restart of Colab's runtime).
colab-install: $(COLAB_STAMP)
	@git diff --quiet HEAD -- lib pyproject.toml || \
	  echo "test-colab: uncommitted changes in lib/ or pyproject.toml are NOT tested (git install of HEAD)"
	$(COLAB_VENV)/bin/python -m pip uninstall --quiet --yes latentebm
	$(COLAB_VENV)/bin/python -m pip freeze --exclude latentebm > $(COLAB_VENV)/freeze-before.txt
	$(COLAB_ENV) pip install --quiet "latentebm[book] @ $(COLAB_GIT_URL)"
	$(COLAB_VENV)/bin/python -m pip freeze --exclude latentebm | diff $(COLAB_VENV)/freeze-before.txt - \
	  || { echo "installing latentebm[book] changed Colab's own packages (above)"; exit 1; }
	$(COLAB_ENV) python -m latentebm.data fetch

# Every notebook, start to finish, in Colab's environment, its first cell included (tests/colab):
# no error, every slider switches pictures, and the printed numbers agree with the book's. Two
# notebooks at a time (pytest-xdist), one torch thread each: the machine's two cores. Before them,
# the widget helpers and the live controls (tests/live) with Colab's real ipywidgets 7.7.1, all but
# test_cells.py, which reads the notebooks' sources and runs nbval (not in Colab): test-lib runs it.
test-colab: colab-install
	$(COLAB_ENV) python -m pytest tests/test_widgets.py tests/live tests/colab \
	  --ignore=tests/live/test_cells.py -p no:cacheprovider -n 2 --durations=10

# JupyterLab on the chapters: notebooks trusted (their stored widgets show), widget state saved with
# them (scripts/lab_settings.py, run by `make venv`). Stop it with Ctrl+C.
LAB_FLAGS := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
lab: data
	$(VENV)/bin/jupyter trust $(NOTEBOOKS)
	$(VENV)/bin/jupyter lab $(LAB_FLAGS) notebooks/

# nbconvert waits 4 s for a cell's last outputs after its reply, then stores the cell without them,
# silently; on a loaded machine that can drop a printed line. Wait longer, and fail past that.
IOPUB_WAIT := --ExecutePreprocessor.iopub_timeout=120 --ExecutePreprocessor.raise_on_iopub_timeout=True
# Re-execute every notebook in place, one after the other, with one torch thread; stores the
# outputs and the widget state that the book renders.
notebooks: data
	@set -e; for nb in $(NOTEBOOKS); do \
	  echo "executing $$nb"; \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=1200 $(IOPUB_WAIT) --log-level=WARN "$$nb"; \
	done
	$(I18N) notebooks fr

# After the English text changed: bring the French catalogs in step (new messages empty, changed
# ones fuzzy, for the translators), then the French notebooks; `status` lists what is left.
translations: venv
	$(I18N) update fr

# Measurements against the peers named in the issues (never part of `make test`): scikit-learn,
# SPAMS, SPORCO, and the committed LISTA checkpoints. Tables and verdicts: benchmarks/README.md.
bench: data
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) benchmarks/sparse_coding.py
	$(PY) benchmarks/lista.py
	$(PY) benchmarks/conv_sparse_coding.py
	$(PY) benchmarks/live.py

# ruff check and ruff format --check; `$(PY) -m ruff format $(LINT_PATHS)` fixes the formatting.
lint: venv
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)

# The same checks at each commit (.pre-commit-config.yaml): pre-commit from PyPI, and the git hook.
PRE_COMMIT_VERSION := 4.7.0
hooks: venv
	$(PY) -m pip install --quiet pre-commit==$(PRE_COMMIT_VERSION)
	$(VENV)/bin/pre-commit install

clean:
	rm -rf _build book/_assets
	find book/i18n -name '*.mo' -delete
