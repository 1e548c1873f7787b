import pytest
import torch
from latentebm.sparse import energy, shrink


def test_shrink_exact_values():
    x = torch.tensor([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
    assert torch.equal(shrink(x, 1.0), torch.tensor([-2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0]))
    assert torch.equal(shrink(x, 0.0), x)


def test_shrink_is_the_prox_of_l1(gen):
    # shrink(v, t) = argmin_z 1/2||z - v||^2 + t||z||_1: no perturbation does better.
    v = torch.randn(50, dtype=torch.float64, generator=gen)
    t = 0.3
    z = shrink(v, t)
    obj = lambda u: 0.5 * (u - v).pow(2).sum() + t * u.abs().sum()  # noqa: E731
    for _ in range(200):
        d = 1e-3 * torch.randn(50, dtype=torch.float64, generator=gen)
        assert obj(z + d) >= obj(z)


def test_shrink_per_component_threshold_and_errors():
    x = torch.tensor([[2.0, -2.0]])
    assert torch.equal(shrink(x, torch.tensor([1.0, 0.5])), torch.tensor([[1.0, -1.5]]))
    with pytest.raises(ValueError, match="threshold"):
        shrink(x, torch.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="threshold"):
        shrink(x, -1.0)


def test_energy_matches_formula(gen):
    W = torch.randn(5, 7, dtype=torch.float64, generator=gen)
    z = torch.randn(3, 7, dtype=torch.float64, generator=gen)
    y = torch.randn(3, 5, dtype=torch.float64, generator=gen)
    e = energy(y, W, z, 0.5)
    for i in range(3):
        expected = ((y[i] - W @ z[i]) ** 2).sum() + 0.5 * z[i].abs().sum()
        assert torch.allclose(e[i], expected)
    assert e.shape == (3,)
    assert energy(y[0], W, z[0], 0.5).shape == ()


@pytest.mark.parametrize(
    "y_shape, W_shape, z_shape, match",
    [
        ((3, 4), (5, 7), (3, 7), r"y must have shape \(N, 5\)"),
        ((3, 5), (5, 7), (3, 6), r"z must have shape \(3, 7\)"),
        ((3, 5), (5, 7), (2, 7), r"z must have shape \(3, 7\)"),
        ((3, 5), (5,), (3, 7), r"W must have shape \(n, m\)"),
        ((3, 5, 1), (5, 7), (3, 7), r"y must have shape"),
        ((0, 5), (5, 7), (0, 7), r"y is empty"),
    ],
)
def test_energy_rejects_bad_shapes(y_shape, W_shape, z_shape, match):
    with pytest.raises(ValueError, match=match):
        energy(torch.zeros(y_shape), torch.ones(W_shape), torch.zeros(z_shape), 0.1)


def test_energy_rejects_bad_values_and_types():
    y, W, z = torch.zeros(2, 3), torch.ones(3, 4), torch.zeros(2, 4)
    with pytest.raises(ValueError, match="lam"):
        energy(y, W, z, -1.0)
    with pytest.raises(ValueError, match="NaN"):
        energy(y, W.clone().fill_(float("nan")), z, 0.1)
    with pytest.raises(TypeError, match="dtype"):
        energy(y.double(), W, z, 0.1)
    with pytest.raises(TypeError, match="float32 or float64"):
        energy(y, W.int(), z, 0.1)
    with pytest.raises(TypeError, match="torch.Tensor"):
        energy(y.numpy(), W, z, 0.1)
