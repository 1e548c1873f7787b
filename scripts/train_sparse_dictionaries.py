"""Train the sparse-coding dictionaries the book loads: MNIST strokes and natural-patch edges.

    nice python scripts/train_sparse_dictionaries.py mnist      # -> checkpoints/mnist_dictionary.pt
    nice python scripts/train_sparse_dictionaries.py patches    # -> checkpoints/patches_dictionary.pt

Each checkpoint is the dict of :func:`latentebm.sparse.dictionary.dictionary_checkpoint`: ``W``
(n, m) float32 with unit-norm columns, ``lam``, ``n_epochs``, ``seed``, the training settings, and
the quality numbers printed at the end (``test_rel_error``, ``test_mean_nnz``) measured on
held-out signals; ``tests/sparse/test_sparse_checkpoints.py`` recomputes them.
MNIST digits are raw rows of 784 pixels in [0, 1] (no mean removed).
"""

from __future__ import annotations

import argparse
import time

from latentebm import set_threads
from latentebm.checkpoints import path_of, save
from latentebm.sparse.dictionary import dictionary_checkpoint, held_out_signals, training_signals

# name -> settings. Quality is measured on the first `n_eval` held-out signals with `eval_iter`
# FISTA iterations (the test recomputes exactly this on a subset).
SETTINGS = {
    "mnist": dict(n_train=None, n_atoms=256, lam=0.75, n_epochs=2, n_eval=2000, eval_iter=200),
    "patches": dict(n_train=40000, n_atoms=256, lam=1.0, n_epochs=3, n_eval=2000, eval_iter=200),
}


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("name", choices=sorted(SETTINGS))
    p.add_argument("--lam", type=float)
    p.add_argument("--n-epochs", type=int)
    p.add_argument("--n-train", type=int, default=None, help="use only N training signals")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="checkpoint path (default: the committed one)")
    p.add_argument("--no-progress", action="store_true")
    a = p.parse_args(argv)
    set_threads()
    cfg = dict(SETTINGS[a.name])
    if a.lam is not None:
        cfg["lam"] = a.lam
    if a.n_epochs is not None:
        cfg["n_epochs"] = a.n_epochs
    n_train = cfg.pop("n_train") if a.n_train is None else a.n_train
    cfg.pop("n_train", None)
    Y, Yt = training_signals(a.name, n_train), held_out_signals(a.name)
    print(f"{a.name}: training on {tuple(Y.shape)}, settings {cfg}, seed {a.seed}", flush=True)
    t0 = time.time()
    ckpt = dictionary_checkpoint(Y, Yt, seed=a.seed, progress=not a.no_progress, **cfg)
    print(f"trained in {time.time() - t0:.0f} s; energy per epoch", ckpt["history_energy"])
    print(
        f"test ({ckpt['n_eval']} held-out signals): relative error {ckpt['test_rel_error']:.4f},"
        f" mean non-zeros {ckpt['test_mean_nnz']:.2f}, mean energy {ckpt['test_energy']:.4f}"
    )
    print(f"saved {save(ckpt, a.out or path_of(f'{a.name}_dictionary'))}")


if __name__ == "__main__":
    main()
