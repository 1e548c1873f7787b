import json
from types import SimpleNamespace

import ipywidgets
import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from latentebm import widgets  # noqa: E402
from latentebm.widgets import grid_over, precomputed_grid, precomputed_slider, slider_over  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"  # content is not inspected
HAS_STACK = hasattr(ipywidgets, "Stack")  # ipywidgets 8; Colab's stock 7.7.1 has none


@pytest.fixture
def no_stack(monkeypatch):
    """ipywidgets 7 as Colab ships it: no ``Stack`` (in the Colab-like environment, nothing to do)."""
    if HAS_STACK:
        monkeypatch.delattr(ipywidgets, "Stack")
    assert not widgets._has_stack()


@pytest.mark.skipif(not HAS_STACK, reason="ipywidgets 7: no Stack (the kernel-driven tests run)")
def test_slider_links_index_to_stack_and_shows_default():
    box = precomputed_slider(
        {"a": PNG + b"1", "b": PNG + b"2", "c": PNG + b"3"}, "lam", default="b"
    )
    slider, stack = box.children
    assert isinstance(stack, ipywidgets.Stack)
    assert slider.index == 1 and stack.selected_index == 1
    assert [c.value for c in stack.children] == [PNG + b"1", PNG + b"2", PNG + b"3"]
    assert [o for o, _ in slider.options] == ["a", "b", "c"]


@pytest.mark.skipif(not HAS_STACK, reason="ipywidgets 7: no Stack (the kernel-driven tests run)")
def test_grid_covers_product_and_defaults():
    pngs = {(a, b): PNG for a in (0, 1, 2) for b in ("x", "y")}
    box = precomputed_grid(pngs, ("a", "b"), defaults=(2, "y"))
    sa, sb, outer = box.children
    assert isinstance(outer, ipywidgets.Stack)
    assert sa.index == 2 and sb.index == 1 and outer.selected_index == 2
    assert all(inner.selected_index == 1 for inner in outer.children)


def test_slider_without_stack_swaps_the_image_in_the_kernel(no_stack):
    pngs = {"a": PNG + b"1", "b": PNG + b"2", "c": PNG + b"3"}
    box = precomputed_slider(pngs, "lam", default="b")
    slider, image = box.children
    assert isinstance(image, ipywidgets.Image) and len(box.children) == 2
    assert slider.index == 1 and image.value == PNG + b"2"
    assert [o for o, _ in slider.options] == ["a", "b", "c"]
    for i, label in enumerate(pngs):
        slider.index = i
        assert image.value == pngs[label]
    slider.value = 0  # what the front end sends when the reader drags to the first label
    assert image.value == PNG + b"1"


def test_grid_without_stack_swaps_the_image_for_both_sliders(no_stack):
    pngs = {(a, b): PNG + f"{a}{b}".encode() for a in (0, 1, 2) for b in ("x", "y")}
    box = precomputed_grid(pngs, ("a", "b"), defaults=(2, "y"))
    sa, sb, image = box.children
    assert isinstance(image, ipywidgets.Image)
    assert sa.index == 2 and sb.index == 1 and image.value == PNG + b"2y"
    for i, a in enumerate((0, 1, 2)):
        sa.index = i
        for j, b in enumerate(("x", "y")):
            sb.index = j
            assert image.value == pngs[(a, b)]


@pytest.mark.parametrize("stack", [True, False], ids=["Stack", "no Stack"])
def test_bad_input(stack, monkeypatch):
    if not stack and HAS_STACK:
        monkeypatch.delattr(ipywidgets, "Stack")
    if stack and not HAS_STACK:
        pytest.skip("ipywidgets 7: no Stack")
    with pytest.raises(ValueError, match="non-empty"):
        precomputed_slider({})
    with pytest.raises(TypeError, match="PNG bytes"):
        precomputed_slider({"a": "not bytes"})
    with pytest.raises(ValueError, match="default"):
        precomputed_slider({"a": PNG}, default="z")
    with pytest.raises(ValueError, match="every pair"):
        precomputed_grid({(0, "x"): PNG, (1, "y"): PNG})


