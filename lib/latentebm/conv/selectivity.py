r"""How oriented is a filter? An orientation-selectivity index of its power spectrum.

For a filter with power spectrum :math:`P(f)` (DC removed), with :math:`\theta(f)` the angle of the
spatial frequency f,

.. math:: \mathrm{OSI} = \frac{|\sum_f P(f)\, e^{2i\theta(f)}|}{\sum_f P(f)} \in [0, 1].

An isotropic (centre-surround) filter spreads its power over all orientations: OSI near 0. An
oriented edge or grating puts it along one axis: OSI near 1. The doubled angle makes f and -f
(the same orientation) add up instead of cancelling.

The progression of the chapter is read with three more numbers: the **preferred orientation** of
each filter (how many different ones the oriented filters cover), the number of **lobes** (bands
of alternating sign across the stripes: 2 for an edge, 3 for a bar, 4 or more for a grating), and
the **cosine** between each encoder filter and its decoder kernel.
"""

from __future__ import annotations

import torch

from .._checks import as_tensor, nonneg, positive_int


def _spectrum(kernels: torch.Tensor, n_fft: int):
    """Checked kernels as (m, C, k, k), their power spectrum summed over channels (m, n, n) with
    the DC term zeroed, and the frequency grids fy, fx (n, n) in cycles per pixel."""
    kernels = as_tensor("kernels", kernels, ndims=(3, 4), shape_doc="(m, C, k, k) or (m, k, k)")
    n_fft = positive_int("n_fft", n_fft)
    K = kernels.unsqueeze(1) if kernels.ndim == 3 else kernels  # (m, C, k, k)
    if n_fft < K.shape[-1]:
        raise ValueError(f"n_fft must be >= the kernel size {K.shape[-1]}, got {n_fft}")
    P = torch.fft.fft2(K.double(), s=(n_fft, n_fft)).abs().pow(2).sum(1)  # (m, n, n)
    P[:, 0, 0] = 0  # DC carries no orientation
    f = torch.fft.fftfreq(n_fft, dtype=torch.float64, device=K.device)
    fy, fx = torch.meshgrid(f, f, indexing="ij")
    return K, P, fy, fx


def preferred_orientation(kernels: torch.Tensor, n_fft: int = 32) -> torch.Tensor:
    r"""Orientation of each kernel's stripes, in degrees in [0, 180), from the x axis (columns)
    towards the y axis (rows, downwards as in an image): 0 for horizontal stripes, 90 for
    vertical ones (the intensity changing along x).

    Half the angle of :math:`\sum_f P(f)\, e^{2i\theta(f)}` (the angle of the dominant spatial
    frequency), turned by 90 degrees: the stripes run across the frequency. Meaningful only for an
    oriented kernel (high :func:`orientation_selectivity`). Shape (m,), float64.
    """
    K, P, fy, fx = _spectrum(kernels, n_fft)
    phase = torch.exp(2j * torch.atan2(fy, fx))
    freq_angle = torch.rad2deg(torch.angle((P * phase).sum((1, 2))) / 2)
    theta = torch.remainder(freq_angle + 90.0, 180.0)
    return torch.where(theta > 180.0 - 1e-6, theta - 180.0, theta)  # just below 180 is 0


def orientation_coverage(
    kernels: torch.Tensor, threshold: float = 0.5, n_bins: int = 8, n_fft: int = 32
) -> int:
    """How many different orientations the oriented kernels cover: the number of the ``n_bins``
    orientation bins (each 180/n_bins degrees wide, centred on 0, 180/n_bins, ...) that hold the
    :func:`preferred_orientation` of at least one kernel whose :func:`orientation_selectivity`
    exceeds ``threshold``."""
    threshold = nonneg("threshold", threshold)
    n_bins = positive_int("n_bins", n_bins)
    oriented = orientation_selectivity(kernels, n_fft) > threshold
    theta = preferred_orientation(kernels, n_fft)[oriented]
    bins = torch.remainder(torch.round(theta / (180.0 / n_bins)), n_bins).long()
    return int(torch.unique(bins).numel())


