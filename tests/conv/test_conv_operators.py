import pytest
import torch
from latentebm.conv import ConvOperator, code_shape, conv_energy, correlate, synthesize
from latentebm.conv.fista import conv_lipschitz


def rand(*shape, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64).to(device)


@pytest.mark.parametrize("boundary", ["full", "circular"])
@pytest.mark.parametrize("C", [1, 3])
def test_adjointness_float64(boundary, C, device):
    K = rand(5, C, 4, 4, seed=1, device=device)
    Y = rand(2, C, 11, 13, seed=2, device=device)
    Z = rand(2, 5, *code_shape(Y.shape, 4, boundary), seed=3, device=device)
    lhs = (synthesize(Z, K, boundary) * Y).sum()
    rhs = (Z * correlate(Y, K, boundary)).sum()
    assert lhs.item() == pytest.approx(rhs.item(), rel=1e-12)


@pytest.mark.parametrize("boundary,expected", [("full", (12, 14)), ("circular", (8, 10))])
def test_shapes(boundary, expected):
    K = rand(6, 3, 5, 5)
    Y = rand(4, 3, 8, 10)
    Z = correlate(Y, K, boundary)
    assert Z.shape == (4, 6, *expected) and code_shape(Y.shape, 5, boundary) == expected
    assert synthesize(Z, K, boundary).shape == Y.shape


def test_full_is_a_crop_of_circular_on_the_code_grid():
    # With no wrap-around possible, zero-boundary synthesis equals the circular one, cropped.
    K = rand(3, 2, 4, 4, seed=1)
    Z = rand(2, 3, 12, 12, seed=2)  # code of a 9x9 image
    full = synthesize(Z, K, "full")  # (2, 2, 9, 9)
    circ = synthesize(Z, K, "circular")  # (2, 2, 12, 12)
    torch.testing.assert_close(full, circ[..., 3:, 3:], rtol=0, atol=1e-12)


def test_single_delta_code_places_the_kernel():
    K = rand(2, 1, 3, 3, seed=4)
    Z = torch.zeros(1, 2, 8, 8, dtype=torch.float64)
    Z[0, 1, 2, 3] = 1.0
    Y = synthesize(Z, K, "circular")
    torch.testing.assert_close(Y[0, 0, 2:5, 3:6], K[1, 0])
    assert Y.abs().sum().item() == pytest.approx(K[1].abs().sum().item())


def test_lipschitz_circular_matches_fourier_closed_form():
    K = rand(4, 2, 5, 5, seed=5)
    H = W = 16
    L = ConvOperator(K, (H, W), "circular").lipschitz(tol=1e-12, power=True)
    assert conv_lipschitz(K, (H, W), "circular") == pytest.approx(L, rel=1e-6)  # exact path
    Kh = torch.fft.fft2(K, s=(H, W))  # (m, C, H, W)
    M = torch.einsum("mchw,mdhw->hwcd", Kh, Kh.conj())  # per-frequency C x C Gram
    expected = torch.linalg.eigvalsh(M).max().item()
    assert L == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("C", [1, 2])
def test_lipschitz_full_fourier_bound_is_above_power_iteration_and_tight(C):
    K = rand(4, C, 5, 5, seed=6)
    A = ConvOperator(K, (20, 20), "full")
    L_power = A.lipschitz(tol=1e-10, power=True)
    L_bound = A.lipschitz()
    assert 0.9 * L_bound < L_power <= L_bound * (1 + 1e-9)


def test_energy_value_and_zero_code():
    K = rand(3, 1, 3, 3, seed=7)
    Y = rand(2, 1, 6, 6, seed=8)
    Z = torch.zeros(2, 3, 8, 8, dtype=torch.float64)
    torch.testing.assert_close(conv_energy(Y, K, Z, 0.5), Y.pow(2).sum((1, 2, 3)))
    Z[0, 0, 0, 0] = -2.0
    e = conv_energy(Y, K, Z, 0.5)
    R = Y[0] - synthesize(Z, K)[0]
    assert e[0].item() == pytest.approx(R.pow(2).sum().item() + 0.5 * 2.0)


def test_bad_inputs():
    K = rand(3, 1, 3, 3)
    Y = rand(2, 1, 6, 6)
    with pytest.raises(ValueError, match=r"kernels must have shape \(m, C, k, k\)"):
        correlate(Y, K[0])
    with pytest.raises(ValueError, match="square"):
        correlate(Y, rand(3, 1, 3, 2))
    with pytest.raises(ValueError, match=r"Y must have shape \(N, 1, H, W\)"):
        correlate(rand(2, 3, 6, 6), K)
    with pytest.raises(ValueError, match=r"Z must have shape \(N, 3"):
        synthesize(rand(2, 4, 8, 8), K)
    with pytest.raises(ValueError, match="boundary"):
        correlate(Y, K, "reflect")
    with pytest.raises(TypeError, match="float32 or float64"):
        correlate(Y.int(), K)
    with pytest.raises(TypeError, match="dtype"):
        correlate(Y.float(), K)
    with pytest.raises(ValueError, match=r"Z must have shape \(2, 3, 8, 8\)"):
        conv_energy(Y, K, rand(2, 3, 6, 6), 0.1)
    with pytest.raises(ValueError, match="lam"):
        conv_energy(Y, K, rand(2, 3, 8, 8), -1.0)
