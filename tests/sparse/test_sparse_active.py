"""active_set_cd: optimality, the duality-gap certificate, scikit-learn's solution, the contract."""

import pytest
import torch
from lasso_problems import kkt_violation, problem
from latentebm.sparse import active_set_cd, energy, fista


@pytest.mark.parametrize("shape", [(20, 30, 50), (20, 60, 40)])
@pytest.mark.parametrize("offset", [0.0, 1.0])  # random atoms; one dominant direction
def test_solution_satisfies_kkt_float64(shape, offset):
    y, W = problem(*shape, torch.float64, "cpu", offset=offset)
    z = active_set_cd(y, W, 0.2, tol=1e-14)
    assert kkt_violation(y, W, z, 0.2) < 1e-10


@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-7])
def test_duality_gap_certifies_each_signal(tol):
    y, W = problem(30, 40, 100, torch.float64, "cpu", offset=1.0)
    e_star = energy(y, W, fista(y, W, 0.2, n_iter=50000, tol=1e-15), 0.2)
    e = energy(y, W, active_set_cd(y, W, 0.2, tol=tol, max_sweeps=100000), 0.2)
    rel = (e - e_star) / e
    assert (rel <= tol).all() and rel.min() > -1e-12


def test_nearly_dependent_atoms_warn_at_max_sweeps_then_converge():
    y, W = problem(20, 20, 80, torch.float64, "cpu")  # codes with up to 19 of 20 dimensions
    with pytest.warns(RuntimeWarning, match="signals stopped at max_sweeps=50"):
        active_set_cd(y, W, 0.2, tol=1e-12, max_sweeps=50)
    z = active_set_cd(y, W, 0.2, tol=1e-14, max_sweeps=100000)
    assert kkt_violation(y, W, z, 0.2) < 1e-8


def test_matches_scikit_learn():
    decomposition = pytest.importorskip("sklearn.decomposition")
    y, W = problem(15, 30, 60, torch.float64, "cpu", offset=1.0)
    z_sk = decomposition.sparse_encode(
        y.numpy(), W.T.numpy(), algorithm="lasso_cd", alpha=0.2 / 2, max_iter=10000
    )
    z = active_set_cd(y, W, 0.2, tol=1e-12)
    e_sk = energy(y, W, torch.from_numpy(z_sk), 0.2)
    assert ((energy(y, W, z, 0.2) - e_sk) / e_sk).abs().max() < 1e-9


def test_float32_reaches_float64_energy():
    y, W = problem(20, 40, 60, torch.float64, "cpu", offset=1.0)
    e64 = energy(y, W, fista(y, W, 0.2, n_iter=20000, tol=1e-14), 0.2)
    z32 = active_set_cd(y.float(), W.float(), 0.2, tol=0.0)  # stops at float32's floor
    assert z32.dtype == torch.float32
    assert ((energy(y, W, z32.double(), 0.2) - e64) / e64).max() < 1e-5


@pytest.mark.parametrize("threads", [1, 3])
def test_batched_equals_one_by_one_at_any_thread_count(threads):
    y, W = problem(7, 30, 60, torch.float64, "cpu")
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        zb = active_set_cd(y, W, 0.2, tol=1e-6)
    finally:
        torch.set_num_threads(previous)
    assert torch.get_num_threads() == previous  # the solver leaves torch's threads alone
    for i in range(7):
        zi = active_set_cd(y[i], W, 0.2, tol=1e-6)
        assert zi.shape == (60,)
        torch.testing.assert_close(zi, zb[i], rtol=1e-9, atol=1e-12)  # W^T y: GEMM vs GEMV rounding


def test_warm_start_at_the_solution_stays():
    y, W = problem(10, 30, 50, torch.float64, "cpu", offset=1.0)
    z_star = active_set_cd(y, W, 0.2, tol=1e-14)
    z_warm = active_set_cd(y, W, 0.2, tol=1e-10, max_sweeps=1, z0=z_star)  # one full sweep
    torch.testing.assert_close(z_warm, z_star, rtol=0, atol=1e-10)
    assert z_star.data_ptr() != z_warm.data_ptr()  # z0 is not modified in place


def test_more_active_codes_than_the_compact_buffer_holds():
    y, W = problem(2, 800, 600, torch.float64, "cpu", noise=1.0)  # dense least-squares codes
    z = active_set_cd(y, W, 1e-3, tol=1e-12, max_sweeps=10000)
    assert ((z != 0).sum(1) > 512).all()  # beyond G_AA's first allocation (512 x 512)
    assert kkt_violation(y, W, z, 1e-3) < 1e-8


def test_zero_atoms_keep_zero_codes():
    y, W = problem(5, 20, 30, torch.float64, "cpu")
    W[:, [3, 17]] = 0
    z = active_set_cd(y, W, 0.1, tol=1e-10)
    assert (z[:, [3, 17]] == 0).all()
    assert kkt_violation(y, W, z, 0.1) < 1e-7


def test_rejects_bad_input():
    y, W = problem(4, 20, 30, torch.float64, "cpu")
    with pytest.raises(ValueError, match="lam"):
        active_set_cd(y, W, -0.1)
    with pytest.raises(ValueError, match="tol"):
        active_set_cd(y, W, 0.1, tol=-1.0)
    with pytest.raises(ValueError, match="max_sweeps"):
        active_set_cd(y, W, 0.1, max_sweeps=0)
    with pytest.raises(ValueError, match=r"y must have shape \(N, 20\)"):
        active_set_cd(y[:, :10], W, 0.1)
    with pytest.raises(ValueError, match="z0 must have shape"):
        active_set_cd(y, W, 0.1, z0=torch.zeros(4, 29, dtype=torch.float64))
    with pytest.raises(TypeError, match="dtype"):
        active_set_cd(y.float(), W, 0.1)
    with pytest.raises(ValueError, match="NaN"):
        active_set_cd(y * float("nan"), W, 0.1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA not available on this machine")
def test_cuda_input_is_refused_with_a_pointer_to_fista():
    y, W = problem(4, 20, 30, torch.float64, "cuda")
    with pytest.raises(ValueError, match="runs on the CPU.*fista"):
        active_set_cd(y, W, 0.1)
