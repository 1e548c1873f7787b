"""Figures of chapter 1: energy landscapes over the y-plane, and the latent EBM's diagram."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm, Normalize
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .core import _to_numpy


def plot_landscape(
    F,
    extent: float = 2.0,
    data=None,
    recon=None,
    ax=None,
    vmax: float | None = 3.0,
    title: str | None = None,
    colorbar: bool = True,
    log: bool = True,
    vmin: float = 1e-4,
):
    """Draw a free energy F over the square [-extent, extent]^2 (low = dark), with the data and
    their reconstructions :math:`\\mathrm{Dec}(\\check z)`.

    Parameters
    ----------
    F : Tensor or array of shape (n, n), row i at y2_i (as ``latentebm.latent.energy_grid``)
    extent : half-width of the square
    data : (N, 2) points drawn as small white dots (optional)
    recon : (N, 2) decoded points drawn as small red dots (optional)
    ax : matplotlib Axes (default: a new figure)
    vmax : top of the colour scale (None: the 99th percentile of F)
    log : bool, logarithmic colour scale from ``vmin`` to ``vmax`` (default): energies of a
        collapsed model (~1e-6) and of an over-regularized one (~1) fit on one scale
    title : str, optional
    colorbar : bool, add a colour bar

    Returns
    -------
    The Axes.
    """
    F = _to_numpy(F)
    if F.ndim != 2 or F.shape[0] != F.shape[1]:
        raise ValueError(f"F must have shape (n, n), got {F.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(3.6, 3.2))
    vmax = float(np.percentile(F, 99)) if vmax is None else vmax
    norm = (
        LogNorm(vmin=vmin, vmax=max(vmax, 2 * vmin), clip=True)
        if log
        else Normalize(0.0, max(vmax, 1e-6))
    )
    im = ax.imshow(
        np.maximum(F, vmin) if log else F,
        extent=[-extent, extent, -extent, extent],
        origin="lower",
        cmap="viridis",
        norm=norm,
    )
    if data is not None:
        d = _to_numpy(data)
        ax.scatter(d[:, 0], d[:, 1], s=2, c="white", lw=0, label="data $y$")
    if recon is not None:
        r = _to_numpy(recon)
        ax.scatter(r[:, 0], r[:, 1], s=2, c="tab:red", lw=0, label=r"$\mathrm{Dec}(\check z)$")
    ax.set_xlabel("$y_1$")
    ax.set_ylabel("$y_2$")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="$F(y)$")
    return ax


def _box(ax, xy, text, color, w=1.3, h=0.6, rounded=True, fontsize=11):
    x, y = xy
    style = "round,pad=0.05,rounding_size=0.15" if rounded else "square,pad=0.05"
    ax.add_patch(
        FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=style, fc=color, ec="black", lw=1.2)
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _circle(ax, xy, text, color):
    ax.add_patch(plt.Circle(xy, 0.32, fc=color, ec="black", lw=1.2))
    ax.text(xy[0], xy[1], text, ha="center", va="center", fontsize=13)


def _arrow(ax, a, b):
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, lw=1.3, color="black"))


def draw_latent_ebm(ax=None, conditional: bool = True):
    r"""The latent-variable EBM as a diagram (the lecture's Fig. 1), drawn with matplotlib.

    x -> Pred -> h;  (h, z) -> Dec -> :math:`\bar y`;  :math:`C(y, \bar y)`;  :math:`R(z)`.
    Observed variables are grey circles, the latent z a white one, deterministic functions
    rounded boxes, and the energy terms square red boxes; E is the sum of the red boxes.
    With ``conditional=False`` the x -> Pred -> h branch is left out.

    Returns
    -------
    The Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.4))
    grey, white, fn, cost = "0.80", "white", "#cfe2f3", "#f4cccc"
    ax.set_xlim(0, 9)
    ax.set_ylim(0, 5)
    ax.set_aspect("equal")
    ax.axis("off")
    _circle(ax, (4.6, 0.6), "$z$", white)
    _box(ax, (4.6, 2.1), "Dec", fn)
    _box(ax, (2.6, 1.1), r"$\lambda R(z)$", cost, w=1.5, rounded=False)
    _arrow(ax, (4.6, 0.92), (4.6, 1.78))
    _arrow(ax, (4.3, 0.5), (3.37, 0.95))
    _circle(ax, (7.4, 2.1), "$y$", grey)
    _box(ax, (6.2, 3.5), r"$C(y, \bar y)$", cost, w=1.6, rounded=False)
    ax.text(4.8, 2.9, r"$\bar y$", fontsize=12)
    _arrow(ax, (4.6, 2.42), (5.6, 3.2))
    _arrow(ax, (7.3, 2.42), (6.75, 3.2))
    if conditional:
        _circle(ax, (0.7, 3.5), "$x$", grey)
        _box(ax, (2.3, 3.5), "Pred", fn)
        ax.text(3.25, 3.05, "$h$", fontsize=12)
        _arrow(ax, (1.02, 3.5), (1.65, 3.5))
        _arrow(ax, (2.95, 3.3), (4.1, 2.4))
    ax.text(
        4.5,
        4.6,
        r"$E(x, y, z) = C(y, \mathrm{Dec}(\mathrm{Pred}(x), z)) + \lambda R(z)$",
        ha="center",
        fontsize=11,
    )
    return ax


def plot_section(s, F, labels, ax=None, data_at=(-1.0, 1.0), axis_name="$y_1$", title=None):
    """Cross-sections of free energies along a line through the centre (log scale), one curve per
    model, with dotted lines where the line crosses the data.

    Parameters
    ----------
    s : (n,) positions along the line (``latentebm.latent.section``'s first output)
    F : (K, n) free energies, one row per model
    labels : K labels for the legend
    ax : matplotlib Axes (default: a new figure)
    data_at : positions of the data on the line (dotted vertical lines)
    axis_name : label of the horizontal axis
    title : str, optional

    Returns
    -------
    The Axes.
    """
    s, F = _to_numpy(s), _to_numpy(F)
    if s.ndim != 1 or F.ndim != 2 or F.shape[1] != s.shape[0]:
        raise ValueError(f"s must have shape (n,) and F shape (K, n), got {s.shape} and {F.shape}")
    if len(labels) != F.shape[0]:
        raise ValueError(f"labels must hold {F.shape[0]} labels (one per row of F), got {len(labels)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    for row, label in zip(F, labels, strict=True):
        ax.semilogy(s, np.maximum(row, 1e-6), label=label)
    for x in data_at:
        ax.axvline(x, color="grey", ls=":", lw=1)
    ax.set(xlabel=axis_name, ylabel="$F(y)$")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return ax
