"""Train the LISTA encoders the book loads, on the chapter-2 MNIST dictionary.

    nice python scripts/train_lista.py            # -> checkpoints/lista_targets.pt, lista_K{1,2,3,5,10}.pt

Steps: (1) optimal codes z* = argmin ||y - Wz||^2 + lam ||z||_1 by FISTA to convergence, for the
first ``--n-train`` training digits (tol 1e-4: accurate to ~1e-3 relative, far below LISTA's
errors) and the first ``--n-test`` test digits (tol 1e-6, the reference the chapter measures
against); (2) for each K, a tied LISTA initialized as ISTA, trained with Adam on
||z_K - z*||^2 (learning rate 3e-3 / sqrt(K): the gradient through K steps grows with K).

Files (float32; each < 1.1 MB):
- ``lista_targets.pt``: the test digits' z* stored sparsely (``index`` int32 flat positions in the
  (n_test, m) matrix, ``value`` float32, ``shape``) and the settings; rebuild with
  :func:`latentebm.lista_train.dense_codes`.
- ``lista_K{K}.pt``: :meth:`latentebm.lista.LISTA.checkpoint` plus the training settings, the
  training curve (loss per epoch) and ``test_code_error`` on the test digits.
"""

from __future__ import annotations

import argparse
import time

import torch
from latentebm import set_threads
from latentebm.checkpoints import load, path_of, save
from latentebm.data import mnist
from latentebm.lista_train import (
    book_training_data,
    optimal_codes,
    sparse_codes,
    train_book_lista,
)

KS = (1, 2, 3, 5, 10)


def digits(split: str, n: int) -> torch.Tensor:
    x, _ = mnist(split)
    return x[:n].reshape(n, -1)  # (n, 784)


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--n-train", type=int, default=20000)
    p.add_argument("--n-test", type=int, default=1000)
    p.add_argument("--n-epochs", type=int, default=20)
    p.add_argument("--ks", type=int, nargs="*", default=list(KS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", action="store_true")
    a = p.parse_args(argv)
    set_threads()
    d = load(path_of("mnist_dictionary"))
    W, lam = d["W"].float(), float(d["lam"])
    Yt = digits("test", a.n_test)
    prog = not a.no_progress

    t0 = time.time()
    Zt = optimal_codes(Yt, W, lam, tol=1e-6, max_iter=10000, batch_size=500, progress=prog)
    save(
        {**sparse_codes(Zt), "lam": lam, "n_test": a.n_test, "tol": 1e-6, "max_iter": 10000},
        path_of("lista_targets"),
    )
    print(
        f"test z*: {time.time() - t0:.0f} s, mean non-zeros {(Zt != 0).sum(1).float().mean():.2f}"
    )
    t0 = time.time()
    Y, Z = book_training_data(W, lam, a.n_train, progress=prog)
    print(f"train z*: {time.time() - t0:.0f} s", flush=True)

    for K in a.ks:
        t0 = time.time()
        ckpt = train_book_lista(
            K, W, lam, Y, Z, Yt, Zt, n_epochs=a.n_epochs, seed=a.seed, progress=prog
        )
        save(ckpt, path_of(f"lista_K{K}"))
        print(
            f"K={K}: {time.time() - t0:.0f} s, code error train {ckpt['train_code_error']:.4f} "
            f"test {ckpt['test_code_error']:.4f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
