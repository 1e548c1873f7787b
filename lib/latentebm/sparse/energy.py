r"""The sparse-coding energy, its curvature :math:`L = \|W\|_2^2` and its proximal operator (shrinkage).

Also what every sparse solver shares: the one validation of a problem (``check_problem``), the
exact rescaling of extreme inputs, and the reports of a run that diverged.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import torch

from .._checks import as_tensor, choice, nonneg, positive_int, same_device_dtype
from .._linalg import METHODS, top_eigenvalue

# Scale. The Lasso is homogeneous: with y = s_y y', W = s_W W' and lam' = lam / (s_y s_W), the
# minimizer is z = (s_y / s_W) z'. The solvers that rescale (``problem_scales``) bring the largest
# entries of y and W into [2^-E, 2^E] by powers of two, which is exact in floating point, so that
# W^T W, ||y||^2 and the squared steps neither overflow nor underflow; inputs already in that range
# are left untouched (bitwise the same results). Beyond [2^-LIMIT, 2^LIMIT], a solver that does not
# rescale refuses the problem (``check_problem``'s default) instead of returning zeros or NaN.
_SAFE_EXP = {torch.float32: 16, torch.float64: 128}
_LIMIT_EXP = {torch.float32: 50, torch.float64: 498}
_MAX_SHIFT = {torch.float32: 120, torch.float64: 1000}  # 2^shift stays representable


def _max_abs(y2: torch.Tensor, W: torch.Tensor) -> tuple[float, float]:
    """Largest |entry| of y2 and of W (two read-backs: cheaper than stacking them on a CPU)."""
    return float(y2.detach().abs().amax()), float(W.detach().abs().amax())


def pow2_scale(a: float, dtype: torch.dtype) -> float:
    """1.0 if ``a`` (a largest |entry|) is 0 or in the safe range of ``dtype``, else the power of
    two at or below it (by which dividing is exact)."""
    e, cap = _SAFE_EXP[dtype], _MAX_SHIFT[dtype]
    if a == 0 or 2.0**-e <= a <= 2.0**e:
        return 1.0
    return 2.0 ** min(max(math.floor(math.log2(a)), -cap), cap)


def problem_scales(y2: torch.Tensor, W: torch.Tensor) -> tuple[float, float]:
    """Powers of two ``(s_y, s_W)`` that bring max|y| and max|W| into the safe range (1.0 if there)."""
    ay, aw = _max_abs(y2, W)
    return pow2_scale(ay, W.dtype), pow2_scale(aw, W.dtype)


def check_scale(y2: torch.Tensor, W: torch.Tensor) -> None:
    """Refuse a y or W so large (or a W so small) that W^T W or ||y||^2 over/underflows its dtype."""
    e = _LIMIT_EXP[W.dtype]
    ay, aw = _max_abs(y2, W)
    hint = "; rescale it (or use fista, ista, adaptive_fista or block_cd, which rescale exactly)"
    if aw > 2.0**e or 0 < aw < 2.0**-e:
        raise ValueError(
            f"W's largest entry is {aw:.3g}, outside [2^-{e}, 2^{e}]: W^T W would "
            f"{'overflow' if aw > 1 else 'underflow'} {W.dtype}{hint}"
        )
    if ay > 2.0**e:
        raise ValueError(
            f"y's largest entry is {ay:.3g}, above 2^{e}: ||y||^2 would overflow {W.dtype}{hint}"
        )


def check_problem(y, W, z=None, *, z_name="z", scale="refuse"):
    """Validate a sparse-coding problem; return ``(y2, W, z2, unbatched)`` with y2 (N, n), z2 (N, m).

    ``scale="refuse"`` (default) also refuses entries of y and W at which W^T W or ||y||^2 would
    over- or underflow (:func:`check_scale`); ``scale="any"`` is for callers that rescale (see
    :func:`problem_scales`) or never form W^T W.
    """
    W = as_tensor("W", W, ndims=(2,), shape_doc="(n, m): one atom per column")
    n, m = W.shape
    y = as_tensor("y", y, ndims=(1, 2), shape_doc=f"(N, {n}) or ({n},)")
    same_device_dtype("W", W, y=y)
    unbatched = y.ndim == 1
    y2 = y.unsqueeze(0) if unbatched else y  # (N, n)
    if y2.shape[1] != n:
        raise ValueError(
            f"y must have shape (N, {n}) to match W of shape ({n}, {m}), got {tuple(y.shape)}"
        )
    z2 = None
    if z is not None:
        doc = f"({m},)" if unbatched else f"({y2.shape[0]}, {m})"
        z = as_tensor(z_name, z, ndims=(1,) if unbatched else (2,), shape_doc=doc)
        same_device_dtype("W", W, **{z_name: z})
        z2 = z.unsqueeze(0) if unbatched else z  # (N, m)
        if z2.shape != (y2.shape[0], m):
            raise ValueError(f"{z_name} must have shape {doc}, got {tuple(z.shape)}")
    if scale == "refuse":
        check_scale(y2, W)
    return y2, W, z2, unbatched


def energy(y: torch.Tensor, W: torch.Tensor, z: torch.Tensor, lam: float) -> torch.Tensor:
    r"""Sparse-coding energy :math:`E(z, y) = \|y - W z\|_2^2 + \lambda \|z\|_1`, one value per signal.

    The squared norm carries no factor 1/2: this is the lecture's energy as written.

    Parameters
    ----------
    y : Tensor of shape (N, n) or (n,)
        Signals, one per row.
    W : Tensor of shape (n, m)
        Dictionary, one atom per column.
    z : Tensor of shape (N, m) or (m,)
        Codes.
    lam : float >= 0
        Weight of the L1 regulariser.

    Returns
    -------
    Tensor of shape (N,) (or a 0-d tensor for a single signal).
    """
    y2, W, z2, unbatched = check_problem(y, W, z, scale="any")
    e = energy_unchecked(y2, W, z2, nonneg("lam", lam))  # (N,)
    return e[0] if unbatched else e


def energy_unchecked(
    y2: torch.Tensor, W: torch.Tensor, z2: torch.Tensor, lam: float
) -> torch.Tensor:
    """:func:`energy` of a batch, for the solvers' loops: no validation, y2 (N, n), z2 (N, m) -> (N,)."""
    residual = y2 - z2 @ W.T  # (N, n)
    return residual.pow(2).sum(1) + lam * z2.abs().sum(1)


