r"""Fitting LISTA: regress the optimal codes :math:`z^*`.

Training minimizes :math:`\frac1N\sum_k \|z_K(y_k) - z_k^*\|^2` over LISTA's weights, where
:math:`z_k^* = \arg\min_z \|y_k - Wz\|^2 + \lambda\|z\|_1` is computed once, by FISTA run to
convergence (:func:`latentebm.sparse.optimal_codes`). How the result is judged lives in
:mod:`latentebm.lista.evaluation`.
"""

from __future__ import annotations

import math

import torch
from tqdm.auto import tqdm

from .._checks import as_tensor, module, optimizer_step, positive, positive_int
from .._checks import generator as check_generator
from .model import LISTA


def train_lista(
    model: LISTA,
    y: torch.Tensor,
    z_star: torch.Tensor,
    *,
    n_epochs: int = 10,
    batch_size: int = 256,
    lr: float = 1e-4,
    max_updates: int | None = None,
    generator: torch.Generator | None = None,
    progress: bool = True,
) -> dict:
    r"""Train LISTA in place: minimize :math:`\frac1B\sum_k\|z_K(y_k) - z_k^*\|^2` with Adam.

    Minibatches are drawn without replacement each epoch; the learning rate follows a cosine
    decay to 0 over all updates. Gradients flow back through the K unfolded iterations
    (backpropagation through time). Data may live on the CPU: minibatches are moved to the
    model's device and dtype.

    Parameters
    ----------
    model : LISTA
    y : Tensor of shape (N, n)
        Training signals.
    z_star : Tensor of shape (N, m)
        Their optimal codes (:func:`latentebm.sparse.optimal_codes`).
    n_epochs, batch_size : int
    lr : float > 0
        Adam's initial learning rate. The weights start at the scale of :math:`W/L`, which is
        small, hence the small default.
    max_updates : int, optional
        Stop after this many updates (for short demonstrations).
    generator : torch.Generator, optional
        CPU generator for the shuffling.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    history : dict with ``"loss"``, the training loss of every update (a list of floats).

    References
    ----------
    Gregor & LeCun (2010); the book's chapter "LISTA".
    """
    module("model", model, LISTA)
    n, m = model.n, model.m
    y = as_tensor("y", y, ndims=(2,), shape_doc=f"(N, {n})")
    z_star = as_tensor("z_star", z_star, ndims=(2,), shape_doc=f"(N, {m})")
    if y.shape[1] != n or z_star.shape != (y.shape[0], m):
        raise ValueError(
            f"y and z_star must have shapes (N, {n}) and (N, {m}), got {tuple(y.shape)} and "
            f"{tuple(z_star.shape)}"
        )
    n_epochs = positive_int("n_epochs", n_epochs)
    batch_size = positive_int("batch_size", batch_size)
    lr = positive("lr", lr)
    check_generator("generator", generator)
    N = y.shape[0]
    per_epoch = math.ceil(N / batch_size)
    total = n_epochs * per_epoch
    if max_updates is not None:
        total = min(total, positive_int("max_updates", max_updates))
    gen = generator if generator is not None else torch.Generator().manual_seed(0)
    p = model.W_e
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda i: 0.5 * (1 + math.cos(math.pi * i / total))
    )
    losses = []

    def diverged(why: str) -> ValueError:
        return ValueError(
            f"train_lista diverged at update {len(losses) + 1}: {why}; lower lr={lr:g}"
        )

    bar = tqdm(total=total, disable=not progress, desc=f"LISTA K={model.n_iter}", leave=False)
    while len(losses) < total:
        perm = torch.randperm(N, generator=gen)
        for s in range(0, N, batch_size):
            idx = perm[s : s + batch_size].to(y.device)
            yb = y[idx].to(p.device, p.dtype)  # (B, n)
            zb = z_star[idx].to(p.device, p.dtype)  # (B, m)
            loss = (model.unfold(yb)[0] - zb).pow(2).sum(1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            optimizer_step(opt, diverged)
            sched.step()
            losses.append(float(loss.detach()))
            if not math.isfinite(losses[-1]):
                raise diverged(f"the loss is {losses[-1]}")
            bar.update()
            if len(losses) % 20 == 0:
                bar.set_postfix(loss=f"{losses[-1]:.4g}")
            if len(losses) >= total:
                break
    bar.close()
    return {"loss": losses}
