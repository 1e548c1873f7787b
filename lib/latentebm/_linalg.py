"""The largest eigenvalue of a symmetric positive semi-definite operator: the library's one power
iteration, and the exact eigensolver where it is cheaper.

Every step size of the library comes from here: ``lipschitz(W)`` (the sparse solvers, LISTA), the
convolutional operator's :math:`\\|A\\|_2^2` (``ConvOperator.lipschitz(power=True)``) and the top
eigenvector of adaptive FISTA's rank-one metric. Inputs are checked by the public functions that
call these; nothing here validates.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

# Up to this size an exact symmetric eigensolver beats the power iteration (measured on a 2-core
# CPU: 1.7 ms for a 256 x 256 Gram matrix against ~5 ms of power iteration to 1e-6).
EIGH_MAX = 512
METHODS = ("auto", "eigh", "power")


def power_iteration(
    matvec: Callable[[torch.Tensor], torch.Tensor], v: torch.Tensor, tol: float, max_iter: int
) -> tuple[float, torch.Tensor]:
    r"""Largest eigenvalue and a unit eigenvector of a symmetric PSD operator, by power iteration.

    Iterates :math:`v \leftarrow Av / \|Av\|` from ``v`` (any shape ``matvec`` accepts) until the
    Rayleigh quotient :math:`v^\top Av` changes by at most ``tol`` (relative) or ``max_iter`` steps.
    The quotient approaches the eigenvalue from below; the returned estimate is the larger of the
    last two. An operator that maps ``v`` to zero returns ``(0.0, v)``.
    """
    v = v / v.norm()
    est = 0.0
    for i in range(max_iter):
        Av = matvec(v)
        new = float((v * Av).sum())  # Rayleigh quotient, increases towards lambda_max
        norm = Av.norm()
        if norm == 0:
            return 0.0, v
        v = Av / norm
        if i > 0 and abs(new - est) <= tol * abs(new):
            est = new
            break
        est = new
    # The last normalized iterate gives a slightly better (still lower) estimate.
    return max(est, float((v * matvec(v)).sum())), v


def start_vector(shape, like: torch.Tensor) -> torch.Tensor:
    """A fixed random start (seed 0, drawn in float64 on the CPU), so that every run is the same."""
    gen = torch.Generator().manual_seed(0)
    return torch.randn(shape, generator=gen, dtype=torch.float64).to(like)


def top_eigenvalue(G: torch.Tensor, tol: float, max_iter: int, method: str) -> float:
    """Largest eigenvalue of a symmetric PSD matrix G (k, k): ``"eigh"`` (exact), ``"power"``
    (:func:`power_iteration` to ``tol``), or ``"auto"``: eigh up to 512 x 512 when ``tol < 1e-4``."""
    k = G.shape[0]
    if method == "eigh" or (method == "auto" and k <= EIGH_MAX and tol < 1e-4):
        return max(float(torch.linalg.eigvalsh(G)[-1]), 0.0)
    return power_iteration(G.__matmul__, start_vector(k, G), tol, max_iter)[0]
