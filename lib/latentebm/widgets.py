"""Precomputed widgets: sliders that switch between pre-rendered figures, with or without a kernel.

``interact``/``observe`` callbacks need a running kernel: in the static book the slider would move
and the figure stay. Here every figure is rendered beforehand into an ``ipywidgets.Image``.

A notebook calls :func:`slider_over` (one parameter) or :func:`grid_over` (two) with the values and
a function that draws the figure for one value; :func:`precomputed_slider` and
:func:`precomputed_grid` take figures already rendered to PNG bytes.

* With ipywidgets 8 (the book's pinned environment, JupyterLab, Notebook 7) the images sit in a
  ``Stack`` and the slider's index is ``jslink``-ed to the stack's ``selected_index``: the link runs
  in the browser, so the widget works in Jupyter and in the static page alike, with no kernel.
* ipywidgets 7 (Colab's stock runtime ships 7.7.1) has no ``Stack``. There the widget is one
  ``Image`` whose value the slider's observer swaps: it needs the kernel, which Colab always has.
  Nobody has to upgrade ipywidgets (and restart Colab's runtime) to read the book.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterable, Mapping

import ipywidgets as w

from ._checks import positive_int
from .plotting.core import fig_to_png


def _check_pngs(pngs: Mapping, name: str) -> None:
    if not isinstance(pngs, Mapping) or len(pngs) == 0:
        raise ValueError(f"{name} must be a non-empty dict {{label: png bytes}}")
    for k, v in pngs.items():
        if not isinstance(v, (bytes, bytearray)):
            raise TypeError(f"{name}[{k!r}] must be PNG bytes (see latentebm.plotting.fig_to_png)")


def _has_stack() -> bool:
    """ipywidgets >= 8 (``Stack`` is new in 8.0); looked up at each call, so tests can hide it."""
    return hasattr(w, "Stack")


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
    ipywidgets.VBox holding the slider and the stack of images (ipywidgets 8), or the slider and
    one image that the slider's observer updates (ipywidgets 7, no ``Stack``).
    """
    _check_pngs(pngs, "pngs")
    labels = list(pngs)
    default = labels[0] if default is None else default
    if default not in pngs:
        raise ValueError(f"default must be one of {labels}, got {default!r}")
    index = labels.index(default)
    slider = w.SelectionSlider(
        options=[(str(k), i) for i, k in enumerate(labels)],
        index=index,
        description=description,
        continuous_update=True,
        style={"description_width": "initial"},
        layout=w.Layout(width="420px"),
    )
    if _has_stack():
        stack = w.Stack([_image(pngs[k]) for k in labels], selected_index=index)
        w.jslink((slider, "index"), (stack, "selected_index"))  # `index` is the synced trait
        return w.VBox([slider, stack])
    images = [bytes(pngs[k]) for k in labels]
    image = _image(images[index])

    def show(change):
        image.value = images[change["new"]]

    slider.observe(show, names="index")
    return w.VBox([slider, image])


