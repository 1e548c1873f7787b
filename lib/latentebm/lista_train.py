r"""Fitting LISTA: regress the optimal codes :math:`z^*` found by FISTA.

Training minimizes :math:`\frac1N\sum_k \|z_K(y_k) - z_k^*\|^2` over LISTA's weights, where
:math:`z_k^* = \arg\min_z \|y_k - Wz\|^2 + \lambda\|z\|_1` is computed once, by FISTA run to
convergence (:func:`optimal_codes`). How the result is judged lives in
:mod:`latentebm.lista_eval`.
"""

from __future__ import annotations

import math

import torch
from tqdm.auto import tqdm

from ._checks import (
    as_tensor,
    module,
    nonneg,
    optimizer_step,
    positive,
    positive_int,
    same_device_dtype,
)
from ._checks import generator as check_generator
from .lista import LISTA
from .lista_eval import code_error
from .sparse import fista, lipschitz


def optimal_codes(
    Y: torch.Tensor,
    W: torch.Tensor,
    lam: float,
    tol: float = 1e-6,
    max_iter: int = 5000,
    batch_size: int = 4096,
    progress: bool = False,
) -> torch.Tensor:
    r"""The targets :math:`z^* = \arg\min_z \|y - Wz\|^2 + \lambda\|z\|_1`, by FISTA to convergence.

    FISTA (with adaptive restart) runs on minibatches until every code's relative change per
    iteration is below ``tol``, or ``max_iter`` iterations.

    Parameters
    ----------
    Y : Tensor of shape (N, n)
    W : Tensor of shape (n, m)
    lam : float >= 0
    tol : float, relative change of z at which a minibatch stops.
    max_iter : int, iteration cap per minibatch.
    batch_size : int
    progress : bool, show a tqdm bar over minibatches.

    Returns
    -------
    Tensor of shape (N, m), on Y's device and dtype.
    """
    Y = as_tensor("Y", Y, ndims=(2,), shape_doc="(N, n)")
    W = as_tensor("W", W, ndims=(2,), shape_doc="(n, m)")
    same_device_dtype("W", W, Y=Y)
    if Y.shape[1] != W.shape[0]:
        raise ValueError(f"Y must have shape (N, {W.shape[0]}) to match W, got {tuple(Y.shape)}")
    lam, tol = nonneg("lam", lam), nonneg("tol", tol)
    max_iter = positive_int("max_iter", max_iter)
    batch_size = positive_int("batch_size", batch_size)
    L = lipschitz(W)
    starts = range(0, Y.shape[0], batch_size)
    out = [
        fista(Y[s : s + batch_size], W, lam, n_iter=max_iter, tol=tol, L=L)
        for s in tqdm(starts, disable=not progress, desc="z* (FISTA)", leave=False)
    ]
    return torch.cat(out)  # (N, m)


def sparse_codes(Z: torch.Tensor) -> dict:
    """Codes (N, m) as a small dict for checkpoints: flat ``index`` (int32) and ``value`` (float32)
    of the non-zeros, and ``shape``. :func:`dense_codes` inverts it."""
    Z = as_tensor("Z", Z, ndims=(2,), shape_doc="(N, m)")
    flat = Z.detach().reshape(-1).cpu()
    index = torch.nonzero(flat).reshape(-1)
    return {"index": index.int(), "value": flat[index].float(), "shape": list(Z.shape)}


def dense_codes(d: dict) -> torch.Tensor:
    """The (N, m) float32 matrix stored by :func:`sparse_codes`."""
    if not isinstance(d, dict):
        raise TypeError(f"d must be the dict of sparse_codes, got {type(d).__name__}")
    missing = {"index", "value", "shape"} - set(d)
    if missing:
        raise ValueError(f"d is not a sparse_codes dict: missing {sorted(missing)}")
    if not isinstance(d["index"], torch.Tensor) or not isinstance(d["value"], torch.Tensor):
        raise TypeError("d['index'] and d['value'] must be tensors")
    shape = [positive_int(f"d['shape'][{i}]", s) for i, s in enumerate(d["shape"])]
    if len(shape) != 2 or d["index"].shape != d["value"].shape or d["index"].ndim != 1:
        raise ValueError("d must hold a 2-D shape and one index per value")
    if len(d["index"]) and (int(d["index"].min()) < 0 or int(d["index"].max()) >= math.prod(shape)):
        raise ValueError(f"d['index'] must lie in [0, {math.prod(shape)}) for shape {shape}")
    Z = torch.zeros(math.prod(d["shape"]))
    Z[d["index"].long()] = d["value"]
    return Z.reshape(d["shape"])


