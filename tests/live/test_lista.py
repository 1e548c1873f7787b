"""Chapter 4's live update: LISTA-K against FISTA-K on a shifted, noisy test digit."""

from __future__ import annotations

import math

import pytest
import torch
from conftest import figure_pixels
from latentebm.lista import code_error, predict
from latentebm.live import cache, chapter4, lista_vs_fista
from latentebm.live.lista import perturb
from latentebm.sparse import fista, optimal_codes
from matplotlib.figure import Figure


def test_perturb_shifts_with_zeros_and_adds_noise_of_the_given_norm():
    x = torch.zeros(1, 28, 28)
    x[0, 10, 12] = 1.0
    assert perturb(x, 0, 0.0, 0).reshape(28, 28)[10, 12] == 1
    assert perturb(x, 3, 0.0, 0).reshape(28, 28)[13, 15] == 1  # right and down
    assert perturb(x, -4, 0.0, 0).reshape(28, 28)[6, 8] == 1
    assert perturb(x, 20, 0.0, 0).sum() == 0  # moved out: zeros came in
    noisy = perturb(x, 0, 0.5, 0)
    assert float((noisy - x.reshape(-1)).norm()) == pytest.approx(0.5 * float(x.norm()))
    assert torch.equal(noisy, perturb(x, 0, 0.5, 0))  # seeded: pure


def test_numbers_are_the_library_s():
    fig, nums = lista_vs_fista(3, 2, 0.3, 5)
    assert isinstance(fig, Figure)
    x, _ = cache.test_digits()
    W, lam = cache.mnist_dictionary()
    y = perturb(x[5], 2, 0.3, 5)[None]
    z_star = optimal_codes(y, W, lam, tol=1e-6, max_iter=10000)
    z_l = predict(cache.lista_models()[3], y)
    z_f = fista(y, W, lam, n_iter=3)
    assert nums["LISTA-3 code error"] == pytest.approx(code_error(z_l, z_star), rel=1e-9)
    assert nums["FISTA-3 code error"] == pytest.approx(code_error(z_f, z_star), rel=1e-9)
    assert nums["optimal non-zeros"] == int((z_star != 0).sum())
    assert nums["optimal energy"] <= min(nums["LISTA-3 energy"], nums["FISTA-3 energy"])


def test_lista_beats_fista_on_digits_not_always_off_them():
    _, clean = lista_vs_fista(3, 0, 0.0, 0)
    assert clean["LISTA-3 code error"] < clean["FISTA-3 code error"]  # the chapter's claim
    f1, _ = lista_vs_fista(3, 0, 0.0, 0)
    f2, noisy = lista_vs_fista(10, 0, 1.0, 0)
    assert noisy["LISTA-10 code error"] > clean["LISTA-3 code error"]
    assert (figure_pixels(f1) != figure_pixels(f2)).any()


@pytest.mark.parametrize(
    "kw,exc,name",
    [({"n_iter": 4}, ValueError, "n_iter"), ({"n_iter": 0}, ValueError, "n_iter"),
     ({"n_iter": 3.0}, TypeError, "n_iter"), ({"shift": 7}, ValueError, "shift"),
     ({"shift": 1.5}, TypeError, "shift"), ({"shift": True}, TypeError, "shift"),
     ({"noise": -0.1}, ValueError, "noise"), ({"noise": 2.5}, ValueError, "noise"),
     ({"noise": math.nan}, ValueError, "noise"), ({"digit": 10000}, ValueError, "digit")],
)  # fmt: skip
def test_bad_values_are_refused(kw, exc, name):
    args = {"n_iter": 3, "shift": 0, "noise": 0.0, "digit": 0, **kw}
    with pytest.raises(exc, match=name):
        lista_vs_fista(**args)
    with pytest.raises(exc, match=name):
        chapter4(**args)


def test_control(backend):
    c = chapter4()
    assert set(c.controls) == {"n_iter", "shift", "noise", "digit"}
    assert [o for o, _ in c.controls["n_iter"].options] == ["1", "2", "3", "5", "10"]
    c.controls["n_iter"].value = 10
    c.controls["shift"].value = -3
    c.controls["noise"].value = 0.5
    assert c.numbers == pytest.approx(lista_vs_fista(10, -3, 0.5, 0)[1], nan_ok=True)
