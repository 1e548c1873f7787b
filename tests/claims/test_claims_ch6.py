"""The lecture's claims 15-17 (the VAE: a noisy code, the balls flying away without the KL spring,
the spring's strength), asserted on the committed checkpoints of chapter 6 (``vae2d_beta<b>``,
``vae20d_beta<b>``), independently of the notebook's stored outputs."""

import math

import pytest
import torch
from latentebm.chapters import load
from latentebm.data import mnist
from latentebm.vae import (
    VAE,
    active_dims,
    ball_overlap,
    code_information,
    kl_divergence,
    nearest_class_shares,
)

N = 1000  # test digits


@pytest.fixture(scope="module")
def digits():
    y, labels = mnist("test")
    return y[:N], labels[:N]


@pytest.fixture(scope="module")
def balls(digits):
    """beta -> (mu, logvar) of the 2-D models on the first N test digits."""
    out = {}
    for b in (0.0, 1.0, 16.0, 64.0):
        model = VAE.from_checkpoint(load(f"vae2d_beta{b:g}"))
        with torch.no_grad():
            out[b] = model.encode(digits[0])
    return out


def test_claim15_noise_limits_the_information_of_the_code(balls):
    """Claim 15: the noise limits the information the code carries. With the spring (beta = 1)
    the noisy 2-D code tells apart far fewer than the N digits: I(y; z) at least 1.5 nats below
    log N, and below the mean KL (its upper bound); without the spring (beta = 0) the balls
    shrink until the code identifies every digit (I within 0.05 nats of log N)."""
    g = torch.Generator().manual_seed(0)
    info = {b: code_information(*balls[b], generator=g) for b in (0.0, 1.0)}
    kl1 = float(kl_divergence(*balls[1.0]).mean())
    assert info[1.0] < math.log(N) - 1.5
    assert info[1.0] < kl1 + 0.1  # KL is an upper bound (up to Monte-Carlo error)
    assert info[0.0] > math.log(N) - 0.05
    assert info[1.0] > 2.0  # but it is not zero: the code still says something


def test_claim16_without_the_spring_the_balls_fly_away():
    """Claim 16: with beta = 0 the ratio of the centres' distance to the origin to the balls'
    radius (what the decoder can feel through the noise) keeps growing: over 10 times larger
    after 15 epochs than after 1, and over 100 times the beta = 1 model's, whose ratio settles."""

    def ratios(beta):
        hist = load(f"vae2d_beta{beta:g}")["history"]["balls"]
        return [float(m.float().norm(dim=1).mean() / s.float().mean()) for m, s in hist]

    r0, r1 = ratios(0.0), ratios(1.0)
    assert r0[15] > 10 * r0[1]
    assert r0[-1] > 100 * r1[-1]
    assert max(r1[1:]) < 3 * min(r1[1:])  # beta = 1 settles within a factor of 3


def test_claim16_balls_overlap_only_for_similar_inputs(balls, digits):
    """Claims 16-17: with the spring (beta = 1) balls overlap, and an overlapping pair is much
    more often of the same digit than a random pair (at least 3 times the 10% base rate)."""
    ov = ball_overlap(*balls[1.0], digits[1])
    assert ov["same"] > 5 * ov["different"]
    assert ov["same_share"] > 3 * ov["same_share_all"]


def test_claim16_without_the_spring_the_prior_misses_classes(balls, digits):
    """Chapter 6's statement: without the spring, samples of the prior (decoded) almost never
    land near the 1s, which fly far from the origin; with it, every class gets its share."""
    z = torch.randn(5000, 2, generator=torch.Generator().manual_seed(0))
    shares = {b: nearest_class_shares(z, balls[b][0], digits[1]) for b in (0.0, 1.0)}
    assert shares[0.0][1] < 0.01
    assert shares[1.0].min() > 0.03


def test_claim17_strong_spring_collapses_onto_the_prior(balls, digits):
    """Claim 17: a strong spring pulls every ball onto the prior: at beta = 64 the radii go to 1
    (mean sigma > 0.95, the variance -> 1) and the KL to 0; beta = 16 is in between; in 20-D the
    number of active dimensions falls from 20 (beta = 1) to fewer than 20 (16) to 0 (64)."""
    sigma = {b: float(torch.exp(0.5 * balls[b][1]).mean()) for b in balls}
    kl = {b: float(kl_divergence(*balls[b]).mean()) for b in balls}
    assert sigma[64.0] > 0.95 and kl[64.0] < 0.05
    assert sigma[1.0] < sigma[16.0] < sigma[64.0]
    assert kl[0.0] > kl[1.0] > kl[16.0] > kl[64.0]
    active = {}
    for b in (1.0, 16.0, 64.0):
        model = VAE.from_checkpoint(load(f"vae20d_beta{b:g}"))
        with torch.no_grad():
            active[b] = active_dims(*model.encode(digits[0]))
    assert active[1.0] == 20 and 0 < active[16.0] < 20 and active[64.0] == 0, active
