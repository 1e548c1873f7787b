"""Random square crops of images: the minibatches both training procedures draw."""

from __future__ import annotations

import torch

from .._checks import positive_int


def random_crops(
    images: list[torch.Tensor], n: int, size: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``n`` random ``size`` x ``size`` crops of (C, H, W) images, images picked uniformly.

    Returns
    -------
    Tensor of shape (n, C, size, size), on the images' device.
    """
    n, size = positive_int("n", n), positive_int("size", size)
    if not images:
        raise ValueError("images must be a non-empty list of (C, H, W) tensors")
    pick = torch.randint(0, len(images), (n,), generator=generator)
    crops = []
    for i in pick.tolist():
        im = images[i]
        if im.ndim != 3 or min(im.shape[-2:]) < size:
            raise ValueError(
                f"images must be (C, H, W) of at least {size}x{size}, got {tuple(im.shape)}"
            )
        r = int(torch.randint(0, im.shape[1] - size + 1, (1,), generator=generator))
        c = int(torch.randint(0, im.shape[2] - size + 1, (1,), generator=generator))
        crops.append(im[:, r : r + size, c : c + size])
    return torch.stack(crops)  # (n, C, size, size)
