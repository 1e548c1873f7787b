"""The convention for live cells in the notebooks: hidden from the book, not compared by nbval.

``test_every_live_cell_of_the_notebooks_follows_the_convention`` checks the live cells the
chapters hold; the insertion command (``scripts/insert_live_cells.py``) is tested on synthetic
notebooks and on a copy of every chapter notebook (its anchor is found, the result follows the
convention, a second run changes nothing), so a chapter rewrite that loses the anchor fails here.
Whether the chapters *hold* their cells is ``scripts/insert_live_cells.py --check``'s question.
The nbval test runs nbval on a scratch notebook to show that the tag makes nbval skip the
widget's output, and that without it nbval compares (and fails).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from latentebm.live import LIVE_CELL_TAGS, LIVE_SENTENCE_TAGS, is_live_cell, live_cells
from latentebm.live.cells import (
    ANCHORS,
    SENTENCES,
    chapter_of,
    find_anchor,
    insert_into_notebook,
    insert_live_cells,
    shows_control,
)

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


def _code(source: str, tags=(), **extra) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": extra.pop("id", f"c{len(source)}"),
            "metadata": {"tags": list(tags)} if tags else {}, "outputs": [],
            "source": source.splitlines(keepends=True), **extra}  # fmt: skip


def _md(source: str) -> dict:
    return {"cell_type": "markdown", "id": f"m{len(source)}", "metadata": {}, "source": source}


def _chapter2_notebook() -> dict:
    """A small chapter-2-like notebook: the λ slider is cell 2, another slider cell 4."""
    cells = [
        _md("# Sparse coding"),
        _code("from latentebm.widgets import slider_over\nlams = [0.1, 1.0]"),
        _code('slider_over(lams, draw,\n            description="λ", default=0.75, dpi=70)'),
        _md("Read the slider from the left."),
        _code("slider_over(ts, draw, description='iteration t')"),
    ]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _dump(nb: dict) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_insertion_goes_right_below_the_slider_of_the_same_knob_once():
    nb = _chapter2_notebook()
    assert not shows_control(nb, 2) and find_anchor(nb, 2) == 2
    assert insert_live_cells(nb, 2) is True
    md, code = nb["cells"][3:5]
    assert md["source"] == [SENTENCES[2]] and md["metadata"]["tags"] == list(LIVE_SENTENCE_TAGS)
    assert code["source"] == ["from latentebm.live import chapter2\n", "\n", "chapter2()"]
    assert code["metadata"]["tags"] == list(LIVE_CELL_TAGS) and code["outputs"] == []
    assert (md["id"], code["id"]) == ("live-sentence-2", "live-control-2")
    assert nb["cells"][5]["source"] == "Read the slider from the left."  # the prose follows
    assert convention_problems(nb) == [] and shows_control(nb, 2) and not shows_control(nb, 3)
    again = copy.deepcopy(nb)
    assert insert_live_cells(again, 2) is False and again == nb


def test_insertion_keeps_ids_unique_and_leaves_notebooks_without_ids_without():
    nb = _chapter2_notebook()
    nb["cells"][0]["id"] = "live-control-2"
    insert_live_cells(nb, 2)
    ids = [c["id"] for c in nb["cells"]]
    assert len(set(ids)) == len(ids) and "live-control-2-1" in ids
    bare = _chapter2_notebook()
    for c in bare["cells"]:
        del c["id"]
    insert_live_cells(bare, 2)
    assert all("id" not in c for c in bare["cells"])


def test_the_anchor_is_the_tagged_cell_else_exactly_one_call():
    nb = _chapter2_notebook()
    nb["cells"][4]["metadata"]["tags"] = ["live-anchor"]
    assert find_anchor(nb, 2) == 4  # the tag wins over the λ slider
    nb["cells"][1]["metadata"]["tags"] = ["live-anchor"]
    with pytest.raises(ValueError, match="chapter 2: 2 cells are tagged 'live-anchor'"):
        find_anchor(nb, 2)
    nb = _chapter2_notebook()
    nb["cells"].append(copy.deepcopy(nb["cells"][2]))
    with pytest.raises(ValueError, match=r"chapter 2: 2 code cells call slider_over\(\.\.\.\) "
                                         r"with the description 'λ' \(cells \[2, 5\]\)"):  # fmt: skip
        insert_live_cells(nb, 2)
    nb = _chapter2_notebook()
    nb["cells"][2]["cell_type"] = "markdown"  # a slider shown as text is no anchor
    with pytest.raises(ValueError, match="chapter 2: no code cells call slider_over"):
        find_anchor(nb, 2)
    with pytest.raises(ValueError, match="chapter 6: no code cells call slider_over.*'beta'"):
        find_anchor(_chapter2_notebook(), 6)
    # chapter 5's anchor is the first figure of code maps
    five = {
        "cells": [_code("show_feature_maps(Z[0])"), _md("x"), _code("show_feature_maps(Zc[0])")]
    }
    assert find_anchor(five, 5) == 0


@pytest.mark.parametrize("chapter,bad", [(0, None), (7, None), (True, None), ("2", None),
                                         (2, "not a notebook"), (2, {"cells": "x"})])  # fmt: skip
def test_insertion_bad_arguments(chapter, bad):
    nb = _chapter2_notebook() if bad is None else bad
    with pytest.raises(
        ValueError if bad is None else TypeError, match="chapter" if bad is None else "nb"
    ):
        insert_live_cells(nb, chapter)


def test_the_file_command_writes_once_and_check_writes_nothing(tmp_path):
    path = tmp_path / "02_sparse_coding.ipynb"
    original = _dump(_chapter2_notebook())
    path.write_text(original, encoding="utf-8")
    assert insert_into_notebook(path, check=True) == "missing"
    assert path.read_text(encoding="utf-8") == original
    assert insert_into_notebook(path) == "inserted"
    written = path.read_text(encoding="utf-8")
    nb = json.loads(written)
    assert written == _dump(nb) and "λ" in written  # Jupyter's layout, non-ASCII kept
    assert [c["id"] for c in nb["cells"][3:5]] == ["live-sentence-2", "live-control-2"]
    assert (
        insert_into_notebook(path) == "present"
        and insert_into_notebook(path, check=True) == "present"
    )
    assert path.read_text(encoding="utf-8") == written
    assert not list(tmp_path.glob("*.tmp"))
    other = tmp_path / "00_how_to_read.ipynb"
    other.write_text(original, encoding="utf-8")
    assert (
        insert_into_notebook(other) == "skipped" and other.read_text(encoding="utf-8") == original
    )
    broken = tmp_path / "06_vae.ipynb"  # no beta slider: an error, and the file is untouched
    broken.write_text(original, encoding="utf-8")
    with pytest.raises(ValueError, match="chapter 6"):
        insert_into_notebook(broken)
    assert broken.read_text(encoding="utf-8") == original


def test_the_script_s_exit_codes(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location(
        "insert_live_cells", ROOT / "scripts" / "insert_live_cells.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    good = tmp_path / "02_sparse_coding.ipynb"
    good.write_text(_dump(_chapter2_notebook()), encoding="utf-8")
    assert script.main(["--check", str(good)]) == 1
    assert script.main([str(good)]) == 0 and script.main(["--check", str(good)]) == 0
    bad = tmp_path / "06_vae.ipynb"
    bad.write_text(_dump(_chapter2_notebook()), encoding="utf-8")
    assert script.main([str(good), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert "02_sparse_coding.ipynb: present" in out and "06_vae.ipynb: ERROR chapter 6" in err


def test_chapter_of():
    assert [chapter_of(f"notebooks/0{n}_x.ipynb") for n in range(8)] == [
        None,
        1,
        2,
        3,
        4,
        5,
        6,
        None,
    ]
    assert (
        chapter_of("notebooks/fr/02_sparse_coding.ipynb") == 2
    )  # translations hold no ANCHORS match
    assert set(ANCHORS) == set(SENTENCES) == set(range(1, 7))


CHAPTERS = [p for p in NOTEBOOKS if chapter_of(p) and p.parent == ROOT / "notebooks"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_the_insertion_command_works_on_each_chapter(path, tmp_path):
    """On a copy: the anchor is found once, the live cells land right below it and follow the
    convention, a second run changes nothing. Before the lead runs the command on the chapters
    this tests the insertion to come; after, that it is there and stays put."""
    chapter, copy_ = chapter_of(path), tmp_path / path.name
    shutil.copy(path, copy_)
    what = insert_into_notebook(copy_)
    assert what in ("inserted", "present")
    nb = json.loads(copy_.read_text(encoding="utf-8"))
    assert shows_control(nb, chapter) and convention_problems(nb) == []
    at = find_anchor(nb, chapter)
    assert nb["cells"][at + 2]["metadata"]["tags"] == list(LIVE_CELL_TAGS)
    assert f"chapter{chapter}()" in "".join(nb["cells"][at + 2]["source"])
    before = copy_.read_bytes()
    assert insert_into_notebook(copy_) == "present" and copy_.read_bytes() == before
    if what == "inserted":  # nothing else changed: the original plus two cells
        original = json.loads(path.read_text(encoding="utf-8"))
        assert nb["cells"][: at + 1] + nb["cells"][at + 3 :] == original["cells"]
        assert {k: v for k, v in nb.items() if k != "cells"} == {
            k: v for k, v in original.items() if k != "cells"
        }


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
