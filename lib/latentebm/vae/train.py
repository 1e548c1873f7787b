r"""Fitting a VAE: minimize reconstruction + :math:`\beta`·KL with Adam, optionally recording the balls."""

from __future__ import annotations

import math

import torch
from tqdm.auto import tqdm

from .._checks import choice, module, nonneg, optimizer_step, positive, positive_int
from .._checks import generator as check_generator
from .loss import _kl_per_dim, _reconstruction_loss, vae_loss_unchecked
from .model import VAE


def _images(name: str, y, model) -> torch.Tensor:
    """Images (N, n) or (N, C, H, W) with the model's n values per image, in [0, 1], as rows."""
    y2 = model.check_images(y, name)  # (N, n)
    if float(y2.min()) < 0 or float(y2.max()) > 1:
        raise ValueError(f"{name} must have values in [0, 1] (pixel intensities)")
    return y2


def _device_generator(gen: torch.Generator, device: torch.device) -> torch.Generator:
    """A generator on ``device`` seeded from the CPU generator ``gen`` (noise is drawn where the model is)."""
    seed = int(torch.randint(0, 2**62, (1,), generator=gen))
    return torch.Generator(device=device).manual_seed(seed)


@torch.no_grad()
def evaluate(
    model,
    y: torch.Tensor,
    *,
    beta: float = 1.0,
    batch_size: int = 1000,
    generator: torch.Generator | None = None,
) -> dict:
    r"""Test-set statistics of a VAE, in nats per image (summed over pixels / dims, mean over images).

    The reconstruction term uses **one** code drawn from each ball, as pytorch/examples' test loss.

    Parameters
    ----------
    model : VAE
    y : Tensor of shape (N, 1, 28, 28) or (N, n), values in [0, 1]
    beta : float >= 0
        KL weight of ``"loss"``.
    generator : torch.Generator, optional
        CPU generator for the noise (default: seed 0, so repeated calls agree).

    Returns
    -------
    dict with ``loss``, ``reconstruction``, ``kl`` (floats, nats per image), ``kl_per_dim``
    (Tensor (d,), mean over images), ``mu_norm`` (mean :math:`\|\bar z\|`), ``sigma`` (mean
    :math:`\sigma` over images and dimensions).
    """
    module("model", model, VAE)
    beta = nonneg("beta", beta)
    batch_size = positive_int("batch_size", batch_size)
    y = _images("y", y, model)
    gen = check_generator("generator", generator) or torch.Generator().manual_seed(0)
    return _evaluate(model, y, beta, batch_size, gen)


@torch.no_grad()
def _evaluate(model, y, beta: float, batch_size: int, gen: torch.Generator) -> dict:
    """:func:`evaluate` of checked images y (N, n) and settings."""
    param = next(model.parameters())
    noise = _device_generator(gen, param.device)
    was_training = model.training
    model.eval()
    rec = kl = mu_norm = sigma = 0.0
    kl_dims = None
    for start in range(0, y.shape[0], batch_size):
        yb = y[start : start + batch_size].to(param.device, param.dtype)  # (B, n)
        logits, mu, logvar = model.forward_unchecked(yb, noise)
        rec += float(_reconstruction_loss(yb, logits).sum())
        kd = _kl_per_dim(mu, logvar)  # (B, d)
        kl += float(kd.sum())
        kl_dims = kd.sum(0) if kl_dims is None else kl_dims + kd.sum(0)
        mu_norm += float(mu.norm(dim=1).sum())
        sigma += float(torch.exp(0.5 * logvar).mean(1).sum())
    model.train(was_training)
    N = y.shape[0]
    return {
        "loss": (rec + beta * kl) / N,
        "reconstruction": rec / N,
        "kl": kl / N,
        "kl_per_dim": (kl_dims / N).cpu(),
        "mu_norm": mu_norm / N,
        "sigma": sigma / N,
    }


