"""Shared figure pieces: one book style, arrays for matplotlib, signed images, atoms on a grid,
figures to PNG bytes.

Every plot helper of the package follows one contract: it takes ``ax=None`` (an Axes, or for a
figure of several panels an array of Axes), draws, and returns what it drew on (the Axes, or the
array of Axes); it never calls ``plt.show()``. Without ``ax`` it makes its own figure.
"""

from __future__ import annotations

import io
import math

import matplotlib
import matplotlib.axes
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
SIGNED_CMAP = "RdBu_r"  # signed values (atoms, codes, filters): blue < 0 < red, white at 0


def use_book_style() -> None:
    """Apply the book's matplotlib style (small, readable, deterministic figures)."""
    matplotlib.rcParams.update(BOOK_STYLE)


def to_numpy(x, dtype=np.float32) -> np.ndarray:
    """A tensor (any device, with or without grad), array or nested sequence of numbers as a NumPy
    array of ``dtype`` (float32 by default), ready for matplotlib."""
    return _array(x, "x", dtype)


def _array(x, name: str, dtype=np.float32) -> np.ndarray:
    """:func:`to_numpy`, naming the argument ``name`` when ``x`` is not numbers."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        return (x.float() if x.is_floating_point() else x).numpy().astype(dtype)  # bf16: no numpy
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a tensor, an array or numbers, got {type(x).__name__}")
    try:
        return np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"{name} must be a tensor, an array or numbers, got {type(x).__name__} ({e})"
        ) from None


def signed_rgb(x) -> np.ndarray:
    """Signed colour values (3, H, W) as an (H, W, 3) RGB image: 0 is mid-grey, one symmetric
    scale for the three channels."""
    x = to_numpy(x)
    if x.ndim != 3 or x.shape[0] != 3:
        raise ValueError(f"x must have shape (3, H, W), got {x.shape}")
    v = float(np.abs(x).max()) or 1.0
    return np.clip(0.5 + 0.5 * np.moveaxis(x, 0, -1) / v, 0, 1)


def signed_image(img, ax=None, vmax: float | None = None, title: str | None = None, cmap=None):
    """Draw signed values as an image centred on zero: the book's one picture of atoms, codes,
    filters and whitened images.

    Parameters
    ----------
    img : Tensor or array of shape (H, W) or (1, H, W) (a diverging colour map, white at 0), or
        (3, H, W) (colour: RGB around mid-grey, see :func:`signed_rgb`)
    ax : matplotlib Axes, optional
    vmax : the value drawn at full colour (default: the largest ``|img|``); limits are ±vmax
    title : str, optional
    cmap : colour map for grey images (default ``"RdBu_r"``; ``"gray"`` for a photograph)

    Returns
    -------
    The Axes.
    """
    a = _array(img, "img")
    if a.ndim == 3 and a.shape[0] == 1:
        a = a[0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[0] != 3) or a.size == 0:
        raise ValueError(f"img must have shape (H, W), (1, H, W) or (3, H, W), got {a.shape}")
    if vmax is None:
        vmax = float(np.nanmax(np.abs(a))) if np.isfinite(a).any() else 1.0
    vmax = float(vmax) or 1.0
    if ax is None:
        _, ax = plt.subplots(figsize=(3, 3))
    if a.ndim == 3:
        ax.imshow(np.clip(0.5 + 0.5 * np.moveaxis(a, 0, -1) / vmax, 0, 1))
    else:
        ax.imshow(a, cmap=cmap or SIGNED_CMAP, vmin=-vmax, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return ax


def tile(images, ncols: int, pad: int = 1, fill: float = np.nan) -> np.ndarray:
    """Images side by side on one canvas, row after row: shape (m, h, w) or (m, h, w, 3) in,
    ``ncols`` images per row, ``pad`` pixels apart, the gaps filled with ``fill`` (NaN: drawn in
    the colour map's "bad" colour). Returns the canvas, float32."""
    images = _array(images, "images")
    if images.ndim not in (3, 4) or images.size == 0 or images.shape[3:] not in ((), (3,)):
        raise ValueError(f"images must have shape (m, h, w) or (m, h, w, 3), got {images.shape}")
    ncols, pad = positive_int("ncols", ncols), nonneg_int("pad", pad)
    m, h, w = images.shape[:3]
    nrows = math.ceil(m / ncols)
    canvas = np.full(
        (nrows * (h + pad) + pad, ncols * (w + pad) + pad, *images.shape[3:]), fill, np.float32
    )
    for k in range(m):
        r, c = divmod(k, ncols)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        canvas[top : top + h, left : left + w] = images[k]
    return canvas


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
    A = to_numpy(W)
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
    if ax is None:
        _, ax = plt.subplots(figsize=(min(8, 0.45 * ncols + 1), min(8, 0.45 * nrows + 1)))
    cmap = matplotlib.colormaps[SIGNED_CMAP].with_extremes(bad="0.85")  # the gaps: light grey
    return signed_image(
        tile(atoms, ncols, pad), ax=ax, vmax=float(np.abs(atoms).max()), title=title, cmap=cmap
    )


def _figure_of(drawn) -> matplotlib.figure.Figure:
    """The Figure behind what a plot helper returned: a Figure, an Axes, or an array or sequence
    of Axes."""
    if isinstance(drawn, matplotlib.figure.Figure):
        return drawn
    if isinstance(drawn, matplotlib.axes.Axes):
        return drawn.figure
    if isinstance(drawn, (np.ndarray, list, tuple)) and len(drawn) > 0:
        first = np.ravel(np.asarray(drawn, dtype=object))[0]
        if isinstance(first, matplotlib.axes.Axes):
            return first.figure
    raise TypeError(
        f"expected a matplotlib Figure, Axes or array of Axes, got {type(drawn).__name__}"
    )


def fig_to_png(fig, dpi: int | None = None) -> bytes:
    """Render a figure to PNG bytes and close it (for precomputed widgets).

    ``fig`` is a Figure, or what a plot helper returned (an Axes or an array of Axes).
    """
    try:
        fig = _figure_of(fig)
    except TypeError:
        raise TypeError(
            f"fig must be a matplotlib Figure or Axes, got {type(fig).__name__}"
        ) from None
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
