"""Chapter 1's ensembles: the table holds what made them, and the recipes write what they hold."""

import torch
from latentebm import chapters
from latentebm.chapters import ch1_latent
from latentebm.latent import LatentEBM


def float32(values):
    return [float(torch.tensor(v)) for v in values]  # lam is stored in a float32 buffer


def test_committed_models_match_the_table():
    sweep = chapters.load("latent_sweep")["config"]
    s = ch1_latent.SETTINGS["latent_sweep"]
    assert sweep["latent_dim"] == s["latent_dim"] and sweep["hidden"] == s["hidden"]
    assert sweep["lam"] == float32([0.0, *s["lams"], *s["lams"]])
    assert sweep["max_gain"] == s["max_gain"]
    dims = chapters.load("latent_dims")
    assert sorted(dims) == [f"d{d}" for d in ch1_latent.SETTINGS["latent_dims"]["latent_dims"]]
    noisy = chapters.load("latent_noisy")["config"]
    s = ch1_latent.SETTINGS["latent_noisy"]
    assert (
        noisy["regularizer"] == ["noisy"] * len(s["lams"]) and noisy["noise_std"] == s["noise_std"]
    )
    assert noisy["lam"] == float32(s["lams"])
    ring = chapters.load("latent_ring")["config"]
    s = ch1_latent.SETTINGS["latent_ring"]
    assert ring["regularizer"] == ["ring", "l2"] and ring["lam"] == float32([s["lam"]] * 2)
    assert ring["latent_dim"] == s["latent_dim"] == 2 and ring["max_gain"] == s["max_gain"]


def test_the_data_and_a_short_recipe():
    y = ch1_latent.data()
    assert y.shape == (ch1_latent.N_DATA, 2) and torch.equal(y, ch1_latent.data())
    ckpt = ch1_latent.train_noisy(**{**ch1_latent.SETTINGS["latent_noisy"], "n_epochs": 2})
    assert set(ckpt) == set(chapters.load("latent_noisy"))
    model = LatentEBM.from_checkpoint(ckpt)
    assert model.n_models == 3 and model.kinds == ["noisy"] * 3
    ckpt = ch1_latent.train_ring(**{**ch1_latent.SETTINGS["latent_ring"], "n_epochs": 2})
    assert set(ckpt) == set(chapters.load("latent_ring"))
    model = LatentEBM.from_checkpoint(ckpt)
    assert model.n_models == 2 and model.kinds == ["ring", "l2"]


def test_the_ring_model_chosen_is_the_one_on_the_data():
    """The recipe keeps the ring candidate whose decoded loop lies closest to the data."""
    ring = LatentEBM.from_checkpoint(chapters.load("latent_ring"))
    dist = ch1_latent.loop_distance(ring)
    assert dist[0] < 0.005  # measured 0.0011: the loop of cheap codes decodes onto the ellipse
    assert dist[1] > 1.0  # the L2^2 model's unit circle means nothing special
