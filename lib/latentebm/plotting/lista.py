"""Figures of the LISTA chapter: the EBM with an encoder (lecture Fig. 3), LISTA unfolded through
time (Fig. 4), error-versus-steps curves, code/reconstruction comparisons, out-of-distribution bars."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._checks import positive_int
from . import diagram
from .core import to_numpy

METHOD_STYLE = {  # one colour per method across the chapter's figures
    "LISTA": dict(color="C0", marker="o"),
    "ISTA": dict(color="C2", marker="s"),
    "FISTA": dict(color="C1", marker="^"),
}


def draw_latent_encoder_ebm(ax=None):
    r"""Lecture Fig. 3: a latent-variable EBM whose energy adds an encoder's prediction term,
    :math:`C(y, \mathrm{Dec}(z, h)) + D(z, \mathrm{Enc}(y, h)) + \lambda R(z)`. Returns the Axes.

    In the book's diagram convention (:mod:`latentebm.plotting.diagram`): the observed y a
    shaded circle, the latent z a white one, Enc and Dec blue boxes, the three energy terms red.
    """
    ax = diagram.canvas(10, 4.4, ax=ax, figsize=(8.0, 3.6))
    ax.set_ylim(0.1, 4.5)
    y = diagram.node(ax, (0.9, 0.9), "$y$", "observed")
    z = diagram.node(ax, (6.3, 2.5), "$z$", "latent")
    enc = diagram.box(ax, (2.6, 2.5), r"Enc$(y, h)$", w=1.6, h=0.7)
    dist = diagram.box(ax, (4.5, 2.5), r"$D(z, \bar z)$", "energy", w=1.3, h=0.7)
    dec = diagram.box(ax, (8.3, 2.5), r"Dec$(z, h)$", w=1.6, h=0.7)
    cost = diagram.box(ax, (8.3, 0.9), r"$C(y, \bar y)$", "energy", w=1.3, h=0.7)
    reg = diagram.box(ax, (6.3, 3.9), r"$\lambda R(z)$", "energy", w=1.2, h=0.7)
    diagram.arrow(ax, y, enc)
    diagram.arrow(ax, enc, dist, r"$\bar z$")
    diagram.arrow(ax, z, dist)
    diagram.arrow(ax, z, reg)
    diagram.arrow(ax, z, dec)
    diagram.arrow(ax, dec, cost, r"$\bar y$")
    diagram.arrow(ax, y, cost)
    ax.text(
        0.1, 4.25, r"$E(y, z) = C(y, \mathrm{Dec}(z,h)) + D(z, \mathrm{Enc}(y,h)) + \lambda R(z)$",
        fontsize=10,
    )  # fmt: skip
    return ax


def draw_lista_unfolded(n_steps: int = 3, ax=None):
    r"""Lecture Fig. 4: LISTA as a recurrent network unfolded through ``n_steps`` time steps.

    :math:`b = W_e^\top y` is computed once and enters every step; each step adds
    :math:`S z(t)` and shrinks, :math:`z(t+1) = \mathrm{shrink}_\theta(b + S z(t))`, from
    :math:`z(0) = 0`. The same :math:`W_e, S, \theta` are shared by all steps (tied weights).
    In the book's diagram convention (:mod:`latentebm.plotting.diagram`). Returns the Axes.
    """
    n_steps = positive_int("n_steps", n_steps)
    step = 3.6
    x0 = 3.2  # first summing node
    width = x0 + step * (n_steps - 1) + 2.6
    ax = diagram.canvas(width, 2.5, ax=ax, figsize=(1.2 + 2.6 * n_steps, 2.2))
    bus = 0.55
    y = diagram.node(ax, (0.4, bus), "$y$", "observed")
    we = diagram.box(ax, (1.6, bus), r"$W_e^\top$", w=0.9, h=0.6)
    diagram.arrow(ax, y, we)
    ax.plot([2.05, x0 + step * (n_steps - 1)], [bus, bus], color=diagram.EDGE, lw=1.2, zorder=1)
    ax.text(2.2, bus - 0.38, r"$b = W_e^\top y$ (computed once)", fontsize=9)
    ax.text(x0 - 0.3, 1.8, "$z(0)=0$", fontsize=9, ha="right", va="center")
    for k in range(n_steps):
        xs = x0 + k * step  # summing node
        plus = diagram.op(ax, (xs, 1.8), "+", size=0.36)
        diagram.arrow(ax, (xs, bus), plus)
        sh = diagram.box(ax, (xs + 1.0, 1.8), r"shrink$_\theta$", w=1.05, h=0.55, fontsize=9)
        diagram.arrow(ax, plus, sh)
        last = k == n_steps - 1
        label = "$z(K)$" if last and n_steps > 3 else f"$z({k + 1})$"
        diagram.arrow(ax, sh, (xs + 1.9, 1.8))
        ax.text(xs + 2.2, 1.8, label, va="center", ha="center", fontsize=10)
        if not last:
            s_box = diagram.box(ax, (xs + 2.95, 1.8), "$S$", w=0.45, h=0.45)
            diagram.arrow(ax, (xs + 2.5, 1.8), s_box)
            nxt = (xs + step, 1.8)
            diagram.arrow(ax, s_box, (nxt[0] - 0.18, nxt[1]))
    ax.text(x0 + 1.0, 2.3, "step 1", ha="center", fontsize=8, color="0.4")
    ax.text(x0 + step * (n_steps - 1) + 1.0, 2.3, f"step {n_steps}", ha="center", fontsize=8,
            color="0.4")  # fmt: skip
    return ax


def plot_vs_steps(curves: dict, ax=None, ylabel: str = "relative code error", logy: bool = True,
                  hline: float | None = None, hline_label: str | None = None, title=None):  # fmt: skip
    """Curves of a quantity against the number of steps K, one per method.

    Parameters
    ----------
    curves : dict {label: (ks, values)}
        Labels starting with "LISTA", "ISTA" or "FISTA" get the chapter's colours.
    hline : float, optional
        A reference level (e.g. the optimal energy), drawn dashed.

    Returns
    -------
    The Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 3.6))
    for label, (ks, vals) in curves.items():
        style = next((s for k, s in METHOD_STYLE.items() if label.split()[0] == k), {})
        ax.plot(list(ks), list(vals), label=label, ms=4, **style)
    if hline is not None:
        ax.axhline(hline, color="0.3", ls="--", lw=1, label=hline_label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("number of steps / iterations K")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False, fontsize=9)
    return ax


