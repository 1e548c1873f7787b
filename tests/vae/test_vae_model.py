import pytest
import torch
from latentebm.vae import VAE


def test_shapes(device):
    torch.manual_seed(0)
    model = VAE(latent_dim=3, hidden=16).to(device)
    y = torch.rand(5, 1, 28, 28, device=device)
    mu, logvar = model.encode(y)
    assert mu.shape == logvar.shape == (5, 3)
    z = model.reparameterize(mu, logvar)
    assert z.shape == (5, 3) and z.device == y.device
    ybar = model.decode(z)
    assert ybar.shape == (5, 784) and ybar.min() >= 0 and ybar.max() <= 1
    logits, mu2, _ = model(y.reshape(5, 784))
    assert logits.shape == (5, 784) and torch.allclose(mu, mu2)


def test_reparameterize_statistics_and_generator():
    mu = torch.tensor([[1.0, -2.0]]).expand(200_000, 2)
    logvar = torch.tensor([[0.0, 2 * torch.log(torch.tensor(0.5))]]).expand(200_000, 2)
    g = torch.Generator().manual_seed(1)
    z = VAE.reparameterize(mu, logvar, g)
    assert torch.allclose(z.mean(0), torch.tensor([1.0, -2.0]), atol=0.01)
    assert torch.allclose(z.std(0), torch.tensor([1.0, 0.5]), atol=0.01)
    z2 = VAE.reparameterize(mu, logvar, torch.Generator().manual_seed(1))
    assert torch.equal(z, z2)


def test_bad_inputs():
    model = VAE(latent_dim=2, hidden=8)
    with pytest.raises(ValueError, match="784"):
        model.encode(torch.rand(4, 1, 27, 27))
    with pytest.raises(TypeError, match="y must be a torch.Tensor"):
        model.encode([[0.0] * 784])
    with pytest.raises(ValueError, match=r"z must have shape \(N, 2\)"):
        model.decode(torch.zeros(4, 3))
    with pytest.raises(ValueError, match="mu and logvar"):
        model.reparameterize(torch.zeros(4, 2), torch.zeros(4, 3))
    with pytest.raises(ValueError, match="latent_dim"):
        VAE(latent_dim=0)


def test_checkpoint_roundtrip():
    torch.manual_seed(0)
    model = VAE(latent_dim=2, hidden=8)
    y = torch.rand(3, 784)
    for half, tol in ((False, 0.0), (True, 1e-2)):
        again = VAE.from_checkpoint(model.checkpoint(half=half, note=1))
        assert torch.allclose(again.encode(y)[0], model.encode(y)[0], atol=tol, rtol=0)
    assert again.latent_dim == 2 and not again.training
