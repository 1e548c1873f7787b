r"""The energy landscape: F over a grid of the y-plane, and its mean on and off the data."""

from __future__ import annotations

import numbers

import torch

from .._checks import as_tensor, choice, nonneg, positive, positive_int
from .inference import _check_model, free_energy
from .model import LatentEBM


def grid(extent: float = 2.0, n: int = 200, like: torch.Tensor | None = None) -> torch.Tensor:
    """The points of an n x n grid of [-extent, extent]^2, row-major (y2 slow, y1 fast): (n*n, 2)."""
    extent, n = positive("extent", extent), positive_int("n", n)
    if like is not None and not isinstance(like, torch.Tensor):
        raise TypeError(
            f"like must be a torch.Tensor (for its dtype and device), got {type(like).__name__}"
        )
    kw = dict(dtype=like.dtype, device=like.device) if like is not None else {}
    t = torch.linspace(-extent, extent, n, **kw)
    y2, y1 = torch.meshgrid(t, t, indexing="ij")
    return torch.stack([y1.reshape(-1), y2.reshape(-1)], 1)  # (n*n, 2)


def energy_grid(model: LatentEBM, extent: float = 2.0, n: int = 200, **kwargs) -> torch.Tensor:
    r""":math:`F(y)` on the grid of :func:`grid` for the K models: (K, n, n), row i at y2_i.

    ``kwargs`` go to :func:`latentebm.latent.infer` (n_iter, n_restarts, ...).
    """
    _check_model(model)
    pts = grid(extent, n, like=model.W1)
    return free_energy(model, pts, **kwargs).view(model.n_models, n, n)


