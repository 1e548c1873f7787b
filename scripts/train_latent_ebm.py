"""Train the latent EBMs of chapter 1 and write their small checkpoints (a few KB each).

    .venv/bin/python scripts/train_latent_ebm.py                 # all (~2 min on one core)
    .venv/bin/python scripts/train_latent_ebm.py latent_dims     # one of them

Writes lib/latentebm/checkpoints/latent_{sweep,dims,noisy}.pt with the recipes of
``latentebm.latent.recipes``; the notebook loads them with ``load_or_train`` and the same recipes.
"""

from __future__ import annotations

import argparse
import time

from latentebm import set_threads
from latentebm.checkpoints import path_of, save
from latentebm.latent.recipes import RECIPES

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"some of {list(RECIPES)} (default: all)")
    names = parser.parse_args().names or list(RECIPES)
    unknown = [n for n in names if n not in RECIPES]
    if unknown:
        parser.error(f"unknown checkpoint(s) {unknown}; choose from {list(RECIPES)}")
    set_threads()
    for name in names:
        t = time.time()
        save(RECIPES[name](), path_of(name))
        print(f"{name}: {time.time() - t:.0f} s -> {path_of(name)}")
