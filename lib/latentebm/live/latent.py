r"""Chapter 1, live: any λ and regularizer, retrained in a second from the nearest trained model.

:func:`~latentebm.live.retrained_landscape` takes the committed model of the chosen regularizer
whose λ is nearest (on a log scale) among the chapter's sweep, sets its λ to the one asked for,
trains it a few more epochs (warm start: the library's :func:`latentebm.latent.train`, full
batch), and draws the free energy :math:`F(y) = \min_z E(y, z)` over the plane beside the nearest trained model's, with the
numbers that tell a good landscape from a collapsed or an over-regularized one (mean F on the data,
off the data inside and outside the ellipse, and the fraction of the plane with F < 1e-3).

The regularizers are a table, ``REGULARIZERS``: label -> (the ``LatentEBM`` regularizer kind,
the artefact of :mod:`latentebm.chapters` whose ensemble holds trained models of that kind). A new
regularizer (e.g. a loop-shaped :math:`R(z) = (\|z\| - 1)^2` on a 2-D latent) plugs in as one more
entry once the library knows its kind and a recipe of ``latentebm.chapters.ch1_latent`` trains its
artefact::

    REGULARIZERS["loop (‖z‖ − 1)²"] = Regularizer("loop", "latent_loop")

:func:`~latentebm.live.chapter1` is the control.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch
from matplotlib.figure import Figure

from .._checks import positive, positive_int
from ..latent import LatentEBM, energy_grid, infer, landscape_table, train
from ..plotting.latent import plot_landscape
from . import cache
from .control import LiveControl, dropdown, log_slider


@dataclass(frozen=True)
class Regularizer:
    """One option of the control: a ``LatentEBM`` regularizer ``kind`` and the committed
    ``checkpoint`` (an artefact's name, loaded by ``latentebm.chapters.load``) whose ensemble
    holds trained models of that kind, at several λ. A kind whose models all have λ = 0 (``"none"``) has no λ to
    vary: the control shows its trained model as it is."""

    kind: str
    checkpoint: str


REGULARIZERS: dict[str, Regularizer] = {
    "L2²": Regularizer("l2", "latent_sweep"),
    "L1": Regularizer("l1", "latent_sweep"),
    "none": Regularizer("none", "latent_sweep"),
}
N_EPOCHS = 40  # warm-started epochs: ~1 s on one CPU thread; the sweep's models had 300
LAM_RANGE = (0.003, 300.0)
EXTENT, N_GRID = 2.0, 40  # the landscape: F on a 40 x 40 grid of [-2, 2]^2
GRID_SETTINGS = dict(n_iter=60, n_restarts=4, init_std=2.0)  # as the chapter's energy_grid
DATA_SETTINGS = dict(n_iter=60, n_restarts=2)


# The library calls of this chapter, in one place.
def _trained(option: Regularizer) -> list[tuple[float, int]]:
    """(λ_k, index k in the checkpoint's ensemble) of its trained models of ``option.kind``."""
    sweep = cache.latent_models(option.checkpoint)
    found = [(float(lam), k) for k, (kind, lam) in enumerate(zip(sweep.kinds, sweep.lam.tolist(), strict=True))
             if kind == option.kind]  # fmt: skip
    if not found:
        raise ValueError(f"checkpoint {option.checkpoint!r} holds no model of kind {option.kind!r}")
    return found


def _with_lam(model: LatentEBM, lam: float) -> LatentEBM:
    """A copy of a one-model ensemble with its weight λ replaced (the decoder's weights kept)."""
    cfg = model.config()
    cfg["lam"] = lam
    new = LatentEBM(**cfg)
    new.load_state_dict({**model.state_dict(), "lam": new.lam})
    return new


def _retrain(model: LatentEBM, n_epochs: int) -> LatentEBM:
    train(model, cache.latent_data(), n_epochs=n_epochs, progress=False)
    return model


def _landscape(model: LatentEBM) -> tuple[torch.Tensor, torch.Tensor, dict]:
    """F on the grid (n, n), the decoded codes of the data (N, 2), and landscape_table's numbers."""
    y = cache.latent_data()
    F = energy_grid(model, EXTENT, N_GRID, **GRID_SETTINGS)  # (1, n, n)
    z, F_data = infer(model, y, **DATA_SETTINGS)  # (1, N, d), (1, N)
    table = landscape_table(F, F_data, y, EXTENT, min_dist=0.3)
    with torch.no_grad():
        rec = model.decode(z)[0]  # (N, 2)
    return F[0], rec, {k: float(v[0]) for k, v in table.items()}


@functools.lru_cache(maxsize=64)
def _trained_landscape(checkpoint: str, k: int):
    return _landscape(cache.latent_models(checkpoint).select(k))


def _check(lam, regularizer) -> tuple[float, str]:
    lam = positive("lam", lam)
    if not isinstance(regularizer, str) or regularizer not in REGULARIZERS:
        raise ValueError(f"regularizer must be one of {tuple(REGULARIZERS)}, got {regularizer!r}")
    return lam, regularizer


def _ratio(table: dict) -> float:
    """outside / on, NaN for a collapsed model (0 / 0), as landscape_table's ``ratio``."""
    return table["outside"] / table["on"] if table["on"] > 1e-5 else math.nan


def retrained_landscape(
    lam: float, regularizer: str = "L2²", n_epochs: int = N_EPOCHS
) -> tuple[Figure, dict]:
    r"""The energy landscape of the toy model at weight ``lam`` of ``regularizer``.

    Parameters
    ----------
    lam : float > 0, the weight λ of R(z) (ignored by "none": R = 0)
    regularizer : a label of ``REGULARIZERS`` ("L2²", "L1", "none")
    n_epochs : int >= 1, epochs of warm-started training from the trained model nearest in
        log λ (none when ``lam`` is one of the trained λ, or for "none")

    Returns
    -------
    (Figure, numbers): left, :math:`F(y)` of the model at ``lam`` with the data (white) and their
    reconstructions (red); right, the nearest trained model's. Numbers (``landscape_table``): mean
    F ``on`` the data, off the data ``inside`` and ``outside`` the ellipse, ``outside/on``, the
    fraction of the plane with F < 1e-3 (``low``), the same for the trained model, and where the
    training started.
    """
    lam, regularizer = _check(lam, regularizer)
    n_epochs = positive_int("n_epochs", n_epochs)
    option = REGULARIZERS[regularizer]
    trained = _trained(option)
    lam_free = all(lam_k == 0 for lam_k, _ in trained)
    positive_lams = [(lk, k) for lk, k in trained if lk > 0] or trained
    lam_k, k = min(positive_lams, key=lambda t: abs(math.log(lam / t[0])) if t[0] > 0 else 0.0)
    exact = lam_free or math.isclose(lam, lam_k, rel_tol=1e-6)
    F_k, rec_k, tab_k = _trained_landscape(option.checkpoint, k)
    if exact:
        F, rec, tab, epochs = F_k, rec_k, tab_k, 0
    else:
        base = cache.latent_models(option.checkpoint).select(k)
        model = _retrain(_with_lam(base, lam), n_epochs)
        (F, rec, tab), epochs = _landscape(model), n_epochs

    y = cache.latent_data()
    fig = Figure(figsize=(9.6, 3.9))
    axes = [fig.add_axes([0.06, 0.12, 0.36, 0.72]), fig.add_axes([0.53, 0.12, 0.36, 0.72])]
    cax = fig.add_axes([0.91, 0.12, 0.015, 0.72])

    def title(tab, head):
        return (
            f"{head}\non {tab['on']:.4f}, inside {tab['inside']:.4f}, outside {tab['outside']:.4f}"
        )

    if lam_free:
        head = f"R = {regularizer}: λ has no effect (R = 0)"
    elif exact:
        head = f"R = {regularizer}, λ = {lam:.3g}: a trained model"
    else:
        head = f"R = {regularizer}, λ = {lam:.3g}: {epochs} epochs from λ = {lam_k:g}"
    plot_landscape(F, EXTENT, y, rec, ax=axes[0], colorbar=False, title=title(tab, head))
    plot_landscape(F_k, EXTENT, y, rec_k, ax=axes[1], colorbar=False,
                   title=title(tab_k, f"the trained model nearest in λ: λ = {lam_k:g}"))  # fmt: skip
    fig.colorbar(axes[1].images[0], cax=cax, label="$F(y)$")
    for ax in axes:
        ax.title.set_fontsize(9)
    return fig, {
        "regularizer": regularizer,
        "lambda": 0.0 if lam_free else lam,
        "started from lambda": lam_k,
        "epochs": epochs,
        "on": tab["on"],
        "inside": tab["inside"],
        "outside": tab["outside"],
        "outside/on": _ratio(tab),
        "plane with F<1e-3": tab["low"],
        "trained: on": tab_k["on"],
        "trained: inside": tab_k["inside"],
        "trained: outside": tab_k["outside"],
    }


def chapter1(lam: float = 0.3, regularizer: str = "L2²") -> LiveControl:
    """Live control of chapter 1: λ on a log slider (0.003 to 300) and the regularizer.

    Building it also pays, once per session, for the optimizer's first construction (PyTorch
    imports its compiler stack then: about 5 s), so that the first retraining answers as fast as
    the next ones.
    """
    lam, regularizer = _check(lam, regularizer)
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])  # the one-time import, here
    return LiveControl(
        retrained_landscape,
        {"lam": log_slider("λ", lam, *LAM_RANGE),
         "regularizer": dropdown("regularizer R(z)", regularizer, REGULARIZERS)},
        initial={"lam": lam, "regularizer": regularizer},
    )  # fmt: skip
