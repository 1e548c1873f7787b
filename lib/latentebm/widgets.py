"""Precomputed widgets: sliders that switch between pre-rendered figures, with or without a kernel.

``interact``/``observe`` callbacks need a running kernel: in the static book the slider would move
and the figure stay. Here every figure is rendered beforehand into an ``ipywidgets.Image`` inside a
``Stack``, and the slider's index is ``jslink``-ed to the stack's ``selected_index``: the link runs
in the browser, so the widget works live in Jupyter and Colab and in the static page alike.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import ipywidgets as w


def _check_pngs(pngs: Mapping, name: str) -> None:
    if not isinstance(pngs, Mapping) or len(pngs) == 0:
        raise ValueError(f"{name} must be a non-empty dict {{label: png bytes}}")
    for k, v in pngs.items():
        if not isinstance(v, (bytes, bytearray)):
            raise TypeError(f"{name}[{k!r}] must be PNG bytes (see latentebm.plotting.fig_to_png)")


def _image(png: bytes) -> w.Image:
    return w.Image(value=bytes(png), format="png", layout=w.Layout(max_width="100%", height="auto"))


def precomputed_slider(pngs: Mapping, description: str = "value", default=None) -> w.VBox:
    """A slider over labelled values showing one precomputed figure per value.

    Parameters
    ----------
    pngs : dict {label: PNG bytes}, in slider order
        Labels are shown on the slider (``str(label)``).
    description : the slider's label
    default : label shown before any interaction (default: the first)

    Returns
    -------
    ipywidgets.VBox holding the slider and the stack of images.
    """
    _check_pngs(pngs, "pngs")
    labels = list(pngs)
    default = labels[0] if default is None else default
    if default not in pngs:
        raise ValueError(f"default must be one of {labels}, got {default!r}")
    index = labels.index(default)
    stack = w.Stack([_image(pngs[k]) for k in labels], selected_index=index)
    slider = w.SelectionSlider(
        options=[(str(k), i) for i, k in enumerate(labels)],
        index=index,
        description=description,
        continuous_update=True,
        style={"description_width": "initial"},
        layout=w.Layout(width="420px"),
    )
    w.jslink((slider, "index"), (stack, "selected_index"))  # `index` is the synced trait
    return w.VBox([slider, stack])


def precomputed_grid(
    pngs: Mapping, descriptions: tuple[str, str] = ("a", "b"), defaults: tuple | None = None
) -> w.VBox:
    """Two sliders over a grid of precomputed figures, ``pngs[(a, b)]`` for every pair.

    One slider per parameter; each value of the first parameter owns a Stack over the second,
    and an outer Stack over the first parameter holds those — two ``jslink`` calls, no kernel needed.
    The second slider is linked to every inner stack.

    Parameters
    ----------
    pngs : dict {(label_a, label_b): PNG bytes}, covering the full product of both label sets
    descriptions : the two sliders' labels
    defaults : (label_a, label_b) shown first (default: the first of each)
    """
    _check_pngs(pngs, "pngs")
    bad = [k for k in pngs if not isinstance(k, tuple) or len(k) != 2]
    if bad:
        raise ValueError(f"pngs must be keyed by pairs (label_a, label_b), got key {bad[0]!r}")
    if not (isinstance(descriptions, (tuple, list)) and len(descriptions) == 2):
        raise ValueError(f"descriptions must be two slider labels, got {descriptions!r}")
    if defaults is not None and not (isinstance(defaults, (tuple, list)) and len(defaults) == 2):
        raise ValueError(f"defaults must be a pair (label_a, label_b), got {defaults!r}")
    a_labels = list(dict.fromkeys(k[0] for k in pngs))
    b_labels = list(dict.fromkeys(k[1] for k in pngs))
    missing = [p for p in itertools.product(a_labels, b_labels) if p not in pngs]
    if missing:
        raise ValueError(f"pngs must cover every pair of labels; missing {missing[:3]}")
    da, db = defaults if defaults is not None else (a_labels[0], b_labels[0])
    if da not in a_labels or db not in b_labels:
        raise ValueError(f"defaults must be in {a_labels} x {b_labels}, got {(da, db)!r}")
    ia, ib = a_labels.index(da), b_labels.index(db)
    inner = [w.Stack([_image(pngs[(a, b)]) for b in b_labels], selected_index=ib) for a in a_labels]
    outer = w.Stack(inner, selected_index=ia)

    def slider(labels, value, description):
        return w.SelectionSlider(
            options=[(str(k), i) for i, k in enumerate(labels)],
            index=value,
            description=description,
            style={"description_width": "initial"},
            layout=w.Layout(width="420px"),
        )

    sa, sb = slider(a_labels, ia, descriptions[0]), slider(b_labels, ib, descriptions[1])
    w.jslink((sa, "index"), (outer, "selected_index"))
    for stack in inner:
        w.jslink((sb, "index"), (stack, "selected_index"))
    return w.VBox([sa, sb, outer])
