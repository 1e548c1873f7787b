r"""Inference in sparse coding: ISTA and FISTA minimize :math:`\|y - Wz\|^2 + \lambda\|z\|_1` over z.

The constant, once and for all
------------------------------
``lipschitz(W)`` returns :math:`L = \|W\|_2^2`, the largest eigenvalue of :math:`W^\top W`: the
Lipschitz constant of the gradient of :math:`\tfrac12\|y - Wz\|^2` (the lecture's L). Our energy has
no 1/2, so its smooth part has gradient :math:`2W^\top(Wz - y)` with Lipschitz constant 2L, and the
proximal-gradient step of size 1/(2L) reads

.. math:: z \leftarrow \mathrm{shrink}_{\lambda/(2L)}\big(z - \tfrac1L W^\top(Wz - y)\big).

This is the lecture's update with :math:`\lambda/L` replaced by :math:`\lambda/(2L)`: the lecture's
formula is the step for :math:`\tfrac12\|y - Wz\|^2 + \lambda\|z\|_1`, whose minimizer is ours at 2λ.

Written with :math:`W_e = W/L` and :math:`S = I - W^\top W / L`, the same step is
:math:`z \leftarrow \mathrm{shrink}(y W_e + z S)` for row signals — the recurrent form that LISTA
learns. It costs one (N, m) x (m, m) product per iteration, which we use whenever it is cheaper
than the two products of the direct form (m < 2n).
"""

from __future__ import annotations

import torch

from .._checks import as_tensor, nonneg, positive_int
from .energy import check_problem, energy, shrink


def lipschitz(W: torch.Tensor, tol: float = 1e-6, max_iter: int = 1000) -> float:
    r"""Largest eigenvalue of :math:`W^\top W` (= :math:`\|W\|_2^2`), by power iteration.

    This is the Lipschitz constant of the gradient of :math:`\tfrac12\|y - Wz\|^2`; see the module
    docstring for how the solvers use it. The iteration runs on the smaller of the two Gram
    matrices (m x m or n x n), starts from a fixed vector (deterministic), and stops when the
    Rayleigh quotient changes by less than ``tol`` (relative).

    Parameters
    ----------
    W : Tensor of shape (n, m)
    tol : float, relative tolerance on the eigenvalue estimate.
    max_iter : int, maximum number of power iterations.

    Returns
    -------
    float
    """
    W = as_tensor("W", W, ndims=(2,), shape_doc="(n, m)")
    max_iter = positive_int("max_iter", max_iter)
    n, m = W.shape
    G = W.T @ W if m <= n else W @ W.T  # (k, k), k = min(n, m)
    k = G.shape[0]
    gen = torch.Generator().manual_seed(0)
    v = torch.randn(k, generator=gen, dtype=torch.float64).to(G)  # fixed start: deterministic
    v = v / v.norm()
    est = 0.0
    for i in range(max_iter):
        Gv = G @ v
        new = float(v @ Gv)  # Rayleigh quotient, increases towards lambda_max
        norm = Gv.norm()
        if norm == 0:
            return 0.0
        v = Gv / norm
        if i > 0 and abs(new - est) <= tol * abs(new):
            est = new
            break
        est = new
    # The last normalized iterate gives a slightly better (still lower) estimate.
    return max(est, float(v @ (G @ v)))


