"""Figures of the convolutional chapter: encoder vs decoder filters, feature maps, colour kernels."""

from __future__ import annotations

import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch

from .core import show_atoms


def _np(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().float().cpu().numpy()
    return np.asarray(x, dtype=np.float32)


def show_filters(encoder, decoder, axes=None, ncols: int | None = None, title: str | None = None):
    """Encoder filters (left) and decoder kernels (right) of a grey model, one grid each.

    Parameters
    ----------
    encoder, decoder : Tensor of shape (m, 1, k, k)
    axes : pair of matplotlib Axes, optional
    ncols : filters per row of each grid.

    Returns
    -------
    The pair of Axes.
    """
    E, D = _np(encoder), _np(decoder)
    if E.ndim != 4 or E.shape[1] != 1 or E.shape != D.shape:
        raise ValueError(
            f"encoder and decoder must both have shape (m, 1, k, k), got {E.shape} and {D.shape}"
        )
    m, _, k, _ = E.shape
    ncols = ncols or min(m, 8)
    if axes is None:
        nrows = math.ceil(m / ncols)
        _, axes = plt.subplots(1, 2, figsize=(2 * (0.5 * ncols + 0.6), 0.5 * nrows + 0.8))
    show_atoms(
        E,
        (k, k),
        ax=axes[0],
        ncols=ncols,
        title="encoder" if title is None else f"{title}: encoder",
    )
    show_atoms(
        D,
        (k, k),
        ax=axes[1],
        ncols=ncols,
        title="decoder" if title is None else f"{title}: decoder",
    )
    return axes


def filter_progression(models: dict, osi: dict | None = None, ncols: int = 8, width: float = 9.0):
    """One figure: for each number of filters m, encoder and decoder filters side by side.

    Parameters
    ----------
    models : dict m -> (encoder, decoder), Tensors of shape (m, 1, k, k)
    osi : dict m -> float, optional; the mean orientation-selectivity index shown in the title.
    ncols : filters per row of each grid.
    width : figure width in inches.

    Returns
    -------
    The Figure.
    """
    rows = [math.ceil(m / ncols) for m in models]
    panel = width / 2  # inches per grid of ncols filters
    heights = [panel * r / ncols + 0.3 for r in rows]
    fig, axes = plt.subplots(
        len(models),
        2,
        figsize=(width, sum(heights)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for ax_pair, (m, (E, D)) in zip(axes, models.items(), strict=True):
        label = f"m = {m}" + (f" (OSI {osi[m]:.2f})" if osi is not None else "")
        show_filters(E, D, axes=ax_pair, ncols=ncols, title=label)
        for ax in ax_pair:
            ax.set_anchor("W")
    return fig


def show_feature_maps(Z, maps=None, ncols: int = 4, axes=None, titles=None):
    """A few code maps Z_i of one image, signed (diverging colormap, symmetric limits per map).

    Parameters
    ----------
    Z : Tensor of shape (m, H_z, W_z) (one image's code)
    maps : indices of the maps to show (default: the 4 with the largest L1 norm)
    axes : array of Axes, optional

    Returns
    -------
    The Axes.
    """
    Z = _np(Z)
    if Z.ndim != 3:
        raise ValueError(f"Z must have shape (m, H_z, W_z), got {Z.shape}")
    if maps is None:
        maps = np.argsort(-np.abs(Z).sum((1, 2)))[:ncols]
    maps = list(maps)
    if axes is None:
        nrows = math.ceil(len(maps) / ncols)
        _, axes = plt.subplots(nrows, ncols, figsize=(2.2 * ncols, 2.2 * nrows), squeeze=False)
    axes = np.ravel(axes)
    for ax, i in zip(axes, maps, strict=False):
        v = float(np.abs(Z[i]).max()) or 1.0
        ax.imshow(Z[i], cmap="RdBu_r", vmin=-v, vmax=v)
        ax.set_title(titles[i] if titles is not None else f"map {i}")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(maps) :]:
        ax.axis("off")
    return axes


def signed_rgb(x) -> np.ndarray:
    """Map signed (C=3, H, W) values to an RGB image: 0 is mid-grey, symmetric scale."""
    x = _np(x)
    v = float(np.abs(x).max()) or 1.0
    return np.clip(0.5 + 0.5 * np.moveaxis(x, 0, -1) / v, 0, 1)


def show_color_kernels(
    kernels, ax=None, ncols: int | None = None, title: str | None = None, pad: int = 1
):
    """Colour kernels (m, 3, k, k) as RGB tiles, each scaled to its own max |value| around grey."""
    K = _np(kernels)
    if K.ndim != 4 or K.shape[1] != 3:
        raise ValueError(f"kernels must have shape (m, 3, k, k), got {K.shape}")
    m, _, k, _ = K.shape
    ncols = ncols or math.ceil(math.sqrt(m))
    nrows = math.ceil(m / ncols)
    canvas = np.full((nrows * (k + pad) + pad, ncols * (k + pad) + pad, 3), 1.0, dtype=np.float32)
    for i in range(m):
        r, c = divmod(i, ncols)
        canvas[
            pad + r * (k + pad) : pad + r * (k + pad) + k,
            pad + c * (k + pad) : pad + c * (k + pad) + k,
        ] = signed_rgb(K[i])
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * ncols + 1, 0.5 * nrows + 1))
    ax.imshow(canvas, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def show_image(Y, ax=None, title: str | None = None):
    """A grey (1, H, W) / (H, W) or colour (3, H, W) image with symmetric signed scaling around grey."""
    Y = _np(Y)
    if ax is None:
        _, ax = plt.subplots(figsize=(3, 3))
    if Y.ndim == 3 and Y.shape[0] == 3:
        ax.imshow(signed_rgb(Y))
    else:
        Y = Y.reshape(Y.shape[-2:])
        v = float(np.abs(Y).max()) or 1.0
        ax.imshow(Y, cmap=matplotlib.colormaps["gray"], vmin=-v, vmax=v)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


LABELS_OF = {
    "sparse": "sparse encoder, frozen",
    "random": "random encoder, frozen",
    "scratch": "convnet from scratch",
    "sparse+finetune": "sparse encoder, fine-tuned",
}


def plot_few_labels(res: dict, ax=None):
    """Test accuracy against the number of labelled digits, one line per variant (mean ± sd over seeds).

    ``res`` is the dict of :func:`latentebm.conv.transfer.few_labels`; returns the Axes.
    """
    acc = 100 * _np(res["accuracy"])  # (variants, n_labels, seeds)
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
