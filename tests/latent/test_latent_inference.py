import pytest
import torch
from latentebm.chapters import ch1_latent
from latentebm.data.toy import ellipse
from latentebm.latent import (
    LatentEBM,
    energy_grid,
    free_energy,
    grid,
    infer,
    inside_outside_energy,
    landscape_table,
    n_active,
    off_data_mask,
    on_off_energy,
    pick_good,
    train,
)


@pytest.mark.parametrize("kind", ["none", "l1", "l2", "noisy"])
def test_inference_never_increases_the_energy(kind, gen):
    m = LatentEBM(4, lam=[0.1, 1.0], regularizer=kind, hidden=16, max_gain=8.0, generator=gen)
    y = 2 * torch.randn(50, 2, generator=gen)
    z, E, hist = infer(m, y, n_iter=40, n_restarts=3, history=True, generator=gen)
    assert z.shape == (2, 50, 4) and E.shape == (2, 50) and hist.shape == (41, 2, 50)
    assert (hist[1:] <= hist[:-1]).all()
    assert torch.equal(hist[-1], E)
    assert (hist[-1] < hist[0]).float().mean() > 0.9  # and it does descend
    if kind != "noisy":  # the returned energy is the energy of the returned code
        assert torch.allclose(m.energy(y, z), E, rtol=1e-5, atol=1e-6)


def test_collapse_lam0_surjective_decoder(gen):
    # Dec(z) = z + g(z) with Lip(g) <= 0.5 < 1 is onto the plane: every y has F(y) = 0.
    m = LatentEBM(2, lam=0.0, regularizer="none", hidden=16, max_gain=0.5, generator=gen)
    with torch.no_grad():
        m.A.copy_(torch.eye(2)[None])
    y_off = 4 * torch.rand(500, 2, generator=gen) - 2  # uniform on [-2, 2]^2: mostly off-data
    F = free_energy(m, y_off, n_iter=100, n_restarts=2)
    assert F.max() < 1e-4


def test_notebook_sweep_at_small_size(gen):
    # The chapter's L2^2 sweep (same lams, decoder and gain as its latent_sweep), on 128 points,
    # 150 epochs and a 24 x 24 grid. Measured (seeds 0-2): good lam = 0.1, outside/on 10-11,
    # on-data F at the largest lam 200-250x that at the good lam.
    y = ellipse(128, noise=0.05, generator=gen)
    s = ch1_latent.SETTINGS["latent_sweep"]
    lams = [0.0, *s["lams"]]
    kinds = ["none"] + ["l2"] * len(s["lams"])
    m = LatentEBM(8, lam=lams, regularizer=kinds, hidden=s["hidden"], max_gain=s["max_gain"])
    train(m, y, n_epochs=150, progress=False, generator=gen)
    Fg = energy_grid(m, extent=2.0, n=24, n_iter=60, n_restarts=3, init_std=2.0)
    tab = landscape_table(Fg, free_energy(m, y, n_iter=60), y, extent=2.0)
    assert tab["low"][0] > 0.9  # lam = 0: collapse, flat zero
    good = pick_good(tab, range(1, m.n_models), max_low=0.1)  # the notebook's rule
    assert tab["low"][good] < 0.1 and 0 < lams[good] < lams[-1]
    assert tab["ratio"][good] > 5  # the outside of the ellipse is well above the data
    assert tab["inside"][good] <= tab["max_on"][good]  # the winding argument: the inside stays low
    assert tab["on"][-1] > 20 * tab["on"][good]  # too large: the data are out of reach


def test_training_lowers_the_free_energy_and_l1_codes_are_sparse(gen):
    y = ellipse(64, noise=0.05, generator=gen)
    m = LatentEBM(8, lam=0.3, regularizer="l1", hidden=16)
    hist = train(m, y, n_epochs=30, progress=False)["free_energy"]
    assert hist.shape == (30, 1) and hist[-1, 0] < hist[0, 0]
    z, _ = infer(m, y)
    assert n_active(z).float().mean() < 4  # most of the 8 components are exactly 0


def test_grid_and_masks(gen):
    pts = grid(2.0, 5)
    assert pts.shape == (25, 2) and torch.equal(pts[0], torch.tensor([-2.0, -2.0]))
    assert torch.equal(pts[1], torch.tensor([-1.0, -2.0]))  # y1 runs fastest
    mask = off_data_mask(pts, torch.zeros(1, 2), min_dist=0.5)
    assert mask.sum() == 24 and not mask[12]
    with pytest.raises(ValueError, match=r"F_data must have shape \(1, 3\)"):
        on_off_energy(torch.zeros(1, 5, 5), torch.zeros(2, 3), torch.zeros(3, 2))


def test_bad_inference_arguments(gen):
    m = LatentEBM(2, lam=[0.1, 0.2])
    y = torch.zeros(4, 2)
    with pytest.raises(TypeError, match="model must be a latentebm.latent.LatentEBM"):
        infer(torch.nn.Linear(2, 2), y)
    with pytest.raises(ValueError, match=r"z0 must have shape \(2, 4, 2\)"):
        infer(m, y, z0=torch.zeros(4, 2))
    with pytest.raises(ValueError, match="n_iter must be a positive int"):
        infer(m, y, n_iter=0)
    with pytest.raises(ValueError, match=r"y must have shape \(N, 2\)"):
        free_energy(m, torch.zeros(4, 3))


def test_inside_outside_energy_splits_the_off_data_points():
    data = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [0.0, -0.5]])
    pts = grid(2.0, 21)
    F = (pts.norm(dim=1) > 1).float().view(
        1, 21, 21
    ) * 2.0 + 1.0  # 1 inside the unit disc, 3 outside
    inside, outside = inside_outside_energy(F, data, 2.0, min_dist=0.3)
    assert inside.item() == pytest.approx(1.0) and outside.item() > 2.0
    with pytest.raises(ValueError, match="radii must be two positive numbers"):
        inside_outside_energy(F, data, radii=(1.0, 0.0))


def test_landscape_table_and_pick_good():
    data = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [0.0, -0.5]])
    pts = grid(2.0, 21)
    far = (pts.norm(dim=1) > 1).float().view(21, 21)
    F = torch.stack([torch.zeros(21, 21), 1e-2 + far, 0.5 + far])  # collapsed, good, too high
    F_data = torch.tensor([[0.0] * 4, [1e-2] * 4, [0.5, 0.5, 0.5, 0.7]])
    tab = landscape_table(F, F_data, data, 2.0)
    assert tab["ratio"][0].isnan() and tab["low"][0] == 1.0 and tab["low"][1] == 0.0
    assert tab["ratio"][1].item() == pytest.approx(tab["outside"][1].item() / 1e-2)
    assert tab["max_on"][2].item() == pytest.approx(0.7)
    assert pick_good(tab, [0, 1, 2]) == 1  # 0 is collapsed, 2 has the smaller ratio
    with pytest.raises(ValueError, match="no candidate"):
        pick_good(tab, [0])
