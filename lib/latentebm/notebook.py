"""Notebook conveniences: the one-line set-up cell and displaying the library's own source."""

from __future__ import annotations

import inspect

import torch

from ._checks import positive_int
from .device import default_device, seed_everything, set_threads


def setup(seed: int = 0, threads: int | None = None) -> torch.device:
    """Set up a chapter: one torch thread (fast and reproducible), seeds, book figure style.

    Returns the device the chapter runs on (CUDA when available, else CPU).
    """
    if threads is not None:
        threads = positive_int("threads", threads)
    set_threads(threads)
    seed_everything(seed)
    from .plotting import use_book_style

    use_book_style()
    return default_device()


def show_source(obj) -> None:
    """Display the source code of a library object, so text and code cannot drift apart."""
    from IPython.display import Markdown, display

    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj)):
        raise TypeError(f"obj must be a function or class of latentebm, got {type(obj).__name__}")
    src = inspect.getsource(obj)
    module = inspect.getmodule(obj).__name__
    display(Markdown(f"`{module}.{obj.__name__}`:\n\n```python\n{src}```"))
