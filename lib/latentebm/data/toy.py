"""The course's toy data for latent-variable EBMs: points on an ellipse whose radii depend on x."""

from __future__ import annotations

import math

import torch

from .._checks import FLOAT_DTYPES, nonneg, positive, positive_int
from .._checks import generator as check_generator


def ellipse(
    n: int,
    conditional: bool = False,
    noise: float = 0.05,
    radii: tuple[float, float] = (1.0, 0.5),
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float32,
):
    r"""Points :math:`y = (\rho_1(x)\cos t, \rho_2(x)\sin t) + \text{noise}`, t ~ U[0, 2π).

    Unconditional (default): fixed radii ``radii``, returns ``y`` of shape (n, 2).
    Conditional: x ~ U[0, 1] scales the radii, :math:`\rho_1(x) = r_1(1 + x)`,
    :math:`\rho_2(x) = r_2(2 - x)`, and the function returns ``(x, y)`` with ``x`` of shape (n, 1).
    ``noise`` is the standard deviation of the isotropic Gaussian noise added to y.
    """
    n = positive_int("n", n)
    noise = nonneg("noise", noise)
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be torch.float32 or torch.float64, got {dtype!r}")
    bad_radii = ValueError(f"radii must be two positive numbers, got {radii!r}")
    if isinstance(radii, str) or not hasattr(radii, "__len__") or len(radii) != 2:
        raise bad_radii
    try:
        r1, r2 = positive("radii[0]", radii[0]), positive("radii[1]", radii[1])
    except (TypeError, ValueError):
        raise bad_radii from None
    g = check_generator("generator", generator) or torch.Generator().manual_seed(0)
    t = torch.rand(n, generator=g, dtype=dtype) * 2 * math.pi
    if conditional:
        x = torch.rand(n, 1, generator=g, dtype=dtype)  # (n, 1)
        rho1, rho2 = r1 * (1 + x[:, 0]), r2 * (2 - x[:, 0])
    else:
        rho1 = torch.full((n,), float(r1), dtype=dtype)
        rho2 = torch.full((n,), float(r2), dtype=dtype)
    y = torch.stack([rho1 * torch.cos(t), rho2 * torch.sin(t)], dim=1)  # (n, 2)
    y = y + noise * torch.randn(n, 2, generator=g, dtype=dtype)
    return (x, y) if conditional else y
