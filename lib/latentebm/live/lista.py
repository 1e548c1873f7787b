r"""Chapter 4, live: LISTA-K against FISTA-K on a test digit that you shift and blur with noise.

:func:`~latentebm.live.lista_vs_fista` perturbs a test digit (shifted by whole pixels along both axes, white noise
of a given norm relative to the digit's), codes it with the trained LISTA-K and with K iterations
of FISTA, and compares both with the optimal code :math:`z^*` (FISTA to convergence). LISTA learned
where the codes of digits live: on digits it beats FISTA at equal steps; off them (shifted, noisy)
its shortcut can mislead it. :func:`~latentebm.live.chapter4` is its control.
"""

from __future__ import annotations

import numbers

import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from .._checks import nonneg, nonneg_int, positive_int
from ..lista import code_error, predict
from ..plotting.lista import plot_code_comparison
from ..sparse import energy, fista, optimal_codes
from . import cache
from .control import LiveControl, choice_slider, float_slider, index_box, int_slider

MAX_SHIFT = 6  # pixels
MAX_NOISE = 2.0  # noise norm / digit norm
NOISE_SEED = 0


def perturb(x: torch.Tensor, shift: int, noise: float, seed: int) -> torch.Tensor:
    """A digit (1, 28, 28) moved by ``shift`` pixels right and down (zeros come in; negative:
    left and up), plus white noise of norm ``noise`` x the digit's norm: (784,)."""
    s = abs(shift)
    padded = F.pad(x, (s, s, s, s))  # (1, 28 + 2s, 28 + 2s)
    y = padded[:, s - shift : s - shift + 28, s - shift : s - shift + 28].reshape(-1)  # (784,)
    if noise > 0:
        eps = torch.randn(y.shape, generator=torch.Generator().manual_seed(seed), dtype=y.dtype)
        y = y + noise * y.norm() * eps / eps.norm()
    return y


# The library calls of this chapter, in one place.
def _codes(y, W, lam, K):
    """(z* (1, m), {"LISTA-K": (1, m), "FISTA-K": (1, m)}) for one signal y (1, n)."""
    z_star = optimal_codes(y, W, lam, tol=1e-6, max_iter=10000)
    codes = {f"LISTA-{K}": predict(cache.lista_models()[K], y),
             f"FISTA-{K}": fista(y, W, lam, n_iter=K)}  # fmt: skip
    return z_star, codes


def _check(n_iter, shift, noise, digit) -> tuple[int, int, float, int]:
    K = positive_int("n_iter", n_iter)
    if K not in cache.LISTA_DEPTHS:
        raise ValueError(f"n_iter must be one of the trained depths {cache.LISTA_DEPTHS}, got {K}")
    if isinstance(shift, bool) or not isinstance(shift, numbers.Integral):
        raise TypeError(f"shift must be an int number of pixels, got {type(shift).__name__}")
    shift = int(shift)
    if abs(shift) > MAX_SHIFT:
        raise ValueError(f"shift must be in [-{MAX_SHIFT}, {MAX_SHIFT}] pixels, got {shift}")
    noise, digit = nonneg("noise", noise), nonneg_int("digit", digit)
    if noise > MAX_NOISE:
        raise ValueError(f"noise must be in [0, {MAX_NOISE}] (times the digit's norm), got {noise}")
    n = cache.test_digits()[0].shape[0]
    if digit >= n:
        raise ValueError(f"digit must be in [0, {n}), got {digit}")
    return K, shift, noise, digit


def lista_vs_fista(
    n_iter: int = 3, shift: int = 0, noise: float = 0.0, digit: int = 0
) -> tuple[Figure, dict]:
    r"""LISTA-K and FISTA-K codes of a perturbed test digit, against the optimal code.

    Parameters
    ----------
    n_iter : int, K, one of the trained depths (1, 2, 3, 5, 10)
    shift : int in [-6, 6], pixels along both axes (positive: right and down)
    noise : float in [0, 2], norm of the added white noise relative to the digit's norm
    digit : int in [0, 10000), index of the test digit

    Returns
    -------
    (Figure, numbers): the signal, each method's reconstruction :math:`Wz` and the codes (the
    optimal code in grey); numbers: the relative code error
    :math:`\|z - z^*\|^2/\|z^*\|^2` of LISTA-K and FISTA-K (NaN if :math:`z^* = 0`), the energies
    and the non-zeros of each code and of the optimal one.
    """
    K, shift, noise, digit = _check(n_iter, shift, noise, digit)
    x_test, _ = cache.test_digits()
    W, lam = cache.mnist_dictionary()
    y = perturb(x_test[digit], shift, noise, NOISE_SEED + digit)[None]  # (1, 784)
    z_star, codes = _codes(y, W, lam, K)
    numbers = {"K": K, "shift (px)": shift, "noise": noise}
    optimal_zero = not bool((z_star != 0).any())
    for name, z in codes.items():
        numbers[f"{name} code error"] = float("nan") if optimal_zero else code_error(z, z_star)
    for name, z in {**codes, "optimal": z_star}.items():
        numbers[f"{name} energy"] = float(energy(y, W, z, lam))
        numbers[f"{name} non-zeros"] = int((z != 0).sum())
    title = f"test digit {digit}, shift {shift:+d} px, noise {noise:.2g}: K = {K}"
    nc = len(codes)  # the library's layout for one signal, on a Figure pyplot does not keep
    fig = Figure(figsize=(1.3 * (nc + 1) + 4.5, 1.85))
    axes = fig.subplots(1, nc + 2, squeeze=False,
                        gridspec_kw=dict(width_ratios=[1] * (nc + 1) + [3.6]))  # fmt: skip
    plot_code_comparison(y, W, codes, z_star, title=title, ax=axes)
    fig.tight_layout()
    return fig, numbers


def chapter4(n_iter: int = 3, shift: int = 0, noise: float = 0.0, digit: int = 0) -> LiveControl:
    """Live control of chapter 4: K (the trained depths), the shift, the noise level, the digit."""
    K, shift, noise, digit = _check(n_iter, shift, noise, digit)
    return LiveControl(
        lista_vs_fista,
        {"n_iter": choice_slider("steps K", K, cache.LISTA_DEPTHS),
         "shift": int_slider("shift (px)", shift, -MAX_SHIFT, MAX_SHIFT),
         "noise": float_slider("noise (x ||y||)", noise, 0.0, MAX_NOISE, 0.05),
         "digit": index_box("test digit", digit, cache.test_digits()[0].shape[0])},
        initial={"n_iter": K, "shift": shift, "noise": noise, "digit": digit},
    )  # fmt: skip
