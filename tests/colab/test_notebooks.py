"""Every chapter, start to finish, in Colab's stock environment (`make test-colab`).

`make test-colab` builds `.venv-colab` from requirements-colab.txt (Colab's Python and package
versions), installs the library from this checkout as a git URL (as the notebooks' first cell
does in Colab) and runs this file with that environment's Python. Each notebook then runs in a
fresh kernel, in an empty folder (Colab has no copy of the repository), like this:

1. its first cell runs as in Colab: ``google.colab`` is in ``sys.modules`` while it runs, and the
   repository URL of _config.yml is replaced by this checkout's git URL (the published repository
   may not exist yet), so the cell's own ``!pip install`` and ``!python -m latentebm.data fetch``
   run;
2. every other cell runs unchanged; an error in any cell fails the test;
3. every widget the book stores is displayed here too, and each of its sliders, moved over all its
   values in the kernel, shows a different picture at each value (ipywidgets 7 has no ``Stack``:
   the kernel swaps the picture);
4. what each cell prints agrees with what the book stores (tests/colab/printed.py: same words,
   numbers within a tolerance; the wider tolerances of some cells are listed with their reason),
   except in the cells that nbval does not compare either (tagged ``nbval-ignore-output``: timings).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

if os.environ.get("LATENTEBM_COLAB") != "1":
    pytest.skip(
        "Colab-environment run: `make test-colab` runs it in .venv-colab", allow_module_level=True
    )

import nbformat  # noqa: E402
import yaml  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from printed import compare, printed_text, sanitizers  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
RULES = sanitizers(ROOT / "tests" / "book" / "nbval_sanitize.cfg")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The git URL `make test-colab` installed the library from: git+file://<checkout>@<commit>.
INSTALL_URL = os.environ.get("LATENTEBM_COLAB_GIT_URL", "")
CELL_TIMEOUT = 1200
# After a cell's reply, how long to wait for its last outputs. nbclient's default waits 4 s and then
# goes on *without* them, silently; on CI's loaded two cores that is not enough. Here a late output
# is waited for, and past this an error says so.
IOPUB_TIMEOUT = 120

# Wider tolerances than printed.compare's default (1% or 2 units of the last printed digit), per
# (notebook, code-cell index counted from 0), with the reason. Keep this list short.
TOLERANCES: dict[tuple[str, int], tuple[float, float, str]] = {}

FAKE_COLAB_ON = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")'
FAKE_COLAB_OFF = 'import sys\ndel sys.modules["google.colab"]'

# Runs in the kernel after the last cell: sweep every slider of the widgets the cells displayed.
SWEEP = r"""
import json as _json
import ipywidgets as _w

def _sweep(model_ids):
    registry = getattr(_w.Widget, "widgets", None)
    if registry is None:  # ipywidgets 8
        from ipywidgets.widgets.widget import _instances as registry
    problems, sliders = [], 0
    for mid in model_ids:
        box = registry.get(mid)
        if box is None:
            problems.append(f"{mid}: no such widget in the kernel")
            continue
        kids = list(box.children)
        images = [k for k in kids if isinstance(k, _w.Image)]
        if hasattr(_w, "Stack") or len(images) != 1:
            problems.append(f"{mid}: expected the kernel-driven widget (one Image), got {kids}")
            continue
        image = images[0]
        for slider in (k for k in kids if isinstance(k, _w.SelectionSlider)):
            sliders += 1
            start, seen = slider.index, {}
            for i in range(len(slider.options)):
                slider.index = i
                seen.setdefault(bytes(image.value), []).append(slider.options[i][0])
            slider.index = start
            same = [labels for labels in seen.values() if len(labels) > 1]
            if same:
                problems.append(f"{mid} {slider.description}: one picture for {same}")
    print(_json.dumps({"sliders": sliders, "problems": problems}))
"""


def config_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def colab_notebook(path: Path) -> tuple[nbformat.NotebookNode, int]:
    """The notebook as Colab runs it: (notebook, index of the setup cell in it)."""
    nb = nbformat.read(path, as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    url = f"git+{config_url()}"
    assert url in nb.cells[first].source, f"{path.name}: the first code cell does not install {url}"
    nb.cells[first].source = nb.cells[first].source.replace(url, INSTALL_URL)
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell(FAKE_COLAB_OFF))
    nb.cells.insert(first, nbformat.v4.new_code_cell(FAKE_COLAB_ON))
    return nb, first + 1


def widget_ids(cell) -> list[str]:
    return [
        o["data"][WIDGET_VIEW]["model_id"]
        for o in cell.get("outputs", [])
        if WIDGET_VIEW in o.get("data", {})
    ]


def test_environment_is_colab_like():
    import ipywidgets
    import latentebm
    import sklearn
    import torch

    assert sys.version_info[:2] == (3, 13), sys.version
    assert not hasattr(ipywidgets, "Stack"), ipywidgets.__version__  # Colab's 7.7.1
    assert torch.__version__.startswith("2.11."), torch.__version__
    assert sklearn.__version__ == "1.6.1", sklearn.__version__
    # The library comes from the git install, not from this checkout's lib/.
    assert Path(latentebm.__file__).is_relative_to(sys.prefix), latentebm.__file__
    assert INSTALL_URL.startswith("git+file://"), "LATENTEBM_COLAB_GIT_URL is not set"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_colab_environment(path, tmp_path):
    stored = nbformat.read(path, as_version=4)
    nb, setup = colab_notebook(path)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        iopub_timeout=IOPUB_TIMEOUT,
        raise_on_iopub_timeout=True,
        kernel_name="python3",
        resources={"metadata": {"path": tmp_path}},
    )
    t0 = time.perf_counter()
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, i)  # raises CellExecutionError on any error
        ran = [c for i, c in enumerate(nb.cells) if i not in (setup - 1, setup + 1)]
        ids = [m for c in ran if c.cell_type == "code" for m in widget_ids(c)]
        sweep = nbformat.v4.new_code_cell(SWEEP + f"\n_sweep({ids!r})")
        nb.cells.append(sweep)
        client.execute_cell(sweep, len(nb.cells) - 1)
    seconds = time.perf_counter() - t0
    print(f"{path.name}: {seconds:.0f} s")

    problems = []
    book_code = [c for c in stored.cells if c.cell_type == "code"]
    here_code = [c for c in ran if c.cell_type == "code"]
    assert len(book_code) == len(here_code)
    for k, (book, here) in enumerate(zip(book_code, here_code, strict=True)):
        if k == 0:
            continue  # the setup cell prints pip's and the fetch's messages here, nothing in the book
        if len(widget_ids(book)) != len(widget_ids(here)):
            problems.append(
                f"code cell {k}: {len(widget_ids(here))} widgets, the book stores "
                f"{len(widget_ids(book))}"
            )
        if {"nbval-ignore-output", "nbval-skip"} & set(book.metadata.get("tags", [])):
            continue
        rtol, digits, _ = TOLERANCES.get((path.stem, k), (1e-2, 2, ""))
        for p in compare(printed_text(book, RULES), printed_text(here, RULES), rtol, digits):
            problems.append(f"code cell {k}: {p}")

    # One print may reach us as several stream messages (the kernel flushes stdout every 0.2 s,
    # also between the text and its newline): read the joined text, not the last message.
    lines = printed_text(sweep).strip().splitlines()
    assert lines, f"{path.name}: the widget sweep printed nothing; its outputs: {sweep.outputs}"
    report = json.loads(lines[-1])
    problems += [f"widget {p}" for p in report["problems"]]
    if ids:
        assert report["sliders"] > 0, "widgets were displayed but no slider was swept"
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)
