"""What every batch Lasso solver of the library promises, checked for each of them.

Each solver minimizes ||y - Wz||^2 + lam ||z||_1 for every row of y; these tests hold it to the
shared contract (float32 reaches float64's energy, batched equals one by one, history, warm start,
tol, bad input). The solver-specific properties are in each solver's own test file.
"""

import pytest
import torch
from lasso_problems import kkt_violation
from lasso_problems import problem as _problem
from latentebm.sparse import adaptive_fista, block_cd, energy, fista

# name -> (solver, the keyword that counts its passes)
SOLVERS = {"adaptive_fista": (adaptive_fista, "n_iter"), "block_cd": (block_cd, "n_epochs")}


def solve(name, y, W, lam, passes, **kw):
    solver, count = SOLVERS[name]
    return solver(y, W, lam, **{count: passes}, **kw)


def problem(N, n, m, dtype, device, seed=0, offset=0.0):
    return _problem(N, n, m, dtype, device, seed, offset, noise=0.05)


@pytest.mark.parametrize("name", SOLVERS)
def test_float32_reaches_float64_energy(name, device):
    y, W = problem(20, 40, 60, torch.float64, device, offset=1.0)
    e64 = energy(y, W, fista(y, W, 0.2, n_iter=20000, tol=1e-14), 0.2)
    z32 = solve(name, y.float(), W.float(), 0.2, 1000)
    assert z32.dtype == torch.float32 and z32.device == y.device
    assert ((energy(y, W, z32.double(), 0.2) - e64) / e64).max() < 1e-5


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("shape,offset", [((6, 40, 60), 1.0), ((6, 20, 60), 0.0)])
def test_batched_equals_one_by_one(name, shape, offset, device):
    y, W = problem(*shape, torch.float64, device, offset=offset)
    zb = solve(name, y, W, 0.2, 15)
    for i in range(y.shape[0]):
        zi = solve(name, y[i], W, 0.2, 15)
        assert zi.shape == (W.shape[1],)
        torch.testing.assert_close(zi, zb[i], rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("shape", [(10, 40, 60), (10, 20, 60)])  # Gram form, direct form
def test_history_warm_start_and_tol(name, shape, device):
    y, W = problem(*shape, torch.float64, device, offset=1.0)
    z, hist = solve(name, y, W, 0.2, 12, history=True)
    assert hist.shape == (13, 10)
    torch.testing.assert_close(hist[-1], energy(y, W, z, 0.2))
    z1, h1 = solve(name, y[0], W, 0.2, 5, history=True)
    assert z1.shape == (60,) and h1.shape == (6,)
    # A warm start at the solution stays there; tol stops early at a solution.
    z_star = solve(name, y, W, 0.2, 5000, tol=1e-13)
    z_warm = solve(name, y, W, 0.2, 2, z0=z_star)
    assert kkt_violation(y, W, z_warm, 0.2) < 1e-6
    _, h = solve(name, y, W, 0.2, 5000, tol=1e-8, history=True)
    assert h.shape[0] < 5001


@pytest.mark.parametrize("name", SOLVERS)
def test_rejects_bad_input(name):
    y, W = problem(4, 20, 30, torch.float64, "cpu")
    with pytest.raises(ValueError, match="lam"):
        solve(name, y, W, -0.1, 10)
    with pytest.raises(ValueError, match="tol"):
        solve(name, y, W, 0.1, 10, tol=-1.0)
    with pytest.raises(ValueError, match=SOLVERS[name][1]):
        solve(name, y, W, 0.1, 0)
    with pytest.raises(ValueError, match=r"y must have shape \(N, 20\)"):
        solve(name, y[:, :10], W, 0.1, 10)
    with pytest.raises(ValueError, match="z0 must have shape"):
        solve(name, y, W, 0.1, 10, z0=torch.zeros(4, 29, dtype=torch.float64))
    with pytest.raises(TypeError, match="dtype"):
        solve(name, y.float(), W, 0.1, 10)
    with pytest.raises(ValueError, match="NaN"):
        solve(name, y * float("nan"), W, 0.1, 10)
