"""Figures of the chapters "Sparse coding" and "ISTA and FISTA".

A digit as a sum of atoms, a code with its reconstruction, the shrinkage function, FISTA's
computation graph (the lecture's Fig. 2, redrawn) and energy-gap convergence curves.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import positive_int
from ..sparse import shrink
from . import diagram
from .core import signed_image, to_numpy


def _panel(ax, img, title, vmax=None):
    signed_image(img, ax=ax, vmax=vmax)
    ax.set_title(title, fontsize=8)


def plot_decomposition(y, W, z, shape=(28, 28), k: int = 8, ax=None):
    """A signal as a sum of its ``k`` largest atoms: top row the atoms with their coefficients,
    bottom row the partial sums ``sum_{i<=j} z_i w_i``, then the signal itself.

    Parameters
    ----------
    y : (n,) signal; W : (n, m) dictionary; z : (m,) its code; shape : (h, w) of the image.
    ax : array of Axes of shape (2, k + 1), optional (when the code has fewer than ``k``
        non-zeros, the panels beyond them stay empty)

    Returns
    -------
    The (2, K + 1) array of Axes, K = min(k, number of non-zeros) when the helper made them.
    """
    y, W, z = to_numpy(y).ravel(), to_numpy(W), to_numpy(z).ravel()
    order = np.argsort(-np.abs(z))
    order = order[: min(k, int((z != 0).sum()))]
    made = ax is None
    if made:
        _, ax = plt.subplots(
            2, len(order) + 1, figsize=(1.1 * (len(order) + 1), 2.6), squeeze=False
        )
    ax = np.asarray(ax, dtype=object)
    if ax.ndim != 2 or ax.shape[0] != 2 or ax.shape[1] < len(order) + 1:
        raise ValueError(f"ax must be a (2, {len(order) + 1}) array of Axes, got shape {ax.shape}")
    vmax = float(np.abs(y).max())
    partial = np.zeros_like(y)
    for j, i in enumerate(order):
        partial = partial + z[i] * W[:, i]
        _panel(ax[0, j], W[:, i].reshape(shape), f"{z[i]:+.2f} x atom {i}")
        _panel(ax[1, j], partial.reshape(shape), f"sum of {j + 1}", vmax=vmax)
    last = ax.shape[1] - 1
    _panel(ax[0, last], (W @ z).reshape(shape), f"all {int((z != 0).sum())} atoms", vmax=vmax)
    _panel(ax[1, last], y.reshape(shape), "the digit y", vmax=vmax)
    for a in ax[:, len(order) : last].ravel():
        a.axis("off")
    if made:
        ax[0, 0].figure.tight_layout()
    return ax


def plot_code(y, W, z, shape=(28, 28), title: str | None = None, ax=None):
    """Signal, reconstruction ``W z`` and the code ``z`` as a stem plot (three panels).

    Parameters
    ----------
    y : (n,) signal; W : (n, m) dictionary; z : (m,) its code; shape : (h, w) of the image.
    ax : three Axes, optional

    Returns
    -------
    The three Axes (an array).
    """
    y, W, z = to_numpy(y).ravel(), to_numpy(W), to_numpy(z).ravel()
    if ax is None:
        _, ax = plt.subplots(1, 3, figsize=(7.5, 2.2), gridspec_kw={"width_ratios": [1, 1, 3]})
    ax = np.asarray(ax, dtype=object).ravel()
    if ax.size != 3:
        raise ValueError(f"ax must be three Axes, got {ax.size}")
    vmax = float(np.abs(y).max()) or 1.0
    with np.errstate(all="ignore"):  # a diverging solver's code may overflow: draw it anyway
        recon = W @ z
    _panel(ax[0], y.reshape(shape), "y", vmax=vmax)
    _panel(ax[1], recon.reshape(shape), "W z", vmax=vmax)
    nz = np.flatnonzero(z)
    ax[2].axhline(0, color="0.6", lw=0.5)
    ax[2].vlines(nz, 0, z[nz], color="C0", lw=1)
    ax[2].set_xlim(-1, len(z))
    ax[2].set_xlabel("atom index")
    ax[2].set_ylabel("z")
    if title:
        ax[2].set_title(title, fontsize=9)
    return ax


def plot_shrinkage(thresholds=(0.5, 1.0), ax=None, lim: float = 3.0):
    r"""The shrinkage (soft-thresholding) function :math:`\mathrm{sign}(x)\max(|x|-\theta, 0)`
    for a few thresholds θ, with the identity for reference. Returns the Axes."""
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


def draw_fista_graph(ax=None):
    r"""FISTA as a computation graph (after Fig. 2 of the lecture), with the library's constants.

    y enters through :math:`W_e^\top = \frac1L W^\top`; the sum with :math:`S x(t)`,
    :math:`S = I - \frac1L W^\top W`, goes through :math:`\mathrm{shrink}_{\lambda/(2L)}` (our energy
    has no 1/2, see the solvers' docstring) to give z(t+1); the momentum block forms
    :math:`x(t+1) = z(t+1) + \beta_t (z(t+1) - z(t))` that feeds back through S. Drawn in the
    book's diagram convention (:mod:`latentebm.plotting.diagram`). Returns the Axes.
    """
    ax = diagram.canvas(11, 4.4, ax=ax, figsize=(8.5, 3.4))
    y = diagram.node(ax, (0.5, 3), "$y$", "observed")
    we = diagram.box(ax, (2.3, 3), r"$W_e^\top = \frac{1}{L}W^\top$", w=2.0, h=0.7)
    plus = diagram.op(ax, (4.4, 3), "+")
    sh = diagram.box(ax, (6.4, 3), r"shrink$_{\lambda/(2L)}$", w=2.0, h=0.7)
    out = (10.0, 3)
    ax.text(10.1, 3, "$z(t+1)$", fontsize=12, ha="left", va="center")
    mom = diagram.box(ax, (8.6, 1.1), "momentum\n" + r"$z + \beta_t(z - z_{\rm prev})$",
                      w=2.6, h=0.9)  # fmt: skip
    s_box = diagram.box(ax, (4.4, 1.1), r"$S = I - \frac{1}{L}W^\top W$", w=2.4, h=0.7)
    diagram.arrow(ax, y, we)
    diagram.arrow(ax, we, plus, r"$W_e^\top y$")
    diagram.arrow(ax, plus, sh)
    diagram.arrow(ax, sh, out)
    diagram.arrow(ax, (8.6, 3), mom, "delay", offset=(0.1, 0.0))
    diagram.arrow(ax, mom, s_box, "$x(t)$")
    diagram.arrow(ax, s_box, plus, r"$S\,x(t)$", offset=(0.1, 0.0))
    ax.text(
        5.5,
        4.15,
        r"ISTA: $\beta_t = 0$;  FISTA: $\beta_t = (t_{k-1}-1)/t_k$, "
        r"$t_k = (1+\sqrt{1+4t_{k-1}^2})/2$",
        ha="center",
        fontsize=9,
    )
    return ax


def draw_fista_unrolled(n_steps: int = 3, ax=None):
    r"""FISTA unrolled through ``n_steps`` iterations: a recurrent network (lecture Fig. 2, drawn
    through time as chapter 4 draws LISTA).

    :math:`b = W_e^\top y` is computed once and enters every step; step k computes
    :math:`z_{k+1} = \mathrm{shrink}_{\lambda/(2L)}(b + S\,x_k)` and the momentum
    :math:`x_{k+1} = z_{k+1} + \beta_{k+1} (z_{k+1} - z_k)`, whose skip connection from
    :math:`z_k` is the only difference from ISTA (:math:`\beta = 0`: x = z; FISTA's first
    coefficient :math:`\beta_1` is 0 too). The same :math:`W_e`, S and threshold at
    every step. In the book's diagram convention (:mod:`latentebm.plotting.diagram`). Returns the
    Axes.
    """
    n_steps = positive_int("n_steps", n_steps)
    step = 5.2
    x0 = 1.2
    width = x0 + step * n_steps + 0.3
    ax = diagram.canvas(
        width, 3.6, ax=ax, figsize=(min(9.0, 0.55 * width), 3.6 * min(9.0, 0.55 * width) / width)
    )
    row, bus = 1.9, 0.45
    z_prev = diagram.node(ax, (0.5, row), "$z_0$", "latent", r=0.3, fontsize=10)
    ax.text(0.5, row - 0.55, "$=x_0=0$", ha="center", va="top", fontsize=8)
    y = diagram.node(ax, (x0 + 0.2, bus), "$y$", "observed", r=0.28, fontsize=10)
    we = diagram.box(ax, (x0 + 1.1, bus), r"$W_e^\top$", w=0.75, h=0.5, fontsize=9)
    diagram.arrow(ax, y, we)
    x_src = z_prev
    for k in range(n_steps):
        X = x0 + k * step
        s_box = diagram.box(ax, (X + 0.4, row), "$S$", w=0.5, h=0.5, fontsize=9)
        diagram.arrow(ax, x_src, s_box)
        if k:
            ax.text(X - 0.05, row - 0.3, f"$x_{k}$", ha="center", va="top", fontsize=10)
        plus = diagram.op(ax, (X + 1.3, row), "+", size=0.36)
        diagram.arrow(ax, s_box, plus)
        diagram.arrow(ax, (X + 1.3, bus), plus)
        sh = diagram.box(ax, (X + 2.35, row), "shrink", w=1.1, h=0.5, fontsize=9)
        diagram.arrow(ax, plus, sh)
        z = diagram.node(ax, (X + 3.35, row), f"$z_{k + 1}$", "latent", r=0.3, fontsize=10)
        diagram.arrow(ax, sh, z)
        mom = diagram.box(ax, (X + 4.45, row), rf"$+\beta_{{{k + 1}}}\Delta$", w=0.95, h=0.5,
                          fontsize=9)  # fmt: skip
        diagram.arrow(ax, z, mom)
        top = row + (0.6 if k % 2 == 0 else 0.85)
        zc = z_prev.center
        diagram.arrow(ax, z_prev, mom, dashed=True, via=[(zc[0], top), (X + 4.45, top)])
        z_prev, x_src = z, mom
    ax.plot([we.get_x() + we.get_width(), x0 + step * (n_steps - 1) + 1.3], [bus, bus],
            color=diagram.EDGE, lw=1.2, zorder=1)  # fmt: skip
    ax.text(x0 + 1.6, bus - 0.35, r"$b = W_e^\top y$, once", fontsize=8, va="top")
    ax.text(width - 0.2, row - 0.3, f"$x_{n_steps}$", ha="right", va="top", fontsize=10)
    diagram.arrow(ax, x_src, (width - 0.1, row))
    ax.text(width / 2, 3.3, r"dashed: the momentum's skip connection, $\Delta = z_{k+1} - z_k$;"
            r"  ISTA: $\beta_k = 0$", ha="center", fontsize=9)  # fmt: skip
    return ax


def plot_gaps(gaps: dict, ax=None, reference: dict | None = None, k0: int = 10,
              bounds: dict | None = None):  # fmt: skip
    """Energy gap to the minimum vs iteration on log-log axes, one curve per solver.

    Parameters
    ----------
    gaps : dict {label: array of shape (T+1,)}, relative gaps (E(z_k) - E*) / E* from k = 0.
    reference : dict {p: label}, optional
        Draw a reference slope :math:`O(1/k^p)` through the curve ``label`` at iteration ``k0``
        (shifted up by a factor 3, so it guides the eye without hiding the curve).
        Default: ``{1: first label, 2: second label}``, or none when ``bounds`` are given.
    bounds : dict {label: array of shape (T+1,)}, optional
        Upper bounds on the gaps of some of the curves (e.g. the worst-case rates), drawn dashed
        in the colour of the curve with the same label.

    Returns
    -------
    The Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.8))
    curves = {k: np.asarray(to_numpy(g), dtype=np.float64) for k, g in gaps.items()}
    bounds = {} if bounds is None else dict(bounds)
    unknown = [b for b in bounds if b not in curves]
    if unknown:
        raise ValueError(f"bounds: labels {unknown} are not among the gaps' {list(curves)}")
    colours = {}
    for label, g in curves.items():
        k = np.arange(len(g))
        keep = (k >= 1) & (g > 0)
        (line,) = ax.loglog(k[keep], g[keep], lw=1.8, label=label)
        colours[label] = line.get_color()
    for label, b in bounds.items():
        b = np.asarray(to_numpy(b), dtype=np.float64)
        k = np.arange(len(b))
        keep = (k >= 1) & (b > 0)
        ax.loglog(k[keep], b[keep], "--", lw=1.0, color=colours[label], label=f"{label}: bound")
    labels = list(curves)
    if reference is None and bounds:
        reference = {}
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


