r"""Active-set coordinate descent, compiled: minimize :math:`\|y - Wz\|^2 + \lambda\|z\|_1` on the CPU.

Coordinate descent (scikit-learn's Lasso solver; :func:`latentebm.sparse.block_cd` runs it in
blocks) updates one code at a time with the exact one-dimensional minimizer

.. math:: z_j \leftarrow \mathrm{shrink}_{\lambda/2}\big(q_j - (Gz)_j + G_{jj} z_j\big) / G_{jj},
   \qquad q = W^\top y,\ G = W^\top W,

and keeps :math:`H = Gz` up to date with one column of G per changed code. Two things make it
cheap when codes are sparse, as in the book (about 10% non-zeros):

* **Active sets** (the strategy of glmnet, Friedman, Hastie & Tibshirani 2010): after a full sweep
  over all m atoms, sweep only over the k non-zero codes, on a compact copy of
  :math:`G_{AA}` (k x k), until they settle; then check every atom again with a full sweep. A sweep
  over the active set costs :math:`k^2` instead of :math:`km`.
* **A stricter first sweep.** From z = 0, plain coordinate descent activates about three times as
  many codes as the solution keeps, and each costs a column of G before it is pruned. The first
  sweep (without a warm start) therefore uses twice the threshold and activates only the
  strongest atoms; every later sweep, and the stopping test, use the true one.
* **A compiled loop per signal** (numba), with no per-signal set-up. scikit-learn's
  ``sparse_encode`` runs the same algorithm's inner loop in Cython but spends about 90 us of Python
  per signal around it, which is most of its time on the book's problems.

Each signal stops when its **duality gap** certifies a relative energy gap of at most ``tol``:
with :math:`r = y - Wz`, the point :math:`\theta = s r`, :math:`s = \min(1, \tfrac{\lambda}{2} /
\|W^\top r\|_\infty)`, is feasible for the dual problem, whose value
:math:`2\theta^\top y - \|\theta\|^2` is below the minimum energy; the gap costs O(m) from
quantities the sweeps keep. (Coordinate descent's classic rule, a small largest change, can stop
far from the minimum when the active atoms are nearly dependent; the gap cannot.) This solver runs on the
CPU only; on a GPU, use :func:`latentebm.sparse.fista`. The signals are split over
``torch.get_num_threads()`` threads (:func:`latentebm.device.set_threads`). Measured speed:
``benchmarks/README.md``.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import torch

from .._checks import nonneg, positive_int
from .energy import check_problem

# float32's duality gap is only known to about its rounding: a smaller tol would sweep on the last
# bits (until a sweep changes nothing) instead of stopping.
_TOL_FLOOR = {torch.float32: 16 * torch.finfo(torch.float32).eps, torch.float64: 0.0}


def active_set_cd(
    y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    tol: float = 1e-4,
    max_sweeps: int = 1000,
    z0: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Minimize :math:`E(z, y) = \|y - Wz\|^2 + \lambda\|z\|_1` by active-set coordinate descent.

    Same problem and conventions as :func:`latentebm.sparse.fista`, solved on the CPU to a
    certified accuracy (there is no iteration count shared by the signals: each stops on its own).

    Parameters
    ----------
    y : Tensor of shape (N, n) or (n,), on the CPU
        Signals, one per row.
    W : Tensor of shape (n, m), on the CPU
        Dictionary, one atom per column (same dtype as ``y``).
    lam : float >= 0
    tol : float >= 0
        Each signal stops once its duality gap is at most ``tol`` times its energy, which bounds
        :math:`(E(z) - E^\star) / E(z)` (for float32, ``tol`` is at least ``16 * eps`` = 1.9e-6),
        or when a full sweep changes no code.
    max_sweeps : int
        Bound on the sweeps (full or active-set) per signal; a ``RuntimeWarning`` says how many
        signals reached it before their gap reached ``tol``.
    z0 : Tensor of shape (N, m) or (m,), optional
        Warm start (default: zeros).

    Returns
    -------
    z : Tensor of shape (N, m) or (m,)

    References
    ----------
    Friedman, Hastie & Tibshirani (2010), "Regularization paths for generalized linear models via
    coordinate descent", J. Stat. Softw. 33(1), section 2.6 (active sets) and 2.2 (covariance
    updates: the Gram form used here).
    """
    y2, W, z2, unbatched = check_problem(y, W, z0, z_name="z0")
    if y2.device.type != "cpu":
        raise ValueError(
            f"active_set_cd runs on the CPU (a compiled loop per signal), got y on {y2.device}; "
            "use fista on a GPU, or move y and W to the CPU with .cpu()"
        )
    lam = nonneg("lam", lam)
    tol = max(nonneg("tol", tol), _TOL_FLOOR[y2.dtype])
    max_sweeps = positive_int("max_sweeps", max_sweeps)

    from . import _active_kernel  # numba: imported (and compiled) on first use

    with torch.no_grad():
        G = (W.T @ W).contiguous()  # (m, m)
        Q = (y2 @ W).contiguous()  # (N, m): W^T y for every signal
        Z = torch.zeros_like(Q) if z2 is None else z2.detach().clone().contiguous()
    args = (
        G.numpy(),
        G.diagonal().contiguous().numpy(),
        Q.numpy(),
        (y2.detach().double() ** 2).sum(1).numpy(),  # ||y||^2 per signal, for the duality gap
        lam / 2,
        tol,
        max_sweeps,
        _active_kernel.FIRST_SWEEP_BOOST if z2 is None else 1.0,  # a warm start is kept as it is
        Z.numpy(),  # shares memory with Z: solved in place
    )
    N = Q.shape[0]
    threads = min(torch.get_num_threads(), N)
    bounds = [N * i // threads for i in range(threads + 1)]
    with ThreadPoolExecutor(threads) as pool:  # the compiled loop releases the GIL
        sweeps = list(
            pool.map(
                lambda i: _active_kernel.solve_rows(*args, bounds[i], bounds[i + 1]), range(threads)
            )
        )
    stuck = int(sum((s < 0).sum() for s in sweeps))  # negated: out of sweeps
    if stuck:
        warnings.warn(
            f"active_set_cd: {stuck} of {N} signals stopped at max_sweeps={max_sweeps} before "
            f"their duality gap reached tol={tol:g}; raise max_sweeps (nearly dependent active "
            "atoms make coordinate descent slow)",
            RuntimeWarning,
            stacklevel=2,
        )
    return Z[0] if unbatched else Z
