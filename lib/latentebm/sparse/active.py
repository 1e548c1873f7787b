r"""Active-set coordinate descent, compiled: minimize :math:`\|y - Wz\|^2 + \lambda\|z\|_1` on the CPU.

Coordinate descent (scikit-learn's Lasso solver; :func:`latentebm.sparse.block_cd` runs it in
blocks) updates one code at a time with the exact one-dimensional minimizer

.. math:: z_j \leftarrow \mathrm{shrink}_{\lambda/2}\big(q_j - (Gz)_j + G_{jj} z_j\big) / G_{jj},
   \qquad q = W^\top y,\ G = W^\top W,

and keeps :math:`H = Gz` up to date with one column of G per changed code. Two things make it
cheap when codes are sparse, as in the book (about 10% non-zeros):

* **Active sets** (the strategy of glmnet, Friedman, Hastie & Tibshirani 2010): after a full sweep
  over all m atoms, sweep only over the k non-zero codes, on a compact copy of
  :math:`G_{AA}` (k x k), until the active problem's own duality gap is a tenth of the whole
  problem's (or at most 64 sweeps, doubled each time a round needs them all); then check every
  atom again with a full sweep, the only place where the active set is corrected. A sweep over
  the active set costs :math:`k^2` instead of :math:`km`.
* **A stricter first sweep.** From z = 0, plain coordinate descent activates about three times as
  many codes as the solution keeps, and each costs a column of G before it is pruned. The first
  sweep (without a warm start) therefore uses twice the threshold and activates only the
  strongest atoms (from z = 0 each of its moves still lowers the true energy); every later
  sweep, and the stopping test, use the true one.
* **A compiled loop per signal** (numba), with no per-signal set-up. scikit-learn's
  ``sparse_encode`` runs the same algorithm's inner loop in Cython but spends about 90 us of Python
  per signal around it, which is most of its time on the book's problems.

Each signal stops when its **duality gap** certifies a relative energy gap of at most ``tol``:
with :math:`r = y - Wz`, the point :math:`\theta = s r`, :math:`s = \min(1, \tfrac{\lambda}{2} /
\|W^\top r\|_\infty)`, is feasible for the dual problem, whose value
:math:`2\theta^\top y - \|\theta\|^2` is below the minimum energy; the gap costs O(m) from
quantities the sweeps keep. (Coordinate descent's classic rule, a small largest change, can stop
far from the minimum when the active atoms are nearly dependent; the gap cannot.) A signal whose
gap cannot reach ``tol`` in floating point stops at a fixed point of the rounding, with a warning.
The iterates do not depend on ``tol`` or ``max_sweeps``, and every sweep lowers the energy: a
smaller ``tol`` or more sweeps stop later on the same path, never at a higher energy. This solver runs on the
CPU only; on a GPU, use :func:`latentebm.sparse.fista`. The signals are split over
``torch.get_num_threads()`` threads (:func:`latentebm.device.set_threads`). Measured speed:
``benchmarks/README.md``.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

from .._checks import nonneg, positive_int
from .energy import check_problem

# The duality gap is computed to about eps |W^T y| / lam relative (_active_kernel._gap): a smaller
# tol cannot be certified, and is raised to this floor with a warning.
_TOL_FLOOR = {dt: 16 * torch.finfo(dt).eps for dt in (torch.float32, torch.float64)}


def active_set_cd(
    y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    *,
    tol: float = 1e-4,
    max_sweeps: int = 1000,
    z0: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Minimize :math:`E(z, y) = \|y - Wz\|^2 + \lambda\|z\|_1` by active-set coordinate descent (``tol``: relative duality gap).

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
        :math:`(E(z) - E^\star) / E(z)`. The gap is computed to about ``eps`` times
        :math:`\|W^\top y\|_\infty / \lambda`: a ``tol`` below ``16 * eps`` (1.9e-6 in float32,
        3.6e-15 in float64) is raised to it with a ``RuntimeWarning``, and a signal whose gap
        stops decreasing above ``tol`` (a fixed point of the rounding: a full sweep moves no code
        by more than its rounding error, or a round lowers neither the gap nor the energy) is
        returned as it is, with a ``RuntimeWarning`` giving its gap. With ``lam = 0`` (least
        squares) there is no such certificate: each signal stops at that fixed point, silently;
        for least squares, ``torch.linalg.lstsq`` is the better tool.
    max_sweeps : int
        Bound on the sweeps (full or active-set) per signal. Signals that reach it before their
        gap reaches ``tol`` are returned as they are, with a ``RuntimeWarning`` giving their
        number and largest gap: they may be far from optimal.
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
    tol = nonneg("tol", tol)
    max_sweeps = positive_int("max_sweeps", max_sweeps)
    floor = _TOL_FLOOR[y2.dtype]
    if tol < floor:
        warnings.warn(
            f"active_set_cd: tol={tol:g} cannot be certified in {str(y2.dtype)[6:]} (the duality "
            f"gap is known only to about 16 eps); using tol={floor:.2g}",
            RuntimeWarning,
            stacklevel=2,
        )
        tol = floor

    from . import _active_kernel as kernel  # numba: imported (and compiled) on first use

    with torch.no_grad():
        G = (W.T @ W).contiguous()  # (m, m)
        Q = (y2 @ W).contiguous()  # (N, m): W^T y for every signal
        Z = torch.zeros_like(Q) if z2 is None else z2.detach().clone().contiguous()
    args = (
        G.numpy(),
        G.diagonal().contiguous().numpy(),
        Q.numpy(),
        _squared_norms(y2),  # ||y||^2 per signal, for the duality gap
        lam / 2,
        tol,
        max_sweeps,
        kernel.FIRST_SWEEP_BOOST if z2 is None else 1.0,  # a warm start is kept as it is
        float(torch.finfo(y2.dtype).eps),
        Z.numpy(),  # shares memory with Z: solved in place
    )
    N = Q.shape[0]
    threads = min(torch.get_num_threads(), N)
    bounds = [N * i // threads for i in range(threads + 1)]
    if threads == 1:
        parts = [kernel.solve_rows(*args, 0, N)]
    else:
        with ThreadPoolExecutor(threads) as pool:  # the compiled loop releases the GIL
            parts = list(
                pool.map(
                    lambda i: kernel.solve_rows(*args, bounds[i], bounds[i + 1]), range(threads)
                )
            )
    status = np.concatenate([p[1] for p in parts])
    gaps = np.concatenate([p[2] for p in parts])
    _warn_uncertified(status, gaps, kernel, lam, tol, max_sweeps, y2.dtype)
    return Z[0] if unbatched else Z


def _squared_norms(y: torch.Tensor) -> np.ndarray:
    """||y_i||^2 for every row, summed in float64 without a float64 copy of y (that copy cost
    7 of the 56 ms of a whole call on 1000 x 784 float32 signals)."""
    Y = y.detach().numpy()
    return np.einsum("ij,ij->i", Y, Y, dtype=np.float64)


def _warn_uncertified(status, gaps, kernel, lam, tol, max_sweeps, dtype) -> None:
    """One RuntimeWarning per way a signal can stop short of its certificate."""
    N = len(status)
    out = status == kernel.OUT_OF_SWEEPS
    if out.any():
        if lam > 0:
            what = (
                f"before their duality gap reached tol={tol:g} (largest relative gap "
                f"{gaps[out].max():.2g}, a bound on (E - E*) / E)"
            )
        else:
            what = (
                "before converging (lam = 0: least squares, for which torch.linalg.lstsq is exact)"
            )
        warnings.warn(
            f"active_set_cd: {int(out.sum())} of {N} signals stopped at max_sweeps={max_sweeps} "
            f"{what}: these codes may be far from optimal. Raise max_sweeps (nearly dependent "
            "active atoms make coordinate descent slow), or use fista",
            RuntimeWarning,
            stacklevel=3,
        )
    fixed = status == kernel.FIXED_POINT
    if fixed.any() and lam > 0:  # lam = 0 has no certificate: a fixed point is its end
        warnings.warn(
            f"active_set_cd: {int(fixed.sum())} of {N} signals reached a fixed point of "
            f"{str(dtype)[6:]} rounding with a relative duality gap up to {gaps[fixed].max():.2g}, "
            f"above tol={tol:g}: tol cannot be certified at this precision on these signals "
            "(their energy no longer decreases); use a larger tol"
            + (", or float64" if dtype == torch.float32 else ""),
            RuntimeWarning,
            stacklevel=3,
        )
