"""The committed dictionaries agree with the script that wrote them (scripts/train_sparse_dictionaries.py)."""

import pytest
import torch
from latentebm.checkpoints import load, path_of
from latentebm.sparse.dictionary import code_quality, held_out_signals

# Recompute on a subset to stay fast; the stored numbers are means over `n_eval` signals, so a
# subset's mean differs by sampling noise only (a few percent), not by a wrong checkpoint.
N_CHECK = 500


@pytest.mark.parametrize(
    "name, shape", [("mnist_dictionary", (784, 256)), ("patches_dictionary", (144, 256))]
)
def test_checkpoint_matches_its_numbers(name, shape):
    path = path_of(name)
    if name == "patches_dictionary" and not path.exists():
        pytest.skip("patches checkpoint not committed yet")
    ckpt = load(path)
    W = ckpt["W"]
    assert W.dtype == torch.float32 and tuple(W.shape) == shape
    assert torch.allclose(W.norm(dim=0), torch.ones(shape[1]), atol=1e-4)
    for key in ("lam", "n_epochs", "seed", "test_rel_error", "test_mean_nnz"):
        assert key in ckpt
    Y = held_out_signals(name.split("_")[0], N_CHECK)
    q = code_quality(Y, W, ckpt["lam"], n_iter=ckpt["eval_iter"])
    assert q["rel_error"] == pytest.approx(ckpt["test_rel_error"], rel=0.05)
    assert q["mean_nnz"] == pytest.approx(ckpt["test_mean_nnz"], rel=0.1)
