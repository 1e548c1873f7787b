"""What every batch Lasso solver of the library promises, checked for each of them.

Each solver minimizes ||y - Wz||^2 + lam ||z||_1 for every row of y; these tests hold ISTA, FISTA,
adaptive FISTA and block coordinate descent to the shared contract (optimality, float32 reaches
float64's energy, batched equals one by one, history, warm start, tol, bad input, one validation
per call). The solver-specific properties are in each solver's own test file; active_set_cd, which
has no iteration count, keeps its contract there (tests/sparse/test_sparse_active.py).
"""

import sys

import latentebm._checks
import pytest
import torch
from lasso_problems import kkt_violation
from lasso_problems import problem as _problem
from latentebm.sparse import adaptive_fista, block_cd, energy, fista, ista

# name -> (solver, the keyword that counts its passes, passes to converge, option variants)
SOLVERS = {
    "ista": (ista, "n_iter", 100000, [{}]),  # O(1/k): 89 220 iterations on one problem
    "fista": (fista, "n_iter", 20000, [{}, {"restart": False}]),
    "adaptive_fista": (adaptive_fista, "n_iter", 5000,
                       [{"metric": "auto"}, {"metric": "scalar"}, {"metric": "rank1"}]),
    "block_cd": (block_cd, "n_epochs", 30000,
                 [{"block_size": 7, "inner": 1}, {"block_size": 16, "inner": 3},
                  {"block_size": 32, "inner": 5}]),
}  # fmt: skip
VARIANTS = [(name, kw) for name, (*_, variants) in SOLVERS.items() for kw in variants]
# Gram form (m < 2n, the m x m Gram matrix the smaller or not) with and without a dominant
# direction (the mean atom of non-negative data), and the direct form (m >= 2n).
SHAPES = [((20, 30, 50), 0.0), ((20, 60, 40), 0.0), ((20, 40, 60), 1.0), ((20, 20, 60), 0.0),
          ((20, 20, 60), 1.0)]  # fmt: skip


def solve(name, y, W, lam, passes, **kw):
    solver, count, *_ = SOLVERS[name]
    return solver(y, W, lam, **{count: passes}, **kw)


def problem(N, n, m, dtype, device, seed=0, offset=0.0):
    return _problem(N, n, m, dtype, device, seed, offset, noise=0.05)


@pytest.mark.parametrize("name,options", VARIANTS, ids=[f"{n}-{kw}" for n, kw in VARIANTS])
@pytest.mark.parametrize("shape,offset", SHAPES)
def test_solution_satisfies_kkt_float64(name, options, shape, offset, device):
    y, W = problem(*shape, torch.float64, device, offset=offset)
    lam = 0.2
    z = solve(name, y, W, lam, SOLVERS[name][2], tol=1e-13, **options)
    assert z.dtype == torch.float64 and z.device == y.device and z.shape == (20, shape[2])
    assert kkt_violation(y, W, z, lam) < 1e-6 * lam


@pytest.mark.parametrize("name", SOLVERS)
def test_float32_reaches_float64_energy(name, device):
    y, W = problem(20, 40, 60, torch.float64, device, offset=1.0)
    e64 = energy(y, W, fista(y, W, 0.2, n_iter=20000, tol=1e-14), 0.2)
    z32 = solve(name, y.float(), W.float(), 0.2, min(SOLVERS[name][2], 5000))
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
    torch.testing.assert_close(hist[0], (y**2).sum(1))  # z(0) = 0
    torch.testing.assert_close(hist[-1], energy(y, W, z, 0.2))
    z1, h1 = solve(name, y[0], W, 0.2, 5, history=True)
    assert z1.shape == (60,) and h1.shape == (6,)
    # A warm start continues from its energy; at the solution it stays there.
    _, h_warm = solve(name, y, W, 0.2, 1, z0=z, history=True)
    torch.testing.assert_close(h_warm[0], hist[-1])
    z_star = solve(name, y, W, 0.2, 30000, tol=1e-13)
    z_warm = solve(name, y, W, 0.2, 2, z0=z_star)
    assert kkt_violation(y, W, z_warm, 0.2) < 1e-6
    # tol stops early at a solution.
    _, h = solve(name, y, W, 0.2, 30000, tol=1e-8, history=True)
    assert h.shape[0] < 30001


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
    with pytest.raises(TypeError, match="positional"):  # options are keyword-only
        SOLVERS[name][0](y, W, 0.1, 10, None)


def count_checks(call) -> int:
    """How many times the functions of latentebm._checks run during ``call()``."""
    calls = 0
    checks_file = latentebm._checks.__file__

    def profile(frame, event, arg):
        nonlocal calls
        if event == "call" and frame.f_code.co_filename == checks_file:
            calls += 1

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("history", [False, True])
def test_the_loop_validates_nothing(name, history):
    """Validation runs once, at the public face: 1 iteration or 60, with or without history and
    a tolerance, the checks run the same number of times."""
    y, W = problem(8, 20, 30, torch.float64, "cpu")
    z0 = torch.zeros(8, 30, dtype=torch.float64)
    counts = {
        passes: count_checks(
            lambda p=passes: solve(name, y, W, 0.1, p, tol=1e-30, z0=z0, history=history)
        )  # fmt: skip
        for passes in (1, 2, 60)
    }
    assert counts[1] == counts[2] == counts[60] > 0, counts
