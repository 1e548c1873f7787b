"""Chapter 4's LISTA checkpoints: the table holds what made them; the recipes write what they hold."""

import pytest
from latentebm import chapters
from latentebm.chapters import ch4_lista
from latentebm.checkpoints import dense_codes
from latentebm.lista import LISTA, code_error, predict


@pytest.mark.parametrize("K", ch4_lista.KS)
def test_committed_lista_matches_the_table(K):
    ckpt, s = chapters.load(f"lista_K{K}"), ch4_lista.SETTINGS[f"lista_K{K}"]
    assert ckpt["n_steps"] == s["n_iter"] == K  # files of 2026-11: n_steps, read as n_iter
    for key in ("lr", "n_epochs", "batch_size", "n_train", "seed"):
        assert ckpt[key] == s[key], key
    assert ckpt["lam"] == chapters.load("mnist_dictionary")["lam"]
    assert LISTA.from_checkpoint(ckpt).n_iter == K


def test_committed_targets_match_the_table_and_the_loss():
    t, s = chapters.load("lista_targets"), ch4_lista.SETTINGS["lista_targets"]
    assert (t["n_test"], t["tol"], t["max_iter"]) == (s["n_test"], s["tol"], s["max_iter"])
    z_star = dense_codes(t)
    assert z_star.shape == (s["n_test"], 256)
    model = LISTA.from_checkpoint(chapters.load("lista_K3"))
    err = code_error(predict(model, ch4_lista.test_signals()), z_star)
    assert err == pytest.approx(chapters.load("lista_K3")["test_code_error"], rel=1e-4)


def test_a_short_recipe_writes_what_the_committed_file_holds():
    d = chapters.load("mnist_dictionary")
    small_targets = ch4_lista.train_targets(20, 1e-4, 500, 20, dictionary=d)
    assert small_targets["shape"] == [20, 256]
    settings = {**ch4_lista.SETTINGS["lista_K2"], "n_train": 64, "n_epochs": 2, "batch_size": 32,
                "codes_max_iter": 100}  # fmt: skip
    ckpt = ch4_lista.train_lista_k(**settings, dictionary=d, targets=small_targets)
    committed = set(chapters.load("lista_K2")) - {"n_steps"} | {"n_iter"}
    assert set(ckpt) == committed
    assert len(ckpt["loss_per_epoch"]) == 2 and ckpt["lr"] == pytest.approx(3e-3 / 2**0.5)
    model = LISTA.from_checkpoint(ckpt)
    y_test = ch4_lista.test_signals(20)
    assert code_error(predict(model, y_test), dense_codes(small_targets)) == pytest.approx(
        ckpt["test_code_error"], rel=1e-6
    )
