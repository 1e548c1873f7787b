"""LiveControl and Debouncer with a fast stand-in update function (the chapters' are tested beside)."""

from __future__ import annotations

import asyncio

import ipywidgets
import pytest
from conftest import png_pixels
from latentebm.live import control as lc
from latentebm.live.control import Debouncer, LiveControl, numbers_html
from matplotlib.figure import Figure


def drawing(calls: list):
    """An update function that records its calls and draws its value as a bar (pictures differ)."""

    def update(a: float, b: str = "x"):
        if a < 0:
            raise ValueError(f"a must be >= 0, got {a}")
        calls.append((a, b))
        fig = Figure(figsize=(2, 1))
        ax = fig.add_axes([0, 0, 1, 1])
        ax.barh([0], [a])
        ax.set_xlim(0, 10)
        ax.set_title(b)
        return fig, {"a": a, "b": b, "twice": 2 * a, "n": 3}

    return update


def build(calls, debounce=0.0, a=1.0):
    return LiveControl(
        drawing(calls),
        {"a": lc.float_slider("a", a, 0.0, 10.0, 0.5), "b": lc.dropdown("b", "x", ["x", "y"])},
        initial={"a": a, "b": "x"},
        debounce=debounce,
    )


def test_control_draws_at_once_and_redraws_on_change(backend):
    calls = []
    c = build(calls)
    assert isinstance(c, ipywidgets.VBox) and lc.LIVE_CLASS in c._dom_classes
    images = [k for k in c.children if isinstance(k, ipywidgets.Image)]
    assert images == [c.image], "exactly one Image among the children (the Colab sweep needs it)"
    assert calls == [(1.0, "x")] and c.n_updates == 1
    assert c.numbers == {"a": 1.0, "b": "x", "twice": 2.0, "n": 3}
    first = png_pixels(c.image.value)
    c.controls["a"].value = 7.5  # no event loop here: computed at once
    assert calls[-1] == (7.5, "x") and c.numbers["twice"] == 15.0
    assert (png_pixels(c.image.value) != first).any(), "the picture did not change"
    c.controls["b"].value = "y"
    assert calls[-1] == (7.5, "y") and c.values == {"a": 7.5, "b": "y"}
    assert "<b>twice</b>: 15" in c.numbers_line.value and c.status.value == ""


def test_update_error_keeps_the_picture_and_shows_the_error(backend):
    calls = []
    c = build(calls)
    before = bytes(c.image.value)
    c.controls["a"].min = -5.0
    c.controls["a"].value = -1.0
    assert bytes(c.image.value) == before and "ValueError: a must be &gt;= 0" in c.status.value
    assert c.error == "ValueError: a must be >= 0, got -1.0"
    c.controls["a"].value = 2.0
    assert c.error is None and c.status.value == "" and c.numbers["a"] == 2.0


def test_warnings_of_an_update_are_shown(backend):
    import warnings

    def update(a):
        warnings.warn("the steps diverge", RuntimeWarning, stacklevel=1)
        return Figure(figsize=(1, 1)), {"a": a}

    c = LiveControl(update, {"a": lc.float_slider("a", 1.0, 0.0, 2.0, 0.1)})
    assert "RuntimeWarning: the steps diverge" in c.status.value


def test_first_update_error_raises_in_the_cell(backend):
    with pytest.raises(ValueError, match="a must be >= 0"):
        LiveControl(drawing([]), {"a": ipywidgets.FloatText(value=-1.0)})


def test_bad_arguments(backend):
    with pytest.raises(TypeError, match="update must be callable"):
        LiveControl(None, {"a": lc.float_slider("a", 1.0, 0.0, 2.0, 0.1)})
    with pytest.raises(ValueError, match="controls must be a non-empty dict"):
        LiveControl(drawing([]), {})
    with pytest.raises(TypeError, match=r"controls\['a'\] must be an ipywidgets value widget"):
        LiveControl(drawing([]), {"a": ipywidgets.Button(description="a")})
    with pytest.raises(ValueError, match=r"a must be in the control's range \[0, 10\], got 12"):
        LiveControl(
            drawing([]), {"a": lc.float_slider("a", 12.0, 0.0, 10.0, 0.5)}, initial={"a": 12.0}
        )
    with pytest.raises(ValueError, match=r"lam must be in the control's range \[0.01, 100\]"):
        LiveControl(
            drawing([]), {"lam": lc.log_slider("λ", 1000.0, 0.01, 100.0)}, initial={"lam": 1000.0}
        )
    with pytest.raises(ValueError, match=r"a must be in the control's range \[1, 3\], got 4"):
        LiveControl(drawing([]), {"a": lc.int_slider("a", 4, 1, 3)}, initial={"a": 4})

    def wrong(a):
        return "not a figure", {}

    c = LiveControl(drawing([]), {"a": lc.float_slider("a", 1.0, 0.0, 2.0, 0.1)})
    c.update_fn = wrong
    c.controls["a"].value = 1.5
    assert "update must return (matplotlib Figure, dict of numbers)" in c.status.value