def _proximal_gradient(y, W, lam, n_iter, tol, z0, history, L, momentum, restart):
    y2, W, z2, unbatched = check_problem(y, W, z0, z_name="z0")
    lam = nonneg("lam", lam)
    n_iter = positive_int("n_iter", n_iter)
    if tol is not None:
        tol = nonneg("tol", tol)
    L = lipschitz(W) if L is None else nonneg("L", L)
    if L == 0:
        raise ValueError("W is all zeros: the problem has no curvature (L = 0)")
    N, n = y2.shape
    m = W.shape[1]
    thr = lam / (2 * L)  # prox step 1/(2L) on lam*||z||_1 (see module docstring)

    if m < 2 * n:
        # Recurrent ("Gram") form: v = y W/L + z (I - W^T W/L)  -- one (N,m)x(m,m) product.
        S = torch.eye(m, dtype=W.dtype, device=W.device) - (W.T @ W) / L  # (m, m)
        b = (y2 @ W) / L  # (N, m)

        def gradient_step(x):
            return torch.addmm(b, x, S)

    else:
        W_over_L = W / L  # (n, m)

        def gradient_step(x):
            return x - (x @ W.T - y2) @ W_over_L

    z = y2.new_zeros(N, m) if z2 is None else z2.clone()
    x = z  # extrapolated point (FISTA's y_k)
    t = y2.new_ones(N, 1)
    energies = [energy(y2, W, z, lam)] if history else None
    for _ in range(n_iter):
        z_new = shrink(gradient_step(x), thr)  # (N, m)
        if momentum:
            if restart:
                # Adaptive restart (O'Donoghue & Candes 2015, gradient scheme): where the step
                # x -> z_new points against the last move, momentum is hurting; reset it.
                bad = ((x - z_new) * (z_new - z)).sum(1, keepdim=True) > 0  # (N, 1)
                t = torch.where(bad, torch.ones_like(t), t)
            t_new = (1 + torch.sqrt(1 + 4 * t * t)) / 2
            x = z_new + ((t - 1) / t_new) * (z_new - z)
            t = t_new
        else:
            x = z_new
        if tol is not None:
            change = (z_new - z).norm(dim=1) / z_new.norm(dim=1).clamp_min(1e-30)
            z = z_new
            if history:
                energies.append(energy(y2, W, z, lam))
            if float(change.max()) <= tol:
                break
        else:
            z = z_new
            if history:
                energies.append(energy(y2, W, z, lam))
    out = z[0] if unbatched else z
    if history:
        hist = torch.stack(energies)  # (T+1, N)
        return out, (hist[:, 0] if unbatched else hist)
    return out


def ista(
    y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    n_iter: int = 100,
    tol: float | None = None,
    z0: torch.Tensor | None = None,
    history: bool = False,
    L: float | None = None,
):
    r"""ISTA: minimize :math:`E(z, y) = \|y - Wz\|^2 + \lambda\|z\|_1` over z by proximal gradient.

    Each iteration is :math:`z \leftarrow \mathrm{shrink}_{\lambda/(2L)}(z - \tfrac1L W^\top(Wz - y))`
    with :math:`L = \|W\|_2^2` (see the module docstring for the factor 2). The energy decreases
    monotonically and its gap to the minimum falls as O(1/k).

    Parameters
    ----------
    y : Tensor of shape (N, n) or (n,)
        Signals, one per row.
    W : Tensor of shape (n, m)
        Dictionary, one atom per column (same device and dtype as ``y``).
    lam : float >= 0
    n_iter : int
        Maximum number of iterations.
    tol : float, optional
        Stop early once every signal's relative change of z falls below ``tol``.
    z0 : Tensor of shape (N, m) or (m,), optional
        Warm start (default: zeros).
    history : bool
        Also return the energy of every iterate.
    L : float, optional
        A precomputed ``lipschitz(W)``.

    Returns
    -------
    z : Tensor of shape (N, m) or (m,)
    energies : Tensor of shape (T + 1, N) or (T + 1,), only with ``history=True``
        Energy of z(0), ..., z(T).

    References
    ----------
    Daubechies, Defrise & De Mol (2004); the book's chapter "ISTA and FISTA".
    """
    return _proximal_gradient(y, W, lam, n_iter, tol, z0, history, L, momentum=False, restart=False)


def fista(
    y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    n_iter: int = 100,
    tol: float | None = None,
    z0: torch.Tensor | None = None,
    history: bool = False,
    L: float | None = None,
    restart: bool = True,
):
    r"""FISTA: minimize :math:`E(z, y) = \|y - Wz\|^2 + \lambda\|z\|_1` over z, ISTA plus momentum.

    The ISTA step is taken at an extrapolated point
    :math:`x_k = z_k + \frac{t_{k-1} - 1}{t_k}(z_k - z_{k-1})`,
    :math:`t_k = (1 + \sqrt{1 + 4t_{k-1}^2})/2`, which improves the rate to O(1/k²).
    With ``restart=True`` (default) the momentum of a signal is reset whenever it points uphill
    (adaptive restart), which restores linear convergence near a sparse solution; ``restart=False``
    is Beck & Teboulle's original scheme.

    Parameters and returns are those of :func:`ista`, plus

    restart : bool
        Adaptive (gradient-scheme) restart of the momentum, per signal.

    References
    ----------
    Beck & Teboulle (2009), "A fast iterative shrinkage-thresholding algorithm";
    O'Donoghue & Candès (2015), "Adaptive restart for accelerated gradient schemes";
    the book's chapter "ISTA and FISTA".
    """
    return _proximal_gradient(
        y, W, lam, n_iter, tol, z0, history, L, momentum=True, restart=restart
    )
