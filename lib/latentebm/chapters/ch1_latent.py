"""Chapter 1, regularized latent-variable EBMs: the toy data and the three ensembles the notebook
loads. A few KB each; about two minutes of training on one CPU core for all three."""

from __future__ import annotations

import torch

from ..data.toy import ellipse
from ..device import seed_everything
from ..latent import LatentEBM, free_energy, train
from .artefacts import Artefact

LAMS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)  # the sweep; lam = 0 is "none"
N_DATA, NOISE = 256, 0.05  # the training set: 256 points of the ellipse, noise 0.05 (seed 0)

#: name -> the settings that made ``lib/latentebm/checkpoints/<name>.pt``
SETTINGS = {
    # 19 models with an 8-D latent: R = none, then L1 and L2^2 at each lam of LAMS
    "latent_sweep": dict(latent_dim=8, lams=LAMS, hidden=32, max_gain=8.0, n_epochs=300),
    # lam = 0 with a latent of 1, 2 and 4 dimensions; of 3 decoders trained at once (seed 1),
    # the one that fits the data best (a 1-D latent can get stuck on a line through the ellipse)
    "latent_dims": dict(
        latent_dims=(1, 2, 4), n_candidates=3, init_seed=1, hidden=32, max_gain=8.0, n_epochs=600
    ),
    # the VAE-like bridge: noise of std 0.3 added to a 2-D z, and lam ||z||^2, at two lam
    "latent_noisy": dict(
        latent_dim=2, lams=(0.1, 1.0), noise_std=0.3, hidden=32, max_gain=8.0, n_epochs=300
    ),  # fmt: skip
}


def data(device=None) -> torch.Tensor:
    """The training set of every model of the chapter: (256, 2) points of the ellipse."""
    g = seed_everything(0)
    return ellipse(N_DATA, noise=NOISE, generator=g).to(device)


def train_sweep(latent_dim, lams, hidden, max_gain, n_epochs, *, device=None, progress=False):
    """One ensemble: R = none (lam = 0), then L1 and L2^2 at every lam of ``lams``."""
    kinds = ["none"] + ["l1"] * len(lams) + ["l2"] * len(lams)
    model = LatentEBM(
        latent_dim, lam=[0.0, *lams, *lams], regularizer=kinds, hidden=hidden, max_gain=max_gain
    ).to(device)
    train(model, data(device), n_epochs=n_epochs, progress=progress)
    return model.checkpoint()


def train_dims(
    latent_dims, n_candidates, init_seed, hidden, max_gain, n_epochs, *, device=None,
    progress=False,
):  # fmt: skip
    """Unregularized models, one per latent dimension: ``{"d1": checkpoint, "d2": ...}``."""
    out, y = {}, data(device)
    for d in latent_dims:
        model = LatentEBM(
            d,
            lam=[0.0] * n_candidates,
            regularizer="none",
            hidden=hidden,
            max_gain=max_gain,
            generator=torch.Generator().manual_seed(init_seed),
        ).to(device)
        train(model, y, n_epochs=n_epochs, progress=progress)
        best = int(free_energy(model, y, n_iter=100).mean(1).argmin())
        out[f"d{d}"] = model.select(best).checkpoint()
    return out


def train_noisy(latent_dim, lams, noise_std, hidden, max_gain, n_epochs, *, device=None,
                progress=False):  # fmt: skip
    """The "noisy" regularizer at each lam of ``lams``: noise on z, and lam ||z||^2."""
    model = LatentEBM(
        latent_dim, lam=list(lams), regularizer="noisy", hidden=hidden, max_gain=max_gain,
        noise_std=noise_std,
    ).to(device)  # fmt: skip
    train(model, data(device), n_epochs=n_epochs, progress=progress)
    return model.checkpoint()


_RECIPES = {"latent_sweep": train_sweep, "latent_dims": train_dims, "latent_noisy": train_noisy}
ARTEFACTS = {name: Artefact(name, "1", _RECIPES[name], SETTINGS[name]) for name in SETTINGS}
