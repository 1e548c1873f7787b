"""The committed dictionaries agree with their recipe and its settings (latentebm.chapters.ch2_sparse)."""

import pytest
import torch
from latentebm import chapters
from latentebm.chapters.ch2_sparse import SETTINGS, held_out_signals, train_dictionary
from latentebm.sparse.dictionary import code_quality

# Recompute on a subset to stay fast; the stored numbers are means over `n_eval` signals, so a
# subset's mean differs by sampling noise only (a few percent), not by a wrong checkpoint.
N_CHECK = 500


@pytest.mark.parametrize(
    "name, shape", [("mnist_dictionary", (784, 256)), ("patches_dictionary", (144, 256))]
)
def test_checkpoint_matches_its_settings_and_numbers(name, shape):
    ckpt = chapters.load(name)
    W = ckpt["W"]
    assert W.dtype == torch.float32 and tuple(W.shape) == shape
    assert torch.allclose(W.norm(dim=0), torch.ones(shape[1]), atol=1e-4)
    s = SETTINGS[name]
    recorded = {k: ckpt[k] for k in ("lam", "n_epochs", "seed", "batch_size", "n_iter", "n_eval",
                                     "eval_iter")}  # fmt: skip
    assert recorded == {k: s[k] for k in recorded}  # the table holds what made the file
    assert s["n_train"] in (None, ckpt["n_train"]) and s["tol"] is None
    assert len(ckpt["history_energy"]) == ckpt["n_epochs"]
    y = held_out_signals(s["signals"], N_CHECK)
    q = code_quality(y, W, ckpt["lam"], n_iter=ckpt["eval_iter"])
    assert q["rel_error"] == pytest.approx(ckpt["test_rel_error"], rel=0.05)
    assert q["mean_nnz"] == pytest.approx(ckpt["test_mean_nnz"], rel=0.1)


def test_recipe_writes_what_the_committed_file_holds():
    """The recipe on a small problem: the same keys as the committed checkpoint, and a tolerance
    (the converging default) is recorded when it is used."""
    small = {**SETTINGS["patches_dictionary"], "n_train": 600, "n_atoms": 16, "n_epochs": 1,
             "n_eval": 50, "eval_iter": 20}  # fmt: skip
    ckpt = train_dictionary(**small)
    assert set(ckpt) == set(chapters.load("patches_dictionary"))
    assert ckpt["W"].shape == (144, 16) and ckpt["n_train"] == 600 and ckpt["n_epochs"] == 1
    with pytest.warns(RuntimeWarning, match="n_epochs=2"):
        converging = train_dictionary(**{**small, "n_epochs": 2, "tol": 1e-4})
    assert converging["tol"] == 1e-4


def test_signals_refuse_unknown_names():
    with pytest.raises(ValueError, match="name"):
        held_out_signals("cifar")
