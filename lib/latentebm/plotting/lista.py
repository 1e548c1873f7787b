"""Figures of the LISTA chapter: the EBM with an encoder (lecture Fig. 3), LISTA unfolded through
time (Fig. 4), error-versus-steps curves, code/reconstruction comparisons, out-of-distribution bars."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyBboxPatch

from .core import _to_numpy

C_DATA, C_NET, C_COST, C_LAT = "#dbe9f6", "#fde9c9", "#f6d5d5", "#e2f0d9"
METHOD_STYLE = {  # one colour per method across the chapter's figures
    "LISTA": dict(color="C0", marker="o"),
    "ISTA": dict(color="C2", marker="s"),
    "FISTA": dict(color="C1", marker="^"),
}


def _box(ax, xy, text, color, w=1.4, h=0.7, rounded=True, fontsize=10):
    style = "round,pad=0.05,rounding_size=0.15" if rounded else "square,pad=0.05"
    x, y = xy
    ax.add_patch(
        FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=style, fc=color, ec="0.2", lw=1.2)
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _node(ax, xy, text, color, r=0.32, fontsize=11):
    ax.add_patch(Circle(xy, r, fc=color, ec="0.2", lw=1.2))
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, a, b, text=None, offset=(0.0, 0.17), color="0.2", ls="-", rad=0.0):
    ax.annotate(
        "",
        xy=b,
        xytext=a,
        arrowprops=dict(
            arrowstyle="-|>", color=color, lw=1.2, ls=ls, connectionstyle=f"arc3,rad={rad}"
        ),
    )
    if text:
        ax.text(
            (a[0] + b[0]) / 2 + offset[0], (a[1] + b[1]) / 2 + offset[1], text,
            ha="center", fontsize=9,
        )  # fmt: skip


def draw_latent_encoder_ebm(ax=None):
    r"""Lecture Fig. 3: a latent-variable EBM whose energy adds an encoder's prediction term,
    :math:`C(y, \mathrm{Dec}(z, h)) + D(z, \mathrm{Enc}(y, h)) + \lambda R(z)`. Returns the Axes.

    Observed variable y shaded blue, latent z green, modules orange, energy terms red (square).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 3.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0.1, 4.5)
    ax.set_aspect("equal")
    ax.axis("off")
    y, z = (0.9, 0.9), (6.3, 2.5)
    _node(ax, y, "$y$", C_DATA)
    _node(ax, z, "$z$", C_LAT)
    _box(ax, (2.6, 2.5), r"Enc$(y, h)$", C_NET, w=1.6)
    _box(ax, (4.5, 2.5), r"$D(z, \bar z)$", C_COST, w=1.3, rounded=False)
    _box(ax, (8.3, 2.5), r"Dec$(z, h)$", C_NET, w=1.6)
    _box(ax, (8.3, 0.9), r"$C(y, \bar y)$", C_COST, w=1.3, rounded=False)
    _box(ax, (6.3, 3.9), r"$\lambda R(z)$", C_COST, w=1.2, rounded=False)
    _arrow(ax, (y[0] + 0.2, y[1] + 0.25), (2.3, 2.12))
    _arrow(ax, (3.42, 2.5), (3.83, 2.5), r"$\bar z$")
    _arrow(ax, (z[0] - 0.33, z[1]), (5.17, 2.5))
    _arrow(ax, (z[0], z[1] + 0.33), (6.3, 3.52))
    _arrow(ax, (z[0] + 0.33, z[1]), (7.48, 2.5))
    _arrow(ax, (8.3, 2.13), (8.3, 1.27), r"$\bar y$", offset=(0.25, 0.0))
    _arrow(ax, (y[0] + 0.33, y[1]), (7.63, 0.9))
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
    Returns the Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 + 2.6 * n_steps, 2.2))
    step = 3.6
    x0 = 3.2  # first summing node
    ax.set_xlim(0, x0 + step * (n_steps - 1) + 2.6)
    ax.set_ylim(0.0, 2.5)
    ax.set_aspect("equal")
    ax.axis("off")
    bus = 0.55
    _node(ax, (0.4, bus), "$y$", C_DATA)
    _box(ax, (1.6, bus), r"$W_e^\top$", C_NET, w=0.9)
    _arrow(ax, (0.72, bus), (1.15, bus))
    ax.plot([2.05, x0 + step * (n_steps - 1)], [bus, bus], color="0.2", lw=1.2)
    ax.text(2.2, bus - 0.38, r"$b = W_e^\top y$ (computed once)", fontsize=9)
    ax.text(x0 - 0.3, 1.8, "$z(0)=0$", fontsize=9, ha="right", va="center")
    for k in range(n_steps):
        xs = x0 + k * step  # summing node
        _node(ax, (xs, 1.8), "+", "white", r=0.2, fontsize=12)
        _arrow(ax, (xs, bus), (xs, 1.6))
        _box(ax, (xs + 1.0, 1.8), r"shrink$_\theta$", C_NET, w=1.05, h=0.55, fontsize=9)
        _arrow(ax, (xs + 0.2, 1.8), (xs + 0.45, 1.8))
        _arrow(ax, (xs + 1.55, 1.8), (xs + 1.85, 1.8))
        last = k == n_steps - 1
        label = "$z(K)$" if last and n_steps > 3 else f"$z({k + 1})$"
        ax.text(xs + 2.2, 1.8, label, va="center", ha="center", fontsize=10)
        if not last:
            _box(ax, (xs + 2.95, 1.8), "$S$", C_NET, w=0.45, h=0.45)
            _arrow(ax, (xs + 2.55, 1.8), (xs + 2.7, 1.8))
            _arrow(ax, (xs + 3.2, 1.8), (xs + step - 0.2, 1.8))
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


