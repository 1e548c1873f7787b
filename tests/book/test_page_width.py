"""No line of code or printed output wider than the page (issue 18).

The book's column shows about 90 characters of code or output; a longer line is clipped and the
reader has to scroll it (a 7-column table, a 201-character print). Checked on the stored notebooks:
every code line (scripts/check_notebook_lines.py, also a pre-commit hook) and every line of printed
text (streams, and ``text/plain`` of results that show as text: not figures, not widgets, whose
``text/plain`` is only a fallback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from check_notebook_lines import MAX_WIDTH, long_lines  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
SHOWN_ELSEWHERE = (
    "image/png",
    "image/svg+xml",
    "text/html",
    "application/vnd.jupyter.widget-view+json",
)


def wide_output_lines(path: Path, max_width: int = MAX_WIDTH) -> list[tuple[int, int, str]]:
    """(cell index, width, start of line) of every printed text line of `path` over `max_width`."""
    found = []
    for i, cell in enumerate(json.loads(path.read_text())["cells"]):
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                text = out["text"]
            elif any(kind in out.get("data", {}) for kind in SHOWN_ELSEWHERE):
                continue
            else:
                text = out.get("data", {}).get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            found += [
                (i, len(line), line[:40]) for line in text.splitlines() if len(line) > max_width
            ]
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_lines_fit_the_page(path):
    wide = long_lines(path)
    assert not wide, (
        f"{path.name}: code lines over {MAX_WIDTH} characters (cell, line, width): {wide}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_printed_lines_fit_the_page(path):
    wide = wide_output_lines(path)
    assert not wide, f"{path.name}: printed lines over {MAX_WIDTH} characters: {wide}"


def test_the_check_sees_a_wide_print(tmp_path):
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": "print(x)",
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": "ok\n" + "x" * 91 + "\n"},
                    {
                        "output_type": "display_data",
                        "data": {"text/plain": "y" * 200, "image/png": ""},
                    },
                ],
            }
        ]
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    assert wide_output_lines(path) == [(0, 91, "x" * 40)]
