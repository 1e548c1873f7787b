import math

import pytest
import torch
from latentebm.conv import orientation_selectivity


def grid(k=9):
    r = torch.arange(k, dtype=torch.float64) - (k - 1) / 2
    return torch.meshgrid(r, r, indexing="ij")


def gabor(theta, k=9, sigma=2.0, freq=0.2, phase=0.0):
    y, x = grid(k)
    u = x * math.cos(theta) + y * math.sin(theta)
    return torch.exp(-(x**2 + y**2) / (2 * sigma**2)) * torch.cos(2 * math.pi * freq * u + phase)


def centre_surround(k=9):
    y, x = grid(k)
    r2 = x**2 + y**2
    return torch.exp(-r2 / 2) - 0.25 * torch.exp(-r2 / 8)


def test_oriented_vs_centre_surround():
    oriented = torch.stack([gabor(t, phase=p) for t in (0, 0.7, 1.6, 2.5) for p in (0, 1.57)])
    osi_o = orientation_selectivity(oriented.unsqueeze(1))
    osi_c = orientation_selectivity(centre_surround()[None])
    assert osi_o.shape == (8,) and (osi_o > 0.6).all()
    assert osi_c.item() < 0.05


def test_rotation_by_90_degrees_keeps_the_index_and_zero_kernel_is_zero():
    K = gabor(0.3)[None, None]
    a = orientation_selectivity(K)
    b = orientation_selectivity(torch.rot90(K, 1, (2, 3)))
    assert a.item() == pytest.approx(b.item(), rel=1e-9)
    assert orientation_selectivity(torch.zeros(1, 1, 5, 5)).item() == 0.0


def test_bad_inputs():
    with pytest.raises(ValueError, match="kernels"):
        orientation_selectivity(torch.zeros(5, 5))
    with pytest.raises(ValueError, match="n_fft"):
        orientation_selectivity(torch.ones(1, 1, 9, 9), n_fft=8)
