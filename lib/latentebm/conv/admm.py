r"""Convolutional sparse coding by ADMM in the Fourier domain (Wohlberg 2016), circular boundary.

Minimizes the same energy as :func:`latentebm.conv.conv_fista`,
:math:`\|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1`, written as
:math:`\tfrac12\|AX - Y\|^2 + \tfrac\lambda2\|V\|_1` subject to X = V. Each iteration

1. solves :math:`(A^\top A + \rho I)X = A^\top Y + \rho(V - U)`: the FFT turns A into one
   row vector :math:`\hat k(f)^\top` per frequency, and the rank-one system is solved in closed
   form by the Sherman-Morrison formula (grey images, C = 1);
2. over-relaxes :math:`X_r = \alpha X + (1-\alpha)V` and shrinks :math:`V = \mathrm{shrink}_{\lambda/(2\rho)}(X_r + U)`;
3. updates the scaled dual :math:`U \leftarrow U + X_r - V`, and adapts ρ to balance the primal
   and dual residuals (the rule and constants of SPORCO's ``ConvBPDN``).

It costs one FFT and one inverse FFT of the m code maps per iteration, like FISTA, but converges in
far fewer iterations to high precision.
"""

from __future__ import annotations

import math

import torch

from .._checks import nonneg, positive_int
from .operators import ConvOperator, check_images, check_kernels


def conv_admm(
    Y: torch.Tensor,
    kernels: torch.Tensor,
    lam: float,
    n_iter: int = 100,
    *,
    rho: float | None = None,
    relax: float = 1.8,
    tol: float | None = None,
    history: bool = False,
):
    r"""ADMM for convolutional sparse coding: minimize :math:`\|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1`.

    Circular boundary (code maps of the image's size), grey images.

    Parameters
    ----------
    Y : Tensor of shape (N, 1, H, W)
    kernels : Tensor of shape (m, 1, k, k)
    lam : float >= 0
    n_iter : int, maximum number of iterations.
    rho : float, optional
        Initial penalty (default SPORCO's :math:`50\lambda/2 + 1`); adapted per image.
    relax : float in (0, 2), over-relaxation α (1.8 as in SPORCO).
    tol : float, optional
        Stop once every image's relative primal and dual residuals fall below ``tol``.
    history : bool
        Also return the energy of the sparse iterate V after every iteration.

    Returns
    -------
    Z : Tensor of shape (N, m, H, W), the sparse variable V
    energies : Tensor of shape (T + 1, N), only with ``history=True``

    References
    ----------
    Wohlberg (2016), "Efficient algorithms for convolutional sparse representations", IEEE TIP;
    Boyd et al. (2011) for the residual-balancing ρ; the book's chapter "Convolutional sparse coding".
    """
    kernels = check_kernels(kernels)
    Y = check_images(Y, kernels)
    if kernels.shape[1] != 1:
        raise ValueError(
            f"conv_admm handles grey images: kernels must be (m, 1, k, k), got {tuple(kernels.shape)}"
        )
    lam = nonneg("lam", lam)
    n_iter = positive_int("n_iter", n_iter)
    if not 0 < relax < 2:
        raise ValueError(f"relax must lie in (0, 2), got {relax}")
    A = ConvOperator(kernels, Y.shape[-2:], "circular")
    N, (H, W) = Y.shape[0], A.image_hw
    lmbda = lam / 2  # the ADMM works on 1/2||AX - Y||^2 + lmbda||V||_1
    rho0 = 50 * lmbda + 1 if rho is None else nonneg("rho", rho)
    rho = Y.new_full((N, 1, 1, 1), rho0)
    # SPORCO's residual balancing: ratio mu, target xi, largest factor tau_max.
    mu, xi, tau_max = 1.2, 1.0 + 18.3 ** (math.log10(max(lmbda, 1e-12)) + 1.0), 1000.0

    d = A.K_hat[:, 0]  # (m, H, W//2+1)
    d_energy = d.abs().pow(2).sum(0)  # (H, W//2+1)
    AtY_hat = d.conj() * torch.fft.rfft2(Y)  # (N, m, H, W//2+1)

    def energy(V):
        R = Y - A.forward(V)
        return R.pow(2).sum((1, 2, 3)) + lam * V.abs().sum((1, 2, 3))

    V = Y.new_zeros(N, A.m, H, W)
    U = torch.zeros_like(V)
    energies = [energy(V)] if history else None
    for _ in range(n_iter):
        # 1. X-step, per frequency: x = (b - conj(d) (d^T b) / (rho + |d|^2)) / rho.
        b = AtY_hat + rho * torch.fft.rfft2(V - U)  # (N, m, H, W//2+1)
        dtb = (d * b).sum(1, keepdim=True)  # (N, 1, H, W//2+1)
        X = torch.fft.irfft2((b - d.conj() * dtb / (rho + d_energy)) / rho, s=(H, W))
        # 2. relaxation and shrinkage.
        Xr = relax * X + (1 - relax) * V
        V_old = V
        T = Xr + U
        thr = lmbda / rho  # (N, 1, 1, 1)
        V = T - torch.maximum(torch.minimum(T, thr), -thr)
        # 3. dual step and residual balancing.
        U = U + Xr - V
        r = (X - V).flatten(1).norm(dim=1) / torch.maximum(
            X.flatten(1).norm(dim=1), V.flatten(1).norm(dim=1)
        ).clamp_min(1e-30)
        s = (V - V_old).flatten(1).norm(dim=1) / U.flatten(1).norm(dim=1).clamp_min(1e-30)
        ratio = r / (xi * s).clamp_min(1e-30)
        tau = torch.sqrt(torch.where(ratio > 1, ratio, 1 / ratio.clamp_min(1e-30))).clamp_max(
            tau_max
        )
        factor = torch.where(
            ratio > mu, tau, torch.where(ratio < 1 / mu, 1 / tau, torch.ones_like(tau))
        )
        factor = factor.view(N, 1, 1, 1)
        rho = rho * factor
        U = U / factor
        if history:
            energies.append(energy(V))
        if tol is not None and float(torch.maximum(r, s).max()) <= tol:
            break
    if history:
        return V, torch.stack(energies)
    return V