@torch.no_grad()
def record_balls(model, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Centres and radii of the balls of images ``y``: ``(mu, sigma)``, each (N, d), on the CPU."""
    module("model", model, VAE)
    return _record_balls(model, _images("y", y, model))


@torch.no_grad()
def _record_balls(model, y2: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    param = next(model.parameters())
    mu, logvar = model.encode_unchecked(y2.to(param.device, param.dtype))
    return mu.cpu(), torch.exp(0.5 * logvar).cpu()


def train_vae(
    model,
    y: torch.Tensor,
    *,
    beta: float = 1.0,
    n_epochs: int = 10,
    batch_size: int = 128,
    lr: float = 1e-3,
    y_test: torch.Tensor | None = None,
    track: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
    progress: bool = True,
    reduction: str = "mean",
) -> dict:
    r"""Train ``model`` in place by Adam on :math:`\frac1B\sum_k C(y_k,\bar y_k) + \beta\,\mathrm{KL}_k`.

    The defaults are pytorch/examples' VAE recipe (Adam 1e-3, batch 128, 10 epochs, summed BCE +
    KL). The model's device is used for everything; ``y`` may live on the CPU (batches are moved).

    Parameters
    ----------
    model : VAE
    y : Tensor of shape (N, 1, 28, 28) or (N, n), values in [0, 1]
        Training images.
    beta : float >= 0
        KL weight (0 = no spring).
    n_epochs, batch_size : int
    lr : float
        Adam's learning rate.
    y_test : Tensor, optional
        Test images: their loss, reconstruction, KL, mean ||mu|| and mean sigma are recorded after
        every epoch with :func:`evaluate`.
    track : Tensor of shape (M, ...), optional
        A fixed set of images whose balls (mu, sigma) are recorded before training and after every
        epoch — the movie of the balls flying apart (beta = 0) or held by the spring.
    generator : torch.Generator, optional
        CPU generator for shuffling and noise (default: seed 0).
    progress : bool
        Show a tqdm progress bar over the minibatches.
    reduction : "mean" or "sum"
        Adam steps on the minibatch *mean* (nats per image) or on the *sum* over the minibatch, as
        pytorch/examples does. Adam is invariant to the scale of the loss except through its
        ``eps = 1e-8``, which weighs B times less against the summed gradients.

    Returns
    -------
    history : dict of lists, one entry per epoch: ``"train_loss"`` (mean of the minibatch losses)
    and, with ``y_test``, ``"test_loss"``, ``"test_reconstruction"``, ``"test_kl"``,
    ``"test_mu_norm"``, ``"test_sigma"``; with ``track``, ``"balls"``: a list of (mu, sigma) pairs
    of length ``n_epochs + 1`` (entry 0 is before training).

    References
    ----------
    Kingma & Welling (2014); Kingma & Ba (2015) for Adam; https://github.com/pytorch/examples/tree/main/vae.
    """
    module("model", model, VAE)
    beta = nonneg("beta", beta)
    n_epochs = positive_int("n_epochs", n_epochs)
    batch_size = positive_int("batch_size", batch_size)
    lr = positive("lr", lr)
    y = _images("y", y, model)
    if y_test is not None:
        y_test = _images("y_test", y_test, model)
    if track is not None:
        track = _images("track", track, model)
    reduction = choice("reduction", reduction, ("mean", "sum"))
    gen = check_generator("generator", generator) or torch.Generator().manual_seed(0)
    param = next(model.parameters())
    device = param.device
    noise = _device_generator(gen, device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    hist = {"train_loss": []}
    if y_test is not None:
        for key in ("loss", "reconstruction", "kl", "mu_norm", "sigma"):
            hist["test_" + key] = []
    if track is not None:
        hist["balls"] = [_record_balls(model, track)]
    N = y.shape[0]
    n_batches = (N + batch_size - 1) // batch_size
    bar = tqdm(total=n_epochs * n_batches, disable=not progress, desc=f"VAE beta={beta:g}")

    def diverged(epoch: int, start: int, why: str) -> ValueError:
        return ValueError(
            f"train_vae diverged at epoch {epoch + 1}, minibatch {start // batch_size + 1} "
            f"(lr={lr:g}, beta={beta:g}, reduction={reduction!r}): {why}; lower lr"
        )

    for epoch in range(n_epochs):
        model.train()
        perm = torch.randperm(N, generator=gen)
        total = 0.0
        for start in range(0, N, batch_size):
            yb = y[perm[start : start + batch_size]].to(device, param.dtype)  # (B, n)
            logits, mu, logvar = model.forward_unchecked(yb, noise)
            loss = vae_loss_unchecked(yb, logits, mu, logvar, beta).total
            opt.zero_grad(set_to_none=True)
            (loss * yb.shape[0] if reduction == "sum" else loss).backward()
            optimizer_step(opt, lambda why, e=epoch, s=start: diverged(e, s, why))
            step_loss = float(loss.detach())
            if not math.isfinite(step_loss):
                raise diverged(epoch, start, f"the loss is {step_loss}")
            total += step_loss * yb.shape[0]
            bar.update(1)
        hist["train_loss"].append(total / N)
        if y_test is not None:
            stats = _evaluate(model, y_test, beta, 1000, torch.Generator().manual_seed(0))
            for key in ("loss", "reconstruction", "kl", "mu_norm", "sigma"):
                hist["test_" + key].append(stats[key])
            bar.set_postfix(test_loss=f"{stats['loss']:.2f}")
        if track is not None:
            hist["balls"].append(_record_balls(model, track))
    bar.close()
    model.eval()
    return hist