def plot_code_comparison(Y, W, codes: dict, Z_star, shape=(28, 28), title: str | None = None):
    """For a few signals: the signal, each method's reconstruction W z, and the codes as stems.

    Parameters
    ----------
    Y : Tensor of shape (N, n), a few signals (N <= 4 reads well)
    W : Tensor of shape (n, m)
    codes : dict {label: Tensor (N, m)}
    Z_star : Tensor of shape (N, m), the optimal codes (drawn grey behind the others)

    Returns
    -------
    The Figure.
    """
    Y, W, Zs = _to_numpy(Y), _to_numpy(W), _to_numpy(Z_star)
    codes = {k: _to_numpy(v) for k, v in codes.items()}
    N, nc = Y.shape[0], len(codes)
    fig, axes = plt.subplots(
        N, nc + 2, figsize=(1.3 * (nc + 1) + 4.5, 1.35 * N + 0.5), squeeze=False,
        gridspec_kw=dict(width_ratios=[1] * (nc + 1) + [3.6]),
    )  # fmt: skip
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
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_out_of_distribution(examples: dict, errors: dict, ax=None):
    """Where LISTA is worse: one example input per condition, and grouped bars of code errors.

    Parameters
    ----------
    examples : dict {condition: image (H, W)}
    errors : dict {condition: {method: relative code error}}

    Returns
    -------
    The Figure.
    """
    conds = list(errors)
    methods = list(next(iter(errors.values())))
    fig = plt.figure(figsize=(7.5, 3.6))
    gs = fig.add_gridspec(2, len(conds), height_ratios=[1, 2.2])
    for j, c in enumerate(conds):
        a = fig.add_subplot(gs[0, j])
        img = _to_numpy(examples[c])
        a.imshow(img, cmap="gray", vmin=min(0, img.min()), vmax=max(1, img.max()))
        a.set_title(c, fontsize=9)
        a.axis("off")
    ax = fig.add_subplot(gs[1, :])
    width = 0.8 / len(methods)
    for i, m in enumerate(methods):
        vals = [errors[c][m] for c in conds]
        style = next((s for k, s in METHOD_STYLE.items() if m.split()[0] == k), {})
        xs = np.arange(len(conds)) + (i - (len(methods) - 1) / 2) * width
        ax.bar(xs, vals, width=width, label=m, color=style.get("color"))
        for x, v in zip(xs, vals, strict=True):
            ax.text(x, v, f"{v:.2f}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(np.arange(len(conds)))
    ax.set_xticklabels(conds)
    ax.set_yscale("log")
    ax.set_ylabel("relative code error (log)")
    ax.legend(frameon=False, fontsize=8, ncol=len(methods))
    fig.tight_layout()
    return fig
