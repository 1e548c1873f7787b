import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from latentebm.plotting.vae import (  # noqa: E402
    plot_balls,
    plot_latent_grid,
    show_digits,
    vae_panel,
)
from latentebm.vae import VAE  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_balls_are_ellipses_mu_pm_sigma():
    mu = torch.tensor([[1.0, -2.0], [0.0, 0.5]])
    sigma = torch.tensor([[0.5, 0.25], [1.0, 1.0]])
    ax = plot_balls(mu, sigma, torch.tensor([3, 7]), prior=False)
    e = ax.patches[0]
    assert tuple(e.center) == (1.0, -2.0) and (e.width, e.height) == (1.0, 0.5)
    assert len(ax.patches) == 2
    with pytest.raises(ValueError, match="labels"):
        plot_balls(mu, sigma, torch.tensor([1, 2, 3]))


def test_digit_grids_are_black_on_white():
    images = torch.zeros(12, 1, 28, 28)
    images[3, 0, 5, 7] = 1.0  # one black pixel in the fourth digit
    ax = show_digits(images, ncols=5)
    canvas = ax.images[0].get_array()
    assert canvas.shape == (3 * 29 + 1, 5 * 29 + 1)
    assert canvas[1 + 5, 1 + 3 * 29 + 7] == 0.0 and canvas.sum() == canvas.size - 1


def test_latent_grid_and_panel_return_their_axes():
    torch.manual_seed(0)
    model = VAE(latent_dim=2, hidden=8)
    ax = plot_latent_grid(model, n=4)
    assert ax.images[0].get_array().shape == (4 * 28, 4 * 28)
    axes = vae_panel(model, torch.rand(20, 1, 28, 28), torch.arange(20) % 10, n_show=5, title="t")
    assert axes.shape == (3,) and len(axes[0].figure.axes) == 3
    assert len(axes[0].patches) == 20 + 1  # 20 balls and the prior's circle
    assert axes[1].images[0].get_array().shape == (2 * 29 + 1, 5 * 29 + 1)
    _, given = plt.subplots(1, 3)
    small = torch.rand(4, 1, 28, 28)
    assert list(vae_panel(model, small, torch.arange(4), n_show=2, ax=given)) == list(given)
    with pytest.raises(ValueError, match="three Axes"):
        vae_panel(model, torch.rand(4, 1, 28, 28), torch.arange(4), ax=given[:2])
    with pytest.raises(ValueError, match="2-D latent"):
        plot_latent_grid(VAE(latent_dim=3, hidden=8))
    assert np.isfinite(axes[2].images[0].get_array()).all()
