import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from latentebm.plotting import (  # noqa: E402
    fig_to_png,
    show_atoms,
    signed_image,
    signed_rgb,
    tile,
    to_numpy,
)


def test_show_atoms_grid_and_symmetric_limits():
    W = torch.randn(16, 10)
    ax = show_atoms(W, (4, 4), ncols=5)
    im = ax.images[0]
    lo, hi = im.get_clim()
    assert lo == -hi  # signed atoms: symmetric colour limits
    assert im.get_array().shape == (2 * 5 + 1, 5 * 5 + 1)  # 2 rows x 5 cols of 4x4 with 1px pads
    png = fig_to_png(ax.figure)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_show_atoms_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"W must have shape \(16, m\)"):
        show_atoms(np.zeros((15, 3)), (4, 4))


def test_to_numpy_takes_tensors_arrays_and_numbers():
    t = torch.arange(6, dtype=torch.float64, requires_grad=True).reshape(2, 3)
    a = to_numpy(t * 2)
    assert a.dtype == np.float32 and a.shape == (2, 3) and a[1, 2] == 10.0
    assert to_numpy(torch.tensor([1, 2]), dtype=np.float64).dtype == np.float64
    assert to_numpy([[0.5, 1]]).tolist() == [[0.5, 1.0]]
    assert to_numpy(torch.ones(2, dtype=torch.bfloat16)).tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="x must be"):
        to_numpy("0.5")


def test_signed_image_is_centred_on_zero():
    ax = signed_image(torch.tensor([[-1.0, 0.5], [0.0, 2.0]]), title="t")
    im = ax.images[0]
    assert im.get_clim() == (-2.0, 2.0) and im.get_cmap().name == "RdBu_r" and ax.get_title() == "t"
    ax = signed_image(np.ones((1, 3, 3)), vmax=4.0, cmap="gray")
    assert ax.images[0].get_clim() == (-4.0, 4.0) and ax.images[0].get_cmap().name == "gray"
    rgb = signed_image(torch.stack([torch.ones(2, 2), -torch.ones(2, 2), torch.zeros(2, 2)]))
    assert rgb.images[0].get_array()[0, 0].tolist() == [1.0, 0.0, 0.5]  # + red, - green, 0 grey
    assert np.allclose(signed_rgb(torch.zeros(3, 1, 1)), 0.5)
    with pytest.raises(ValueError, match=r"\(H, W\)"):
        signed_image(np.zeros((2, 3, 3)))
    plt.close("all")


def test_tile_lays_images_out_in_rows():
    canvas = tile(np.arange(3 * 4).reshape(3, 2, 2), ncols=2, pad=1)
    assert canvas.shape == (2 * 3 + 1, 2 * 3 + 1)
    assert canvas[4:6, 1:3].tolist() == [[8, 9], [10, 11]]  # third image: second row, first column
    assert np.isnan(canvas[4:6, 4:6]).all() and np.isnan(canvas[0]).all()  # gaps and empty slot
    assert tile(np.zeros((2, 1, 1, 3)), ncols=2, pad=0, fill=1.0).shape == (1, 2, 3)
    with pytest.raises(ValueError, match="images must have shape"):
        tile(np.zeros((4, 4)), ncols=2)


def test_fig_to_png_takes_what_the_helpers_return():
    _, axes = plt.subplots(1, 2)
    assert fig_to_png(axes, dpi=20)[:8] == b"\x89PNG\r\n\x1a\n"
    assert plt.get_fignums() == []  # closed
    _, ax = plt.subplots()
    assert fig_to_png(ax, dpi=20)[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(TypeError, match="fig must be"):
        fig_to_png([1, 2])
