"""Input validation shared by the public functions: clear errors, no silent broadcasting.

Every check names the argument it refuses; it runs once, at the public face of a function, never
inside an iteration.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np
import torch

FLOAT_DTYPES = (torch.float32, torch.float64)


def as_tensor(name: str, x, *, ndims: tuple[int, ...], shape_doc: str) -> torch.Tensor:
    """Check that ``x`` is a finite, non-empty float32/float64 tensor of one of ``ndims`` ranks."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor of shape {shape_doc}, got {type(x).__name__}"
        )
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name} must be float32 or float64, got {x.dtype}")
    if x.ndim not in ndims:
        raise ValueError(f"{name} must have shape {shape_doc}, got shape {tuple(x.shape)}")
    if x.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}); expected {shape_doc}")
    if not all_finite(x):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def all_finite(x: torch.Tensor) -> bool:
    """Whether every entry of ``x`` is finite, in one reduction for the usual case.

    A sum is finite only if every term is (a NaN or an infinity propagates), so a finite sum proves
    the tensor finite at the cost of one pass; only a non-finite sum (a bad entry, or finite
    entries whose sum overflows) pays for the elementwise test. On a (1000, 784) float32 batch this
    is about 20x cheaper than ``torch.isfinite(x).all()``, which the solvers paid on every call.
    """
    with torch.no_grad():  # (math.isfinite on the read-back: 6x cheaper than torch.isfinite)
        return math.isfinite(float(x.sum())) or bool(torch.isfinite(x).all())


def same_device_dtype(ref_name: str, ref: torch.Tensor, **others: torch.Tensor) -> None:
    """Raise if any tensor in ``others`` lives on another device or has another dtype than ``ref``."""
    for name, t in others.items():
        if t is None:
            continue
        if t.device != ref.device:
            raise ValueError(
                f"{name} is on {t.device} but {ref_name} is on {ref.device}; move them to one device"
            )
        if t.dtype != ref.dtype:
            raise TypeError(
                f"{name} has dtype {t.dtype} but {ref_name} has {ref.dtype}; use one dtype"
            )


def _number(name: str, value) -> float:
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"{name} must be a scalar, got shape {tuple(value.shape)}")
        value = value.item()
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, (str, bytes)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    return float(value)


def nonneg(name: str, value) -> float:
    """A finite, non-negative Python float (for ``lam``, thresholds, tolerances)."""
    value = _number(name, value)
    if not (value >= 0.0) or value == math.inf:
        raise ValueError(f"{name} must be finite and >= 0, got {value}")
    return value


def positive(name: str, value) -> float:
    """A finite Python float > 0 (for learning rates and step sizes: 0 would change nothing)."""
    value = _number(name, value)
    if not (value > 0.0) or value == math.inf:
        raise ValueError(f"{name} must be finite and > 0, got {value}")
    return value


def positive_int(name: str, value) -> int:
    """A Python int >= 1; any integer type (``numpy.int64`` too) but not a bool or a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive int, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def nonneg_int(name: str, value) -> int:
    """A Python int >= 0; any integer type but not a bool or a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= 0, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"{name} must be an int >= 0, got {value!r}")
    return int(value)


def int_list(name: str, values, check: Callable = positive_int) -> list[int]:
    """A non-empty sequence of ints (each checked by ``check``), as a list."""
    if isinstance(values, (str, bytes, torch.Tensor)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of ints, got {type(values).__name__}")
    out = [check(f"{name}[{i}]", v) for i, v in enumerate(values)]
    if not out:
        raise ValueError(f"{name} must not be empty")
    return out


def choice(name: str, value, options) -> str:
    """``value`` if it is one of ``options``, else a ValueError listing them."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value


def generator(name: str, gen) -> torch.Generator | None:
    """``None`` or a ``torch.Generator`` (a seed is not one: ``torch.Generator().manual_seed(s)``)."""
    if gen is not None and not isinstance(gen, torch.Generator):
        raise TypeError(
            f"{name} must be a torch.Generator or None, got {type(gen).__name__} "
            f"(for a seed s, pass torch.Generator().manual_seed(s))"
        )
    return gen


def optimizer_step(opt, diverged: Callable[[str], Exception]) -> None:
    """``opt.step()``; a learning rate so large that the step overflows the parameters' dtype
    (a raw RuntimeError from inside torch) is reported by ``diverged(reason)`` instead."""
    try:
        opt.step()
    except RuntimeError as e:
        if "overflow" not in str(e):
            raise
        raise diverged(f"the optimizer's step overflows ({str(e).splitlines()[0]})") from None


def module(name: str, model, cls: type, what: str | None = None) -> None:
    """Raise a TypeError unless ``model`` is an instance of ``cls`` (``what``: how to call it)."""
    if not isinstance(model, cls):
        raise TypeError(f"{name} must be a {what or cls.__name__}, got {type(model).__name__}")
