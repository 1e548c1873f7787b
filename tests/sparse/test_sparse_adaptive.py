import pytest
import torch
from lasso_problems import problem as _problem
from latentebm.sparse import adaptive_fista, energy, fista
from latentebm.sparse.adaptive import _metric


def problem(N, n, m, dtype, device, seed=0, offset=0.0):
    return _problem(N, n, m, dtype, device, seed, offset, noise=0.05)


# Gram form (m < 2n) with and without a dominant direction, and the direct form (m >= 2n).
SHAPES = [((20, 30, 50), 0.0), ((20, 40, 60), 1.0), ((20, 20, 60), 0.0), ((20, 20, 60), 1.0)]


def test_auto_metric_uses_the_dominant_direction(device):
    _, W = problem(1, 40, 60, torch.float64, device, offset=1.0)
    a, b, u, s_max = _metric(W, W.T @ W, "auto")
    ev, V = torch.linalg.eigh(W.T @ W)
    assert ev[-1] > 1.5 * ev[-2]  # the offset makes one outlier: the rank-one metric applies
    assert u is not None and abs(float(u @ V[:, -1])) == pytest.approx(1.0, abs=1e-8)
    assert a == pytest.approx(float(ev[-2])) and a + b == pytest.approx(float(ev[-1]))
    assert s_max == pytest.approx(float(ev[-1] / ev[-2]))
    _, W0 = problem(1, 40, 60, torch.float64, device, offset=0.0)
    assert _metric(W0, W0.T @ W0, "auto")[2] is None  # no outlier: scalar steps


@pytest.mark.parametrize("shape,offset", SHAPES)
def test_agrees_with_fista_and_needs_fewer_iterations(shape, offset, device):
    y, W = problem(*shape, torch.float64, device, offset=offset)
    lam = 0.2
    e_star = energy(y, W, fista(y, W, lam, n_iter=20000, tol=1e-14), lam)
    z = adaptive_fista(y, W, lam, n_iter=3000, tol=1e-14)
    assert ((energy(y, W, z, lam) - e_star) / e_star).abs().max() < 1e-10
    # Iteration for iteration, the adaptive steps reach a lower total energy than FISTA's.
    for k in (10, 30):
        e_ada = energy(y, W, adaptive_fista(y, W, lam, n_iter=k), lam).sum()
        e_fista = energy(y, W, fista(y, W, lam, n_iter=k), lam).sum()
        assert e_ada < e_fista


def test_rejects_bad_metric_and_empty_dictionary():  # shared checks: test_sparse_solver_contract.py
    y, W = problem(4, 20, 30, torch.float64, "cpu")
    with pytest.raises(ValueError, match="metric"):
        adaptive_fista(y, W, 0.1, metric="diagonal")
    with pytest.raises(ValueError, match="all zeros"):
        adaptive_fista(y, torch.zeros_like(W), 0.1)