# slider_over / grid_over: the values and a drawing function; one figure per value, rendered.
def _bars(*heights):
    """A figure that differs for every height: what a notebook's drawing function returns."""
    _, ax = plt.subplots(figsize=(1, 1))
    ax.bar(range(len(heights)), heights)
    ax.set_ylim(0, 10)
    return ax


def _shown(box) -> list[bytes]:
    """The picture a one-slider widget shows at each position of its slider: the Stack's images
    (switched in the browser), or the kernel-driven Image's value after each move."""
    slider, view = box.children
    if not isinstance(view, ipywidgets.Image):
        return [image.value for image in view.children]
    pictures = []
    for i in range(len(slider.options)):
        slider.index = i
        pictures.append(view.value)
    return pictures


@pytest.mark.parametrize("stack", [True, False], ids=["Stack", "no Stack"])
def test_slider_over_draws_each_value_once_and_shows_it(stack, monkeypatch):
    if not stack and HAS_STACK:
        monkeypatch.delattr(ipywidgets, "Stack")
    if stack and not HAS_STACK:
        pytest.skip("ipywidgets 7: no Stack")
    calls = []
    box = slider_over([1, 2, 5], lambda v: calls.append(v) or _bars(v), "height", default=2, dpi=30)
    slider = box.children[0]
    assert calls == [1, 2, 5] and plt.get_fignums() == []  # each drawn once, and closed
    assert [o for o, _ in slider.options] == ["1", "2", "5"] and slider.index == 1
    pictures = _shown(box)
    assert all(p[:8] == PNG for p in pictures) and len(set(pictures)) == 3
    again = slider_over({1: "a", 2: "b", 5: "c"}, _bars, dpi=30)  # a dict: its keys
    assert _shown(again) == pictures
    box = slider_over([0.5, 1.0], lambda v: _bars(v).figure, label="{:g}".format, default=1.0)
    assert [o for o, _ in box.children[0].options] == ["0.5", "1"] and box.children[0].index == 1


@pytest.mark.parametrize("stack", [True, False], ids=["Stack", "no Stack"])
def test_grid_over_draws_every_pair(stack, monkeypatch):
    if not stack and HAS_STACK:
        monkeypatch.delattr(ipywidgets, "Stack")
    if stack and not HAS_STACK:
        pytest.skip("ipywidgets 7: no Stack")
    calls = []
    box = grid_over((1, 2, 3), ("x", "y"), lambda a, b: calls.append((a, b)) or _bars(a, len(b) + (b == "y")),
                    ("a", "b"), defaults=(3, "y"), dpi=30)  # fmt: skip
    assert calls == [(a, b) for a in (1, 2, 3) for b in ("x", "y")] and plt.get_fignums() == []
    sa, sb, view = box.children
    assert sa.index == 2 and sb.index == 1
    if stack:
        assert view.selected_index == 2 and all(s.selected_index == 1 for s in view.children)
        pictures = [img.value for inner in view.children for img in inner.children]
    else:
        pictures = []
        for i in range(3):
            sa.index = i
            for j in range(2):
                sb.index = j
                pictures.append(view.value)
    assert len(set(pictures)) == 6


def test_slider_over_refuses_bad_input_before_drawing():
    drawn = []
    draw = lambda v: drawn.append(v) or _bars(v)  # noqa: E731
    with pytest.raises(ValueError, match="default"):
        slider_over([1, 2], draw, default=3)
    with pytest.raises(ValueError, match="values"):
        slider_over([], draw)
    with pytest.raises(TypeError, match="values"):
        slider_over("abc", draw)
    with pytest.raises(ValueError, match="distinct labels"):
        slider_over([1, 1.0 + 1e-12], draw, label="{:g}".format)
    with pytest.raises(TypeError, match="dpi"):
        slider_over([1], draw, dpi=7.5)
    with pytest.raises(ValueError, match="defaults"):
        grid_over([1], ["x"], lambda a, b: _bars(a), defaults=(1, "z"))
    assert drawn == []
    with pytest.raises(TypeError, match=r"draw\(1,\) must return the Figure or Axes"):
        slider_over([1], lambda v: None)


