import pytest
import torch
from latentebm.latent import KINDS, LatentEBM, prox
from latentebm.latent.regularizers import penalty


def model64(**kw):
    return LatentEBM(**{"latent_dim": 3, "hidden": 8, **kw}).double()


def test_energy_matches_formula(gen):
    m = model64(lam=[0.0, 0.5, 0.7, 0.2, 0.9], regularizer=["none", "l1", "l2", "noisy", "ring"])
    y = torch.randn(5, 2, dtype=torch.float64, generator=gen)
    z = torch.randn(5, 5, 3, dtype=torch.float64, generator=gen)
    E = m.energy(y, z)
    assert E.shape == (5, 5)
    for k in range(5):
        ybar = z[k] @ m.A[k] + torch.tanh(z[k] @ m.W1[k] + m.b1[k]) @ m.W2[k] + m.b2[k]  # (5, 2)
        a, b, c = KINDS[m.kinds[k]]
        R = a * z[k].abs().sum(1) + b * z[k].pow(2).sum(1) + c * (z[k].norm(dim=1) - 1) ** 2
        assert torch.allclose(E[k], (y - ybar).pow(2).sum(1) + m.lam[k] * R)


def test_shapes_and_select(gen):
    m = LatentEBM(4, lam=[0.1, 1.0], regularizer="l1", hidden=8)
    assert m.n_models == 2 and m.decode(torch.zeros(2, 7, 4)).shape == (2, 7, 2)
    assert m.decode(torch.zeros(3, 2, 7, 4)).shape == (3, 2, 7, 2)  # noise samples first
    y, z = torch.randn(7, 2, generator=gen), torch.randn(2, 7, 4, generator=gen)
    one = m.select(1)
    assert one.n_models == 1 and one.kinds == ["l1"] and one.lam.item() == pytest.approx(1.0)
    assert torch.allclose(one.energy(y, z[1:]), m.energy(y, z)[1:])
    back = LatentEBM.from_checkpoint(m.checkpoint())
    assert torch.equal(back.energy(y, z), m.energy(y, z))


def test_gain_is_capped():
    m = LatentEBM(2, max_gain=3.0, hidden=16)
    with torch.no_grad():
        m.W1.mul_(100)
        m.W2.mul_(100)
        m.A.mul_(100)
    m.project_()
    assert torch.linalg.matrix_norm(m.W1, ord=2).item() == pytest.approx(3.0, rel=1e-4)
    assert torch.linalg.matrix_norm(m.W2, ord=2).item() == pytest.approx(1.0, rel=1e-4)
    assert torch.linalg.matrix_norm(m.A, ord=2).item() == pytest.approx(1.0, rel=1e-4)


def test_conditional_model_uses_x(gen):
    m = LatentEBM(2, lam=0.1, x_dim=1, hidden=8)
    y, z = torch.randn(6, 2, generator=gen), torch.randn(1, 6, 2, generator=gen)
    x0, x1 = torch.zeros(6, 1), torch.ones(6, 1)
    assert m.energy(y, z, x0).shape == (1, 6)
    assert not torch.allclose(m.energy(y, z, x0), m.energy(y, z, x1))


@pytest.mark.parametrize("kind", ["l1", "l2", "none", "ring"])
def test_prox_is_optimal(kind, gen):
    lam = torch.tensor([0.7], dtype=torch.float64)
    a, b, c = (torch.tensor([v], dtype=torch.float64) for v in KINDS[kind])
    v = torch.randn(1, 20, 3, dtype=torch.float64, generator=gen)
    t = torch.rand(1, 20, dtype=torch.float64, generator=gen) + 0.1
    z = prox(v, t, lam, a, b, c)

    def obj(u):
        return (u - v).pow(2).sum(-1) / (2 * t) + penalty(u, lam, a, b, c)

    for _ in range(100):
        d = 1e-3 * torch.randn(v.shape, dtype=torch.float64, generator=gen)
        assert (obj(z + d) >= obj(z) - 1e-12).all()


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        (dict(lam=-1.0), ValueError, "lam must be finite and >= 0"),
        (dict(regularizer="l3"), ValueError, "regularizer must be one of"),
        (dict(lam=[0.1, 0.2], regularizer=["l1", "l2", "l1"]), ValueError, "list of 3 values"),
        (dict(latent_dim=0), ValueError, "latent_dim must be a positive int"),
        (dict(x_dim=-1), ValueError, "x_dim must be an int >= 0"),
    ],
)
def test_bad_constructor_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        LatentEBM(**{"latent_dim": 2, **kwargs})


