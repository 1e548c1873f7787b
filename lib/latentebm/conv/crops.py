"""Random square crops of images: the minibatches both training procedures draw."""

from __future__ import annotations

import torch

from .._checks import FLOAT_DTYPES, all_finite, positive_int
from .._checks import generator as check_generator


def check_image_list(images, size: int, channels: int | None = None) -> list[torch.Tensor]:
    """``images`` as a list of finite float (C, H, W) tensors of at least ``size`` x ``size``."""
    if isinstance(images, torch.Tensor) or not isinstance(images, (list, tuple)):
        raise TypeError(
            f"images must be a list of (C, H, W) tensors, got {type(images).__name__}"
            + (
                " (for a batch (N, C, H, W), pass list(batch))"
                if isinstance(images, torch.Tensor)
                else ""
            )
        )
    if not images:
        raise ValueError("images must be a non-empty list of (C, H, W) tensors")
    for i, im in enumerate(images):
        if not isinstance(im, torch.Tensor) or im.dtype not in FLOAT_DTYPES:
            raise TypeError(f"images[{i}] must be a float32/float64 tensor (C, H, W), got "
                            f"{getattr(im, 'dtype', type(im).__name__)}")  # fmt: skip
        if im.ndim != 3 or min(im.shape[-2:]) < size:
            raise ValueError(
                f"images[{i}] must be (C, H, W) of at least {size}x{size}, got {tuple(im.shape)}"
            )
        if channels is not None and im.shape[0] != channels:
            raise ValueError(f"images[{i}] must have {channels} channels, got {tuple(im.shape)}")
        if not all_finite(im):
            raise ValueError(f"images[{i}] contains NaN or infinite values")
    return list(images)


def random_crops(
    images: list[torch.Tensor], n: int, size: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``n`` random ``size`` x ``size`` crops of (C, H, W) images, images picked uniformly.

    Returns
    -------
    Tensor of shape (n, C, size, size), on the images' device.
    """
    n, size = positive_int("n", n), positive_int("size", size)
    check_generator("generator", generator)
    if isinstance(images, torch.Tensor) or not isinstance(images, (list, tuple)) or not images:
        check_image_list(images, size)  # raises the right error
    for im in images:  # cheap shape checks (the full ones, finiteness included: check_image_list)
        if not isinstance(im, torch.Tensor) or im.ndim != 3 or min(im.shape[-2:]) < size:
            raise ValueError(
                f"images must be (C, H, W) tensors of at least {size}x{size}, got "
                f"{tuple(getattr(im, 'shape', ())) or type(im).__name__}"
            )
    return crops_unchecked(images, n, size, generator)


def crops_unchecked(images, n: int, size: int, generator) -> torch.Tensor:
    """:func:`random_crops` of checked arguments, for the training loops: (n, C, size, size)."""
    pick = torch.randint(0, len(images), (n,), generator=generator)
    crops = []
    for i in pick.tolist():
        im = images[i]
        r = int(torch.randint(0, im.shape[1] - size + 1, (1,), generator=generator))
        c = int(torch.randint(0, im.shape[2] - size + 1, (1,), generator=generator))
        crops.append(im[:, r : r + size, c : c + size])
    return torch.stack(crops)  # (n, C, size, size)
