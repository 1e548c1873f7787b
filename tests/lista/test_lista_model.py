import pytest
import torch
from latentebm.lista import LISTA, predict
from latentebm.sparse import ista, lipschitz
from lista_problems import problem


@pytest.mark.parametrize("untied", [False, True])
@pytest.mark.parametrize("shape", [(16, 30, 50), (16, 60, 40)])
def test_untrained_lista_equals_ista_float64(shape, untied, device):
    y, W = problem(*shape, device=device)
    lam = 0.3
    model = LISTA(W, lam, n_iter=10, untied=untied)
    with torch.no_grad():
        z, codes = model(y, history=True)
    assert len(codes) == 10
    for k, zk in enumerate(codes, start=1):
        torch.testing.assert_close(zk, ista(y, W, lam, n_iter=k), rtol=0, atol=1e-12)
    torch.testing.assert_close(z, ista(y, W, lam, n_iter=10), rtol=0, atol=1e-12)
    assert (z != 0).any() and (z == 0).any()  # the threshold is active: not a trivial check


def test_initial_weights_are_istas():
    y, W = problem(4, 30, 50)
    lam, L = 0.3, lipschitz(W)
    model = LISTA(W, lam, 3)
    torch.testing.assert_close(model.W_e, W / L)
    torch.testing.assert_close(model.S, torch.eye(50, dtype=W.dtype) - W.T @ W / L)
    torch.testing.assert_close(model.threshold, torch.full((50,), lam / (2 * L), dtype=W.dtype))
    # The recurrent form's input term is (1/L) W^T y for a column signal: W_e^T y.
    torch.testing.assert_close(model.W_e.T @ y[0], W.T @ y[0] / L)


@pytest.mark.parametrize(
    "untied,shapes",
    [
        (False, {"W_e": (30, 50), "S": (50, 50), "threshold": (50,)}),
        (True, {"W_e": (4, 30, 50), "S": (3, 50, 50), "threshold": (4, 50)}),
    ],
)
def test_shapes(untied, shapes):
    y, W = problem(7, 30, 50, dtype=torch.float32)
    model = LISTA(W, 0.3, 4, untied=untied)
    assert {k: tuple(v.shape) for k, v in model.named_parameters()} == shapes
    assert model(y).shape == (7, 50)
    assert model(y[0]).shape == (50,)
    torch.testing.assert_close(model(y[0]), model(y)[0])
    assert model(y).dtype == torch.float32
    z1, codes1 = model(y[0], history=True)
    assert [c.shape for c in codes1] == [(50,)] * 4 and torch.equal(codes1[-1], z1)


def test_checkpoint_round_trip(device):
    y, W = problem(5, 30, 50, dtype=torch.float32)
    model = LISTA(W, 0.3, 3, untied=True)
    with torch.no_grad():
        model.S.mul_(0.9)
    ckpt = model.checkpoint(note="kept")
    assert ckpt["n_iter"] == 3 and ckpt["note"] == "kept"
    clone = LISTA.from_checkpoint(ckpt, device)
    assert clone.W_e.device.type == device.type and not clone.training
    torch.testing.assert_close(
        predict(clone, y.to(device)).cpu(), predict(model, y), rtol=0, atol=0
    )
    assert clone.lam == model.lam and clone.L == model.L and clone.untied and clone.n_iter == 3


def test_checkpoints_written_before_the_rename_still_load():
    _, W = problem(5, 30, 50, dtype=torch.float32)
    ckpt = LISTA(W, 0.3, 2).checkpoint()
    ckpt["n_steps"] = ckpt.pop("n_iter")  # the committed files of 2026-11
    assert LISTA.from_checkpoint(ckpt).n_iter == 2
    del ckpt["n_steps"]
    with pytest.raises(ValueError, match="n_iter"):
        LISTA.from_checkpoint(ckpt)


def test_predict_in_minibatches_equals_one_call():
    y, W = problem(50, 30, 50)
    model = LISTA(W, 0.3, 3)
    with torch.no_grad():
        whole = model(y)
    torch.testing.assert_close(predict(model, y, batch_size=7), whole, rtol=0, atol=1e-14)
    torch.testing.assert_close(predict(model, y[3]), whole[3], rtol=0, atol=1e-14)


def test_bad_inputs_raise():
    y, W = problem(5, 30, 50, dtype=torch.float32)
    with pytest.raises(ValueError, match="W"):
        LISTA(W[0], 0.3, 2)
    with pytest.raises(ValueError, match="n_iter"):
        LISTA(W, 0.3, 0)
    with pytest.raises(ValueError, match="lam"):
        LISTA(W, -1.0, 2)
    with pytest.raises(TypeError, match="W"):
        LISTA(W.numpy(), 0.3, 2)
    with pytest.raises(ValueError, match="L = 0"):
        LISTA(torch.zeros(30, 50), 0.3, 2)
    model = LISTA(W, 0.3, 2)
    with pytest.raises(ValueError, match=r"\(N, 30\)"):
        model(y[:, :20])
    with pytest.raises(ValueError, match="float64"):
        model(y.double())
    with pytest.raises(ValueError, match="float64"):
        predict(model, y.double())
