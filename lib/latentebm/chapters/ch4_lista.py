"""Chapter 4, LISTA: the optimal codes of the held-out digits, and LISTA-K for K in ``KS``.

Everything is computed with chapter 2's MNIST dictionary (``mnist_dictionary``), which the loader
loads (or trains) first. LISTA-K regresses the optimal codes of the first 20 000 training digits,
found once by FISTA to a relative change of 1e-4 (accurate to ~1e-3 relative, far below LISTA's
errors); the held-out targets are converged further (1e-6), the reference the chapter measures
against.
"""

from __future__ import annotations

import hashlib
import math

import torch

from .._checks import as_tensor, positive_int
from ..checkpoints import dense_codes, sparse_codes
from ..data import mnist
from ..lista import LISTA, code_error, predict, train_lista
from ..sparse import optimal_codes
from .artefacts import Artefact

KS = (1, 2, 3, 5, 10)  # the depths K of the committed LISTA-K

# LISTA's training digits (the first n_train) and how their optimal codes are found
TRAINING_SET = dict(n_train=20000, codes_tol=1e-4, codes_max_iter=2000, codes_batch_size=2000)

#: name -> the settings that made ``lib/latentebm/checkpoints/<name>.pt``
SETTINGS = {
    # z* of the first n_test MNIST test digits, stored sparsely (latentebm.checkpoints.sparse_codes)
    "lista_targets": dict(n_test=1000, tol=1e-6, max_iter=10000, batch_size=500),
    # a tied LISTA-K initialized as ISTA, Adam with learning rate 3e-3 / sqrt(K) (the gradient
    # through K iterations grows with K), on TRAINING_SET
    **{
        f"lista_K{K}": dict(n_iter=K, lr=3e-3 / math.sqrt(K), n_epochs=20, batch_size=256, seed=0,
                            **TRAINING_SET)
        for K in KS
    },
}  # fmt: skip


def test_signals(n: int = SETTINGS["lista_targets"]["n_test"]) -> torch.Tensor:
    """The held-out digits of the chapter, as rows: the first ``n`` MNIST test digits (n, 784)."""
    n = positive_int("n", n)
    x, _ = mnist("test")
    return x[:n].reshape(len(x[:n]), -1)


def train_targets(n_test, tol, max_iter, batch_size, *, dictionary, device=None, progress=False):
    """The optimal codes of :func:`test_signals`, stored sparsely, with their settings."""
    W, lam = dictionary["W"].float().to(device), float(dictionary["lam"])
    z = optimal_codes(
        test_signals(n_test).to(device), W, lam, tol=tol, max_iter=max_iter,
        batch_size=batch_size, progress=progress,
    )  # fmt: skip
    return {**sparse_codes(z), "lam": lam, "n_test": n_test, "tol": tol, "max_iter": max_iter}


_TRAINING_SETS: dict = {}


def training_set(
    W: torch.Tensor, lam: float, n_train, codes_tol, codes_max_iter, codes_batch_size,
    progress=False,
):  # fmt: skip
    """The first ``n_train`` training digits (N, 784) and their optimal codes (N, m) by
    :func:`latentebm.sparse.optimal_codes`; computed once per dictionary and settings (about a
    minute for 20000 digits on a CPU core)."""
    W = as_tensor("W", W, ndims=(2,), shape_doc="(784, m)")
    if W.shape[0] != 784:
        raise ValueError(f"W must be a dictionary of MNIST digits, (784, m), got {tuple(W.shape)}")
    n_train = positive_int("n_train", n_train)
    key = (hashlib.sha256(W.cpu().numpy().tobytes()).hexdigest(), lam, n_train, codes_tol,
           codes_max_iter, codes_batch_size, str(W.device))  # fmt: skip
    if key not in _TRAINING_SETS:
        x, _ = mnist("train")
        y = x[:n_train].reshape(n_train, -1).to(W.device, W.dtype)  # (N, 784)
        z = optimal_codes(
            y, W, lam, tol=codes_tol, max_iter=codes_max_iter, batch_size=codes_batch_size,
            progress=progress,
        )  # fmt: skip
        _TRAINING_SETS.clear()  # one set at a time (160 MB)
        _TRAINING_SETS[key] = (y, z)
    return _TRAINING_SETS[key]


def train_lista_k(
    n_iter, lr, n_epochs, batch_size, seed, n_train, codes_tol, codes_max_iter, codes_batch_size,
    *, dictionary, targets, device=None, progress=False,
) -> dict:  # fmt: skip
    """LISTA-K (``n_iter`` = K): :meth:`latentebm.lista.LISTA.checkpoint` plus the training
    settings, the mean loss per epoch and the code errors on the training and held-out digits."""
    W, lam = dictionary["W"].float().to(device), float(dictionary["lam"])
    y, z_star = training_set(
        W, lam, n_train, codes_tol, codes_max_iter, codes_batch_size, progress=progress
    )
    model = LISTA(W, lam, n_iter)
    losses = train_lista(
        model, y, z_star, n_epochs=n_epochs, batch_size=batch_size, lr=lr,
        generator=torch.Generator().manual_seed(seed), progress=progress,
    )["loss"]  # fmt: skip
    per_epoch = len(losses) // n_epochs
    curve = [sum(losses[i : i + per_epoch]) / per_epoch for i in range(0, len(losses), per_epoch)]
    y_test = test_signals(targets["n_test"]).to(device)
    return model.checkpoint(
        lr=lr, n_epochs=n_epochs, batch_size=batch_size, n_train=y.shape[0], seed=seed,
        loss_per_epoch=curve, train_code_error=code_error(predict(model, y), z_star),
        test_code_error=code_error(predict(model, y_test), dense_codes(targets).to(device)),
    )  # fmt: skip


ARTEFACTS = {
    "lista_targets": Artefact(
        "lista_targets", "4", train_targets, SETTINGS["lista_targets"],
        needs={"dictionary": "mnist_dictionary"},
    ),
    **{
        f"lista_K{K}": Artefact(
            f"lista_K{K}", "4", train_lista_k, SETTINGS[f"lista_K{K}"],
            needs={"dictionary": "mnist_dictionary", "targets": "lista_targets"},
        )
        for K in KS
    },
}  # fmt: skip
