"""A live control: core ipywidgets that call an update function and show the figure it draws.

The update function is pure: keyword values in, ``(matplotlib Figure, dict of numbers)`` out.
:class:`LiveControl` lays out the input widgets, one ``Image`` (the figure as PNG) and one ``HTML``
line (the numbers), and calls the function again when an input changes. It uses only widgets that
exist in ipywidgets 7.7.1 (Colab's stock runtime) and 8 (JupyterLab 4, Notebook 7), no ``Stack``,
no ``Output`` capture and no ipympl, so the same code runs in both.

Debouncing. Sliders are built with ``continuous_update=False`` (the front end sends the value
when a drag ends, not at every pixel), and every change goes through a :class:`Debouncer`: the
update runs ``delay`` seconds after the *last* change, on the kernel's event loop, so a burst of
changes (arrow keys held down, several sliders moved) costs one computation, with the last values.
Changes that arrive while an update computes wait in the kernel's queue; each one re-arms the
timer, so only the last of them is computed too. Where no event loop runs (a plain script, a test,
or a cell's own code), a change is computed at once.
"""

from __future__ import annotations

import asyncio
import html
import io
import math
import numbers
import warnings
from collections.abc import Callable, Mapping

import ipywidgets as w
import matplotlib.figure
import matplotlib.pyplot as plt

#: CSS class of every live control's outer box (the browser tests find live controls by it).
LIVE_CLASS = "latentebm-live"
DEBOUNCE_S = 0.3  # the quiet time after the last change before an update runs
DPI = 80  # PNG resolution: small images travel fast to the browser


