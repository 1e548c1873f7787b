import math

import pytest
import torch
from latentebm.vae import (
    VAE,
    active_dims,
    energy,
    kl_divergence,
    kl_per_dim,
    reconstruction_loss,
    vae_loss,
)


def test_closed_form_kl_equals_monte_carlo(gen):
    # KL(q||p) = E_q[log q(z) - log p(z)], estimated with 400k samples per ball.
    mu = torch.tensor([[0.5, -1.5, 0.0], [2.0, 0.1, -0.3]], dtype=torch.float64)
    logvar = torch.tensor([[0.0, -1.0, 1.2], [-2.0, 0.3, 0.0]], dtype=torch.float64)
    n = 400_000
    eps = torch.randn(n, *mu.shape, generator=gen, dtype=torch.float64)
    z = mu + torch.exp(0.5 * logvar) * eps  # (n, 2, 3)
    log_q = -0.5 * (eps**2 + logvar + math.log(2 * math.pi))
    log_p = -0.5 * (z**2 + math.log(2 * math.pi))
    mc = (log_q - log_p).mean(0)  # (2, 3) per dimension
    assert torch.allclose(kl_per_dim(mu, logvar), mc, atol=0.02)
    assert torch.allclose(kl_divergence(mu, logvar), mc.sum(1), atol=0.03)


def test_kl_is_zero_only_at_the_prior():
    assert kl_divergence(torch.zeros(4, 5), torch.zeros(4, 5)).abs().max() == 0
    assert (kl_divergence(torch.full((1, 2), 0.1), torch.zeros(1, 2)) > 0).all()
    assert (kl_divergence(torch.zeros(1, 2), torch.full((1, 2), -0.1)) > 0).all()


def test_reconstruction_is_summed_bce(gen):
    y = torch.rand(3, 784, generator=gen, dtype=torch.float64)
    logits = torch.randn(3, 784, generator=gen, dtype=torch.float64)
    p = torch.sigmoid(logits)
    expected = -(y * p.log() + (1 - y) * (1 - p).log()).sum(1)
    assert torch.allclose(reconstruction_loss(y, logits), expected)
    assert reconstruction_loss(y.reshape(3, 1, 28, 28), logits).shape == (3,)


def test_loss_reduction_and_beta(gen):
    y = torch.rand(6, 1, 28, 28, generator=gen)
    logits = torch.randn(6, 784, generator=gen)
    mu, logvar = torch.randn(6, 4, generator=gen), torch.randn(6, 4, generator=gen)
    rec = reconstruction_loss(y, logits).mean()
    kl = kl_divergence(mu, logvar).mean()
    out0 = vae_loss(y, logits, mu, logvar, beta=0.0)
    assert torch.allclose(out0.total, rec) and torch.allclose(out0.reconstruction, rec)
    out4 = vae_loss(y, logits, mu, logvar, beta=4.0)
    assert torch.allclose(out4.total, rec + 4 * kl) and torch.allclose(out4.kl, kl)
    assert out4.total.ndim == 0


def test_loss_bad_inputs():
    y = torch.rand(2, 784)
    with pytest.raises(ValueError, match="logvar must have the shape of mu"):
        vae_loss(y, torch.zeros(2, 784), torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(ValueError, match="beta"):
        vae_loss(y, torch.zeros(2, 784), torch.zeros(2, 3), torch.zeros(2, 3), beta=-1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        reconstruction_loss(y * 3, torch.zeros(2, 784))
    with pytest.raises(ValueError, match="784 values per image"):
        reconstruction_loss(torch.rand(2, 100), torch.zeros(2, 784))
    with pytest.raises(ValueError, match="mu has 3 rows"):
        vae_loss(y, torch.zeros(2, 784), torch.zeros(3, 2), torch.zeros(3, 2))


def test_energy_and_active_dims():
    torch.manual_seed(0)
    model = VAE(latent_dim=3, hidden=8)
    y = torch.rand(4, 784)
    e = energy(model, y, beta=1.0, n_samples=4, generator=torch.Generator().manual_seed(0))
    mu, logvar = model.encode(y)
    assert e.shape == (4,) and (e > kl_divergence(mu, logvar)).all()
    e0 = energy(model, y, beta=0.0, n_samples=4, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(e - e0, kl_divergence(mu, logvar).detach(), atol=1e-3)
    mu = torch.tensor([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.001]])
    assert active_dims(mu, torch.zeros(2, 3)) == 1
