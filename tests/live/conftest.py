"""Fixtures of the live controls' tests: the two widget back-ends, and reading a control's image."""

from __future__ import annotations

import io

import ipywidgets
import numpy as np
import pytest
from PIL import Image

HAS_STACK = hasattr(ipywidgets, "Stack")  # ipywidgets 8; Colab's stock 7.7.1 has none


@pytest.fixture(params=["ipywidgets-8", "ipywidgets-7"])
def backend(request, monkeypatch):
    """Each control is built with ipywidgets 8 as installed, and as in Colab's ipywidgets 7.7.1.

    Where ipywidgets 8 is installed, 7.7.1 is simulated as tests/test_widgets.py does: its one
    missing feature that a widget of this project could use, ``Stack``, is removed (the live
    controls use none of 8's additions). ``make test-colab`` runs these tests with the real 7.7.1
    (all but test_cells.py, which reads the notebooks' sources and needs nbval).
    """
    if request.param == "ipywidgets-8":
        if not HAS_STACK:
            pytest.skip("ipywidgets 7 installed: the 7.7.1 case runs")
    elif HAS_STACK:
        monkeypatch.delattr(ipywidgets, "Stack")
    return request.param


def png_pixels(png: bytes) -> np.ndarray:
    """The RGBA pixels of a PNG (to compare pictures, not bytes)."""
    png = bytes(png)  # ipywidgets 8 holds an Image's value as a memoryview
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def figure_pixels(fig) -> np.ndarray:
    from latentebm.live.control import figure_png

    return png_pixels(figure_png(fig))
