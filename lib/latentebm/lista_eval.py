r"""Judging LISTA against ISTA and FISTA: relative code error and "equivalent iterations".

The code error is :math:`\|Z_K - Z^*\|_F^2 / \|Z^*\|_F^2` (:func:`code_error`); the headline
comparison of Gregor & LeCun (2010) is the number of FISTA iterations needed to reach LISTA-K's
error (:func:`equivalent_iterations`).
"""

from __future__ import annotations

import time

import torch

from ._checks import as_tensor, choice, int_list, nonneg, positive_int
from .sparse import fista, ista, lipschitz


def code_error(Z: torch.Tensor, Z_star: torch.Tensor) -> float:
    r"""Relative code error :math:`\|Z - Z^*\|_F^2 / \|Z^*\|_F^2` over all signals (a float).

    Parameters
    ----------
    Z, Z_star : Tensors of shape (N, m) (or (m,))
    """
    Z = as_tensor("Z", Z, ndims=(1, 2), shape_doc="(N, m)")
    Z_star = as_tensor("Z_star", Z_star, ndims=(1, 2), shape_doc="(N, m)")
    if Z.shape != Z_star.shape:
        raise ValueError(
            f"Z and Z_star must have one shape, got {tuple(Z.shape)} and {tuple(Z_star.shape)}"
        )
    den = float(Z_star.double().pow(2).sum())
    if den == 0:
        raise ValueError("Z_star is all zeros: the relative error is undefined")
    return float((Z.double() - Z_star.double()).pow(2).sum()) / den


def solver_errors(
    Y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    Z_star: torch.Tensor,
    n_iters,
    solver: str = "fista",
) -> list[float]:
    """Relative code error of ISTA or FISTA (from z = 0) after each number of iterations in ``n_iters``.

    ISTA has no state besides z, so it is advanced incrementally; FISTA's momentum cannot be
    resumed, so it is rerun from scratch for every entry (cost: the sum of ``n_iters``).

    Returns
    -------
    list of float, one per entry of ``n_iters``.
    """
    solver = choice("solver", solver, ("ista", "fista"))
    n_iters = int_list("n_iters", n_iters)
    L = lipschitz(W)
    if solver == "fista":
        return [code_error(fista(Y, W, lam, n_iter=t, L=L), Z_star) for t in n_iters]
    out, z, done = [], None, 0
    for t in n_iters:
        if t < done:
            z, done = None, 0
        z = ista(Y, W, lam, n_iter=t - done, z0=z, L=L) if t > done else z
        done = t
        out.append(code_error(z, Z_star))
    return out


def equivalent_iterations(
    targets,
    Y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    Z_star: torch.Tensor,
    max_iter: int = 2000,
) -> list[int | None]:
    r"""For each target error, the fewest FISTA iterations whose code error is at most it.

    Searches t by doubling then bisection, treating FISTA's code error as decreasing in t
    (true in practice, not guaranteed): the answer t satisfies err(t) <= target < err(t - 1).
    ``None`` where even ``max_iter`` iterations do not reach the target.

    Parameters
    ----------
    targets : sequence of float
        Code errors to match, e.g. LISTA-K's :func:`code_error` for several K.
    Y, W, lam, Z_star : the problem and its optimal codes (see :func:`latentebm.lista_train.optimal_codes`).
    max_iter : int

    Returns
    -------
    list of int or None, one per target.
    """
    max_iter = positive_int("max_iter", max_iter)
    if isinstance(targets, (str, bytes)) or not hasattr(targets, "__iter__"):
        raise TypeError(f"targets must be a sequence of code errors, got {type(targets).__name__}")
    targets = [nonneg(f"targets[{i}]", t) for i, t in enumerate(targets)]
    L = lipschitz(W)
    cache: dict[int, float] = {}

    def err(t):
        if t not in cache:
            cache[t] = code_error(fista(Y, W, lam, n_iter=t, L=L), Z_star)
        return cache[t]

    out = []
    for target in targets:
        hi = 1
        while hi < max_iter and err(hi) > target:
            hi = min(2 * hi, max_iter)
        if err(hi) > target:
            out.append(None)
            continue
        lo = hi // 2  # err(lo) > target, or lo = 0
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if err(mid) <= target else (mid, hi)
        out.append(hi)
    return out


def seconds_per_signal(fn, Y: torch.Tensor, repeats: int = 3) -> float:
    """Wall-clock seconds per signal of ``fn(Y)`` on the whole batch ``Y`` (best of ``repeats``,
    after one warm-up call). Timings depend on the machine and its load: print ratios."""
    repeats = positive_int("repeats", repeats)
    if not callable(fn):
        raise TypeError(f"fn must be a callable fn(Y), got {type(fn).__name__}")
    Y = as_tensor("Y", Y, ndims=(1, 2, 3, 4), shape_doc="(N, ...)")
    fn(Y)
    best = float("inf")
    for _ in range(repeats):
        if Y.is_cuda:
            torch.cuda.synchronize(Y.device)
        t0 = time.perf_counter()
        fn(Y)
        if Y.is_cuda:
            torch.cuda.synchronize(Y.device)
        best = min(best, time.perf_counter() - t0)
    return best / Y.shape[0]
