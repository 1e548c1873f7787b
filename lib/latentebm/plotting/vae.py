"""Figures of the VAE chapter: the architecture, fuzzy balls, decoded latent planes, digit grids."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Circle, Ellipse, FancyBboxPatch

from .core import _to_numpy

DIGIT_COLORS = plt.get_cmap("tab10").colors


def draw_vae_architecture(ax=None):
    """The VAE as a latent-variable EBM (lecture Fig. 8): encoder -> (z̄, σ²), z = z̄ + noise,
    decoder -> ȳ, cost C(y, ȳ), and the KL spring tying the ball to the origin. Returns the Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 3.4))
    ax.set_xlim(0, 10.6)
    ax.set_ylim(0, 4.2)
    ax.axis("off")

    def box(x, y, text, color, w=1.3, h=0.7, rounded=True):
        style = "round,pad=0.05,rounding_size=0.15" if rounded else "square,pad=0.05"
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=style, fc=color,
                                    ec="0.2", lw=1.2))
        ax.text(x, y, text, ha="center", va="center", fontsize=10)

    def arrow(x0, y0, x1, y1, text=None, **kw):
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color="0.2", lw=1.2, **kw))
        if text:
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.15, text, ha="center", fontsize=9)

    c_data, c_net, c_cost, c_lat = "#dbe9f6", "#fde9c9", "#f6d5d5", "#e2f0d9"
    box(0.7, 1.2, "$y$", c_data, w=0.8)
    box(2.3, 1.2, "encoder", c_net)
    box(4.0, 2.0, r"$\bar z$", c_lat, w=0.8)
    box(4.0, 0.5, r"$\sigma^2$", c_lat, w=0.8)
    ax.add_patch(Circle((5.4, 2.0), 0.25, fc="white", ec="0.2", lw=1.2))
    ax.text(5.4, 2.0, "+", ha="center", va="center", fontsize=14)
    box(5.4, 3.55, r"noise $\sigma\odot\epsilon$" "\n" r"$\epsilon\sim\mathcal{N}(0, I)$", "white",
        w=1.9, h=0.75)
    box(6.6, 2.0, "$z$", c_lat, w=0.7)
    box(8.0, 2.0, "decoder", c_net)
    box(9.6, 2.0, r"$\bar y$", c_data, w=0.8)
    box(9.6, 0.5, r"$C(y, \bar y)$", c_cost, w=1.4, rounded=False)
    box(6.6, 0.5, r"$\beta\,\mathrm{KL}$" "\n(spring to 0)", c_cost, w=1.6, h=0.75, rounded=False)
    arrow(1.1, 1.2, 1.65, 1.2)
    arrow(2.95, 1.4, 3.6, 1.9)
    arrow(2.95, 1.0, 3.6, 0.6)
    arrow(4.4, 2.0, 5.15, 2.0)
    arrow(4.4, 0.6, 5.3, 1.76)
    arrow(5.4, 3.17, 5.4, 2.25)
    arrow(5.65, 2.0, 6.25, 2.0)
    arrow(6.95, 2.0, 7.35, 2.0)
    arrow(8.65, 2.0, 9.2, 2.0)
    arrow(9.6, 1.65, 9.6, 0.85)
    arrow(4.4, 0.45, 5.8, 0.45)
    arrow(4.4, 1.85, 5.85, 0.75)
    # the observed y also enters the cost
    ax.annotate("", xy=(8.9, 0.35), xytext=(0.7, 0.85),
                arrowprops=dict(arrowstyle="-|>", color="0.45", lw=1.0, ls="--",
                                connectionstyle="arc3,rad=0.18"))
    return ax


def plot_balls(mu, sigma, labels, ax=None, lim: float | None = None, title: str | None = None,
               legend: bool = True, prior: bool = True):
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
    mu, sigma, labels = _to_numpy(mu)[:, :2], _to_numpy(sigma)[:, :2], _to_numpy(labels)
    if mu.shape != sigma.shape or mu.shape[0] != labels.shape[0]:
        raise ValueError(f"mu, sigma must be (N, 2) and labels (N,), got {mu.shape}, "
                         f"{sigma.shape}, {labels.shape}")
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
        handles = [plt.Line2D([], [], marker="o", ls="", color=DIGIT_COLORS[k], label=str(k))
                   for k in range(10)]
        ax.legend(handles=handles, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5),
                  frameon=False, handletextpad=0.1)
    if title:
        ax.set_title(title)
    return ax


def show_digits(images, ncols: int = 10, ax=None, title: str | None = None, pad: int = 1):
    """Images of shape (N, 784) or (N, 1, 28, 28) with values in [0, 1], on a grid (black on white)."""
    A = _to_numpy(images).reshape(-1, 28, 28)
    n = A.shape[0]
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    canvas = np.ones((nrows * (28 + pad) + pad, ncols * (28 + pad) + pad), dtype=np.float32)
    for k in range(n):
        r, c = divmod(k, ncols)
        s = 28 + pad
        canvas[pad + r * s : pad + r * s + 28, pad + c * s : pad + c * s + 28] = 1 - A[k]
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
        raise ValueError(f"plot_latent_grid needs a 2-D latent, model has latent_dim={model.latent_dim}")
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
              generator: torch.Generator | None = None):
    """One figure per model for the β slider: balls of ``y`` | originals over reconstructions |
    samples from the prior. ``y`` (N, 1, 28, 28), ``labels`` (N,). Returns the Figure."""
    param = next(model.parameters())
    y = y.to(param.device)
    mu, logvar = model.encode(y)
    fig = plt.figure(figsize=(10, 3.6))
    ax_b = fig.add_axes([0.02, 0.1, 0.33, 0.8])
    plot_balls(mu.cpu(), torch.exp(0.5 * logvar).cpu(), labels, ax=ax_b, lim=lim, legend=False)
    ax_r = fig.add_axes([0.42, 0.52, 0.56, 0.4])
    show_digits(torch.cat([y[:n_show].reshape(n_show, -1), model.decode(mu[:n_show])]).cpu(),
                ncols=n_show, ax=ax_r, title="test digits / reconstructions (decoded μ)")
    z = torch.randn(2 * n_show, model.latent_dim, generator=generator).to(param.device)
    ax_s = fig.add_axes([0.42, 0.04, 0.56, 0.4])
    show_digits(model.decode(z).cpu(), ncols=n_show, ax=ax_s, title="samples: decode(z), z ~ N(0, I)")
    fig.suptitle(title, x=0.02, ha="left")
    return fig
