import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from latentebm.plotting.sparse import (  # noqa: E402
    plot_code,
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
    axes = plot_decomposition(Y[0], W, Z[0], shape=(4, 4), k=5)
    assert axes.shape == (2, k + 1) and len(axes[0, 0].figure.axes) == 2 * (k + 1)
    # The last partial sum over all atoms is W z, drawn in the top-right panel.
    img = axes[0, k].images[0].get_array()
    assert np.allclose(img, (W @ Z[0]).reshape(4, 4).numpy())
    lo, hi = img.min(), img.max()
    assert axes[0, k].images[0].get_clim()[1] >= max(-lo, hi)  # one symmetric scale: the signal's
    # Axes given with room for more atoms than the code has: the extra panels stay empty.
    _, given = plt.subplots(2, 30)
    axes = plot_decomposition(Y[0], W, Z[0], shape=(4, 4), k=29, ax=given)
    nnz = int((Z[0] != 0).sum())
    assert [bool(a.images) for a in axes[0]] == [True] * nnz + [False] * (29 - nnz) + [True]
    with pytest.raises(ValueError, match=r"\(2, "):
        plot_decomposition(Y[0], W, Z[0], shape=(4, 4), ax=given[:1])
    plt.close("all")


def test_codes_shrinkage_graph_and_curves():
    Y, W, Z = problem()
    axes = plot_codes(Y, W, Z, shape=(4, 4), titles=["a", "b", "c"])
    assert axes.shape == (3, 3) and [a.get_title() for a in axes[:, 2]] == ["a", "b", "c"]
    _, given = plt.subplots(1, 3)
    assert list(plot_code(Y[0], W, Z[0], (4, 4), ax=given)) == list(given)
    with pytest.raises(ValueError, match="three Axes"):
        plot_code(Y[0], W, Z[0], (4, 4), ax=given[:2])
    ax = plot_shrinkage((0.5,))
    x, y = ax.lines[1].get_data()
    assert np.allclose(y, np.sign(x) * np.maximum(np.abs(x) - 0.5, 0))
    gaps = {"a": 1 / np.arange(1, 50.0), "b": 1 / np.arange(1, 50.0) ** 2}
    ax = plot_gaps(gaps)
    assert len(ax.lines) == 4  # two curves, two reference slopes
    ax = plot_gaps(gaps, bounds={"a": 2 / np.arange(1, 50.0)})
    assert len(ax.lines) == 3  # two curves, one bound, no reference slopes
    assert ax.lines[2].get_color() == ax.lines[0].get_color()
    assert ax.lines[2].get_linestyle() == "--"
    with pytest.raises(ValueError, match="bounds"):
        plot_gaps(gaps, bounds={"c": gaps["a"]})
    ax = plot_energy_curves({"E": np.linspace(3, 1, 10)}, ylim=(0.5, 5))
    assert ax.get_ylim() == (0.5, 5)
    plt.close("all")
