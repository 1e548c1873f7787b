r"""Judging LISTA against ISTA and FISTA: relative code error and "equivalent iterations".

The code error is :math:`\|Z_K - z^*\|_F^2 / \|z^*\|_F^2` (``code_error``); the headline
comparison of Gregor & LeCun (2010) is the number of FISTA iterations needed to reach LISTA-K's
error (``equivalent_iterations``).
"""

from __future__ import annotations

import time

import torch

from .._checks import as_tensor, choice, int_list, nonneg, positive_int
from ..sparse.energy import check_problem, lipschitz_unchecked
from ..sparse.solvers import solve_unchecked


def code_error(z: torch.Tensor, z_star: torch.Tensor) -> float:
    r"""Relative code error :math:`\|z - z^*\|_F^2 / \|z^*\|_F^2` over all signals (a float).

    Parameters
    ----------
    z, z_star : Tensors of shape (N, m) (or (m,))
    """
    z = as_tensor("z", z, ndims=(1, 2), shape_doc="(N, m)")
    z_star = as_tensor("z_star", z_star, ndims=(1, 2), shape_doc="(N, m)")
    if z.shape != z_star.shape:
        raise ValueError(
            f"z and z_star must have one shape, got {tuple(z.shape)} and {tuple(z_star.shape)}"
        )
    return _code_error(z, z_star)


def _code_error(z: torch.Tensor, z_star: torch.Tensor) -> float:
    """:func:`code_error` of checked codes of one shape."""
    den = float(z_star.double().pow(2).sum())
    if den == 0:
        raise ValueError("z_star is all zeros: the relative error is undefined")
    return float((z.double() - z_star.double()).pow(2).sum()) / den


def _problem(y, W, lam, z_star):
    """The checked problem of :func:`solver_errors` and :func:`equivalent_iterations`:
    ``(y2, W, lam, z_star2, L)`` with y2 (N, n) and z_star2 (N, m)."""
    y2, W, z_star2, _ = check_problem(y, W, z_star, z_name="z_star", scale="any")
    return y2, W, nonneg("lam", lam), z_star2, lipschitz_unchecked(W)


def solver_errors(
    y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    z_star: torch.Tensor,
    n_iters,
    *,
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
    y, W, lam, z_star, L = _problem(y, W, lam, z_star)
    if solver == "fista":
        return [_code_error(solve_unchecked(y, W, lam, t, L=L)[0], z_star) for t in n_iters]
    out, z, done = [], None, 0
    for t in n_iters:
        if t < done:
            z, done = None, 0
        if t > done:  # ISTA resumed from z for t - done more iterations
            z = solve_unchecked(y, W, lam, t - done, z2=z, L=L, momentum=False, restart=False)[0]
        done = t
        out.append(_code_error(z, z_star))
    return out


def equivalent_iterations(
    targets,
    y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    z_star: torch.Tensor,
    *,
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
    y, W, lam, z_star : the problem and its optimal codes (see :func:`latentebm.sparse.optimal_codes`).
    max_iter : int

    Returns
    -------
    list of int or None, one per target.
    """
    max_iter = positive_int("max_iter", max_iter)
    if isinstance(targets, (str, bytes)) or not hasattr(targets, "__iter__"):
        raise TypeError(f"targets must be a sequence of code errors, got {type(targets).__name__}")
    targets = [nonneg(f"targets[{i}]", t) for i, t in enumerate(targets)]
    y, W, lam, z_star, L = _problem(y, W, lam, z_star)
    cache: dict[int, float] = {}

    def err(t):
        if t not in cache:
            cache[t] = _code_error(solve_unchecked(y, W, lam, t, L=L)[0], z_star)
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


def seconds_per_signal(fn, y: torch.Tensor, *, repeats: int = 3) -> float:
    """Wall-clock seconds per signal of ``fn(y)`` on the whole batch ``y`` (best of ``repeats``,
    after one warm-up call). Timings depend on the machine and its load: print ratios."""
    repeats = positive_int("repeats", repeats)
    if not callable(fn):
        raise TypeError(f"fn must be a callable fn(y), got {type(fn).__name__}")
    y = as_tensor("y", y, ndims=(1, 2, 3, 4), shape_doc="(N, ...)")
    fn(y)
    best = float("inf")
    for _ in range(repeats):
        if y.is_cuda:
            torch.cuda.synchronize(y.device)
        t0 = time.perf_counter()
        fn(y)
        if y.is_cuda:
            torch.cuda.synchronize(y.device)
        best = min(best, time.perf_counter() - t0)
    return best / y.shape[0]
