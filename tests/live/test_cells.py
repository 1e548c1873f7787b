"""The convention for live cells in the notebooks: hidden from the book, not compared by nbval.

``test_every_live_cell_of_the_notebooks_follows_the_convention`` checks the chapters (the live
cells are added chapter by chapter); the nbval test runs nbval on a scratch notebook to show that
the tag makes nbval skip the widget's output, and that without it nbval compares (and fails).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from latentebm.live import LIVE_CELL_TAGS, LIVE_SENTENCE_TAGS, is_live_cell, live_cells

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("[0-9]*.ipynb"))


def convention_problems(nb: dict) -> list[str]:
    """What a notebook's live cells do against the convention of ``latentebm.live``."""
    problems, cells = [], nb["cells"]
    for i, cell in enumerate(cells):
        if not is_live_cell(cell):
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        if missing := set(LIVE_CELL_TAGS) - tags:
            problems.append(f"cell {i}: a live control without the tags {sorted(missing)}")
        before = cells[i - 1] if i else {}
        if before.get("cell_type") != "markdown" or not set(LIVE_SENTENCE_TAGS) <= set(
            before.get("metadata", {}).get("tags", [])
        ):
            problems.append(f"cell {i}: not right after a markdown sentence tagged remove-cell")
    return problems


def test_live_cells_are_tagged_and_call_the_chapter_s_control():
    md, code = live_cells(3, "  With a running kernel, the control below recomputes this.  ")
    assert md == {"cell_type": "markdown", "metadata": {"tags": ["remove-cell"]},
                  "source": "With a running kernel, the control below recomputes this."}  # fmt: skip
    assert code["cell_type"] == "code" and code["outputs"] == []
    assert code["metadata"]["tags"] == ["remove-cell", "nbval-ignore-output"]
    assert code["source"] == "from latentebm.live import chapter3\n\nchapter3()"
    assert is_live_cell(code) and not is_live_cell(md)
    assert is_live_cell(
        {"cell_type": "code", "source": ["from latentebm import live\n", "live.chapter1()"]}
    )
    assert not is_live_cell({"cell_type": "code", "source": "from latentebm.widgets import x"})
    nb = {"cells": [{"cell_type": "code", "source": "x = 1"}, md, code]}
    assert convention_problems(nb) == []


@pytest.mark.parametrize(
    "args,exc",
    [((0, "s"), ValueError), ((7, "s"), ValueError), (("2", "s"), ValueError),
     ((True, "s"), ValueError), ((2, ""), ValueError), ((2, None), ValueError)],
)  # fmt: skip
def test_live_cells_bad_arguments(args, exc):
    with pytest.raises(exc, match="chapter" if args[1] else "sentence"):
        live_cells(*args)
    with pytest.raises(TypeError, match="cell"):
        is_live_cell("from latentebm.live import chapter1")


def test_the_convention_check_can_fail():
    md, code = live_cells(2, "Live version below.")
    untagged = {**code, "metadata": {"tags": ["remove-cell"]}}
    assert convention_problems({"cells": [md, untagged]}) == [
        "cell 1: a live control without the tags ['nbval-ignore-output']"
    ]
    assert convention_problems({"cells": [code]}) == [
        "cell 0: not right after a markdown sentence tagged remove-cell"
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_every_live_cell_of_the_notebooks_follows_the_convention(path):
    assert convention_problems(json.loads(path.read_text(encoding="utf-8"))) == []


SANITIZE = ROOT / "tests" / "book" / "nbval_sanitize.cfg"
NBVAL = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
         "--nbval-sanitize-with", SANITIZE.name]  # fmt: skip


@pytest.mark.slow
def test_nbval_skips_the_output_of_a_tagged_live_cell(tmp_path):
    """nbval runs the live cell (a broken control would fail) but does not compare its output."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbval")
    md, code = live_cells(3, "The live version is right below.")
    stored = [  # what a saved notebook holds: the widget's view, and a text repr of another session
        {"output_type": "display_data", "metadata": {},
         "data": {"text/plain": "LiveControl(stored in another session)",
                  "application/vnd.jupyter.widget-view+json": {
                      "model_id": "0" * 32, "version_major": 2, "version_minor": 0}}},
    ]  # fmt: skip
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(md["source"], metadata=md["metadata"]),
        nbformat.v4.new_code_cell(code["source"], metadata=code["metadata"], outputs=[nbformat.from_dict(o) for o in stored],
                                  execution_count=1),
    ]  # fmt: skip
    tagged, untagged = tmp_path / "tagged.ipynb", tmp_path / "untagged.ipynb"
    nbformat.write(nb, tagged)
    nb.cells[1].metadata["tags"] = ["remove-cell"]
    nbformat.write(nb, untagged)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # its own rootdir, not this project's
    shutil.copy(SANITIZE, tmp_path)  # the Makefile's nbval flags, as in `make test-notebooks`
    run = subprocess.run([*NBVAL, "-v", tagged.name, untagged.name], cwd=tmp_path,
                         capture_output=True, text=True)  # fmt: skip
    out = run.stdout
    assert run.returncode == 1 and "1 failed, 1 passed" in out, out[-3000:]
    assert "tagged::ipynb::Cell 0 PASSED" in out and "untagged::ipynb::Cell 0 FAILED" in out, out
    assert "Cell outputs differ" in out and "LiveControl(stored in another session)" in out
