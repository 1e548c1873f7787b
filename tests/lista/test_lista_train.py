import pytest
import torch
from latentebm.lista import LISTA, code_error, predict, train_lista
from latentebm.sparse import ista, optimal_codes
from lista_problems import problem


def test_training_lowers_the_code_error():
    y, W = problem(200, 30, 50, dtype=torch.float32)
    lam = 0.3
    z_star = optimal_codes(y, W, lam)
    model = LISTA(W, lam, 2)
    before = code_error(predict(model, y), z_star)
    hist = train_lista(
        model, y, z_star, n_epochs=30, batch_size=50, lr=3e-3, progress=False,
        generator=torch.Generator().manual_seed(0),
    )  # fmt: skip
    losses = hist["loss"]
    after = code_error(predict(model, y), z_star)
    assert set(hist) == {"loss"} and len(losses) == 30 * 4
    assert after < 0.5 * before, (before, after)
    assert sum(losses[-4:]) < 0.5 * sum(losses[:4])
    # LISTA-2 after training beats 2 plain ISTA iterations by far (that is the point).
    assert after < 0.5 * code_error(ista(y, W, lam, n_iter=2), z_star)


def test_max_updates_and_cuda(device):
    y, W = problem(64, 30, 50, dtype=torch.float32)
    z_star = optimal_codes(y, W, 0.3)
    model = LISTA(W.to(device), 0.3, 3)
    losses = train_lista(model, y, z_star, batch_size=16, max_updates=5, progress=False)["loss"]
    assert len(losses) == 5  # data on the CPU, model anywhere: minibatches move to the model
    assert predict(model, y.to(device)).device.type == device.type


def test_bad_inputs_raise():
    y, W = problem(5, 30, 50, dtype=torch.float32)
    model = LISTA(W, 0.3, 2)
    with pytest.raises(ValueError, match="z_star"):
        train_lista(model, y, torch.zeros(4, 50), progress=False)
    with pytest.raises(TypeError, match="model"):
        train_lista(torch.nn.Linear(2, 2), y, torch.zeros(5, 50), progress=False)
