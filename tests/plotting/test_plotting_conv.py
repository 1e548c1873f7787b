import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from latentebm.plotting.conv import (  # noqa: E402
    filter_progression,
    plot_few_labels,
    show_color_kernels,
    show_feature_maps,
    show_filters,
    show_image,
    signed_rgb,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_filters_and_progression_draw_every_model():
    g = torch.Generator().manual_seed(0)
    E, D = torch.randn(4, 1, 5, 5, generator=g), torch.randn(4, 1, 5, 5, generator=g)
    axes = show_filters(E, D, title="m = 4")
    assert [ax.get_title() for ax in axes] == ["m = 4: encoder", "m = 4: decoder"]
    models = {m: (torch.randn(m, 1, 5, 5), torch.randn(m, 1, 5, 5)) for m in (1, 2, 8)}
    axes = filter_progression(models, osi={1: 0.05, 2: 0.5, 8: 0.6}, ncols=4)
    assert axes.shape == (3, 2) and len(axes[0, 0].figure.axes) == 6
    assert axes[0, 0].get_title() == "m = 1 (OSI 0.05): encoder"
    assert axes[2, 1].images[0].get_array().shape == (2 * 6 + 1, 4 * 6 + 1)  # 8 kernels, 4 a row
    _, given = plt.subplots(1, 2)
    assert list(show_filters(E, D, ax=given)) == list(given)
    with pytest.raises(ValueError, match=r"\(m, 1, k, k\)"):
        show_filters(E, D[:2])


def test_feature_maps_pick_the_strongest():
    Z = torch.zeros(6, 10, 10)
    Z[4, 2, 2], Z[1, 5, 5] = 3.0, -2.0
    axes = show_feature_maps(Z, ncols=2)
    assert [ax.get_title() for ax in axes[:2]] == ["map 4", "map 1"]
    with pytest.raises(ValueError, match=r"\(m, H_z, W_z\)"):
        show_feature_maps(torch.zeros(10, 10))


def test_colour_kernels_and_images_are_signed_around_grey():
    x = torch.zeros(3, 2, 2)
    x[0, 0, 0] = 1.0
    rgb = signed_rgb(x)
    assert rgb.shape == (2, 2, 3) and rgb[0, 0, 0] == 1.0 and rgb[1, 1, 0] == 0.5
    ax = show_color_kernels(torch.randn(5, 3, 4, 4), title="kernels")
    assert ax.get_title() == "kernels" and ax.get_images()[0].get_array().shape[-1] == 3
    with pytest.raises(ValueError, match=r"\(m, 3, k, k\)"):
        show_color_kernels(torch.randn(5, 1, 4, 4))
    assert show_image(torch.randn(1, 8, 8), title="grey").get_title() == "grey"


def test_few_labels_plot_shows_mean_and_spread():
    acc = torch.tensor(
        [[[0.5, 0.7], [0.9, 0.9]], [[0.4, 0.4], [0.8, 1.0]]]
    )  # (2 variants, 2 n, 2 seeds)
    res = {"variants": ["sparse", "scratch"], "n_labels": [10, 100], "accuracy": acc}
    ax = plot_few_labels(res)
    means = [bars.lines[0].get_ydata() for bars in ax.containers]  # one errorbar per variant
    assert np.allclose(means[0], [60.0, 90.0]) and np.allclose(means[1], [40.0, 90.0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "sparse encoder, frozen",
        "convnet from scratch",
    ]
    with pytest.raises(ValueError, match=r"must have shape \(2, 3, seeds\)"):
        plot_few_labels({**res, "n_labels": [1, 2, 3]})
