"""The notebook cells of a live control, and the tags that keep them out of the book and of nbval.

A live control needs a running kernel, so the static book cannot show it: its cells carry the
Jupyter Book tag ``remove-cell`` (the cell and its output vanish from the HTML page, the
precomputed slider stays). nbval must not compare the control's output (a widget whose text repr
holds the PNG bytes of the figure): the code cell also carries ``nbval-ignore-output`` (the cell
still runs under nbval, so a broken control fails the notebook test).

Inserting them is a command, so that the chapters' authors keep the notebooks and the cells go in
the same way every time (``scripts/insert_live_cells.py`` calls :func:`insert_into_notebook`)::

    python scripts/insert_live_cells.py notebooks/0*.ipynb          # insert where missing
    python scripts/insert_live_cells.py --check notebooks/0*.ipynb  # exit 1 if one is missing

A notebook ``0N_*.ipynb`` (N = 1..6) gets chapter N's two cells right below its *anchor*: the
code cell tagged :data:`ANCHOR_TAG` (``live-anchor``) if one is, otherwise the one code cell that
calls the chapter's precomputed widget of the same knob (:data:`ANCHORS`: the helper's name and
the description it is given, e.g. ``slider_over(..., description="λ", ...)``; for chapter 5, the
first cell that draws code maps). No anchor, or several, is an error that names the chapter and
what was looked for (tag the right cell ``live-anchor`` then). A notebook that already shows its chapter's control is left as it is, so
the command is idempotent; other notebooks (00, translations) are skipped.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

#: Tags of the code cell that shows a live control.
LIVE_CELL_TAGS = ("remove-cell", "nbval-ignore-output")
#: Tags of the markdown cell, right above it, that tells the reader the live version is below.
LIVE_SENTENCE_TAGS = ("remove-cell",)
_IMPORT = re.compile(r"\blatentebm\.live\b|\bfrom\s+latentebm\s+import\s+live\b")


def live_cells(chapter: int, sentence: str) -> list[dict]:
    """The two cells that show chapter ``chapter``'s live control, as nbformat v4 cell dicts.

    A markdown cell holding ``sentence`` (one sentence telling the reader that the live version is
    right below, e.g. "With a running kernel, the control below recomputes the figure for any λ."),
    then a code cell ``from latentebm.live import chapterN`` / ``chapterN()``, both tagged so that
    the book drops them and nbval does not compare the widget. Insert them after the precomputed
    slider of the same knob, e.g. ``nb.cells[i + 1 : i + 1] = [nbformat.from_dict(c) for c in
    live_cells(2, "...")]``, then execute the notebook.
    """
    if isinstance(chapter, bool) or not isinstance(chapter, int) or not 1 <= chapter <= 6:
        raise ValueError(f"chapter must be an int from 1 to 6, got {chapter!r}")
    if not isinstance(sentence, str) or not sentence.strip():
        raise ValueError("sentence must be a non-empty str (one sentence for the reader)")
    return [
        {"cell_type": "markdown", "metadata": {"tags": list(LIVE_SENTENCE_TAGS)},
         "source": sentence.strip()},
        {"cell_type": "code", "execution_count": None, "metadata": {"tags": list(LIVE_CELL_TAGS)},
         "outputs": [], "source": f"from latentebm.live import chapter{chapter}\n\nchapter{chapter}()"},
    ]  # fmt: skip


def is_live_cell(cell: dict) -> bool:
    """Whether a notebook cell (a dict) is a code cell that uses ``latentebm.live`` (shows a live
    control)."""
    if not isinstance(cell, dict):
        raise TypeError(f"cell must be a notebook cell (a dict), got {type(cell).__name__}")
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    return cell.get("cell_type") == "code" and bool(_IMPORT.search(source))


#: Tag that marks, in a notebook, the code cell below which the live cells go (overrides ANCHORS).
ANCHOR_TAG = "live-anchor"

#: Per chapter: (the precomputed widget helper called by the anchor cell, the description it is
#: given, i.e. the knob's name in that widget). Exactly one code cell must match. Chapter 5's
#: precomputed slider is over the number of maps, not λ: its anchor is the *first* cell that draws
#: code maps (``show_feature_maps``), the grey photograph coded at the chapter's λ (section 2).
ANCHORS = {
    1: ("grid_over", "regularizer"),
    2: ("slider_over", "λ"),
    3: ("slider_over", "step (x 1/(2L))"),
    4: ("slider_over", "steps K"),
    5: ("show_feature_maps", None),
    6: ("slider_over", "beta"),
}
_FIRST = {5}  # chapters whose anchor is the first matching cell

#: The sentence above each chapter's control (the reader's only notice of it in the notebook).
SENTENCES = {
    1: "With a running kernel, the control below retrains the model at any λ and regularizer "
    "(warm-started from the nearest trained λ, in two or three seconds) and draws its landscape "
    "beside the trained one.",
    2: "With a running kernel, the control below codes any test digit at any λ with the learned "
    "dictionary and shows the code, the atoms it uses and the reconstruction.",
    3: "With a running kernel, the control below runs ISTA and FISTA on any test digit with any "
    "step size and number of iterations, and shows where the step sits against the divergence "
    "threshold.",
    4: "With a running kernel, the control below compares LISTA-K and FISTA-K on any test digit, "
    "shifted or made noisy, for each trained K.",
    5: "With a running kernel, the control below codes a crop of any of the photographs at any λ "
    "and shows the reconstruction and the most used code maps.",
    6: "With a running kernel, the control below decodes any point (z₁, z₂) of the 2-D latent, "
    "draws a chosen test digit's fuzzy ball, and switches between the trained β.",
}

_CHAPTER_FILE = re.compile(r"^0([1-6])_\w+\.ipynb$")


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _calls(source: str, helper: str, description: str | None) -> bool:
    if not re.search(rf"\b{re.escape(helper)}\(", source):
        return False
    if description is None:
        return True
    quoted = re.escape(json.dumps(description, ensure_ascii=False)[1:-1])
    return bool(re.search(rf"""(["']){quoted}\1""", source))


