r"""Predictive sparse decomposition (PSD): convolutional dictionary learning plus a trained encoder.

For every minibatch of images Y (crops of whitened photographs), three steps:

1. **inference**: the optimal code :math:`Z^* = \arg\min_Z \|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1`
   by :func:`latentebm.conv.conv_fista`, warm-started from the encoder's prediction;
2. **decoder**: one gradient step on :math:`\|Y - \sum_i K_i * Z^*_i\|^2` over the kernels, each
   kernel's step divided by a running average of :math:`2\|Z^*_i\|^2` (the diagonal of the
   Hessian: a kernel that is rarely used still moves), then every kernel back to unit norm;
3. **encoder**: one AdamW step on :math:`\|Z^* - \mathrm{Enc}(Y)\|^2`, the encoder learns to
   predict the optimal code.

Unlike training the auto-encoder end to end on the energy of its own code, the kernels here are
fitted to the *optimal* sparse codes, which gives smoother, cleaner dictionaries (Kavukcuoglu et
al. 2010; with step 3 left out this is convolutional dictionary learning, Zeiler et al. 2010).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from .._checks import generator as check_generator
from .._checks import module, nonneg, nonneg_int, optimizer_step, positive, positive_int
from .autoencoder import ConvSparseAutoencoder
from .crops import check_image_list, crops_unchecked
from .fista import conv_fista_unchecked


def train_psd(
    model: ConvSparseAutoencoder,
    images: list[torch.Tensor],
    lam: float,
    *,
    n_steps: int = 300,
    batch_size: int = 8,
    crop_size: int = 64,
    n_iter: int = 20,
    lr: float = 0.5,
    encoder_lr: float = 3e-3,
    encoder_decay: float = 1.0,
    warm_start_after: int = 20,
    generator: torch.Generator | None = None,
    progress: bool = True,
) -> dict:
    r"""Fit a :class:`ConvSparseAutoencoder` by PSD; the decoder minimizes the mean of :math:`\|Y - \sum_i K_i * Z^*_i\|^2 + \lambda\|Z^*\|_1`.

    Parameters
    ----------
    model : ConvSparseAutoencoder
        Trained in place, on its own device (its decoder is the dictionary).
    images : list of Tensors of shape (C, H, W)
        Whitened images (see :func:`latentebm.data.whitened_images`).
    lam : float >= 0
        Sparsity weight of the energy.
    n_steps, batch_size, crop_size : int
        Steps, crops per step, crop side.
    n_iter : int
        FISTA iterations per step (zero boundary).
    lr : float
        Decoder step, relative to the diagonal of the Hessian (about 0.1 to 1).
    encoder_lr, encoder_decay : float
        AdamW learning rate and decoupled weight decay of the encoder filters.
    warm_start_after : int
        From this step on, FISTA starts from the encoder's prediction instead of zero.
    generator : torch.Generator, optional
        For the crops (reproducible runs).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    dict with lists ``"energy"`` (of :math:`Z^*`, per crop), ``"recon"`` (per-pixel squared error
    of :math:`Z^*`), ``"nonzero"`` (fraction of non-zeros of :math:`Z^*`) and ``"encoder"``
    (per-crop :math:`\|Z^* - \mathrm{Enc}(Y)\|^2`), one entry per 25 steps.

    References
    ----------
    Kavukcuoglu et al. (2010), "Learning convolutional feature hierarchies for visual
    recognition"; Zeiler et al. (2010), "Deconvolutional networks".
    """
    module("model", model, ConvSparseAutoencoder)
    lam = nonneg("lam", lam)
    n_steps = positive_int("n_steps", n_steps)
    batch_size = positive_int("batch_size", batch_size)
    crop_size = positive_int("crop_size", crop_size)
    n_iter = positive_int("n_iter", n_iter)
    lr = positive("lr", lr)
    encoder_lr = positive("encoder_lr", encoder_lr)
    encoder_decay = nonneg("encoder_decay", encoder_decay)
    warm_start_after = nonneg_int("warm_start_after", warm_start_after)
    check_generator("generator", generator)
    images = check_image_list(images, crop_size, model.in_channels)
    device, dtype = model.decoder.device, model.decoder.dtype
    images = [im.to(device, dtype) for im in images]
    gen = generator if generator is not None else torch.Generator().manual_seed(0)
    enc_opt = torch.optim.AdamW(
        [
            {"params": [model.encoder], "weight_decay": encoder_decay},
            {"params": [model.threshold, model.scale], "weight_decay": 0.0},
        ],
        lr=encoder_lr,
    )
    model.normalize_()
    D = model.decoder
    curv = None  # running average of 2 ||Z*_i||^2 per crop, shape (m,)
    hist = {"energy": [], "recon": [], "nonzero": [], "encoder": []}
    acc = torch.zeros(4)
    bar = tqdm(range(n_steps), disable=not progress, desc=f"PSD m={model.n_filters}", leave=False)
    for step in bar:
        Y = crops_unchecked(images, batch_size, crop_size, gen)  # (B, C, s, s)
        with torch.no_grad():
            z0 = model.encode_unchecked(Y) if step >= warm_start_after else None
            Z = conv_fista_unchecked(Y, D.detach(), lam, n_iter, z0=z0)  # (B, m, s+k-1, s+k-1)
        # decoder: a preconditioned gradient step on the reconstruction error
        K = D.detach().requires_grad_(True)
        Y_hat = F.conv_transpose2d(Z, K, padding=model.kernel_size - 1)  # synthesize(Z, K)
        recon = (Y - Y_hat).pow(2).sum((1, 2, 3))  # (B,)
        (grad,) = torch.autograd.grad(recon.mean(), K)
        with torch.no_grad():
            zz = 2 * Z.pow(2).sum((2, 3)).mean(0)  # (m,)
            curv = zz if curv is None else 0.9 * curv + 0.1 * zz
            denom = curv + 0.1 * curv.mean() + 1e-6
            D -= lr * grad / denom.view(-1, 1, 1, 1)
            model.decoder.div_(D.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1))
        # encoder: predict the optimal code
        enc_loss = (model.encode_unchecked(Y) - Z).pow(2).sum((1, 2, 3)).mean()
        enc_opt.zero_grad(set_to_none=True)
        enc_loss.backward()
        model.decoder.grad = None
        optimizer_step(
            enc_opt,
            lambda why, step=step: ValueError(
                f"train_psd diverged at step {step + 1} ({why}): lower encoder_lr={encoder_lr:g}"
            ),
        )
        energy = recon.detach() + lam * Z.abs().sum((1, 2, 3))
        step_energy = energy.mean().item()
        if not math.isfinite(step_energy) or not math.isfinite(enc_loss.item()):
            raise ValueError(
                f"train_psd diverged at step {step + 1} (energy {step_energy}, encoder loss "
                f"{enc_loss.item()}): lower lr={lr:g} or encoder_lr={encoder_lr:g}"
            )
        acc += torch.tensor(
            [
                step_energy,
                recon.detach().mean().item() / Y[0].numel(),
                (Z != 0).float().mean().item(),
                enc_loss.item(),
            ]
        )
        if (step + 1) % 25 == 0:
            for key, v in zip(hist, (acc / 25).tolist(), strict=True):
                hist[key].append(v)
            acc.zero_()
            bar.set_postfix(energy=f"{hist['energy'][-1]:.4g}", nnz=f"{hist['nonzero'][-1]:.3f}")
    return hist
