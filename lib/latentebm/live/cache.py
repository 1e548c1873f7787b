"""What the live controls load, kept for the session: the book's artefacts, loaded once.

The artefacts, their names and the settings that made them live in :mod:`latentebm.chapters`
(one home); this module only calls its loader (``chapters.load``) and the models'
``from_checkpoint``, once per session, so that a control's updates pay for their computation
and not for reading (and checking the sha256 of) a file. Every name and setting below is read
from the chapters' tables.
"""

from __future__ import annotations

import functools

import torch

from ..chapters import ch1_latent, ch4_lista, ch5_conv, ch6_vae, load, settings
from ..conv import ConvSparseAutoencoder
from ..data import mnist, whitened_images
from ..latent import LatentEBM
from ..lista import LISTA
from ..vae import VAE

LISTA_DEPTHS = ch4_lista.KS  # the committed LISTA-K (chapter 4)
CONV_MODEL = (
    ch5_conv.PRETRAINED
)  # the chapter-5 model (32 grey kernels): its kernels code the crops
VAE_BETAS = ch6_vae.BETAS  # the trained 2-D models of chapter 6


@functools.cache
def latent_models(name: str) -> LatentEBM:
    """Chapter 1: the ensemble of the artefact ``name`` (``latent_sweep``: 19 models), on the CPU."""
    return LatentEBM.from_checkpoint(load(name))


@functools.lru_cache(maxsize=1)
def latent_data() -> torch.Tensor:
    """Chapter 1: the 256 points of the ellipse every model was trained on, (256, 2)."""
    return ch1_latent.data()


@functools.lru_cache(maxsize=1)
def mnist_dictionary() -> tuple[torch.Tensor, float]:
    """Chapters 2-4: the learned dictionary W (784, 256), float32, and its λ."""
    ckpt = load("mnist_dictionary")
    return ckpt["W"], float(ckpt["lam"])


@functools.lru_cache(maxsize=1)
def test_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """Chapters 2-6: the 10 000 MNIST test digits (N, 1, 28, 28) in [0, 1] and their labels (N,)."""
    return mnist("test")


@functools.lru_cache(maxsize=1)
def mnist_problem() -> tuple[torch.Tensor, float, torch.Tensor]:
    """Chapters 2-3 (as they run it, in float64): W (784, 256), λ, the test digits as rows
    (10000, 784)."""
    W, lam = mnist_dictionary()
    x, _ = test_digits()
    return W.double(), lam, x.reshape(len(x), -1).double()


@functools.lru_cache(maxsize=1)
def lista_models() -> dict[int, LISTA]:
    """Chapter 4: the trained LISTA-K encoders, {K: LISTA}, for K in ``LISTA_DEPTHS``."""
    return {K: LISTA.from_checkpoint(load(f"lista_K{K}")) for K in LISTA_DEPTHS}


@functools.lru_cache(maxsize=1)
def conv_kernels() -> tuple[torch.Tensor, float, dict]:
    """Chapter 5: the decoder kernels (32, 1, 9, 9) of ``CONV_MODEL``, its λ and its image
    preparation (``downscale``, ``method``, ``f0``), from the chapter's settings."""
    kernels = ConvSparseAutoencoder.from_checkpoint(load(CONV_MODEL)).decoder.detach()
    made = settings(CONV_MODEL)
    prep = {k: made[k] for k in ("downscale", "method", "f0")}
    return kernels, float(made["lam"]), prep


@functools.cache
def whitened_image(name: str) -> torch.Tensor:
    """Chapter 5: scikit-image's photograph ``name``, grey, prepared as the model's training
    images (downscaled, whitened): (1, H, W) float32."""
    return whitened_images([name], **conv_kernels()[2])[0]


@functools.lru_cache(maxsize=1)
def vae_models() -> dict[float, VAE]:
    """Chapter 6: the trained VAEs with a 2-D latent, {β: VAE} (eval mode, CPU)."""
    return {b: VAE.from_checkpoint(load(ch6_vae.vae_name(2, b))) for b in VAE_BETAS}
