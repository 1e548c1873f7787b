"""Figures of the chapters "Sparse coding" and "ISTA and FISTA".

A digit as a sum of atoms, a code with its reconstruction, the shrinkage function, FISTA's
computation graph (the lecture's Fig. 2, redrawn) and energy-gap convergence curves.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .core import _to_numpy


def _signed_image(ax, img, title=None, vmax=None):
    vmax = vmax or float(np.abs(img).max()) or 1.0
    ax.imshow(img, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=8)
    return ax


def plot_decomposition(y, W, z, shape=(28, 28), k: int = 8):
    """A signal as a sum of its ``k`` largest atoms: top row the atoms with their coefficients,
    bottom row the partial sums ``sum_{i<=j} z_i w_i``, then the signal itself.

    Parameters
    ----------
    y : (n,) signal; W : (n, m) dictionary; z : (m,) its code; shape : (h, w) of the image.

    Returns
    -------
    The Figure.
    """
    y, W, z = _to_numpy(y).ravel(), _to_numpy(W), _to_numpy(z).ravel()
    order = np.argsort(-np.abs(z))
    order = order[: min(k, int((z != 0).sum()))]
    k = len(order)
    fig, axes = plt.subplots(2, k + 1, figsize=(1.1 * (k + 1), 2.6))
    axes = np.atleast_2d(axes)
    vmax = float(np.abs(y).max())
    partial = np.zeros_like(y)
    for j, i in enumerate(order):
        partial = partial + z[i] * W[:, i]
        _signed_image(axes[0, j], W[:, i].reshape(shape), f"{z[i]:+.2f} x atom {i}")
        _signed_image(axes[1, j], partial.reshape(shape), f"sum of {j + 1}", vmax=vmax)
    rest = int((z != 0).sum())
    _signed_image(axes[0, k], (W @ z).reshape(shape), f"all {rest} atoms", vmax=vmax)
    _signed_image(axes[1, k], y.reshape(shape), "the digit y", vmax=vmax)
    fig.tight_layout()
    return fig


def plot_code(y, W, z, shape=(28, 28), title: str | None = None, axes=None):
    """Signal, reconstruction ``W z`` and the code ``z`` as a stem plot (three panels).

    Returns the three Axes.
    """
    y, W, z = _to_numpy(y).ravel(), _to_numpy(W), _to_numpy(z).ravel()
    if axes is None:
        fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.2), gridspec_kw={"width_ratios": [1, 1, 3]})
    vmax = float(np.abs(y).max()) or 1.0
    with np.errstate(all="ignore"):  # a diverging solver's code may overflow: draw it anyway
        recon = W @ z
    _signed_image(axes[0], y.reshape(shape), "y", vmax=vmax)
    _signed_image(axes[1], recon.reshape(shape), "W z", vmax=vmax)
    nz = np.flatnonzero(z)
    axes[2].axhline(0, color="0.6", lw=0.5)
    axes[2].vlines(nz, 0, z[nz], color="C0", lw=1)
    axes[2].set_xlim(-1, len(z))
    axes[2].set_xlabel("atom index")
    axes[2].set_ylabel("z")
    if title:
        axes[2].set_title(title, fontsize=9)
    return axes


def plot_shrinkage(thresholds=(0.5, 1.0), ax=None, lim: float = 3.0):
    r"""The shrinkage (soft-thresholding) function :math:`\mathrm{sign}(x)\max(|x|-\theta, 0)`
    for a few thresholds θ, with the identity for reference. Returns the Axes."""
    import torch

    from ..sparse import shrink

    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.2))
    x = torch.linspace(-lim, lim, 601, dtype=torch.float64)
    ax.plot(x, x, color="0.7", lw=1, ls="--", label="identity")
    for t in thresholds:
        ax.plot(x, shrink(x, t), lw=2, label=rf"$\theta={t:g}$")
    ax.axhline(0, color="0.8", lw=0.5)
    ax.axvline(0, color="0.8", lw=0.5)
    ax.set_xlabel("x")
    ax.set_ylabel(r"shrink$_\theta(x)$")
    ax.legend(frameon=False, fontsize=8)
    ax.set_aspect("equal")
    return ax


def _box(ax, xy, text, w=1.5, h=0.7, color="#dbe9f6"):
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05", fc=color, ec="0.2", lw=1
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax, a, b, text=None, rad=0.0, offset=(0, 0.18)):
    ax.add_patch(
        FancyArrowPatch(
            a,
            b,
            arrowstyle="-|>",
            mutation_scale=12,
            lw=1.2,
            color="0.2",
            connectionstyle=f"arc3,rad={rad}",
        )
    )
    if text:
        ax.text(
            (a[0] + b[0]) / 2 + offset[0],
            (a[1] + b[1]) / 2 + offset[1],
            text,
            ha="center",
            va="bottom",
            fontsize=8,
            color="0.25",
        )


def draw_fista_graph(ax=None):
    r"""FISTA as a computation graph (after Fig. 2 of the lecture), with the library's constants.

    y enters through :math:`W_e^\top = \frac1L W^\top`; the sum with :math:`S x(t)`,
    :math:`S = I - \frac1L W^\top W`, goes through :math:`\mathrm{shrink}_{\lambda/(2L)}` (our energy
    has no 1/2, see the solvers' docstring) to give z(t+1); the momentum block forms
    :math:`x(t+1) = z(t+1) + \beta_t (z(t+1) - z(t))` that feeds back through S. Returns the Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 3.4))
    ax.set_xlim(0, 11)
    ax.set_ylim(0, 4.4)
    ax.axis("off")
    ax.text(0.5, 3, "y", fontsize=14, ha="center", va="center")
    _box(ax, (2.3, 3), r"$W_e^\top = \frac{1}{L}W^\top$", w=2.0)
    ax.add_patch(plt.Circle((4.4, 3), 0.3, fc="white", ec="0.2"))
    ax.text(4.4, 3, "+", ha="center", va="center", fontsize=14)
    _box(ax, (6.4, 3), r"shrink$_{\lambda/(2L)}$", w=2.0, color="#fde0c5")
    ax.text(10.4, 3, "z(t+1)", fontsize=12, ha="center", va="center")
    _box(
        ax,
        (8.6, 1.1),
        "momentum\n" + r"$z + \beta_t(z - z_{\rm prev})$",
        w=2.6,
        h=0.9,
        color="#e2f0d9",
    )
    _box(ax, (4.4, 1.1), r"$S = I - \frac{1}{L}W^\top W$", w=2.4)
    _arrow(ax, (0.7, 3), (1.25, 3))
    _arrow(ax, (3.3, 3), (4.1, 3), r"$W_e^\top y$")
    _arrow(ax, (4.7, 3), (5.35, 3))
    _arrow(ax, (7.45, 3), (9.8, 3))
    _arrow(ax, (8.6, 3), (8.6, 1.6), "delay", offset=(0.45, -0.1))
    _arrow(ax, (7.3, 1.1), (5.65, 1.1), "x(t)", offset=(0, 0.05))
    _arrow(ax, (4.4, 1.6), (4.4, 2.7), r"$S\,x(t)$", offset=(0.5, -0.1))
    ax.text(
        5.5,
        4.15,
        r"ISTA: $\beta_t = 0$;  FISTA: $\beta_t = (t_{k-1}-1)/t_k$, "
        r"$t_k = (1+\sqrt{1+4t_{k-1}^2})/2$",
        ha="center",
        fontsize=9,
    )
    return ax


