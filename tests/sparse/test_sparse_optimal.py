import pytest
import torch
from lasso_problems import kkt_violation, problem
from latentebm.sparse import fista, optimal_codes


def test_optimal_codes_converge_in_minibatches(device):
    y, W = problem(50, 30, 50, torch.float64, device)
    z = optimal_codes(y, W, 0.3, tol=1e-10, batch_size=20)
    assert z.shape == (50, 50) and z.device.type == device.type
    torch.testing.assert_close(z, fista(y, W, 0.3, n_iter=20000, tol=1e-12), rtol=0, atol=1e-7)
    assert kkt_violation(y, W, z, 0.3) < 1e-6


def test_rejects_one_signal_and_bad_settings():
    y, W = problem(5, 30, 50, torch.float64, "cpu")
    with pytest.raises(ValueError, match=r"y must have shape \(N, n\)"):
        optimal_codes(y[0], W, 0.3)
    with pytest.raises(ValueError, match="tol"):
        optimal_codes(y, W, 0.3, tol=-1.0)
    with pytest.raises(ValueError, match="L = 0"):
        optimal_codes(y, torch.zeros_like(W), 0.3)