def plot_code_comparison(Y, W, codes: dict, Z_star, shape=(28, 28), title: str | None = None,
                         ax=None):  # fmt: skip
    """For a few signals: the signal, each method's reconstruction W z, and the codes as stems.

    Parameters
    ----------
    Y : Tensor of shape (N, n), a few signals (N <= 4 reads well)
    W : Tensor of shape (n, m)
    codes : dict {label: Tensor (N, m)}
    Z_star : Tensor of shape (N, m), the optimal codes (drawn grey behind the others)
    ax : array of Axes of shape (N, len(codes) + 2), optional

    Returns
    -------
    The (N, len(codes) + 2) array of Axes.
    """
    Y, W, Zs = to_numpy(Y), to_numpy(W), to_numpy(Z_star)
    codes = {k: to_numpy(v) for k, v in codes.items()}
    N, nc = Y.shape[0], len(codes)
    made = ax is None
    if made:
        _, ax = plt.subplots(
            N, nc + 2, figsize=(1.3 * (nc + 1) + 4.5, 1.35 * N + 0.5), squeeze=False,
            gridspec_kw=dict(width_ratios=[1] * (nc + 1) + [3.6]),
        )  # fmt: skip
    axes = np.asarray(ax, dtype=object)
    if axes.shape != (N, nc + 2):
        raise ValueError(f"ax must be an ({N}, {nc + 2}) array of Axes, got shape {axes.shape}")
    for i in range(N):
        images = [("signal $y$", Y[i])] + [(f"{k}: $Wz$", W @ z[i]) for k, z in codes.items()]
        for j, (name, img) in enumerate(images):
            ax = axes[i, j]
            ax.imshow(img.reshape(shape), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(name, fontsize=9)
        ax = axes[i, -1]
        idx = np.arange(Zs.shape[1])
        ax.vlines(idx, 0, Zs[i], color="0.35", lw=1.0, label="$z^*$")
        for k, z in reversed(codes.items()):  # the first method is drawn on top
            style = next((s for m, s in METHOD_STYLE.items() if k.split("-")[0] == m), {})
            nz = np.flatnonzero(z[i])
            ax.plot(nz, z[i][nz], ls="none", ms=3.5, label=k, marker=style.get("marker", "o"),
                    mfc="none", mew=1.0, color=style.get("color"))  # fmt: skip
        ax.axhline(0, color="0.5", lw=0.5)
        ax.set_xlim(-1, Zs.shape[1])
        ax.tick_params(labelsize=7)
        if i == 0:
            ax.set_title("codes (atom index)", fontsize=9)
            ax.legend(fontsize=7, frameon=False, ncol=nc + 1, loc="upper right")
    if title:
        axes[0, 0].figure.suptitle(title, fontsize=10)
    if made:
        axes[0, 0].figure.tight_layout()
    return axes


def plot_out_of_distribution(examples: dict, errors: dict, ax=None):
    """Where LISTA is worse: one example input per condition, and grouped bars of code errors.

    Parameters
    ----------
    examples : dict {condition: image (H, W)}
    errors : dict {condition: {method: relative code error}}
    ax : len(errors) + 1 Axes, optional: one per example image, then the bars

    Returns
    -------
    The array of len(errors) + 1 Axes (the example images, then the bars).
    """
    conds = list(errors)
    methods = list(next(iter(errors.values())))
    made = ax is None
    if made:
        fig = plt.figure(figsize=(7.5, 3.6))
        gs = fig.add_gridspec(2, len(conds), height_ratios=[1, 2.2])
        ax = [fig.add_subplot(gs[0, j]) for j in range(len(conds))] + [fig.add_subplot(gs[1, :])]
    axes = np.asarray(ax, dtype=object).ravel()
    if axes.size != len(conds) + 1:
        raise ValueError(f"ax must be {len(conds) + 1} Axes, got {axes.size}")
    for a, c in zip(axes, conds, strict=False):
        img = to_numpy(examples[c])
        a.imshow(img, cmap="gray", vmin=min(0, img.min()), vmax=max(1, img.max()))
        a.set_title(c, fontsize=9)
        a.axis("off")
    bars = axes[-1]
    width = 0.8 / len(methods)
    for i, m in enumerate(methods):
        vals = [errors[c][m] for c in conds]
        style = next((s for k, s in METHOD_STYLE.items() if m.split()[0] == k), {})
        xs = np.arange(len(conds)) + (i - (len(methods) - 1) / 2) * width
        bars.bar(xs, vals, width=width, label=m, color=style.get("color"))
        for x, v in zip(xs, vals, strict=True):
            bars.text(x, v, f"{v:.2f}", ha="center", va="bottom", fontsize=7)
    bars.set_xticks(np.arange(len(conds)))
    bars.set_xticklabels(conds)
    bars.set_yscale("log")
    bars.set_ylabel("relative code error (log)")
    bars.legend(frameon=False, fontsize=8, ncol=len(methods))
    if made:
        bars.figure.tight_layout()
    return axes
