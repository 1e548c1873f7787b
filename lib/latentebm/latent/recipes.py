"""The models of chapter 1, as recipes: the data, the settings and the training of each checkpoint.

``scripts/train_latent_ebm.py`` runs them and writes the committed checkpoints; the notebook loads
those with ``latentebm.checkpoints.load_or_train(path, recipe)``, which retrains when one is missing.
Each recipe returns checkpoint dicts (``LatentEBM.checkpoint()``): plain tensors, a few KB.
"""

from __future__ import annotations

import torch

from ..data.toy import ellipse
from ..device import seed_everything
from .inference import free_energy
from .model import LatentEBM
from .train import train

LAMS = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]  # the sweep; lam = 0 is "none"
N_DATA, N_EPOCHS, HIDDEN, MAX_GAIN = 256, 300, 32, 8.0


def data(device="cpu") -> torch.Tensor:
    """The training set of every model of the chapter: 256 points of the ellipse, noise 0.05."""
    g = seed_everything(0)
    return ellipse(N_DATA, noise=0.05, generator=g).to(device)


def train_sweep(device="cpu", progress=True) -> dict:
    """19 models with an 8-D latent: R = none, then L1 and L2^2 at each lam of LAMS."""
    kinds = ["none"] + ["l1"] * len(LAMS) + ["l2"] * len(LAMS)
    lams = [0.0] + LAMS + LAMS
    model = LatentEBM(8, lam=lams, regularizer=kinds, hidden=HIDDEN, max_gain=MAX_GAIN).to(device)
    train(model, data(device), n_epochs=N_EPOCHS, progress=progress)
    return model.checkpoint()


def train_dims(device="cpu", progress=True) -> dict:
    """Unregularized models (lam = 0) with a latent of 1, 2 and 4 dimensions."""
    out, y = {}, data(device)
    for d in (1, 2, 4):
        # Three initial decoders trained at once; keep the one that fits the data best. (A 1-D
        # latent can get stuck on a straight line through the ellipse: a local minimum.)
        model = LatentEBM(
            d,
            lam=[0.0] * 3,
            regularizer="none",
            hidden=HIDDEN,
            max_gain=MAX_GAIN,
            generator=torch.Generator().manual_seed(1),
        ).to(device)
        train(model, y, n_epochs=2 * N_EPOCHS, progress=progress)
        best = int(free_energy(model, y, n_iter=100).mean(1).argmin())
        out[f"d{d}"] = model.select(best).checkpoint()
    return out


def train_noisy(device="cpu", progress=True) -> dict:
    """The VAE-like bridge: noise of std 0.3 added to a 2-D z, and lam ||z||^2, at two lam."""
    model = LatentEBM(
        2, lam=[0.1, 1.0], regularizer="noisy", hidden=HIDDEN, max_gain=MAX_GAIN, noise_std=0.3
    ).to(device)
    train(model, data(device), n_epochs=N_EPOCHS, progress=progress)
    return model.checkpoint()


RECIPES = {"latent_sweep": train_sweep, "latent_dims": train_dims, "latent_noisy": train_noisy}