# keep_stored_widget_state: the pre-save hook that keeps stored widgets JupyterLab would drop.
VIEW, STATE = widgets.WIDGET_VIEW, widgets.WIDGET_STATE


def _stored_notebook(state: dict, views: list[str]) -> dict:
    outputs = [{"output_type": "display_data", "data": {VIEW: {"model_id": m}}} for m in views]
    return {
        "cells": [{"cell_type": "code", "outputs": outputs}],
        "metadata": {"widgets": {STATE: {"state": state, "version_major": 2, "version_minor": 0}}},
    }


def _model(name: str, **state) -> dict:
    return {"model_name": name, "state": state}


def _slider_state(prefix: str) -> dict:
    ref = lambda m: f"IPY_MODEL_{prefix}{m}"  # noqa: E731
    return {
        f"{prefix}box": _model("VBoxModel", children=[ref("slider"), ref("stack")], layout=ref("l1")),
        f"{prefix}slider": _model("SelectionSliderModel", layout=ref("l2")),
        f"{prefix}stack": _model("StackModel", children=[ref("img")]),
        f"{prefix}img": _model("ImageModel"),
        f"{prefix}l1": _model("LayoutModel"),
        f"{prefix}l2": _model("LayoutModel"),
        f"{prefix}link": _model("LinkModel", source=[ref("slider"), "index"], target=[ref("stack"), "selected_index"]),
    }  # fmt: skip


def _save(tmp_path, on_disk: dict, saving: dict) -> dict:
    (tmp_path / "nb.ipynb").write_text(json.dumps(on_disk))
    model = {"type": "notebook", "content": saving}
    widgets.keep_stored_widget_state(model, "nb.ipynb", SimpleNamespace(root_dir=str(tmp_path)))
    return model["content"]["metadata"]["widgets"][STATE]["state"]


def test_hook_puts_back_the_stored_state_of_widgets_not_rerun(tmp_path):
    stored = {**_slider_state("a"), **_slider_state("b"), "stale": _model("LayoutModel")}
    on_disk = _stored_notebook(stored, ["abox", "bbox"])
    saving = _stored_notebook({}, ["abox", "bbox"])  # what Lab sends: no live widget
    assert _save(tmp_path, on_disk, saving) == {k: v for k, v in stored.items() if k != "stale"}


def test_hook_keeps_new_state_and_only_the_missing_widgets(tmp_path):
    on_disk = _stored_notebook({**_slider_state("a"), **_slider_state("b")}, ["abox", "bbox"])
    rerun = _slider_state("c")  # the second widget's cell ran again: new models, live
    saved = _save(tmp_path, on_disk, _stored_notebook(rerun, ["abox", "cbox"]))
    assert saved == {**_slider_state("a"), **rerun}


def test_hook_leaves_complete_or_foreign_saves_alone(tmp_path):
    on_disk = _stored_notebook(_slider_state("a"), ["abox"])
    complete = _stored_notebook(_slider_state("c"), ["cbox"])
    assert _save(tmp_path, on_disk, complete) == _slider_state("c")
    model = {"type": "file", "content": "text"}
    widgets.keep_stored_widget_state(model, "x.txt", SimpleNamespace(root_dir=str(tmp_path)))
    assert model == {"type": "file", "content": "text"}
    new_file = {"type": "notebook", "content": _stored_notebook({}, ["abox"])}
    widgets.keep_stored_widget_state(new_file, "new.ipynb", SimpleNamespace(root_dir=str(tmp_path)))
    assert new_file["content"]["metadata"]["widgets"][STATE]["state"] == {}
