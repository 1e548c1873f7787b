"""The lecture's claims 1-4 (issue 17), asserted on chapter 1's committed models.

Each test computes its number from the library and the checkpoints (never from the notebook's
stored outputs), on coarse grids so that the module runs in seconds on one thread, and fails if a
retraining breaks the claim (a collapsed model, codes that carry no less information, ...).
"""

import pytest
from latentebm import chapters
from latentebm.chapters import ch1_latent
from latentebm.latent import (
    LatentEBM,
    code_information,
    energy_grid,
    free_energy,
    gaussian_bound,
    infer,
    landscape_table,
    n_active,
    section,
)

EXTENT, N = 2.0, 20  # a 20 x 20 grid of [-2, 2]^2


@pytest.fixture(scope="module")
def y():
    return ch1_latent.data()


@pytest.fixture(scope="module")
def sweep():
    return LatentEBM.from_checkpoint(chapters.load("latent_sweep"))


@pytest.fixture(scope="module")
def sweep_table(sweep, y):
    Fg = energy_grid(sweep, EXTENT, N, n_iter=60, n_restarts=4, init_std=2.0)
    return landscape_table(Fg, free_energy(sweep, y, n_iter=60), y, EXTENT)


def index(model, kind, lam):
    return next(
        k for k in range(model.n_models)
        if model.kinds[k] == kind and abs(model.lam[k].item() - lam) < 1e-6
    )  # fmt: skip


def test_claim_1_expressive_latent_collapses(sweep_table, y):
    """Claim 1: a latent too expressive (lam = 0, as many dimensions as y or more) makes
    F(y) = min_z E = 0 everywhere; a 1-D latent cannot, so it is the capacity that collapses."""
    assert sweep_table["low"][0] > 0.95  # 8-D latent, R = none: F < 1e-3 on the whole plane
    dims = chapters.load("latent_dims")
    low = {}
    for d in (1, 2):
        m = LatentEBM.from_checkpoint(dims[f"d{d}"])
        Fg = energy_grid(m, EXTENT, N, n_iter=150, n_restarts=8, init_std=4.0)
        low[d] = (Fg < 1e-3).float().mean().item()
    assert low[2] > 0.9 and low[1] < 0.1, low  # measured on 40 x 40: 0.97 and 0.03


def test_claim_2_lambda_sets_the_volume_of_low_energy(sweep, sweep_table):
    """Claim 2: lam controls the volume of low-energy space: with R = L2^2, the fraction of the
    plane with F < 1e-3 falls as lam grows, from most of the plane to almost none."""
    l2 = [k for k in range(sweep.n_models) if sweep.kinds[k] == "l2"]  # lam increasing
    low = sweep_table["low"][l2]
    assert (low[1:] <= low[:-1] + 0.01).all(), low.tolist()  # never more low energy
    assert low[0] > 0.4 and low[-1] < 0.01, low.tolist()  # measured 0.60 and 0.00
    good = index(sweep, "l2", 0.1)
    assert sweep_table["ratio"][good] > 5  # and the outside of the ellipse is well above the data


def test_claim_2_a_ball_of_cheap_codes_keeps_the_inside_low(sweep, sweep_table):
    """Claim 2, the chapter's bound: with a convex R minimal at 0 the inside of the ellipse is
    never above the highest data point (checked with the max inside, not the mean)."""
    good = index(sweep, "l2", 0.1)
    assert sweep_table["max_inside"][good] <= sweep_table["max_on"][good]
    assert sweep_table["inside_ratio"][good] < 0.5  # the inside is even below the data on average


def test_claim_2_a_loop_of_cheap_codes_digs_the_inside(y):
    """Claim 2, the shape of the low-cost set: with R = (||z|| - 1)^2 (a loop of cheap codes) the
    energy is low on the data and high inside and outside; with R = ||z||^2 at the same lam, same
    latent, the inside stays below the data."""
    m = LatentEBM.from_checkpoint(chapters.load("latent_ring"))  # models: ring, L2^2
    assert m.kinds == ["ring", "l2"]
    opts = dict(n_iter=80, n_restarts=8, init_std=1.5)
    Fg = energy_grid(m, EXTENT, N, **opts)
    tab = landscape_table(Fg, free_energy(m, y, **opts), y, EXTENT)
    assert tab["inside_ratio"][0] > 10 and tab["ratio"][0] > 50  # measured 65 and 683
    assert tab["inside_ratio"][1] < 0.5  # the ball: measured 0.11
    # the cross-section through the centre: a dip at the data (y1 = +-1) for the ring, a dip at
    # the centre for the ball
    s, F = section(m, n=41, **opts)
    centre, ends = F[:, 20], F[:, [10, 30]].max(1).values  # y1 = 0 and y1 = +-1
    assert centre[0] > 10 * ends[0] and centre[1] < ends[1], (centre, ends)


def test_claim_3_l1_reduces_the_effective_dimension(sweep, y):
    """Claim 3: the L1 norm is a proxy of the number of active dimensions: its codes use few of
    the 8 latent dimensions, fewer as lam grows; L2^2 shrinks the codes but uses all 8."""
    z, _ = infer(sweep, y[::4], n_iter=60)  # 64 of the points
    active = n_active(z).float().mean(1)  # (19,) mean number of non-zero components
    l1 = [index(sweep, "l1", lam) for lam in (0.01, 0.1, 1.0)]
    assert active[l1[1]] < 4 and active[index(sweep, "l2", 0.1)] == 8, active.tolist()
    assert active[l1[0]] >= active[l1[1]] >= active[l1[2]], active[l1].tolist()


def test_claim_4_noise_with_a_bounded_norm_limits_the_information(y):
    """Claim 4: noise added to z limits the information the code carries only if the norm of z is
    bounded: with lam ||z||^2 the codes carry less the larger lam; without (lam = 0) they spread
    out to beat the noise and carry more than Shannon's bound allows the penalized codes."""
    noisy = LatentEBM.from_checkpoint(chapters.load("latent_noisy"))
    assert noisy.lam.tolist() == pytest.approx([0.0, 0.1, 1.0])
    sigma = ch1_latent.SETTINGS["latent_noisy"]["noise_std"]
    z, _ = infer(noisy, y, n_iter=60, n_restarts=2)
    bits, bound = code_information(z, sigma), gaussian_bound(z, sigma)
    assert bits[0] > bits[1] > bits[2], bits.tolist()  # measured 3.22 > 1.98 > 0.78 bits
    assert bits[2] < 1.5 and bits[0] > bound[2] + 1, (bits.tolist(), bound.tolist())
    norm = z.norm(dim=-1).mean(1)  # the penalty pulls the codes together
    assert norm[0] > norm[1] > norm[2], norm.tolist()
