"""Figures of the convolutional chapter: encoder vs decoder filters, feature maps, colour kernels."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .core import show_atoms, signed_image, signed_rgb, tile, to_numpy


def show_filters(encoder, decoder, ax=None, ncols: int | None = None, title: str | None = None):
    """Encoder filters (left) and decoder kernels (right) of a grey model, one grid each.

    Parameters
    ----------
    encoder, decoder : Tensor of shape (m, 1, k, k)
    ax : pair of matplotlib Axes, optional
    ncols : filters per row of each grid (default: up to 8).

    Returns
    -------
    The pair of Axes (an array).
    """
    E, D = to_numpy(encoder), to_numpy(decoder)
    if E.ndim != 4 or E.shape[1] != 1 or E.shape != D.shape:
        raise ValueError(
            f"encoder and decoder must both have shape (m, 1, k, k), got {E.shape} and {D.shape}"
        )
    m, _, k, _ = E.shape
    ncols = ncols or min(m, 8)
    if ax is None:
        nrows = math.ceil(m / ncols)
        _, ax = plt.subplots(1, 2, figsize=(ncols + 1, 0.5 * nrows + 1.2))
    ax = np.asarray(ax, dtype=object).ravel()
    if ax.size != 2:
        raise ValueError(f"ax must be a pair of Axes, got {ax.size}")
    for a, F, name in ((ax[0], E, "encoder"), (ax[1], D, "decoder")):
        show_atoms(
            F, (k, k), ax=a, ncols=ncols, title=name if title is None else f"{title}: {name}"
        )
    return ax


def filter_progression(models: dict, osi: dict | None = None, ncols: int = 8, width: float = 9.0,
                       ax=None):  # fmt: skip
    """One figure: for each number of filters m, encoder and decoder filters side by side.

    Parameters
    ----------
    models : dict m -> (encoder, decoder), Tensors of shape (m, 1, k, k)
    osi : dict m -> float, optional; the mean orientation-selectivity index shown in the title.
    ncols : filters per row of each grid.
    width : figure width in inches (when the helper makes the figure).
    ax : array of Axes of shape (len(models), 2), optional

    Returns
    -------
    The (len(models), 2) array of Axes.
    """
    rows = [math.ceil(m / ncols) for m in models]
    panel = width / 2  # inches per grid of ncols filters
    heights = [panel * r / ncols + 0.3 for r in rows]
    if ax is None:
        _, ax = plt.subplots(len(models), 2, figsize=(width, sum(heights)),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)  # fmt: skip
    ax = np.asarray(ax, dtype=object)
    if ax.shape != (len(models), 2):
        raise ValueError(f"ax must be a ({len(models)}, 2) array of Axes, got shape {ax.shape}")
    for ax_pair, (m, (E, D)) in zip(ax, models.items(), strict=True):
        label = f"m = {m}" + (f" (OSI {osi[m]:.2f})" if osi is not None else "")
        show_filters(E, D, ax=ax_pair, ncols=ncols, title=label)
        for a in ax_pair:
            a.set_anchor("W")
    return ax


def show_feature_maps(Z, maps=None, ncols: int = 4, ax=None, titles=None):
    """A few code maps Z_i of one image, signed (diverging colormap, symmetric limits per map).

    Parameters
    ----------
    Z : Tensor of shape (m, H_z, W_z) (one image's code)
    maps : indices of the maps to show (default: the ``ncols`` with the largest L1 norm)
    ax : array of Axes, optional (one per map; extra Axes are left blank)

    Returns
    -------
    The Axes (a flat array).
    """
    Z = to_numpy(Z)
    if Z.ndim != 3:
        raise ValueError(f"Z must have shape (m, H_z, W_z), got {Z.shape}")
    if maps is None:
        maps = np.argsort(-np.abs(Z).sum((1, 2)))[:ncols]
    maps = list(maps)
    if ax is None:
        nrows = math.ceil(len(maps) / ncols)
        _, ax = plt.subplots(nrows, ncols, figsize=(2.2 * ncols, 2.2 * nrows), squeeze=False)
    ax = np.asarray(ax, dtype=object).ravel()
    for a, i in zip(ax, maps, strict=False):
        signed_image(Z[i], ax=a, title=titles[i] if titles is not None else f"map {i}")
    for a in ax[len(maps) :]:
        a.axis("off")
    return ax


def show_color_kernels(
    kernels, ax=None, ncols: int | None = None, title: str | None = None, pad: int = 1
):
    """Colour kernels (m, 3, k, k) as RGB tiles, each scaled to its own largest absolute value around grey."""
    K = to_numpy(kernels)
    if K.ndim != 4 or K.shape[1] != 3:
        raise ValueError(f"kernels must have shape (m, 3, k, k), got {K.shape}")
    m, _, k, _ = K.shape
    ncols = ncols or math.ceil(math.sqrt(m))
    nrows = math.ceil(m / ncols)
    canvas = tile(np.stack([signed_rgb(kernel) for kernel in K]), ncols, pad, fill=1.0)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * ncols + 1, 0.5 * nrows + 1))
    ax.imshow(canvas, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def show_image(Y, ax=None, title: str | None = None):
    """A grey (1, H, W) / (H, W) or colour (3, H, W) image with symmetric signed scaling around
    grey (a whitened image): :func:`~latentebm.plotting.signed_image` in grey. Returns the Axes."""
    return signed_image(Y, ax=ax, title=title, cmap="gray")


LABELS_OF = {
    "sparse": "sparse encoder, frozen",
    "random": "random encoder, frozen",
    "scratch": "convnet from scratch",
    "sparse+finetune": "sparse encoder, fine-tuned",
}


def plot_few_labels(res: dict, ax=None):
    """Test accuracy against the number of labelled digits, one line per variant (mean ± sd over seeds).

    ``res`` is the dict of ``latentebm.conv.transfer.few_labels``; returns the Axes.
    """
    acc = 100 * to_numpy(res["accuracy"])  # (variants, n_labels, seeds)
    n = np.asarray(res["n_labels"])
    if acc.ndim != 3 or acc.shape[:2] != (len(res["variants"]), len(n)):
        raise ValueError(
            f"res['accuracy'] must have shape ({len(res['variants'])}, {len(n)}, seeds), got {acc.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.6))
    styles = {"sparse": "o-", "random": "s--", "scratch": "^-", "sparse+finetune": "D-"}
    for v, name in enumerate(res["variants"]):
        mean, sd = acc[v].mean(1), acc[v].std(1)
        ax.errorbar(
            n, mean, yerr=sd, fmt=styles.get(name, "o-"), capsize=3, label=LABELS_OF.get(name, name)
        )
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(n, [str(k) for k in n])
    ax.set(xlabel="labelled training digits", ylabel="test accuracy (%)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax
