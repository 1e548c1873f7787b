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
3. every ``rho_period`` iterations during the first ``RHO_ADAPT_ITERS`` = 300, adapts ρ to
   balance the relative primal and dual residuals (the rule and constants of SPORCO's
   ``ConvBPDN``); then keeps it fixed.

Why ρ stops adapting: ADMM converges for any fixed ρ > 0 and relaxation α in (0, 2) (Eckstein &
Bertsekas 1992), but not when ρ keeps changing (Boyd et al. 2011, section 3.4.1: "turn off the
varying penalty after a fixed number of iterations"). With SPORCO's rule running forever, the
residual ratio near the solution makes ρ hop up and down by 1.2-2x at every check, and the
iterates leave the minimum they had reached: on 12 random problems, 10 runs ended 6e-5 to 2e-2
above the minimum after 3000 iterations (SPORCO's ``ConvBPDN`` drifts the same way).
By 300 iterations ρ has settled on the benchmark's problem (the iterates, and the iteration
counts to its targets, are those of the forever-adapting rule up to 600 iterations); after it the
iterates converge and stay. Keeping the best iterate by energy instead would cost one more FFT
of the code per evaluation (about a tenth of the time, evaluated every third iteration). The
energy of V is not monotone in the iteration count at the start (ADMM is not a descent method:
a few early iterations can be above later ones), but converges to the minimum.

Cost per iteration: one FFT and one inverse FFT of the m code maps, plus a few elementwise
passes. Two real maps travel as one complex map (maps 2p and 2p+1 as real and imaginary parts:
the code is stored as (N, m/2, H, W, 2)), so that both transforms are complex FFTs of m/2 maps:
on the CPU torch's inverse real FFT costs ~1.5x a complex one of the same data (it transposes
and copies around MKL's call). The maps are processed in blocks of about 1 MB on the CPU (the
FFTs and the elementwise steps of a block run while it is in cache); the frequency-domain
reduction :math:`\hat d^\top \hat W` is accumulated block by block, so nothing of the size of
the code is kept in the Fourier domain.
"""

from __future__ import annotations

import math

import torch

from .._checks import nonneg, positive, positive_int
from .operators import ConvOperator, check_codes, check_images, check_kernels

CPU_BLOCK_BYTES = 1 << 20  # code maps per block on the CPU: about 1 MB of one real array
RHO_ADAPT_ITERS = 300  # rho is adapted during the first RHO_ADAPT_ITERS iterations, then fixed


def _blocks(N: int, m: int, map_bytes: int, budget: float):
    """(images, maps) slices that tile (N, m) in contiguous blocks of about ``budget`` bytes."""
    if math.isinf(budget):  # one block: the whole batch
        return [(slice(0, N), slice(0, m))]
    per = max(1, int(budget // map_bytes))  # maps per block
    if per >= m:
        nb = max(1, per // m)
        return [(slice(n, min(n + nb, N)), slice(0, m)) for n in range(0, N, nb)]
    return [
        (slice(n, n + 1), slice(j, min(j + per, m))) for n in range(N) for j in range(0, m, per)
    ]


def _hermitian_part(S: torch.Tensor) -> torch.Tensor:
    """(S(f) + conj(S(-f))) / 2 over the last two dims: the spectrum of the real part of IFFT(S)."""
    S_rev = torch.roll(S.flip((-2, -1)), (1, 1), (-2, -1))  # S(-f)
    return S_rev.conj_physical_().add_(S).mul_(0.5)


def _axpy(x: torch.Tensor, y: torch.Tensor, a, out: torch.Tensor | None = None) -> torch.Tensor:
    """x + a y, for a Python number or a broadcastable tensor a."""
    if isinstance(a, torch.Tensor):
        return torch.addcmul(x, y, a, out=out)
    return torch.add(x, y, alpha=a, out=out)


def conv_admm(
    Y: torch.Tensor,
    kernels: torch.Tensor,
    lam: float,
    n_iter: int = 100,
    *,
    tol: float | None = None,
    z0: torch.Tensor | None = None,
    history: bool = False,
    rho: float | None = None,
    relax: float = 1.8,
    rho_period: int = 3,
    block_bytes: float | None = None,
):
    r"""ADMM for convolutional sparse coding: minimize :math:`\|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1` (``tol``: relative primal and dual residuals).

    Circular boundary (code maps of the image's size), grey images, batched over images, on the
    device and in the precision of ``Y`` (float32 uses complex64 FFTs).

    Parameters
    ----------
    Y : Tensor of shape (N, 1, H, W)
        Images; a ``requires_grad`` tensor is detached (the codes carry no gradient).
    kernels : Tensor of shape (m, 1, k, k)
        Not all zero (the problem would have no curvature); detached like ``Y``.
    lam : float >= 0
    n_iter : int, maximum number of iterations.
    tol : float, optional
        Stop once every image's relative primal and dual residuals fall below ``tol`` (checked
        every ``rho_period`` iterations, when the residuals are computed). On the random
        problem of ``tests/conv/test_conv_admm.py``, tol = 1e-3, 1e-4 and 1e-6 left relative
        energy gaps of 6e-6, 5e-8 and 6e-12 (159, 279 and 561 iterations).
    z0 : Tensor of shape (N, m, H, W), optional
        Warm start of the sparse variable V (default: zeros); the scaled dual starts at zero.
    history : bool
        Also return the energy of the sparse iterate V after every iteration (computed in the
        Fourier domain: one more FFT of the code per iteration).
    rho : float, optional
        Initial penalty (default SPORCO's :math:`50\lambda/2 + 1`); adapted per image during the
        first ``RHO_ADAPT_ITERS`` = 300 iterations, then fixed, so that more iterations do not
        move away from the minimum.
    relax : float in (0, 2), over-relaxation α (1.8 as in SPORCO).
    rho_period : int
        Residuals computed and ρ adapted every ``rho_period`` iterations. SPORCO's ``ConvBPDN``
        adapts at every iteration (``rho_period=1``); every third iteration (the default) needs
        the same number of iterations within 2% on the problems of ``benchmarks/`` and skips the
        five residual norms on the other two.
    block_bytes : float, optional
        The Fourier-domain work runs over blocks of maps of about this many bytes (default: about
        1 MB on the CPU, so that a block's FFTs and updates stay in cache; ``math.inf``, the
        whole batch at once, on other devices). The iterates do not depend on it.

    Returns
    -------
    Z : Tensor of shape (N, m, H, W), the sparse variable V
    energies : Tensor of shape (T + 1, N), only with ``history=True``

    References
    ----------
    Wohlberg (2016), "Efficient algorithms for convolutional sparse representations", IEEE TIP;
    Boyd et al. (2011) for the residual-balancing ρ; Eckstein & Bertsekas (1992), "On the
    Douglas-Rachford splitting method and the proximal point algorithm for maximal monotone
    operators", Math. Programming 55, for the convergence of relaxed ADMM at a fixed ρ; the
    book's chapter "Convolutional sparse coding".
    """
    kernels = check_kernels(kernels).detach()
    Y = check_images(Y, kernels).detach()
    if kernels.shape[1] != 1:
        raise ValueError(
            f"conv_admm handles grey images: kernels must be (m, 1, k, k), got {tuple(kernels.shape)}"
        )
    if not bool(kernels.any()):
        raise ValueError("kernels are all zeros: the problem has no curvature (A = 0)")
    lam = nonneg("lam", lam)
    n_iter = positive_int("n_iter", n_iter)
    rho_period = positive_int("rho_period", rho_period)
    if not 0 < positive("relax", relax) < 2:
        raise ValueError(f"relax must lie in (0, 2), got {relax}")
    if tol is not None:
        tol = nonneg("tol", tol)
    N, m, k = Y.shape[0], kernels.shape[0], kernels.shape[-1]
    H, W = Y.shape[-2:]
    if H < k or W < k:
        raise ValueError(f"images ({H}x{W}) must be at least as large as the kernels")
    if z0 is not None:
        z0 = check_codes(z0, Y, kernels, "circular", name="z0").detach()
    lmbda = lam / 2  # the ADMM works on 1/2||AX - Y||^2 + lmbda||V||_1
    rho0 = 50 * lmbda + 1 if rho is None else nonneg("rho", rho)
    if rho0 == 0:
        raise ValueError("rho must be > 0")
    rho = Y.new_full((N, 1, 1, 1, 1), rho0)
    # SPORCO's residual balancing: ratio mu, target xi, largest factor tau_max.
    mu, xi, tau_max = 1.2, 1.0 + 18.3 ** (math.log10(max(lmbda, 1e-12)) + 1.0), 1000.0

    # Two real maps a, b travel as one complex map a + ib (pairs of consecutive maps; a zero
    # kernel is added for odd m), so that full complex FFTs replace torch's real ones (its
    # inverse real FFT costs ~1.5x a complex one of the same data on the CPU). With the full
    # spectra D of the kernels and G = D_a - i D_b per pair:
    #   sum_j D_j W_j = sym(sum_p G_p FFT(W_a + i W_b)),  sym(S)(f) = (S(f) + conj(S(-f))) / 2,
    #   A^T r for (a, b) = IFFT(conj(G_p) q) = (A^T r)_a + i (A^T r)_b   for Hermitian q.
    m2 = (m + 1) // 2
    g = Y.new_zeros(m2, H, W, 2)  # zero-padded kernels, pair p = k_2p - i k_2p+1
    g[:, :k, :k, 0] = kernels[0::2, 0]
    g[: m // 2, :k, :k, 1] = kernels[1::2, 0].neg()
    G = torch.fft.fft2(torch.view_as_complex(g))  # (m2, H, W): G_p = D_2p - i D_2p+1
    G_conj = G.conj().resolve_conj()
    # sum_j |D_j|^2 = sym(sum_p |G_p|^2): the cross terms are odd in f
    d_energy = _hermitian_part((G.real.square() + G.imag.square()).sum(0).to(G.dtype)).real
    Y_hat = torch.fft.fft2(Y)  # (N, 1, H, W)
    if block_bytes is None:
        budget = CPU_BLOCK_BYTES if Y.device.type == "cpu" else math.inf
    elif not block_bytes > 0:
        raise ValueError(f"block_bytes must be > 0, got {block_bytes}")
    else:
        budget = float(block_bytes)
    blocks = _blocks(N, m2, H * W * 2 * Y.element_size(), budget)
    # On the CPU with one image per block, the per-image coefficients are passed as Python
    # numbers: torch's CPU kernels with a broadcast (1, 1, 1, 1, 1) tensor operand run 4-7x slower.
    scalar = Y.device.type == "cpu" and all(ni.stop - ni.start == 1 for ni, _ in blocks)
    us = [1.0] * N
    nb_max = max(ni.stop - ni.start for ni, _ in blocks)
    pb_max = max(pi.stop - pi.start for _, pi in blocks)
    w_buf = Y.new_empty(nb_max, pb_max, H, W, 2)  # work arrays of one block, reused
    f_buf = G.new_empty(nb_max, pb_max, H, W)

    V = Y.new_zeros(N, m2, H, W, 2)  # pair layout: V[n, p, ..., 0 / 1] = maps 2p / 2p + 1
    if z0 is not None:
        V[..., 0] = z0[:, 0::2]
        V[:, : m // 2, ..., 1] = z0[:, 1::2]
    V_next = torch.empty_like(V)  # the two buffers swap roles every iteration
    U = torch.zeros_like(V)  # scaled dual, in units of the previous rho: the dual is U * u_scale
    u_scale = Y.new_ones(N, 1, 1, 1, 1)
    norms = Y.new_zeros(len(blocks), 5, N)  # per block: |X|, |V|, |U|, |X - V|, |V - V_old|
    S = torch.empty_like(Y_hat)  # sum_p G_p FFT(W_p), (N, 1, H, W)
    S_V = torch.empty_like(Y_hat)
    l1 = Y.new_zeros(N)
    energies = None
    if history:  # the energy of V at the start: of Z = 0, or of the warm start
        R0 = (
            Y if z0 is None else Y - ConvOperator.unchecked(kernels, (H, W), "circular").forward(z0)
        )
        l1_0 = 0.0 if z0 is None else lam * z0.abs().sum((1, 2, 3))
        energies = [R0.pow(2).sum((1, 2, 3)) + l1_0]
    for it in range(n_iter):
        # 1. X-step. Pass over the blocks: S = sum_p G_p FFT(V_p - U_p), per image.
        S.zero_()
        for ni, pi in blocks if it > 0 or z0 is not None else ():  # V = U = 0 at a cold start
            nb, pb = ni.stop - ni.start, pi.stop - pi.start
            W_c = _axpy(
                V[ni, pi], U[ni, pi], -us[ni.start] if scalar else -u_scale[ni], w_buf[:nb, :pb]
            )
            W_hat = torch.fft.fft2(torch.view_as_complex(W_c))
            for j in range(pb):  # S += G_p W_hat_p
                S[ni].addcmul_(W_hat[:, j : j + 1], G[pi.start + j])
        # q = relax * (Y_hat - D^T W_hat) / (rho + |D|^2): filtered residual, Hermitian
        # (times 1 / (H W), the inverse FFT's scale, so that the FFT below skips that pass)
        q = _hermitian_part(S).neg_().add_(Y_hat).mul_(relax / (H * W) / (rho[..., 0] + d_energy))
        thr = lmbda / rho
        u_relax = (1 - relax) * u_scale
        if scalar:  # per-image coefficients as Python numbers
            thr_n, ur = thr.flatten().tolist(), u_relax.flatten().tolist()
        adapting = it < RHO_ADAPT_ITERS
        adapt = (it + 1) % rho_period == 0 and (adapting or tol is not None)
        if history:
            S_V.zero_()
            l1.zero_()
        # Second pass: X = W + A^T r, relaxation, shrinkage and dual step, block by block.
        for b, (ni, pi) in enumerate(blocks):
            Vb, Ub = V[ni, pi], U[ni, pi]
            nb, pb = ni.stop - ni.start, pi.stop - pi.start
            P = torch.mul(G_conj[pi], q[ni], out=f_buf[:nb, :pb])
            AtR = torch.view_as_real(torch.fft.ifft2(P, norm="forward"))  # relax * A^T r
            # X_r + U = relax * X + (1 - relax) V + U = V + relax A^T r + (1 - relax) U
            T = _axpy(Vb, Ub, ur[ni.start] if scalar else u_relax[ni], V_next[ni, pi]).add_(AtR)
            if adapt:
                X = AtR.div_(relax).add_(Vb)  # X = V - U + A^T r
                X = _axpy(X, Ub, -us[ni.start] if scalar else -u_scale[ni], X)
            t = thr_n[ni.start] if scalar else thr[ni]
            torch.clamp(T, -t, t, out=Ub)  # 3. U = clip(X_r + U)
            Vn = T.sub_(Ub)  # 2. V = shrink(X_r + U), in V_next
            if adapt:
                out = norms[b, :, ni]
                dims = (1, 2, 3, 4)
                torch.linalg.vector_norm(X, dim=dims, out=out[0])
                torch.linalg.vector_norm(Vn, dim=dims, out=out[1])
                torch.linalg.vector_norm(Ub, dim=dims, out=out[2])
                torch.linalg.vector_norm(X.sub_(Vn), dim=dims, out=out[3])
                torch.linalg.vector_norm(Vb.sub_(Vn), dim=dims, out=out[4])
            if history:
                V_hat = torch.fft.fft2(torch.view_as_complex(Vn))
                S_V[ni] += V_hat.mul_(G[pi]).sum(1, keepdim=True)
                l1[ni] += Vn.abs().sum((1, 2, 3, 4))
        V, V_next = V_next, V
        u_scale, us = torch.ones_like(u_scale), [1.0] * N
        if history:
            R = _hermitian_part(S_V).sub_(Y_hat)
            energies.append((R.real.square() + R.imag.square()).sum((1, 2, 3)) / (H * W) + lam * l1)
        if not adapt:
            continue
        # 4. Residual balancing: relative primal r and dual s residuals.
        x_n, v_n, u_n, r_n, s_n = norms.square().sum(0).sqrt()  # each (N,)
        r = r_n / torch.maximum(x_n, v_n).clamp_min(1e-30)
        s = s_n / u_n.clamp_min(1e-30)
        if tol is not None and float(torch.maximum(r, s).max()) <= tol:
            break
        if not adapting:
            continue
        ratio = r / (xi * s).clamp_min(1e-30)
        tau = torch.sqrt(torch.where(ratio > 1, ratio, 1 / ratio.clamp_min(1e-30))).clamp_max(
            tau_max
        )
        factor = torch.where(ratio > mu, tau, torch.where(ratio < 1 / mu, 1 / tau, 1.0))
        # no residual to balance (an all-zero image: X = V = U = 0): rho stays
        factor = torch.where((r_n > 0) | (s_n > 0), factor, 1.0).view(N, 1, 1, 1, 1)
        rho = rho * factor
        u_scale = 1 / factor  # applied lazily to U in the next iteration's passes
        if scalar:
            us = u_scale.flatten().tolist()
    V = V.permute(0, 1, 4, 2, 3).reshape(N, 2 * m2, H, W)[:, :m]
    if history:
        return V, torch.stack(energies)
    return V
