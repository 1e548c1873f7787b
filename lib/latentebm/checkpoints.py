"""Checkpoints: atomic saves, verified loads with clear errors, the load-or-train pattern, and a
compact storage of sparse codes.

What :func:`save` writes, :func:`load` can read back: tensors, numbers, strings, ``None`` and
dicts/lists/tuples of them, nothing that a weights-only ``torch.load`` would refuse, no NaN or
infinite value in a floating tensor. The committed checkpoints (``lib/latentebm/checkpoints/``,
each written by a recipe of :mod:`latentebm.chapters`) are listed with their sha256 in
``checkpoints/SHA256SUMS`` (the format of ``sha256sum``): a load from that folder refuses a file
that does not match. A save into that folder (a retraining by :func:`load_or_train`, e.g. through
``latentebm.chapters.load(name, retrain=True)`` or ``python -m latentebm.chapters train NAME``)
updates the list in the same step:

1. the new digest is added beside the old one (both accepted),
2. the checkpoint is renamed into place (atomically),
3. the old digest is dropped,

so a process killed at any point leaves a checkpoint that matches the list. Commit the list with
the checkpoint; ``tests/test_checkpoints.py`` fails when they disagree.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import pickle
import re
from collections import OrderedDict
from pathlib import Path

import torch

try:
    import fcntl
except ImportError:  # Windows: no lock between processes
    fcntl = None

from ._checks import as_tensor, positive_int
from .data.cache import _as_path, clean_stale_temporaries, write_bytes

CHECKPOINT_DIR = Path(__file__).parent / "checkpoints"
MANIFEST = CHECKPOINT_DIR / "SHA256SUMS"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LEAVES = (int, float, bool, str, type(None))


def path_of(name: str) -> Path:
    """Where the committed checkpoint ``name`` (e.g. ``"mnist_dictionary"``) lives."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"name must be a checkpoint name such as 'mnist_dictionary', got {name!r}")
    return CHECKPOINT_DIR / (name if name.endswith(".pt") else f"{name}.pt")


def _managed(path: Path) -> bool:
    """Whether ``path`` is in the committed checkpoint folder (verified against the manifest)."""
    try:
        return path.resolve().parent == CHECKPOINT_DIR.resolve()
    except OSError:
        return False


def read_manifest() -> dict[str, set[str]]:
    """``{file name: {sha256, ...}}`` from ``SHA256SUMS`` (two digests only mid-save)."""
    sums: dict[str, set[str]] = {}
    if MANIFEST.exists():
        for line in MANIFEST.read_text().splitlines():
            if line.strip():
                digest, name = line.split(maxsplit=1)
                sums.setdefault(name.lstrip("*"), set()).add(digest)
    return sums


def _write_manifest(sums: dict[str, set[str]]) -> None:
    lines = [f"{d}  {name}\n" for name in sorted(sums) for d in sorted(sums[name])]
    write_bytes(MANIFEST, "".join(lines).encode())


