r"""Chapter 6, live: the 2-D latent of a trained VAE, explored by hand.

:func:`~latentebm.live.vae_explorer` draws, for the VAE trained with KL weight β, the fuzzy balls
:math:`\mathcal N(\bar z, \sigma^2)` of 200 test digits with one chosen digit's ball outlined, a
point :math:`(z_1, z_2)` of the plane, the digit the decoder makes of that point, and the chosen
digit beside its reconstruction (the decoded centre of its ball). :func:`~latentebm.live.chapter6` is its control:
sliders for :math:`z_1, z_2`, the digit, and β among the trained models.
"""

from __future__ import annotations

import math

import torch
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from .._checks import nonneg_int
from ..plotting.vae import plot_balls, show_digits
from ..vae import kl_per_dim
from . import cache
from .control import LiveControl, choice_slider, finite, float_slider, index_box

N_BALLS = 200  # test digits drawn as balls (plot_balls draws one patch each: ~1 ms apiece)
LIM = 6.0  # half-width of the latent window (the chapter's)


# The library calls of this chapter, in one place.
@torch.no_grad()
def _encode(model, y):
    """(mu (N, 2), sigma (N, 2)) of the balls of images y (N, 1, 28, 28)."""
    mu, logvar = model.encode(y)
    return mu, torch.exp(0.5 * logvar), kl_per_dim(mu, logvar).sum(1)


@torch.no_grad()
def _decode(model, z):
    return model.decode(z)  # (N, 784) pixel means in [0, 1]


def _check(beta, z1, z2, digit) -> tuple[float, float, float, int]:
    b = finite("beta", beta)
    match = [v for v in cache.VAE_BETAS if math.isclose(v, b, rel_tol=1e-9, abs_tol=1e-12)]
    if not match:
        raise ValueError(f"beta must be one of the trained {cache.VAE_BETAS}, got {beta!r}")
    coords = [finite("z1", z1), finite("z2", z2)]
    digit = nonneg_int("digit", digit)
    n = cache.test_digits()[0].shape[0]
    if digit >= n:
        raise ValueError(f"digit must be in [0, {n}), got {digit}")
    return match[0], coords[0], coords[1], digit


def vae_explorer(
    beta: float = 1.0, z1: float = 0.0, z2: float = 0.0, digit: int = 0
) -> tuple[Figure, dict]:
    r"""The 2-D latent of the VAE trained with KL weight ``beta``: balls, a point, its decoding.

    Parameters
    ----------
    beta : one of the trained β (0, 0.1, 1, 4, 16, 64)
    z1, z2 : floats, the point of the latent plane to decode
    digit : int in [0, 10000), the test digit whose ball is outlined

    Returns
    -------
    (Figure, numbers): left, the balls of 200 test digits (coloured by class), the chosen digit's
    ball outlined and the point z (a cross); middle, :math:`\mathrm{Dec}(z)`; right, the chosen
    digit and :math:`\mathrm{Dec}(\bar z)`. Numbers: the ball's centre and radii, its KL to the
    prior (nats), and how many radii z lies from the centre.
    """
    beta, z1, z2, digit = _check(beta, z1, z2, digit)
    model = cache.vae_models()[beta]
    x_test, labels = cache.test_digits()
    mu, sigma, kl = _encode(model, x_test[:N_BALLS])
    mu_d, sigma_d, kl_d = _encode(model, x_test[digit : digit + 1])
    z = torch.tensor([[z1, z2]], dtype=mu.dtype)
    decoded = _decode(model, torch.cat([z, mu_d]))  # (2, 784): Dec(z), Dec(mu of the digit)
    m, s = mu_d[0], sigma_d[0]
    radii = float(((z[0] - m) / s).norm())

    fig = Figure(figsize=(10.0, 3.9))
    lim = max(LIM, 1.1 * max(abs(z1), abs(z2)), 1.1 * float((m.abs() + s).max()))
    ax = fig.add_axes([0.05, 0.12, 0.36, 0.78])
    plot_balls(mu, sigma, labels[:N_BALLS], ax=ax, lim=lim, legend=False,
               title=f"β = {beta:g}: balls of {N_BALLS} test digits")  # fmt: skip
    ax.add_patch(Ellipse(m.tolist(), 2 * float(s[0]), 2 * float(s[1]), fc="none", ec="k", lw=2))
    ax.annotate(f"digit {digit}", m.tolist(), xytext=(6, 6), textcoords="offset points", fontsize=8)
    ax.plot([z1], [z2], "x", color="k", ms=10, mew=2.5)
    ax_z = fig.add_axes([0.45, 0.15, 0.25, 0.7])
    show_digits(decoded[:1], ncols=1, ax=ax_z, title=f"Dec(z), z = ({z1:.2f}, {z2:.2f})")
    ax_d = fig.add_axes([0.73, 0.3, 0.26, 0.4])
    show_digits(torch.cat([x_test[digit].reshape(1, -1), decoded[1:]]), ncols=2, ax=ax_d,
                title=f"digit {digit} (a {int(labels[digit])}) | Dec(centre)")  # fmt: skip
    return fig, {
        "beta": beta,
        "digit": digit,
        "label": int(labels[digit]),
        "centre": f"({float(m[0]):.2f}, {float(m[1]):.2f})",
        "radii sigma": f"({float(s[0]):.3f}, {float(s[1]):.3f})",
        "KL to the prior (nats)": float(kl_d[0]),
        "z from the centre (radii)": radii,
        f"mean KL of the {N_BALLS} balls": float(kl.mean()),
    }


def chapter6(beta: float = 1.0, z1: float = 0.0, z2: float = 0.0, digit: int = 0) -> LiveControl:
    """Live control of chapter 6: β among the trained models, z1, z2 in [-6, 6], the digit."""
    beta, z1, z2, digit = _check(beta, z1, z2, digit)
    return LiveControl(
        vae_explorer,
        {"beta": choice_slider("β", beta, cache.VAE_BETAS),
         "z1": float_slider("z₁", z1, -LIM, LIM, 0.1),
         "z2": float_slider("z₂", z2, -LIM, LIM, 0.1),
         "digit": index_box("test digit", digit, cache.test_digits()[0].shape[0])},
        initial={"beta": beta, "z1": z1, "z2": z2, "digit": digit},
    )  # fmt: skip
