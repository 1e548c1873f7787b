r"""Regularizers R(z) of the latent variable, and the proximal step that minimizes with them.

Every model of an ensemble carries four numbers: the weight ``lam`` and the mixture
:math:`R(z) = a\|z\|_1 + b\|z\|_2^2 + c(\|z\|_2 - 1)^2` it uses, set by its *kind*:

========  ===  ===  ===  ==========================================================
kind      a    b    c    meaning
========  ===  ===  ===  ==========================================================
"none"    0    0    0    no regularizer: z is free (the collapse)
"l1"      1    0    0    :math:`\|z\|_1`, a differentiable-almost-everywhere proxy of the
                         number of active components (sparse codes)
"l2"      0    1    0    :math:`\|z\|_2^2`, a Gaussian-like prior on z
"noisy"   0    1    0    :math:`\|z\|_2^2` *and* Gaussian noise added to z before decoding
                         (the VAE's way of limiting the information z carries)
"ring"    0    0    1    :math:`(\|z\|_2 - 1)^2`: the cheap codes form the unit sphere (a
                         loop for a 2-D latent) instead of a ball around 0; not convex
========  ===  ===  ===  ==========================================================
"""

from __future__ import annotations

import torch

from .._checks import as_tensor, nonneg

#: kind -> (a, b, c), the weights of ||z||_1, ||z||_2^2 and (||z||_2 - 1)^2 in R(z)
KINDS = {
    "none": (0.0, 0.0, 0.0),
    "l1": (1.0, 0.0, 0.0),
    "l2": (0.0, 1.0, 0.0),
    "noisy": (0.0, 1.0, 0.0),
    "ring": (0.0, 0.0, 1.0),
}


def check_kind(kind) -> str:
    """Return ``kind`` if it names a regularizer, else raise a ValueError listing the choices."""
    if kind not in KINDS:
        raise ValueError(f"regularizer must be one of {sorted(KINDS)}, got {kind!r}")
    return kind


def _codes(z) -> torch.Tensor:
    if not isinstance(z, torch.Tensor):
        raise TypeError(f"z must be a torch.Tensor of shape (..., d), got {type(z).__name__}")
    if z.ndim == 0:
        raise ValueError("z must have shape (..., d), got a 0-d tensor")
    return z


def l1(z: torch.Tensor) -> torch.Tensor:
    r""":math:`\|z\|_1` over the last dimension: (..., d) -> (...)."""
    return _codes(z).abs().sum(-1)


def l2sq(z: torch.Tensor) -> torch.Tensor:
    r""":math:`\|z\|_2^2` over the last dimension: (..., d) -> (...)."""
    return _codes(z).pow(2).sum(-1)


def ring(z: torch.Tensor) -> torch.Tensor:
    r""":math:`(\|z\|_2 - 1)^2` over the last dimension: (..., d) -> (...); zero on the unit sphere."""
    return (_codes(z).pow(2).sum(-1).sqrt() - 1.0).pow(2)


def penalty(z: torch.Tensor, lam: torch.Tensor, a: torch.Tensor, b: torch.Tensor,
            c: torch.Tensor | None = None) -> torch.Tensor:  # fmt: skip
    r""":math:`\lambda_k (a_k\|z\|_1 + b_k\|z\|_2^2 + c_k(\|z\|_2 - 1)^2)`: z (K, M, d) -> (K, M).

    ``lam``, ``a``, ``b``, ``c`` have shape (K,): one value per model of the ensemble (``c``
    None: no ring term).
    """
    w1, w2 = (lam * a)[:, None], (lam * b)[:, None]  # (K, 1)
    out = w1 * z.abs().sum(-1) + w2 * z.pow(2).sum(-1)
    if c is not None and bool((c > 0).any()):
        out = out + (lam * c)[:, None] * (z.pow(2).sum(-1).sqrt() - 1.0).pow(2)
    return out


def prox(v: torch.Tensor, t: torch.Tensor, lam, a, b, c=None) -> torch.Tensor:
    r"""Proximal step :math:`\arg\min_z \tfrac1{2t}\|z - v\|^2 + \lambda R(z)`, for
    :math:`R(z) = a\|z\|_1 + b\|z\|_2^2` or :math:`R(z) = b\|z\|_2^2 + c(\|z\|_2 - 1)^2`.

    Without the ring term the problem separates over components; setting the subgradient to zero
    gives :math:`z = \mathrm{shrink}_{t\lambda a}(v) / (1 + 2t\lambda b)`: soft thresholding for
    the L1 part, then a shrinking factor for the squared L2 part. With it (``c > 0``, and then
    ``a = 0``) the minimizer keeps the direction of v and its norm is
    :math:`s = (\|v\| + 2t\lambda c) / (1 + 2t\lambda (b + c))`: v is pulled towards the unit
    sphere (at v = 0 every direction is optimal; the first axis is taken).

    Parameters
    ----------
    v : Tensor of shape (K, M, d), the point after a gradient step
    t : Tensor of shape (K, M), one step size per code
    lam, a, b : Tensors of shape (K,)
    c : Tensor of shape (K,), optional, the weight of the ring term (None: 0)

    Returns
    -------
    Tensor of shape (K, M, d)
    """
    v = as_tensor("v", v, ndims=(3,), shape_doc="(K, M, d)")
    K, M, _ = v.shape
    t = as_tensor("t", t, ndims=(2,), shape_doc=f"({K}, {M})")
    if tuple(t.shape) != (K, M) or not bool((t > 0).all()):
        raise ValueError(f"t must have shape ({K}, {M}) and positive entries, got {tuple(t.shape)}")
    params = []
    named = (("lam", lam), ("a", a), ("b", b)) + ((("c", c),) if c is not None else ())
    for name, p in named:
        p = as_tensor(name, p, ndims=(1,), shape_doc=f"({K},)")
        if p.shape[0] != K or not bool((p >= 0).all()):
            raise ValueError(
                f"{name} must have shape ({K},) and entries >= 0, got {tuple(p.shape)}"
            )
        params.append(p)
    if c is not None and bool(((params[1] > 0) & (params[3] > 0)).any()):
        raise ValueError("a and c must not both be > 0 for one model (no closed-form prox)")
    return _prox(v, t, *params)


def _prox(v: torch.Tensor, t: torch.Tensor, lam, a, b, c=None) -> torch.Tensor:
    """:func:`prox` without the checks, for the inference loop."""
    thr = (t * (lam * a)[:, None])[..., None]  # (K, M, 1)
    scale = 1.0 + 2.0 * (t * (lam * b)[:, None])[..., None]  # (K, M, 1)
    # soft thresholding with one threshold per code (latentebm.sparse.shrink takes one per component)
    z = torch.sign(v) * torch.clamp(v.abs() - thr, min=0) / scale
    if c is None or not bool((c > 0).any()):
        return z
    tc = 2.0 * (t * (lam * c)[:, None])[..., None]  # (K, M, 1)
    r = v.pow(2).sum(-1, keepdim=True).sqrt()  # (K, M, 1)
    s = (r + tc) / (scale + tc)  # the optimal norm
    e1 = torch.zeros_like(v)
    e1[..., 0] = 1.0
    u = torch.where(r > 0, v / r.clamp_min(torch.finfo(v.dtype).tiny), e1)  # the direction
    return torch.where((c > 0)[:, None, None], s * u, z)


def n_active(z: torch.Tensor, tol: float = 1e-6) -> torch.Tensor:
    """Number of components with :math:`|z_i| > tol`: (..., d) -> (...) integer tensor."""
    return (_codes(z).abs() > nonneg("tol", tol)).sum(-1)