def _check_chapter(chapter) -> int:
    if isinstance(chapter, bool) or not isinstance(chapter, int) or not 1 <= chapter <= 6:
        raise ValueError(f"chapter must be an int from 1 to 6, got {chapter!r}")
    return chapter


def _check_notebook(nb) -> dict:
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise TypeError("nb must be a notebook dict with a list of cells")
    if not all(isinstance(c, dict) for c in nb["cells"]):
        raise TypeError("nb's cells must be dicts (notebook cells)")
    return nb


def _check_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a path, got {type(path).__name__}")
    return Path(path)


def chapter_of(path) -> int | None:
    """The chapter a notebook file shows (``0N_name.ipynb``, N = 1..6), or None."""
    match = _CHAPTER_FILE.match(_check_path(path).name)
    return int(match.group(1)) if match else None


def shows_control(nb: dict, chapter: int) -> bool:
    """Whether notebook ``nb`` (a dict) has a code cell that builds chapter ``chapter``'s control."""
    nb, chapter = _check_notebook(nb), _check_chapter(chapter)
    call = re.compile(rf"\bchapter{chapter}\(")
    return any(is_live_cell(c) and call.search(_source(c)) for c in nb["cells"])


def find_anchor(nb: dict, chapter: int) -> int:
    """Index of the cell below which chapter ``chapter``'s live cells go (see the module's doc).

    A ValueError naming the chapter when there is no anchor or more than one.
    """
    nb, chapter = _check_notebook(nb), _check_chapter(chapter)
    code = [(i, c) for i, c in enumerate(nb["cells"]) if c.get("cell_type") == "code"]
    tagged = [i for i, c in code if ANCHOR_TAG in c.get("metadata", {}).get("tags", [])]
    if len(tagged) == 1:
        return tagged[0]
    if tagged:
        raise ValueError(f"chapter {chapter}: {len(tagged)} cells are tagged {ANCHOR_TAG!r} "
                         f"(cells {tagged}); tag one")  # fmt: skip
    helper, description = ANCHORS[chapter]
    found = [i for i, c in code if _calls(_source(c), helper, description)]
    what = f"{helper}(...)" + (f" with the description {description!r}" if description else "")
    if chapter in _FIRST:
        found = found[:1]
    if len(found) != 1:
        raise ValueError(
            f"chapter {chapter}: {'no' if not found else len(found)} code cells call {what}"
            f"{' (cells ' + str(found) + ')' if found else ''}; tag the cell below which the "
            f"live control goes {ANCHOR_TAG!r}"
        )
    return found[0]


def insert_live_cells(nb: dict, chapter: int) -> bool:
    """Insert chapter ``chapter``'s two live cells into ``nb`` (a notebook dict, changed in
    place) right below its anchor; nothing if the notebook already shows the control.

    Returns whether ``nb`` changed. The cells get stable ids (``live-sentence-N``,
    ``live-control-N``) where the notebook's cells have ids (nbformat >= 4.5).
    """
    chapter, nb = _check_chapter(chapter), _check_notebook(nb)
    if shows_control(nb, chapter):
        return False
    at = find_anchor(nb, chapter) + 1
    cells = live_cells(chapter, SENTENCES[chapter])
    ids = {c["id"] for c in nb["cells"] if "id" in c}
    for cell, name in zip(cells, ("sentence", "control"), strict=True):
        cell["source"] = cell["source"].splitlines(keepends=True)  # as Jupyter stores it
        if ids:  # ids are unique in a notebook: a taken one gets a suffix
            cell["id"] = new = next(
                i for n in range(len(ids) + 1)
                if (i := f"live-{name}-{chapter}" + (f"-{n}" if n else "")) not in ids
            )  # fmt: skip
            ids.add(new)
    nb["cells"][at:at] = cells
    return True


def insert_into_notebook(path, check: bool = False) -> str:
    """Insert the live cells into the notebook file ``path`` (see :func:`insert_live_cells`).

    Returns what happened: ``"inserted"`` (written), ``"present"``, ``"skipped"`` (not a chapter
    1-6 notebook), or with ``check=True`` ``"missing"`` (nothing written). The file is written in
    Jupyter's own layout (one-space indent, sorted keys, non-ASCII kept, final newline) through a
    temporary file renamed over it, so an error leaves it as it was.
    """
    path = _check_path(path)
    if not isinstance(check, bool):
        raise TypeError(f"check must be a bool, got {type(check).__name__}")
    chapter = chapter_of(path)
    if chapter is None:
        return "skipped"
    try:
        nb = _check_notebook(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, TypeError) as e:
        raise ValueError(f"path {path} is not a notebook (JSON with a list of cells): {e}") from e
    if shows_control(nb, chapter):
        return "present"
    find_anchor(nb, chapter)  # an error even under check
    if check:
        return "missing"
    insert_live_cells(nb, chapter)
    tmp = path.with_name(path.name + ".tmp")
    text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return "inserted"
