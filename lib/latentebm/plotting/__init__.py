"""Figures of the book. ``core`` holds the shared pieces; one module per chapter adds its own.

Plot helpers take ``ax=None``, draw, return the axes (or figure), and never call ``plt.show()``.
"""

from .core import fig_to_png, show_atoms, use_book_style

__all__ = ["use_book_style", "show_atoms", "fig_to_png"]