def lipschitz(
    W: torch.Tensor, *, tol: float = 1e-6, max_iter: int = 1000, method: str = "auto"
) -> float:
    r"""Largest eigenvalue of :math:`W^\top W` (= :math:`\|W\|_2^2`): the solvers' curvature L.

    This is the Lipschitz constant of the gradient of :math:`\tfrac12\|y - Wz\|^2` (the lecture's
    L); our energy has no 1/2, so the solvers step by :math:`1/(2L)` (see
    :mod:`latentebm.sparse.solvers`). Both methods work on the smaller of the two Gram matrices
    (m x m or n x n) and are deterministic.

    Parameters
    ----------
    W : Tensor of shape (n, m)
    tol : float
        Relative tolerance of the power iteration: it stops when the Rayleigh quotient changes by
        less than ``tol`` (it approaches the eigenvalue from below).
    max_iter : int
        Maximum number of power iterations.
    method : {"auto", "eigh", "power"}
        ``"eigh"``: exact symmetric eigensolver (``torch.linalg.eigvalsh``), accurate to rounding;
        ``"power"``: power iteration from a fixed start vector; ``"auto"`` (default): ``"eigh"``
        when the Gram matrix is at most 512 x 512 and ``tol < 1e-4`` (where it is the cheaper of
        the two), else ``"power"``.

    Returns
    -------
    float
    """
    W = as_tensor("W", W, ndims=(2,), shape_doc="(n, m)")
    tol, max_iter = nonneg("tol", tol), positive_int("max_iter", max_iter)
    method = choice("method", method, METHODS)
    return lipschitz_unchecked(W, tol, max_iter, method)


def lipschitz_unchecked(
    W: torch.Tensor, tol: float = 1e-6, max_iter: int = 1000, method: str = "auto"
) -> float:
    """:func:`lipschitz` of a checked W (n, m)."""
    n, m = W.shape
    # An extreme W is rescaled by a power of two (exact): its Gram matrix would over/underflow.
    s = pow2_scale(float(W.detach().abs().amax()), W.dtype)
    Ws = W / s if s != 1.0 else W
    L = top_eigenvalue(Ws.T @ Ws if m <= n else Ws @ Ws.T, tol, max_iter, method)
    try:
        out = L * s * s
    except OverflowError:
        out = math.inf
    if math.isinf(out):
        raise ValueError(
            f"W is too large: ||W||_2^2 = {L:.6g} * 2^{2 * math.log2(s):.0f} overflows"
        )
    return out


