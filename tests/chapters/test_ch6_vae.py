"""Chapter 6's VAEs: the table holds what made them; the recipe writes what it holds."""

import pytest
from latentebm import chapters
from latentebm.chapters import ch6_vae
from latentebm.vae import VAE


@pytest.mark.parametrize("name", sorted(ch6_vae.SETTINGS))
def test_committed_vaes_match_the_table(name):
    ckpt, s = chapters.load(name), ch6_vae.SETTINGS[name]
    for key in ("beta", "n_epochs", "batch_size", "lr", "seed", "n_track"):
        assert ckpt["settings"][key] == s[key], key
    assert ckpt["settings"].get("reduction", "mean") == s["reduction"]
    assert s["n_train"] in (None, ckpt["settings"]["n_train"])
    model = VAE.from_checkpoint(ckpt)
    assert (model.latent_dim, model.hidden) == (s["latent_dim"], s["hidden"])
    assert ("balls" in ckpt["history"]) == (s["n_track"] > 0)


def test_names_and_a_short_recipe():
    assert (
        ch6_vae.vae_name(2, 4.0) == "vae2d_beta4" and ch6_vae.vae_name(20, 0.1) == "vae20d_beta0.1"
    )
    with pytest.raises(ValueError, match="beta"):
        ch6_vae.vae_name(2, 3.0)
    with pytest.raises(TypeError, match="beta"):
        ch6_vae.vae_name(2, "4")
    s = {**ch6_vae.SETTINGS["vae2d_beta1"], "n_train": 256, "n_epochs": 1, "n_track": 20}
    ckpt = ch6_vae.train_mnist_vae(**s)
    committed = chapters.load("vae2d_beta1")
    assert set(ckpt) == set(committed) and set(ckpt["settings"]) == set(committed["settings"])
    assert len(ckpt["history"]["balls"]) == 2 and ckpt["settings"]["n_train"] == 256
