import math

import pytest
import torch
from latentebm.latent import code_information, gaussian_bound


def test_information_limits(gen):
    z = torch.randn(64, 2, generator=gen)
    far, same = 100 * z, torch.zeros(64, 2)
    assert code_information(far, 0.3).item() == pytest.approx(6.0, abs=1e-3)  # log2 64: all apart
    assert code_information(same, 0.3).item() == pytest.approx(0.0, abs=1e-9)  # all lost in noise
    bits = code_information(torch.stack([z, 0.3 * z, 0.1 * z]), 0.3)
    assert bits.shape == (3,) and bits[0] > bits[1] > bits[2] > 0  # pulled together: less
    assert torch.equal(code_information(z, 0.3), code_information(z, 0.3))  # seeded: repeatable


def test_information_is_below_shannons_bound(gen):
    for scale in (0.1, 0.3, 1.0, 3.0):
        z = scale * torch.randn(256, 2, generator=gen, dtype=torch.float64)
        est, bound = code_information(z, 0.3, n_samples=128), gaussian_bound(z, 0.3)
        assert est <= bound + 0.05, (scale, est, bound)  # Monte Carlo slack
    # one dimension, variance v: 0.5 log2(1 + v / sigma^2)
    z = torch.tensor([[-1.0], [1.0]], dtype=torch.float64)
    assert gaussian_bound(z, 0.5).item() == pytest.approx(0.5 * math.log2(1 + 1 / 0.25))


def test_information_bad_inputs():
    with pytest.raises(ValueError, match="noise_std"):
        code_information(torch.zeros(4, 2), 0.0)
    with pytest.raises(ValueError, match=r"z must have shape \(N, d\) or \(K, N, d\)"):
        code_information(torch.zeros(4), 0.3)
    with pytest.raises(TypeError, match="z must be a torch.Tensor"):
        gaussian_bound([[0.0, 1.0]], 0.3)
    with pytest.raises(ValueError, match="at least 2 codes"):
        gaussian_bound(torch.zeros(1, 2), 0.3)
