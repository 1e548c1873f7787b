import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from latentebm.plotting.sparse import (  # noqa: E402
    draw_fista_graph,
    plot_codes,
    plot_decomposition,
    plot_energy_curves,
    plot_gaps,
    plot_shrinkage,
)
from latentebm.sparse import fista, normalize_columns  # noqa: E402


def problem():
    g = torch.Generator().manual_seed(0)
    W = normalize_columns(torch.randn(16, 24, generator=g, dtype=torch.float64))
    Y = torch.randn(3, 16, generator=g, dtype=torch.float64)
    return Y, W, fista(Y, W, 0.5, n_iter=100)


def test_decomposition_panels():
    Y, W, Z = problem()
    k = min(5, int((Z[0] != 0).sum()))
    fig = plot_decomposition(Y[0], W, Z[0], shape=(4, 4), k=5)
    assert len(fig.axes) == 2 * (k + 1)
    # The last partial sum over all atoms is W z, drawn in the top-right panel.
    img = fig.axes[k].images[0].get_array()
    assert np.allclose(img, (W @ Z[0]).reshape(4, 4).numpy())
    plt.close(fig)


def test_codes_shrinkage_graph_and_curves():
    Y, W, Z = problem()
    fig = plot_codes(Y, W, Z, shape=(4, 4), titles=["a", "b", "c"])
    assert len(fig.axes) == 9
    ax = plot_shrinkage((0.5,))
    x, y = ax.lines[1].get_data()
    assert np.allclose(y, np.sign(x) * np.maximum(np.abs(x) - 0.5, 0))
    ax = draw_fista_graph()
    assert any("shrink" in t.get_text() for t in ax.texts)
    gaps = {"a": 1 / np.arange(1, 50.0), "b": 1 / np.arange(1, 50.0) ** 2}
    ax = plot_gaps(gaps)
    assert len(ax.lines) == 4  # two curves, two reference slopes
    ax = plot_energy_curves({"E": np.linspace(3, 1, 10)}, ylim=(0.5, 5))
    assert ax.get_ylim() == (0.5, 5)
    plt.close("all")
