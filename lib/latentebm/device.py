"""Device choice and reproducibility: the only place that picks a device or seeds RNGs."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from ._checks import nonneg_int, positive_int


def default_device() -> torch.device:
    """The device notebooks run on: CUDA when available, else the CPU.

    Library functions never call this: new tensors follow their inputs. Only notebook
    set-up cells and scripts choose a device.
    """
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's, NumPy's and PyTorch's (CPU and CUDA) random number generators.

    Returns a CPU ``torch.Generator`` seeded with ``seed`` for functions that accept one.
    """
    seed = nonneg_int("seed", seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    return torch.Generator().manual_seed(seed)


def set_threads(n: int | None = None) -> int:
    """Fix torch's CPU thread count (default: ``$LATENTEBM_THREADS`` or 1).

    With another process busy, torch's default of one thread per core was measured
    4-70x slower than a single thread on a 2-core machine, and results then vary
    with scheduling. Notebooks and tests call this once so that runs are fast and
    their printed numbers reproducible.
    """
    if n is None:
        env = os.environ.get("LATENTEBM_THREADS", "").strip() or "1"
        if not env.isdigit() or int(env) < 1:
            raise ValueError(f"LATENTEBM_THREADS must be a positive int, got {env!r}")
        n = int(env)
    n = positive_int("n", n)
    torch.set_num_threads(n)
    return n