def test_numbers_html_formats_and_escapes():
    line = numbers_html({"a<b": 0.123456, "n": 3, "ok": True, "inf": float("inf"), "s": "<x>"})
    assert "<b>a&lt;b</b>: 0.1235" in line and "<b>n</b>: 3" in line and "yes" in line
    assert "inf" in line and "&lt;x&gt;" in line


# Debouncing: on a running event loop (the kernel's), a burst of changes is computed once.


def test_debouncer_without_a_loop_runs_at_once():
    runs = []
    d = Debouncer(lambda: runs.append(1), delay=0.5)
    d.request()
    d.request()
    assert runs == [1, 1] and not d.pending


def test_debouncer_on_a_loop_runs_once_after_the_last_request():
    runs = []

    async def burst():
        d = Debouncer(lambda: runs.append(asyncio.get_running_loop().time()), delay=0.1)
        for _ in range(5):
            d.request()
            last = asyncio.get_running_loop().time()
            await asyncio.sleep(0.03)  # faster than the delay: each request re-arms the timer
        assert runs == [] and d.pending
        await asyncio.sleep(0.3)
        return last

    last = asyncio.run(burst())
    assert len(runs) == 1, runs
    assert runs[0] >= last + 0.1 - 1e-3, "ran before the quiet time after the last request"


def test_debouncer_flush_runs_the_pending_call_now():
    runs = []

    async def go():
        d = Debouncer(lambda: runs.append(1), delay=10.0)
        d.request()
        assert runs == []
        d.flush()
        assert runs == [1] and not d.pending
        d.flush()  # nothing pending: nothing runs
        assert runs == [1]

    asyncio.run(go())


def test_control_debounces_slider_bursts_to_the_last_value(backend):
    calls = []

    async def drag():
        c = build(calls, debounce=0.1)
        assert calls == [(1.0, "x")]  # the first drawing is immediate
        for v in (2.0, 3.0, 4.5, 6.0):  # arrow keys held down, or a drag's release events
            c.controls["a"].value = v
            await asyncio.sleep(0.01)
        c.controls["b"].value = "y"
        assert calls == [(1.0, "x")], "computed before the burst ended"
        await asyncio.sleep(0.3)
        return c

    c = asyncio.run(drag())
    assert calls == [(1.0, "x"), (6.0, "y")], calls
    assert c.numbers["a"] == 6.0 and c.n_updates == 2


def test_control_flush_and_zero_delay(backend):
    calls = []

    async def go():
        c = build(calls, debounce=5.0)
        c.controls["a"].value = 3.0
        assert len(calls) == 1
        c.flush()
        assert calls[-1] == (3.0, "x")
        c0 = build(calls, debounce=0)
        c0.controls["a"].value = 4.0  # delay 0: at once, even on a loop
        assert calls[-1] == (4.0, "x")

    asyncio.run(go())


@pytest.mark.parametrize(
    "delay,exc",
    [(-1.0, ValueError), (float("inf"), ValueError), ("1", TypeError), (True, TypeError)],
)
def test_debouncer_bad_delay(delay, exc):
    with pytest.raises(exc, match="delay"):
        Debouncer(lambda: None, delay)
    with pytest.raises(TypeError, match="fn must be callable"):
        Debouncer(3, 0.1)


def test_widget_factories_send_values_on_release_only(backend):
    widgets = [
        lc.log_slider("λ", 0.5, 0.01, 100.0),
        lc.float_slider("x", 0.5, 0.0, 1.0, 0.1),
        lc.int_slider("n", 5, 0, 10),
        lc.choice_slider("K", 3, (1, 2, 3)),
    ]
    assert all(wd.continuous_update is False for wd in widgets)
    assert abs(widgets[0].value - 0.5) < 1e-12 and widgets[0].min == -2 and widgets[0].max == 2
    assert [o for o, _ in widgets[3].options] == ["1", "2", "3"] and widgets[3].value == 3
    box = lc.index_box("digit", 7, 10)
    assert box.value == 7 and box.min == 0 and box.max == 9


def test_finite():
    assert lc.finite("z1", 2) == 2.0 and isinstance(lc.finite("z1", 2), float)
    for bad, exc in ((float("nan"), ValueError), (float("inf"), ValueError), ("1", TypeError),
                     (True, TypeError), (None, TypeError)):  # fmt: skip
        with pytest.raises(exc, match="z1"):
            lc.finite("z1", bad)
