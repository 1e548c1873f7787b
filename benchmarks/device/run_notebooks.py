"""Execute the book's notebooks (what ``make notebooks`` does) and time each one.

    python benchmarks/device/run_notebooks.py --out DIR [--budget SECONDS] [NOTEBOOK ...]

Like ``make notebooks`` (``jupyter nbconvert --execute``, 1200 s per cell, in the notebook's own
folder), but the executed copies go to ``DIR/executed/`` (the repository's notebooks are left as
they are) and the time of each notebook is appended to ``DIR/notebooks.txt`` as soon as it is known,
so that a run cut short by its time limit still reports the notebooks it finished. ``--budget``
stops before starting a notebook once that many seconds have passed, and gives the running one
only what is left. The device the notebooks use is the library's default: CUDA where present.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("notebooks", nargs="*", help="default: notebooks/[0-9]*.ipynb, in order")
    p.add_argument("--out", required=True)
    p.add_argument("--budget", type=float, default=None, help="seconds for all of them")
    a = p.parse_args(argv)
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    out = Path(a.out)
    (out / "executed").mkdir(parents=True, exist_ok=True)
    log = out / "notebooks.txt"
    paths = [Path(x) for x in a.notebooks] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    t_start = time.perf_counter()
    total, failed = 0.0, 0
    with log.open("a") as f:
        for path in paths:
            left = None if a.budget is None else a.budget - (time.perf_counter() - t_start)
            if left is not None and left < 5:
                f.write(f"{path.name}: not started (budget of {a.budget:.0f} s spent)\n")
                failed += 1
                continue
            nb = nbformat.read(path, as_version=4)
            timeout = 1200 if left is None else max(5, int(min(1200, left)))
            client = NotebookClient(
                nb, timeout=timeout, kernel_name="python3",
                iopub_timeout=120, raise_on_iopub_timeout=True,  # no output dropped silently
                resources={"metadata": {"path": str(path.parent)}},
            )  # fmt: skip
            t0 = time.perf_counter()
            try:
                client.execute()
                status = "ok"
            except CellTimeoutError:
                status = f"timed out (a cell ran past {timeout} s)"
            except CellExecutionError as e:
                status = "error: " + str(e).strip().splitlines()[-1][:300]
            dt = time.perf_counter() - t0
            nbformat.write(nb, out / "executed" / path.name)
            total += dt
            failed += status != "ok"
            f.write(f"{path.name}: {dt:.1f} s, {status}\n")
            f.flush()
            print(f"{path.name}: {dt:.1f} s, {status}", flush=True)
        f.write(f"total: {total:.1f} s for {len(paths)} notebooks, {failed} not ok\n")
    print(f"total: {total:.1f} s, {failed} not ok", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
