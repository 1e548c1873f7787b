"""The sparse-coding energy and its proximal operator (shrinkage)."""

from __future__ import annotations

import torch

from .._checks import as_tensor, nonneg, same_device_dtype


def check_problem(y, W, z=None, *, z_name="z"):
    """Validate a sparse-coding problem; return ``(y2, W, z2, unbatched)`` with y2 (N, n), z2 (N, m)."""
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
    y2, W, z2, unbatched = check_problem(y, W, z)
    lam = nonneg("lam", lam)
    residual = y2 - z2 @ W.T  # (N, n)
    e = residual.pow(2).sum(1) + lam * z2.abs().sum(1)  # (N,)
    return e[0] if unbatched else e


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
        if threshold.ndim != 1 or threshold.shape[0] != x.shape[-1]:
            raise ValueError(
                f"threshold must be a scalar or have shape ({x.shape[-1]},) to match x's last "
                f"dimension, got {tuple(threshold.shape)}"
            )
        if (threshold < 0).any():
            raise ValueError("threshold must be >= 0")
        return torch.sign(x) * torch.clamp(x.abs() - threshold, min=0)
    if isinstance(threshold, torch.Tensor):
        # A 0-d / 1-element tensor threshold keeps autograd (LISTA learns it).
        if (threshold < 0).any():
            raise ValueError("threshold must be >= 0")
        return torch.sign(x) * torch.clamp(x.abs() - threshold.reshape(()), min=0)
    threshold = nonneg("threshold", threshold)
    # x - clamp(x, -t, t) is soft thresholding with one fused pass and no sign().
    return x - torch.clamp(x, -threshold, threshold)
