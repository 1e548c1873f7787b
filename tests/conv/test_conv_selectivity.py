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


def test_preferred_orientation_of_gabors():
    from latentebm.conv import preferred_orientation

    # u = x cos t + y sin t: the intensity changes along u, the stripes run at t + 90 degrees
    K = torch.stack([gabor(t, freq=0.12) for t in (0.0, math.pi / 2, math.pi / 4, 3 * math.pi / 4)])
    theta = preferred_orientation(K)
    assert theta.tolist() == pytest.approx([90.0, 0.0, 135.0, 45.0], abs=1.0)


def test_orientation_coverage_counts_bins_of_oriented_kernels_only():
    from latentebm.conv import orientation_coverage

    eight = torch.stack([gabor(math.pi * k / 8, freq=0.15) for k in range(8)])
    assert orientation_coverage(eight) == 8
    assert orientation_coverage(eight[:3]) == 3
    assert orientation_coverage(torch.stack([gabor(0.0), gabor(0.01), gabor(0.02)])) == 1
    assert orientation_coverage(centre_surround()[None]) == 0  # not oriented: not counted
    assert orientation_coverage(eight, n_bins=4) == 4


def test_count_lobes_edge_bar_grating():
    from latentebm.conv import count_lobes

    y, x = grid()
    edge = torch.sign(x + 0.5)  # - | +  (vertical stripes)
    bar = torch.where(y.abs() <= 1, 1.0, -0.5).double()  # - + -  (horizontal)
    grating = torch.sign(torch.cos(2 * math.pi * (x + y) / 4.0 + 0.3))  # oblique, 4-pixel period
    lobes = count_lobes(torch.stack([edge, bar, grating]))
    assert lobes.tolist()[:2] == [2, 3] and lobes[2] >= 4
    assert count_lobes(torch.zeros(1, 9, 9)).tolist() == [0]
    with pytest.raises(ValueError, match="rel"):
        count_lobes(edge[None], rel=1.5)


def test_filter_cosine():
    from latentebm.conv import filter_cosine

    g = torch.Generator().manual_seed(0)
    E = torch.randn(4, 1, 5, 5, generator=g, dtype=torch.float64)
    cos = filter_cosine(E, 3 * E)
    assert cos.tolist() == pytest.approx([1.0] * 4)
    assert filter_cosine(E, -E).tolist() == pytest.approx([-1.0] * 4)
    assert filter_cosine(E, torch.zeros_like(E)).tolist() == [0.0] * 4
    with pytest.raises(ValueError, match="decoder"):
        filter_cosine(E, E[:3])
