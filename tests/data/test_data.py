import numpy as np
import pytest
import torch
from latentebm.data import data_root, ellipse, mnist, natural_images, natural_patches, whiten_image
from latentebm.data.mnist import CACHE_NAME


def test_mnist_shapes_and_range(device):
    if not (data_root() / CACHE_NAME).exists():
        pytest.skip("MNIST not in the data cache; `python -m latentebm.data fetch` fills it")
    x, y = mnist("test", device=device)
    assert x.device.type == y.device.type == device.type
    assert x.shape == (10000, 1, 28, 28) and x.dtype == torch.float32
    assert x.min() == 0 and x.max() == 1
    assert y.shape == (10000,) and set(y.tolist()) == set(range(10))
    assert y[:5].tolist() == [7, 2, 1, 0, 4]  # the famous first test digits


def test_mnist_missing_or_corrupted_cache_says_how_to_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m latentebm.data fetch"):
        mnist("train", root=tmp_path)
    (tmp_path / CACHE_NAME).write_bytes(b"not an npz")
    with pytest.raises(RuntimeError, match="python -m latentebm.data fetch"):
        mnist("train", root=tmp_path)
    with pytest.raises(ValueError, match="split"):
        mnist("valid", root=tmp_path)


def test_natural_patches_are_whitened_zero_mean():
    P = natural_patches(800, size=8, seed=0)
    assert P.shape == (800, 64) and P.dtype == torch.float32
    assert torch.allclose(P.mean(1), torch.zeros(800), atol=1e-5)
    assert abs(P.std().item() - 1) < 1e-3
    assert torch.equal(P, natural_patches(800, size=8, seed=0))  # deterministic


def test_ellipse():
    y = ellipse(1000, noise=0.0)
    assert y.shape == (1000, 2)
    assert torch.allclose((y[:, 0] / 1.0) ** 2 + (y[:, 1] / 0.5) ** 2, torch.ones(1000), atol=1e-5)
    x, y = ellipse(10, conditional=True)
    assert x.shape == (10, 1) and y.shape == (10, 2)


def band_power_ratio(image):
    """Spectral power at low (0.02-0.05 cycles/px) over mid (0.15-0.25) frequencies."""
    F = np.abs(np.fft.fft2(image - image.mean())) ** 2
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(image.shape[0]), np.fft.fftfreq(image.shape[1]),
                              indexing="ij"))
    low, mid = (f > 0.02) & (f < 0.05), (f > 0.15) & (f < 0.25)
    return F[low].mean() / F[mid].mean()


def test_whitening_flattens_the_spectrum():
    (camera,) = natural_images(("camera",))
    white = whiten_image(camera)
    assert white.shape == camera.shape and abs(white.std() - 1) < 1e-9
    assert band_power_ratio(camera) > 20  # natural images: power falls like 1/f^2
    assert band_power_ratio(white) < 5  # whitened: within a small factor of flat
