"""Figures of the VAE chapter: the architecture, fuzzy balls, decoded latent planes, digit grids."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Circle, Ellipse

from . import diagram
from .core import tile, to_numpy

DIGIT_COLORS = plt.get_cmap("tab10").colors


def draw_vae_architecture(ax=None):
    r"""The VAE as a latent-variable EBM (lecture Fig. 8), in the book's diagram convention
    (:mod:`latentebm.plotting.diagram`).

    The encoder maps the observed y to a centre :math:`\bar z` and a spread σ; a noise
    :math:`\epsilon \sim \mathcal N(0, I)` (a latent: white) is scaled by σ and added, so the
    code is :math:`z = \bar z + \sigma \odot \epsilon`; the decoder gives :math:`\bar y`. Two
    energy terms (red): the cost :math:`C(y, \bar y)` and the KL spring :math:`\beta\,\mathrm{KL}`
    that ties each ball to the origin. Returns the Axes.
    """
    ax = diagram.canvas(11, 4.6, ax=ax, figsize=(8.5, 3.4))
    row = 2.4
    y = diagram.node(ax, (0.6, row), "$y$", "observed")
    enc = diagram.box(ax, (2.2, row), "encoder", w=1.4, h=0.7)
    eps = diagram.node(ax, (5.0, 4.25), r"$\epsilon$", "latent", r=0.25)
    ax.text(4.6, 4.25, r"$\epsilon \sim \mathcal{N}(0, I)$", ha="right", va="center", fontsize=9)
    times = diagram.op(ax, (5.0, 3.35), r"$\times$")
    plus = diagram.op(ax, (5.0, row), "+")
    z = diagram.node(ax, (6.3, row), "$z$", "latent")
    dec = diagram.box(ax, (7.8, row), "decoder", w=1.4, h=0.7)
    cost = diagram.box(ax, (9.9, row), r"$C(y, \bar y)$", "energy", w=1.4, h=0.7)
    kl = diagram.box(ax, (5.0, 1.1), r"$\beta\,\mathrm{KL}$" "\n(spring to 0)", "energy", w=1.7,
                     h=0.8)  # fmt: skip
    diagram.arrow(ax, y, enc)
    diagram.arrow(ax, enc, plus, r"$\bar z$")
    diagram.arrow(ax, enc, times, r"$\sigma$")
    diagram.arrow(ax, eps, times)
    diagram.arrow(ax, times, plus, r"$\sigma \odot \epsilon$")
    diagram.arrow(ax, plus, z)
    diagram.arrow(ax, z, dec)
    diagram.arrow(ax, dec, cost, r"$\bar y$")
    diagram.arrow(ax, enc, kl, r"$\bar z, \sigma$", offset=(0.15, 0.0))
    diagram.arrow(ax, y, cost, via=[(0.6, 0.25), (9.9, 0.25)])  # y also enters the cost
    return ax


def plot_balls(
    mu,
    sigma,
    labels,
    ax=None,
    lim: float | None = None,
    title: str | None = None,
    legend: bool = True,
    prior: bool = True,
):
    """Draw each code as a *fuzzy ball*: an ellipse centred at μ with half-axes σ, coloured by digit.

    Parameters
    ----------
    mu, sigma : Tensor of shape (N, 2)
        Centres and standard deviations of the balls (first two latent dimensions are drawn).
    labels : Tensor of shape (N,), digit classes 0-9
    lim : float, optional
        Axis half-width (default: fit the balls).
    prior : bool
        Draw the prior's unit circle (dashed), where the KL spring pulls the balls.

    Returns
    -------
    The Axes.
    """
    mu, sigma, labels = to_numpy(mu)[:, :2], to_numpy(sigma)[:, :2], to_numpy(labels)
    if mu.shape != sigma.shape or mu.shape[0] != labels.shape[0]:
        raise ValueError(
            f"mu, sigma must be (N, 2) and labels (N,), got {mu.shape}, "
            f"{sigma.shape}, {labels.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.3))
    for (x, y), (sx, sy), c in zip(mu, sigma, labels.astype(int), strict=True):
        ax.add_patch(Ellipse((x, y), 2 * sx, 2 * sy, fc=DIGIT_COLORS[c], ec="none", alpha=0.25))
    ax.scatter(mu[:, 0], mu[:, 1], s=3, c=[DIGIT_COLORS[c] for c in labels.astype(int)])
    if prior:
        ax.add_patch(Circle((0, 0), 1.0, fc="none", ec="k", ls="--", lw=1))
    if lim is None:
        lim = float(np.abs(np.concatenate([mu + sigma, mu - sigma])).max()) * 1.05
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    if legend:
        handles = [
            plt.Line2D([], [], marker="o", ls="", color=DIGIT_COLORS[k], label=str(k))
            for k in range(10)
        ]
        ax.legend(
            handles=handles,
            fontsize=7,
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            frameon=False,
            handletextpad=0.1,
        )
    if title:
        ax.set_title(title)
    return ax


def show_digits(images, ncols: int = 10, ax=None, title: str | None = None, pad: int = 1):
    """Images of shape (N, 784) or (N, 1, 28, 28) with values in [0, 1], on a grid (black on white)."""
    A = to_numpy(images).reshape(-1, 28, 28)
    n = A.shape[0]
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    canvas = tile(1 - A, ncols, pad, fill=1.0)  # black digits on white
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * ncols + 0.3, 0.5 * nrows + 0.3))
    ax.imshow(canvas, cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title)
    return ax


@torch.no_grad()
def plot_latent_grid(model, n: int = 15, span: float = 3.0, ax=None, title: str | None = None):
    """Decode an n x n grid of codes z in [-span, span]^2 of a 2-D-latent VAE; returns the Axes."""
    if model.latent_dim != 2:
        raise ValueError(
            f"plot_latent_grid needs a 2-D latent, model has latent_dim={model.latent_dim}"
        )
    param = next(model.parameters())
    t = torch.linspace(-span, span, n, device=param.device)
    z1, z2 = torch.meshgrid(t, t.flip(0), indexing="xy")  # rows: z2 from +span down to -span
    z = torch.stack([z1.reshape(-1), z2.reshape(-1)], 1)  # (n*n, 2)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    show_digits(model.decode(z), ncols=n, ax=ax, pad=0)
    ticks = np.linspace(0, 28 * n - 1, 5)
    ax.set_xticks(ticks, [f"{v:g}" for v in np.linspace(-span, span, 5)])
    ax.set_yticks(ticks, [f"{v:g}" for v in np.linspace(span, -span, 5)])
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    if title:
        ax.set_title(title)
    return ax


@torch.no_grad()
def vae_panel(model, y, labels, title: str = "", n_show: int = 10, lim: float | None = None,
              generator: torch.Generator | None = None, ax=None):  # fmt: skip
    """One figure per model for the β slider: balls of ``y`` | originals over reconstructions |
    samples from the prior. ``y`` (N, 1, 28, 28), ``labels`` (N,).

    ``ax``: three Axes (balls, reconstructions, samples), optional. Returns the three Axes (an
    array)."""
    param = next(model.parameters())
    y = y.to(param.device)
    mu, logvar = model.encode(y)
    if ax is None:
        fig = plt.figure(figsize=(10, 3.6))
        ax = [fig.add_axes([0.02, 0.1, 0.33, 0.8]), fig.add_axes([0.42, 0.52, 0.56, 0.4]),
              fig.add_axes([0.42, 0.04, 0.56, 0.4])]  # fmt: skip
    ax = np.asarray(ax, dtype=object).ravel()
    if ax.size != 3:
        raise ValueError(f"ax must be three Axes (balls, reconstructions, samples), got {ax.size}")
    ax_b, ax_r, ax_s = ax
    plot_balls(mu.cpu(), torch.exp(0.5 * logvar).cpu(), labels, ax=ax_b, lim=lim, legend=False)
    show_digits(
        torch.cat([y[:n_show].reshape(n_show, -1), model.decode(mu[:n_show])]).cpu(),
        ncols=n_show,
        ax=ax_r,
        title="test digits / reconstructions (decoded μ)",
    )
    z = torch.randn(2 * n_show, model.latent_dim, generator=generator).to(param.device)
    show_digits(
        model.decode(z).cpu(), ncols=n_show, ax=ax_s, title="samples: decode(z), z ~ N(0, I)"
    )
    ax_b.figure.suptitle(title, x=0.02, ha="left")
    return ax