def precomputed_grid(
    pngs: Mapping, descriptions: tuple[str, str] = ("a", "b"), defaults: tuple | None = None
) -> w.VBox:
    """Two sliders over a grid of precomputed figures, ``pngs[(a, b)]`` for every pair.

    One slider per parameter. With ipywidgets 8, each value of the first parameter owns a Stack
    over the second, and an outer Stack over the first parameter holds those: the first slider is
    ``jslink``-ed to the outer stack, the second to every inner stack, no kernel needed. With
    ipywidgets 7 (no ``Stack``) both sliders' observers update one image.

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

    def slider(labels, value, description):
        return w.SelectionSlider(
            options=[(str(k), i) for i, k in enumerate(labels)],
            index=value,
            description=description,
            style={"description_width": "initial"},
            layout=w.Layout(width="420px"),
        )

    sa, sb = slider(a_labels, ia, descriptions[0]), slider(b_labels, ib, descriptions[1])
    if _has_stack():
        inner = [
            w.Stack([_image(pngs[(a, b)]) for b in b_labels], selected_index=ib) for a in a_labels
        ]
        outer = w.Stack(inner, selected_index=ia)
        w.jslink((sa, "index"), (outer, "selected_index"))
        for stack in inner:
            w.jslink((sb, "index"), (stack, "selected_index"))
        return w.VBox([sa, sb, outer])
    image = _image(pngs[(da, db)])

    def show(_change):
        image.value = bytes(pngs[(a_labels[sa.index], b_labels[sb.index])])

    sa.observe(show, names="index")
    sb.observe(show, names="index")
    return w.VBox([sa, sb, image])


def _values(values, name: str) -> list:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence of values, got {type(values).__name__}")
    values = list(values)
    if not values:
        raise ValueError(f"{name} must hold at least one value")
    return values


def _labels(values: list, label: Callable, name: str) -> list[str]:
    if not callable(label):
        raise TypeError(f"label must be a function value -> str, got {type(label).__name__}")
    labels = [label(v) for v in values]
    if not all(isinstance(t, str) for t in labels):
        raise TypeError(f"label must return a str for every value of {name}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"{name} must give distinct labels, got {labels}")
    return labels


def _check_draw(draw) -> None:
    if not callable(draw):
        raise TypeError(f"draw must be a function that draws one figure, got {type(draw).__name__}")


def _png(draw: Callable, args: tuple, dpi: int | None) -> bytes:
    """Draw one figure and render it, naming ``draw`` when it returns nothing drawable."""
    drawn = draw(*args)
    try:
        return fig_to_png(drawn, dpi=dpi)
    except TypeError:
        raise TypeError(
            f"draw{args!r} must return the Figure or Axes it drew on, got {type(drawn).__name__}"
        ) from None


def slider_over(values, draw: Callable, description: str = "value", default=None,
                dpi: int | None = None, label: Callable = str) -> w.VBox:  # fmt: skip
    """A slider over ``values`` showing, for each value, the figure that ``draw(value)`` makes.

    Each figure is drawn once, now, rendered to PNG and closed: the slider then switches pictures
    without calling Python (see :func:`precomputed_slider`, which it builds).

    Parameters
    ----------
    values : sequence of values, in slider order (a dict: its keys)
    draw : function value -> what it drew on (a Figure, an Axes or an array of Axes, as the
        plot helpers return), drawing a new figure at each call
    description : the slider's label
    default : the value shown before any interaction (default: the first)
    dpi : resolution of the rendered figures (default: the book style's)
    label : function value -> the text the slider shows for it (default ``str``)

    Returns
    -------
    The widget (:func:`precomputed_slider`).
    """
    _check_draw(draw)
    values = _values(values, "values")
    labels = _labels(values, label, "values")
    default = values[0] if default is None else default
    if default not in values:
        raise ValueError(f"default must be one of {values}, got {default!r}")
    if dpi is not None:
        dpi = positive_int("dpi", dpi)
    pngs = {t: _png(draw, (v,), dpi) for t, v in zip(labels, values, strict=True)}
    return precomputed_slider(pngs, description, default=labels[values.index(default)])


def grid_over(values_a, values_b, draw: Callable, descriptions: tuple[str, str] = ("a", "b"),
              defaults: tuple | None = None, dpi: int | None = None,
              label: Callable = str) -> w.VBox:  # fmt: skip
    """Two sliders over every pair ``(a, b)`` of ``values_a`` x ``values_b``, showing the figure
    that ``draw(a, b)`` makes (drawn once each, now; see :func:`precomputed_grid`).

    Parameters
    ----------
    values_a, values_b : sequences of values, in slider order
    draw : function (a, b) -> what it drew on (a Figure, an Axes or an array of Axes)
    descriptions : the two sliders' labels
    defaults : (a, b) shown first (default: the first of each)
    dpi : resolution of the rendered figures (default: the book style's)
    label : function value -> the text a slider shows for it (default ``str``)

    Returns
    -------
    The widget (:func:`precomputed_grid`).
    """
    _check_draw(draw)
    values_a, values_b = _values(values_a, "values_a"), _values(values_b, "values_b")
    labels_a = _labels(values_a, label, "values_a")
    labels_b = _labels(values_b, label, "values_b")
    if defaults is None:
        defaults = (values_a[0], values_b[0])
    if not (isinstance(defaults, (tuple, list)) and len(defaults) == 2):
        raise ValueError(f"defaults must be a pair (a, b), got {defaults!r}")
    if defaults[0] not in values_a or defaults[1] not in values_b:
        raise ValueError(f"defaults must be in {values_a} x {values_b}, got {tuple(defaults)!r}")
    if dpi is not None:
        dpi = positive_int("dpi", dpi)
    pngs = {
        (ta, tb): _png(draw, (a, b), dpi)
        for ta, a in zip(labels_a, values_a, strict=True)
        for tb, b in zip(labels_b, values_b, strict=True)
    }
    da, db = labels_a[values_a.index(defaults[0])], labels_b[values_b.index(defaults[1])]
    return precomputed_grid(pngs, descriptions, defaults=(da, db))


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_MODEL_REF = "IPY_MODEL_"


def _references(value) -> set[str]:
    """The model ids a widget's state points at (``"IPY_MODEL_<id>"`` strings, at any depth)."""
    if isinstance(value, str):
        return {value[len(_MODEL_REF) :]} if value.startswith(_MODEL_REF) else set()
    if isinstance(value, dict):
        return set().union(*(_references(v) for v in value.values()))
    if isinstance(value, (list, tuple)):
        return set().union(*(_references(v) for v in value))
    return set()


def _closure(roots: set[str], state: dict) -> set[str]:
    """`roots` with every model of `state` they point at, and every link (jslink) between them."""
    keep, todo = set(), set(roots)
    while todo:
        keep |= todo
        todo = set().union(*(_references(state[m]["state"]) for m in todo if m in state)) - keep
        links = {
            m
            for m, s in state.items()
            if m not in keep and _references(s.get("state", {})) and _references(s["state"]) <= keep
        }
        todo |= links - keep
    return keep & set(state)


def keep_stored_widget_state(model: dict, path: str = "", contents_manager=None, **_) -> None:
    """Jupyter server pre-save hook: never save a notebook with fewer widget states than it shows.

    With "save widget state" on, JupyterLab 4 writes the state of the widgets that live in the
    kernel only. A widget restored from the notebook's stored state (a chapter opened and not
    re-run) is not in the kernel, so saving, or autosaving (opening a notebook with widgets marks
    it modified), drops its state, and the next opening shows nothing where the widget was
    (jupyter-widgets/ipywidgets#3888). This hook puts back, from the file being overwritten, the
    stored state of every widget view the notebook still displays but the new state lacks, with
    the models it depends on. A notebook whose widgets were all re-run is saved unchanged.

    `make venv` turns it on for the project's Jupyter (scripts/lab_settings.py); elsewhere set
    ``c.ContentsManager.pre_save_hook = "latentebm.widgets.keep_stored_widget_state"``.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    nb = model["content"]
    views = {
        out["data"][WIDGET_VIEW]["model_id"]
        for cell in nb.get("cells", [])
        for out in cell.get("outputs", [])
        if WIDGET_VIEW in out.get("data", {})
    }
    widgets = nb.setdefault("metadata", {}).get("widgets") or {}
    new = widgets.get(WIDGET_STATE, {}).get("state", {})
    missing = views - set(new)
    root = getattr(contents_manager, "root_dir", None)
    if not missing or root is None:
        return
    try:
        with open(os.path.join(root, path.lstrip("/")), encoding="utf-8") as f:
            old_widgets = json.load(f).get("metadata", {}).get("widgets", {})
    except (OSError, ValueError):
        return  # a new file, or not JSON: nothing stored to keep
    old = old_widgets.get(WIDGET_STATE, {})
    kept = _closure(missing & set(old.get("state", {})), old.get("state", {}))
    if not kept:
        return
    merged = {
        "version_major": old.get("version_major", 2),
        "version_minor": old.get("version_minor", 0),
        **{k: v for k, v in widgets.get(WIDGET_STATE, {}).items() if k != "state"},
        "state": {**{m: old["state"][m] for m in kept}, **new},
    }
    nb["metadata"]["widgets"] = {**widgets, WIDGET_STATE: merged}
