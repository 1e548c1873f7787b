r"""The VAE's cost: reconstruction + :math:`\beta` · KL, in nats per image, and the energy it defines.

Reduction, everywhere in this module: **summed** over pixels and over latent dimensions, then
**averaged over the batch** — so every number is "nats per image", the unit of pytorch/examples'
printed test loss.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch.nn import functional as F

from .._checks import as_tensor, module, nonneg, positive_int
from .._checks import generator as check_generator
from .model import VAE, _mu_logvar


class VAELoss(NamedTuple):
    """Batch means (nats per image): ``total = reconstruction + beta * kl``."""

    total: torch.Tensor
    reconstruction: torch.Tensor
    kl: torch.Tensor


def kl_per_dim(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    r""":math:`\mathrm{KL}(\mathcal N(\bar z_j, \sigma_j^2)\,\|\,\mathcal N(0, 1))` per image and dimension, shape (N, d).

    Closed form (Kingma & Welling 2014, appendix B):
    :math:`\tfrac12(\bar z_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2)`. The :math:`\bar z_j^2` term is
    the *spring* pulling each ball's centre to the origin; :math:`\sigma_j^2 - 1 - \log\sigma_j^2`
    (minimal at :math:`\sigma_j = 1`) keeps the ball from shrinking to a point.
    """
    mu, logvar = _mu_logvar(mu, logvar)
    return _kl_per_dim(mu, logvar)


def _kl_per_dim(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """:func:`kl_per_dim` of checked (mu, logvar)."""
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
    return _reconstruction_loss(y2, logits)


def _reconstruction_loss(y2: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """:func:`reconstruction_loss` of checked images y2 (N, n) and logits (N, n)."""
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
    return _batch_means(rec, kl, beta)


def vae_loss_unchecked(
    y2: torch.Tensor, logits: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, beta: float
) -> VAELoss:
    """:func:`vae_loss` of checked images y2 (N, n), for the training loop."""
    rec = _reconstruction_loss(y2, logits)  # (N,)
    kl = _kl_per_dim(mu, logvar).sum(1)  # (N,)
    return _batch_means(rec, kl, beta)


def _batch_means(rec: torch.Tensor, kl: torch.Tensor, beta: float) -> VAELoss:
    rec, kl = rec.mean(), kl.mean()
    return VAELoss(rec + beta * kl, rec, kl)


@torch.no_grad()
def energy(
    model,
    y: torch.Tensor,
    *,
    beta: float = 1.0,
    n_samples: int = 16,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Per-image energy :math:`F(y) = \mathbb E_{z\sim q(z|y)}[C(y, \mathrm{dec}(z))] + \beta\,\mathrm{KL}(q(z|y)\|p(z))`, shape (N,).

    The VAE's free energy (its negative ELBO for ``beta = 1``): low on images like the training
    digits, high elsewhere. The expectation is a Monte-Carlo average over ``n_samples`` codes from
    each ball (``generator`` on the model's device makes it reproducible).
    """
    module("model", model, VAE)
    beta = nonneg("beta", beta)
    n_samples = positive_int("n_samples", n_samples)
    y2 = model.check_images(y)
    if y2.min() < 0 or y2.max() > 1:
        raise ValueError("y must have values in [0, 1] (pixel intensities)")
    check_generator("generator", generator)
    mu, logvar = _mu_logvar(*model.encode_unchecked(y2))
    if generator is not None and generator.device.type != mu.device.type:
        raise ValueError(f"generator is on {generator.device} but the model is on {mu.device}")
    rec = torch.zeros_like(mu[:, 0])  # (N,)
    for _ in range(n_samples):
        z = model.sample_unchecked(mu, logvar, generator)
        rec += _reconstruction_loss(y2, model.decode_logits_unchecked(z))
    return rec / n_samples + beta * _kl_per_dim(mu, logvar).sum(1)


def active_dims(mu: torch.Tensor, logvar: torch.Tensor, threshold: float = 0.01) -> int:
    """Number of latent dimensions whose KL, averaged over the images, exceeds ``threshold`` nats.

    A dimension with (near) zero KL has every ball equal to the prior N(0, 1) along it: it carries
    no information about the image (it has *collapsed*).
    """
    threshold = nonneg("threshold", threshold)
    return int((kl_per_dim(mu, logvar).mean(0) > threshold).sum())
