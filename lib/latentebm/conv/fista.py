r"""Convolutional sparse coding by FISTA: minimize :math:`\|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1`.

The algorithm is :func:`latentebm.sparse.fista` with the matrix products replaced by the
operator pair of :mod:`latentebm.conv.operators`: ``W z`` becomes the decoder
:math:`\sum_i K_i * Z_i` (``conv_transpose2d`` or FFT) and ``W^T y`` its adjoint, the correlation
with every kernel (``conv2d`` or FFT). The step is the same, with :math:`L = \|A\|_2^2` from the Fourier domain (exact for the circular boundary, a tight
upper bound for the zero boundary; power iteration on :math:`A^\top A` is the slow alternative,
see ``ConvOperator.lipschitz``):

.. math:: Z \leftarrow \mathrm{shrink}_{\lambda/(2L)}\big(X - \tfrac1L A^\top(AX - Y)\big).
"""

from __future__ import annotations

import torch

from .._checks import all_finite, nonneg, positive, positive_int
from ..sparse.energy import max_threshold, pow2_scale, warn_if_energy_rose
from .operators import ConvOperator, check_boundary, check_codes, check_images, check_kernels


def conv_lipschitz(
    kernels: torch.Tensor,
    image_hw,
    boundary: str = "full",
    *,
    tol: float = 1e-7,
    power: bool = False,
) -> float:
    r""":math:`L = \|A\|_2^2` of the synthesis operator for images of size ``image_hw``.

    The largest per-frequency eigenvalue: exact for ``"circular"``, a tight upper bound for
    ``"full"``; ``power=True`` gives power iteration (see ``ConvOperator.lipschitz``).

    Parameters
    ----------
    kernels : Tensor of shape (m, C, k, k)
    image_hw : (H, W)
    boundary : "full" or "circular"
    tol : relative tolerance of the power iteration.
    power : bool, use power iteration.

    Returns
    -------
    float
    """
    return ConvOperator(check_kernels(kernels), image_hw, check_boundary(boundary)).lipschitz(
        tol=tol, power=power
    )


@torch.no_grad()  # an argmin: the codes are not differentiated through the iterations
def conv_fista(
    Y: torch.Tensor,
    kernels: torch.Tensor,
    lam: float,
    n_iter: int = 100,
    *,
    boundary: str = "full",
    tol: float | None = None,
    z0: torch.Tensor | None = None,
    history: bool = False,
    L: float | None = None,
    restart: bool = True,
):
    r"""Convolutional sparse coding: minimize :math:`\|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1` over Z (``tol``: relative change of Z).

    FISTA on the convolutional energy, batched over images, on the device of ``Y``. With
    ``restart=True`` the momentum of an image is reset whenever it points uphill (adaptive restart,
    O'Donoghue & Candès 2015), which gives linear convergence near a sparse solution.

    Parameters
    ----------
    Y : Tensor of shape (N, C, H, W)
        Images.
    kernels : Tensor of shape (m, C, k, k)
        The dictionary: m kernels (same device and dtype as ``Y``).
    lam : float >= 0
        Weight of the L1 penalty.
    n_iter : int
        Maximum number of iterations.
    boundary : "full" (zero padding, code maps (H + k - 1, W + k - 1)) or "circular" (FFT,
        periodic images, code maps (H, W)).
    tol : float, optional
        Stop once every image's relative change of Z in one iteration falls below ``tol``.
    z0 : Tensor of shape (N, m, H_z, W_z), optional
        Warm start (default: zeros).
    history : bool
        Also return the energy of every iterate.
    L : float, optional
        A precomputed :func:`conv_lipschitz`. A smaller ``L`` takes longer steps, which diverge
        beyond the stability limit: codes that overflow raise a ``ValueError``, an energy that
        ends above its start a ``RuntimeWarning``.
    restart : bool
        Adaptive restart of the momentum, per image.

    Returns
    -------
    Z : Tensor of shape (N, m, H_z, W_z)
        Detached from autograd (an argmin: differentiate the energy at it).
    energies : Tensor of shape (T + 1, N), only with ``history=True``

    References
    ----------
    Beck & Teboulle (2009); Zeiler et al. (2010), "Deconvolutional networks"; Wohlberg (2016),
    "Efficient algorithms for convolutional sparse representations"; the book's chapter
    "Convolutional sparse coding".
    """
    kernels = check_kernels(kernels)
    Y = check_images(Y, kernels)
    boundary = check_boundary(boundary)
    lam = nonneg("lam", lam)
    n_iter = positive_int("n_iter", n_iter)
    if tol is not None:
        tol = nonneg("tol", tol)
    if z0 is not None:
        z0 = check_codes(z0, Y, kernels, boundary, name="z0")
    L_user = None if L is None else positive("L", L)
    return conv_fista_unchecked(
        Y, kernels, lam, n_iter, boundary, tol, z0, history, L_user, restart
    )