def test_bad_energy_inputs():
    m = LatentEBM(3, lam=[0.1, 0.2])
    y, z = torch.zeros(5, 2), torch.zeros(2, 5, 3)
    with pytest.raises(ValueError, match=r"y must have shape \(N, 2\)"):
        m.energy(torch.zeros(5, 3), z)
    with pytest.raises(ValueError, match=r"z must have shape \(2, 5, 3\)"):
        m.energy(y, torch.zeros(5, 3))
    with pytest.raises(TypeError, match="y must be a torch.Tensor"):
        m.energy([[0.0, 0.0]], z)
    with pytest.raises(TypeError, match="y must be torch.float32"):
        m.energy(y.double(), z)
    with pytest.raises(ValueError, match="unconditional"):
        m.energy(y, z, torch.zeros(5, 1))
    with pytest.raises(ValueError, match=r"x of shape \(N, 1\) is required"):
        LatentEBM(3, x_dim=1).energy(y, z[:1])


def test_sin_features_and_bounded_decoder(gen):
    m = LatentEBM(3, lam=[0.1, 0.2], features="sin", linear=False, hidden=8).double()
    assert m.A is None and "A" not in m.state_dict()
    z = torch.randn(2, 5, 3, dtype=torch.float64, generator=gen)
    expect = torch.sin(z @ m.W1 + m.b1) @ m.W2 + m.b2
    assert torch.allclose(m.decode(z), expect)
    # bounded: |Dec(z)| <= ||W2||_2 sqrt(H) + |b2| for every z, however large
    big = 1e3 * z
    bound = torch.linalg.matrix_norm(m.W2, ord=2) * 8**0.5 + m.b2.norm(dim=-1)[:, 0]
    assert (m.decode(big).norm(dim=-1) <= bound[:, None] + 1e-9).all()
    back = LatentEBM.from_checkpoint(m.checkpoint())
    assert (
        back.features == "sin"
        and not back.linear
        and torch.allclose(back.decode(z.float()), m.float().decode(z.float()))
    )
    with pytest.raises(ValueError, match="features must be one of"):
        LatentEBM(2, features="relu")


def test_ring_prox_pulls_towards_the_unit_sphere(gen):
    lam, t = torch.tensor([1.0, 1.0]), torch.full((2, 3), 0.5)
    a, b, c = torch.zeros(2), torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.0])
    v = torch.tensor([[[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]]]).expand(2, 3, 2).clone()
    z = prox(v, t, lam, a, b, c)
    # ring (model 0): norm (r + 1) / 2 along v; at v = 0 a point of norm 1/2 on the first axis
    assert torch.allclose(z[0].norm(dim=1), torch.tensor([3.0, 0.75, 0.5]))
    assert torch.allclose(z[0, 0], torch.tensor([1.8, 2.4])) and torch.allclose(
        z[0, 2], torch.tensor([0.5, 0.0])
    )
    assert torch.allclose(z[1], v[1] / 2)  # L2^2 (model 1): the shrinking factor 1 / (1 + 2t)
    assert torch.equal(prox(v, t, lam, a, b), v / torch.tensor([1.0, 2.0])[:, None, None])
    with pytest.raises(ValueError, match="a and c"):
        prox(v, t, lam, torch.ones(2), b, c)
    with pytest.raises(ValueError, match=r"c must have shape \(2,\)"):
        prox(v, t, lam, a, b, torch.ones(3))


def test_ring_checkpoints_and_old_checkpoints_load():
    m = LatentEBM(2, lam=[1.0, 1.0], regularizer=["ring", "l2"], hidden=8)
    assert m.c.tolist() == [1.0, 0.0] and "c" not in m.state_dict()  # set by the kinds
    back = LatentEBM.from_checkpoint(m.checkpoint())
    assert back.kinds == ["ring", "l2"] and torch.equal(back.c, m.c)
    assert back.select(0).c.tolist() == [1.0]
    z = torch.tensor([[[0.6, 0.8]], [[0.6, 0.8]]])
    assert m.penalty(z)[:, 0].tolist() == pytest.approx(
        [0.0, 1.0]
    )  # the unit circle is free for "ring"
