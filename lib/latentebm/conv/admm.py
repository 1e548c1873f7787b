r"""Convolutional sparse coding by ADMM in the Fourier domain (Wohlberg 2016), circular boundary.

Minimizes the same energy as :func:`latentebm.conv.conv_fista`,
:math:`\|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1`, written as
:math:`\tfrac12\|AX - Y\|^2 + \tfrac\lambda2\|V\|_1` subject to X = V. Each iteration

1. solves :math:`(A^\top A + \rho I)X = A^\top Y + \rho(V - U)`: the FFT turns A into one
   row vector :math:`\hat d(f)^\top` per frequency, and the rank-one system has the closed form
   (Sherman-Morrison, grey images)

   .. math:: \hat X = \hat W + \bar{\hat d}\, \frac{\hat Y - \hat d^\top \hat W}{\rho + \|\hat d\|^2},
             \qquad W = V - U,

   i.e. :math:`X = W + A^\top(\rho I + AA^\top)^{-1}(Y - AW)`: the residual of W, filtered per
   frequency, correlated back with the kernels;
2. over-relaxes :math:`X_r = \alpha X + (1-\alpha)V` and shrinks
   :math:`V = \mathrm{shrink}_{\lambda/(2\rho)}(X_r + U)`, so that the new scaled dual
   :math:`U \leftarrow X_r + U - V` is the clipped part :math:`\mathrm{clip}_{\lambda/(2\rho)}(X_r + U)`;
3. every ``rho_period`` iterations, adapts ρ to balance the relative primal and dual residuals
   (the rule and constants of SPORCO's ``ConvBPDN``).

Cost per iteration: one real FFT (``rfft2``) and one inverse real FFT of the m code maps, plus a
few elementwise passes. The maps are processed in blocks of about 1 MB on the CPU (the FFTs and
the elementwise steps of a block run while it is in cache); the frequency-domain reduction
:math:`\hat d^\top \hat W` is accumulated block by block, so nothing of the size of the code is
kept in the Fourier domain.
"""

from __future__ import annotations

import math

import torch

from .._checks import nonneg, positive_int
from .operators import ConvOperator, check_images, check_kernels

CPU_BLOCK_BYTES = 1 << 20  # code maps per block on the CPU: about 1 MB of one real array


