import pytest
import torch
from latentebm.lista import LISTA
from latentebm.lista_eval import code_error, equivalent_iterations, solver_errors
from latentebm.lista_train import (
    dense_codes,
    optimal_codes,
    predict,
    sparse_codes,
    train_book_lista,
    train_lista,
)
from latentebm.sparse import fista, ista, lipschitz


def problem(N, n, m, dtype=torch.float64, device="cpu", seed=0):
    """Signals that are sparse combinations of a random unit-norm dictionary, plus noise."""
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(n, m, generator=g, dtype=torch.float64)
    W = W / W.norm(dim=0)
    z = torch.randn(N, m, generator=g, dtype=torch.float64) * (torch.rand(N, m, generator=g) < 0.1)
    y = z @ W.T + 0.05 * torch.randn(N, n, generator=g, dtype=torch.float64)
    return y.to(device, dtype), W.to(device, dtype)


@pytest.mark.parametrize("untied", [False, True])
@pytest.mark.parametrize("shape", [(16, 30, 50), (16, 60, 40)])
def test_untrained_lista_equals_ista_float64(shape, untied, device):
    y, W = problem(*shape, device=device)
    lam = 0.3
    model = LISTA(W, lam, n_steps=10, untied=untied)
    with torch.no_grad():
        z, codes = model(y, return_all=True)
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


def test_checkpoint_round_trip():
    y, W = problem(5, 30, 50, dtype=torch.float32)
    model = LISTA(W, 0.3, 3, untied=True)
    with torch.no_grad():
        model.S.mul_(0.9)
    clone = LISTA.from_checkpoint(model.checkpoint())
    torch.testing.assert_close(predict(clone, y), predict(model, y), rtol=0, atol=0)
    assert clone.lam == model.lam and clone.L == model.L and clone.untied


def test_training_lowers_the_code_error():
    y, W = problem(200, 30, 50, dtype=torch.float32)
    lam = 0.3
    Z_star = optimal_codes(y, W, lam)
    model = LISTA(W, lam, 2)
    before = code_error(predict(model, y), Z_star)
    losses = train_lista(
        model,
        y,
        Z_star,
        n_epochs=30,
        batch_size=50,
        lr=3e-3,
        progress=False,
        generator=torch.Generator().manual_seed(0),
    )
    after = code_error(predict(model, y), Z_star)
    assert len(losses) == 30 * 4
    assert after < 0.5 * before, (before, after)
    assert sum(losses[-4:]) < 0.5 * sum(losses[:4])
    # LISTA-2 after training beats 2 plain ISTA iterations by far (that is the point).
    assert after < 0.5 * code_error(ista(y, W, lam, n_iter=2), Z_star)


def test_max_updates_and_cuda(device):
    y, W = problem(64, 30, 50, dtype=torch.float32)
    Z_star = optimal_codes(y, W, 0.3)
    model = LISTA(W.to(device), 0.3, 3)
    losses = train_lista(model, y, Z_star, batch_size=16, max_updates=5, progress=False)
    assert len(losses) == 5  # data on the CPU, model anywhere: minibatches move to the model
    assert predict(model, y.to(device)).device.type == device.type


def test_optimal_codes_converge():
    y, W = problem(50, 30, 50)
    Z = optimal_codes(y, W, 0.3, tol=1e-10, batch_size=20)
    torch.testing.assert_close(Z, fista(y, W, 0.3, n_iter=20000, tol=1e-12), rtol=0, atol=1e-7)


def test_solver_errors_and_equivalent_iterations():
    y, W = problem(50, 30, 50, dtype=torch.float32)
    Z_star = optimal_codes(y, W, 0.3)
    iters = [1, 2, 3, 5, 8, 20]
    errs = {s: solver_errors(y, W, 0.3, Z_star, iters, solver=s) for s in ("ista", "fista")}
    for t, e in zip(iters, errs["fista"], strict=True):
        assert e == pytest.approx(code_error(fista(y, W, 0.3, n_iter=t), Z_star), rel=1e-12)
    assert errs["ista"][0] == pytest.approx(errs["fista"][0])  # one step: same
    assert errs["fista"][-1] < errs["ista"][-1]  # momentum helps
    targets = [errs["fista"][2], 0.5 * errs["fista"][4], 0.0]
    eq = equivalent_iterations(targets, y, W, 0.3, Z_star, max_iter=200)
    assert eq[0] <= 3 and eq[2] is None
    t = eq[1]
    assert code_error(fista(y, W, 0.3, n_iter=t), Z_star) <= targets[1]
    assert code_error(fista(y, W, 0.3, n_iter=t - 1), Z_star) > targets[1]


def test_bad_inputs_raise():
    y, W = problem(5, 30, 50, dtype=torch.float32)
    with pytest.raises(ValueError, match="W"):
        LISTA(W[0], 0.3, 2)
    with pytest.raises(ValueError, match="n_steps"):
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
    with pytest.raises(ValueError, match="Z_star"):
        train_lista(model, y, torch.zeros(4, 50), progress=False)
    with pytest.raises(TypeError, match="model"):
        train_lista(torch.nn.Linear(2, 2), y, torch.zeros(5, 50), progress=False)
    with pytest.raises(ValueError, match="shape"):
        code_error(torch.zeros(3, 50), torch.ones(4, 50))
    with pytest.raises(ValueError, match="solver"):
        solver_errors(y, W, 0.3, torch.ones(5, 50), [1], solver="admm")


def test_sparse_codes_round_trip():
    y, W = problem(40, 30, 50, dtype=torch.float32)
    Z = fista(y, W, 0.3, n_iter=50)
    d = sparse_codes(Z)
    assert d["index"].numel() == int((Z != 0).sum()) < Z.numel()
    torch.testing.assert_close(dense_codes(d), Z, rtol=0, atol=0)


def test_book_recipe_checkpoint():
    y, W = problem(60, 30, 50, dtype=torch.float32)
    Z = optimal_codes(y, W, 0.3)
    ckpt = train_book_lista(2, W, 0.3, y, Z, y, Z, n_epochs=2, batch_size=30, progress=False)
    assert len(ckpt["loss_per_epoch"]) == 2
    assert ckpt["lr"] == pytest.approx(3e-3 / 2**0.5)
    model = LISTA.from_checkpoint(ckpt)
    assert code_error(predict(model, y), Z) == pytest.approx(ckpt["test_code_error"], rel=1e-6)
