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


def test_the_data_and_a_short_recipe():
    y = ch1_latent.data()
    assert y.shape == (ch1_latent.N_DATA, 2) and torch.equal(y, ch1_latent.data())
    ckpt = ch1_latent.train_noisy(**{**ch1_latent.SETTINGS["latent_noisy"], "n_epochs": 2})
    assert set(ckpt) == set(chapters.load("latent_noisy"))
    model = LatentEBM.from_checkpoint(ckpt)
    assert model.n_models == 2 and model.kinds == ["noisy", "noisy"]
