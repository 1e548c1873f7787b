r"""The variational auto-encoder: codes made noisy ("fuzzy balls") and tied to the origin by a KL spring.

Modules::

    model   VAE(latent_dim, hidden=...): encode -> (mu, logvar), reparameterize, decode
    loss    vae_loss (reconstruction + beta * KL, nats per image), kl_divergence, kl_per_dim,
            reconstruction_loss, energy (per-image free energy), active_dims
    train   train_vae (Adam, records the balls), evaluate, record_balls
    balls   code_information (nats the noisy code carries), ball_overlap, nearest_class_shares

The chapter's trained models and their settings: :mod:`latentebm.chapters.ch6_vae`.
"""

from .balls import ball_overlap, code_information, nearest_class_shares
from .loss import (
    VAELoss,
    active_dims,
    energy,
    kl_divergence,
    kl_per_dim,
    reconstruction_loss,
    vae_loss,
)
from .model import VAE
from .train import evaluate, record_balls, train_vae

__all__ = [
    "VAE",
    "VAELoss",
    "vae_loss",
    "kl_divergence",
    "kl_per_dim",
    "reconstruction_loss",
    "energy",
    "active_dims",
    "train_vae",
    "evaluate",
    "record_balls",
    "code_information",
    "ball_overlap",
    "nearest_class_shares",
]
