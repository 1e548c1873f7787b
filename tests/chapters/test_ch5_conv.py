"""Chapter 5's models: the table holds what made them; the recipes write what they hold."""

import pytest
import torch
from latentebm import chapters
from latentebm.chapters import ch5_conv
from latentebm.conv import ConvSparseAutoencoder


@pytest.mark.parametrize("name", [n for n in ch5_conv.SETTINGS if n.startswith("conv_sae")])
def test_committed_autoencoders_match_the_table(name):
    cfg, s = chapters.load(name)["config"], ch5_conv.SETTINGS[name]
    for key in ("n_filters", "kernel_size", "lam", "n_steps", "downscale", "method", "f0",
                "training", "seed"):  # fmt: skip
        assert cfg[key] == s[key], key
    assert cfg["in_channels"] == (3 if s["color"] else 1)
    model = ConvSparseAutoencoder.from_checkpoint(chapters.load(name))
    assert model.nonlinearity == "shrink" and model.n_filters == s["n_filters"]


def test_committed_few_labels_match_the_table():
    res, s = chapters.load("conv_few_labels"), ch5_conv.SETTINGS["conv_few_labels"]
    assert res["n_labels"] == list(s["n_labels"]) and res["seeds"] == list(s["seeds"])
    assert res["config"]["pretrained"] == ch5_conv.PRETRAINED == "conv_sae_grey_32"
    assert (res["config"]["n_steps"], res["config"]["pool"]) == (s["n_steps"], s["pool"])
    assert res["accuracy"].shape == (4, len(s["n_labels"]), len(s["seeds"]))


def test_a_short_recipe_writes_what_the_committed_file_holds():
    s = {**ch5_conv.SETTINGS["conv_sae_grey_2"], "n_steps": 2}
    ckpt = ch5_conv.train_autoencoder(**s)
    committed = chapters.load("conv_sae_grey_2")
    assert set(ckpt) == set(committed) and set(ckpt["config"]) == set(committed["config"]) | {
        "nonlinearity"
    }
    model = ConvSparseAutoencoder.from_checkpoint(ckpt)
    torch.testing.assert_close(
        model.decoder.flatten(1).norm(dim=1), torch.ones(2), atol=1e-5, rtol=0
    )
