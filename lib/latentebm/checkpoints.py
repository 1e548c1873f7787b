"""Checkpoints: atomic saves, loads with clear errors, and the book's load-or-train pattern."""

from __future__ import annotations

from pathlib import Path

import torch

from .data.cache import atomic_write

CHECKPOINT_DIR = Path(__file__).parent / "checkpoints"


def path_of(name: str) -> Path:
    """Where the committed checkpoint ``name`` (e.g. ``"mnist_dictionary"``) lives."""
    return CHECKPOINT_DIR / (name if name.endswith(".pt") else f"{name}.pt")


def save(obj, path) -> Path:
    """``torch.save`` to a temporary file, then rename: an interrupted save never corrupts ``path``."""
    path = Path(path)
    atomic_write(path, lambda p: torch.save(obj, p))
    return path


def load(path, map_location=None):
    """Load a checkpoint written by :func:`save` (tensors only; no arbitrary code is unpickled)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as e:
        raise RuntimeError(
            f"checkpoint {path} is unreadable ({e}); delete it and retrain"
        ) from None


def load_or_train(path, train_fn, retrain: bool = False, map_location=None):
    """Load the checkpoint at ``path``; if it is missing (or ``retrain``), call ``train_fn()``,
    save its result atomically, and return it. ``train_fn`` returns tensors / dicts of tensors."""
    path = Path(path)
    if path.exists() and not retrain:
        return load(path, map_location=map_location)
    obj = train_fn()
    save(obj, path)
    return obj
