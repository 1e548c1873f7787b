"""Figures of chapter 1: energy landscapes over the y-plane, and the latent EBM's diagram."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm, Normalize

from . import diagram
from .core import to_numpy


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
    F = to_numpy(F)
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
        d = to_numpy(data)
        ax.scatter(d[:, 0], d[:, 1], s=2, c="white", lw=0, label="data $y$")
    if recon is not None:
        r = to_numpy(recon)
        ax.scatter(r[:, 0], r[:, 1], s=2, c="tab:red", lw=0, label=r"$\mathrm{Dec}(\check z)$")
    ax.set_xlabel("$y_1$")
    ax.set_ylabel("$y_2$")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="$F(y)$")
    return ax


def draw_latent_ebm(ax=None, conditional: bool = True):
    r"""The latent-variable EBM as a diagram (the lecture's Fig. 1), in the book's diagram
    convention (:mod:`latentebm.plotting.diagram`).

    x -> Pred -> h;  (h, z) -> Dec -> :math:`\bar y`;  :math:`C(y, \bar y)`;  :math:`R(z)`.
    Observed variables are shaded circles, the latent z a white one, deterministic functions
    blue rounded boxes, and the energy terms red square boxes; E is the sum of the red boxes.
    With ``conditional=False`` the x -> Pred -> h branch is left out.

    Returns
    -------
    The Axes.
    """
    ax = diagram.canvas(9, 5, ax=ax, figsize=(6.4, 3.4))
    z = diagram.node(ax, (4.6, 0.6), "$z$", "latent")
    dec = diagram.box(ax, (4.6, 2.1), "Dec")
    reg = diagram.box(ax, (2.6, 1.1), r"$\lambda R(z)$", "energy", w=1.5)
    y = diagram.node(ax, (7.4, 2.1), "$y$", "observed")
    cost = diagram.box(ax, (6.2, 3.5), r"$C(y, \bar y)$", "energy", w=1.6)
    diagram.arrow(ax, z, dec)
    diagram.arrow(ax, z, reg)
    diagram.arrow(ax, dec, cost, r"$\bar y$", offset=(-0.3, 0.05))
    diagram.arrow(ax, y, cost)
    if conditional:
        x = diagram.node(ax, (0.7, 3.5), "$x$", "observed")
        pred = diagram.box(ax, (2.3, 3.5), "Pred")
        diagram.arrow(ax, x, pred)
        diagram.arrow(ax, pred, dec, "$h$", offset=(0.1, 0.1))
    ax.text(4.5, 4.6, r"$E(x, y, z) = C(y, \mathrm{Dec}(\mathrm{Pred}(x), z)) + \lambda R(z)$",
            ha="center", fontsize=11)  # fmt: skip
    return ax
