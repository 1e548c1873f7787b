"""Insert each chapter's live control (a one-sentence markdown cell and a tagged code cell) into
the chapter notebooks, right below the precomputed widget of the same knob. Idempotent.

    python scripts/insert_live_cells.py notebooks/0*.ipynb          # insert where missing
    python scripts/insert_live_cells.py --check notebooks/0*.ipynb  # exit 1 if one is missing

The convention, the anchors and the sentences are in ``latentebm.live.cells``. A notebook that
already shows its chapter's control is left alone; 00 and the generated translations are skipped.
Re-execute a notebook after inserting (its new cell has no output yet).
"""

from __future__ import annotations

import argparse
import sys

from latentebm.live.cells import insert_into_notebook


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if missing")
    args = parser.parse_args(argv)
    missing = failed = 0
    for path in args.notebooks:
        try:
            what = insert_into_notebook(path, check=args.check)
        except (ValueError, OSError) as e:
            print(f"{path}: ERROR {e}", file=sys.stderr)
            failed += 1
            continue
        missing += what == "missing"
        print(f"{path}: {what}")
    return 2 if failed else 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
