r"""Block coordinate descent: minimize :math:`\|y - Wz\|^2 + \lambda\|z\|_1` a block of atoms at a time.

ISTA and FISTA move every code at once, with one step size :math:`1/(2L)` set by the whole
dictionary's largest curvature :math:`L = \|W\|_2^2`. Coordinate descent, scikit-learn's Lasso
solver, moves one code at a time, with the others fixed; along one atom :math:`w_j` (unit norm)
the energy is a one-dimensional Lasso whose exact minimizer is a single shrinkage:

.. math:: z_j \leftarrow \mathrm{shrink}_{\lambda/2}\big(z_j + w_j^\top (y - Wz)\big).

Each update sees the previous ones (Gauss-Seidel), which is why a sweep over all atoms (an
*epoch*) makes far more progress than a gradient step on coherent or overcomplete dictionaries.
One atom at a time is a loop of m tiny operations, too slow in PyTorch; this solver updates a
**block** of B atoms :math:`b` at a time, for every signal of the batch at once. With the other
blocks fixed, the block's energy is a small Lasso with curvature :math:`L_b = \|W_b\|_2^2` (close to
1 for nearly orthogonal atoms, far below :math:`L`), and the solver takes ``inner`` proximal-gradient
steps on it, all with the block's own Gram matrix :math:`G_{bb} = W_b^\top W_b` (B x B):

.. math::

    z_b \leftarrow \mathrm{shrink}_{\lambda/(2L_b)}\Big(z_b + \tfrac{1}{L_b}\big(g_b - G_{bb}(z_b - z_b^0)\big)\Big),

where :math:`z^0` is the code when the block's turn starts and :math:`g_b = W_b^\top (y - W z^0)` the
block's (negative half) gradient there. Every step decreases the energy (it
minimizes a majorizer of it), so the energy never increases; the fixed points are the Lasso
solutions. ``block_size=1, inner=1`` is exactly cyclic coordinate descent.

The solver keeps the image of the codes that the gradients need, transposed so that a block is a
contiguous slice: :math:`W^\top W z^\top` (m, N) when m < 2n (the "Gram form"), else
:math:`W z^\top` (n, N). One block costs one thin product to read its gradient (none in the Gram form)
and one to update the image; an epoch costs about one FISTA iteration's products plus the small
inner steps. It needs fewer epochs than FISTA needs iterations on every benchmark problem
(``benchmarks/README.md``): 4 against 10 on random atoms, 20 against 63 on the overcomplete
dictionary, 57 against 163 on the learned MNIST atoms (to a relative energy gap of 1e-6). On a
GPU its many small kernels (about 11 per block) make it launch-bound at these batch sizes: on an
H200 one epoch cost as much as 9-16 FISTA iterations, and FISTA was the faster solver there.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .._checks import all_finite, nonneg, positive_int
from .energy import check_problem, diverged, energy_unchecked, max_threshold, problem_scales


@torch.no_grad()  # an argmin: the codes are not differentiated through the iterations
def block_cd(
    y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    n_epochs: int = 50,
    *,
    tol: float | None = None,
    z0: torch.Tensor | None = None,
    history: bool = False,
    block_size: int = 16,
    inner: int = 3,
):
    r"""Minimize :math:`E(z, y) = \|y - Wz\|^2 + \lambda\|z\|_1` by block coordinate descent (``tol``: relative change of z per epoch).

    Same problem, conventions and returns as :func:`latentebm.sparse.fista`, counted in epochs (one
    pass over all blocks of atoms) instead of iterations; see the module docstring for the update.

    Parameters
    ----------
    y : Tensor of shape (N, n) or (n,)
        Signals, one per row.
    W : Tensor of shape (n, m)
        Dictionary, one atom per column (same device and dtype as ``y``).
    lam : float >= 0
    n_epochs : int
        Maximum number of epochs.
    tol : float, optional
        Stop early once every signal's relative change of z in one epoch,
        :math:`\|z_k - z_{k-1}\| / \|z_k\|`, falls below ``tol`` (tested after every epoch).
    z0 : Tensor of shape (N, m) or (m,), optional
        Warm start (default: zeros).
    history : bool
        Also return the energy after every epoch.
    block_size : int
        Atoms per block, B (the last block may be smaller). 1 with ``inner=1`` is coordinate
        descent; larger blocks mean fewer, larger products.
    inner : int
        Proximal-gradient steps on each block's small problem per visit (1 = one step; more
        solve the block more exactly, at (N, B) x (B, B) each).

    Returns
    -------
    z : Tensor of shape (N, m) or (m,)
        Detached from autograd (an argmin: differentiate the energy at it).
    energies : Tensor of shape (T + 1, N) or (T + 1,), only with ``history=True``
        Energy of z(0), ..., z(T), T the number of epochs run.

    References
    ----------
    Friedman, Hastie & Tibshirani (2010), "Regularization paths for generalized linear models via
    coordinate descent"; Tseng & Yun (2009), "A coordinate gradient descent method for nonsmooth
    separable minimization" (block steps with block curvature).
    """
    y2, W, z2, unbatched = check_problem(y, W, z0, z_name="z0", scale="any")
    lam = nonneg("lam", lam)
    n_epochs = positive_int("n_epochs", n_epochs)
    block_size = positive_int("block_size", block_size)
    inner = positive_int("inner", inner)
    if tol is not None:
        tol = nonneg("tol", tol)
    # Exact power-of-two rescaling of an extreme y or W (see latentebm.sparse.energy): W^T W would
    # otherwise underflow to zero blocks, or overflow.
    sy, sW = problem_scales(y2, W)
    scaled = (sy, sW) != (1.0, 1.0)
    if scaled:
        y2, W, lam = y2 / sy, W / sW, lam / (sy * sW)
        z2 = None if z2 is None else z2 * (sW / sy)
    N, n = y2.shape
    m = W.shape[1]
    gram_form = m < 2 * n  # as in fista: (m, m) products instead of (m, n) and (n, m) ones
    blocks = [slice(j, min(j + block_size, m)) for j in range(0, m, block_size)]

    G = W.T @ W if gram_form else None  # (m, m)
    Gbb = [G[s, s] if gram_form else W[:, s].T @ W[:, s] for s in blocks]  # (B, B) each
    L = _block_curvatures(Gbb)  # (n_blocks,) float64, on the CPU
    inv_L = [1.0 / c if c > 0 else 0.0 for c in L.tolist()]  # 0: a block of all-zero atoms
    # Inner step from any z_b: shrink(S_b z_b + c_b) with S_b = I - G_bb / L_b.
    S = [
        torch.eye(g.shape[0], dtype=W.dtype, device=W.device) - g * il
        for g, il in zip(Gbb, inv_L, strict=True)
    ]
    thr = [max_threshold(W, lam / 2 * il) for il in inv_L]

    # Transposed layout: the codes Z^T (m, N), and W^T y^T / L_b row block by row block.
    QL = W.T @ y2.T  # (m, N)
    for s, il in zip(blocks, inv_L, strict=True):
        QL[s] *= il
    Z = y2.new_zeros(m, N) if z2 is None else z2.T.contiguous()
    live = [i for i, il in enumerate(inv_L) if il > 0]
    for i in set(range(len(blocks))) - set(live):
        Z[blocks[i]] = 0  # all-zero atoms: only the penalty sees their codes, so 0 is optimal
    if gram_form:
        cols = [G[:, s].contiguous() for s in blocks]  # (m, B): the image update
        P = G @ Z if z2 is not None else torch.zeros_like(Z)  # W^T W z^T, (m, N)
    else:
        # (B, n) each: W_b^T / L_b, to read a block's gradient from the image
        WbT_L = [W[:, s].T * il for s, il in zip(blocks, inv_L, strict=True)]
        cols = [W[:, s].contiguous() for s in blocks]  # (n, B): the image update
        P = W @ Z if z2 is not None else y2.new_zeros(n, N)  # W z^T, (n, N)
    change = y2.new_zeros(N) if tol is not None else None

    energies = [energy_unchecked(y2, W, Z.T, lam)] if history else None
    for _ in range(n_epochs):
        if change is not None:
            change.zero_()
        for i in live:
            s = blocks[i]
            z_old = Z[s]  # (B, N), a view
            if gram_form:  # c = z_old + (W_b^T y - (W^T W z)_b) / L_b
                c = torch.add(z_old, P[s], alpha=-inv_L[i]).add_(QL[s])
            else:  # c = z_old + (W_b^T y - W_b^T (W z)) / L_b
                c = torch.addmm(QL[s], WbT_L[i], P, alpha=-1.0).add_(z_old)
            z_new = F.softshrink(c, thr[i])
            if inner > 1:
                c.addmm_(S[i], z_old, alpha=-1.0)  # now a step from z_b is shrink(S_b z_b + c)
                for _ in range(inner - 1):
                    z_new = F.softshrink(torch.addmm(c, S[i], z_new), thr[i])
            d = z_new - z_old  # (B, N)
            Z[s] = z_new
            P.addmm_(cols[i], d)
            if change is not None:
                change += torch.linalg.vecdot(d, d, dim=0)
        if history:
            energies.append(energy_unchecked(y2, W, Z.T, lam))
        if change is not None:
            rel = change.sqrt() / torch.linalg.vector_norm(Z, dim=0).clamp_min(1e-30)
            worst = float(rel.max())
            if worst != worst:  # NaN: the iterates left the floating-point range
                raise diverged("block_cd", "during an epoch", None, W)
            if worst <= tol:
                break
    if not all_finite(Z):
        raise diverged("block_cd", f"after {n_epochs} epochs", None, W)
    z = Z.T.contiguous()  # (N, m)
    if scaled:
        z = z * (sy / sW)
    out = z[0] if unbatched else z
    if history:
        hist = torch.stack(energies)  # (T+1, N)
        if scaled:
            hist = hist * sy**2
        return out, (hist[:, 0] if unbatched else hist)
    return out


def _block_curvatures(Gbb: list[torch.Tensor]) -> torch.Tensor:
    """Largest eigenvalue of each block's Gram matrix (float64, CPU): one batched call per size."""
    out = torch.empty(len(Gbb), dtype=torch.float64)
    sizes = sorted({g.shape[0] for g in Gbb})
    for k in sizes:
        idx = [i for i, g in enumerate(Gbb) if g.shape[0] == k]
        ev = torch.linalg.eigvalsh(torch.stack([Gbb[i] for i in idx]))[:, -1]
        out[idx] = ev.double().cpu().clamp_min(0.0)
    return out
