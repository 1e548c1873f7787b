"""Figures of the book. ``core`` holds the shared pieces, ``diagram`` the one vocabulary of the
model diagrams; one module per chapter adds its own figures.

Plot helpers take ``ax=None`` (an Axes, or an array of Axes for a figure of several panels), draw,
return what they drew on, and never call ``plt.show()``.
"""

from .core import (
    fig_to_png,
    show_atoms,
    signed_image,
    signed_rgb,
    tile,
    to_numpy,
    use_book_style,
)

__all__ = [
    "use_book_style",
    "to_numpy",
    "signed_image",
    "signed_rgb",
    "tile",
    "show_atoms",
    "fig_to_png",
]
