r"""Dictionary learning: minimize :math:`\sum_k \min_z \|y_k - Wz\|^2 + \lambda\|z\|_1` over unit-norm atoms."""

from __future__ import annotations

import torch
from tqdm.auto import tqdm

from .._checks import as_tensor, nonneg, positive_int, same_device_dtype
from .energy import energy
from .solvers import fista, lipschitz


def normalize_columns(W: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Return ``W`` with every column scaled to unit L2 norm (all-zero columns stay zero)."""
    W = as_tensor("W", W, ndims=(2,), shape_doc="(n, m)")
    return W / W.norm(dim=0, keepdim=True).clamp_min(eps)


def learn_dictionary(
    Y: torch.Tensor,
    n_atoms: int,
    lam: float,
    *,
    n_epochs: int = 20,
    batch_size: int = 256,
    n_iter: int = 50,
    W0: torch.Tensor | None = None,
    normalize: bool = True,
    resample_dead: bool = True,
    generator: torch.Generator | None = None,
    progress: bool = True,
    return_history: bool = False,
):
    r"""Learn a dictionary W for sparse coding by alternating inference and a gradient step on W.

    Minimizes :math:`\frac1N\sum_k \min_{z_k}\|y_k - Wz_k\|^2 + \lambda\|z_k\|_1` subject to
    :math:`\|W_{:,j}\|_2 = 1`. For each minibatch: (1) infer the codes Z with :func:`fista`
    (W fixed); (2) take one gradient step on :math:`\frac1B\|Y - ZW^\top\|_F^2` with W's own
    Lipschitz step :math:`B / (2\|Z^\top Z\|_2)`, which needs no tuning; (3) renormalize the
    columns to unit norm, as the lecture prescribes, so that W cannot grow while z shrinks to
    zero (``normalize=False`` is the book's ablation of exactly that).

    Parameters
    ----------
    Y : Tensor of shape (N, n)
        Training signals, one per row.
    n_atoms : int
        Number of atoms m.
    lam : float >= 0
        Sparsity weight of the energy.
    n_epochs, batch_size : int
        Passes over the data and minibatch size.
    n_iter : int
        FISTA iterations per minibatch.
    W0 : Tensor of shape (n, n_atoms), optional
        Initial dictionary (default: Gaussian noise with unit-norm columns).
    normalize : bool
        Renormalize the columns after every step (default True).
    resample_dead : bool
        Re-seed atoms that no signal of a minibatch used with a normalized residual of it.
    generator : torch.Generator, optional
        Source of randomness (initialization, shuffling) for reproducible runs.
    progress : bool
        Show a tqdm progress bar.
    return_history : bool
        Also return per-epoch means of the energy, of :math:`\|z\|_1` and of the column norms.

    Returns
    -------
    W : Tensor of shape (n, n_atoms)
    history : dict of lists, only with ``return_history=True``
        Keys ``"energy"``, ``"l1"``, ``"atom_norm"`` (one entry per epoch).

    References
    ----------
    Olshausen & Field (1996); the book's chapter "Sparse coding".
    """
    Y = as_tensor("Y", Y, ndims=(2,), shape_doc="(N, n)")
    n_atoms = positive_int("n_atoms", n_atoms)
    lam = nonneg("lam", lam)
    n_epochs = positive_int("n_epochs", n_epochs)
    batch_size = positive_int("batch_size", batch_size)
    n_iter = positive_int("n_iter", n_iter)
    N, n = Y.shape
    gen = generator if generator is not None else torch.Generator().manual_seed(0)
    if W0 is None:
        W = torch.randn(n, n_atoms, generator=gen, dtype=Y.dtype).to(Y.device)
    else:
        W = as_tensor("W0", W0, ndims=(2,), shape_doc=f"({n}, {n_atoms})")
        same_device_dtype("Y", Y, W0=W)
        if W.shape != (n, n_atoms):
            raise ValueError(f"W0 must have shape ({n}, {n_atoms}), got {tuple(W.shape)}")
        W = W.clone()
    if normalize:
        W = normalize_columns(W)
    hist = {"energy": [], "l1": [], "atom_norm": []}
    bar = tqdm(range(n_epochs), disable=not progress, desc="dictionary", leave=False)
    for _ in bar:
        perm = torch.randperm(N, generator=gen).to(Y.device)
        e_sum = l1_sum = 0.0
        for start in range(0, N, batch_size):
            Yb = Y[perm[start : start + batch_size]]  # (B, n)
            B = Yb.shape[0]
            Z = fista(Yb, W, lam, n_iter=n_iter)  # (B, m)
            e_sum += float(energy(Yb, W, Z, lam).sum())
            l1_sum += float(Z.abs().sum())
            R = Yb - Z @ W.T  # (B, n) residual
            ZtZ = Z.T @ Z  # (m, m)
            L_W = 2 * lipschitz(Z, tol=1e-3, max_iter=50) / B
            if L_W > 0:
                # d/dW (1/B)||Y - Z W^T||^2 = -(2/B) R^T Z
                W = W + (2 / B) * (R.T @ Z) / L_W
            if resample_dead:
                dead = ZtZ.diagonal() == 0  # atoms no signal of this batch used
                if dead.any():
                    k = int(dead.sum())
                    pick = torch.randint(0, B, (k,), generator=gen).to(Y.device)
                    W[:, dead] = normalize_columns(R[pick].T + 1e-6)
            if normalize:
                W = normalize_columns(W)
        hist["energy"].append(e_sum / N)
        hist["l1"].append(l1_sum / N)
        hist["atom_norm"].append(float(W.norm(dim=0).mean()))
        bar.set_postfix(energy=f"{e_sum / N:.4g}")
    return (W, hist) if return_history else W
