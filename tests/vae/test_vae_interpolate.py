import torch
from latentebm.vae import VAE


def test_interpolation_endpoints_decode_the_centres():
    torch.manual_seed(0)
    model = VAE(latent_dim=2, hidden=8)
    y = torch.rand(2, 784)
    path = model.interpolate(y[0], y[1], n_steps=5)
    mu, _ = model.encode(y)
    assert path.shape == (5, 784)
    assert torch.allclose(path[[0, -1]], model.decode(mu).detach(), atol=1e-6)
