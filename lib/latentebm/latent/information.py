r"""How much information a noisy code carries: the mutual information between a data point and
its code blurred by Gaussian noise.

For N codes :math:`z_1, \dots, z_N` (one per data point, the point i drawn uniformly) and the
noisy code :math:`\tilde z = z_i + \sigma\epsilon`, :math:`\epsilon \sim \mathcal N(0, I)`,

.. math:: I(i; \tilde z) = \log N + \mathbb E_{i, \epsilon} \log p(i \mid \tilde z), \qquad
          p(i \mid \tilde z) = \frac{\exp(-\|\tilde z - z_i\|^2 / 2\sigma^2)}
                                    {\sum_j \exp(-\|\tilde z - z_j\|^2 / 2\sigma^2)},

estimated by Monte Carlo. It lies between 0 (every code is lost in the noise of the others) and
:math:`\log_2 N` bits (every point can be told apart); :math:`2^I` is the number of data points
the noisy code distinguishes. Codes spread far apart compared with :math:`\sigma` carry much;
codes pulled together by a norm penalty carry little.
"""

from __future__ import annotations

import math

import torch

from .._checks import as_tensor, positive, positive_int
from .._checks import generator as check_generator


def code_information(
    z: torch.Tensor,
    noise_std: float,
    *,
    n_samples: int = 64,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Mutual information, in bits, between a data point and its noisy code :math:`z_i + \sigma\epsilon`.

    Parameters
    ----------
    z : Tensor of shape (N, d) or (K, N, d), the codes of N data points (for K models)
    noise_std : float, :math:`\sigma`, the standard deviation of the noise added to each code
    n_samples : int, noise samples per code for the Monte Carlo estimate
    generator : torch.Generator, optional (default: seeded with 0, so the estimate is repeatable)

    Returns
    -------
    Tensor of shape () or (K,): bits, in [0, log2 N]
    """
    z = as_tensor("z", z, ndims=(2, 3), shape_doc="(N, d) or (K, N, d)")
    sigma = positive("noise_std", noise_std)
    S = positive_int("n_samples", n_samples)
    check_generator("generator", generator)
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    single, dtype = z.ndim == 2, z.dtype
    z = (z.detach()[None] if single else z.detach()).double()  # (K, N, d), float64 sums
    K, N, d = z.shape
    eps = torch.randn(S, K, N, d, generator=g, dtype=z.dtype).to(z.device)
    out = torch.zeros(K, dtype=z.dtype, device=z.device)
    for s in range(S):  # one noise sample of every code at a time: (K, N, N) distances
        zt = z + sigma * eps[s]  # (K, N, d)
        logits = -torch.cdist(zt, z).pow(2) / (2 * sigma**2)  # (K, N noisy, N centres)
        out += (logits.diagonal(dim1=1, dim2=2) - torch.logsumexp(logits, 2)).mean(1)
    bits = ((math.log(N) + out / S) / math.log(2)).to(dtype)
    return bits[0] if single else bits


def gaussian_bound(z: torch.Tensor, noise_std: float) -> torch.Tensor:
    r"""Shannon's upper bound, in bits, on the information a code blurred by noise can carry.

    For any codes with covariance :math:`\Sigma` (over the data points),
    :math:`I(i; z_i + \sigma\epsilon) \le \tfrac12 \log_2 \det(I + \Sigma / \sigma^2)`: the
    Gaussian channel's capacity at that power. A norm penalty bounds :math:`\Sigma`, hence the
    information, whatever the decoder does; without it the codes can spread without limit.

    Parameters
    ----------
    z : Tensor of shape (N, d) or (K, N, d)
    noise_std : float, :math:`\sigma`

    Returns
    -------
    Tensor of shape () or (K,): bits
    """
    z = as_tensor("z", z, ndims=(2, 3), shape_doc="(N, d) or (K, N, d)")
    sigma = positive("noise_std", noise_std)
    single = z.ndim == 2
    z = z.detach()[None] if single else z.detach()  # (K, N, d)
    if z.shape[1] < 2:
        raise ValueError(f"z must hold at least 2 codes (N >= 2), got shape {tuple(z.shape)}")
    zc = z - z.mean(1, keepdim=True)
    cov = zc.transpose(1, 2) @ zc / z.shape[1]  # (K, d, d), the population covariance
    eye = torch.eye(z.shape[2], dtype=z.dtype, device=z.device)
    bits = 0.5 * torch.logdet(eye + cov / sigma**2) / math.log(2)
    return bits[0] if single else bits
