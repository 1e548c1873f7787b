r"""Codes to convergence for many signals: the reference :math:`z^*` that approximate encoders (LISTA)
learn and are measured against."""

from __future__ import annotations

import torch
from tqdm.auto import tqdm

from .._checks import all_finite, nonneg, positive_int
from .energy import check_problem, diverged, lipschitz_unchecked
from .solvers import solve_unchecked


@torch.no_grad()  # an argmin: the codes are not differentiated through the iterations
def optimal_codes(
    y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    *,
    tol: float = 1e-6,
    max_iter: int = 5000,
    batch_size: int = 4096,
    progress: bool = False,
) -> torch.Tensor:
    r""":math:`z^* = \arg\min_z \|y - Wz\|^2 + \lambda\|z\|_1` by FISTA to convergence (``tol``: relative change of z).

    FISTA (with adaptive restart, :func:`latentebm.sparse.fista`) runs on minibatches until every
    code's relative change per iteration is below ``tol``, or ``max_iter`` iterations. The problem
    is checked once; L is computed once for all minibatches.

    Parameters
    ----------
    y : Tensor of shape (N, n)
        Signals, one per row.
    W : Tensor of shape (n, m)
        Dictionary, one atom per column (same device and dtype as ``y``).
    lam : float >= 0
    tol : float
        Relative change of z per iteration at which a minibatch stops.
    max_iter : int
        Iteration cap per minibatch.
    batch_size : int
        Signals per minibatch (bounds the memory).
    progress : bool
        Show a tqdm bar over the minibatches.

    Returns
    -------
    Tensor of shape (N, m), on y's device and dtype.
    """
    if isinstance(y, torch.Tensor) and y.ndim == 1:
        raise ValueError(
            f"y must have shape (N, n), one signal per row, got shape {tuple(y.shape)}"
        )
    y, W, _, _ = check_problem(y, W, scale="any")
    lam, tol = nonneg("lam", lam), nonneg("tol", tol)
    max_iter = positive_int("max_iter", max_iter)
    batch_size = positive_int("batch_size", batch_size)
    L = lipschitz_unchecked(W)
    if L == 0:
        raise ValueError("W is all zeros: the problem has no curvature (L = 0)")
    starts = range(0, y.shape[0], batch_size)
    z = torch.cat(
        [
            solve_unchecked(y[s : s + batch_size], W, lam, max_iter, tol, L=L)[0]
            for s in tqdm(starts, disable=not progress, desc="z* (FISTA)", leave=False)
        ]
    )  # (N, m)
    if not all_finite(z):
        raise diverged("optimal_codes", f"within {max_iter} iterations", None, W)
    return z
