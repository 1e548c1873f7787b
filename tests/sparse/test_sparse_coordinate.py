import pytest
import torch
from lasso_problems import kkt_violation
from lasso_problems import problem as _problem
from latentebm.sparse import block_cd, energy, fista


def problem(N, n, m, dtype, device, seed=0, offset=0.0):
    return _problem(N, n, m, dtype, device, seed, offset, noise=0.05)


# Gram form (m < 2n) with and without a dominant direction, and the direct form (m >= 2n).
SHAPES = [((20, 30, 50), 0.0), ((20, 40, 60), 1.0), ((20, 20, 60), 0.0), ((20, 20, 60), 1.0)]


@pytest.mark.parametrize("block_size,inner", [(7, 1), (16, 3), (32, 5)])
@pytest.mark.parametrize("shape,offset", SHAPES)
def test_solution_satisfies_kkt_float64(block_size, inner, shape, offset, device):
    y, W = problem(*shape, torch.float64, device, offset=offset)
    lam = 0.2
    z = block_cd(y, W, lam, n_epochs=30000, tol=1e-13, block_size=block_size, inner=inner)
    assert z.dtype == torch.float64 and z.device == y.device and z.is_contiguous()
    assert kkt_violation(y, W, z, lam) < 1e-6 * lam


@pytest.mark.parametrize("shape", [(5, 30, 50), (5, 20, 60)])
def test_block_size_one_is_scikit_learns_coordinate_descent(shape):
    """Same cyclic order, same updates: the iterates of sklearn's Lasso CD, to rounding."""
    sklearn = pytest.importorskip("sklearn.decomposition")
    y, W = problem(*shape, torch.float64, "cpu", offset=0.5)
    lam = 0.2
    for k in (1, 3):
        z = block_cd(y, W, lam, n_epochs=k, block_size=1, inner=1)
        with pytest.warns(Warning):  # ConvergenceWarning: k epochs are not enough, on purpose
            ref = sklearn.sparse_encode(
                y.numpy(), W.T.numpy(), algorithm="lasso_cd", alpha=lam / 2, max_iter=k
            )
        torch.testing.assert_close(z, torch.from_numpy(ref), rtol=0, atol=1e-12)


@pytest.mark.parametrize("shape,offset", SHAPES)
def test_energy_never_increases_and_beats_fista_epoch_for_iteration(shape, offset, device):
    y, W = problem(*shape, torch.float64, device, offset=offset)
    lam = 0.2
    _, hist = block_cd(y, W, lam, n_epochs=30, history=True)
    assert hist.shape == (31, 20)
    assert (hist[1:] <= hist[:-1] * (1 + 1e-12)).all()  # per signal, every epoch
    for k in (3, 10):  # an epoch costs about one FISTA iteration's products
        e_cd = energy(y, W, block_cd(y, W, lam, n_epochs=k), lam).sum()
        e_fista = energy(y, W, fista(y, W, lam, n_iter=k), lam).sum()
        assert e_cd < e_fista


def test_float32_reaches_float64_energy(device):
    y, W = problem(20, 40, 60, torch.float64, device, offset=1.0)
    e64 = energy(y, W, fista(y, W, 0.2, n_iter=20000, tol=1e-14), 0.2)
    z32 = block_cd(y.float(), W.float(), 0.2, n_epochs=500)
    assert z32.dtype == torch.float32 and z32.device == y.device
    assert ((energy(y, W, z32.double(), 0.2) - e64) / e64).max() < 1e-5


@pytest.mark.parametrize("shape,offset", [((6, 40, 60), 1.0), ((6, 20, 60), 0.0)])
def test_batched_equals_one_by_one(shape, offset, device):
    y, W = problem(*shape, torch.float64, device, offset=offset)
    zb = block_cd(y, W, 0.2, n_epochs=15)
    for i in range(y.shape[0]):
        zi = block_cd(y[i], W, 0.2, n_epochs=15)
        assert zi.shape == (W.shape[1],)
        torch.testing.assert_close(zi, zb[i], rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("shape", [(10, 40, 60), (10, 20, 60)])
def test_history_warm_start_and_tol(shape, device):
    y, W = problem(*shape, torch.float64, device, offset=1.0)
    z, hist = block_cd(y, W, 0.2, n_epochs=12, history=True)
    torch.testing.assert_close(hist[-1], energy(y, W, z, 0.2))
    z1, h1 = block_cd(y[0], W, 0.2, n_epochs=5, history=True)
    assert z1.shape == (60,) and h1.shape == (6,)
    # A warm start at the solution stays there; tol stops early at a solution.
    z_star = block_cd(y, W, 0.2, n_epochs=5000, tol=1e-13)
    z_warm = block_cd(y, W, 0.2, n_epochs=2, z0=z_star)
    assert kkt_violation(y, W, z_warm, 0.2) < 1e-6
    _, h = block_cd(y, W, 0.2, n_epochs=5000, tol=1e-8, history=True)
    assert h.shape[0] < 5001


def test_zero_atoms_keep_zero_codes():
    y, W = problem(8, 30, 50, torch.float64, "cpu")
    W[:, 16:32] = 0  # one whole block of dead atoms, and their partners in the Gram matrix
    z = block_cd(y, W, 0.2, n_epochs=3000, tol=1e-13)
    assert torch.isfinite(z).all() and (z[:, 16:32] == 0).all()
    assert kkt_violation(y, W, z, 0.2) < 1e-6 * 0.2


def test_rejects_bad_input():
    y, W = problem(4, 20, 30, torch.float64, "cpu")
    with pytest.raises(ValueError, match="block_size"):
        block_cd(y, W, 0.1, block_size=0)
    with pytest.raises(ValueError, match="inner"):
        block_cd(y, W, 0.1, inner=1.5)
    with pytest.raises(ValueError, match="n_epochs"):
        block_cd(y, W, 0.1, n_epochs=0)
    with pytest.raises(ValueError, match="lam"):
        block_cd(y, W, -0.1)
    with pytest.raises(ValueError, match="tol"):
        block_cd(y, W, 0.1, tol=-1.0)
    with pytest.raises(ValueError, match=r"y must have shape \(N, 20\)"):
        block_cd(y[:, :10], W, 0.1)
    with pytest.raises(ValueError, match="z0 must have shape"):
        block_cd(y, W, 0.1, z0=torch.zeros(4, 29, dtype=torch.float64))
    with pytest.raises(TypeError, match="dtype"):
        block_cd(y.float(), W, 0.1)
    with pytest.raises(ValueError, match="NaN"):
        block_cd(y * float("nan"), W, 0.1)
