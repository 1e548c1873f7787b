"""Report the code-cell lines of the notebooks that are wider than the rendered page.

    python scripts/check_notebook_lines.py [--max 90] [notebooks/NAME.ipynb ...]

The book's column shows about 90 characters; a longer line of code is clipped (the reader has to
scroll it). Without file arguments, every chapter (notebooks/[0-9]*.ipynb). Prints one line per
offending line (notebook, code-cell index counted from 0 among all cells, line number, width) and
exits 1 if there is any. Standard library only, so that pre-commit can run it anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_WIDTH = 90


def long_lines(path: Path, max_width: int = MAX_WIDTH) -> list[tuple[int, int, int]]:
    """(cell index, line number from 1, width) of every code line of ``path`` over ``max_width``."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = []
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        for n, line in enumerate(source.splitlines(), start=1):
            if len(line) > max_width:
                found.append((i, n, len(line)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--max", type=int, default=MAX_WIDTH, help="widest line allowed")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    total = 0
    for path in paths:
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for cell, line, width in long_lines(path, args.max):
            print(f"{shown}: cell {cell}, line {line}: {width} characters (> {args.max})")
            total += 1
    if total:
        print(f"{total} code line(s) wider than {args.max} characters: wrap them")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
