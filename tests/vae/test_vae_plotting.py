import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from latentebm.plotting.vae import (  # noqa: E402
    draw_vae_architecture,
    plot_balls,
    plot_latent_grid,
    show_digits,
    vae_panel,
)
from latentebm.vae import VAE  # noqa: E402


def test_balls_are_ellipses_mu_pm_sigma():
    mu = torch.tensor([[1.0, -2.0], [0.0, 0.5]])
    sigma = torch.tensor([[0.5, 0.25], [1.0, 1.0]])
    ax = plot_balls(mu, sigma, torch.tensor([3, 7]), prior=False)
    e = ax.patches[0]
    assert tuple(e.center) == (1.0, -2.0) and (e.width, e.height) == (1.0, 0.5)
    assert len(ax.patches) == 2
    plt.close("all")
    with pytest.raises(ValueError, match="labels"):
        plot_balls(mu, sigma, torch.tensor([1, 2, 3]))


def test_grids_and_panel_shapes():
    torch.manual_seed(0)
    model = VAE(latent_dim=2, hidden=8)
    ax = show_digits(torch.rand(12, 1, 28, 28), ncols=5)
    assert ax.images[0].get_array().shape == (3 * 29 + 1, 5 * 29 + 1)
    ax = plot_latent_grid(model, n=4)
    assert ax.images[0].get_array().shape == (4 * 28, 4 * 28)
    assert len(draw_vae_architecture().patches) >= 10
    fig = vae_panel(model, torch.rand(20, 1, 28, 28), torch.arange(20) % 10, n_show=5)
    assert len(fig.axes) == 3
    plt.close("all")
    with pytest.raises(ValueError, match="2-D latent"):
        plot_latent_grid(VAE(latent_dim=3, hidden=8))


def test_interpolation_endpoints_decode_the_centres():
    torch.manual_seed(0)
    model = VAE(latent_dim=2, hidden=8)
    y = torch.rand(2, 784)
    path = model.interpolate(y[0], y[1], n_steps=5)
    mu, _ = model.encode(y)
    assert path.shape == (5, 784)
    assert torch.allclose(path[[0, -1]], model.decode(mu).detach(), atol=1e-6)
