"""Chapter 1, regularized latent-variable EBMs: the toy data and the three ensembles the notebook
loads. A few KB each; about three minutes of training on one CPU core for all four."""

from __future__ import annotations

import math

import torch

from .._checks import positive_int
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
    # the VAE-like bridge: noise of std 0.3 added to a 2-D z, and lam ||z||^2; lam = 0 is the
    # control (noise without a norm limit)
    "latent_noisy": dict(
        latent_dim=2, lams=(0.0, 0.1, 1.0), noise_std=0.3, hidden=32, max_gain=8.0, n_epochs=300
    ),  # fmt: skip
    # the shape of the cheap codes: a 2-D latent with R = (||z|| - 1)^2 (a loop of cheap codes)
    # and, as the control, R = ||z||^2 (a ball), both at lam = 1. Of 6 ring models trained at once
    # (seed 1), the one whose loop of cheap codes decodes closest to the data (the others decode
    # part of the loop, which no data point uses, to extra lobes off the data)
    "latent_ring": dict(
        latent_dim=2, lam=1.0, n_candidates=6, init_seed=1, hidden=32, max_gain=8.0, n_epochs=300
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


def loop_distance(model: LatentEBM, n: int = 720) -> torch.Tensor:
    """For 2-D latents: mean squared distance from the decoded unit circle, Dec(cos t, sin t), to
    the nearest training point, per model (K,). Small when the loop of cheap codes of a "ring"
    model lies on the data; large when part of it decodes off the data."""
    if not isinstance(model, LatentEBM):
        raise TypeError(f"model must be a latentebm.latent.LatentEBM, got {type(model).__name__}")
    if model.latent_dim != 2 or model.x_dim:
        raise ValueError(
            f"model must be unconditional with a 2-D latent, got latent_dim={model.latent_dim}, "
            f"x_dim={model.x_dim}"
        )
    n = positive_int("n", n)
    t = torch.linspace(0, 2 * math.pi, n + 1, dtype=model.W1.dtype, device=model.W1.device)[:-1]
    circle = torch.stack([t.cos(), t.sin()], 1).expand(model.n_models, n, 2)
    with torch.no_grad():
        loop = model.decode(circle)  # (K, n, 2)
    return torch.cdist(loop, data(model.W1.device).to(loop)).min(2).values.pow(2).mean(1)


def train_ring(latent_dim, lam, n_candidates, init_seed, hidden, max_gain, n_epochs, *,
               device=None, progress=False):  # fmt: skip
    """Two models with a 2-D latent at the same ``lam``: R = ring (the best of ``n_candidates``
    by :func:`loop_distance`) and R = L2^2; one checkpoint of a 2-model ensemble."""
    y, models = data(device), []
    for kind, n in (("ring", n_candidates), ("l2", 1)):
        model = LatentEBM(
            latent_dim, lam=[lam] * n, regularizer=kind, hidden=hidden, max_gain=max_gain,
            generator=torch.Generator().manual_seed(init_seed),
        ).to(device)  # fmt: skip
        train(model, y, n_epochs=n_epochs, progress=progress)
        models.append(model.select(int(loop_distance(model).argmin())) if kind == "ring" else model)
    both = LatentEBM(
        latent_dim, lam=[lam, lam], regularizer=["ring", "l2"], hidden=hidden, max_gain=max_gain
    )
    both.load_state_dict({k: torch.cat([m.state_dict()[k].cpu() for m in models]) for k in
                          both.state_dict()})  # fmt: skip
    return both.checkpoint()


_RECIPES = {
    "latent_sweep": train_sweep,
    "latent_dims": train_dims,
    "latent_noisy": train_noisy,
    "latent_ring": train_ring,
}
ARTEFACTS = {name: Artefact(name, "1", _RECIPES[name], SETTINGS[name]) for name in SETTINGS}