def _blocks(N: int, m: int, map_bytes: int, budget: float):
    """(images, maps) slices that tile (N, m) in contiguous blocks of about ``budget`` bytes."""
    per = max(1, int(budget // map_bytes))  # maps per block
    if per >= m:
        nb = max(1, per // m)
        return [(slice(n, min(n + nb, N)), slice(0, m)) for n in range(0, N, nb)]
    return [
        (slice(n, n + 1), slice(j, min(j + per, m))) for n in range(N) for j in range(0, m, per)
    ]


def _rfft_sq_norm(R_hat: torch.Tensor, W: int) -> torch.Tensor:
    """:math:`\\sum_{h,w} r^2` from the half spectrum ``rfft2(r)`` (..., H, W//2+1) (Parseval)."""
    a = R_hat.real.square() + R_hat.imag.square()
    total = 2 * a.sum((-2, -1)) - a[..., 0].sum(-1)  # columns 1..W//2 stand for two frequencies
    if W % 2 == 0:
        total = total - a[..., -1].sum(-1)  # the Nyquist column stands for one
    return total / (R_hat.shape[-2] * W)


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
    rho_period: int = 3,
):
    r"""ADMM for convolutional sparse coding: minimize :math:`\|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1`.

    Circular boundary (code maps of the image's size), grey images, batched over images, on the
    device and in the precision of ``Y`` (float32 uses complex64 FFTs).

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
        Stop once every image's relative primal and dual residuals fall below ``tol`` (checked
        every ``rho_period`` iterations, when the residuals are computed).
    history : bool
        Also return the energy of the sparse iterate V after every iteration (computed in the
        Fourier domain: one more FFT of the code per iteration).
    rho_period : int
        Residuals computed and ρ adapted every ``rho_period`` iterations. SPORCO's ``ConvBPDN``
        adapts at every iteration (``rho_period=1``); every third iteration (the default) needs
        the same number of iterations within 2% on the problems of ``benchmarks/`` and skips the
        five residual norms on the other two.

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
    rho_period = positive_int("rho_period", rho_period)
    if not 0 < relax < 2:
        raise ValueError(f"relax must lie in (0, 2), got {relax}")
    if tol is not None:
        tol = nonneg("tol", tol)
    A = ConvOperator(kernels, Y.shape[-2:], "circular")
    N, m, (H, W) = Y.shape[0], A.m, A.image_hw
    lmbda = lam / 2  # the ADMM works on 1/2||AX - Y||^2 + lmbda||V||_1
    rho0 = 50 * lmbda + 1 if rho is None else nonneg("rho", rho)
    if rho0 == 0:
        raise ValueError("rho must be > 0")
    rho = Y.new_full((N, 1, 1, 1), rho0)
    # SPORCO's residual balancing: ratio mu, target xi, largest factor tau_max.
    mu, xi, tau_max = 1.2, 1.0 + 18.3 ** (math.log10(max(lmbda, 1e-12)) + 1.0), 1000.0

    d = A.K_hat[:, 0]  # (m, H, W//2+1)
    d_conj = d.conj().resolve_conj()
    d_energy = (d.real.square() + d.imag.square()).sum(0)  # (H, W//2+1)
    Y_hat = torch.fft.rfft2(Y)  # (N, 1, H, W//2+1)
    budget = CPU_BLOCK_BYTES if Y.device.type == "cpu" else math.inf
    blocks = _blocks(N, m, H * W * Y.element_size(), budget)

    V = Y.new_zeros(N, m, H, W)
    V_next = torch.empty_like(V)  # the two buffers swap roles every iteration
    U = torch.zeros_like(V)  # scaled dual, in units of the previous rho: the dual is U * u_scale
    u_scale = Y.new_ones(N, 1, 1, 1)
    norms = Y.new_zeros(len(blocks), 5, N)  # per block: |X|, |V|, |U|, |X - V|, |V - V_old|
    dW_hat = torch.empty_like(Y_hat)  # d^T W_hat, (N, 1, H, W//2+1)
    dV_hat = torch.empty_like(Y_hat)
    l1 = Y.new_zeros(N)
    energies = [Y.pow(2).sum((1, 2, 3))] if history else None
    for it in range(n_iter):
        # 1. X-step. Pass over the blocks: dW_hat = d^T FFT(V - U), per image.
        dW_hat.zero_()
        for ni, mi in blocks:
            W_hat = torch.fft.rfft2(torch.addcmul(V[ni, mi], U[ni, mi], u_scale[ni], value=-1))
            dW_hat[ni] += (W_hat * d[mi]).sum(1, keepdim=True)
        q = (Y_hat - dW_hat).div_(rho + d_energy)  # filtered residual, (N, 1, H, W//2+1)
        thr = lmbda / rho
        u_relax = (1 - relax) * u_scale
        adapt = (it + 1) % rho_period == 0
        if history:
            dV_hat.zero_()
            l1.zero_()
        # Second pass: X = W + A^T r, relaxation, shrinkage and dual step, block by block.
        for b, (ni, mi) in enumerate(blocks):
            Vb, Ub = V[ni, mi], U[ni, mi]
            AtR = torch.fft.irfft2(d_conj[mi] * q[ni], s=(H, W))  # A^T r
            # X_r + U = relax * X + (1 - relax) V + U = V + relax A^T r + (1 - relax) U
            T = torch.addcmul(Vb, Ub, u_relax[ni], out=V_next[ni, mi]).add_(AtR, alpha=relax)
            if adapt:
                X = AtR.add_(Vb).addcmul_(Ub, u_scale[ni], value=-1)  # X = V - U + A^T r
            torch.clamp(T, -thr[ni], thr[ni], out=Ub)  # 3. U = clip(X_r + U)
            Vn = T.sub_(Ub)  # 2. V = shrink(X_r + U), in V_next
            if adapt:
                out = norms[b, :, ni]
                torch.linalg.vector_norm(X, dim=(1, 2, 3), out=out[0])
                torch.linalg.vector_norm(Vn, dim=(1, 2, 3), out=out[1])
                torch.linalg.vector_norm(Ub, dim=(1, 2, 3), out=out[2])
                torch.linalg.vector_norm(X.sub_(Vn), dim=(1, 2, 3), out=out[3])
                torch.linalg.vector_norm(Vb.sub_(Vn), dim=(1, 2, 3), out=out[4])
            if history:
                dV_hat[ni] += (torch.fft.rfft2(Vn) * d[mi]).sum(1, keepdim=True)
                l1[ni] += Vn.abs().sum((1, 2, 3))
        V, V_next = V_next, V
        u_scale = torch.ones_like(u_scale)
        if history:
            energies.append(_rfft_sq_norm(dV_hat - Y_hat, W)[:, 0] + lam * l1)
        if not adapt:
            continue
        # 4. Residual balancing: relative primal r and dual s residuals.
        x_n, v_n, u_n, r_n, s_n = norms.square().sum(0).sqrt()  # each (N,)
        r = r_n / torch.maximum(x_n, v_n).clamp_min(1e-30)
        s = s_n / u_n.clamp_min(1e-30)
        if tol is not None and float(torch.maximum(r, s).max()) <= tol:
            break
        ratio = r / (xi * s).clamp_min(1e-30)
        tau = torch.sqrt(torch.where(ratio > 1, ratio, 1 / ratio.clamp_min(1e-30))).clamp_max(
            tau_max
        )
        factor = torch.where(
            ratio > mu, tau, torch.where(ratio < 1 / mu, 1 / tau, torch.ones_like(tau))
        ).view(N, 1, 1, 1)
        rho = rho * factor
        u_scale = 1 / factor  # applied lazily to U in the next iteration's passes
    if history:
        return V, torch.stack(energies)
    return V
