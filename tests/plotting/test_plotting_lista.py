import matplotlib
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from latentebm.plotting.lista import (  # noqa: E402
    plot_code_comparison,
    plot_out_of_distribution,
    plot_vs_steps,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_curves_and_comparison_figures():
    ax = plot_vs_steps({"LISTA": ([1, 2], [0.5, 0.2]), "FISTA": ([1, 2], [0.9, 0.7])}, hline=0.1)
    assert len(ax.lines) == 3 and ax.get_yscale() == "log"
    g = torch.Generator().manual_seed(0)
    W, Y = torch.randn(16, 8, generator=g), torch.rand(3, 16, generator=g)
    Z = torch.randn(3, 8, generator=g)
    axes = plot_code_comparison(Y, W, {"LISTA-2": Z, "FISTA-2": 0 * Z}, Z, shape=(4, 4))
    assert axes.shape == (3, 4) and len(axes[0, 0].figure.axes) == 3 * 4
    assert axes[0, 0].get_images()[0].get_array().shape == (4, 4)
    assert torch.allclose(torch.tensor(axes[1, 1].get_images()[0].get_array()).ravel(), W @ Z[1])
    with pytest.raises(ValueError, match=r"\(3, 4\) array of Axes"):
        plot_code_comparison(Y, W, {"LISTA-2": Z, "FISTA-2": Z}, Z, shape=(4, 4), ax=axes[:2])
    axes = plot_out_of_distribution(
        {"a": torch.zeros(4, 4), "b": torch.ones(4, 4)},
        {"a": {"LISTA": 0.1, "FISTA": 0.2}, "b": {"LISTA": 0.5, "FISTA": 0.3}},
    )
    assert axes.shape == (3,) and len(axes[-1].patches) == 4
    assert [a.get_title() for a in axes[:2]] == ["a", "b"]
