"""The notebook cells of a live control, and the tags that keep them out of the book and of nbval.

A live control needs a running kernel, so the static book cannot show it: its cells carry the
Jupyter Book tag ``remove-cell`` (the cell and its output vanish from the HTML page, the
precomputed slider stays). nbval must not compare the control's output (a widget whose text repr
holds the PNG bytes of the figure): the code cell also carries ``nbval-ignore-output`` (the cell
still runs under nbval, so a broken control fails the notebook test).
"""

from __future__ import annotations

import re

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
