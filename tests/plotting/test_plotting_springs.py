import matplotlib
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from latentebm.plotting.springs import draw_springs, plot_flight  # noqa: E402


def test_draw_springs_three_panels():
    axes = draw_springs()
    assert len(axes) == 3 and all(ax.get_xlim() == (-6, 6) for ax in axes)
    with pytest.raises(ValueError, match="axes"):
        draw_springs(axes=plt.subplots(1, 2)[1])
    plt.close("all")


def test_plot_flight_lines_per_beta():
    hist = [(torch.ones(5, 2) * (e + 1), torch.ones(5, 2) / (e + 1)) for e in range(4)]
    axes = plot_flight({0.0: hist, 1.0: hist[:2]})
    assert [len(ax.lines) for ax in axes] == [2, 2, 2]
    ratio = axes[2].lines[0].get_ydata()
    assert ratio.tolist() == pytest.approx([2**0.5 * (e + 1) ** 2 for e in range(4)])
    with pytest.raises(TypeError, match="balls"):
        plot_flight([])
    plt.close("all")
