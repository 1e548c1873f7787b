import pytest
from latentebm.widgets import precomputed_grid, precomputed_slider

PNG = b"\x89PNG\r\n\x1a\n"  # content is not inspected


def test_slider_links_index_to_stack_and_shows_default():
    box = precomputed_slider(
        {"a": PNG + b"1", "b": PNG + b"2", "c": PNG + b"3"}, "lam", default="b"
    )
    slider, stack = box.children
    assert slider.index == 1 and stack.selected_index == 1
    assert [c.value for c in stack.children] == [PNG + b"1", PNG + b"2", PNG + b"3"]
    assert [o for o, _ in slider.options] == ["a", "b", "c"]


def test_grid_covers_product_and_defaults():
    pngs = {(a, b): PNG for a in (0, 1, 2) for b in ("x", "y")}
    box = precomputed_grid(pngs, ("a", "b"), defaults=(2, "y"))
    sa, sb, outer = box.children
    assert sa.index == 2 and sb.index == 1 and outer.selected_index == 2
    assert all(inner.selected_index == 1 for inner in outer.children)


def test_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        precomputed_slider({})
    with pytest.raises(TypeError, match="PNG bytes"):
        precomputed_slider({"a": "not bytes"})
    with pytest.raises(ValueError, match="default"):
        precomputed_slider({"a": PNG}, default="z")
    with pytest.raises(ValueError, match="every pair"):
        precomputed_grid({(0, "x"): PNG, (1, "y"): PNG})
