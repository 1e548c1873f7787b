"""Chapter 5's live update: convolutional sparse coding of a photograph's crop at any λ."""

from __future__ import annotations

import pytest
from conftest import figure_pixels
from latentebm.conv import conv_admm, conv_energy, synthesize
from latentebm.live import cache, chapter5, conv_code
from latentebm.live.conv import CROP, N_ITER, _crop
from matplotlib.figure import Figure


def test_numbers_are_the_library_s():
    fig, nums = conv_code(2.0, "camera")
    assert isinstance(fig, Figure) and len(fig.axes) == 6  # crop, reconstruction, 4 maps
    K, lam0, _ = cache.conv_kernels()
    Y = _crop("camera")
    assert tuple(Y.shape) == (1, 1, CROP, CROP) and lam0 == 2.0
    Z = conv_admm(Y, K, 2.0, n_iter=N_ITER)
    assert nums["non-zero fraction"] == pytest.approx(float((Z != 0).float().mean()))
    assert nums["energy"] == pytest.approx(float(conv_energy(Y, K, Z, 2.0, boundary="circular")))
    rel = float((Y - synthesize(Z, K, "circular")).norm() / Y.norm())
    assert nums["relative error"] == pytest.approx(rel, rel=1e-5)


def test_larger_lam_sparser_codes_and_a_different_picture():
    (f1, a), (f2, b) = conv_code(0.5, "astronaut"), conv_code(8.0, "astronaut")
    assert a["non-zero fraction"] > b["non-zero fraction"] > 0
    assert a["relative error"] < b["relative error"]
    assert (figure_pixels(f1) != figure_pixels(f2)).any()


@pytest.mark.parametrize(
    "kw,exc,name",
    [({"lam": -1.0}, ValueError, "lam"), ({"lam": "2"}, TypeError, "lam"),
     ({"image": "lena"}, ValueError, "image"), ({"image": 3}, ValueError, "image")],
)  # fmt: skip
def test_bad_values_are_refused(kw, exc, name):
    with pytest.raises(exc, match=name):
        conv_code(**{"lam": 2.0, "image": "camera", **kw})
    with pytest.raises(exc, match=name):
        chapter5(**{"lam": 2.0, "image": "camera", **kw})


def test_control(backend):
    c = chapter5()
    assert c.values == {"lam": pytest.approx(2.0), "image": "camera"}
    c.controls["image"].value = "coffee"
    assert c.numbers["image"] == "coffee"
    assert c.numbers == pytest.approx(conv_code(2.0, "coffee")[1])
    with pytest.raises(ValueError, match="lam must be in the control's range"):
        chapter5(lam=100.0)
