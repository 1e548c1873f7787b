"""The chapter's trained models: one table of settings shared by ``scripts/train_vae.py`` and the notebook."""

from __future__ import annotations

from ..checkpoints import load_or_train, path_of
from .model import VAE
from .train import train_mnist_vae

BETAS = (0.0, 0.1, 1.0, 4.0, 16.0, 64.0)


def _tag(beta: float) -> str:
    return f"{beta:g}"


#: name -> keyword arguments of :func:`train_mnist_vae` (checkpoint ``lib/latentebm/checkpoints/<name>.pt``)
CHAPTER_MODELS: dict[str, dict] = {
    # the pytorch/examples configuration: 784-400-20, beta = 1, 10 epochs, Adam 1e-3, batch 128
    "vae_reference": dict(latent_dim=20, hidden=400, beta=1.0, n_epochs=10, n_track=0),
    # 2-D latents, to draw the balls, for each beta of the sweep (beta = 0 longer: its balls' flight
    # away from the origin is the point)
    **{
        f"vae2d_beta{_tag(b)}": dict(latent_dim=2, hidden=256, beta=b, n_epochs=15 if b == 0 else 8)
        for b in BETAS
    },
    # 20-D latents, to count the active dimensions for each beta
    **{
        f"vae20d_beta{_tag(b)}": dict(latent_dim=20, hidden=256, beta=b, n_epochs=5, n_track=0)
        for b in BETAS
    },
}


def chapter_model_name(latent_dim: int, beta: float) -> str:
    """``vae2d_beta4`` etc.: the sweep model with ``latent_dim`` 2 or 20 and KL weight ``beta``."""
    if isinstance(beta, (str, bytes)) or not isinstance(beta, (int, float)):
        raise TypeError(f"beta must be a number among {BETAS}, got {type(beta).__name__}")
    name = f"vae{latent_dim}d_beta{_tag(beta)}"
    if name not in CHAPTER_MODELS:
        raise ValueError(f"no chapter model {name!r}; latent_dim in (2, 20), beta in {BETAS}")
    return name


def load_chapter_model(name: str, device=None, retrain: bool = False, progress: bool = False):
    """Load the committed checkpoint ``name`` (training it, ~1-3 min on a CPU, if it is missing).

    Returns ``(model, ckpt)``: a float32 :class:`VAE` in eval mode on ``device`` and the checkpoint
    dict (``settings``, ``history`` with the per-epoch test statistics and the recorded balls).
    """
    if not isinstance(name, str) or name not in CHAPTER_MODELS:
        raise ValueError(f"name must be one of {sorted(CHAPTER_MODELS)}, got {name!r}")
    kw = CHAPTER_MODELS[name]
    ckpt = load_or_train(
        path_of(name),
        lambda: train_mnist_vae(**kw, device=device, progress=progress),
        retrain=retrain,
        map_location="cpu",
    )
    return VAE.from_checkpoint(ckpt, device=device), ckpt
