import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from latentebm.plotting.latent import plot_landscape  # noqa: E402


def test_plot_landscape_draws_energy_data_and_reconstructions():
    F = torch.rand(20, 20)
    ax = plot_landscape(F, 2.0, data=torch.zeros(5, 2), recon=torch.ones(5, 2), title="t")
    assert ax.images[0].get_array().shape == (20, 20) and len(ax.collections) == 2
    assert ax.get_title() == "t"
    plt.close(ax.figure)
    with pytest.raises(ValueError, match=r"F must have shape \(n, n\)"):
        plot_landscape(torch.rand(3, 4))
