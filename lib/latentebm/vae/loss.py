r"""The VAE's cost: reconstruction + :math:`\beta` · KL, in nats per image, and the energy it defines.

Reduction, everywhere in this module: **summed** over pixels and over latent dimensions, then
**averaged over the batch** — so every number is "nats per image", the unit of pytorch/examples'
printed test loss.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch.nn import functional as F

from .._checks import FLOAT_DTYPES, as_tensor, nonneg, positive_int


class VAELoss(NamedTuple):
    """Batch means (nats per image): ``total = reconstruction + beta * kl``."""

    total: torch.Tensor
    reconstruction: torch.Tensor
    kl: torch.Tensor


def _mu_logvar(mu, logvar):
    """Check (mu, logvar) of shape (N, d): finite, and small enough that exp(logvar) and mu^2 do
    not overflow (one read-back for all of it)."""
    for name, x in (("mu", mu), ("logvar", logvar)):
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"{name} must be a torch.Tensor of shape (N, d), got {type(x).__name__}"
            )
        if x.dtype not in FLOAT_DTYPES:
            raise TypeError(f"{name} must be float32 or float64, got {x.dtype}")
        if x.ndim != 2 or x.numel() == 0:
            raise ValueError(f"{name} must have shape (N, d), got shape {tuple(x.shape)}")
    if mu.shape != logvar.shape:
        raise ValueError(
            f"mu and logvar must have one shape: logvar must have the shape of mu "
            f"{tuple(mu.shape)}, got {tuple(logvar.shape)}"
        )
    if mu.dtype != logvar.dtype or mu.device != logvar.device:
        raise TypeError(
            f"logvar is {logvar.dtype} on {logvar.device} but mu is {mu.dtype} on {mu.device}"
        )
    with torch.no_grad():  # max|mu|, min and max of logvar: NaN propagates through all three
        mu_max, lv_min, lv_max = torch.stack([mu.abs().max(), logvar.min(), logvar.max()]).tolist()
    top = math.log(torch.finfo(mu.dtype).max)  # exp overflows above it (88.7 in float32)
    if not mu_max <= math.sqrt(torch.finfo(mu.dtype).max) / 2:
        raise ValueError(
            f"mu must be finite and small enough to square, got |mu| up to {mu_max:.4g}"
        )
    if not (lv_min > -math.inf and lv_max <= top - 1):
        raise ValueError(
            f"logvar must be finite and at most {top - 1:.4g} (exp(logvar) overflows "
            f"{mu.dtype} above it), got values in [{lv_min:.4g}, {lv_max:.4g}]"
        )
    return mu, logvar


def kl_per_dim(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    r""":math:`\mathrm{KL}(\mathcal N(\bar z_j, \sigma_j^2)\,\|\,\mathcal N(0, 1))` per image and dimension, shape (N, d).

    Closed form (Kingma & Welling 2014, appendix B):
    :math:`\tfrac12(\bar z_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2)`. The :math:`\bar z_j^2` term is
    the *spring* pulling each ball's centre to the origin; :math:`\sigma_j^2 - 1 - \log\sigma_j^2`
    (minimal at :math:`\sigma_j = 1`) keeps the ball from shrinking to a point.
    """
    mu, logvar = _mu_logvar(mu, logvar)
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL of each image's ball to the prior N(0, I), summed over the d dimensions: shape (N,)."""
    return kl_per_dim(mu, logvar).sum(1)


def reconstruction_loss(y: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    r"""Bernoulli negative log-likelihood :math:`C(y,\bar y) = -\sum_i y_i\log\bar y_i + (1-y_i)\log(1-\bar y_i)`, shape (N,).

    ``y`` of shape (N, n) or (N, C, H, W) with values in [0, 1]; ``logits`` (N, n) from
    :meth:`VAE.decode_logits`, :math:`\bar y = \mathrm{sigmoid}(\text{logits})`.
    """
    logits = as_tensor("logits", logits, ndims=(2,), shape_doc="(N, n)")
    y = as_tensor("y", y, ndims=(2, 4), shape_doc=f"(N, {logits.shape[1]}) or (N, C, H, W)")
    y2 = y.reshape(y.shape[0], -1)  # (N, n)
    if y2.shape != logits.shape:
        raise ValueError(
            f"y must have {logits.shape[1]} values per image for {logits.shape[0]} images to match "
            f"logits {tuple(logits.shape)}, got {tuple(y.shape)}"
        )
    if y2.min() < 0 or y2.max() > 1:
        raise ValueError("y must have values in [0, 1] (pixel intensities)")
    return F.binary_cross_entropy_with_logits(logits, y2, reduction="none").sum(1)


def vae_loss(
    y: torch.Tensor, logits: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, beta: float = 1.0
) -> VAELoss:
    r"""The VAE objective :math:`\frac1N\sum_k C(y_k, \bar y_k) + \beta\,\mathrm{KL}_k`, in nats per image.

    With ``beta = 1`` it is the negative evidence lower bound of Kingma & Welling (2014);
    ``beta = 0`` removes the spring (a plain auto-encoder with noisy codes: the balls fly away);
    ``beta > 1`` is the beta-VAE.

    Parameters
    ----------
    y : Tensor of shape (N, n) or (N, C, H, W), values in [0, 1]
    logits : Tensor of shape (N, n)
        Decoder output for one code drawn from each ball.
    mu, logvar : Tensor of shape (N, d)
    beta : float >= 0
        Weight of the KL term.

    Returns
    -------
    VAELoss(total, reconstruction, kl): 0-d tensors, each summed over pixels / latent dimensions
    and averaged over the N images.
    """
    beta = nonneg("beta", beta)
    rec = reconstruction_loss(y, logits)  # (N,)
    kl = kl_divergence(mu, logvar)  # (N,)
    if kl.shape != rec.shape:
        raise ValueError(f"mu has {kl.shape[0]} rows but y has {rec.shape[0]} images")
    rec, kl = rec.mean(), kl.mean()
    return VAELoss(rec + beta * kl, rec, kl)


@torch.no_grad()
def energy(
    model,
    y: torch.Tensor,
    beta: float = 1.0,
    n_samples: int = 16,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Per-image energy :math:`F(y) = \mathbb E_{z\sim q(z|y)}[C(y, \mathrm{dec}(z))] + \beta\,\mathrm{KL}(q(z|y)\|p(z))`, shape (N,).

    The VAE's free energy (its negative ELBO for ``beta = 1``): low on images like the training
    digits, high elsewhere. The expectation is a Monte-Carlo average over ``n_samples`` codes from
    each ball (``generator`` on the model's device makes it reproducible).
    """
    from .model import VAE

    if not isinstance(model, VAE):
        raise TypeError(f"model must be a VAE, got {type(model).__name__}")
    beta = nonneg("beta", beta)
    n_samples = positive_int("n_samples", n_samples)
    mu, logvar = model.encode(y)
    rec = torch.zeros_like(mu[:, 0])  # (N,)
    for _ in range(n_samples):
        z = model.reparameterize(mu, logvar, generator)
        rec += reconstruction_loss(y, model.decode_logits(z))
    return rec / n_samples + beta * kl_divergence(mu, logvar)


def active_dims(mu: torch.Tensor, logvar: torch.Tensor, threshold: float = 0.01) -> int:
    """Number of latent dimensions whose KL, averaged over the images, exceeds ``threshold`` nats.

    A dimension with (near) zero KL has every ball equal to the prior N(0, 1) along it: it carries
    no information about the image (it has *collapsed*).
    """
    threshold = nonneg("threshold", threshold)
    return int((kl_per_dim(mu, logvar).mean(0) > threshold).sum())
