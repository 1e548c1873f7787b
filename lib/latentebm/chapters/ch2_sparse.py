"""Chapter 2, sparse coding: the two learned dictionaries, and the signals they are learned from.

Chapters 3 and 4 use the MNIST dictionary too (chapter 4's LISTA checkpoints need it). The committed
dictionaries were trained for a fixed number of epochs (``tol=None``), before
:func:`latentebm.sparse.learn_dictionary` learned to stop on convergence; retraining the MNIST one
to convergence is a one-line change of its settings below (``n_epochs=500, tol=1e-4``, the
defaults) and one command, which retrains the LISTA checkpoints made from it as well::

    python -m latentebm.chapters train mnist_dictionary --dependents
"""

from __future__ import annotations

import torch

from .._checks import positive_int
from ..data import mnist, natural_patches
from ..sparse import learn_dictionary
from ..sparse.dictionary import code_quality
from .artefacts import Artefact

#: name -> the settings that made ``lib/latentebm/checkpoints/<name>.pt``: the training signals
#: (``n_train`` of them; None: all), learn_dictionary's settings, and the held-out measurement
#: (the first ``n_eval`` held-out signals, ``eval_iter`` FISTA iterations)
SETTINGS = {
    "mnist_dictionary": dict(
        signals="mnist", n_train=None, n_atoms=256, lam=0.75, n_epochs=2, tol=None,
        batch_size=256, n_iter=50, seed=0, n_eval=2000, eval_iter=200,
    ),
    "patches_dictionary": dict(
        signals="patches", n_train=40000, n_atoms=256, lam=1.0, n_epochs=3, tol=None,
        batch_size=256, n_iter=50, seed=0, n_eval=2000, eval_iter=200,
    ),
}  # fmt: skip
SIGNALS = ("mnist", "patches")


def training_signals(name: str, n: int | None = None) -> torch.Tensor:
    """The training sets of the dictionaries, as rows: ``"mnist"`` (N, 784) raw digits in [0, 1]
    (the first ``n`` of the 60k training digits), or ``"patches"`` (N, 144) whitened 12x12
    natural-image patches (``n`` of them, default 60000, seed 0)."""
    if n is not None:
        n = positive_int("n", n)
    if name == "mnist":
        x, _ = mnist("train")
        x = x[:n] if n else x
        return x.reshape(len(x), -1)
    if name == "patches":
        return natural_patches(n or 60000, size=12, whiten=True, seed=0)
    raise ValueError(f"name must be one of {SIGNALS}, got {name!r}")


def held_out_signals(name: str, n: int | None = None) -> torch.Tensor:
    """Held-out signals matching :func:`training_signals`: the MNIST test digits, or 5000 patches
    at other random positions (seed 1) of the same photographs; the first ``n`` of them."""
    if n is not None:
        n = positive_int("n", n)
    if name == "mnist":
        x, _ = mnist("test")
        x = x[:n] if n else x
        return x.reshape(len(x), -1)
    if name == "patches":
        return natural_patches(5000, size=12, whiten=True, seed=1)[:n]
    raise ValueError(f"name must be one of {SIGNALS}, got {name!r}")


def train_dictionary(
    signals, n_train, n_atoms, lam, n_epochs, tol, batch_size, n_iter, seed, n_eval, eval_iter,
    *, device=None, progress=False,
) -> dict:  # fmt: skip
    """Learn a dictionary (:func:`latentebm.sparse.learn_dictionary`) on ``training_signals`` and
    measure it (``latentebm.sparse.dictionary.code_quality``) on held-out ones.

    Returns ``"W"`` (n, n_atoms) float32 with unit-norm columns, the settings (``n_epochs``: the
    epochs run), the quality numbers ``"test_rel_error"``, ``"test_mean_nnz"``,
    ``"test_energy"``, and ``"history_energy"`` (mean training energy per epoch).
    """
    y = training_signals(signals, n_train).to(device)
    y_test = held_out_signals(signals)
    W, hist = learn_dictionary(
        y, n_atoms, lam, n_epochs=n_epochs, tol=tol, batch_size=batch_size, n_iter=n_iter,
        generator=torch.Generator().manual_seed(seed), progress=progress, history=True,
    )  # fmt: skip
    W = W.float().cpu().contiguous()
    q = code_quality(y_test[:n_eval], W, lam, n_iter=eval_iter)
    return {
        "W": W,
        "lam": float(lam),
        "n_epochs": len(hist["energy"]),
        **({} if tol is None else {"tol": float(tol)}),
        "seed": int(seed),
        "n_train": int(y.shape[0]),
        "batch_size": int(batch_size),
        "n_iter": int(n_iter),
        "n_eval": int(min(n_eval, y_test.shape[0])),
        "eval_iter": int(eval_iter),
        "test_rel_error": q["rel_error"],
        "test_mean_nnz": q["mean_nnz"],
        "test_energy": q["energy"],
        "history_energy": [float(e) for e in hist["energy"]],
    }


ARTEFACTS = {name: Artefact(name, "2", train_dictionary, SETTINGS[name]) for name in SETTINGS}
