import math

import pytest
import torch
from latentebm.vae import ball_overlap, code_information, kl_divergence, nearest_class_shares


def test_code_information_bounds():
    g = torch.Generator().manual_seed(0)
    mu = 100 * torch.randn(200, 2, generator=g, dtype=torch.float64)  # far apart, tiny balls
    small = torch.full_like(mu, -10.0)
    assert code_information(mu, small, generator=g) == pytest.approx(math.log(200), abs=1e-6)
    same = torch.zeros(200, 2, dtype=torch.float64)  # every ball the prior: no information
    assert code_information(same, same, generator=g) == pytest.approx(0.0, abs=1e-12)
    mu = torch.randn(300, 3, generator=g, dtype=torch.float64)  # overlapping balls
    logvar = torch.full_like(mu, math.log(0.3))
    info = code_information(mu, logvar, generator=torch.Generator().manual_seed(1), chunk=64)
    assert 0 < info < float(kl_divergence(mu, logvar).mean()) + 0.1
    assert info < math.log(300)


def test_code_information_agrees_for_any_chunk():
    mu = torch.randn(50, 2, generator=torch.Generator().manual_seed(2))
    logvar = torch.full_like(mu, -1.0)
    a = code_information(mu, logvar, generator=torch.Generator().manual_seed(0), chunk=7)
    b = code_information(mu, logvar, generator=torch.Generator().manual_seed(0), chunk=1000)
    assert a == pytest.approx(b, rel=1e-12)


def test_ball_overlap_counts_pairs():
    mu = torch.tensor([[0.0, 0.0], [0.5, 0.0], [10.0, 0.0], [10.4, 0.0]])
    logvar = torch.zeros(4, 2)  # radius 1: pairs (0, 1) and (2, 3) overlap
    ov = ball_overlap(mu, logvar, torch.tensor([0, 0, 1, 2]))
    assert ov["same"] == 1.0  # the one same-class pair (0, 1) overlaps
    assert ov["different"] == pytest.approx(1 / 5)  # (2, 3) among 5 different-class pairs
    assert ov["same_share"] == 0.5 and ov["same_share_all"] == pytest.approx(1 / 6)
    with pytest.raises(ValueError, match="labels"):
        ball_overlap(mu, logvar, torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="labels"):
        ball_overlap(mu, logvar, torch.zeros(4))


def test_nearest_class_shares():
    mu = torch.tensor([[0.0, 0.0], [10.0, 10.0]])
    z = torch.tensor([[0.1, 0.0], [-0.2, 0.3], [9.0, 9.0], [0.0, 1.0]])
    shares = nearest_class_shares(z, mu, torch.tensor([3, 7]))
    assert shares.tolist() == pytest.approx([0, 0, 0, 0.75, 0, 0, 0, 0.25, 0, 0])
    with pytest.raises(ValueError, match="labels"):
        nearest_class_shares(z, mu, torch.tensor([3, 12]))
    with pytest.raises(ValueError, match="mu"):
        nearest_class_shares(z, torch.zeros(2, 3), torch.tensor([0, 1]))