def max_threshold(x: torch.Tensor, threshold: float) -> float:
    """A shrinkage threshold clamped to the dtype's largest value (the same result: shrinking any
    representable number by it gives 0), so that a huge ``lam`` is not refused by ``softshrink``."""
    return min(threshold, torch.finfo(x.dtype).max)


def warn_if_energy_rose(
    solver: str, e0, e1, L_user: float, true_L: Callable[[], str], stacklevel: int
) -> None:
    """Warn (naming ``L``) when a run with a user's ``L`` ended above the energy it started from:
    with a step within the stability limit neither ISTA nor FISTA does. ``true_L()`` says what
    ``L`` should be (computed only for the warning)."""
    if bool((e1 > e0 * (1 + 1e-9) + 1e-300).any()):
        warnings.warn(
            f"{solver}: the energy rose from {float(e0.max()):.4g} to {float(e1.max()):.4g} (the "
            f"worst signal): L={L_user:.6g} is too small ({true_L()}), the steps diverge and "
            "the codes are far from optimal; leave L=None",
            RuntimeWarning,
            stacklevel=stacklevel + 1,
        )


def lipschitz_text(W: torch.Tensor) -> str:
    try:
        return f"lipschitz(W) = {lipschitz_unchecked(W):.6g}"
    except ValueError:
        return "lipschitz(W) overflows"


def diverged(solver: str, what: str, L_user: float | None, W: torch.Tensor) -> ValueError:
    """The error of a solver whose iterates became NaN or infinite (``what``: after how many steps)."""
    if L_user is not None:
        return ValueError(
            f"{solver} diverged (non-finite codes {what}): L={L_user:.6g} is too small for W "
            f"({lipschitz_text(W)}); pass L=lipschitz(W) or leave L=None"
        )
    return ValueError(
        f"{solver} diverged (non-finite codes {what}): y, W or lam overflow {W.dtype}; "
        "rescale them or use float64"
    )


def shrink(x: torch.Tensor, threshold) -> torch.Tensor:
    r"""Soft thresholding :math:`\mathrm{sign}(x)\max(|x| - \theta, 0)`, elementwise.

    It is the proximal operator of :math:`\theta\|\cdot\|_1`:
    ``shrink(v, t) = argmin_z 1/2 ||z - v||^2 + t ||z||_1``.

    ``threshold`` is a non-negative scalar, or a tensor that broadcasts against the
    *last* dimension of ``x`` (one threshold per code component, as LISTA learns).
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if isinstance(threshold, torch.Tensor) and threshold.numel() > 1:
        if x.ndim == 0 or threshold.ndim != 1 or threshold.shape[0] != x.shape[-1]:
            raise ValueError(
                f"threshold must be a scalar or have shape (m,) to match x's last dimension m "
                f"(x has shape {tuple(x.shape)}), got {tuple(threshold.shape)}"
            )
        if not bool((threshold >= 0).all()):  # NaN fails this test too
            raise ValueError("threshold must be >= 0 (and not NaN)")
        return shrink_unchecked(x, threshold)
    if isinstance(threshold, torch.Tensor):
        # A 0-d / 1-element tensor threshold keeps autograd (LISTA learns it).
        if not bool((threshold >= 0).all()):
            raise ValueError("threshold must be >= 0 (and not NaN)")
        return shrink_unchecked(x, threshold.reshape(()))
    threshold = nonneg("threshold", threshold)
    # x - clamp(x, -t, t) is soft thresholding with one fused pass and no sign().
    return x - torch.clamp(x, -threshold, threshold)


def shrink_unchecked(x: torch.Tensor, threshold: torch.Tensor) -> torch.Tensor:
    """:func:`shrink` by a checked tensor threshold (>= 0, broadcasting against x), differentiable
    in both: what LISTA's iterations run."""
    return torch.sign(x) * torch.clamp(x.abs() - threshold, min=0)