def section(model: LatentEBM, direction=(1.0, 0.0), extent: float = 2.0, n: int = 201, **kwargs):
    r"""A cross-section of :math:`F` along a line through the origin (the ellipse's centre).

    The points are :math:`y = s\,u` for ``n`` values of s evenly spaced in [-extent, extent],
    with u the unit vector along ``direction`` (default the :math:`y_1` axis, through both ends
    of the ellipse's long axis). ``kwargs`` go to :func:`latentebm.latent.infer`.

    Returns
    -------
    (s, F) : Tensors of shapes (n,) and (K, n)
    """
    _check_model(model)
    if model.y_dim != 2:
        raise ValueError(f"model must have y_dim=2 (points of the plane), got {model.y_dim}")
    bad = ValueError(f"direction must be a non-zero vector of 2 finite numbers, got {direction!r}")
    if isinstance(direction, (str, bytes)):
        raise bad
    try:
        u = torch.as_tensor(direction, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise bad from None
    if u.shape != (2,) or not bool(torch.isfinite(u).all()) or not bool(u.norm() > 0):
        raise bad
    u = (u / u.norm()).to(model.W1)
    extent, n = positive("extent", extent), positive_int("n", n)
    s = torch.linspace(-extent, extent, n, dtype=model.W1.dtype, device=model.W1.device)
    return s, free_energy(model, s[:, None] * u, **kwargs)


def _radii(radii) -> tuple[float, float]:
    bad = ValueError(f"radii must be two positive numbers, got {radii!r}")
    if isinstance(radii, str) or not hasattr(radii, "__len__") or len(radii) != 2:
        raise bad
    try:
        return positive("radii[0]", radii[0]), positive("radii[1]", radii[1])
    except (TypeError, ValueError):
        raise bad from None


def _check_grid(F_grid) -> torch.Tensor:
    F_grid = as_tensor("F_grid", F_grid, ndims=(3,), shape_doc="(K, n, n)")
    if F_grid.shape[1] != F_grid.shape[2]:
        raise ValueError(
            f"F_grid must have shape (K, n, n) (a square grid), got {tuple(F_grid.shape)}"
        )
    return F_grid


def off_data_mask(points: torch.Tensor, data: torch.Tensor, min_dist: float = 0.3) -> torch.Tensor:
    """True for the points farther than ``min_dist`` from every data point: (P, 2), (N, 2) -> (P,)."""
    points = as_tensor("points", points, ndims=(2,), shape_doc="(P, 2)")
    data = as_tensor("data", data, ndims=(2,), shape_doc="(N, 2)")
    if points.shape[1] != data.shape[1]:
        raise ValueError(
            f"points (P, {points.shape[1]}) and data (N, {data.shape[1]}) must have the same width"
        )
    return torch.cdist(points, data).min(1).values > nonneg("min_dist", min_dist)


def on_off_energy(
    F_grid: torch.Tensor,
    F_data: torch.Tensor,
    data: torch.Tensor,
    extent: float = 2.0,
    min_dist: float = 0.3,
):
    """Mean free energy on the data and off it (grid points farther than ``min_dist`` from the data).

    Parameters
    ----------
    F_grid : Tensor of shape (K, n, n), from :func:`energy_grid` with the same ``extent``
    F_data : Tensor of shape (K, N), the free energy of the data points
    data : Tensor of shape (N, 2)

    Returns
    -------
    (on, off) : two Tensors of shape (K,)
    """
    F_grid = _check_grid(F_grid)
    F_data = as_tensor("F_data", F_data, ndims=(2,), shape_doc="(K, N)")
    data = as_tensor("data", data, ndims=(2,), shape_doc="(N, 2)")
    K, n, _ = F_grid.shape
    if F_data.shape[0] != K or F_data.shape[1] != data.shape[0]:
        raise ValueError(
            f"F_data must have shape ({K}, {data.shape[0]}), got {tuple(F_data.shape)}"
        )
    mask = off_data_mask(grid(extent, n, like=F_grid), data.to(F_grid), min_dist)  # (n*n,)
    return F_data.mean(1), F_grid.reshape(K, -1)[:, mask].mean(1)


def inside_outside_energy(
    F_grid: torch.Tensor,
    data: torch.Tensor,
    extent: float = 2.0,
    min_dist: float = 0.3,
    radii: tuple[float, float] = (1.0, 0.5),
    reduce: str = "mean",
):
    r"""Free energy off the data, split into the points inside the ellipse and those outside.

    Off-data points are the grid points farther than ``min_dist`` from every data point (as in
    :func:`on_off_energy`); "inside" are those with :math:`(y_1/r_1)^2 + (y_2/r_2)^2 < 1`.

    Parameters
    ----------
    F_grid : Tensor of shape (K, n, n), from :func:`energy_grid` with the same ``extent``
    data : Tensor of shape (N, 2)
    radii : (r1, r2), the radii of the ellipse the data lie on
    reduce : "mean" (default), "max" or "min": how the points of each region are summarized

    Returns
    -------
    (inside, outside) : two Tensors of shape (K,)
    """
    reduce = choice("reduce", reduce, ("mean", "max", "min"))
    F_grid = _check_grid(F_grid)
    data = as_tensor("data", data, ndims=(2,), shape_doc="(N, 2)")
    K, n, _ = F_grid.shape
    pts = grid(extent, n, like=F_grid)
    off = off_data_mask(pts, data.to(F_grid), min_dist)
    r1, r2 = _radii(radii)
    inside = off & ((pts[:, 0] / r1) ** 2 + (pts[:, 1] / r2) ** 2 < 1)
    outside = off & ~inside
    if not inside.any() or not outside.any():
        raise ValueError("no off-data grid point inside (or outside) the ellipse: use a finer grid")
    F = F_grid.reshape(K, -1)
    if reduce == "mean":
        return F[:, inside].mean(1), F[:, outside].mean(1)
    op = torch.amax if reduce == "max" else torch.amin
    return op(F[:, inside], 1), op(F[:, outside], 1)


def landscape_table(
    F_grid: torch.Tensor,
    F_data: torch.Tensor,
    data: torch.Tensor,
    extent: float = 2.0,
    min_dist: float = 0.3,
    radii: tuple[float, float] = (1.0, 0.5),
    eps: float = 1e-3,
) -> dict[str, torch.Tensor]:
    r"""The numbers that tell a good energy landscape from a collapsed or an over-regularized one.

    Parameters
    ----------
    F_grid : Tensor of shape (K, n, n), from :func:`energy_grid` with the same ``extent``
    F_data : Tensor of shape (K, N), the free energy of the data points
    data : Tensor of shape (N, 2)
    min_dist, radii : as in :func:`on_off_energy` and :func:`inside_outside_energy`
    eps : float, the threshold of "low" energy

    Returns
    -------
    dict of Tensors of shape (K,): ``on`` (mean F on the data), ``max_on`` (largest F on the
    data), ``inside`` / ``outside`` (mean F of the off-data grid points inside / outside the
    ellipse), ``max_inside`` / ``min_inside`` (largest / smallest F of the off-data points
    inside), ``ratio`` (outside / on; NaN where on < 1e-5, the 0/0 of a collapsed model),
    ``inside_ratio`` (inside / on, NaN likewise) and ``low`` (fraction of the grid with F < eps).
    """
    on, _ = on_off_energy(F_grid, F_data, data, extent, min_dist)
    inside, outside = inside_outside_energy(F_grid, data, extent, min_dist, radii)
    max_in, _ = inside_outside_energy(F_grid, data, extent, min_dist, radii, reduce="max")
    min_in, _ = inside_outside_energy(F_grid, data, extent, min_dist, radii, reduce="min")
    nan = torch.full_like(on, float("nan"))
    ratio = torch.where(on > 1e-5, outside / on.clamp_min(1e-5), nan)
    inside_ratio = torch.where(on > 1e-5, inside / on.clamp_min(1e-5), nan)
    low = (F_grid < nonneg("eps", eps)).flatten(1).float().mean(1)
    return dict(
        on=on, max_on=F_data.max(1).values, inside=inside, outside=outside, max_inside=max_in,
        min_inside=min_in, ratio=ratio, inside_ratio=inside_ratio, low=low,
    )  # fmt: skip


def pick_good(table: dict, candidates, max_low: float = 0.1) -> int:
    r"""The rule for a "good" :math:`\lambda`: among ``candidates`` (model indices), those whose
    fraction of the plane with low energy is below ``max_low`` (not collapsed), the one with the
    largest outside / on ratio. Returns its index; ValueError if no candidate qualifies.
    """
    if not isinstance(table, dict) or not {"low", "ratio"} <= set(table):
        raise TypeError("table must be the dict of landscape_table (with 'low' and 'ratio')")
    max_low = nonneg("max_low", max_low)
    K = len(table["low"])
    if isinstance(candidates, (str, bytes)) or not hasattr(candidates, "__iter__"):
        raise TypeError(f"candidates must be a list of model indices, got {candidates!r}")
    candidates = list(candidates)
    for k in candidates:
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 0 <= k < K:
            raise ValueError(f"candidates must be model indices in [0, {K}), got {k!r}")
    ok = [
        int(k)
        for k in candidates
        if table["low"][k] < max_low and table["ratio"][k] == table["ratio"][k]
    ]
    if not ok:
        raise ValueError(f"no candidate has a fraction of low energy below max_low={max_low}")
    return max(ok, key=lambda k: table["ratio"][k].item())
