r"""How oriented is a filter? An orientation-selectivity index of its power spectrum.

For a filter with power spectrum :math:`P(f)` (DC removed), with :math:`\theta(f)` the angle of the
spatial frequency f,

.. math:: \mathrm{OSI} = \frac{|\sum_f P(f)\, e^{2i\theta(f)}|}{\sum_f P(f)} \in [0, 1].

An isotropic (centre-surround) filter spreads its power over all orientations: OSI near 0. An
oriented edge or grating puts it along one axis: OSI near 1. The doubled angle makes f and -f
(the same orientation) add up instead of cancelling.
"""

from __future__ import annotations

import torch

from .._checks import as_tensor, positive_int


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
    kernels = as_tensor("kernels", kernels, ndims=(3, 4), shape_doc="(m, C, k, k) or (m, k, k)")
    n_fft = positive_int("n_fft", n_fft)
    K = kernels.unsqueeze(1) if kernels.ndim == 3 else kernels  # (m, C, k, k)
    if n_fft < K.shape[-1]:
        raise ValueError(f"n_fft must be >= the kernel size {K.shape[-1]}, got {n_fft}")
    P = torch.fft.fft2(K.double(), s=(n_fft, n_fft)).abs().pow(2).sum(1)  # (m, n, n)
    f = torch.fft.fftfreq(n_fft, dtype=torch.float64, device=K.device)
    fy, fx = torch.meshgrid(f, f, indexing="ij")
    phase = torch.exp(2j * torch.atan2(fy, fx))  # e^{2i theta}, (n, n)
    P = P.clone()
    P[:, 0, 0] = 0  # DC carries no orientation
    total = P.sum((1, 2))
    osi = (P * phase).sum((1, 2)).abs() / total.clamp_min(1e-300)
    return torch.where(total > 0, osi, torch.zeros_like(osi)).to(kernels.dtype)
