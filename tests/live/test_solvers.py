"""Chapter 3's live update: ISTA and FISTA at any step size and iteration count."""

from __future__ import annotations

import math

import pytest
from conftest import figure_pixels
from latentebm.live import cache, chapter3, convergence
from latentebm.sparse import energy, fista, ista, lipschitz
from matplotlib.figure import Figure


def test_numbers_are_the_library_s():
    fig, nums = convergence(1.0, 50, 3)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    W, lam, Y = cache.mnist_problem()
    L = lipschitz(W)
    E_star = float(energy(Y[3], W, fista(Y[3], W, lam, n_iter=3000, tol=1e-10, L=L), lam))
    assert nums["E*"] == pytest.approx(E_star, rel=1e-10)
    _, h = ista(Y[3], W, lam, n_iter=50, L=L, history=True)
    assert nums["ISTA gap"] == pytest.approx((float(h[-1]) - E_star) / E_star, rel=1e-9)
    assert nums["step eta = c/(2L)"] == pytest.approx(1 / (2 * L))
    assert not nums["ISTA diverged"] and not nums["FISTA diverged"]
    assert 0 < nums["FISTA gap"] < nums["ISTA gap"]  # momentum: faster at the library's step


def test_more_iterations_smaller_gap_and_a_different_picture():
    (f1, a), (f2, b) = convergence(1.0, 20, 3), convergence(1.0, 200, 3)
    assert b["ISTA gap"] < a["ISTA gap"]
    assert (figure_pixels(f1) != figure_pixels(f2)).any()


def test_beyond_the_threshold_ista_diverges():
    _, nums = convergence(3.0, 200, 3)  # c = 3 > 2: eta > 1/L
    assert nums["ISTA diverged"] and nums["ISTA gap"] > 1e6
    assert nums["FISTA diverged"]  # with momentum, FISTA diverged already below c = 2
    _, below = convergence(1.9, 200, 3)
    assert not below["ISTA diverged"] and below["ISTA gap"] < 1e-2
    assert below["FISTA diverged"] and math.isinf(convergence(3.0, 500, 3)[1]["FISTA gap"])


@pytest.mark.parametrize(
    "kw,exc,name",
    [({"step": 0.0}, ValueError, "step"), ({"step": -1.0}, ValueError, "step"),
     ({"step": "1"}, TypeError, "step"), ({"n_iter": 0}, ValueError, "n_iter"),
     ({"n_iter": 501}, ValueError, "n_iter"), ({"n_iter": 10.0}, TypeError, "n_iter"),
     ({"digit": 10000}, ValueError, "digit"), ({"digit": -2}, ValueError, "digit")],
)  # fmt: skip
def test_bad_values_are_refused(kw, exc, name):
    with pytest.raises(exc, match=name):
        convergence(**{"step": 1.0, "n_iter": 20, "digit": 0, **kw})
    with pytest.raises(exc, match=name):
        chapter3(**{"step": 1.0, "n_iter": 20, "digit": 0, **kw})


def test_control(backend):
    c = chapter3(step=1.0, n_iter=50)
    assert set(c.controls) == {"step", "n_iter", "digit"} and c.values["digit"] == 3
    c.controls["step"].value = 2.5
    assert c.numbers["c"] == 2.5 and c.numbers["ISTA diverged"]
    assert c.numbers == convergence(2.5, 50, 3)[1]
    c.controls["n_iter"].value = 100
    assert c.numbers["n_iter"] == 100
    with pytest.raises(ValueError, match=r"step must be in the control's range \[0.1, 3\]"):
        chapter3(step=5.0)
    with pytest.raises(ValueError, match=r"n_iter must be in the control's range \[10, 500\]"):
        chapter3(n_iter=5)
