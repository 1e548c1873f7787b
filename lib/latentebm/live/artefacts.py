"""Everything the live controls load, in one place: committed checkpoints and data, cached.

Each function loads one artefact the first time it is called and keeps it for the session, so a
control's updates pay only for their computation. These are the live package's only calls to the
library's loaders (the chapters' own cells load the same files): when the loaders change, only this
module changes.
"""

from __future__ import annotations

import functools

import torch

from ..checkpoints import load, load_or_train, path_of
from ..conv import model_from_checkpoint, whitened_images
from ..data import mnist
from ..latent import LatentEBM, recipes
from ..lista import LISTA
from ..vae.chapter import BETAS, chapter_model_name, load_chapter_model

LISTA_STEPS = (1, 2, 3, 5, 10)  # the committed checkpoints lista_K<K>.pt (chapter 4)
CONV_FILTERS = 32  # the chapter-5 model whose kernels code the crops
VAE_BETAS = BETAS  # the trained 2-D models of chapter 6


@functools.cache
def latent_models(checkpoint: str) -> LatentEBM:
    """Chapter 1: the ensemble of a committed checkpoint (``latent_sweep``: 19 models), on the CPU.

    Trained by its recipe (``latentebm.latent.recipes.RECIPES``) when the file is missing.
    """
    return LatentEBM.from_checkpoint(
        load_or_train(path_of(checkpoint), recipes.RECIPES[checkpoint])
    )


@functools.lru_cache(maxsize=1)
def latent_data() -> torch.Tensor:
    """Chapter 1: the 256 points of the ellipse every model was trained on, (256, 2)."""
    return recipes.data()


@functools.lru_cache(maxsize=1)
def mnist_dictionary() -> tuple[torch.Tensor, float]:
    """Chapters 2-4: the learned dictionary W (784, 256), float32, and its λ."""
    ckpt = load(path_of("mnist_dictionary"))
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
    """Chapter 4: the trained LISTA-K encoders, {K: LISTA}, for K in LISTA_STEPS."""
    return {K: LISTA.from_checkpoint(load(path_of(f"lista_K{K}"))) for K in LISTA_STEPS}


@functools.lru_cache(maxsize=1)
def conv_kernels() -> tuple[torch.Tensor, float, dict]:
    """Chapter 5: the decoder kernels (32, 1, 9, 9) of the grey model, its λ and its image
    preparation (``downscale``, ``f0``)."""
    ckpt = load(path_of(f"conv_sae_grey_{CONV_FILTERS}"))
    cfg = ckpt["config"]
    kernels = model_from_checkpoint(ckpt).decoder.detach()
    return kernels, float(cfg["lam"]), {"downscale": cfg["downscale"], "f0": cfg["f0"]}


@functools.cache
def whitened_image(name: str) -> torch.Tensor:
    """Chapter 5: scikit-image's photograph ``name``, grey, prepared as the model's training
    images (downscaled, whitened): (1, H, W) float32."""
    return whitened_images([name], **conv_kernels()[2])[0]


@functools.lru_cache(maxsize=1)
def vae_models() -> dict[float, object]:
    """Chapter 6: the trained VAEs with a 2-D latent, {β: VAE} (eval mode, CPU)."""
    return {b: load_chapter_model(chapter_model_name(2, b))[0] for b in VAE_BETAS}
