"""Train the book's artefacts by name, or list them: ``python -m latentebm.chapters --help``."""

from __future__ import annotations

import argparse
import numbers
import time

from ..checkpoints import path_of
from ..device import default_device, set_threads
from . import ARTEFACTS, dependents, load


def _summary(ckpt: dict) -> str:
    """The numbers a checkpoint records about itself (errors, losses), on one line."""
    keys = ("test_rel_error", "test_mean_nnz", "train_code_error", "test_code_error")
    parts = [f"{k} {ckpt[k]:.4g}" for k in keys if isinstance(ckpt.get(k), numbers.Real)]
    history = ckpt.get("history")
    if isinstance(history, dict):
        for key in ("test_loss", "energy"):
            if history.get(key):
                parts.append(f"last {key} {history[key][-1]:.4g}")
    return ", ".join(parts)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m latentebm.chapters", description=__doc__.splitlines()[0].split(":")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every artefact, its chapter and its settings")
    tr = sub.add_parser("train", help="retrain artefacts and save them (updates SHA256SUMS)")
    tr.add_argument("names", nargs="+", metavar="NAME", help="artefact names (see 'list')")
    tr.add_argument("--dependents", action="store_true",
                    help="also retrain every artefact made from these, after them")  # fmt: skip
    tr.add_argument("--device", default=None, help="default: CUDA when available, else the CPU")
    tr.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "list":
        for name, art in ARTEFACTS.items():
            needs = f"  needs {', '.join(art.needs.values())}" if art.needs else ""
            print(f"ch{art.chapter}  {name:20s} {dict(art.settings)}{needs}")
        return
    unknown = [n for n in args.names if n not in ARTEFACTS]
    if unknown:
        parser.error(f"unknown artefact(s) {unknown}; 'list' shows the names")
    set_threads()
    device = args.device or default_device()
    names = dependents(args.names) if args.dependents else args.names
    for name in names:
        t0 = time.perf_counter()
        ckpt = load(name, retrain=True, device=device, progress=not args.no_progress)
        print(f"{name}: {time.perf_counter() - t0:.0f} s -> {path_of(name)}; {_summary(ckpt)}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
