import pytest
import torch
from lasso_problems import problem
from latentebm.sparse import energy, fista, ista, lipschitz


def test_lipschitz_matches_eigvalsh(device):
    _, W = problem(1, 30, 50, torch.float64, device)
    expected = torch.linalg.eigvalsh(W.T @ W)[-1].item()
    assert lipschitz(W, tol=1e-10) == pytest.approx(expected, rel=1e-6)
    assert lipschitz(W.T.contiguous(), tol=1e-10) == pytest.approx(expected, rel=1e-6)


def test_fista_beats_ista_after_k_iterations(device):
    y, W = problem(50, 40, 80, torch.float64, device)
    for k in (20, 50, 100):
        e_ista = energy(y, W, ista(y, W, 0.1, n_iter=k), 0.1).mean()
        for restart in (True, False):
            e_fista = energy(y, W, fista(y, W, 0.1, n_iter=k, restart=restart), 0.1).mean()
            assert e_fista < e_ista


def test_ista_energy_never_increases(device):
    y, W = problem(10, 30, 50, torch.float64, device)
    _, hist = ista(y, W, 0.1, n_iter=100, history=True)
    assert hist.shape == (101, 10)
    assert (hist[1:] <= hist[:-1] + 1e-12).all()


def test_lecture_step_equals_ours_at_twice_lambda(device):
    # The lecture's step shrink_{lam/L}(z - W^T(Wz - y)/L) minimizes 1/2||y-Wz||^2 + lam||z||_1,
    # whose minimizer is the minimizer of our energy at 2*lam: one step of each agrees exactly.
    y, W = problem(5, 30, 50, torch.float64, device)
    L, lam = lipschitz(W), 0.3
    z = torch.randn(5, 50, dtype=torch.float64, generator=torch.Generator().manual_seed(1)).to(
        device
    )
    v = z - (z @ W.T - y) @ W / L
    lecture = torch.sign(v) * (v.abs() - lam / L).clamp_min(0)
    ours = ista(y, W, 2 * lam, n_iter=1, z0=z, L=L)
    assert torch.allclose(lecture, ours, atol=1e-12)


def test_solvers_refuse_an_all_zero_dictionary():  # the shared checks: test_sparse_solver_contract.py
    y = torch.zeros(3, 5)
    for solver in (ista, fista):
        with pytest.raises(ValueError, match="L = 0"):
            solver(y, torch.zeros(5, 7), 0.1)


def test_lipschitz_methods_agree(device):
    _, W = problem(1, 40, 90, torch.float64, device)
    exact = lipschitz(W, method="eigh")
    power = lipschitz(W, method="power", tol=1e-12, max_iter=100000)
    assert power == pytest.approx(exact, rel=1e-8)
    assert power <= exact * (1 + 1e-12)  # the Rayleigh quotient approaches from below
    loose = lipschitz(W, method="power", tol=1e-2)
    assert loose < exact * (1 - 1e-6)  # a loose power iteration really stopped early
    with pytest.raises(ValueError, match="method"):
        lipschitz(W, method="svd")


@pytest.mark.parametrize("check_every", [1, 7])
def test_tol_is_checked_every_k_iterations(check_every, device):
    y, W = problem(8, 30, 50, torch.float64, device)
    z, hist = fista(y, W, 0.1, n_iter=500, tol=1e-6, history=True, check_every=check_every)
    T = hist.shape[0] - 1
    assert T < 500 and T % check_every == 0  # stopped early, at a checked iteration
    # The stopping rule held at T and (for check_every=1) at no earlier iteration.
    z_prev = fista(y, W, 0.1, n_iter=T - 1)
    z_T = fista(y, W, 0.1, n_iter=T)
    assert torch.equal(z_T, z)
    change = ((z_T - z_prev).norm(dim=1) / z_T.norm(dim=1)).max()
    assert change <= 1e-6
    if check_every == 1:
        z_prev2 = fista(y, W, 0.1, n_iter=T - 2)
        assert ((z_prev - z_prev2).norm(dim=1) / z_prev.norm(dim=1)).max() > 1e-6
