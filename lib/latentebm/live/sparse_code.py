r"""Chapter 2, live: any λ, any test digit, coded with the learned MNIST dictionary.

:func:`~latentebm.live.encode_digit` runs FISTA (500 iterations, as the chapter) on one held-out digit with the
chapter's 784 x 256 dictionary and draws the digit, its reconstruction :math:`Wz`, the code, and
the atoms it uses (each scaled by its coefficient); :func:`~latentebm.live.chapter2` is its control.
"""

from __future__ import annotations

import torch
from matplotlib.figure import Figure

from .._checks import nonneg, nonneg_int
from ..plotting import show_atoms
from ..plotting.sparse import plot_code
from ..sparse import energy, fista
from . import cache
from .control import LiveControl, index_box, log_slider

N_ITER = 500  # FISTA iterations, as the chapter
N_SHOWN = 16  # atoms drawn (the largest coefficients)
LAM_RANGE = (0.01, 30.0)


# The library calls of this chapter, in one place.
def _solve(y, W, lam):
    z = fista(y, W, lam, n_iter=N_ITER)  # (m,)
    return z, float(energy(y, W, z, lam))


def _draw_code(fig_axes, y, W, z):
    return plot_code(y, W, z, ax=fig_axes)


def _draw_atoms(atoms, ax, title):
    return show_atoms(atoms, (28, 28), ax=ax, ncols=8, title=title, per_atom_scale=True)


def encode_digit(lam: float, digit: int = 0) -> tuple[Figure, dict]:
    r"""The sparse code of held-out test digit ``digit`` at weight ``lam``.

    :math:`z^\star = \arg\min_z \|y - Wz\|^2 + \lambda\|z\|_1` by FISTA (500 iterations) with the
    chapter's MNIST dictionary W (784 x 256).

    Parameters
    ----------
    lam : float >= 0, the weight λ of the L1 penalty (default: the chapter's, ``chapters.settings("mnist_dictionary")["lam"]``)
    digit : int in [0, 10000), index of the test digit

    Returns
    -------
    (Figure, numbers): the digit, :math:`Wz`, the code, and its largest atoms
    :math:`z_i w_i`; numbers ``active atoms``, ``relative error`` :math:`\|y - Wz\|/\|y\|`,
    ``energy``, ``||y||^2``.
    """
    lam, digit = _check(lam, digit)
    W, _, Y = cache.mnist_problem()
    y = Y[digit]  # (784,)
    z, E = _solve(y, W, lam)
    active = int((z != 0).sum())
    rel = float((y - W @ z).norm() / y.norm())
    fig = Figure(figsize=(9.0, 4.4))
    gs = fig.add_gridspec(
        2,
        3,
        width_ratios=[1, 1, 3],
        height_ratios=[1, 1.1],
        left=0.03,
        right=0.99,
        top=0.93,
        bottom=0.02,
        wspace=0.25,
        hspace=0.5,
    )
    axes = [fig.add_subplot(gs[0, j]) for j in range(3)]
    _draw_code(axes, y, W, z)
    axes[2].set_title(f"test digit {digit}, λ = {lam:.3g}: {active} active atoms of {z.numel()}")
    order = torch.argsort(z.abs(), descending=True)[: min(N_SHOWN, active)]
    ax = fig.add_subplot(gs[1, :])
    if active:
        shown = (W[:, order] * z[order]).numpy()  # (784, k): each atom times its coefficient
        _draw_atoms(shown, ax, f"its {len(order)} largest terms z_i w_i (of {active}), by |z_i|")
    else:
        ax.set_axis_off()
        ax.set_title("no active atom: λ is so large that z = 0")
    return fig, {
        "lambda": lam,
        "digit": digit,
        "active atoms": active,
        "relative error": rel,
        "energy": E,
        "||y||^2": float(y.pow(2).sum()),
        "largest |z_i|": float(z.abs().max()) if active else 0.0,
    }


def _check(lam, digit) -> tuple[float, int]:
    lam, digit = nonneg("lam", lam), nonneg_int("digit", digit)
    n = cache.test_digits()[0].shape[0]
    if digit >= n:
        raise ValueError(f"digit must be in [0, {n}), got {digit}")
    return lam, digit


def chapter2(lam: float | None = None, digit: int = 0) -> LiveControl:
    """Live control of chapter 2: a log slider for λ (default: the chapter's) and a test digit."""
    lam, digit = _check(cache.mnist_dictionary()[1] if lam is None else lam, digit)
    return LiveControl(
        encode_digit,
        {"lam": log_slider("λ", lam, *LAM_RANGE),
         "digit": index_box("test digit", digit, cache.test_digits()[0].shape[0])},
        initial={"lam": lam, "digit": digit},
    )  # fmt: skip
