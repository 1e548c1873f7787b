import pytest
import torch
from lasso_problems import kkt_violation, problem
from latentebm.sparse import energy, fista, ista, lipschitz


def test_lipschitz_matches_eigvalsh(device):
    _, W = problem(1, 30, 50, torch.float64, device)
    expected = torch.linalg.eigvalsh(W.T @ W)[-1].item()
    assert lipschitz(W, tol=1e-10) == pytest.approx(expected, rel=1e-6)
    assert lipschitz(W.T.contiguous(), tol=1e-10) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("solver", [ista, fista])
@pytest.mark.parametrize(
    "shape", [(20, 30, 50), (20, 60, 40), (20, 20, 50)]
)  # Gram form x2, direct form
def test_solution_satisfies_kkt_float64(solver, shape, device):
    y, W = problem(*shape, torch.float64, device)
    lam = 0.2
    z = solver(y, W, lam, n_iter=20000, tol=1e-13)
    assert kkt_violation(y, W, z, lam) < 1e-6 * lam


@pytest.mark.parametrize("solver", [ista, fista])
def test_float32_reaches_float64_energy(solver, device):
    y, W = problem(20, 30, 50, torch.float64, device)
    z64 = fista(y, W, 0.2, n_iter=5000, tol=1e-13)
    z32 = solver(y.float(), W.float(), 0.2, n_iter=3000)
    assert z32.dtype == torch.float32 and z32.device == y.device
    e64 = energy(y, W, z64, 0.2)
    e32 = energy(y, W, z32.double(), 0.2)
    assert ((e32 - e64) / e64).max() < 1e-5


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


@pytest.mark.parametrize("solver", [ista, fista])
def test_batched_equals_one_by_one(solver, device):
    y, W = problem(6, 30, 50, torch.float64, device)
    Z = (
        solver(y, W, 0.1, n_iter=30, restart=False)
        if solver is fista
        else solver(y, W, 0.1, n_iter=30)
    )
    for i in range(6):
        zi = solver(y[i], W, 0.1, n_iter=30, **({"restart": False} if solver is fista else {}))
        assert zi.shape == (50,)
        assert torch.allclose(Z[i], zi, atol=1e-12)


def test_history_and_warm_start(device):
    y, W = problem(4, 30, 50, torch.float64, device)
    z, hist = fista(y[0], W, 0.1, n_iter=10, history=True)
    assert z.shape == (50,) and hist.shape == (11,)
    assert float(hist[0]) == pytest.approx(float((y[0] ** 2).sum()))  # z(0) = 0
    z_warm, hist2 = fista(y[0], W, 0.1, n_iter=1, z0=z, history=True)
    assert float(hist2[0]) == pytest.approx(float(hist[-1]))


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


def test_solvers_reject_bad_input():
    y, W = torch.zeros(3, 5), torch.ones(5, 7)
    with pytest.raises(ValueError, match="lam"):
        fista(y, W, -0.1)
    with pytest.raises(ValueError, match=r"y must have shape \(N, 5\)"):
        fista(torch.zeros(3, 4), W, 0.1)
    with pytest.raises(ValueError, match=r"z0 must have shape \(3, 7\)"):
        ista(y, W, 0.1, z0=torch.zeros(3, 6))
    with pytest.raises(ValueError, match="n_iter"):
        fista(y, W, 0.1, n_iter=0)
    with pytest.raises(ValueError, match="L = 0"):
        fista(y, torch.zeros(5, 7), 0.1)
    with pytest.raises(TypeError, match="dtype"):
        fista(y.double(), W, 0.1)


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
