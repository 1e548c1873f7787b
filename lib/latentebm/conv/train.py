r"""Training the convolutional sparse auto-encoder on whitened natural images.

Minimizes, by Adam over random crops, the mean over images of
:math:`\|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1` with Z the encoder's code and unit-norm
decoder kernels (renormalized after every step).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from tqdm.auto import tqdm

from .._checks import choice, module, nonneg, nonneg_int, optimizer_step, positive, positive_int
from .._checks import generator as check_generator
from ..data import natural_images, whiten_image
from ..data.images import check_image
from .autoencoder import ConvSparseAutoencoder
from .crops import check_image_list, random_crops
from .psd import train_psd

METHODS = ("whiten", "lcn")
TRAININGS = ("psd", "autoencoder")


def contrast_normalize(image: np.ndarray, sigma: float = 2.0) -> np.ndarray:
    r"""Local contrast normalization: subtract a Gaussian-weighted local mean, divide by the local std.

    :math:`v = x - G_\sigma * x`, :math:`y = v / \max(c, \sqrt{G_\sigma * v^2})` with c the mean
    local std (Jarrett et al. 2009). Works on (H, W) or (H, W, C) (channels normalized jointly);
    output has unit variance.
    """
    from scipy.ndimage import gaussian_filter

    x = check_image(image)
    sigma = positive("sigma", sigma)
    if not x.std() > 0:
        raise ValueError("image is constant: there is no contrast to normalize")
    sig = (sigma, sigma, 0) if x.ndim == 3 else (sigma, sigma)
    v = x - gaussian_filter(x, sig, mode="reflect")
    e = v**2 if x.ndim == 2 else (v**2).mean(-1)
    local = np.sqrt(gaussian_filter(e, sigma, mode="reflect"))
    y = (
        v / np.maximum(local, local.mean())[..., None]
        if x.ndim == 3
        else v / np.maximum(local, local.mean())
    )
    return y / y.std()  # check_image refused constant images: y is not all zeros


def whitened_images(
    names=None, color: bool = False, downscale: int = 1, method: str = "whiten", f0: float = 0.4
) -> list[torch.Tensor]:
    """scikit-image photographs, whitened (flat spectrum, unit variance): list of (C, H, W) float32.

    ``names`` defaults to ``latentebm.data.images.NATURAL_IMAGES``; with ``color=True`` each
    channel is whitened by the same filter, so colour contrasts are kept. ``downscale`` > 1 first
    shrinks the photographs (anti-aliased), so that a small kernel sees edges rather than texture
    and sensor noise; ``f0`` is the cut-off of the whitening filter (cycles/pixel, see
    :func:`latentebm.data.whiten_image`); ``method="lcn"`` uses ``contrast_normalize`` instead.
    """
    downscale = positive_int("downscale", downscale)
    method = choice("method", method, METHODS)
    f0 = positive("f0", f0)
    ims = natural_images(color=color) if names is None else natural_images(names, color=color)
    out = []
    for im in ims:
        if downscale > 1:
            from skimage.transform import rescale

            im = rescale(
                im, 1 / downscale, anti_aliasing=True, channel_axis=-1 if im.ndim == 3 else None
            )
        w = (
            whiten_image(im, f0=f0) if method == "whiten" else contrast_normalize(im)
        )  # (H, W) or (H, W, 3)
        w = w[None] if w.ndim == 2 else np.moveaxis(w, -1, 0)  # (C, H, W)
        out.append(torch.from_numpy(np.ascontiguousarray(w)).float())
    return out


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
        Whitened images (see :func:`whitened_images`); moved to the model's device.
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
        Y = random_crops(images, batch_size, crop_size, gen)  # (B, C, s, s)
        Y_hat, Z = model(Y)
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


def fit_natural_images(
    n_filters: int,
    *,
    kernel_size: int = 9,
    color: bool = False,
    lam: float = 2.0,
    n_steps: int | None = None,
    downscale: int = 2,
    method: str = "whiten",
    f0: float = 0.25,
    training: str = "psd",
    seed: int = 0,
    progress: bool = True,
    device=None,
) -> dict:
    """Train one :class:`ConvSparseAutoencoder` on the book's natural images; return a checkpoint.

    The recipe of the chapter's filter progression (and of ``scripts/train_conv_autoencoders.py``):
    scikit-image's photographs downscaled by ``downscale`` (so that 9 x 9 kernels see edges rather
    than texture), whitened (``"whiten"``, flat spectrum up to ``f0`` cycles/pixel: the cut-off
    keeps pixel noise out of the filters) or contrast-normalized (``"lcn"``). ``training="psd"``
    (default): :func:`latentebm.conv.train_psd`, kernels fitted to FISTA's optimal codes of 64 x 64
    crops, the encoder trained to predict them (``n_steps`` defaults to 300, 200 in colour);
    ``training="autoencoder"``: :func:`train_conv_autoencoder`, Adam on the energy of the encoder's
    own code over 32 x 32 crops (``n_steps`` defaults to 1500).

    Returns
    -------
    dict of the model's float32 tensors (``state``), its configuration and the training history,
    readable by :func:`model_from_checkpoint` (and by ``torch.load(weights_only=True)``).
    """
    # Every setting is checked before the photographs are loaded and the model trained.
    training = choice("training", training, TRAININGS)
    method = choice("method", method, METHODS)
    lam, f0 = nonneg("lam", lam), positive("f0", f0)
    downscale, seed = positive_int("downscale", downscale), nonneg_int("seed", seed)
    if n_steps is not None:
        n_steps = positive_int("n_steps", n_steps)
    gen = torch.Generator().manual_seed(seed)
    model = ConvSparseAutoencoder(
        n_filters, kernel_size, 3 if color else 1, nonlinearity="shrink", generator=gen
    )
    if device is not None:
        model = model.to(device)
    if n_steps is None:
        n_steps = (200 if color else 300) if training == "psd" else 1500
    images = whitened_images(color=color, downscale=downscale, method=method, f0=f0)
    fit = train_psd if training == "psd" else train_conv_autoencoder
    hist = fit(model, images, lam, n_steps=n_steps, generator=gen, progress=progress)
    return {
        "state": {k: v.detach().float().cpu() for k, v in model.state_dict().items()},
        "config": {
            "n_filters": n_filters,
            "kernel_size": kernel_size,
            "in_channels": 3 if color else 1,
            "lam": float(lam),
            "n_steps": n_steps,
            "downscale": downscale,
            "method": method,
            "f0": f0,
            "training": training,
            "seed": seed,
        },
        "history": hist,
    }


def model_from_checkpoint(ckpt: dict) -> ConvSparseAutoencoder:
    """Rebuild the :class:`ConvSparseAutoencoder` saved by :func:`fit_natural_images` (on the CPU)."""
    if not isinstance(ckpt, dict):
        raise TypeError(f"ckpt must be a dict from fit_natural_images, got {type(ckpt).__name__}")
    missing = {"config", "state"} - set(ckpt)
    if missing:
        raise ValueError(f"ckpt is not a conv auto-encoder checkpoint: missing {sorted(missing)}")
    cfg = ckpt["config"]
    model = ConvSparseAutoencoder(cfg["n_filters"], cfg["kernel_size"], cfg["in_channels"])
    model.load_state_dict(ckpt["state"])
    return model
