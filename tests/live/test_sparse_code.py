"""Chapter 2's live update: FISTA with the MNIST dictionary on any test digit, at any λ."""

from __future__ import annotations

import pytest
from conftest import figure_pixels, png_pixels
from latentebm import chapters
from latentebm.live import cache, chapter2, encode_digit
from latentebm.live.control import LiveControl
from latentebm.sparse import energy, fista
from matplotlib.figure import Figure


def test_numbers_are_the_library_s(backend):
    fig, nums = encode_digit(0.5, 7)
    assert isinstance(fig, Figure) and len(fig.axes) == 4  # digit, Wz, code, atoms
    W, lam0, Y = cache.mnist_problem()
    z = fista(Y[7], W, 0.5, n_iter=500)  # the oracle: the same library call, made here
    assert nums["active atoms"] == int((z != 0).sum()) > 0
    assert nums["energy"] == pytest.approx(float(energy(Y[7], W, z, 0.5)), rel=1e-12)
    rel = float((Y[7] - W @ z).norm() / Y[7].norm())
    assert nums["relative error"] == pytest.approx(rel, rel=1e-12)
    assert nums["||y||^2"] == pytest.approx(float(Y[7].pow(2).sum()))
    assert lam0 == chapters.settings("mnist_dictionary")["lam"]  # the chapter's λ


def test_larger_lam_fewer_atoms_and_a_different_picture():
    (f1, n1), (f2, n2) = encode_digit(0.1, 0), encode_digit(3.0, 0)
    assert n1["active atoms"] > n2["active atoms"] > 0
    assert n1["relative error"] < n2["relative error"]
    assert (figure_pixels(f1) != figure_pixels(f2)).any()


def test_lam_so_large_that_the_code_is_zero():
    fig, nums = encode_digit(1e4, 0)
    assert nums["active atoms"] == 0 and nums["relative error"] == pytest.approx(1.0)
    assert nums["energy"] == pytest.approx(nums["||y||^2"])


@pytest.mark.parametrize(
    "kw,exc,name",
    [({"lam": -0.1}, ValueError, "lam"), ({"lam": float("nan")}, ValueError, "lam"),
     ({"lam": "0.5"}, TypeError, "lam"), ({"digit": -1}, ValueError, "digit"),
     ({"digit": 10000}, ValueError, "digit"), ({"digit": 2.0}, TypeError, "digit"),
     ({"digit": True}, TypeError, "digit")],
)  # fmt: skip
def test_bad_values_are_refused(kw, exc, name):
    with pytest.raises(exc, match=name):
        encode_digit(**{"lam": 0.5, "digit": 0, **kw})
    with pytest.raises(exc, match=name):
        chapter2(**{"lam": 0.5, "digit": 0, **kw})


def test_control(backend):
    c = chapter2()
    assert isinstance(c, LiveControl) and set(c.controls) == {"lam", "digit"}
    lam0 = chapters.settings("mnist_dictionary")["lam"]
    assert c.values["lam"] == pytest.approx(lam0) and c.values["digit"] == 0
    before = png_pixels(c.image.value)
    c.controls["lam"].value = 2.0
    _, expected = encode_digit(2.0, 0)
    assert c.numbers == pytest.approx(expected) and c.n_updates == 2
    assert (png_pixels(c.image.value) != before).any()
    c.controls["digit"].value = 9
    assert (
        c.numbers["digit"] == 9
        and c.numbers["active atoms"] == encode_digit(2.0, 9)[1]["active atoms"]
    )
    with pytest.raises(ValueError, match=r"lam must be in the control's range \[0.01, 30\]"):
        chapter2(lam=100.0)


def test_the_code_of_a_digit_does_not_depend_on_the_others():
    """Pure: the same values give the same numbers whatever ran before."""
    a = encode_digit(0.3, 4)[1]
    encode_digit(5.0, 1)
    assert encode_digit(0.3, 4)[1] == a
