"""Shared figure helpers: one book style, signed atoms on a grid, figures to PNG bytes."""

from __future__ import annotations

import io
import math

import matplotlib
import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import nonneg_int, positive_int

BOOK_STYLE = {
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "figure.figsize": (6.0, 4.0),
    "axes.grid": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "axes.titlesize": 10,
    "image.interpolation": "nearest",
    "svg.hashsalt": "latentebm",  # deterministic ids if anyone saves SVG
}


def use_book_style() -> None:
    """Apply the book's matplotlib style (small, readable, deterministic figures)."""
    matplotlib.rcParams.update(BOOK_STYLE)


def _to_numpy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().float().cpu().numpy()
    return np.asarray(x, dtype=np.float32)


def show_atoms(
    W,
    shape: tuple[int, int],
    ax=None,
    ncols: int | None = None,
    title: str | None = None,
    pad: int = 1,
    per_atom_scale: bool = True,
):
    """Draw the columns of ``W`` as small images on a grid (signed: diverging colormap).

    Parameters
    ----------
    W : Tensor or array of shape (n, m), n = shape[0] * shape[1]
        One atom per column (the library's convention), or a stack of kernels of shape
        (m, h, w) / (m, 1, h, w).
    shape : (h, w) of one atom
    ax : matplotlib Axes, optional
    ncols : atoms per row (default: about sqrt(m))
    per_atom_scale : bool
        Scale each atom to its own largest absolute value (default), so weak atoms stay visible;
        otherwise one symmetric scale for all.

    Returns
    -------
    The Axes.
    """
    if not isinstance(W, (torch.Tensor, np.ndarray)):
        raise TypeError(f"W must be a tensor or array of shape (h * w, m), got {type(W).__name__}")
    A = _to_numpy(W)
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__") or len(shape) != 2:
        raise ValueError(f"shape must be a pair (h, w) of positive ints, got {shape!r}")
    h, w = positive_int("shape[0]", shape[0]), positive_int("shape[1]", shape[1])
    if ncols is not None:
        ncols = positive_int("ncols", ncols)
    pad = nonneg_int("pad", pad)
    if A.ndim not in (2, 3, 4) or A.size == 0 or (A.ndim > 2 and A[0].size != h * w):
        raise ValueError(
            f"W must have shape ({h * w}, m), or (m, {h}, {w}) / (m, 1, {h}, {w}), got {A.shape}"
        )
    if not np.isfinite(A).all():
        raise ValueError("W contains NaN or infinite values")
    if A.ndim == 2:
        if A.shape[0] != h * w:
            raise ValueError(
                f"W must have shape ({h * w}, m) for atoms of shape {shape}, got {A.shape}"
            )
        atoms = A.T.reshape(-1, h, w)  # (m, h, w)
    else:
        atoms = A.reshape(A.shape[0], h, w)
    m = atoms.shape[0]
    ncols = ncols or math.ceil(math.sqrt(m))
    nrows = math.ceil(m / ncols)
    if per_atom_scale:
        atoms = atoms / np.maximum(np.abs(atoms).reshape(m, -1).max(1), 1e-12)[:, None, None]
    vmax = np.abs(atoms).max() or 1.0
    canvas = np.zeros((nrows * (h + pad) + pad, ncols * (w + pad) + pad), dtype=np.float32)
    canvas[:] = np.nan
    for k in range(m):
        r, c = divmod(k, ncols)
        canvas[
            pad + r * (h + pad) : pad + r * (h + pad) + h,
            pad + c * (w + pad) : pad + c * (w + pad) + w,
        ] = atoms[k]
    if ax is None:
        _, ax = plt.subplots(figsize=(min(8, 0.45 * ncols + 1), min(8, 0.45 * nrows + 1)))
    cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="0.85")
    ax.imshow(canvas, cmap=cmap, vmin=-vmax, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def fig_to_png(fig, dpi: int | None = None) -> bytes:
    """Render a figure to PNG bytes and close it (for precomputed widgets)."""
    if not isinstance(fig, matplotlib.figure.Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if dpi is not None:
        dpi = positive_int("dpi", dpi)
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi=dpi or matplotlib.rcParams["savefig.dpi"],
        bbox_inches="tight",
        metadata={"Software": None},
    )
    plt.close(fig)
    return buf.getvalue()
