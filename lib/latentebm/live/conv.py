r"""Chapter 5, live: convolutional sparse coding of a photograph's crop at any λ.

:func:`~latentebm.live.conv_code` codes a crop of a whitened photograph with the 32 kernels (9 x 9) of the
chapter's grey model, :math:`\min_Z \|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1`, and draws the
crop, its reconstruction and the four most used code maps. To answer within a second on a CPU,
the crop is 96 x 96, the boundary circular and the solver the library's ADMM
(:func:`latentebm.conv.conv_admm`, FFT-domain, 60 iterations: the energy ends within about 3% of
the minimum on these crops, where 60 iterations of the chapter's FISTA are 1-30% above it; the
chapter's "full" boundary, direct convolutions, costs about ten times more per iteration).
:func:`~latentebm.live.chapter5` is its control.
"""

from __future__ import annotations

import torch
from matplotlib.figure import Figure

from .._checks import choice, nonneg
from ..conv import conv_admm, conv_energy, synthesize
from ..data.images import NATURAL_IMAGES
from ..plotting.conv import show_feature_maps, show_image
from . import cache
from .control import LiveControl, dropdown, log_slider

CROP = 96  # pixels, centre crop of the prepared photograph
N_ITER = 60
BOUNDARY = "circular"
LAM_RANGE = (0.05, 50.0)
IMAGES = NATURAL_IMAGES


# The library calls of this chapter, in one place.
def _crop(image: str) -> torch.Tensor:
    """The centre CROP x CROP crop of the prepared photograph: (1, 1, CROP, CROP)."""
    Y = cache.whitened_image(image)  # (1, H, W)
    H, W = Y.shape[-2:]
    top, left = (H - CROP) // 2, (W - CROP) // 2
    return Y[None, :, top : top + CROP, left : left + CROP]


def _solve(Y, K, lam):
    Z = conv_admm(Y, K, lam, n_iter=N_ITER)  # (1, m, CROP, CROP), circular boundary
    return Z, synthesize(Z, K, BOUNDARY), float(conv_energy(Y, K, Z, lam, boundary=BOUNDARY))


def _check(lam, image) -> tuple[float, str]:
    return nonneg("lam", lam), choice("image", image, IMAGES)


def conv_code(lam: float | None = None, image: str = "camera") -> tuple[Figure, dict]:
    r"""Convolutional sparse code of a crop of photograph ``image`` at weight ``lam``.

    Parameters
    ----------
    lam : float >= 0, the weight λ of the L1 penalty (default: the chapter's, 2.0)
    image : one of ``latentebm.data.images.NATURAL_IMAGES`` (grey, downscaled and whitened as
        the model's training images)

    Returns
    -------
    (Figure, numbers): the crop, its reconstruction :math:`\sum_i K_i * Z_i` and the four code
    maps with the largest L1 norm; numbers: the fraction of non-zero coefficients, the maps used,
    the relative reconstruction error, the energy.
    """
    K, lam0, _ = cache.conv_kernels()
    lam, image = _check(lam0 if lam is None else lam, image)
    Y = _crop(image)
    Z, Y_hat, E = _solve(Y, K, lam)
    nonzero = float((Z != 0).float().mean())
    rel = float((Y - Y_hat).norm() / Y.norm())
    used = int(((Z[0] != 0).flatten(1).any(1)).sum())
    fig = Figure(figsize=(11.0, 2.7))
    axes = fig.subplots(1, 6, gridspec_kw=dict(left=0.01, right=0.99, top=0.82, bottom=0.02,
                                               wspace=0.08))  # fmt: skip
    show_image(Y[0], ax=axes[0], title=f"{image} (whitened)")
    show_image(Y_hat[0], ax=axes[1], title=f"reconstruction, error {rel:.2f}")
    show_feature_maps(Z[0], ncols=4, ax=axes[2:])
    for ax in axes:
        ax.title.set_fontsize(9)  # the two image titles would touch at the library's size
    fig.suptitle(f"λ = {lam:.3g}: {100 * nonzero:.2f}% non-zero coefficients, {used} of "
                 f"{Z.shape[1]} maps used ({N_ITER} ADMM iterations)", fontsize=10)  # fmt: skip
    return fig, {
        "lambda": lam,
        "image": image,
        "non-zero fraction": nonzero,
        "maps used": used,
        "relative error": rel,
        "energy": E,
    }


def chapter5(lam: float | None = None, image: str = "camera") -> LiveControl:
    """Live control of chapter 5: a log slider for λ and the photograph."""
    lam, image = _check(cache.conv_kernels()[1] if lam is None else lam, image)
    return LiveControl(
        conv_code,
        {"lam": log_slider("λ", lam, *LAM_RANGE), "image": dropdown("photograph", image, IMAGES)},
        initial={"lam": lam, "image": image},
    )
