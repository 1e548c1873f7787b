r"""Inference in sparse coding: ISTA and FISTA minimize :math:`\|y - Wz\|^2 + \lambda\|z\|_1` over z.

The constant, once and for all
------------------------------
``lipschitz(W)`` (:mod:`latentebm.sparse.energy`) returns :math:`L = \|W\|_2^2`, the largest
eigenvalue of :math:`W^\top W`: the Lipschitz constant of the gradient of
:math:`\tfrac12\|y - Wz\|^2` (the lecture's L). Our energy has no 1/2, so its smooth part has
gradient :math:`2W^\top(Wz - y)` with Lipschitz constant 2L, and the proximal-gradient step of size
1/(2L) reads

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

import torch
import torch.nn.functional as F

from .._checks import all_finite, nonneg, positive, positive_int
from .._linalg import top_eigenvalue
from .energy import (
    check_problem,
    diverged,
    energy_unchecked,
    lipschitz_text,
    max_threshold,
    problem_scales,
    warn_if_energy_rose,
)


@torch.no_grad()  # an argmin: the codes are not differentiated through the iterations
def _solve(y, W, lam, n_iter, tol, z0, history, L, check_every, name, momentum, restart):
    """The public face of :func:`ista` and :func:`fista`: validate once, run
    :func:`solve_unchecked`, refuse a diverged result, warn about a step beyond the limit."""
    y2, W, z2, unbatched = check_problem(y, W, z0, z_name="z0", scale="any")
    lam = nonneg("lam", lam)
    n_iter = positive_int("n_iter", n_iter)
    check_every = positive_int("check_every", check_every)
    if tol is not None:
        tol = nonneg("tol", tol)
    L_user = None if L is None else positive("L", L)
    z, energies = solve_unchecked(
        y2, W, lam, n_iter, tol, z2, history, L_user, momentum, restart, check_every
    )
    if not all_finite(z):
        raise diverged(name, f"within {n_iter} iterations", L_user, W)
    if L_user is not None:  # a step beyond the stability limit can grow without overflowing
        z_start = y2.new_zeros(z.shape) if z2 is None else z2
        e0 = energies[0] if history else energy_unchecked(y2, W, z_start, lam)
        e1 = energies[-1] if history else energy_unchecked(y2, W, z, lam)
        true_L = lambda: lipschitz_text(W)  # noqa: E731
        warn_if_energy_rose(name, e0, e1, L_user, true_L, stacklevel=4)  # the caller of ista
    out = z[0] if unbatched else z
    if history:
        return out, (energies[:, 0] if unbatched else energies)
    return out


def solve_unchecked(
    y2, W, lam, n_iter, tol=None, z2=None, history=False, L=None, momentum=True, restart=True,
    check_every=10,
):  # fmt: skip
    """ISTA or FISTA on a checked problem (y2 (N, n), W (n, m), z2 (N, m) or None), for the
    library's loops: an extreme problem is rescaled exactly (see :mod:`latentebm.sparse.energy`)
    and solved by :func:`_proximal_gradient`. Returns the codes (N, m), possibly non-finite, and
    with ``history`` their energies (T+1, N)."""
    sy, sW = problem_scales(y2, W)  # powers of two (1.0: unchanged), see latentebm.sparse.energy
    scaled = (sy, sW) != (1.0, 1.0)
    if scaled:
        y2, W, lam = y2 / sy, W / sW, lam / (sy * sW)
        z2 = None if z2 is None else z2 * (sW / sy)
    L = None if L is None else L / sW**2
    z, energies = _proximal_gradient(
        y2, W, lam, n_iter, tol, z2, history, L, momentum, restart, check_every
    )
    if scaled:
        z = z * (sy / sW)
        energies = None if energies is None else energies * sy**2
    return z, energies


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
        L = top_eigenvalue(small, 1e-6, 1000, "auto")
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
    *,
    tol: float | None = None,
    z0: torch.Tensor | None = None,
    history: bool = False,
    L: float | None = None,
    check_every: int = 10,
):
    r"""ISTA: minimize :math:`E(z, y) = \|y - Wz\|^2 + \lambda\|z\|_1` over z (``tol``: relative change of z).

    Proximal gradient descent: each iteration is :math:`z \leftarrow \mathrm{shrink}_{\lambda/(2L)}(z - \tfrac1L W^\top(Wz - y))`
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
    *,
    tol: float | None = None,
    z0: torch.Tensor | None = None,
    history: bool = False,
    L: float | None = None,
    restart: bool = True,
    check_every: int = 10,
):
    r"""FISTA: minimize :math:`E(z, y) = \|y - Wz\|^2 + \lambda\|z\|_1` over z (``tol``: relative change of z).

    ISTA plus momentum: the ISTA step is taken at an extrapolated point
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