def conv_fista_unchecked(
    Y, kernels, lam, n_iter, boundary="full", tol=None, z0=None, history=False, L_user=None,
    restart=True,
):  # fmt: skip
    """:func:`conv_fista` on checked arguments (Y (N, C, H, W), kernels (m, C, k, k), z0 or None),
    for the training loops."""
    # Exact power-of-two rescaling of extreme images or kernels (as the sparse solvers do, see
    # latentebm.sparse.energy): Z* scales by s_Y / s_K, and lam by 1 / (s_Y s_K).
    aY, aK = float(Y.detach().abs().amax()), float(kernels.detach().abs().amax())
    sY, sK = pow2_scale(aY, Y.dtype), pow2_scale(aK, Y.dtype)
    scaled = (sY, sK) != (1.0, 1.0)
    if scaled:
        Y, kernels, lam = Y / sY, kernels / sK, lam / (sY * sK)
        z0 = None if z0 is None else z0 * (sK / sY)
    A = ConvOperator.unchecked(kernels, Y.shape[-2:], boundary)
    L = A.lipschitz_unchecked() if L_user is None else L_user / sK**2
    if L == 0:
        raise ValueError("kernels are all zeros: the problem has no curvature (L = 0)")
    N = Y.shape[0]
    # prox step 1/(2L): our energy has no 1/2 (see latentebm.sparse.solvers)
    thr = max_threshold(Y, lam / (2 * L))
    AtY_over_L = A.adjoint(Y) / L  # (N, m, H_z, W_z)

    def energy(Z):
        R = Y - A.forward(Z)
        return R.pow(2).sum((1, 2, 3)) + lam * Z.abs().sum((1, 2, 3))

    def diverged(after: str) -> ValueError:
        why = (
            f"L={L_user:.6g} is too small for these kernels (leave L=None)"
            if L_user is not None
            else f"Y, kernels or lam overflow {Y.dtype}; rescale them or use float64"
        )
        return ValueError(f"conv_fista diverged (non-finite codes {after}): {why}")

    Z = Y.new_zeros(N, A.m, *A.code_hw) if z0 is None else z0.clone()
    X = Z  # extrapolated point
    t = Y.new_ones(N, 1, 1, 1)
    energies = [energy(Z)] if history else None
    for k in range(n_iter):
        V = X - A.normal(X) / L + AtY_over_L  # gradient step, (N, m, H_z, W_z)
        Z_new = V - V.clamp(-thr, thr)  # shrink(V, thr)
        if restart:
            # Momentum pointing against the last move hurts: reset it (gradient scheme).
            bad = ((X - Z_new) * (Z_new - Z)).sum((1, 2, 3), keepdim=True) > 0
            t = torch.where(bad, torch.ones_like(t), t)
        t_new = (1 + torch.sqrt(1 + 4 * t * t)) / 2
        X = Z_new + ((t - 1) / t_new) * (Z_new - Z)
        t = t_new
        done = False
        if tol is not None:
            change = (Z_new - Z).flatten(1).norm(dim=1) / Z_new.flatten(1).norm(dim=1).clamp_min(
                1e-30
            )
            worst = float(change.max())
            if worst != worst:  # NaN: the iterates left the floating-point range
                raise diverged(f"after {k + 1} iterations")
            done = worst <= tol
        Z = Z_new
        if history:
            energies.append(energy(Z))
        if done:
            break
    if not all_finite(Z):
        raise diverged(f"after {n_iter} iterations")
    if L_user is not None:  # a step beyond the stability limit can grow without overflowing
        e0 = energies[0] if history else energy(Y.new_zeros(Z.shape) if z0 is None else z0)
        e1 = energies[-1] if history else energy(Z)
        true_L = lambda: f"conv_lipschitz(kernels, image_hw) = {A.lipschitz() * sK**2:.6g}"  # noqa: E731
        warn_if_energy_rose("conv_fista", e0, e1, L_user, true_L, stacklevel=4)
    if scaled:
        Z = Z * (sY / sK)
    if history:
        hist = torch.stack(energies)  # (T+1, N)
        return Z, (hist * sY**2 if scaled else hist)
    return Z
