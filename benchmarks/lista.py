"""LISTA benchmark: equivalent FISTA iterations and wall-clock per signal, on held-out MNIST digits.

    nice python benchmarks/lista.py [--n-test 1000] [--device cpu|cuda]

For each committed LISTA-K (``python -m latentebm.chapters train lista_K<K>``): its relative code error
||Z_K - Z*||_F^2 / ||Z*||_F^2 on the first ``--n-test`` test digits, the fewest FISTA iterations
(from z = 0, adaptive restart) reaching that error, and the wall-clock per digit of LISTA-K and of
FISTA with that many iterations, both run on the whole batch (best of 3, one torch thread on the
CPU). Prints a Markdown table (the source of ``benchmarks/lista.md``).
"""

from __future__ import annotations

import argparse
import platform

import torch
from latentebm import chapters, set_threads
from latentebm.chapters.ch4_lista import KS
from latentebm.checkpoints import dense_codes
from latentebm.data import mnist
from latentebm.lista import LISTA, code_error, equivalent_iterations, predict, seconds_per_signal
from latentebm.sparse import fista, optimal_codes


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n-test", type=int, default=1000)
    p.add_argument("--device", default="cpu")
    a = p.parse_args(argv)
    set_threads()
    dev = torch.device(a.device)
    d = chapters.load("mnist_dictionary")
    W, lam = d["W"].to(dev), float(d["lam"])
    x, _ = mnist("test")
    Y = x[: a.n_test].reshape(a.n_test, -1).to(dev)  # (N, 784)
    t = chapters.load("lista_targets")
    if t["shape"][0] >= a.n_test:
        Z_star = dense_codes(t)[: a.n_test].to(dev)
    else:
        Z_star = optimal_codes(Y, W, lam, tol=1e-6, max_iter=10000)
    models = {K: LISTA.from_checkpoint(chapters.load(f"lista_K{K}"), dev) for K in KS}
    errs = [code_error(predict(models[K], Y), Z_star) for K in KS]
    equiv = equivalent_iterations(errs, Y, W, lam, Z_star, max_iter=5000)
    print(
        f"{a.n_test} held-out MNIST digits, dictionary 784x256, lambda={lam}; "
        f"{dev.type} ({platform.processor() or platform.machine()}), {torch.get_num_threads()} thread(s)\n"
    )
    print("| K | LISTA-K code error | FISTA iterations to match | ratio | LISTA-K us/digit "
          "| FISTA us/digit | speed-up |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for K, e, t_eq in zip(KS, errs, equiv, strict=True):
        s_l = seconds_per_signal(lambda y, K=K: predict(models[K], y), Y)
        if t_eq is None:
            print(f"| {K} | {e:.4f} | > 5000 | | {1e6 * s_l:.1f} | | |")
            continue
        s_f = seconds_per_signal(lambda y, t_eq=t_eq: fista(y, W, lam, n_iter=t_eq), Y)
        print(
            f"| {K} | {e:.4f} | {t_eq} | {t_eq / K:.1f} | {1e6 * s_l:.1f} | {1e6 * s_f:.1f} "
            f"| {s_f / s_l:.1f}x |"
        )


if __name__ == "__main__":
    main()
