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

Speed (see ``benchmarks/README.md``): an iteration is one fused ``addmm`` (two in the direct form)
plus a few elementwise passes (``softshrink``, the momentum ``addcmul``, the restart test), so it
runs close to the speed of the bare matrix product; the set-up reuses the Gram matrix for the
Lipschitz constant; the stopping test reads a number back only every ``check_every`` iterations.
Float32 iterates reach float64-quality energies (relative gap ~1e-12 in the benchmark problems).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .._checks import all_finite, as_tensor, nonneg, positive, positive_int
from .energy import (
    check_problem,
    diverged,
    energy_unchecked,
    lipschitz_text,
    max_threshold,
    pow2_scale,
    problem_scales,
    warn_if_energy_rose,
)

# Up to this size an exact symmetric eigensolver beats the power iteration (measured on a 2-core
# CPU: 1.7 ms for a 256 x 256 Gram matrix against ~5 ms of power iteration to 1e-6).
_EIGH_MAX = 512
_METHODS = ("auto", "eigh", "power")


def lipschitz(
    W: torch.Tensor, tol: float = 1e-6, max_iter: int = 1000, method: str = "auto"
) -> float:
    r"""Largest eigenvalue of :math:`W^\top W` (= :math:`\|W\|_2^2`).

    This is the Lipschitz constant of the gradient of :math:`\tfrac12\|y - Wz\|^2`; see the module
    docstring for how the solvers use it. Both methods work on the smaller of the two Gram
    matrices (m x m or n x n) and are deterministic.

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
    n, m = W.shape
    # An extreme W is rescaled by a power of two (exact): its Gram matrix would over/underflow.
    s = pow2_scale(float(W.detach().abs().amax()), W.dtype)
    Ws = W / s if s != 1.0 else W
    L = _top_eigenvalue(Ws.T @ Ws if m <= n else Ws @ Ws.T, tol, max_iter, method)
    try:
        out = L * s * s
    except OverflowError:
        out = math.inf
    if math.isinf(out):
        raise ValueError(
            f"W is too large: ||W||_2^2 = {L:.6g} * 2^{2 * math.log2(s):.0f} overflows"
        )
    return out


def _top_eigenvalue(G: torch.Tensor, tol: float, max_iter: int, method: str) -> float:
    """Largest eigenvalue of a symmetric positive semi-definite matrix G (k, k)."""
    tol = nonneg("tol", tol)
    max_iter = positive_int("max_iter", max_iter)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    k = G.shape[0]
    if method == "eigh" or (method == "auto" and k <= _EIGH_MAX and tol < 1e-4):
        return max(float(torch.linalg.eigvalsh(G)[-1]), 0.0)
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


@torch.no_grad()  # an argmin: the codes are not differentiated through the iterations
def _solve(y, W, lam, n_iter, tol, z0, history, L, check_every, name, momentum, restart):
    """The public face of :func:`ista` and :func:`fista`: validate once, rescale an extreme problem
    exactly, run :func:`_proximal_gradient`, refuse a diverged result, undo the rescaling."""
    y2, W, z2, unbatched = check_problem(y, W, z0, z_name="z0", scale="any")
    lam = nonneg("lam", lam)
    n_iter = positive_int("n_iter", n_iter)
    check_every = positive_int("check_every", check_every)
    if tol is not None:
        tol = nonneg("tol", tol)
    L_user = None if L is None else positive("L", L)
    W_user = W
    sy, sW = problem_scales(y2, W)  # powers of two (1.0: unchanged), see latentebm.sparse.energy
    scaled = (sy, sW) != (1.0, 1.0)
    if scaled:
        y2, W, lam = y2 / sy, W / sW, lam / (sy * sW)
        z2 = None if z2 is None else z2 * (sW / sy)
    L = None if L_user is None else L_user / sW**2
    z, energies = _proximal_gradient(
        y2, W, lam, n_iter, tol, z2, history, L, momentum, restart, check_every
    )
    if not all_finite(z):
        raise diverged(name, f"within {n_iter} iterations", L_user, W_user)
    if L_user is not None:  # a step beyond the stability limit can grow without overflowing
        z_start = y2.new_zeros(z.shape) if z2 is None else z2
        e0 = energies[0] if history else energy_unchecked(y2, W, z_start, lam)
        e1 = energies[-1] if history else energy_unchecked(y2, W, z, lam)
        true_L = lambda: lipschitz_text(W_user)  # noqa: E731
        warn_if_energy_rose(name, e0, e1, L_user, true_L, stacklevel=4)  # the caller of ista
    if scaled:
        z = z * (sy / sW)
    out = z[0] if unbatched else z
    if history:
        hist = energies * sy**2 if scaled else energies  # (T+1, N)
        return out, (hist[:, 0] if unbatched else hist)
    return out


def _proximal_gradient(y2, W, lam, n_iter, tol, z, history, L, momentum, restart, check_every):
    """ISTA (``momentum=False``) or FISTA on a checked problem: y2 (N, n), W (n, m), z (N, m) or
    None (zeros). Returns the codes (N, m) and, with ``history``, their energies (T+1, N)."""
    N, n = y2.shape
    m = W.shape[1]
    gram_form = m < 2 * n  # one (N,m)x(m,m) product is cheaper than (N,m)x(m,n) + (N,n)x(n,m)
    G = W.T @ W if gram_form else None  # (m, m)
    if L is None:
        # The Gram matrix the iteration needs anyway, when it is the smaller one.
        small = G if (gram_form and m <= n) else (W.T @ W if m <= n else W @ W.T)
        L = _top_eigenvalue(small, 1e-6, 1000, "auto")
    if L == 0:
        raise ValueError("W is all zeros: the problem has no curvature (L = 0)")
    thr = max_threshold(W, lam / (2 * L))  # prox step 1/(2L) on lam*||z||_1 (module docstring)

    if gram_form:
        # Recurrent ("Gram") form: v = y W/L + x (I - W^T W/L)  -- one fused (N,m)x(m,m) addmm.
        S = G.mul_(-1 / L)
        S.diagonal().add_(1)  # (m, m)
        b = y2 @ (W / L)  # (N, m)

        def gradient_step(x):
            return torch.addmm(b, x, S)

    else:
        W_over_L = W / L  # (n, m)
        Wt = W.T

        def gradient_step(x):  # x - (x W^T - y) W / L, two fused addmm
            return torch.addmm(x, torch.addmm(y2, x, Wt, beta=-1), W_over_L, alpha=-1)

    z = y2.new_zeros(N, m) if z is None else z.clone()
    x = z  # extrapolated point (FISTA's y_k)
    t = y2.new_ones(N, 1)
    energies = [energy_unchecked(y2, W, z, lam)] if history else None
    for k in range(n_iter):
        z_new = F.softshrink(gradient_step(x), thr)  # (N, m)
        check = tol is not None and ((k + 1) % check_every == 0 or k + 1 == n_iter)
        if momentum:
            d = z_new - z  # (N, m)
            if restart:
                # Adaptive restart (O'Donoghue & Candes 2015, gradient scheme): where the step
                # x -> z_new points against the last move, momentum is hurting; reset it.
                bad = torch.linalg.vecdot(x - z_new, d, dim=1).unsqueeze(1) > 0  # (N, 1)
                t = torch.where(bad, 1.0, t)
            t_new = (1 + torch.sqrt(1 + 4 * t * t)) / 2
            x = torch.addcmul(z_new, (t - 1) / t_new, d)  # z_new + (t-1)/t_new (z_new - z)
            t = t_new
        else:
            d = z_new - z if check else None
            x = z_new
        z = z_new
        if history:
            energies.append(energy_unchecked(y2, W, z, lam))
        # The stopping test reads a number back (a device sync on GPUs): every check_every steps.
        # "not above tol" also stops a change that is NaN: diverged, which the caller reports.
        if check and not float((d.norm(dim=1) / z.norm(dim=1).clamp_min(1e-30)).max()) > tol:
            break
    return z, (torch.stack(energies) if history else None)


def ista(
    y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    n_iter: int = 100,
    tol: float | None = None,
    z0: torch.Tensor | None = None,
    history: bool = False,
    L: float | None = None,
    check_every: int = 10,
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
        Stop early once every signal's relative change of z in one iteration,
        :math:`\|z_k - z_{k-1}\| / \|z_k\|`, falls below ``tol``.
    z0 : Tensor of shape (N, m) or (m,), optional
        Warm start (default: zeros).
    history : bool
        Also return the energy of every iterate.
    L : float, optional
        A precomputed ``lipschitz(W)`` (default: computed exactly for up to 512 atoms or
        dimensions, else by power iteration to 1e-6). A smaller ``L`` takes longer steps, which
        diverge beyond the stability limit: codes that overflow to NaN or infinity raise a
        ``ValueError``, an energy that ends above its start a ``RuntimeWarning`` (the codes are
        returned, far from optimal).
    check_every : int
        Test ``tol`` only every ``check_every`` iterations (and at the last one): the test reads a
        number back from the device, which costs a synchronization on a GPU.

    Returns
    -------
    z : Tensor of shape (N, m) or (m,)
        Detached from autograd (an argmin: differentiate the energy at it).
    energies : Tensor of shape (T + 1, N) or (T + 1,), only with ``history=True``
        Energy of z(0), ..., z(T).

    References
    ----------
    Daubechies, Defrise & De Mol (2004); the book's chapter "ISTA and FISTA".
    """
    return _solve(y, W, lam, n_iter, tol, z0, history, L, check_every, "ista", False, False)


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
    check_every: int = 10,
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
    return _solve(y, W, lam, n_iter, tol, z0, history, L, check_every, "fista", True, restart)
