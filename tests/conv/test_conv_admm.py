import pytest
import torch
from latentebm.conv import conv_admm, conv_energy, conv_fista


def problem(seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    K = torch.randn(6, 1, 5, 5, generator=g, dtype=torch.float64)
    K = K / K.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
    Y = torch.randn(2, 1, 24, 24, generator=g, dtype=torch.float64)
    return Y.to(device), K.to(device)


def test_admm_reaches_the_fista_minimum(device):
    Y, K = problem(device=device)
    Z_f = conv_fista(Y, K, 0.5, n_iter=5000, tol=1e-14, boundary="circular")
    Z_a, hist = conv_admm(Y, K, 0.5, n_iter=400, history=True)
    assert Z_a.shape == Z_f.shape and Z_a.device == Y.device and hist.shape == (401, 2)
    e_f = conv_energy(Y, K, Z_f, 0.5, "circular")
    torch.testing.assert_close(hist[-1], conv_energy(Y, K, Z_a, 0.5, "circular"))
    assert ((hist[-1] - e_f) / e_f).abs().max() < 1e-8
    assert (Z_a == 0).float().mean() > 0.3  # the returned variable is the sparse one


def test_tol_stops_early_and_bad_inputs():
    Y, K = problem()
    _, hist = conv_admm(Y, K, 0.5, n_iter=2000, tol=1e-4, history=True)
    assert hist.shape[0] < 2001
    with pytest.raises(ValueError, match="grey"):
        conv_admm(Y.expand(2, 3, 24, 24), K.expand(6, 3, 5, 5), 0.5)
    with pytest.raises(ValueError, match="relax"):
        conv_admm(Y, K, 0.5, relax=2.5)
