"""Figures of the VAE chapter about the KL spring: the lecture's spring picture (its Fig. 10), and
the flight of the balls against the epochs for several β on common axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Circle

from .._checks import nonneg_int

_COLORS = plt.get_cmap("tab10").colors


def _zigzag(p0, p1, n_coils: int = 7, width: float = 0.12):
    """The points of a spring drawn from p0 to p1: straight ends, a zigzag in between."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = p1 - p0
    length = float(np.hypot(*d))
    if length == 0:
        return np.stack([p0, p1])
    u, n = d / length, np.array([-d[1], d[0]]) / length
    t = np.linspace(0.15, 0.85, 2 * n_coils + 1)
    offsets = (
        width
        * np.where(np.arange(t.size) % 2 == 0, 0.0, 1.0)
        * np.where(np.arange(t.size) % 4 == 1, 1.0, -1.0)
    )
    mid = p0 + t[:, None] * length * u + offsets[:, None] * n
    return np.vstack([p0, mid, p1])


def draw_springs(axes=None, seed: int = 0):
    """The lecture's picture of the KL spring, drawn from made-up balls (a schematic, not data).

    Three panels: without a spring the balls fly away from the origin and shrink; a moderate
    spring ties each ball to the origin (the anchor, with the prior's unit circle dashed), and
    balls of similar images (one colour) overlap; a strong spring pulls every ball onto the prior:
    centre 0, radius 1. ``axes``: three Axes (default: a new figure). Returns the axes.
    """
    seed = nonneg_int("seed", seed)
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(11, 3.8))
    axes = np.asarray(axes).ravel()
    if axes.size != 3:
        raise ValueError(f"axes must hold 3 Axes, got {axes.size}")
    rng = np.random.default_rng(seed)
    classes = np.repeat(np.arange(4), 3)
    angle = np.pi / 2 * classes + rng.normal(0, 0.12, classes.size)
    panels = [
        ("no spring: the balls fly away", 4.6 + rng.uniform(0, 0.9, classes.size), 0.12, False),
        ("spring: held near the origin", 2.3 + rng.uniform(0, 0.6, classes.size), 0.6, True),
        ("strong spring: all on the prior", 0.03 * np.ones(classes.size), 1.0, True),
    ]
    for ax, (title, radius, size, spring) in zip(axes, panels, strict=True):
        centres = np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)
        ax.add_patch(Circle((0, 0), 1.0, fc="none", ec="k", ls="--", lw=0.8, zorder=1))
        for (x, y), c in zip(centres, classes, strict=True):
            if spring:
                pts = _zigzag((0, 0), (x, y), width=0.22)
                ax.plot(pts[:, 0], pts[:, 1], color="0.35", lw=0.9, zorder=2)
            ax.add_patch(Circle((x, y), size, fc=_COLORS[c], ec=_COLORS[c], alpha=0.3, zorder=3))
            ax.plot(x, y, "o", ms=2.5, color=_COLORS[c], zorder=4)
        ax.plot(0, 0, "ks", ms=5, zorder=5)
        ax.set_xlim(-6, 6)
        ax.set_ylim(-6, 6)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=10)
    axes[0].set_xlabel("the decoder feels only distance / radius")
    axes[1].set_xlabel("similar images (one colour) overlap")
    axes[2].set_xlabel("the code says nothing")
    return axes


def plot_flight(balls: dict, axes=None):
    """Mean distance of the ball centres to the origin, mean radius, and their ratio, against the
    epoch, on log axes, one line per β.

    ``balls`` maps β to the list of (mu, sigma) recorded after every epoch (epoch 0: before
    training), each of shape (N, d), as in the chapter-6 checkpoints' ``history["balls"]``.
    ``axes``: three Axes (default: a new figure). Returns the axes.
    """
    if not isinstance(balls, dict) or not balls:
        raise TypeError(f"balls must be a non-empty dict beta -> [(mu, sigma), ...], got "
                        f"{type(balls).__name__}")  # fmt: skip
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    axes = np.asarray(axes).ravel()
    if axes.size != 3:
        raise ValueError(f"axes must hold 3 Axes, got {axes.size}")
    for k, (beta, epochs) in enumerate(balls.items()):
        r = np.array([float(torch.as_tensor(m).float().norm(dim=1).mean()) for m, _ in epochs])
        s = np.array([float(torch.as_tensor(s).float().mean()) for _, s in epochs])
        e = np.arange(len(epochs))
        for ax, v in zip(axes, (r, s, r / s), strict=True):
            ax.plot(e, v, "o-", ms=3, color=_COLORS[k], label=f"beta = {beta:g}")
    for ax, what in zip(axes, ("mean |mu|", "mean sigma", "mean |mu| / mean sigma"), strict=True):
        ax.set_yscale("log")
        ax.set(xlabel="epoch", title=what)
    axes[0].legend(fontsize=8)
    return axes
