"""The one vocabulary of the book's model diagrams (the notation page shows it).

* an **observed** variable (y, x) is a shaded circle;
* a **latent** variable (z, and the noise ε of the VAE) is a white circle;
* a **deterministic function** (Pred, Dec, an encoder, shrink, a sum "+" or a product "×") is a
  blue box with rounded corners;
* an **energy term** (C(y, ȳ), λR(z), the KL of the VAE) is a red box with square corners; the
  energy is the sum of the red boxes;
* an arrow carries a value from one element to the next; a value that a function computes (ȳ, h,
  z̄) is written beside its arrow.

Every diagram of :mod:`latentebm.plotting` is drawn with these few functions, in data units on an
Axes from :func:`canvas` (equal aspect, no frame). :func:`node`, :func:`box` and :func:`op` return
their patch; :func:`arrow` goes from one patch (or point) to another and stops at their edges.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from .._checks import choice, positive

OBSERVED, LATENT = "0.80", "white"  # circle fills: shaded = observed, white = latent
FUNCTION, ENERGY = "#cfe2f3", "#f4cccc"  # box fills: blue = deterministic, red = energy term
EDGE, TEXT = "0.15", "0.15"
NODE_KINDS = {"observed": OBSERVED, "latent": LATENT}
BOX_KINDS = {"function": FUNCTION, "energy": ENERGY}


def canvas(width: float, height: float, ax=None, figsize: tuple[float, float] | None = None):
    """An empty drawing area ``width`` x ``height`` diagram units wide (equal aspect, no axes).

    Without ``ax``, a new figure of ``figsize`` inches (default: 0.8 inch per unit). Returns the
    Axes.
    """
    width, height = positive("width", width), positive("height", height)
    if ax is None:
        _, ax = plt.subplots(figsize=figsize or (0.8 * width, 0.8 * height))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def node(ax, xy, text: str, kind: str = "latent", r: float = 0.32, fontsize: float = 12):
    """A variable: a circle of radius ``r`` at ``xy``, shaded when ``kind="observed"``, white
    when ``kind="latent"``. Returns the Circle."""
    fill = NODE_KINDS[choice("kind", kind, NODE_KINDS)]
    patch = ax.add_patch(Circle(xy, positive("r", r), fc=fill, ec=EDGE, lw=1.2, zorder=2))
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, color=TEXT, zorder=3)
    return patch


def box(ax, xy, text: str, kind: str = "function", w: float = 1.3, h: float = 0.6,
        fontsize: float = 10):  # fmt: skip
    """A deterministic function (``kind="function"``: blue, rounded corners) or an energy term
    (``kind="energy"``: red, square corners), ``w`` x ``h`` centred at ``xy``. Returns the patch.
    """
    fill = BOX_KINDS[choice("kind", kind, BOX_KINDS)]
    w, h = positive("w", w), positive("h", h)
    rounding = min(0.15, 0.3 * min(w, h))
    style = f"round,pad=0,rounding_size={rounding}" if kind == "function" else "square,pad=0"
    x, y = xy
    patch = ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=style, fc=fill,
                                        ec=EDGE, lw=1.2, zorder=2))  # fmt: skip
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=TEXT, zorder=3)
    return patch


def op(ax, xy, symbol: str = "+", size: float = 0.4):
    """A small function box holding one operator: a sum ``"+"``, a product ``"×"``. Returns the
    patch."""
    size = positive("size", size)
    return box(ax, xy, symbol, "function", w=size, h=size, fontsize=13)


def _center(shape, name: str = "end") -> tuple[float, float]:
    if isinstance(shape, Circle):
        return tuple(shape.center)
    if isinstance(shape, FancyBboxPatch):
        return (shape.get_x() + shape.get_width() / 2, shape.get_y() + shape.get_height() / 2)
    try:
        x, y = shape
        return float(x), float(y)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a point (x, y) or a patch of node/box/op, got {shape!r}"
        ) from None


def _edge(shape, toward: tuple[float, float]) -> tuple[float, float]:
    """Where the straight line from the centre of ``shape`` to ``toward`` leaves the shape."""
    cx, cy = _center(shape)
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    if isinstance(shape, Circle):
        s = shape.radius / math.hypot(dx, dy)
    elif isinstance(shape, FancyBboxPatch):
        hw, hh = shape.get_width() / 2, shape.get_height() / 2
        s = min(hw / abs(dx) if dx else math.inf, hh / abs(dy) if dy else math.inf)
    else:
        return cx, cy
    return cx + s * dx, cy + s * dy


def arrow(ax, start, end, text: str | None = None, offset: tuple[float, float] | None = None,
          rad: float = 0.0, dashed: bool = False, via=(), fontsize: float = 10):  # fmt: skip
    """An arrow from ``start`` to ``end`` (each a point or a patch of :func:`node`, :func:`box`,
    :func:`op`; at a patch the arrow stops at its edge), bent by ``rad`` (0: straight) or routed
    through the corner points ``via``, with ``text`` (the value it carries) beside the middle of
    its last segment, moved by ``offset`` (default: above a horizontal arrow, right of a vertical
    one). Returns the arrow patch (the head's segment)."""
    start_xy, end_xy = _center(start, "start"), _center(end, "end")
    via = [_center(p, "via") for p in via]
    a = _edge(start, via[0] if via else end_xy)
    b = _edge(end, via[-1] if via else start_xy)
    ls = "--" if dashed else "-"
    if via:
        xs, ys = zip(a, *via, strict=False)
        ax.plot(xs, ys, color=EDGE, lw=1.2, ls=ls, zorder=1, solid_capstyle="butt")
        a = via[-1]
    patch = ax.add_patch(FancyArrowPatch(
        a, b, arrowstyle="-|>", mutation_scale=13, lw=1.2, color=EDGE, shrinkA=0, shrinkB=1,
        connectionstyle=f"arc3,rad={rad}", ls=ls, zorder=1,
    ))  # fmt: skip
    if text:
        horizontal = abs(b[0] - a[0]) >= abs(b[1] - a[1])
        if offset is None:
            offset = (0.0, 0.08) if horizontal else (0.1, 0.0)
        ha, va = ("center", "bottom") if horizontal else ("left", "center")
        ax.text((a[0] + b[0]) / 2 + offset[0], (a[1] + b[1]) / 2 + offset[1], text, ha=ha, va=va,
                fontsize=fontsize, color=TEXT)  # fmt: skip
    return patch


def draw_convention(ax=None):
    """The legend of every diagram of the book: observed and latent variables, a deterministic
    function, an energy term. Returns the Axes."""
    ax = canvas(9.6, 1.6, ax=ax, figsize=(7.2, 1.2))
    items = [
        (lambda xy: node(ax, xy, "$y$", "observed"), "observed variable"),
        (lambda xy: node(ax, xy, "$z$", "latent"), "latent variable"),
        (lambda xy: box(ax, xy, "Dec", "function", w=1.0), "deterministic function"),
        (lambda xy: box(ax, xy, r"$C(y, \bar y)$", "energy", w=1.2), "energy term"),
    ]
    for i, (draw, name) in enumerate(items):
        x = 1.2 + 2.4 * i
        draw((x, 1.05))
        ax.text(x, 0.3, name, ha="center", va="center", fontsize=9, color=TEXT)
    return ax
