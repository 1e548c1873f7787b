import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

from latentebm.plotting import fig_to_png, show_atoms  # noqa: E402


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
