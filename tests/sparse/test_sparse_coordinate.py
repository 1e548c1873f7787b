import pytest
import torch
from lasso_problems import kkt_violation
from lasso_problems import problem as _problem
from latentebm.sparse import block_cd, energy, fista


def problem(N, n, m, dtype, device, seed=0, offset=0.0):
    return _problem(N, n, m, dtype, device, seed, offset, noise=0.05)


# Gram form (m < 2n) with and without a dominant direction, and the direct form (m >= 2n).
SHAPES = [((20, 30, 50), 0.0), ((20, 40, 60), 1.0), ((20, 20, 60), 0.0), ((20, 20, 60), 1.0)]


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


def test_zero_atoms_keep_zero_codes():
    y, W = problem(8, 30, 50, torch.float64, "cpu")
    W[:, 16:32] = 0  # one whole block of dead atoms, and their partners in the Gram matrix
    z = block_cd(y, W, 0.2, n_epochs=3000, tol=1e-13)
    assert torch.isfinite(z).all() and (z[:, 16:32] == 0).all()
    assert kkt_violation(y, W, z, 0.2) < 1e-6 * 0.2
    z_warm = block_cd(y, W, 0.2, n_epochs=1, z0=torch.ones_like(z))  # even from a warm start
    assert (z_warm[:, 16:32] == 0).all()


def test_rejects_bad_block_settings():  # the shared checks: test_sparse_solver_contract.py
    y, W = problem(4, 20, 30, torch.float64, "cpu")
    with pytest.raises(ValueError, match="block_size"):
        block_cd(y, W, 0.1, block_size=0)
    with pytest.raises(TypeError, match="inner"):
        block_cd(y, W, 0.1, inner=1.5)