def plot_gaps(gaps: dict, ax=None, reference: dict | None = None, k0: int = 10):
    """Energy gap to the minimum vs iteration on log-log axes, one curve per solver.

    Parameters
    ----------
    gaps : dict {label: array of shape (T+1,)}, relative gaps (E(z_k) - E*) / E* from k = 0.
    reference : dict {p: label}, optional
        Draw a reference slope :math:`O(1/k^p)` through the curve ``label`` at iteration ``k0``
        (shifted up by a factor 3, so it guides the eye without hiding the curve).
        Default: ``{1: first label, 2: second label}``.

    Returns
    -------
    The Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.8))
    curves = {k: np.asarray(_to_numpy(g), dtype=np.float64) for k, g in gaps.items()}
    for label, g in curves.items():
        k = np.arange(len(g))
        keep = (k >= 1) & (g > 0)
        ax.loglog(k[keep], g[keep], lw=1.8, label=label)
    labels = list(curves)
    if reference is None:
        reference = {p: labels[i] for i, p in enumerate((1, 2)) if i < len(labels)}
    styles = {1: "k--", 2: "k:"}
    for p, label in reference.items():
        g = curves[label]
        k = np.arange(1, len(g))
        anchor = 3 * g[k0] * k0**p
        ax.loglog(
            k,
            anchor / k**p,
            styles.get(p, "k-."),
            lw=0.9,
            label={1: "O(1/k)", 2: "O(1/k²)"}.get(p, f"O(1/k^{p})"),
        )
    ax.set_xlabel("iteration k")
    ax.set_ylabel("relative energy gap")
    ax.set_ylim(1e-12, 10)
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_codes(Y, W, Z, shape=(28, 28), titles=None):
    """One row of :func:`plot_code` per signal (rows of ``Y`` and ``Z``). Returns the Figure."""
    Y, Z = _to_numpy(Y), _to_numpy(Z)
    k = Y.shape[0]
    fig, axes = plt.subplots(
        k, 3, figsize=(7.5, 1.9 * k), gridspec_kw={"width_ratios": [1, 1, 3]}, squeeze=False
    )
    for i in range(k):
        plot_code(Y[i], W, Z[i], shape, None if titles is None else titles[i], axes=axes[i])
    fig.tight_layout()
    return fig


def plot_energy_curves(curves: dict, ax=None, ylabel: str = "energy", logy: bool = True, ylim=None):
    """Energy (or any per-iteration quantity) vs iteration, one line per label. Returns the Axes.

    Parameters
    ----------
    curves : dict {label: array of shape (T+1,)}
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.5))
    for label, c in curves.items():
        c = np.asarray(_to_numpy(c), dtype=np.float64)
        ax.plot(np.arange(len(c)), c, lw=1.6, label=label)
    if logy:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)  # e.g. to keep diverging runs from squashing the others
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8)
    return ax
