import pytest
import torch
from latentebm.lista import code_error, equivalent_iterations, seconds_per_signal, solver_errors
from latentebm.sparse import fista, ista, optimal_codes
from lista_problems import problem


def test_solver_errors_and_equivalent_iterations():
    y, W = problem(50, 30, 50, dtype=torch.float32)
    z_star = optimal_codes(y, W, 0.3)
    iters = [1, 2, 3, 5, 8, 20]
    errs = {s: solver_errors(y, W, 0.3, z_star, iters, solver=s) for s in ("ista", "fista")}
    for t, e in zip(iters, errs["fista"], strict=True):
        assert e == pytest.approx(code_error(fista(y, W, 0.3, n_iter=t), z_star), rel=1e-12)
    for t, e in zip(iters, errs["ista"], strict=True):  # ISTA advanced incrementally: the same
        assert e == pytest.approx(code_error(ista(y, W, 0.3, n_iter=t), z_star), rel=1e-6)
    assert errs["ista"][0] == pytest.approx(errs["fista"][0])  # one step: same
    assert errs["fista"][-1] < errs["ista"][-1]  # momentum helps
    targets = [errs["fista"][2], 0.5 * errs["fista"][4], 0.0]
    eq = equivalent_iterations(targets, y, W, 0.3, z_star, max_iter=200)
    assert eq[0] <= 3 and eq[2] is None
    t = eq[1]
    assert code_error(fista(y, W, 0.3, n_iter=t), z_star) <= targets[1]
    assert code_error(fista(y, W, 0.3, n_iter=t - 1), z_star) > targets[1]


def test_seconds_per_signal_is_positive():
    y, _ = problem(20, 30, 50, dtype=torch.float32)
    assert 0 < seconds_per_signal(lambda b: b * 2, y, repeats=2) < 1


def test_bad_inputs_raise():
    y, W = problem(5, 30, 50, dtype=torch.float32)
    with pytest.raises(ValueError, match="shape"):
        code_error(torch.zeros(3, 50), torch.ones(4, 50))
    with pytest.raises(ValueError, match="solver"):
        solver_errors(y, W, 0.3, torch.ones(5, 50), [1], solver="admm")
    with pytest.raises(ValueError, match="z_star must have shape"):
        solver_errors(y, W, 0.3, torch.ones(4, 50), [1])
    with pytest.raises(ValueError, match="all zeros"):
        equivalent_iterations([0.1], y, W, 0.3, torch.zeros(5, 50))
