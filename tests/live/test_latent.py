"""Chapter 1's live update: retraining the toy model at any λ from the nearest trained model."""

from __future__ import annotations

import math

import pytest
from conftest import figure_pixels
from latentebm.latent import energy_grid, infer, landscape_table, train
from latentebm.live import REGULARIZERS, Regularizer, cache, chapter1, retrained_landscape
from latentebm.live import latent as live_latent
from matplotlib.figure import Figure


def table_of(model) -> dict:
    """landscape_table of a one-model ensemble with the live settings: the oracle."""
    y = cache.latent_data()
    F = energy_grid(model, 2.0, 40, n_iter=60, n_restarts=4, init_std=2.0)
    _, F_data = infer(model, y, n_iter=60, n_restarts=2)
    return {k: float(v[0]) for k, v in landscape_table(F, F_data, y, 2.0, min_dist=0.3).items()}


def test_a_trained_lam_is_shown_as_trained():
    fig, nums = retrained_landscape(0.1, "L2²")
    assert isinstance(fig, Figure)
    sweep = cache.latent_models("latent_sweep")
    k = [i for i, (r, lam) in enumerate(zip(sweep.kinds, sweep.lam.tolist(), strict=True))
         if r == "l2" and math.isclose(lam, 0.1, rel_tol=1e-6)][0]  # fmt: skip
    t = table_of(sweep.select(k))
    assert nums["epochs"] == 0 and nums["started from lambda"] == pytest.approx(0.1)
    for key in ("on", "inside", "outside"):
        assert nums[key] == pytest.approx(t[key], rel=1e-6) == nums[f"trained: {key}"]
    assert nums["plane with F<1e-3"] == pytest.approx(t["low"])


def test_retraining_starts_from_the_nearest_lam_in_log_scale():
    fig, nums = retrained_landscape(0.15, "L1", n_epochs=5)  # 0.1 is nearer than 0.3 in log
    assert nums["started from lambda"] == pytest.approx(0.1) and nums["epochs"] == 5
    sweep = cache.latent_models("latent_sweep")
    k = [i for i, (r, lam) in enumerate(zip(sweep.kinds, sweep.lam.tolist(), strict=True))
         if r == "l1" and math.isclose(lam, 0.1, rel_tol=1e-6)][0]  # fmt: skip
    model = live_latent._with_lam(sweep.select(k), 0.15)
    assert model.lam.tolist() == pytest.approx([0.15]) and model.kinds == ["l1"]
    train(model, cache.latent_data(), n_epochs=5, progress=False)  # the library, by hand
    t = table_of(model)
    for key in ("on", "inside", "outside"):
        assert nums[key] == pytest.approx(t[key], rel=1e-6)
    assert nums["trained: on"] != pytest.approx(nums["on"], rel=1e-3)  # it did train


def test_retrained_lam_moves_toward_the_trained_model_at_that_lam():
    """Warm-started for 40 epochs from lam = 0.1, the model at lam = 0.3 has about the energy on
    the data of the model trained 300 epochs at 0.3, not the one it started from."""
    _, at = retrained_landscape(0.3, "L2²")
    _, start = retrained_landscape(0.1, "L2²")
    _, moved = retrained_landscape(0.29, "L2²")  # nearest trained: 0.3; so start from 0.1 below
    _, from_01 = retrained_landscape(0.17, "L2²")  # nearest: 0.1 (log scale), 40 epochs at 0.17
    assert moved["started from lambda"] == pytest.approx(0.3)
    assert from_01["started from lambda"] == pytest.approx(0.1)
    assert start["on"] < from_01["on"] < at["on"]  # lam between 0.1 and 0.3: so is F on the data
    assert abs(moved["on"] - at["on"]) < 0.2 * at["on"]


def test_no_regularizer_lam_has_no_effect():
    (f1, a), (f2, b) = retrained_landscape(0.01, "none"), retrained_landscape(50.0, "none")
    assert a == b and a["epochs"] == 0 and a["lambda"] == 0.0
    assert a["on"] < 1e-3 and a["plane with F<1e-3"] > 0.9  # the collapse
    assert math.isnan(a["outside/on"])
    assert (figure_pixels(f1) == figure_pixels(f2)).all()


def test_a_new_regularizer_plugs_in_as_one_entry(monkeypatch):
    monkeypatch.setitem(REGULARIZERS, "L1 again", Regularizer("l1", "latent_sweep"))
    assert retrained_landscape(1.0, "L1 again")[1]["on"] == retrained_landscape(1.0, "L1")[1]["on"]
    monkeypatch.setitem(REGULARIZERS, "absent", Regularizer("noisy", "latent_sweep"))
    with pytest.raises(ValueError, match="latent_sweep.*holds no model of kind 'noisy'"):
        retrained_landscape(1.0, "absent")


@pytest.mark.parametrize(
    "kw,exc,name",
    [({"lam": 0.0}, ValueError, "lam"), ({"lam": -1.0}, ValueError, "lam"),
     ({"lam": math.nan}, ValueError, "lam"), ({"lam": "1"}, TypeError, "lam"),
     ({"regularizer": "L3"}, ValueError, "regularizer"),
     ({"regularizer": None}, ValueError, "regularizer")],
)  # fmt: skip
def test_bad_values_are_refused(kw, exc, name):
    with pytest.raises(exc, match=name):
        retrained_landscape(**{"lam": 1.0, "regularizer": "L1", **kw})
    with pytest.raises(exc, match=name):
        chapter1(**{"lam": 1.0, "regularizer": "L1", **kw})
    with pytest.raises(ValueError, match="n_epochs"):
        retrained_landscape(0.2, "L1", n_epochs=0)


def test_control(backend):
    c = chapter1()
    assert c.values == {"lam": pytest.approx(0.3), "regularizer": "L2²"}
    assert c.controls["regularizer"].options == tuple(REGULARIZERS)
    assert c.numbers["epochs"] == 0  # 0.3 is a trained lam: shown as trained
    c.controls["regularizer"].value = "none"
    assert c.numbers["epochs"] == 0 and c.numbers["plane with F<1e-3"] > 0.9
    c.controls["regularizer"].value = "L1"
    c.controls["lam"].value = 1.0
    assert c.numbers == pytest.approx(retrained_landscape(1.0, "L1")[1], nan_ok=True)
    with pytest.raises(ValueError, match=r"lam must be in the control's range \[0.003, 300\]"):
        chapter1(lam=1000.0)