def count_lobes(kernels: torch.Tensor, rel: float = 0.2, n_fft: int = 32) -> torch.Tensor:
    """Number of bands of alternating sign across each kernel's stripes (channels summed).

    The kernel is summed along its stripes (pixels binned by their coordinate along the dominant
    spatial frequency, one bin per pixel), which gives a 1-D profile across them; a lobe is a run
    of one sign among the bins whose magnitude is at least ``rel`` times the largest. A
    centre-surround spot or a blob gives 1 or 3 (see :func:`orientation_selectivity`), an edge 2,
    a bar 3 (a band between two of the other sign), a grating 4 or more. Shape (m,), int64.
    """
    rel = nonneg("rel", rel)
    if rel > 1:
        raise ValueError(f"rel must be in [0, 1], got {rel}")
    K, P, fy, fx = _spectrum(kernels, n_fft)
    m, k = K.shape[0], K.shape[-1]
    peak = P.flatten(1).argmax(1)  # the dominant frequency of each kernel
    ux, uy = fx.flatten()[peak], fy.flatten()[peak]
    norm = torch.sqrt(ux**2 + uy**2).clamp_min(1e-300)
    ux, uy = ux / norm, uy / norm
    r = torch.arange(k, dtype=torch.float64, device=K.device) - (k - 1) / 2
    yy, xx = torch.meshgrid(r, r, indexing="ij")
    flat = K.double().sum(1).flatten(1)  # (m, k*k)
    out = torch.zeros(m, dtype=torch.int64)
    for i in range(m):
        t = torch.round(xx * ux[i] + yy * uy[i]).long().flatten()
        t = t - t.min()
        profile = torch.zeros(int(t.max()) + 1, dtype=torch.float64, device=K.device)
        profile.index_add_(0, t, flat[i])
        big = profile.abs() >= rel * profile.abs().max()
        signs = torch.sign(profile[big & (profile != 0)])
        out[i] = int((signs[1:] != signs[:-1]).sum()) + 1 if signs.numel() else 0
    return out


def filter_cosine(encoder: torch.Tensor, decoder: torch.Tensor) -> torch.Tensor:
    """Cosine between each encoder filter and the decoder kernel of the same map, shape (m,).

    ``encoder`` and ``decoder`` of the same shape (m, C, k, k) (an auto-encoder's filters
    :math:`E_i` and kernels :math:`K_i`); 1 when the two are the same up to a positive scale, near
    0 for unrelated filters. An all-zero filter gives 0.
    """
    encoder = as_tensor("encoder", encoder, ndims=(4,), shape_doc="(m, C, k, k)")
    decoder = as_tensor("decoder", decoder, ndims=(4,), shape_doc=f"{tuple(encoder.shape)}")
    if decoder.shape != encoder.shape:
        raise ValueError(f"decoder must have the encoder's shape {tuple(encoder.shape)}, "
                         f"got {tuple(decoder.shape)}")  # fmt: skip
    E, K = encoder.double().flatten(1), decoder.double().to(encoder.device).flatten(1)
    denom = (E.norm(dim=1) * K.norm(dim=1)).clamp_min(1e-300)
    return (E * K).sum(1) / denom


def orientation_selectivity(kernels: torch.Tensor, n_fft: int = 32) -> torch.Tensor:
    """Orientation-selectivity index of each kernel, summed over channels.

    Parameters
    ----------
    kernels : Tensor of shape (m, C, k, k) or (m, k, k)
    n_fft : int, side of the zero-padded FFT grid (>= k).

    Returns
    -------
    Tensor of shape (m,), values in [0, 1] (0 for an all-zero kernel).
    """
    K, P, fy, fx = _spectrum(kernels, n_fft)
    phase = torch.exp(2j * torch.atan2(fy, fx))  # e^{2i theta}, (n, n)
    total = P.sum((1, 2))
    osi = (P * phase).sum((1, 2)).abs() / total.clamp_min(1e-300)
    return torch.where(total > 0, osi, torch.zeros_like(osi)).to(K.dtype)