@torch.no_grad()
def predict(model: LISTA, Y: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
    """LISTA's codes z(K) for many signals, in minibatches and without autograd: (N, m) (or (m,)
    for one signal of shape (n,))."""
    module("model", model, LISTA)
    Y = as_tensor("Y", Y, ndims=(1, 2), shape_doc=f"(N, {model.n}) or ({model.n},)")
    if Y.ndim == 1:
        return model(Y)
    batch_size = positive_int("batch_size", batch_size)
    return torch.cat([model(Y[s : s + batch_size]) for s in range(0, Y.shape[0], batch_size)])


def train_lista(
    model: LISTA,
    Y: torch.Tensor,
    Z_star: torch.Tensor,
    *,
    n_epochs: int = 10,
    batch_size: int = 256,
    lr: float = 1e-4,
    max_updates: int | None = None,
    generator: torch.Generator | None = None,
    progress: bool = True,
):
    r"""Train LISTA in place: minimize :math:`\frac1B\sum_k\|z_K(y_k) - z_k^*\|^2` with Adam.

    Minibatches are drawn without replacement each epoch; the learning rate follows a cosine
    decay to 0 over all updates. Gradients flow back through the K unfolded steps
    (backpropagation through time). Data may live on the CPU: minibatches are moved to the
    model's device and dtype.

    Parameters
    ----------
    model : LISTA
    Y : Tensor of shape (N, n)
        Training signals.
    Z_star : Tensor of shape (N, m)
        Their optimal codes (:func:`optimal_codes`).
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
    list of float: the training loss of every update.

    References
    ----------
    Gregor & LeCun (2010); the book's chapter "LISTA".
    """
    if not isinstance(model, LISTA):
        raise TypeError(f"model must be a LISTA, got {type(model).__name__}")
    n, m = model.n, model.m
    Y = as_tensor("Y", Y, ndims=(2,), shape_doc=f"(N, {n})")
    Z_star = as_tensor("Z_star", Z_star, ndims=(2,), shape_doc=f"(N, {m})")
    if Y.shape[1] != n or Z_star.shape != (Y.shape[0], m):
        raise ValueError(
            f"Y and Z_star must have shapes (N, {n}) and (N, {m}), got {tuple(Y.shape)} and "
            f"{tuple(Z_star.shape)}"
        )
    n_epochs = positive_int("n_epochs", n_epochs)
    batch_size = positive_int("batch_size", batch_size)
    lr = positive("lr", lr)
    check_generator("generator", generator)
    N = Y.shape[0]
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

    bar = tqdm(total=total, disable=not progress, desc=f"LISTA K={model.n_steps}", leave=False)
    while len(losses) < total:
        perm = torch.randperm(N, generator=gen)
        for s in range(0, N, batch_size):
            idx = perm[s : s + batch_size].to(Y.device)
            yb = Y[idx].to(p.device, p.dtype)  # (B, n)
            zb = Z_star[idx].to(p.device, p.dtype)  # (B, m)
            loss = (model(yb) - zb).pow(2).sum(1).mean()
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
    return losses


def book_training_data(W: torch.Tensor, lam: float, n_train: int = 20000, progress: bool = False):
    """The book's training set: the first ``n_train`` MNIST training digits as rows (N, 784) and
    their optimal codes (N, m) by :func:`optimal_codes` with tol 1e-4 (about a minute for 20000)."""
    from .data import mnist

    W = as_tensor("W", W, ndims=(2,), shape_doc="(784, m)")
    if W.shape[0] != 784:
        raise ValueError(f"W must have shape (784, m) for MNIST digits, got {tuple(W.shape)}")
    n_train = positive_int("n_train", n_train)
    x, _ = mnist("train")
    Y = x[:n_train].reshape(n_train, -1).to(W.device, W.dtype)  # (N, 784)
    Z = optimal_codes(Y, W, lam, tol=1e-4, max_iter=2000, batch_size=2000, progress=progress)
    return Y, Z


def train_book_lista(
    K: int,
    W: torch.Tensor,
    lam: float,
    Y: torch.Tensor,
    Z_star: torch.Tensor,
    Y_test: torch.Tensor | None = None,
    Z_test: torch.Tensor | None = None,
    *,
    n_epochs: int = 20,
    batch_size: int = 256,
    seed: int = 0,
    progress: bool = True,
) -> dict:
    """The book's recipe for LISTA-K (``scripts/train_lista.py``): a tied LISTA initialized as
    ISTA, trained by :func:`train_lista` with learning rate 3e-3 / sqrt(K) (the gradient through
    K steps grows with K). Returns a checkpoint dict: :meth:`latentebm.lista.LISTA.checkpoint`, the settings, the
    mean loss per epoch, and the code errors on the training (and test) signals."""
    K = positive_int("K", K)
    model = LISTA(W, lam, K)
    lr = 3e-3 / math.sqrt(K)
    losses = train_lista(
        model, Y, Z_star, n_epochs=n_epochs, batch_size=batch_size, lr=lr,
        generator=torch.Generator().manual_seed(seed), progress=progress,
    )  # fmt: skip
    per_epoch = len(losses) // n_epochs
    curve = [sum(losses[i : i + per_epoch]) / per_epoch for i in range(0, len(losses), per_epoch)]
    ckpt = {
        **model.checkpoint(), "lr": lr, "n_epochs": n_epochs, "batch_size": batch_size,
        "n_train": Y.shape[0], "seed": seed, "loss_per_epoch": curve,
        "train_code_error": code_error(predict(model, Y), Z_star),
    }  # fmt: skip
    if Y_test is not None:
        ckpt["test_code_error"] = code_error(predict(model, Y_test), Z_test)
    return ckpt
