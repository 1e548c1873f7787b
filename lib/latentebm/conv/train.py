r"""Training the convolutional sparse auto-encoder end to end on whitened natural images.

Minimizes, by Adam over random crops, the mean over images of
:math:`\|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1` with Z the encoder's code and unit-norm
decoder kernels (renormalized after every step). :func:`latentebm.conv.train_psd` is the other
way: kernels fitted to FISTA's optimal codes.
"""

from __future__ import annotations

import math

import torch
from tqdm.auto import tqdm

from .._checks import generator as check_generator
from .._checks import module, nonneg, optimizer_step, positive, positive_int
from .autoencoder import ConvSparseAutoencoder
from .crops import check_image_list, crops_unchecked


def train_conv_autoencoder(
    model: ConvSparseAutoencoder,
    images: list[torch.Tensor],
    lam: float,
    *,
    n_steps: int = 2000,
    batch_size: int = 16,
    crop_size: int = 32,
    lr: float = 3e-3,
    encoder_decay: float = 1.0,
    generator: torch.Generator | None = None,
    progress: bool = True,
) -> dict:
    r"""Fit a :class:`ConvSparseAutoencoder` with Adam; minimizes the mean of :math:`\|Y-\hat Y\|^2 + \lambda\|Z\|_1`.

    Parameters
    ----------
    model : ConvSparseAutoencoder
        Trained in place, on its own device.
    images : list of Tensors of shape (C, H, W)
        Whitened images (see :func:`latentebm.data.whitened_images`); moved to the model's device.
    lam : float >= 0
        Sparsity weight.
    n_steps, batch_size, crop_size : int
        Adam steps, crops per step, crop side.
    lr : float
        Adam's learning rate (cosine-decayed to zero).
    encoder_decay : float
        Decoupled (AdamW) weight decay of the encoder filters.
    generator : torch.Generator, optional
        For the crops (reproducible runs).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    dict with lists ``"energy"``, ``"recon"`` (per-pixel squared error) and ``"nonzero"``
    (fraction of non-zero code entries), one entry per 50 steps.
    """
    module("model", model, ConvSparseAutoencoder)
    lam = nonneg("lam", lam)
    n_steps = positive_int("n_steps", n_steps)
    batch_size = positive_int("batch_size", batch_size)
    crop_size = positive_int("crop_size", crop_size)
    lr = positive("lr", lr)
    encoder_decay = nonneg("encoder_decay", encoder_decay)
    check_generator("generator", generator)
    images = check_image_list(images, crop_size, model.in_channels)
    device = model.decoder.device
    images = [im.to(device, model.decoder.dtype) for im in images]
    gen = generator if generator is not None else torch.Generator().manual_seed(0)
    # Decoupled weight decay on the encoder only: filter pixels that the gradient does not support
    # (noise left from the initialization) fade away. The decoder is renormalized anyway.
    others = [p for n, p in model.named_parameters() if n != "encoder"]
    opt = torch.optim.AdamW(
        [
            {"params": [model.encoder], "weight_decay": encoder_decay},
            {"params": others, "weight_decay": 0.0},
        ],
        lr=lr,
    )
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, n_steps)
    hist = {"energy": [], "recon": [], "nonzero": []}
    acc = torch.zeros(3)
    bar = tqdm(
        range(n_steps), disable=not progress, desc=f"conv SAE m={model.n_filters}", leave=False
    )
    for step in bar:
        Y = crops_unchecked(images, batch_size, crop_size, gen)  # (B, C, s, s), of checked images
        Y_hat, Z = model.forward_unchecked(Y)
        recon = (Y - Y_hat).pow(2).sum((1, 2, 3))  # (B,)
        loss = (recon + lam * Z.abs().sum((1, 2, 3))).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        optimizer_step(
            opt,
            lambda why, step=step: ValueError(
                f"train_conv_autoencoder diverged at step {step + 1} ({why}): lower lr={lr:g}"
            ),
        )
        sched.step()
        model.normalize_()
        step_loss = loss.item()
        if not math.isfinite(step_loss):
            raise ValueError(
                f"train_conv_autoencoder diverged at step {step + 1} (energy {step_loss}): "
                f"lr={lr:g} is too large for lam={lam:g}; lower lr"
            )
        acc += torch.tensor(
            [step_loss, recon.mean().item() / Y[0].numel(), (Z != 0).float().mean().item()]
        )
        if (step + 1) % 50 == 0:
            for key, v in zip(hist, (acc / 50).tolist(), strict=True):
                hist[key].append(v)
            acc.zero_()
            bar.set_postfix(energy=f"{hist['energy'][-1]:.4g}", nnz=f"{hist['nonzero'][-1]:.3f}")
    return hist
