"""Chapter 6, the variational auto-encoder: the reference model and the sweep over beta.

``vae_reference`` is the pytorch/examples configuration (784-400-20, beta = 1, 10 epochs, Adam
1e-3, batch 128); ``vae2d_beta<b>`` have 2-D latents, to draw the balls, for each b of ``BETAS``
(beta = 0 trains longer: its balls' flight away from the origin is the point), and record the balls
of the first 500 test digits after every epoch; ``vae20d_beta<b>`` have 20-D latents, to count the
active dimensions. Weights in float16 (1-3 minutes each on a CPU core).
"""

from __future__ import annotations

from ..data import mnist
from ..device import seed_everything
from ..vae import VAE, train_vae
from .artefacts import Artefact

BETAS = (0.0, 0.1, 1.0, 4.0, 16.0, 64.0)
_TRAINING = dict(n_train=None, batch_size=128, lr=1e-3, seed=0, reduction="mean", half=True)


def vae_name(latent_dim: int, beta: float) -> str:
    """``"vae2d_beta4"`` etc.: the sweep's model with ``latent_dim`` 2 or 20 and KL weight ``beta``."""
    if isinstance(beta, (str, bytes, bool)) or not isinstance(beta, (int, float)):
        raise TypeError(f"beta must be a number among {BETAS}, got {type(beta).__name__}")
    name = f"vae{latent_dim}d_beta{beta:g}"
    if name not in SETTINGS:
        raise ValueError(f"no model {name!r} in chapter 6; latent_dim in (2, 20), beta in {BETAS}")
    return name


#: name -> the settings that made ``lib/latentebm/checkpoints/<name>.pt``
SETTINGS = {
    "vae_reference": dict(latent_dim=20, hidden=400, beta=1.0, n_epochs=10, n_track=0, **_TRAINING),
    **{f"vae2d_beta{b:g}": dict(latent_dim=2, hidden=256, beta=b, n_epochs=15 if b == 0 else 8,
                                n_track=500, **_TRAINING)
       for b in BETAS},
    **{f"vae20d_beta{b:g}": dict(latent_dim=20, hidden=256, beta=b, n_epochs=5, n_track=0,
                                 **_TRAINING)
       for b in BETAS},
}  # fmt: skip


def train_mnist_vae(
    latent_dim, hidden, beta, n_epochs, n_track, n_train, batch_size, lr, seed, reduction, half,
    *, device=None, progress=False,
) -> dict:  # fmt: skip
    """A :class:`latentebm.vae.VAE` trained on MNIST (the first ``n_train`` of the 60k training
    digits; None: all): its checkpoint (weights in float16 with ``half``), the ``"settings"`` and
    the ``"history"`` of :func:`latentebm.vae.train_vae`, with the balls of the first ``n_track``
    test digits after every epoch (float16; recording them uses no randomness, so it does not
    change the training)."""
    gen = seed_everything(seed)
    y, _ = mnist("train")
    y_test, _ = mnist("test")
    if n_train is not None:
        y = y[:n_train]
    model = VAE(latent_dim, hidden=hidden).to(device)
    hist = train_vae(
        model, y, beta=beta, n_epochs=n_epochs, batch_size=batch_size, lr=lr, y_test=y_test,
        track=y_test[:n_track] if n_track > 0 else None, generator=gen, progress=progress,
        reduction=reduction,
    )  # fmt: skip
    if n_track > 0:  # (n_epochs + 1) x 2 tensors of shape (n_track, d)
        hist["balls"] = [(m.half(), s.half()) for m, s in hist["balls"]]
    settings = {"beta": float(beta), "n_epochs": n_epochs, "n_train": int(y.shape[0]),
                "batch_size": batch_size, "lr": lr, "seed": seed, "n_track": n_track,
                "reduction": reduction}  # fmt: skip
    return model.checkpoint(half=half, settings=settings, history=hist)


ARTEFACTS = {name: Artefact(name, "6", train_mnist_vae, SETTINGS[name]) for name in SETTINGS}