@contextlib.contextmanager
def _manifest_lock():
    """An exclusive lock on the manifest between processes (POSIX; nothing elsewhere)."""
    if fcntl is None:  # Windows
        yield
        return
    with open(CHECKPOINT_DIR / ".SHA256SUMS.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _first_line(e: BaseException) -> str:
    """The informative line of an exception's message, without ANSI escapes."""
    text = _ANSI.sub("", str(e))
    if "WeightsUnpickler error:" in text:
        text = text.split("WeightsUnpickler error:", 1)[1]
        return next((ln.strip().split(". ")[0] for ln in text.splitlines() if ln.strip()), "")
    return (text.strip().splitlines() or [type(e).__name__])[0][:200]


def _check_storable(obj, where: str = "obj") -> None:
    """Raise a TypeError naming the first entry of ``obj`` that a weights-only load would refuse,
    a ValueError naming a floating tensor with NaN or infinite values."""
    if isinstance(obj, torch.Tensor):
        if type(obj) not in (torch.Tensor, torch.nn.Parameter):
            raise TypeError(f"{where} is a {type(obj).__name__}; store a plain tensor (.data)")
        if obj.is_floating_point() or obj.is_complex():
            with torch.no_grad():
                if not bool(torch.isfinite(obj).all()):
                    raise ValueError(f"{where} holds NaN or infinite values; not saved")
        return
    if type(obj) in (dict, OrderedDict):
        for k, v in obj.items():
            if type(k) not in _LEAVES:
                raise TypeError(f"{where} has a key of type {type(k).__name__}; use str keys")
            _check_storable(v, f"{where}[{k!r}]")
        return
    if type(obj) in (list, tuple):
        for i, v in enumerate(obj):
            _check_storable(v, f"{where}[{i}]")
        return
    if type(obj) not in _LEAVES:
        hint = " (convert it with float() / int() / .tolist())" if hasattr(obj, "item") else ""
        raise TypeError(
            f"{where} is a {type(obj).__module__}.{type(obj).__name__}, which a weights-only "
            f"load refuses{hint}; store tensors, numbers, strings and dicts/lists of them"
        )


def serialize(obj) -> bytes:
    """The bytes :func:`save` writes, after checking that a weights-only load reads them back."""
    _check_storable(obj)
    buf = io.BytesIO()
    torch.save(obj, buf)
    data = buf.getvalue()
    try:  # the load that matters: the reader's, weights only (any version-specific refusal)
        torch.load(io.BytesIO(data), weights_only=True)
    except Exception as e:
        raise TypeError(
            f"obj cannot be read back with weights_only=True ({_first_line(e)})"
        ) from None
    return data


def save(obj, path) -> Path:
    """Write ``obj`` to ``path`` atomically (a temporary file, synced, then renamed), after checking
    that :func:`load` will read it back; into the committed folder, update ``SHA256SUMS`` too.

    ``obj``: tensors (finite), numbers, strings, ``None``, and dicts/lists/tuples of them. Anything
    else (a NumPy array or scalar, a module, a slice) raises a TypeError naming its key."""
    path = _as_path("path", path)
    data = serialize(obj)
    if not _managed(path):
        write_bytes(path, data)
        return path
    digest = hashlib.sha256(data).hexdigest()
    with _manifest_lock():
        sums = read_manifest()
        sums[path.name] = sums.get(path.name, set()) | {digest}  # 1. both digests accepted
        _write_manifest(sums)
        write_bytes(path, data)  # 2. the checkpoint, atomically
        sums[path.name] = {digest}  # 3. only the new one
        _write_manifest(sums)
    return path


def _check_finite(obj, where: str) -> str | None:
    """The key of the first floating tensor with NaN or infinite values in ``obj``, or None."""
    if isinstance(obj, torch.Tensor):
        if (obj.is_floating_point() or obj.is_complex()) and not bool(torch.isfinite(obj).all()):
            return where
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if (bad := _check_finite(v, f"{where}[{k!r}]")) is not None:
                return bad
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            if (bad := _check_finite(v, f"{where}[{i}]")) is not None:
                return bad
    elif isinstance(obj, float) and not math.isfinite(obj):
        return None  # a number (a ratio, a loss) may be NaN; weights may not
    return None


def load(path, map_location=None):
    """Load a checkpoint written by :func:`save` (tensors only; no arbitrary code is unpickled).

    A committed checkpoint must match its sha256 in ``SHA256SUMS``; no checkpoint may hold NaN or
    infinite weights. Every refusal is a one-line RuntimeError that says how to fix it."""
    path = _as_path("path", path)
    clean_stale_temporaries(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    if not path.is_file():
        raise ValueError(f"path={str(path)!r} is a folder, not a checkpoint file")
    data = path.read_bytes()
    retrain = "delete it and retrain it (load_or_train(..., retrain=True))"
    if _managed(path):
        digest = hashlib.sha256(data).hexdigest()
        expected = read_manifest().get(path.name)
        restore = (
            f"restore it (git checkout -- lib/latentebm/checkpoints/{path.name}, or reinstall "
            f"latentebm) or retrain it (load_or_train(..., retrain=True) updates {MANIFEST.name})"
        )
        if expected is None:
            raise RuntimeError(
                f"checkpoint {path} is not listed in {MANIFEST}: it was not written by "
                f"latentebm.checkpoints.save; {restore}"
            )
        if digest not in expected:
            raise RuntimeError(
                f"checkpoint {path} does not match its sha256 in {MANIFEST} (sha256 "
                f"{digest[:16]}..., expected {sorted(expected)[0][:16]}...): it was modified or "
                f"damaged; {restore}"
            )
    try:
        obj = torch.load(io.BytesIO(data), map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        if "Unsupported global" not in str(e):  # not a refused object: a damaged file
            raise RuntimeError(
                f"checkpoint {path} is unreadable ({_first_line(e)}); {retrain}"
            ) from None
        raise RuntimeError(
            f"checkpoint {path} holds objects that a weights-only load refuses ({_first_line(e)}): "
            f"latentebm.checkpoints.save did not write it, or it was tampered with; do not load it "
            f"with weights_only=False, {retrain}"
        ) from None
    except Exception as e:
        raise RuntimeError(
            f"checkpoint {path} is unreadable ({_first_line(e)}); {retrain}"
        ) from None
    bad = _check_finite(obj, "ckpt")
    if bad is not None:
        raise RuntimeError(f"checkpoint {path} holds NaN or infinite weights in {bad}; {retrain}")
    return obj


def load_or_train(path, train_fn, retrain: bool = False, map_location=None):
    """Load the checkpoint at ``path``; if it is missing (or ``retrain``), call ``train_fn()``,
    save its result atomically (see :func:`save`), and return it. ``train_fn`` returns tensors /
    dicts of tensors and numbers."""
    path = _as_path("path", path)
    if not callable(train_fn):
        raise TypeError(
            f"train_fn must be a callable with no arguments, got {type(train_fn).__name__}"
        )
    if not isinstance(retrain, bool):
        raise TypeError(f"retrain must be a bool, got {type(retrain).__name__}")
    if path.exists() and not retrain:
        return load(path, map_location=map_location)
    obj = train_fn()
    save(obj, path)
    return obj


def sparse_codes(z: torch.Tensor) -> dict:
    """Codes (N, m) as a small dict for checkpoints: flat ``index`` (int32) and ``value`` (float32)
    of the non-zeros, and ``shape``. :func:`dense_codes` inverts it."""
    z = as_tensor("z", z, ndims=(2,), shape_doc="(N, m)")
    flat = z.detach().reshape(-1).cpu()
    index = torch.nonzero(flat).reshape(-1)
    return {"index": index.int(), "value": flat[index].float(), "shape": list(z.shape)}


def dense_codes(d: dict) -> torch.Tensor:
    """The (N, m) float32 matrix stored by :func:`sparse_codes`."""
    if not isinstance(d, dict):
        raise TypeError(f"d must be the dict of sparse_codes, got {type(d).__name__}")
    missing = {"index", "value", "shape"} - set(d)
    if missing:
        raise ValueError(f"d is not a sparse_codes dict: missing {sorted(missing)}")
    if not isinstance(d["index"], torch.Tensor) or not isinstance(d["value"], torch.Tensor):
        raise TypeError("d['index'] and d['value'] must be tensors")
    shape = [positive_int(f"d['shape'][{i}]", s) for i, s in enumerate(d["shape"])]
    if len(shape) != 2 or d["index"].shape != d["value"].shape or d["index"].ndim != 1:
        raise ValueError("d must hold a 2-D shape and one index per value")
    if len(d["index"]) and (int(d["index"].min()) < 0 or int(d["index"].max()) >= math.prod(shape)):
        raise ValueError(f"d['index'] must lie in [0, {math.prod(shape)}) for shape {shape}")
    z = torch.zeros(math.prod(d["shape"]))
    z[d["index"].long()] = d["value"]
    return z.reshape(d["shape"])
