r"""Dictionary learning: minimize :math:`\sum_k \min_z \|y_k - Wz\|^2 + \lambda\|z\|_1` over unit-norm atoms."""

from __future__ import annotations

import math

import torch
from tqdm.auto import tqdm

from .._checks import as_tensor, nonneg, nonneg_int, positive, positive_int, same_device_dtype
from .._checks import generator as check_generator
from .energy import energy
from .solvers import fista


def normalize_columns(W: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Return ``W`` with every column scaled to unit L2 norm (all-zero columns stay zero)."""
    W = as_tensor("W", W, ndims=(2,), shape_doc="(n, m)")
    return W / W.norm(dim=0, keepdim=True).clamp_min(positive("eps", eps))


_MEMORY = 0.8  # forgetting factor of the running statistics (memory of ~5 minibatches)


def _update_atoms(W, A, Bs, normalize):
    r"""One pass of block-coordinate descent on :math:`\operatorname{tr}(W^\top W A) - 2\operatorname{tr}(W^\top B)`.

    Column j moves to the exact minimizer with the others fixed, :math:`w_j + (b_j - W a_j)/a_{jj}`,
    then back to the unit sphere when ``normalize`` (the lecture's renormalization)."""
    W = W.clone()
    diag = A.diagonal()
    for j in torch.nonzero(diag > 1e-12 * diag.max().clamp_min(1e-30)).flatten().tolist():
        u = W[:, j] + (Bs[:, j] - W @ A[:, j]) / A[j, j]  # (n,)
        W[:, j] = u / u.norm().clamp_min(1e-12) if normalize else u
    return W


@torch.no_grad()  # a Y or W0 with requires_grad must not grow a graph over every minibatch
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
    r"""Learn a dictionary W for sparse coding by alternating inference and a dictionary step.

    Minimizes :math:`\frac1N\sum_k \min_{z_k}\|y_k - Wz_k\|^2 + \lambda\|z_k\|_1` subject to
    :math:`\|W_{:,j}\|_2 = 1`. For each minibatch: (1) infer the codes Z with :func:`fista`
    (W fixed); (2) fold the batch into running averages :math:`A \approx \langle zz^\top\rangle`,
    :math:`B \approx \langle yz^\top\rangle` that forget old batches geometrically, and minimize
    the quadratic :math:`\langle\|y - Wz\|^2\rangle = \mathrm{tr}(W^\top WA) - 2\mathrm{tr}(W^\top B)
    + \text{const}` by one pass of exact block-coordinate descent over the columns (online
    dictionary learning, Mairal et al. 2009): no step size to tune; (3) renormalize each column
    to unit norm, as the lecture prescribes, so that W cannot grow while z shrinks to zero
    (``normalize=False`` is the book's ablation of exactly that).

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
    Olshausen & Field (1996); Mairal, Bach, Ponce & Sapiro (2009), "Online dictionary learning
    for sparse coding"; the book's chapter "Sparse coding".
    """
    Y = as_tensor("Y", Y, ndims=(2,), shape_doc="(N, n)")
    n_atoms = positive_int("n_atoms", n_atoms)
    lam = nonneg("lam", lam)
    n_epochs = positive_int("n_epochs", n_epochs)
    batch_size = positive_int("batch_size", batch_size)
    n_iter = positive_int("n_iter", n_iter)
    gen = check_generator("generator", generator) or torch.Generator().manual_seed(0)
    N, n = Y.shape
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
    A = W.new_zeros(n_atoms, n_atoms)  # running mean of z z^T   (m, m)
    Bs = W.new_zeros(n, n_atoms)  # running mean of y z^T         (n, m)
    step = 0
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
            # Online statistics (Mairal et al. 2009): the dictionary step minimizes the average
            # quadratic loss of all codes seen so far, tr(W^T W A) - 2 tr(W^T Bs); old batches,
            # coded with an older W, are forgotten geometrically (memory of ~100 batches).
            beta = min(1.0 - 1.0 / (step + 1), _MEMORY)
            step += 1
            A.mul_(beta).add_(Z.T @ Z, alpha=(1 - beta) / B)
            Bs.mul_(beta).add_(Yb.T @ Z, alpha=(1 - beta) / B)
            W = _update_atoms(W, A, Bs, normalize)
            if resample_dead:
                dead = (Z != 0).sum(0) == 0  # atoms no signal of this batch used
                if dead.any():
                    k = int(dead.sum())
                    R = Yb - Z @ W.T  # (B, n) residual
                    pick = torch.randint(0, B, (k,), generator=gen).to(Y.device)
                    W[:, dead] = normalize_columns(R[pick].T + 1e-6)
                    A[dead, :] = 0
                    A[:, dead] = 0
                    Bs[:, dead] = 0
        if not math.isfinite(e_sum):
            raise ValueError(
                f"learn_dictionary diverged in epoch {len(hist['energy']) + 1} (non-finite "
                f"energy): Y's scale ({float(Y.abs().max()):.3g}) or lam={lam:g} is extreme"
            )
        hist["energy"].append(e_sum / N)
        hist["l1"].append(l1_sum / N)
        hist["atom_norm"].append(float(W.norm(dim=0).mean()))
        bar.set_postfix(energy=f"{e_sum / N:.4g}")
    return (W, hist) if return_history else W


def code_quality(Y: torch.Tensor, W: torch.Tensor, lam: float, n_iter: int = 200) -> dict:
    r"""How well a dictionary codes held-out signals: sparsity, reconstruction error and energy.

    Infers :math:`z_k = \arg\min_z \|y_k - Wz\|^2 + \lambda\|z\|_1` with ``n_iter`` FISTA
    iterations (float64 for reproducible numbers), then averages over the signals.

    Parameters
    ----------
    Y : Tensor of shape (N, n)
        Held-out signals, one per row.
    W : Tensor of shape (n, m)
        Dictionary.
    lam : float >= 0
    n_iter : int
        FISTA iterations.

    Returns
    -------
    dict with floats ``"rel_error"`` (mean of :math:`\|y - Wz\|/\|y\|`), ``"mean_nnz"`` (mean number
    of non-zero code components) and ``"energy"`` (mean energy).
    """
    Y = as_tensor("Y", Y, ndims=(2,), shape_doc="(N, n)")
    W = as_tensor("W", W, ndims=(2,), shape_doc="(n, m)")
    if Y.shape[1] != W.shape[0]:
        raise ValueError(f"Y must have shape (N, {W.shape[0]}) to match W, got {tuple(Y.shape)}")
    lam, n_iter = nonneg("lam", lam), positive_int("n_iter", n_iter)
    Y64, W64 = Y.double(), W.to(Y.device).double()
    Z = fista(Y64, W64, lam, n_iter=n_iter)  # (N, m)
    rel = (Y64 - Z @ W64.T).norm(dim=1) / Y64.norm(dim=1).clamp_min(1e-12)
    return {
        "rel_error": float(rel.mean()),
        "mean_nnz": float((Z != 0).sum(1).double().mean()),
        "energy": float(energy(Y64, W64, Z, lam).mean()),
    }


def dictionary_checkpoint(
    Y: torch.Tensor,
    Y_test: torch.Tensor,
    n_atoms: int,
    lam: float,
    *,
    n_epochs: int = 5,
    batch_size: int = 256,
    n_iter: int = 50,
    seed: int = 0,
    n_eval: int = 2000,
    eval_iter: int = 200,
    progress: bool = False,
) -> dict:
    r"""Learn a dictionary (:func:`learn_dictionary`) and measure it (:func:`code_quality`).

    The recipe of ``scripts/train_sparse_dictionaries.py``, and what the chapters call when a
    committed checkpoint is missing.

    Parameters
    ----------
    Y : Tensor of shape (N, n), training signals; Y_test : Tensor of shape (N', n), held-out.
    n_atoms, lam, n_epochs, batch_size, n_iter : see :func:`learn_dictionary`.
    seed : int, seeds the generator of :func:`learn_dictionary`.
    n_eval, eval_iter : quality is measured on ``Y_test[:n_eval]`` with ``eval_iter`` FISTA steps.

    Returns
    -------
    dict with ``"W"`` (n, n_atoms) float32 unit-norm columns, the settings, and the quality
    numbers ``"test_rel_error"``, ``"test_mean_nnz"``, ``"test_energy"``, and
    ``"history_energy"`` (mean training energy per epoch).
    """
    seed = nonneg_int("seed", seed)
    n_eval, eval_iter = positive_int("n_eval", n_eval), positive_int("eval_iter", eval_iter)
    Y_test = as_tensor("Y_test", Y_test, ndims=(2,), shape_doc="(N', n)")
    W, hist = learn_dictionary(
        Y,
        n_atoms,
        lam,
        n_epochs=n_epochs,
        batch_size=batch_size,
        n_iter=n_iter,
        generator=torch.Generator().manual_seed(seed),
        progress=progress,
        return_history=True,
    )
    W = W.float().contiguous()
    q = code_quality(Y_test[:n_eval], W, lam, n_iter=eval_iter)
    return {
        "W": W,
        "lam": float(lam),
        "n_epochs": int(n_epochs),
        "seed": int(seed),
        "n_train": int(Y.shape[0]),
        "batch_size": int(batch_size),
        "n_iter": int(n_iter),
        "n_eval": int(min(n_eval, Y_test.shape[0])),
        "eval_iter": int(eval_iter),
        "test_rel_error": q["rel_error"],
        "test_mean_nnz": q["mean_nnz"],
        "test_energy": q["energy"],
        "history_energy": [float(e) for e in hist["energy"]],
    }


def training_signals(name: str, n: int | None = None) -> torch.Tensor:
    """The book's training sets for dictionaries, as rows: ``"mnist"`` (N, 784) raw digits in
    [0, 1] (the first ``n`` of the 60k training digits), or ``"patches"`` (N, 144) whitened 12x12
    natural-image patches (``n`` of them, default 60000, seed 0)."""
    from ..data import mnist, natural_patches

    if n is not None:
        n = positive_int("n", n)
    if name == "mnist":
        x, _ = mnist("train")
        x = x[:n] if n else x
        return x.reshape(len(x), -1)
    if name == "patches":
        return natural_patches(n or 60000, size=12, whiten=True, seed=0)
    raise ValueError(f"name must be 'mnist' or 'patches', got {name!r}")


def held_out_signals(name: str, n: int | None = None) -> torch.Tensor:
    """Held-out signals matching :func:`training_signals`: the MNIST test digits, or 5000 patches
    at other random positions (seed 1) of the same photographs; the first ``n`` of them."""
    from ..data import mnist, natural_patches

    if n is not None:
        n = positive_int("n", n)
    if name == "mnist":
        x, _ = mnist("test")
        x = x[:n] if n else x
        return x.reshape(len(x), -1)
    if name == "patches":
        return natural_patches(5000, size=12, whiten=True, seed=1)[:n]
    raise ValueError(f"name must be 'mnist' or 'patches', got {name!r}")


def atom_statistics(W: torch.Tensor, shape: tuple[int, int], radius: float | None = None) -> dict:
    r"""Two numbers per image atom that tell oriented, localized edges from noise.

    * ``coherence`` in [0, 1]: :math:`(\mu_1 - \mu_2)/(\mu_1 + \mu_2)` for the eigenvalues of the
      atom's gradient structure tensor :math:`\sum_p \nabla w(p)\nabla w(p)^\top`; 1 for a
      perfectly oriented pattern (an edge, a grating), near 0 for isotropic noise.
    * ``localization`` in [0, 1]: the share of the atom's energy :math:`\sum_p w(p)^2` inside a
      disc of ``radius`` pixels (default a quarter of the side) around its energy centroid.
    * ``orientation`` in [0, π): the dominant gradient direction.

    Parameters
    ----------
    W : Tensor of shape (h * w, m), one image atom per column.
    shape : (h, w)

    Returns
    -------
    dict of Tensors of shape (m,): ``"coherence"``, ``"localization"``, ``"orientation"``.
    """
    W = as_tensor("W", W, ndims=(2,), shape_doc="(h * w, m)")
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__") or len(shape) != 2:
        raise ValueError(f"shape must be a pair (h, w) of positive ints, got {shape!r}")
    h, w = positive_int("shape[0]", shape[0]), positive_int("shape[1]", shape[1])
    if radius is not None:
        radius = positive("radius", radius)
    if W.shape[0] != h * w:
        raise ValueError(f"W must have shape ({h * w}, m) for atoms of shape {shape}")
    A = W.T.reshape(-1, h, w).double()  # (m, h, w)
    gy, gx = torch.gradient(A, dim=(1, 2))
    jxx, jyy, jxy = (gx * gx).sum((1, 2)), (gy * gy).sum((1, 2)), (gx * gy).sum((1, 2))
    root = torch.sqrt((jxx - jyy) ** 2 + 4 * jxy**2)
    coherence = root / (jxx + jyy).clamp_min(1e-30)
    orientation = torch.remainder(0.5 * torch.atan2(2 * jxy, jxx - jyy), torch.pi)
    P = A**2 / (A**2).sum((1, 2), keepdim=True).clamp_min(1e-30)  # (m, h, w) energy share
    ys = torch.arange(h, dtype=A.dtype, device=A.device)[:, None]
    xs = torch.arange(w, dtype=A.dtype, device=A.device)[None, :]
    cy, cx = (P * ys).sum((1, 2)), (P * xs).sum((1, 2))  # (m,) centroids
    r = radius if radius is not None else min(h, w) / 4
    inside = (ys - cy[:, None, None]) ** 2 + (xs - cx[:, None, None]) ** 2 <= r**2  # (m, h, w)
    localization = (P * inside).sum((1, 2))
    return {"coherence": coherence, "localization": localization, "orientation": orientation}
