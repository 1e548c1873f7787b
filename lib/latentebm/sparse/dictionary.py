r"""Dictionary learning: minimize :math:`\sum_k \min_z \|y_k - Wz\|^2 + \lambda\|z\|_1` over unit-norm atoms."""

from __future__ import annotations

import math
import warnings

import torch
from tqdm.auto import tqdm

from .._checks import as_tensor, nonneg, positive, positive_int, same_device_dtype
from .._checks import generator as check_generator
from .energy import energy_unchecked
from .solvers import fista, solve_unchecked


def normalize_columns(W: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Return ``W`` with every column scaled to unit L2 norm (all-zero columns stay zero)."""
    W = as_tensor("W", W, ndims=(2,), shape_doc="(n, m)")
    return _unit_columns(W, positive("eps", eps))


def _unit_columns(W: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """:func:`normalize_columns` of a checked W, for the learning loop."""
    return W / W.norm(dim=0, keepdim=True).clamp_min(eps)


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


_PATIENCE = 10  # epochs without a relative improvement above tol before learning stops


@torch.no_grad()  # a y or W0 with requires_grad must not grow a graph over every minibatch
def learn_dictionary(
    y: torch.Tensor,
    n_atoms: int,
    lam: float,
    *,
    n_epochs: int = 500,
    tol: float | None = 1e-4,
    batch_size: int = 256,
    n_iter: int = 50,
    W0: torch.Tensor | None = None,
    normalize: bool = True,
    resample_dead: bool = True,
    generator: torch.Generator | None = None,
    progress: bool = True,
    history: bool = False,
):
    r"""Learn a dictionary W for sparse coding by alternating inference and a dictionary step (``tol``: relative improvement of the mean energy).

    Minimizes :math:`\frac1N\sum_k \min_{z_k}\|y_k - Wz_k\|^2 + \lambda\|z_k\|_1` subject to
    :math:`\|W_{:,j}\|_2 = 1`. For each minibatch: (1) infer the codes z with FISTA (W fixed);
    (2) fold the batch into running averages :math:`A \approx \langle zz^\top\rangle`,
    :math:`B \approx \langle yz^\top\rangle` that forget old batches geometrically, and minimize
    the quadratic :math:`\langle\|y - Wz\|^2\rangle = \mathrm{tr}(W^\top WA) - 2\mathrm{tr}(W^\top B)
    + \text{const}` by one pass of exact block-coordinate descent over the columns (online
    dictionary learning, Mairal et al. 2009): no step size to tune; (3) renormalize each column
    to unit norm, as the lecture prescribes, so that W cannot grow while z shrinks to zero
    (``normalize=False`` is the book's ablation of exactly that).

    By default it runs until it has converged: it stops once the mean energy of an epoch has not
    improved on the best one by more than ``tol`` (relative) for 10 epochs in a row, and warns
    (``RuntimeWarning``) if ``n_epochs`` epochs end before that. ``tol=None`` runs exactly
    ``n_epochs`` epochs, silently. (The energy of one epoch is noisy, as its minibatches are
    coded with a dictionary that moves; hence the patience of 10 epochs, which scikit-learn's
    ``MiniBatchDictionaryLearning`` also uses.)

    Parameters
    ----------
    y : Tensor of shape (N, n)
        Training signals, one per row.
    n_atoms : int
        Number of atoms m.
    lam : float >= 0
        Sparsity weight of the energy.
    n_epochs : int
        Maximum number of passes over the data (with ``tol=None``: the number of passes).
    tol : float, optional
        Stop once the mean energy of the last 10 epochs has improved on the best one before by
        at most ``tol`` (relative); None: never stop early.
    batch_size : int
        Minibatch size.
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
    history : bool
        Also return per-epoch means of the energy, of :math:`\|z\|_1` and of the column norms.

    Returns
    -------
    W : Tensor of shape (n, n_atoms)
    history : dict of lists, only with ``history=True``
        Keys ``"energy"``, ``"l1"``, ``"atom_norm"`` (one entry per epoch run).

    References
    ----------
    Olshausen & Field (1996); Mairal, Bach, Ponce & Sapiro (2009), "Online dictionary learning
    for sparse coding"; the book's chapter "Sparse coding".
    """
    y = as_tensor("y", y, ndims=(2,), shape_doc="(N, n)")
    n_atoms = positive_int("n_atoms", n_atoms)
    lam = nonneg("lam", lam)
    n_epochs = positive_int("n_epochs", n_epochs)
    if tol is not None:
        tol = nonneg("tol", tol)
    batch_size = positive_int("batch_size", batch_size)
    n_iter = positive_int("n_iter", n_iter)
    gen = check_generator("generator", generator) or torch.Generator().manual_seed(0)
    N, n = y.shape
    if W0 is None:
        W = torch.randn(n, n_atoms, generator=gen, dtype=y.dtype).to(y.device)
    else:
        W = as_tensor("W0", W0, ndims=(2,), shape_doc=f"({n}, {n_atoms})")
        same_device_dtype("y", y, W0=W)
        if W.shape != (n, n_atoms):
            raise ValueError(f"W0 must have shape ({n}, {n_atoms}), got {tuple(W.shape)}")
        W = W.clone()
    if normalize:
        W = normalize_columns(W)
    hist = {"energy": [], "l1": [], "atom_norm": []}
    A = W.new_zeros(n_atoms, n_atoms)  # running mean of z z^T   (m, m)
    Bs = W.new_zeros(n, n_atoms)  # running mean of y z^T         (n, m)
    step = 0
    best, since_best = math.inf, 0  # the convergence test (tol)
    bar = tqdm(range(n_epochs), disable=not progress, desc="dictionary", leave=False)
    for _ in bar:
        perm = torch.randperm(N, generator=gen).to(y.device)
        e_sum = l1_sum = 0.0
        for start in range(0, N, batch_size):
            yb = y[perm[start : start + batch_size]]  # (B, n)
            B = yb.shape[0]
            z = solve_unchecked(yb, W, lam, n_iter)[0]  # FISTA, (B, m)
            e_sum += float(energy_unchecked(yb, W, z, lam).sum())
            l1_sum += float(z.abs().sum())
            # Online statistics (Mairal et al. 2009): the dictionary step minimizes the average
            # quadratic loss of all codes seen so far, tr(W^T W A) - 2 tr(W^T Bs); old batches,
            # coded with an older W, are forgotten geometrically (memory of ~5 batches).
            beta = min(1.0 - 1.0 / (step + 1), _MEMORY)
            step += 1
            A.mul_(beta).add_(z.T @ z, alpha=(1 - beta) / B)
            Bs.mul_(beta).add_(yb.T @ z, alpha=(1 - beta) / B)
            W = _update_atoms(W, A, Bs, normalize)
            if resample_dead:
                dead = (z != 0).sum(0) == 0  # atoms no signal of this batch used
                if dead.any():
                    k = int(dead.sum())
                    R = yb - z @ W.T  # (B, n) residual
                    pick = torch.randint(0, B, (k,), generator=gen).to(y.device)
                    W[:, dead] = _unit_columns(R[pick].T + 1e-6)
                    A[dead, :] = 0
                    A[:, dead] = 0
                    Bs[:, dead] = 0
        if not math.isfinite(e_sum):
            raise ValueError(
                f"learn_dictionary diverged in epoch {len(hist['energy']) + 1} (non-finite "
                f"energy): y's scale ({float(y.abs().max()):.3g}) or lam={lam:g} is extreme"
            )
        hist["energy"].append(e_sum / N)
        hist["l1"].append(l1_sum / N)
        hist["atom_norm"].append(float(W.norm(dim=0).mean()))
        bar.set_postfix(energy=f"{e_sum / N:.4g}")
        if tol is not None:
            if e_sum / N < best * (1 - tol):
                best, since_best = e_sum / N, 0
            else:
                since_best += 1
            if since_best >= _PATIENCE:
                break
    if tol is not None and since_best < _PATIENCE:
        recent = hist["energy"][-_PATIENCE - 1 :]
        fall = (recent[0] - recent[-1]) / abs(recent[-1]) if recent[-1] else 0.0
        trend = (
            f"it fell by {fall:.2g}, relative, over the last {len(recent) - 1} epochs"
            if len(recent) > 1
            else "one epoch shows no trend yet"
        )
        warnings.warn(
            f"learn_dictionary: n_epochs={n_epochs} epochs ended before the energy settled "
            f"({trend}; tol={tol:g}): "
            "the dictionary may not have converged; raise n_epochs, or pass tol=None for a "
            "fixed number of epochs",
            RuntimeWarning,
            stacklevel=2,
        )
    return (W, hist) if history else W


def code_quality(y: torch.Tensor, W: torch.Tensor, lam: float, *, n_iter: int = 200) -> dict:
    r"""How well a dictionary codes held-out signals: sparsity, reconstruction error and energy.

    Infers :math:`z_k = \arg\min_z \|y_k - Wz\|^2 + \lambda\|z\|_1` with ``n_iter`` FISTA
    iterations (float64 for reproducible numbers), then averages over the signals.

    Parameters
    ----------
    y : Tensor of shape (N, n)
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
    y = as_tensor("y", y, ndims=(2,), shape_doc="(N, n)")
    W = as_tensor("W", W, ndims=(2,), shape_doc="(n, m)")
    if y.shape[1] != W.shape[0]:
        raise ValueError(f"y must have shape (N, {W.shape[0]}) to match W, got {tuple(y.shape)}")
    lam, n_iter = nonneg("lam", lam), positive_int("n_iter", n_iter)
    y64, W64 = y.double(), W.to(y.device).double()
    z = fista(y64, W64, lam, n_iter=n_iter)  # (N, m)
    rel = (y64 - z @ W64.T).norm(dim=1) / y64.norm(dim=1).clamp_min(1e-12)
    return {
        "rel_error": float(rel.mean()),
        "mean_nnz": float((z != 0).sum(1).double().mean()),
        "energy": float(energy_unchecked(y64, W64, z, lam).mean()),
    }


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


def stroke_statistics(W: torch.Tensor, y: torch.Tensor) -> dict:
    r"""Whether the atoms of an image dictionary are parts of the signals (strokes) or whole ones.

    * ``best_cosine`` in [0, 1]: each atom's largest :math:`|\cos(w_j, y_k)|` over the signals
      ``y``. An atom that is a prototype of a whole digit matches some digit closely (0.7 and
      more); a stroke covers only part of any digit (lower); random unit vectors of 784 pixels
      give about 0.1.
    * ``area`` > 0: how many pixels an atom spreads over, as a fraction of a signal's: the
      number of pixels that hold 80% of the atom's energy :math:`\sum_p w_p^2` (its largest
      :math:`w_p^2` first), divided by the mean of that number over the signals. A prototype
      covers about one digit (near 0.9 on MNIST), a stroke a fraction of it, noise the whole
      image (above 3 on MNIST). (The 80% leaves out the faint tails that every learned atom has.)

    Parameters
    ----------
    W : Tensor of shape (n, m), one atom per column.
    y : Tensor of shape (N, n), the signals, one per row (e.g. a few thousand training digits).

    Returns
    -------
    dict of Tensors of shape (m,): ``"best_cosine"``, ``"area"``.
    """
    W = as_tensor("W", W, ndims=(2,), shape_doc="(n, m)")
    y = as_tensor("y", y, ndims=(2,), shape_doc=f"(N, {W.shape[0]})")
    if y.shape[1] != W.shape[0]:
        raise ValueError(f"y must have shape (N, {W.shape[0]}) to match W, got {tuple(y.shape)}")
    W64, y64 = W.double(), y.to(W.device).double()
    Wn = W64 / W64.norm(dim=0, keepdim=True).clamp_min(1e-30)
    yn = y64 / y64.norm(dim=1, keepdim=True).clamp_min(1e-30)
    best = torch.zeros(W.shape[1], dtype=torch.float64, device=W.device)
    for start in range(0, y64.shape[0], 4096):  # (4096, m) at a time
        best = torch.maximum(best, (yn[start : start + 4096] @ Wn).abs().max(0).values)

    def pixels(x):  # (k, n) rows -> (k,): pixels holding 80% of each row's energy
        e = (x**2).sort(dim=1, descending=True).values
        return ((e.cumsum(1) / e.sum(1, keepdim=True).clamp_min(1e-300)) < 0.8).sum(1).double() + 1

    area = pixels(W64.T) / pixels(y64).mean()
    return {"best_cosine": best, "area": area}


def gabor_bank(shape: tuple[int, int], n_orientations: int = 8) -> torch.Tensor:
    r"""Unit-norm Gabor functions on an ``shape`` = (h, w) grid, one per column (float64).

    :math:`g(p) = \exp(-\frac{u^2}{2\sigma^2} - \frac{v^2}{2(\sigma/a)^2}) \cos(2\pi u/\ell + \phi)`
    with :math:`(u, v)` the pixel offset from the centre rotated by the orientation: centres at
    every pixel, ``n_orientations`` orientations in [0, π), wavelengths ℓ of 3, 4.5 and 7 pixels,
    envelope :math:`\sigma = 0.5\,\ell`, aspect a of 1 and 0.5 (elongated along the stripes),
    phases 0 (even, a bar) and π/2 (odd, an edge).
    """
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__") or len(shape) != 2:
        raise ValueError(f"shape must be a pair (h, w) of positive ints, got {shape!r}")
    h, w = positive_int("shape[0]", shape[0]), positive_int("shape[1]", shape[1])
    n_or = positive_int("n_orientations", n_orientations)
    ys, xs = torch.meshgrid(
        torch.arange(h, dtype=torch.float64), torch.arange(w, dtype=torch.float64), indexing="ij"
    )
    cy, cx = ys.flatten(), xs.flatten()  # every pixel is a centre
    dy = ys.flatten()[:, None] - cy[None, :]  # (h*w pixels, h*w centres)
    dx = xs.flatten()[:, None] - cx[None, :]
    columns = []
    for theta in torch.arange(n_or, dtype=torch.float64) * math.pi / n_or:
        u = dx * torch.cos(theta) + dy * torch.sin(theta)  # across the stripes
        v = -dx * torch.sin(theta) + dy * torch.cos(theta)  # along them
        for wavelength in (3.0, 4.5, 7.0):
            sigma = 0.5 * wavelength
            for aspect in (1.0, 0.5):
                env = torch.exp(-(u**2) / (2 * sigma**2) - (v * aspect) ** 2 / (2 * sigma**2))
                for phase in (0.0, math.pi / 2):
                    columns.append(env * torch.cos(2 * math.pi * u / wavelength + phase))
    G = torch.cat(columns, dim=1)  # (h*w, h*w * n_or * 12)
    return _unit_columns(G)


def gabor_similarity(W: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    r"""Each image atom's largest :math:`|\cos|` with a Gabor function of :func:`gabor_bank`.

    How Gabor-like an atom is, in [0, 1]: a localized, oriented edge or bar matches some Gabor
    closely (0.8 and more); random unit vectors of 12 x 12 pixels reach about 0.35, the best of
    thousands of chance alignments.

    Parameters
    ----------
    W : Tensor of shape (h * w, m), one image atom per column.
    shape : (h, w)

    Returns
    -------
    Tensor of shape (m,), float64.
    """
    W = as_tensor("W", W, ndims=(2,), shape_doc="(h * w, m)")
    G = gabor_bank(shape).to(W.device)
    if W.shape[0] != G.shape[0]:
        raise ValueError(f"W must have shape ({G.shape[0]}, m) for atoms of shape {tuple(shape)}")
    Wn = _unit_columns(W.double())
    return (G.T @ Wn).abs().max(0).values
