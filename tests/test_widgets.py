import ipywidgets
import pytest
from latentebm import widgets
from latentebm.widgets import precomputed_grid, precomputed_slider

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