def plot_codes(Y, W, Z, shape=(28, 28), titles=None, ax=None):
    """One row of :func:`plot_code` per signal (rows of ``Y`` and ``Z``).

    Parameters
    ----------
    Y : (N, n) signals; W : (n, m) dictionary; Z : (N, m) their codes; shape : (h, w) of an image.
    titles : N titles (one per row), optional
    ax : array of Axes of shape (N, 3), optional

    Returns
    -------
    The (N, 3) array of Axes.
    """
    Y, Z = to_numpy(Y), to_numpy(Z)
    k = Y.shape[0]
    made = ax is None
    if made:
        _, ax = plt.subplots(
            k, 3, figsize=(7.5, 1.9 * k), gridspec_kw={"width_ratios": [1, 1, 3]}, squeeze=False
        )
    ax = np.asarray(ax, dtype=object).reshape(k, 3)
    for i in range(k):
        plot_code(Y[i], W, Z[i], shape, None if titles is None else titles[i], ax=ax[i])
    if made:
        ax[0, 0].figure.tight_layout()
    return ax


def plot_energy_curves(curves: dict, ax=None, ylabel: str = "energy", logy: bool = True, ylim=None):
    """Energy (or any per-iteration quantity) vs iteration, one line per label. Returns the Axes.

    Parameters
    ----------
    curves : dict {label: array of shape (T+1,)}
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.5))
    for label, c in curves.items():
        c = np.asarray(to_numpy(c), dtype=np.float64)
        ax.plot(np.arange(len(c)), c, lw=1.6, label=label)
    if logy:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)  # e.g. to keep diverging runs from squashing the others
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8)
    return ax
