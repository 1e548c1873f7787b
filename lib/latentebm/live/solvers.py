r"""Chapter 3, live: ISTA and FISTA at any step size and iteration count, on any test digit.

The library's step is :math:`\eta = 1/(2L)` with :math:`L = \|W\|_2^2` (our energy has no 1/2);
:func:`~latentebm.live.convergence` runs both solvers from z = 0 with the step :math:`c \cdot 1/(2L)` (passing
:math:`L/c` as the solvers' ``L``) and draws their relative energy gap per iteration, and where the
step sits against the divergence threshold: ISTA is guaranteed to converge for :math:`c < 2`, i.e.
:math:`\eta < 1/L` — the lecture's :math:`2/L` for :math:`\tfrac12\|y - Wz\|^2`. :func:`~latentebm.live.chapter3`
is its control.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
from matplotlib.figure import Figure

from .._checks import nonneg_int, positive, positive_int
from ..sparse import energy, fista, ista, lipschitz
from . import cache
from .control import LiveControl, float_slider, index_box, int_slider

STEP_RANGE = (0.1, 3.0)  # c, in units of the library's step 1/(2L)
MAX_ITER = 500
THRESHOLD = 2.0  # ISTA's guarantee: c < 2, eta < 1/L
GAP_CEILING = 1e3  # a diverging run's gap is drawn up to here


# The library calls of this chapter, in one place.
@functools.lru_cache(maxsize=64)
def _reference(digit: int) -> tuple[float, float, float]:
    """(L, E*, L_S) for a test digit: the minimum energy (FISTA to convergence) and the
    Lipschitz constant of the atoms active at the minimum."""
    W, lam, Y = cache.mnist_problem()
    y, L = Y[digit], lipschitz(W)
    z = fista(y, W, lam, n_iter=3000, tol=1e-10, L=L)
    active = z != 0
    L_S = lipschitz(W[:, active]) if bool(active.any()) else 0.0
    return L, float(energy(y, W, z, lam)), L_S


def _run(solver, y, W, lam, n_iter, L):
    """The solver's energy after every iteration, (n_iter + 1,); a run that overflows (the solver
    refuses it with a ValueError) is None."""
    try:
        _, h = solver(y, W, lam, n_iter=n_iter, L=L, history=True)
    except ValueError:
        return None
    return h


def convergence(step: float = 1.0, n_iter: int = 100, digit: int = 3) -> tuple[Figure, dict]:
    r"""ISTA and FISTA on test digit ``digit`` with the step ``step`` x 1/(2L), ``n_iter`` iterations.

    Parameters
    ----------
    step : float > 0, c: the step size in units of the library's 1/(2L) (1 is the library's)
    n_iter : int in [1, 500], iterations from z = 0
    digit : int in [0, 10000), index of the test digit (chapter 3 uses digit 3)

    Returns
    -------
    (Figure, numbers): left, the relative energy gap :math:`(E(z_k) - E^*)/E^*` of both solvers per
    iteration; right, the step against ISTA's threshold c = 2 (and the looser local one
    :math:`2L/L_S` of the atoms active at the minimum). Numbers: the step η, the final gaps (inf
    for a run that overflows), whether each run ended above its start (diverged).
    """
    c, n_iter, digit = _check(step, n_iter, digit)
    W, lam, Y = cache.mnist_problem()
    y = Y[digit]
    L, E_star, L_S = _reference(digit)
    with warnings.catch_warnings():  # a step beyond the threshold diverges: that is the lesson
        warnings.simplefilter("ignore", RuntimeWarning)
        runs = {"ISTA": _run(ista, y, W, lam, n_iter, L / c),
                "FISTA": _run(fista, y, W, lam, n_iter, L / c)}  # fmt: skip
    E0 = float(y.pow(2).sum())  # E(0): both runs start at z = 0

    fig = Figure(figsize=(9.5, 3.4))
    gs = fig.add_gridspec(1, 2, width_ratios=[1.6, 1], left=0.08, right=0.98, top=0.88,
                          bottom=0.16, wspace=0.3)  # fmt: skip
    ax = fig.add_subplot(gs[0])
    numbers = {"step eta = c/(2L)": c / (2 * L), "c": c, "n_iter": n_iter}
    for (name, h), color in zip(runs.items(), ("C0", "C1"), strict=True):
        if h is None:
            numbers[f"{name} gap"] = math.inf
            numbers[f"{name} diverged"] = True
            ax.plot([], [], color=color, label=f"{name}: overflow (diverged)")
            continue
        gap = ((h - E_star) / E_star).clamp(1e-16, GAP_CEILING).numpy()  # (n_iter + 1,)
        final = float((h[-1] - E_star) / E_star)
        numbers[f"{name} gap"] = final if math.isfinite(final) else math.inf
        numbers[f"{name} diverged"] = not float(h[-1]) <= E0
        ax.semilogy(np.arange(len(gap)), gap, color=color, lw=1.6, label=f"{name}: gap {final:.2g}")
    ax.set(xlabel="iteration k", ylabel="relative energy gap", ylim=(1e-16, 2 * GAP_CEILING),
           title=f"test digit {digit}: step {c:.3g} x 1/(2L)")  # fmt: skip
    ax.legend(frameon=False, fontsize=8, loc="lower left")

    ax = fig.add_subplot(gs[1])
    hi = max(3.2, 1.1 * c)
    ax.axvspan(0, THRESHOLD, color="tab:green", alpha=0.15)
    ax.axvspan(THRESHOLD, hi, color="tab:red", alpha=0.12)
    ax.axvline(THRESHOLD, color="k", lw=1)
    ax.text(THRESHOLD / 2, 0.8, "ISTA converges\nc < 2: η < 1/L", ha="center", fontsize=8)
    ax.text((THRESHOLD + hi) / 2, 0.8, "no\nguarantee", ha="center", fontsize=8)
    if L_S > 0:
        local = 2 * L / L_S
        numbers["local threshold 2L/L_S"] = local
        if local < hi:
            ax.axvline(local, color="0.4", lw=1, ls=":")
            ax.text(local, 0.35, " 2L/L_S", fontsize=8, color="0.3")
    ax.plot([c], [0.15], "v", color="k", ms=10)
    outcome = "\n".join(
        f"{k}: {'diverged' if numbers[f'{k} diverged'] else 'gap ' + format(numbers[f'{k} gap'], '.1g')}"
        for k in runs
    )
    ax.text(c, 0.22, outcome, ha="center" if 0.6 < c < hi - 0.6 else ("left" if c <= 0.6 else "right"),
            fontsize=8)  # fmt: skip
    ax.set(xlim=(0, hi), ylim=(0, 1), yticks=[], xlabel="step c (x 1/(2L))",
           title="divergence threshold (lecture: 2/L for ½‖y−Wz‖²)")  # fmt: skip
    ax.title.set_fontsize(8)
    numbers["E*"] = E_star
    return fig, numbers


def _check(step, n_iter, digit) -> tuple[float, int, int]:
    c, n_iter, digit = (
        positive("step", step),
        positive_int("n_iter", n_iter),
        nonneg_int("digit", digit),
    )
    if n_iter > MAX_ITER:
        raise ValueError(f"n_iter must be at most {MAX_ITER}, got {n_iter}")
    n = cache.test_digits()[0].shape[0]
    if digit >= n:
        raise ValueError(f"digit must be in [0, {n}), got {digit}")
    return c, n_iter, digit


def chapter3(step: float = 1.0, n_iter: int = 100, digit: int = 3) -> LiveControl:
    """Live control of chapter 3: the step c (x 1/(2L)), the number of iterations, the digit."""
    c, n_iter, digit = _check(step, n_iter, digit)
    return LiveControl(
        convergence,
        {"step": float_slider("step c (x 1/(2L))", c, *STEP_RANGE, 0.05),
         "n_iter": int_slider("iterations", n_iter, 10, MAX_ITER, 10),
         "digit": index_box("test digit", digit, cache.test_digits()[0].shape[0])},
        initial={"step": c, "n_iter": n_iter, "digit": digit},
    )  # fmt: skip