def finite(name: str, value) -> float:
    """A finite real number as a Python float (a TypeError / ValueError naming ``name`` if not)."""
    if isinstance(value, (bool, str, bytes)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def _running_loop():
    """The event loop running in this thread (the kernel's, in Jupyter), or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Debouncer:
    """Run ``fn()`` once, ``delay`` seconds after the last :meth:`request`.

    On a running asyncio event loop (the kernel's), each request cancels the pending timer and arms
    a new one; without a loop (or with ``delay=0``) a request runs ``fn`` at once. :meth:`flush`
    runs a pending call now.
    """

    def __init__(self, fn: Callable[[], None], delay: float = DEBOUNCE_S):
        if not callable(fn):
            raise TypeError(f"fn must be callable, got {type(fn).__name__}")
        if isinstance(delay, bool) or not isinstance(delay, numbers.Real):
            raise TypeError(f"delay must be a number of seconds, got {type(delay).__name__}")
        if not (0 <= delay < math.inf):
            raise ValueError(f"delay must be finite and >= 0 seconds, got {delay}")
        self.fn, self.delay = fn, float(delay)
        self._handle = None
        self._pending = False

    @property
    def pending(self) -> bool:
        """Whether a requested call has not run yet."""
        return self._pending

    def request(self) -> None:
        """Ask for a call: at once without a running loop (or with ``delay=0``), else ``delay``
        seconds from now, cancelling the pending one."""
        self._pending = True
        loop = _running_loop()
        if self.delay == 0 or loop is None:
            self.flush()
            return
        if self._handle is not None:
            self._handle.cancel()
        self._handle = loop.call_later(self.delay, self.flush)

    def flush(self) -> None:
        """Run the pending call now (nothing if none is pending)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._pending:
            self._pending = False
            self.fn()


def figure_png(fig: matplotlib.figure.Figure, dpi: int = DPI) -> bytes:
    """PNG bytes of ``fig`` as laid out (no tight bounding box: one drawing, not two), then closed.

    ``latentebm.plotting.fig_to_png`` crops to the tight bounding box, which draws the figure
    twice; a live figure is laid out by its update function and drawn once, about twice as fast.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)  # a figure made by pyplot is forgotten by it (no-op for a bare Figure)
    return buf.getvalue()


def _format(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        return f"{v:.4g}" if math.isfinite(v) else str(v)
    return str(value)


def numbers_html(numbers_: Mapping) -> str:
    """The numbers of an update as one compact HTML line: ``name: value · name: value``."""
    items = [
        f"<b>{html.escape(str(k))}</b>: {html.escape(_format(v))}" for k, v in numbers_.items()
    ]
    return "<span style='font-size: 90%'>" + " &nbsp;·&nbsp; ".join(items) + "</span>"


def _check_kept(name: str, value, widget) -> None:
    """ValueError if ``widget`` does not hold ``value`` (a slider clamps values out of its range)."""
    held = widget.value
    same = (
        math.isclose(held, value, rel_tol=1e-9, abs_tol=1e-12)
        if isinstance(value, numbers.Real) and isinstance(held, numbers.Real)
        else held == value
    )
    if not same:
        lo, hi = getattr(widget, "min", None), getattr(widget, "max", None)
        if isinstance(widget, w.FloatLogSlider):
            lo, hi = widget.base**lo, widget.base**hi
        where = f"[{lo:g}, {hi:g}]" if lo is not None else f"{list(getattr(widget, 'options', []))}"
        raise ValueError(f"{name} must be in the control's range {where}, got {value!r}")


class LiveControl(w.VBox):
    """Input widgets, the figure of ``update(**values)`` as an Image, and its numbers.

    Parameters
    ----------
    update : callable ``update(**values) -> (matplotlib Figure, dict)``
        The chapter's update function; ``values`` maps each control's name to its widget's value.
    controls : dict {argument name: ipywidgets value widget}
        The inputs, in display order.
    initial : dict {argument name: value}, optional
        The values the controls were built with: a widget that changed one (a slider clamps a
        value outside its range) is refused with a ValueError naming the argument and the range.
    debounce : float, seconds of quiet after the last change before ``update`` runs (0: at once)
    dpi : int, resolution of the PNG

    Attributes
    ----------
    controls : the input widgets; image : the ``Image``; numbers : the last dict of numbers;
    status : an ``HTML`` line ("computing…", or the error of the last update);
    n_updates : how many times ``update`` ran (the first drawing included).

    The first figure is drawn when the control is built, so the control shows a picture as soon as
    it is displayed (and in a saved notebook). An update that raises keeps the previous picture and
    shows the error in ``status``.
    """

    def __init__(
        self,
        update: Callable,
        controls: Mapping[str, w.ValueWidget],
        *,
        initial: Mapping | None = None,
        debounce: float = DEBOUNCE_S,
        dpi: int = DPI,
    ):
        if not callable(update):
            raise TypeError(f"update must be callable, got {type(update).__name__}")
        if not isinstance(controls, Mapping) or not controls:
            raise ValueError("controls must be a non-empty dict {argument name: widget}")
        for name, widget in controls.items():
            if not isinstance(widget, w.ValueWidget):
                raise TypeError(
                    f"controls[{name!r}] must be an ipywidgets value widget, got "
                    f"{type(widget).__name__}"
                )
        for name, value in (initial or {}).items():
            _check_kept(name, value, controls[name])
        self.update_fn, self.controls, self.dpi = update, dict(controls), dpi
        self.numbers: dict = {}
        self.n_updates = 0
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
        self.numbers_line = w.HTML()
        self.status = w.HTML()
        self.debouncer = Debouncer(self._redraw, debounce)
        inputs = w.VBox(list(self.controls.values()))
        super().__init__([inputs, self.image, self.numbers_line, self.status])
        self.add_class(LIVE_CLASS)
        self._redraw(raise_errors=True)  # the first figure, in the cell that builds the control
        for widget in self.controls.values():
            widget.observe(self._changed, names="value")

    @property
    def values(self) -> dict:
        """The current value of every control, by argument name."""
        return {name: widget.value for name, widget in self.controls.items()}

    @property
    def error(self) -> str | None:
        """The message of the last update's error, or None."""
        return getattr(self, "_error", None)

    def _changed(self, _change) -> None:
        self.debouncer.request()

    def flush(self) -> None:
        """Run a pending (debounced) update now."""
        self.debouncer.flush()

    def _redraw(self, raise_errors: bool = False) -> None:
        self.status.value = "<i>computing…</i>"
        self._error = None
        self.n_updates += 1
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fig, nums = self.update_fn(**self.values)
            if not isinstance(fig, matplotlib.figure.Figure) or not isinstance(nums, Mapping):
                raise TypeError("update must return (matplotlib Figure, dict of numbers)")
            png = figure_png(fig, dpi=self.dpi)
        except Exception as e:  # shown to the reader: the control stays usable
            if raise_errors:
                raise
            self._error = f"{type(e).__name__}: {e}"
            self.status.value = f"<span style='color: #b00'>{html.escape(self._error)}</span>"
            return
        self.image.value = png
        self.numbers = dict(nums)
        self.numbers_line.value = numbers_html(self.numbers)
        # A warning (e.g. a solver that diverges) is part of the answer: shown, not lost in a log.
        notes = sorted({f"{type(c.message).__name__}: {c.message}" for c in caught})
        self.status.value = "".join(
            f"<div style='color: #a60; font-size: 85%'>{html.escape(n)}</div>" for n in notes
        )


# Input widgets, all with continuous_update=False and labels wide enough for their text.
_STYLE = {"description_width": "initial"}
_WIDTH = "460px"


def log_slider(description: str, value: float, low: float, high: float) -> w.FloatLogSlider:
    """A slider over [low, high] on a log scale (base 10), for a weight such as λ."""
    return w.FloatLogSlider(
        value=value, base=10, min=math.log10(low), max=math.log10(high), step=0.01,
        description=description, readout_format=".3g", continuous_update=False,
        style=_STYLE, layout=w.Layout(width=_WIDTH),
    )  # fmt: skip


def float_slider(description: str, value: float, low: float, high: float, step: float):
    return w.FloatSlider(
        value=value, min=low, max=high, step=step, description=description,
        continuous_update=False, style=_STYLE, layout=w.Layout(width=_WIDTH),
    )  # fmt: skip


def int_slider(description: str, value: int, low: int, high: int, step: int = 1):
    return w.IntSlider(
        value=value, min=low, max=high, step=step, description=description,
        continuous_update=False, style=_STYLE, layout=w.Layout(width=_WIDTH),
    )  # fmt: skip


def choice_slider(description: str, value, options) -> w.SelectionSlider:
    """A slider over a few fixed values (labels ``f"{v:g}"`` for numbers)."""
    labelled = [(f"{v:g}" if isinstance(v, float) else str(v), v) for v in options]
    return w.SelectionSlider(
        options=labelled, value=value, description=description, continuous_update=False,
        style=_STYLE, layout=w.Layout(width=_WIDTH),
    )  # fmt: skip


def dropdown(description: str, value, options) -> w.Dropdown:
    return w.Dropdown(options=list(options), value=value, description=description, style=_STYLE)


def index_box(description: str, value: int, size: int) -> w.BoundedIntText:
    """An integer in [0, size): which test digit, which image."""
    return w.BoundedIntText(
        value=value, min=0, max=size - 1, description=description, style=_STYLE,
        layout=w.Layout(width="220px"),
    )  # fmt: skip
