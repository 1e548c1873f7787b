import pytest
import torch
from latentebm.conv import ConvOperator, code_shape, conv_energy, conv_fista
from latentebm.sparse import fista


def problem(N=2, C=1, m=4, k=4, H=10, seed=0, device="cpu", boundary="full"):
    g = torch.Generator().manual_seed(seed)
    K = torch.randn(m, C, k, k, generator=g, dtype=torch.float64)
    K = K / K.flatten(1).norm(dim=1).view(m, 1, 1, 1)
    hw = code_shape((H, H), k, boundary)
    Z = torch.randn(N, m, *hw, generator=g, dtype=torch.float64)
    Z = Z * (torch.rand(N, m, *hw, generator=g, dtype=torch.float64) < 0.05)
    Y = ConvOperator(K, (H, H), boundary).forward(Z)
    Y = Y + 0.01 * torch.randn(Y.shape, generator=g, dtype=torch.float64)
    return Y.to(device), K.to(device)


def kkt_violation(Y, K, Z, lam, boundary):
    A = ConvOperator(K, Y.shape[-2:], boundary)
    G = 2 * A.adjoint(A.forward(Z) - Y)  # gradient of the smooth part
    active = Z != 0
    v_active = (G + lam * torch.sign(Z)).abs()[active]
    v_zero = (G.abs() - lam).clamp_min(0)[~active]
    return max(v_active.max().item() if v_active.numel() else 0.0, v_zero.max().item())


@pytest.mark.parametrize("boundary", ["full", "circular"])
@pytest.mark.parametrize("C", [1, 3])
def test_solution_satisfies_kkt_float64(boundary, C, device):
    Y, K = problem(C=C, device=device, boundary=boundary)
    lam = 0.1
    Z = conv_fista(Y, K, lam, n_iter=5000, tol=1e-14, boundary=boundary)
    assert Z.device == Y.device and Z.shape == (2, 4, *code_shape(Y.shape, 4, boundary))
    assert kkt_violation(Y, K, Z, lam, boundary) < 1e-6 * lam


def test_equals_matrix_fista_on_the_explicit_operator():
    # Build the operator's matrix column by column; FISTA on it must give the same iterates.
    Y, K = problem(N=2, m=2, k=3, H=6)
    A = ConvOperator(K, (6, 6), "full")
    n_code = 2 * 8 * 8
    E = torch.eye(n_code, dtype=torch.float64).view(n_code, 2, 8, 8)
    W = A.forward(E).reshape(n_code, 36).T  # (n, m) = (36, 128)
    L = A.lipschitz(tol=1e-12)
    for restart in (False, True):
        z_mat = fista(Y.reshape(2, 36), W, 0.05, n_iter=30, L=L, restart=restart)
        Z = conv_fista(Y, K, 0.05, n_iter=30, L=L, restart=restart)
        torch.testing.assert_close(Z.reshape(2, -1), z_mat, rtol=0, atol=1e-10)


def test_energy_history_decreases_and_matches():
    Y, K = problem()
    Z, hist = conv_fista(Y, K, 0.1, n_iter=200, history=True)
    assert hist.shape == (201, 2)
    torch.testing.assert_close(hist[-1], conv_energy(Y, K, Z, 0.1))
    assert (hist[-1] < 0.2 * hist[0]).all()
    assert (hist[50:] <= hist[49] + 1e-12).all()  # near the end, no more than a wiggle


def test_batched_equals_one_by_one():
    Y, K = problem(N=3)
    Z = conv_fista(Y, K, 0.1, n_iter=40)
    for i in range(3):
        torch.testing.assert_close(conv_fista(Y[i : i + 1], K, 0.1, n_iter=40)[0], Z[i])


def test_float32_warm_start_and_tol():
    Y, K = problem()
    Z = conv_fista(Y.float(), K.float(), 0.1, n_iter=300)
    assert Z.dtype == torch.float32
    Z2, hist = conv_fista(Y.float(), K.float(), 0.1, n_iter=300, z0=Z, tol=1e-3, history=True)
    assert hist.shape[0] < 50  # already converged: stops early
    assert ((hist[-1] - hist[0]) / hist[0]).abs().max() < 1e-3


def test_bad_inputs():
    Y, K = problem()
    with pytest.raises(ValueError, match="n_iter"):
        conv_fista(Y, K, 0.1, n_iter=0)
    with pytest.raises(ValueError, match=r"z0 must have shape \(2, 4, 13, 13\)"):
        conv_fista(Y, K, 0.1, z0=torch.zeros(2, 4, 10, 10, dtype=torch.float64))
    with pytest.raises(ValueError, match="L = 0"):
        conv_fista(Y, torch.zeros_like(K), 0.1)
    with pytest.raises(ValueError, match=r"Y must have shape"):
        conv_fista(Y[0], K, 0.1)
