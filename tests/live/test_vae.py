"""Chapter 6's live update: the 2-D latent of the trained VAEs, explored by hand."""

from __future__ import annotations

import math

import pytest
import torch
from conftest import figure_pixels
from latentebm.live import cache, chapter6, vae_explorer
from latentebm.vae import kl_per_dim
from matplotlib.figure import Figure


def test_numbers_are_the_library_s():
    fig, nums = vae_explorer(1.0, 0.5, -1.0, 3)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    x, labels = cache.test_digits()
    model = cache.vae_models()[1.0]
    with torch.no_grad():
        mu, logvar = model.encode(x[3:4])
    assert nums["label"] == int(labels[3])
    assert nums["KL to the prior (nats)"] == pytest.approx(float(kl_per_dim(mu, logvar).sum()))
    sigma = torch.exp(0.5 * logvar)[0]
    assert nums["radii sigma"] == f"({float(sigma[0]):.3f}, {float(sigma[1]):.3f})"
    d = float(((torch.tensor([0.5, -1.0]) - mu[0]) / sigma).norm())
    assert nums["z from the centre (radii)"] == pytest.approx(d, rel=1e-5)


def test_the_spring_pulls_the_balls_to_the_prior():
    kls = [vae_explorer(b, 0.0, 0.0, 0)[1]["KL to the prior (nats)"] for b in (0.0, 1.0, 64.0)]
    assert kls[0] > kls[1] > kls[2] >= 0  # beta = 64: the balls sit on the prior


def test_moving_z_changes_the_decoded_digit():
    f1, _ = vae_explorer(1.0, -2.0, 0.0, 0)
    f2, _ = vae_explorer(1.0, 2.0, 0.0, 0)
    assert (figure_pixels(f1) != figure_pixels(f2)).any()


@pytest.mark.parametrize(
    "kw,exc,name",
    [({"beta": 2.0}, ValueError, "beta"), ({"beta": "1"}, TypeError, "beta"),
     ({"z1": math.nan}, ValueError, "z1"), ({"z2": math.inf}, ValueError, "z2"),
     ({"z1": "0"}, TypeError, "z1"), ({"digit": -1}, ValueError, "digit"),
     ({"digit": 10000}, ValueError, "digit")],
)  # fmt: skip
def test_bad_values_are_refused(kw, exc, name):
    args = {"beta": 1.0, "z1": 0.0, "z2": 0.0, "digit": 0, **kw}
    with pytest.raises(exc, match=name):
        vae_explorer(**args)
    with pytest.raises(exc, match=name):
        chapter6(**args)


def test_control(backend):
    c = chapter6(beta=4.0)
    assert set(c.controls) == {"beta", "z1", "z2", "digit"} and c.values["beta"] == 4.0
    assert [o for o, _ in c.controls["beta"].options] == ["0", "0.1", "1", "4", "16", "64"]
    c.controls["z1"].value = 1.5
    c.controls["beta"].value = 0.0
    assert c.numbers == vae_explorer(0.0, 1.5, 0.0, 0)[1]
    with pytest.raises(ValueError, match=r"z1 must be in the control's range \[-6, 6\]"):
        chapter6(z1=7.0)
    assert cache.VAE_BETAS == (0.0, 0.1, 1.0, 4.0, 16.0, 64.0)
