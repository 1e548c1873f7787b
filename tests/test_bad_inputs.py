"""Every public entry point, called the ways a careful user gets it wrong (issue 15, "zero silent
wrong answers").

Each case of the table is a call and what it must do: raise a given exception type whose message
names the argument (never a raw error from deep inside torch or NumPy, never a traceback-length
message), or return the correct result, checked. ``test_the_table_covers_every_public_name``
keeps the table complete: a public function or class added to a module's ``__all__`` (or to one of
the flat modules listed there) without cases fails it.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import math
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import latentebm
import latentebm.chapters
import numpy as np
import pytest
import torch
from latentebm import chapters, conv, data, latent, lista, notebook, sparse, vae
from latentebm import checkpoints as ckpts
from latentebm.plotting import core as plot_core
from latentebm.plotting import diagram

NAN, INF = float("nan"), float("inf")


@dataclass
class Case:
    id: str
    target: str  # the public name the case covers, e.g. "sparse.fista"
    call: Callable[[], object]
    exc: type | None = None  # expected exception (None: the call must succeed)
    names: tuple[str, ...] = ()  # substrings the message must contain (the argument's name)
    check: Callable[[object], bool] | None = None  # for a call that succeeds: is it correct?
    xfail: str | None = None
    warns: type | None = None  # a call that returns but must warn (names: in the warning)


CASES: list[Case] = []


def raises(target, label, call, exc, *names, xfail=None):
    CASES.append(Case(f"{target}:{label}", target, call, exc, names, None, xfail))


def ok(target, label, call, check, xfail=None):
    CASES.append(Case(f"{target}:{label}", target, call, None, (), check, xfail))


def warns(target, label, call, category, *names):
    """The call returns a result far from optimal, and says so in a warning naming the cause."""
    CASES.append(Case(f"{target}:{label}", target, call, None, names, None, None, category))


# Families of bad values: (label, value, expected exception).
POS_INT = [("0", 0, ValueError), ("2.5", 2.5, TypeError), ("str", "3", TypeError),
           ("True", True, TypeError)]  # fmt: skip
NONNEG = [("-1", -1.0, ValueError), ("nan", NAN, ValueError), ("str", "0.1", TypeError)]
POSITIVE = NONNEG + [("0", 0.0, ValueError)]
OPT_NONNEG, OPT_POSITIVE, OPT_POS_INT = NONNEG, POSITIVE, POS_INT  # None: "not set", accepted
GENERATOR = [("int", 0, TypeError), ("str", "seed", TypeError)]
CHOICE = [("bogus", "bogus", ValueError), ("None", None, ValueError)]


def sweep(target, fn, base: Callable[[], dict], arg: str, family, name: str | None = None):
    """One case per bad value of ``arg`` in ``family``; every other argument from ``base()``."""
    for label, value, exc in family:
        raises(target, f"{arg}={label}",
               lambda fn=fn, base=base, arg=arg, value=value: fn(**{**base(), arg: value}),
               exc, name or arg)  # fmt: skip


def with_nan(t: torch.Tensor) -> torch.Tensor:
    t = t.detach().clone()
    t.view(-1)[0] = NAN
    return t


def with_inf(t: torch.Tensor) -> torch.Tensor:
    t = t.detach().clone()
    t.view(-1)[-1] = -INF
    return t


def tensor_family(t: torch.Tensor, extra_dim: bool = True, int_dtype: bool = True):
    """Bad versions of a valid float tensor ``t``: a list, integers, NaN, inf, empty, and
    (``extra_dim``) one dimension too many."""
    fam = [("list", t.tolist(), TypeError), ("nan", with_nan(t), ValueError),
           ("inf", with_inf(t), ValueError), ("empty", t[:0], ValueError)]  # fmt: skip
    if int_dtype:
        fam.append(("int64", t.round().long(), TypeError))
    if extra_dim:
        fam.append(("extra-dim", t[None], ValueError))
    return fam


def tsweep(target, fn, base, arg, t, name=None, **kw):
    sweep(target, fn, base, arg, tensor_family(t, **kw), name)


def close(a, b, rtol=1e-6, atol=1e-9) -> bool:
    return torch.allclose(torch.as_tensor(a).double(), torch.as_tensor(b).double(), rtol, atol)


def finite(t) -> bool:
    return isinstance(t, torch.Tensor) and bool(torch.isfinite(t).all())


@contextlib.contextmanager
def env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# ---------------------------------------------------------------------------------------------
# The problems every case uses (small: the whole table runs in seconds)

G = torch.Generator().manual_seed(0)
Y = torch.randn(5, 8, generator=G, dtype=torch.float64)  # 5 signals of 8
W = sparse.normalize_columns(torch.randn(8, 12, generator=G, dtype=torch.float64))  # 12 atoms
LAM = 0.3
Z_REF = sparse.fista(Y, W, LAM, n_iter=3000, tol=1e-14)  # the minimizer, to 1e-12
Z12 = torch.randn(5, 12, generator=G, dtype=torch.float64)


def sparse_base(**kw):
    return lambda: {"y": Y, "W": W, "lam": LAM, **kw}


def solves(z, y=Y, w=W, lam=LAM, rel=1e-6) -> bool:
    """``z`` reaches the minimum energy of (y, w, lam) within ``rel``."""
    e = sparse.energy(y.double(), w.double(), z.double(), lam)
    e_ref = sparse.energy(
        y.double(),
        w.double(),
        sparse.fista(y.double(), w.double(), lam, n_iter=3000, tol=1e-14),
        lam,
    )
    return bool(((e - e_ref) / e_ref.clamp_min(1e-300)).max() <= rel)


SOLVERS = {
    "ista": (sparse.ista, dict(n_iter=2000, tol=1e-10)),
    "fista": (sparse.fista, dict(n_iter=300, tol=1e-10)),
    "adaptive_fista": (sparse.adaptive_fista, dict(n_iter=200, tol=1e-10)),
    "block_cd": (sparse.block_cd, dict(n_epochs=300, tol=1e-12, block_size=4, inner=3)),
    "active_set_cd": (sparse.active_set_cd, dict(tol=1e-9, max_sweeps=10000)),
}
INT_ARGS = {"ista": ["n_iter", "check_every"], "fista": ["n_iter", "check_every"],
            "adaptive_fista": ["n_iter", "check_every"],
            "block_cd": ["n_epochs", "block_size", "inner"], "active_set_cd": ["max_sweeps"]}  # fmt: skip

# energy and shrink
T = "sparse.energy"
tsweep(T, sparse.energy, sparse_base(z=Z12), "y", Y)
tsweep(T, sparse.energy, sparse_base(z=Z12), "W", W)
tsweep(T, sparse.energy, sparse_base(z=Z12), "z", Z12)
sweep(T, sparse.energy, sparse_base(z=Z12), "lam", NONNEG)
raises(T, "y-width", lambda: sparse.energy(Y[:, :7], W, Z12, LAM), ValueError, "y", "(N, 8)")
raises(T, "z-width", lambda: sparse.energy(Y, W, Z12[:, :11], LAM), ValueError, "z", "(5, 12)")
raises(T, "y-float32", lambda: sparse.energy(Y.float(), W, Z12, LAM), TypeError, "y")
raises(T, "lam-vector", lambda: sparse.energy(Y, W, Z12, torch.ones(3)), ValueError, "lam")
ok(T, "one-signal", lambda: sparse.energy(Y[0], W, Z12[0], LAM),
   lambda e: e.shape == () and close(e, sparse.energy(Y, W, Z12, LAM)[0]))  # fmt: skip
ok(T, "lam-numpy", lambda: sparse.energy(Y, W, Z12, np.float64(LAM)),
   lambda e: close(e, sparse.energy(Y, W, Z12, LAM)))  # fmt: skip
ok(T, "huge-W", lambda: sparse.energy(Y, W * 1e160, Z12 * 1e-160, LAM),
   lambda e: finite(e) and close(e, sparse.energy(Y, W, Z12, 0.0), rtol=1e-9))  # fmt: skip

T = "sparse.shrink"
raises(T, "x-list", lambda: sparse.shrink([1.0, 2.0], 0.5), TypeError, "x")
sweep(T, sparse.shrink, lambda: {"x": Z12}, "threshold", NONNEG)
raises(T, "threshold-tensor-nan", lambda: sparse.shrink(Z12, torch.full((12,), NAN)), ValueError,
       "threshold")  # fmt: skip
raises(T, "threshold-tensor-neg", lambda: sparse.shrink(Z12, -torch.ones(12)), ValueError,
       "threshold")  # fmt: skip
raises(T, "threshold-scalar-tensor-nan", lambda: sparse.shrink(Z12, torch.tensor(NAN)),
       ValueError, "threshold")  # fmt: skip
raises(T, "threshold-shape", lambda: sparse.shrink(Z12, torch.ones(11)), ValueError, "threshold")
raises(T, "threshold-vector-0d-x", lambda: sparse.shrink(torch.tensor(1.0), torch.ones(2)),
       ValueError, "threshold")  # fmt: skip
ok(T, "values", lambda: sparse.shrink(torch.tensor([-2.0, -0.2, 0.0, 0.5, 3.0]), 0.5),
   lambda s: torch.equal(s, torch.tensor([-1.5, 0.0, 0.0, 0.0, 2.5])))  # fmt: skip
ok(T, "per-component", lambda: sparse.shrink(torch.tensor([[1.0, 1.0]]), torch.tensor([0.5, 2.0])),
   lambda s: torch.equal(s, torch.tensor([[0.5, 0.0]])))  # fmt: skip

T = "sparse.lipschitz"
tsweep(T, sparse.lipschitz, lambda: {"W": W}, "W", W)
sweep(T, sparse.lipschitz, lambda: {"W": W}, "tol", NONNEG)
sweep(T, sparse.lipschitz, lambda: {"W": W}, "max_iter", POS_INT)
sweep(T, sparse.lipschitz, lambda: {"W": W}, "method", CHOICE)
L_REF = float(torch.linalg.matrix_norm(W, ord=2) ** 2)
ok(T, "exact", lambda: sparse.lipschitz(W), lambda L: abs(L - L_REF) <= 1e-12 * L_REF)
ok(T, "power", lambda: sparse.lipschitz(W, method="power", tol=1e-12, max_iter=np.int64(5000)),
   lambda L: abs(L - L_REF) <= 1e-8 * L_REF)  # fmt: skip
ok(T, "W*2^400", lambda: sparse.lipschitz(W * 2.0**400),
   lambda L: abs(L / 2.0**800 - L_REF) <= 1e-12 * L_REF)  # fmt: skip
ok(T, "W*2^-400", lambda: sparse.lipschitz(W * 2.0**-400),
   lambda L: abs(L * 2.0**800 - L_REF) <= 1e-12 * L_REF)  # fmt: skip
ok(T, "float32-W*1e-25", lambda: sparse.lipschitz(W.float() * 1e-25),
   lambda L: abs(L / 1e-50 - L_REF) <= 1e-5 * L_REF)  # fmt: skip
raises(T, "W*1e160-overflows", lambda: sparse.lipschitz(W * 1e160), ValueError, "W")

# the five solvers: the same bad inputs, the same correct answers
for name, (solver, exact) in SOLVERS.items():
    T = f"sparse.{name}"
    base = sparse_base()
    tsweep(T, solver, base, "y", Y)
    tsweep(T, solver, base, "W", W)
    sweep(T, solver, base, "lam", NONNEG)
    sweep(T, solver, base, "tol", OPT_NONNEG)
    tsweep(T, solver, sparse_base(z0=Z12), "z0", Z12)
    for arg in INT_ARGS[name]:
        sweep(T, solver, base, arg, POS_INT)
    raises(T, "y-width", lambda s=solver: s(Y[:, :7], W, LAM), ValueError, "y", "(N, 8)")
    raises(T, "y-float32", lambda s=solver: s(Y.float(), W, LAM), TypeError, "y")
    raises(T, "z0-shape", lambda s=solver: s(Y, W, LAM, z0=Z12[:4]), ValueError, "z0", "(5, 12)")
    raises(T, "z0-float32", lambda s=solver: s(Y, W, LAM, z0=Z12.float()), TypeError, "z0")
    ok(T, "solves", lambda s=solver, kw=exact: s(Y, W, LAM, **kw), solves)
    ok(T, "one-signal", lambda s=solver, kw=exact: s(Y[2], W, LAM, **kw),
       lambda z: z.shape == (12,) and solves(z[None], Y[2:3]))  # fmt: skip
    ok(T, "numpy-ints-and-floats",
       lambda s=solver, kw=exact, args=INT_ARGS[name]: s(Y, W, np.float64(LAM), **{
           **kw, **{a: np.int64(kw.get(a, 16)) for a in args}}), solves)  # fmt: skip
    ok(
        T,
        "lam=0",
        lambda s=solver, kw=exact: s(Y, W, 0.0, **kw),  # min 0: y is in W's range
        lambda z: float(sparse.energy(Y, W, z, 0.0).max()) <= 1e-8 * float(Y.pow(2).sum(1).max()),
    )
    ok(
        T,
        "lam-huge",
        lambda s=solver: s(Y.float(), W.float(), 1e30),
        lambda z: bool((z == 0).all()),
    )
    ok(T, "y-requires-grad", lambda s=solver, kw=exact: s(Y.clone().requires_grad_(), W, LAM, **kw),
       lambda z: solves(z.detach()))  # fmt: skip
    # Extreme scales: the exact answers are rescaled copies of Z_REF (the Lasso is homogeneous).
    # y c with lam c: z c.  W c with lam c: z / c.
    if name == "active_set_cd":  # no rescaling in its compiled kernel: it refuses, naming y or W
        raises(T, "y*1e30-float32", lambda s=solver: s(Y.float() * 1e30, W.float(), LAM * 1e30),
               ValueError, "y")  # fmt: skip
        raises(T, "W*1e-20-float32", lambda s=solver: s(Y.float(), W.float() * 1e-20, LAM * 1e-20),
               ValueError, "W")  # fmt: skip
        raises(T, "W*1e160", lambda s=solver: s(Y, W * 1e160, LAM * 1e160), ValueError, "W")
        raises(T, "W*1e-170", lambda s=solver: s(Y, W * 1e-170, LAM * 1e-170), ValueError, "W")
        continue
    ok(T, "y*1e30-float32", lambda s=solver, kw=exact: s(Y.float() * 1e30, W.float(), LAM * 1e30,
                                                         **kw),
       lambda z: close(z.double() / 1e30, Z_REF, rtol=1e-3, atol=1e-4))  # fmt: skip
    ok(T, "y*1e200", lambda s=solver, kw=exact: s(Y * 1e200, W, LAM * 1e200, **kw),
       lambda z: close(z / 1e200, Z_REF, rtol=1e-6, atol=1e-8))  # fmt: skip
    ok(T, "W*1e-20-float32", lambda s=solver, kw=exact: s(Y.float(), W.float() * 1e-20,
                                                          LAM * 1e-20, **kw),
       lambda z: close(z.double() * 1e-20, Z_REF, rtol=1e-3, atol=1e-4))  # fmt: skip
    ok(T, "W*1e160", lambda s=solver, kw=exact: s(Y, W * 1e160, LAM * 1e160, **kw),
       lambda z: close(z * 1e160, Z_REF, rtol=1e-6, atol=1e-8))  # fmt: skip
    ok(T, "W*1e-170", lambda s=solver, kw=exact: s(Y, W * 1e-170, LAM * 1e-170, **kw),
       lambda z: close(z * 1e-170, Z_REF, rtol=1e-6, atol=1e-8))  # fmt: skip

L_TRUE = sparse.lipschitz(W)
for name in ("ista", "fista"):
    T, solver = f"sparse.{name}", getattr(sparse, name)
    sweep(T, solver, sparse_base(), "L", OPT_POSITIVE)
    # A too-small L: steps beyond the stability limit. Codes that overflow: an error; codes that
    # grow without overflowing yet: returned (chapter 3 plots them) with a warning.
    raises(T, "L=lipschitz*0.3-overflows", lambda s=solver: s(Y, W, LAM, n_iter=3000,
                                                              L=0.3 * L_TRUE), ValueError, "L=")  # fmt: skip
    warns(T, "L=lipschitz*0.3-grows", lambda s=solver: s(Y, W, LAM, n_iter=50, L=0.3 * L_TRUE),
          RuntimeWarning, "L=", "energy rose")  # fmt: skip
    warns(T, "L=lipschitz*0.3-grows-history", lambda s=solver: s(Y, W, LAM, n_iter=50,
                                                                 L=0.3 * L_TRUE, history=True),
          RuntimeWarning, "L=")  # fmt: skip
    ok(T, "L=lipschitz*1.5", lambda s=solver: s(Y, W, LAM, n_iter=4000, tol=1e-12, L=1.5 * L_TRUE),
       solves)  # fmt: skip
ok("sparse.ista", "L=lipschitz*0.6-converges", lambda: sparse.ista(Y, W, LAM, n_iter=2000, tol=1e-10,
                                                                   L=0.6 * L_TRUE), solves)  # fmt: skip
warns("sparse.fista", "L=lipschitz*0.6-grows", lambda: sparse.fista(Y, W, LAM, n_iter=100,
                                                                    L=0.6 * L_TRUE),
      RuntimeWarning, "L=")  # fmt: skip
sweep("sparse.adaptive_fista", sparse.adaptive_fista, sparse_base(), "metric", CHOICE)

T = "sparse.normalize_columns"
tsweep(T, sparse.normalize_columns, lambda: {"W": W}, "W", W)
sweep(T, sparse.normalize_columns, lambda: {"W": W}, "eps", POSITIVE)
ok(T, "zero-column", lambda: sparse.normalize_columns(torch.cat([W, torch.zeros(8, 1,
                                                                 dtype=W.dtype)], 1) * 3),
   lambda V: close(V[:, :12], W) and bool((V[:, 12] == 0).all()))  # fmt: skip

T = "sparse.learn_dictionary"
Y_DICT = torch.randn(40, 8, generator=G, dtype=torch.float64)


def dict_base(**kw):
    return lambda: {"y": Y_DICT, "n_atoms": 6, "lam": 0.2, "n_epochs": 1, "tol": None,
                    "progress": False, **kw}  # fmt: skip


tsweep(T, sparse.learn_dictionary, dict_base(), "y", Y_DICT)
for arg in ("n_atoms", "n_epochs", "batch_size", "n_iter"):
    sweep(T, sparse.learn_dictionary, dict_base(), arg, POS_INT)
sweep(T, sparse.learn_dictionary, dict_base(), "lam", NONNEG)
sweep(T, sparse.learn_dictionary, dict_base(), "generator", GENERATOR)
tsweep(T, sparse.learn_dictionary, dict_base(), "W0", W[:, :6])
raises(T, "W0-shape", lambda: sparse.learn_dictionary(**dict_base(W0=W[:, :5])()), ValueError, "W0")
ok(T, "y-requires-grad-no-graph",
   lambda: sparse.learn_dictionary(**dict_base(y=Y_DICT.clone().requires_grad_())()),
   lambda D: D.grad_fn is None and not D.requires_grad and D.shape == (8, 6))  # fmt: skip
ok(T, "numpy-ints", lambda: sparse.learn_dictionary(**dict_base(n_atoms=np.int64(6),
                                                                batch_size=np.int32(16))()),
   lambda D: close(D, sparse.learn_dictionary(**dict_base(batch_size=16)())))  # fmt: skip

# ---------------------------------------------------------------------------------------------
# conv

KC = torch.randn(3, 1, 3, 3, generator=G, dtype=torch.float64)
KC = KC / KC.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
YC = torch.randn(2, 1, 10, 10, generator=G, dtype=torch.float64)
ZC = torch.randn(2, 3, 12, 12, generator=G, dtype=torch.float64)  # "full" codes
ZC_REF = conv.conv_fista(YC, KC, 0.5, n_iter=4000, tol=1e-13, boundary="circular")


def conv_base(**kw):
    return lambda: {"Y": YC, "kernels": KC, "lam": 0.5, **kw}


def conv_solves(Z, Y=YC, K=KC, lam=0.5, boundary="circular", rel=1e-6) -> bool:
    e = conv.conv_energy(Y.double(), K.double(), Z.double(), lam, boundary)
    e_ref = (
        conv.conv_energy(YC, KC, ZC_REF, 0.5, "circular")
        * (Y.double().abs().max() / YC.abs().max()) ** 2
    )
    return bool(((e - e_ref) / e_ref).max() <= rel)


T = "conv.conv_energy"
tsweep(T, conv.conv_energy, conv_base(Z=ZC), "Y", YC)
tsweep(T, conv.conv_energy, conv_base(Z=ZC), "kernels", KC)
tsweep(T, conv.conv_energy, conv_base(Z=ZC), "Z", ZC)
sweep(T, conv.conv_energy, conv_base(Z=ZC), "lam", NONNEG)
sweep(T, conv.conv_energy, conv_base(Z=ZC), "boundary", CHOICE)
raises(T, "Z-circular-shape", lambda: conv.conv_energy(YC, KC, ZC, 0.5, "circular"), ValueError,
       "Z", "(2, 3, 10, 10)")  # fmt: skip
raises(T, "Y-channels", lambda: conv.conv_energy(YC.expand(2, 3, 10, 10), KC, ZC, 0.5), ValueError,
       "Y")  # fmt: skip
raises(T, "kernels-not-square", lambda: conv.conv_energy(YC, KC[..., :2], ZC, 0.5), ValueError,
       "kernels")  # fmt: skip

T = "conv.conv_fista"
tsweep(T, conv.conv_fista, conv_base(), "Y", YC)
tsweep(T, conv.conv_fista, conv_base(), "kernels", KC)
sweep(T, conv.conv_fista, conv_base(), "lam", NONNEG)
sweep(T, conv.conv_fista, conv_base(), "n_iter", POS_INT)
sweep(T, conv.conv_fista, conv_base(), "tol", OPT_NONNEG)
sweep(T, conv.conv_fista, conv_base(), "L", OPT_POSITIVE)
sweep(T, conv.conv_fista, conv_base(), "boundary", CHOICE)
tsweep(T, conv.conv_fista, conv_base(z0=ZC), "z0", ZC)
raises(T, "kernels-zero", lambda: conv.conv_fista(YC, KC * 0, 0.5), ValueError, "kernels")
for b in ("full", "circular"):
    Lc = conv.conv_lipschitz(KC, (10, 10), b)
    raises(T, f"L-too-small-overflows-{b}", lambda b=b, Lc=Lc: conv.conv_fista(
        YC, KC, 0.5, n_iter=3000, L=0.3 * Lc, boundary=b), ValueError, "L=")  # fmt: skip
    warns(T, f"L-too-small-grows-{b}", lambda b=b, Lc=Lc: conv.conv_fista(
        YC, KC, 0.5, n_iter=30, L=0.3 * Lc, boundary=b), RuntimeWarning, "L=")  # fmt: skip
ok(T, "solves", lambda: conv.conv_fista(YC, KC, 0.5, n_iter=4000, tol=1e-13, boundary="circular"),
   conv_solves)  # fmt: skip
ok(T, "numpy-n_iter", lambda: conv.conv_fista(YC, KC, 0.5, n_iter=np.int64(30)),
   lambda Z: close(Z, conv.conv_fista(YC, KC, 0.5, n_iter=30)))  # fmt: skip
ok(T, "Y*1e30-float32", lambda: conv.conv_fista(YC.float() * 1e30, KC.float(), 0.5e30,
                                                n_iter=300, tol=1e-9, boundary="circular"),
   lambda Z: close(Z.double() / 1e30, ZC_REF, rtol=1e-3, atol=1e-4))  # fmt: skip
ok(T, "K*1e-25-float32", lambda: conv.conv_fista(YC.float(), KC.float() * 1e-25, 0.5e-25,
                                                 n_iter=300, tol=1e-9, boundary="circular"),
   lambda Z: close(Z.double() * 1e-25, ZC_REF, rtol=1e-3, atol=1e-4))  # fmt: skip
ok(T, "Y-requires-grad", lambda: conv.conv_fista(YC.clone().requires_grad_(), KC, 0.5, n_iter=5),
   lambda Z: close(Z.detach(), conv.conv_fista(YC, KC, 0.5, n_iter=5)))  # fmt: skip

T = "conv.conv_admm"
tsweep(T, conv.conv_admm, conv_base(), "Y", YC)
tsweep(T, conv.conv_admm, conv_base(), "kernels", KC)
sweep(T, conv.conv_admm, conv_base(), "lam", NONNEG)
sweep(T, conv.conv_admm, conv_base(), "n_iter", POS_INT)
sweep(T, conv.conv_admm, conv_base(), "rho_period", POS_INT)
sweep(T, conv.conv_admm, conv_base(), "tol", OPT_NONNEG)
sweep(T, conv.conv_admm, conv_base(), "rho", [v for v in OPT_POSITIVE if v[0] != "str"])
sweep(T, conv.conv_admm, conv_base(), "relax", [("0", 0.0, ValueError), ("2", 2.0, ValueError),
                                                ("nan", NAN, ValueError)])  # fmt: skip
sweep(T, conv.conv_admm, conv_base(), "relax", [("str", "1.8", TypeError)])
raises(T, "colour-kernels", lambda: conv.conv_admm(YC.expand(2, 3, 10, 10), KC.expand(3, 3, 3, 3),
                                                   0.5), ValueError, "kernels")  # fmt: skip
raises(T, "kernels-zero", lambda: conv.conv_admm(YC, KC * 0, 0.5, n_iter=500), ValueError,
       "kernels")  # fmt: skip
ok(T, "solves", lambda: conv.conv_admm(YC, KC, 0.5, n_iter=300), lambda Z: conv_solves(Z, rel=1e-4))
ok(
    T,
    "Y-requires-grad",
    lambda: conv.conv_admm(YC.clone().requires_grad_(), KC, 0.5, n_iter=20),
    lambda Z: not Z.requires_grad and close(Z, conv.conv_admm(YC, KC, 0.5, n_iter=20)),
)

T = "conv.conv_lipschitz"
tsweep(T, conv.conv_lipschitz, lambda: {"kernels": KC, "image_hw": (10, 10)}, "kernels", KC)
sweep(T, conv.conv_lipschitz, lambda: {"kernels": KC, "image_hw": (10, 10)}, "tol", NONNEG)
sweep(T, conv.conv_lipschitz, lambda: {"kernels": KC, "image_hw": (10, 10)}, "boundary", CHOICE)
for label, hw, exc in [("negative", (-3, 4), ValueError), ("zero", (0, 4), ValueError),
                       ("float", (4.5, 4), TypeError), ("one", (4,), ValueError),
                       ("str", "10", ValueError), ("None", None, ValueError)]:  # fmt: skip
    raises(T, f"image_hw={label}", lambda hw=hw: conv.conv_lipschitz(KC, hw), exc, "image_hw")
ok(T, "circular-exact", lambda: conv.conv_lipschitz(KC, torch.Size([10, 10]), "circular"),
   lambda L: abs(L - conv.conv_lipschitz(KC, (10, 10), "circular", power=True, tol=1e-12))
   <= 1e-6 * L)  # fmt: skip

T = "conv.ConvOperator"
for label, hw, exc in [("negative", (-3, 4), ValueError), ("zero", (4, 0), ValueError),
                       ("float", (4, 4.0), TypeError), ("three", (4, 4, 4), ValueError),
                       ("small-circular", (2, 2), ValueError)]:  # fmt: skip
    raises(T, f"image_hw={label}",
           lambda hw=hw, label=label: conv.ConvOperator(KC, hw, "circular" if "circ" in label
                                                        else "full"), exc, "image_hw")  # fmt: skip
sweep(T, conv.ConvOperator, lambda: {"kernels": KC, "image_hw": (10, 10)}, "boundary", CHOICE)
tsweep(T, conv.ConvOperator, lambda: {"kernels": KC, "image_hw": (10, 10)}, "kernels", KC)
sweep(T, lambda **kw: conv.ConvOperator(KC, (10, 10)).lipschitz(**kw), dict, "tol", NONNEG)
sweep(T, lambda **kw: conv.ConvOperator(KC, (10, 10)).lipschitz(power=True, **kw), dict, "max_iter",
      POS_INT)  # fmt: skip
ok(T, "adjoint", lambda: conv.ConvOperator(KC, np.array([10, 10])),
   lambda A: close((A.forward(ZC) * YC).sum(), (ZC * A.adjoint(YC)).sum(), rtol=1e-12))  # fmt: skip

T = "conv.code_shape"
ok(T, "full", lambda: conv.code_shape((2, 1, 10, 12), np.int64(3)), lambda s: s == (12, 14))
ok(T, "circular", lambda: conv.code_shape(torch.Size([10, 12]), 3, "circular"),
   lambda s: s == (10, 12))  # fmt: skip
sweep(T, conv.code_shape, lambda: {"image_shape": (10, 10), "kernel_size": 3}, "kernel_size",
      POS_INT)  # fmt: skip
sweep(T, conv.code_shape, lambda: {"image_shape": (10, 10), "kernel_size": 3}, "boundary", CHOICE)
for label, shape, exc in [("int", 10, TypeError), ("one", (10,), ValueError),
                          ("negative", (10, -1), ValueError), ("float", (10.0, 10), ValueError)]:  # fmt: skip
    raises(T, f"image_shape={label}", lambda shape=shape: conv.code_shape(shape, 3), exc,
           "image_shape")  # fmt: skip

for T, fn, base, arg, t in [
    ("conv.synthesize", conv.synthesize, lambda: {"Z": ZC, "kernels": KC}, "Z", ZC),
    ("conv.synthesize", conv.synthesize, lambda: {"Z": ZC, "kernels": KC}, "kernels", KC),
    ("conv.correlate", conv.correlate, lambda: {"Y": YC, "kernels": KC}, "Y", YC),
    ("conv.correlate", conv.correlate, lambda: {"Y": YC, "kernels": KC}, "kernels", KC),
]:
    tsweep(T, fn, base, arg, t)
    sweep(T, fn, base, "boundary", CHOICE)
raises("conv.synthesize", "Z-maps", lambda: conv.synthesize(ZC[:, :2], KC), ValueError, "Z")
raises("conv.synthesize", "Z-tiny", lambda: conv.synthesize(ZC[..., :2, :2], KC), ValueError, "Z")
raises("conv.correlate", "Y-float32", lambda: conv.correlate(YC.float(), KC), TypeError, "Y")
ok("conv.synthesize", "shape", lambda: conv.synthesize(ZC, KC), lambda Y: Y.shape == (2, 1, 10, 10))
ok("conv.correlate", "adjoint", lambda: conv.correlate(YC, KC, "circular"),
   lambda Z: close((conv.synthesize(Z, KC, "circular") * YC).sum(), (Z * Z).sum() * 0 +
                   (Z * conv.correlate(YC, KC, "circular")).sum()))  # fmt: skip


def csae(**kw):
    return conv.ConvSparseAutoencoder(**{"n_filters": 3, "kernel_size": 3, **kw})


T = "conv.ConvSparseAutoencoder"
for arg in ("n_filters", "kernel_size", "in_channels"):
    sweep(T, csae, dict, arg, POS_INT)
sweep(T, csae, dict, "nonlinearity", CHOICE)
sweep(T, csae, dict, "generator", GENERATOR)
YS = torch.randn(2, 1, 8, 8, generator=G)
tsweep(T, lambda Y: csae().encode(Y), lambda: {"Y": YS}, "Y", YS)
tsweep(T, lambda Z: csae().decode(Z), lambda: {"Z": csae().encode(YS)}, "Z",
       csae().encode(YS).detach())  # fmt: skip
raises(T, "decode-Z-maps", lambda: csae().decode(torch.zeros(2, 2, 10, 10)), ValueError, "Z")
raises(T, "encode-Y-float64", lambda: csae().encode(YS.double()), TypeError, "Y")
sweep(T, lambda lam: csae().energy(YS, lam), dict, "lam", NONNEG)
ok(T, "numpy-ints", lambda: csae(n_filters=np.int64(3), kernel_size=np.int32(3)),
   lambda m: close(m.decoder, csae().decoder))  # fmt: skip
ok(T, "forward", lambda: csae()(YS), lambda out: out[0].shape == YS.shape
   and out[1].shape == (2, 3, 10, 10))  # fmt: skip

T = "conv.DigitClassifier"
raises(T, "encoder-not-a-model", lambda: conv.DigitClassifier(torch.nn.Linear(2, 2)), TypeError,
       "encoder")  # fmt: skip
sweep(T, lambda **kw: conv.DigitClassifier(csae(), **kw), dict, "pool", POS_INT)
sweep(T, lambda **kw: conv.DigitClassifier(csae(), **kw), dict, "n_classes", POS_INT)
XD = torch.rand(6, 1, 12, 12, generator=G)
tsweep(T, lambda x: conv.DigitClassifier(csae(), pool=2)(x), lambda: {"x": XD}, "x", XD)
raises(T, "x-channels", lambda: conv.DigitClassifier(csae(), pool=2)(XD.expand(6, 3, 12, 12)),
       ValueError, "x")  # fmt: skip
ok(T, "logits", lambda: conv.DigitClassifier(csae(), pool=2).eval()(XD),
   lambda out: out.shape == (6, 10) and finite(out))  # fmt: skip

LABELS = torch.arange(6) % 3


def few(**kw):
    return conv.few_labels(**{"pretrained": csae(), "x_train": XD, "y_train": LABELS,
                              "x_test": XD, "y_test": LABELS, "n_labels": (4,), "seeds": (0,),
                              "variants": ("random",), "pool": 2, "n_steps": 2, **kw})  # fmt: skip


T = "conv.few_labels"
raises(T, "pretrained-colour", lambda: few(pretrained=csae(in_channels=3)), TypeError, "pretrained")
sweep(T, few, dict, "variants", [("bogus", ("pca",), ValueError), ("str", "sparse", TypeError),
                                 ("empty", (), ValueError)])  # fmt: skip
sweep(T, few, dict, "n_labels", [("zero", (0,), ValueError), ("float", (2.5,), TypeError),
                                 ("too-many", (60,), ValueError), ("empty", (), ValueError),
                                 ("int", 4, TypeError)])  # fmt: skip
sweep(T, few, dict, "seeds", [("negative", (-1,), ValueError), ("float", (0.5,), TypeError)])
sweep(T, few, dict, "pool", POS_INT)
sweep(T, few, dict, "n_steps", POS_INT)
sweep(T, few, dict, "y_train", [("shape", LABELS[:3], ValueError), ("float", LABELS.float(), TypeError),
                                ("class-10", LABELS + 8, ValueError), ("list", [0] * 6, TypeError)])  # fmt: skip
sweep(T, few, dict, "x_test", tensor_family(XD))
ok(T, "runs", lambda: few(), lambda r: r["accuracy"].shape == (1, 1, 1)
   and 0 <= float(r["accuracy"]) <= 1)  # fmt: skip

T = "conv.ConvSparseAutoencoder"
raises(T, "from_checkpoint-int", lambda: conv.ConvSparseAutoencoder.from_checkpoint(5), TypeError,
       "ckpt")  # fmt: skip
raises(T, "from_checkpoint-keys",
       lambda: conv.ConvSparseAutoencoder.from_checkpoint({"state": {}}), ValueError, "ckpt")  # fmt: skip


def conv_ckpt():
    m = csae()
    return {"state": m.state_dict(), "config": {"n_filters": 3, "kernel_size": 3, "in_channels": 1}}


ok(T, "old-checkpoint-without-nonlinearity", lambda: conv.ConvSparseAutoencoder.from_checkpoint(conv_ckpt()),
   lambda m: close(m.decoder, csae().decoder))  # fmt: skip
ok(T, "checkpoint-keeps-nonlinearity", lambda: conv.ConvSparseAutoencoder.from_checkpoint(
   conv.ConvSparseAutoencoder(3, kernel_size=3, nonlinearity="relu").checkpoint()),
   lambda m: m.nonlinearity == "relu")  # fmt: skip

T = "conv.DigitClassifier"
raises(T, "from_checkpoint-int", lambda: conv.DigitClassifier.from_checkpoint(5), TypeError, "ckpt")
raises(T, "from_checkpoint-keys",
       lambda: conv.DigitClassifier.from_checkpoint({"state": {}}), ValueError, "ckpt")  # fmt: skip
raises(T, "from_checkpoint-bad-encoder", lambda: conv.DigitClassifier.from_checkpoint(
       {"config": {"pool": 2, "n_classes": 10}, "encoder": 5, "state": {}}), TypeError, "ckpt")  # fmt: skip

T = "conv.orientation_selectivity"
tsweep(T, conv.orientation_selectivity, lambda: {"kernels": KC}, "kernels", KC)
sweep(T, conv.orientation_selectivity, lambda: {"kernels": KC}, "n_fft", POS_INT)
raises(T, "n_fft-small", lambda: conv.orientation_selectivity(KC, 2), ValueError, "n_fft")
ok(T, "range", lambda: conv.orientation_selectivity(KC.float()),
   lambda o: o.shape == (3,) and bool(((o >= 0) & (o <= 1)).all()))  # fmt: skip
ok(T, "zero-kernel", lambda: conv.orientation_selectivity(KC * 0), lambda o: bool((o == 0).all()))

T = "conv.random_crops"
IMS = [torch.rand(1, 12, 14, generator=G), torch.rand(1, 16, 16, generator=G)]
sweep(T, conv.random_crops, lambda: {"images": IMS, "n": 3, "size": 8}, "n", POS_INT)
sweep(T, conv.random_crops, lambda: {"images": IMS, "n": 3, "size": 8}, "size", POS_INT)
sweep(T, conv.random_crops, lambda: {"images": IMS, "n": 3, "size": 8}, "generator", GENERATOR)
sweep(T, conv.random_crops, lambda: {"images": IMS, "n": 3, "size": 8}, "images",
      [("empty", [], ValueError), ("tensor", torch.rand(2, 1, 12, 12), TypeError),
       ("2d", [torch.rand(12, 12)], ValueError), ("small", [torch.rand(1, 4, 4)], ValueError)])  # fmt: skip
ok(T, "shape", lambda: conv.random_crops(IMS, np.int64(5), 8, torch.Generator().manual_seed(0)),
   lambda c: c.shape == (5, 1, 8, 8))  # fmt: skip

for T, trainer in (("conv.train_conv_autoencoder", conv.train_conv_autoencoder),
                   ("conv.train_psd", conv.train_psd)):  # fmt: skip

    def tbase(trainer=trainer):
        kw = {"model": csae(), "images": IMS, "lam": 0.1, "n_steps": 1, "batch_size": 2,
              "crop_size": 8, "progress": False}  # fmt: skip
        return kw

    for arg in ("n_steps", "batch_size", "crop_size"):
        sweep(T, trainer, tbase, arg, POS_INT)
    sweep(T, trainer, tbase, "lam", NONNEG)
    sweep(T, trainer, tbase, "lr", POSITIVE)
    sweep(T, trainer, tbase, "encoder_decay", NONNEG)
    sweep(T, trainer, tbase, "generator", GENERATOR)
    sweep(T, trainer, tbase, "model", [("linear", torch.nn.Linear(2, 2), TypeError)])
    sweep(T, trainer, tbase, "images", [("colour", [torch.rand(3, 12, 12)], ValueError),
                                        ("small", [torch.rand(1, 6, 6)], ValueError),
                                        ("nan", [with_nan(IMS[0])], ValueError),
                                        ("tensor", torch.rand(2, 1, 12, 12), TypeError)])  # fmt: skip
    ok(T, "runs", lambda trainer=trainer, tbase=tbase: trainer(**{**tbase(), "n_steps": 2}),
       lambda h: isinstance(h, dict))  # fmt: skip
sweep("conv.train_psd", conv.train_psd, lambda: {"model": csae(), "images": IMS, "lam": 0.1,
      "n_steps": 1, "batch_size": 2, "crop_size": 8, "progress": False}, "warm_start_after",
      [("-1", -1, ValueError), ("float", 1.5, TypeError)])  # fmt: skip
for arg in ("encoder_lr",):
    sweep("conv.train_psd", conv.train_psd, lambda: {"model": csae(), "images": IMS, "lam": 0.1,
          "n_steps": 1, "batch_size": 2, "crop_size": 8, "progress": False}, arg, POSITIVE)  # fmt: skip

T = "data.whitened_images"
sweep(T, data.whitened_images, lambda: {"names": ("camera",), "downscale": 4}, "downscale", POS_INT)
sweep(T, data.whitened_images, lambda: {"names": ("camera",), "downscale": 4}, "method", CHOICE)
sweep(T, data.whitened_images, lambda: {"names": ("camera",), "downscale": 4}, "f0", POSITIVE)
sweep(T, data.whitened_images, lambda: {"names": ("camera",), "downscale": 4}, "names",
      [("str", "camera", TypeError), ("empty", (), ValueError), ("bogus", ("bogus",), ValueError)])  # fmt: skip
ok(T, "lcn", lambda: data.whitened_images(("camera",), downscale=4, method="lcn"),
   lambda ims: ims[0].shape == (1, 128, 128) and abs(float(ims[0].std()) - 1) < 1e-3)  # fmt: skip

# ---------------------------------------------------------------------------------------------
# data


def tmpdir() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="latentebm-table-"))


def a_file() -> Path:
    p = tmpdir() / "not-a-folder"
    p.write_text("x")
    return p


T = "data.data_root"
raises(T, "root-is-a-file", lambda: data.data_root(a_file()), ValueError, "root")
raises(T, "root-int", lambda: data.data_root(5), TypeError, "root")


def env_root_file():
    with env(LATENTEBM_DATA=str(a_file())):
        return data.data_root()


raises(T, "LATENTEBM_DATA-is-a-file", env_root_file, ValueError, "LATENTEBM_DATA")
ok(T, "creates", lambda: data.data_root(tmpdir() / "a" / "b"), lambda p: p.is_dir())

T = "data.mnist"
sweep(T, data.mnist, lambda: {"root": tmpdir()}, "split", CHOICE)
raises(T, "missing", lambda: data.mnist("train", root=tmpdir()), FileNotFoundError, "fetch")
raises(T, "root-file", lambda: data.mnist("train", root=a_file()), ValueError, "root")
raises(T, "device-bogus", lambda: data.mnist("test", root=tmpdir(), device="gpu0"), ValueError,
       "device")  # fmt: skip


def corrupted_cache(transform):
    """A well-formed mnist.npz whose content is wrong: the load must refuse it."""
    root = tmpdir()
    arrays = {"train_images": np.zeros((60000, 28, 28), np.uint8),
              "train_labels": np.zeros(60000, np.int64),
              "test_images": np.zeros((10000, 28, 28), np.uint8),
              "test_labels": np.zeros(10000, np.int64)}  # fmt: skip
    transform(arrays)
    np.savez(root / "mnist.npz", **arrays)
    return data.mnist("test", root=root)


raises(T, "wrong-content", lambda: corrupted_cache(lambda a: None), RuntimeError, "corrupted",
       "fetch --force")  # fmt: skip
raises(T, "labels-99", lambda: corrupted_cache(lambda a: a["test_labels"].fill(99)), RuntimeError,
       "corrupted", "fetch --force")  # fmt: skip
raises(T, "wrong-shape", lambda: corrupted_cache(lambda a: a.update(test_labels=np.zeros(5))),
       RuntimeError, "corrupted", "fetch --force")  # fmt: skip

T = "data.fetch_mnist"
raises(T, "root-file", lambda: data.fetch_mnist(a_file()), ValueError, "root")
raises(T, "force-str", lambda: data.fetch_mnist(tmpdir(), force="yes"), TypeError, "force")

T = "data.natural_images"
sweep(T, data.natural_images, dict, "names", [("str", "camera", TypeError),
      ("empty", [], ValueError), ("bogus", ["bogus"], ValueError),
      ("not-an-image", ["download_all"], ValueError), ("int", 5, TypeError)])  # fmt: skip
ok(T, "grey", lambda: data.natural_images(["camera"]), lambda ims: ims[0].shape == (512, 512))

T = "data.natural_patches"
sweep(T, data.natural_patches, lambda: {"n": 10, "size": 8, "names": ("camera",)}, "n", POS_INT)
sweep(T, data.natural_patches, lambda: {"n": 10, "size": 8, "names": ("camera",)}, "size", POS_INT)
sweep(T, data.natural_patches, lambda: {"n": 10, "size": 8, "names": ("camera",)}, "seed",
      [("-1", -1, ValueError), ("float", 0.5, TypeError), ("str", "0", TypeError)])  # fmt: skip
raises(T, "size-too-large", lambda: data.natural_patches(2, size=600, names=("camera",)),
       ValueError, "size")  # fmt: skip
ok(T, "numpy-ints", lambda: data.natural_patches(np.int64(10), np.int64(8), names=("camera",)),
   lambda P: torch.equal(P, data.natural_patches(10, 8, names=("camera",))))  # fmt: skip

T = "data.whiten_image"
IMG = np.random.default_rng(0).random((32, 32))
sweep(T, data.whiten_image, lambda: {"image": IMG}, "image", [
    ("constant", np.ones((32, 32)), ValueError), ("nan", np.full((32, 32), NAN), ValueError),
    ("1d", np.ones(32), ValueError), ("strings", [["a", "b"], ["c", "d"]], TypeError),
    ("constant-rgb", np.ones((16, 16, 3)) * [0.1, 0.5, 0.9], ValueError)])  # fmt: skip
sweep(T, data.whiten_image, lambda: {"image": IMG}, "f0", POSITIVE)
ok(T, "unit-variance", lambda: data.whiten_image(torch.from_numpy(IMG)),
   lambda w: w.shape == (32, 32) and abs(w.std() - 1) < 1e-9)  # fmt: skip

T = "data.ellipse"
sweep(T, data.ellipse, lambda: {"n": 10}, "n", POS_INT)
sweep(T, data.ellipse, lambda: {"n": 10}, "noise", NONNEG)
sweep(T, data.ellipse, lambda: {"n": 10}, "generator", GENERATOR)
sweep(T, data.ellipse, lambda: {"n": 10}, "dtype", [("int64", torch.int64, TypeError),
                                                    ("str", "float32", TypeError)])  # fmt: skip
sweep(T, data.ellipse, lambda: {"n": 10}, "radii", [("one", (1.0,), ValueError),
      ("negative", (1.0, -0.5), ValueError), ("nan", (NAN, 1.0), ValueError)])  # fmt: skip
ok(T, "on-the-ellipse", lambda: data.ellipse(np.int64(50), noise=0.0, dtype=torch.float64),
   lambda y: close((y[:, 0] / 1.0) ** 2 + (y[:, 1] / 0.5) ** 2, torch.ones(50)))  # fmt: skip

# ---------------------------------------------------------------------------------------------
# latent

YL = data.ellipse(6)


def lmodel(**kw):
    return latent.LatentEBM(**{"latent_dim": 2, "lam": [0.1, 1.0], "regularizer": "l2",
                               "hidden": 8, **kw})  # fmt: skip


ZL = torch.zeros(2, 6, 2)

T = "latent.LatentEBM"
for arg in ("latent_dim", "hidden", "y_dim"):
    sweep(T, lmodel, dict, arg, POS_INT)
sweep(T, lmodel, dict, "x_dim", [("-1", -1, ValueError), ("float", 1.5, TypeError)])
sweep(T, lmodel, dict, "lam", [("nan", [0.1, NAN], ValueError), ("negative", -1.0, ValueError),
                               ("str", "0.1", TypeError)])  # fmt: skip
sweep(
    T,
    lmodel,
    dict,
    "regularizer",
    [("bogus", "l3", ValueError), ("list-3", ["l1"] * 3, ValueError)],
)
sweep(T, lmodel, dict, "max_gain", NONNEG)
sweep(T, lmodel, dict, "noise_std", NONNEG)
sweep(T, lmodel, dict, "features", CHOICE)
sweep(T, lmodel, dict, "linear", [("str", "yes", TypeError)])
sweep(T, lmodel, dict, "generator", GENERATOR)
sweep(T, lambda y: lmodel().energy(y, ZL), lambda: {"y": YL}, "y", tensor_family(YL))
sweep(
    T, lambda z: lmodel().energy(YL, z), lambda: {"z": ZL}, "z", tensor_family(ZL, extra_dim=False)
)
raises(T, "energy-z-float64", lambda: lmodel().energy(YL, ZL.double()), TypeError, "z")
raises(T, "energy-z-shape", lambda: lmodel().energy(YL, ZL[:, :5]), ValueError, "z")
raises(
    T, "energy-x-unconditional", lambda: lmodel().energy(YL, ZL, torch.zeros(6, 1)), ValueError, "x"
)
raises(T, "energy-x-missing", lambda: lmodel(x_dim=1).energy(YL, ZL), ValueError, "x")
raises(T, "energy-x-float64", lambda: lmodel(x_dim=1).energy(YL, ZL, torch.zeros(6, 1).double()),
       TypeError, "x")  # fmt: skip
raises(T, "energy-eps-shape", lambda: lmodel().energy(YL, ZL, eps=torch.zeros(3, 2, 6, 3)),
       ValueError, "eps")  # fmt: skip
raises(T, "energy-eps-nan", lambda: lmodel().energy(YL, ZL, eps=with_nan(torch.zeros(3, 2, 6, 2))),
       ValueError, "eps")  # fmt: skip
sweep(T, lambda k: lmodel().select(k), dict, "k", [("-1", -1, ValueError), ("2", 2, ValueError),
                                                  ("float", 1.0, TypeError)])  # fmt: skip
ok(T, "select-numpy", lambda: lmodel().select(np.int64(1)), lambda m: m.n_models == 1
   and float(m.lam) == 1.0)  # fmt: skip
raises(T, "from_checkpoint-int", lambda: latent.LatentEBM.from_checkpoint(5), TypeError, "ckpt")
raises(T, "from_checkpoint-empty", lambda: latent.LatentEBM.from_checkpoint({}), ValueError, "ckpt")
ok(T, "checkpoint-roundtrip", lambda: latent.LatentEBM.from_checkpoint(lmodel().checkpoint()),
   lambda m: close(m.energy(YL, ZL), lmodel().energy(YL, ZL)))  # fmt: skip
ok(T, "numpy-ints", lambda: lmodel(latent_dim=np.int64(2), hidden=np.int32(8), x_dim=np.int64(0)),
   lambda m: close(m.W1, lmodel().W1))  # fmt: skip


def ibase(**kw):
    return lambda: {"model": lmodel(), "y": YL, "n_iter": 5, "n_restarts": 2, **kw}


T = "latent.infer"
sweep(T, latent.infer, ibase(), "model", [("module", torch.nn.Linear(2, 2), TypeError)])
sweep(T, latent.infer, ibase(), "y", tensor_family(YL))
for arg in ("n_iter", "n_restarts", "n_noise"):
    sweep(T, latent.infer, ibase(), arg, POS_INT)
sweep(T, latent.infer, ibase(), "step", POSITIVE)
sweep(T, latent.infer, ibase(), "init_std", NONNEG)
sweep(T, latent.infer, ibase(), "generator", GENERATOR)
sweep(T, latent.infer, ibase(), "z0", tensor_family(ZL, extra_dim=False))
ok(T, "z0-warm-start-wins", lambda: latent.infer(lmodel(), YL, n_iter=0 + 1, n_restarts=np.int64(2),
                                                 z0=latent.infer(lmodel(), YL, n_iter=200)[0]),
   lambda out: bool((out[1] <= latent.infer(lmodel(), YL, n_iter=200)[1] + 1e-6).all()))  # fmt: skip

T = "latent.free_energy"
sweep(T, latent.free_energy, lambda: {"model": lmodel(), "y": YL, "n_iter": 3}, "chunk", POS_INT)
sweep(T, latent.free_energy, lambda: {"model": lmodel(), "y": YL, "n_iter": 3}, "step", POSITIVE)
ok(T, "chunks-agree", lambda: latent.free_energy(lmodel(), YL, chunk=np.int64(4), n_iter=5,
                                                 n_restarts=1),  # from z = 0: no random start
   lambda F: close(F, latent.free_energy(lmodel(), YL, n_iter=5, n_restarts=1)))  # fmt: skip

T = "latent.train"
TB = lambda: {"model": lmodel(), "y": YL, "n_epochs": 1, "n_iter": 2, "progress": False}  # noqa: E731
sweep(T, latent.train, TB, "lr", POSITIVE)
for arg in ("n_epochs", "n_iter", "restart_every", "n_restarts"):
    sweep(T, latent.train, TB, arg, POS_INT)
sweep(T, latent.train, TB, "generator", GENERATOR)
sweep(T, latent.train, TB, "model", [("module", torch.nn.Linear(2, 2), TypeError)])
raises(T, "diverges", lambda: latent.train(lmodel(), YL * 1e19, n_epochs=3, n_iter=2, lr=1e30,
                                           progress=False), ValueError, "lr")  # fmt: skip
ok(T, "runs", lambda: latent.train(**TB()),
   lambda h: h["free_energy"].shape == (1, 2) and finite(h["free_energy"]))  # fmt: skip

T = "latent.grid"
sweep(T, latent.grid, dict, "extent", POSITIVE)
sweep(T, latent.grid, dict, "n", POS_INT)
sweep(T, latent.grid, dict, "like", [("int", 5, TypeError)])
ok(T, "corners", lambda: latent.grid(1.0, np.int64(3), like=torch.zeros(1, dtype=torch.float64)),
   lambda g: g.dtype == torch.float64 and g[0].tolist() == [-1.0, -1.0] and g[-1].tolist() == [1, 1])  # fmt: skip

T = "latent.energy_grid"
sweep(T, latent.energy_grid, lambda: {"model": lmodel(), "n": 4, "n_iter": 2}, "n", POS_INT)
sweep(T, latent.energy_grid, lambda: {"model": lmodel(), "n": 4, "n_iter": 2}, "extent", POSITIVE)
sweep(T, latent.energy_grid, lambda: {"model": lmodel(), "n": 4, "n_iter": 2}, "model",
      [("str", "model", TypeError)])  # fmt: skip
ok(T, "shape", lambda: latent.energy_grid(lmodel(), n=4, n_iter=2), lambda F: F.shape == (2, 4, 4))

FG = torch.rand(2, 20, 20, generator=G) + 1
FD = torch.rand(2, 6, generator=G)

T = "latent.off_data_mask"
pts = latent.grid(2.0, 5)
sweep(T, latent.off_data_mask, lambda: {"points": pts, "data": YL}, "points", tensor_family(pts))
sweep(T, latent.off_data_mask, lambda: {"points": pts, "data": YL}, "data", tensor_family(YL))
sweep(T, latent.off_data_mask, lambda: {"points": pts, "data": YL}, "min_dist", NONNEG)
raises(T, "widths", lambda: latent.off_data_mask(pts, YL[:, :1]), ValueError, "points")
ok(T, "far-point", lambda: latent.off_data_mask(torch.tensor([[5.0, 5.0], [1.0, 0.0]]),
                                                torch.tensor([[1.0, 0.0]])),
   lambda m: m.tolist() == [True, False])  # fmt: skip

for T, fn, base in [
    ("latent.on_off_energy", latent.on_off_energy, lambda: {"F_grid": FG, "F_data": FD, "data": YL}),
    ("latent.inside_outside_energy", latent.inside_outside_energy,
     lambda: {"F_grid": FG, "data": YL}),
    ("latent.landscape_table", latent.landscape_table,
     lambda: {"F_grid": FG, "F_data": FD, "data": YL}),
]:  # fmt: skip
    sweep(T, fn, base, "F_grid", tensor_family(FG))
    sweep(T, fn, base, "data", tensor_family(YL))
    sweep(T, fn, base, "min_dist", NONNEG)
    sweep(T, fn, base, "extent", POSITIVE)
    raises(T, "F_grid-not-square", lambda fn=fn, base=base: fn(**{**base(), "F_grid": FG[:, :, :19]}),
           ValueError, "F_grid")  # fmt: skip
for T, fn, base in [
    ("latent.inside_outside_energy", latent.inside_outside_energy, lambda: {"F_grid": FG, "data": YL}),
    ("latent.landscape_table", latent.landscape_table, lambda: {"F_grid": FG, "F_data": FD, "data": YL}),
]:  # fmt: skip
    sweep(T, fn, base, "radii", [("one", (1.0,), ValueError), ("zero", (1.0, 0.0), ValueError),
                                 ("nan", (NAN, 0.5), ValueError)])  # fmt: skip
sweep("latent.landscape_table", latent.landscape_table, lambda: {"F_grid": FG, "F_data": FD,
      "data": YL}, "eps", NONNEG)  # fmt: skip
sweep("latent.on_off_energy", latent.on_off_energy, lambda: {"F_grid": FG, "F_data": FD, "data": YL},
      "F_data", tensor_family(FD))  # fmt: skip
raises("latent.on_off_energy", "F_data-shape", lambda: latent.on_off_energy(FG, FD[:, :5], YL),
       ValueError, "F_data")  # fmt: skip
ok("latent.on_off_energy", "constant-grid", lambda: latent.on_off_energy(torch.ones(2, 20, 20),
                                                                         FD, YL),
   lambda r: close(r[1], torch.ones(2)) and close(r[0], FD.mean(1)))  # fmt: skip
ok("latent.landscape_table", "keys", lambda: latent.landscape_table(FG, FD, YL),
   lambda t: set(t) == {"on", "max_on", "inside", "outside", "max_inside", "min_inside",
                        "ratio", "inside_ratio", "low"})  # fmt: skip
sweep("latent.inside_outside_energy", latent.inside_outside_energy,
      lambda: {"F_grid": FG, "data": YL}, "reduce",
      [("median", "median", ValueError), ("int", 1, ValueError)])  # fmt: skip
ok("latent.inside_outside_energy", "max-above-mean", lambda: (
    latent.inside_outside_energy(FG, YL), latent.inside_outside_energy(FG, YL, reduce="max")),
   lambda r: bool((r[1][0] >= r[0][0]).all() and (r[1][1] >= r[0][1]).all()))  # fmt: skip
ok("latent.inside_outside_energy", "constant", lambda: latent.inside_outside_energy(
    torch.full((2, 20, 20), 3.0), YL), lambda r: close(r[0], 3 * torch.ones(2)))  # fmt: skip

T = "latent.pick_good"
TAB = {"low": torch.tensor([0.5, 0.05, 0.0]), "ratio": torch.tensor([9.0, 2.0, 3.0])}
sweep(T, latent.pick_good, lambda: {"table": TAB, "candidates": [0, 1, 2]}, "candidates",
      [("out-of-range", [3], ValueError), ("negative", [-1], ValueError),
       ("float", [1.0], ValueError), ("int", 1, TypeError)])  # fmt: skip
sweep(T, latent.pick_good, lambda: {"table": TAB, "candidates": [0, 1, 2]}, "max_low", NONNEG)
sweep(T, latent.pick_good, lambda: {"table": TAB, "candidates": [0, 1, 2]}, "table",
      [("list", [1], TypeError), ("keys", {"low": 1}, TypeError)])  # fmt: skip
raises(T, "none-qualifies", lambda: latent.pick_good(TAB, [0], max_low=0.1), ValueError, "max_low")
ok(T, "best-ratio", lambda: latent.pick_good(TAB, np.arange(3)), lambda k: k == 2)

ok("latent.KINDS", "kinds", lambda: latent.KINDS,
   lambda k: set(k) == {"none", "l1", "l2", "noisy", "ring"} and k["l1"] == (1.0, 0.0, 0.0)
   and k["ring"] == (0.0, 0.0, 1.0))  # fmt: skip
for T, fn, ref in (("latent.l1", latent.l1, [3.0, 0.0]), ("latent.l2sq", latent.l2sq, [5.0, 0.0])):
    raises(T, "z-list", lambda fn=fn: fn([1.0, 2.0]), TypeError, "z")
    raises(T, "z-0d", lambda fn=fn: fn(torch.tensor(1.0)), ValueError, "z")
    ok(T, "values", lambda fn=fn: fn(torch.tensor([[1.0, -2.0], [0.0, 0.0]])),
       lambda v, ref=ref: v.tolist() == ref)  # fmt: skip
T = "latent.n_active"
sweep(T, latent.n_active, lambda: {"z": ZL}, "tol", NONNEG)
raises(T, "z-list", lambda: latent.n_active([0.0]), TypeError, "z")
ok(
    T,
    "count",
    lambda: latent.n_active(torch.tensor([[0.0, 1e-7, 0.5]])),
    lambda n: n.tolist() == [1],
)

T = "latent.prox"
V3, T2, P1 = torch.randn(2, 6, 3, generator=G), torch.full((2, 6), 0.1), torch.ones(2)


def pbase():
    return {"v": V3, "t": T2, "lam": P1, "a": P1, "b": P1 * 0}


sweep(T, latent.prox, pbase, "v", tensor_family(V3))
sweep(T, latent.prox, pbase, "t", [("shape", T2[:, :5], ValueError), ("zero", T2 * 0, ValueError),
                                   ("nan", with_nan(T2), ValueError)])  # fmt: skip
for arg in ("lam", "a", "b"):
    sweep(T, latent.prox, pbase, arg, [("shape", torch.ones(3), ValueError),
                                       ("negative", -P1, ValueError), ("list", [1.0, 1.0], TypeError)])  # fmt: skip
ok(T, "soft-threshold", lambda: latent.prox(**pbase()),
   lambda z: close(z, sparse.shrink(V3, 0.1)))  # fmt: skip

# chapter 1's additions (issue 17): the ring regularizer, sections, the information of noisy codes
for T, fn, ref in (("latent.ring", latent.ring, [0.0, 1.0]),):
    raises(T, "z-list", lambda fn=fn: fn([1.0, 2.0]), TypeError, "z")
    raises(T, "z-0d", lambda fn=fn: fn(torch.tensor(1.0)), ValueError, "z")
    ok(T, "values", lambda fn=fn: fn(torch.tensor([[0.6, -0.8], [0.0, 0.0]])),
       lambda v, ref=ref: close(v, torch.tensor(ref)))  # fmt: skip
T = "latent.prox"
sweep(T, latent.prox, lambda: {**pbase(), "a": P1 * 0, "c": P1}, "c",
      [("shape", torch.ones(3), ValueError), ("negative", -P1, ValueError),
       ("list", [1.0, 1.0], TypeError)])  # fmt: skip
raises(T, "a-and-c", lambda: latent.prox(**pbase(), c=P1), ValueError, "a and c")
ok(T, "ring-norm", lambda: latent.prox(V3, T2, P1, P1 * 0, P1 * 0, P1),
   lambda z: close(z.norm(dim=-1), (V3.norm(dim=-1) + 0.2) / 1.2))  # fmt: skip
T = "latent.section"
sweep(T, latent.section, lambda: {"model": lmodel(), "n": 5, "n_iter": 2}, "direction",
      [("zero", (0.0, 0.0), ValueError), ("three", (1.0, 0.0, 0.0), ValueError),
       ("str", "y1", ValueError), ("nan", (float("nan"), 1.0), ValueError)])  # fmt: skip
sweep(T, latent.section, lambda: {"model": lmodel(), "n": 5, "n_iter": 2}, "extent", POSITIVE)
sweep(T, latent.section, lambda: {"model": lmodel(), "n": 5, "n_iter": 2}, "n", POS_INT)
sweep(T, latent.section, lambda: {"model": lmodel(), "n": 5, "n_iter": 2}, "model",
      [("module", torch.nn.Linear(2, 2), TypeError)])  # fmt: skip
ok(T, "shape", lambda: latent.section(lmodel(), n=np.int64(5), n_iter=2),
   lambda out: out[0].shape == (5,) and out[1].shape == (2, 5))  # fmt: skip
ZNOISY = torch.randn(3, 16, 2, generator=G)
for T, fn in (("latent.code_information", latent.code_information),
              ("latent.gaussian_bound", latent.gaussian_bound)):  # fmt: skip
    sweep(T, fn, lambda: {"z": ZNOISY, "noise_std": 0.3}, "z", tensor_family(ZNOISY))
    sweep(T, fn, lambda: {"z": ZNOISY, "noise_std": 0.3}, "noise_std", POSITIVE)
    ok(T, "per-model", lambda fn=fn: fn(ZNOISY, np.float64(0.3)), lambda b: b.shape == (3,))
sweep("latent.code_information", latent.code_information,
      lambda: {"z": ZNOISY, "noise_std": 0.3}, "n_samples", POS_INT)  # fmt: skip
sweep("latent.code_information", latent.code_information,
      lambda: {"z": ZNOISY, "noise_std": 0.3}, "generator", GENERATOR)  # fmt: skip
raises("latent.gaussian_bound", "one-code", lambda: latent.gaussian_bound(ZNOISY[:, :1], 0.3),
       ValueError, "at least 2")  # fmt: skip
T = "chapters.ch1_latent.loop_distance"
raises(T, "model-int", lambda: chapters.ch1_latent.loop_distance(5), TypeError, "model")
raises(T, "latent-8", lambda: chapters.ch1_latent.loop_distance(latent.LatentEBM(8)), ValueError,
       "2-D latent")  # fmt: skip
sweep(T, chapters.ch1_latent.loop_distance, lambda: {"model": lmodel()}, "n", POS_INT)
ok(T, "per-model", lambda: chapters.ch1_latent.loop_distance(lmodel()),
   lambda d: d.shape == (2,) and bool((d >= 0).all()))  # fmt: skip

# ---------------------------------------------------------------------------------------------
# vae

YV = torch.rand(4, 784, generator=G)
MU, LV = torch.zeros(4, 2), torch.zeros(4, 2)


def vmodel(**kw):
    torch.manual_seed(0)
    return vae.VAE(**{"latent_dim": 2, "hidden": 16, **kw})


T = "vae.VAE"
for arg in ("latent_dim", "hidden", "n_pixels"):
    sweep(T, vmodel, dict, arg, POS_INT)
ok(T, "numpy-ints", lambda: vmodel(latent_dim=np.int64(2), hidden=np.int32(16)),
   lambda m: close(m.enc.weight, vmodel().enc.weight))  # fmt: skip
sweep(T, lambda y: vmodel().encode(y), lambda: {"y": YV}, "y", tensor_family(YV))
raises(T, "encode-y-width", lambda: vmodel().encode(YV[:, :700]), ValueError, "y")
sweep(T, lambda z: vmodel().decode(z), lambda: {"z": MU}, "z", tensor_family(MU))
raises(T, "decode-z-width", lambda: vmodel().decode(torch.zeros(4, 3)), ValueError, "z")
RP = vae.VAE.reparameterize
sweep(T, RP, lambda: {"mu": MU, "logvar": LV}, "mu", tensor_family(MU, extra_dim=False))
sweep(T, RP, lambda: {"mu": MU, "logvar": LV}, "logvar", tensor_family(LV, extra_dim=False)
      + [("huge", LV + 1000, ValueError), ("shape", LV[:3], ValueError),
         ("float64", LV.double(), TypeError)])  # fmt: skip
sweep(T, RP, lambda: {"mu": MU, "logvar": LV}, "generator", GENERATOR)
raises(T, "mu-huge", lambda: RP(MU + 1e30, LV), ValueError, "mu")
ok(T, "reparameterize-stats", lambda: RP(torch.full((20000, 1), 3.0), torch.full((20000, 1), 2 *
                                         math.log(0.5)), torch.Generator().manual_seed(0)),
   lambda z: abs(float(z.mean()) - 3) < 0.02 and abs(float(z.std()) - 0.5) < 0.01)  # fmt: skip
sweep(T, lambda **kw: vmodel().interpolate(**kw), lambda: {"y_a": YV[0], "y_b": YV[1]}, "n_steps",
      POS_INT)  # fmt: skip
sweep(T, lambda **kw: vmodel().interpolate(**kw), lambda: {"y_a": YV[0], "y_b": YV[1]}, "y_b",
      [("size", YV[1, :700], ValueError), ("nan", with_nan(YV[1]), ValueError),
       ("list", [0.0], TypeError)])  # fmt: skip
ok(T, "interpolate-ends", lambda: vmodel().interpolate(YV[0], YV[1], np.int64(3)),
   lambda out: out.shape == (3, 784) and close(out[0], vmodel().decode(vmodel().encode(YV[:1])[0])[0],
                                               rtol=1e-5))  # fmt: skip
raises(T, "from_checkpoint-int", lambda: vae.VAE.from_checkpoint(5), TypeError, "ckpt")
raises(
    T, "from_checkpoint-keys", lambda: vae.VAE.from_checkpoint({"config": {}}), ValueError, "ckpt"
)
ok(T, "checkpoint-roundtrip", lambda: vae.VAE.from_checkpoint(vmodel().checkpoint(half=False)),
   lambda m: close(m.enc.weight, vmodel().enc.weight))  # fmt: skip

ok(
    "vae.VAELoss",
    "fields",
    lambda: vae.VAELoss._fields,
    lambda f: f == ("total", "reconstruction", "kl"),
)
for T, fn in (("vae.kl_per_dim", vae.kl_per_dim), ("vae.kl_divergence", vae.kl_divergence)):
    sweep(T, fn, lambda: {"mu": MU, "logvar": LV}, "mu", tensor_family(MU, extra_dim=False)
          + [("huge", MU + 1e30, ValueError)])  # fmt: skip
    sweep(T, fn, lambda: {"mu": MU, "logvar": LV}, "logvar", tensor_family(LV, extra_dim=False)
          + [("huge", LV + 100, ValueError), ("shape", LV[:, :1], ValueError)])  # fmt: skip
ok("vae.kl_per_dim", "closed-form", lambda: vae.kl_per_dim(torch.tensor([[1.0]]), torch.tensor([[0.0]])),
   lambda k: close(k, torch.tensor([[0.5]])))  # fmt: skip
ok(
    "vae.kl_divergence",
    "prior-is-zero",
    lambda: vae.kl_divergence(MU, LV),
    lambda k: bool((k == 0).all()),
)

T = "vae.reconstruction_loss"
LOGITS = torch.zeros(4, 784)
sweep(T, vae.reconstruction_loss, lambda: {"y": YV, "logits": LOGITS}, "y",
      tensor_family(YV) + [("above-1", YV + 1, ValueError), ("shape", YV[:3], ValueError)])  # fmt: skip
sweep(
    T, vae.reconstruction_loss, lambda: {"y": YV, "logits": LOGITS}, "logits", tensor_family(LOGITS)
)
ok(T, "log2", lambda: vae.reconstruction_loss(YV, LOGITS), lambda r: close(r, 784 * math.log(2) *
                                                                           torch.ones(4), rtol=1e-6))  # fmt: skip

T = "vae.vae_loss"
VB = lambda: {"y": YV, "logits": LOGITS, "mu": MU, "logvar": LV}  # noqa: E731
sweep(T, vae.vae_loss, VB, "beta", NONNEG)
sweep(
    T,
    vae.vae_loss,
    VB,
    "logvar",
    [("nan", with_nan(LV), ValueError), ("huge", LV + 100, ValueError)],
)
raises(T, "rows", lambda: vae.vae_loss(YV, LOGITS, MU[:3], LV[:3]), ValueError, "mu")
ok(T, "sum", lambda: vae.vae_loss(YV, LOGITS, MU + 1, LV, beta=np.float32(2.0)),
   lambda out: close(out.total, out.reconstruction + 2 * out.kl) and close(out.kl, torch.tensor(1.0)))  # fmt: skip

T = "vae.energy"
sweep(T, vae.energy, lambda: {"model": vmodel(), "y": YV}, "beta", NONNEG)
sweep(T, vae.energy, lambda: {"model": vmodel(), "y": YV}, "n_samples", POS_INT)
sweep(T, vae.energy, lambda: {"model": vmodel(), "y": YV}, "generator", GENERATOR)
sweep(T, vae.energy, lambda: {"model": vmodel(), "y": YV}, "model", [("str", "vae", TypeError)])
sweep(T, vae.energy, lambda: {"model": vmodel(), "y": YV}, "y", tensor_family(YV))
ok(T, "finite", lambda: vae.energy(vmodel(), YV, n_samples=np.int64(2)),
   lambda e: e.shape == (4,) and finite(e))  # fmt: skip

T = "vae.active_dims"
sweep(T, vae.active_dims, lambda: {"mu": MU, "logvar": LV}, "threshold", NONNEG)
sweep(
    T,
    vae.active_dims,
    lambda: {"mu": MU, "logvar": LV},
    "logvar",
    [("nan", with_nan(LV), ValueError)],
)
ok(T, "one-active", lambda: vae.active_dims(torch.tensor([[1.0, 0.0]] * 3), torch.zeros(3, 2)),
   lambda n: n == 1)  # fmt: skip

T = "vae.train_vae"
VT = lambda: {"model": vmodel(), "y": YV, "n_epochs": 1, "batch_size": 2, "progress": False}  # noqa: E731
sweep(T, vae.train_vae, VT, "lr", POSITIVE)
sweep(T, vae.train_vae, VT, "beta", NONNEG)
sweep(T, vae.train_vae, VT, "n_epochs", POS_INT)
sweep(T, vae.train_vae, VT, "batch_size", POS_INT)
sweep(T, vae.train_vae, VT, "generator", GENERATOR)
sweep(T, vae.train_vae, VT, "reduction", CHOICE)
sweep(T, vae.train_vae, VT, "model", [("linear", torch.nn.Linear(2, 2), TypeError)])
sweep(T, vae.train_vae, VT, "y", tensor_family(YV) + [("above-1", YV * 2, ValueError),
                                                       ("width", YV[:, :700], ValueError)])  # fmt: skip
sweep(T, vae.train_vae, VT, "y_test", [("nan", with_nan(YV), ValueError),
                                       ("width", YV[:, :700], ValueError)])  # fmt: skip
sweep(
    T, vae.train_vae, VT, "track", [("list", [1.0], TypeError), ("nan", with_nan(YV), ValueError)]
)
raises(T, "diverges", lambda: vae.train_vae(vmodel(), YV, n_epochs=3, batch_size=2, lr=1e8,
                                            progress=False), ValueError, "diverged", "lr=1e+08")  # fmt: skip
ok(T, "numpy-ints", lambda: vae.train_vae(**{**VT(), "n_epochs": np.int64(1),
                                             "batch_size": np.int64(2)}),
   lambda h: close(torch.tensor(h["train_loss"]), torch.tensor(vae.train_vae(**VT())["train_loss"])))  # fmt: skip

T = "vae.evaluate"
sweep(T, vae.evaluate, lambda: {"model": vmodel(), "y": YV}, "batch_size", POS_INT)
sweep(T, vae.evaluate, lambda: {"model": vmodel(), "y": YV}, "beta", NONNEG)
sweep(T, vae.evaluate, lambda: {"model": vmodel(), "y": YV}, "generator", GENERATOR)
sweep(T, vae.evaluate, lambda: {"model": vmodel(), "y": YV}, "y", tensor_family(YV))
ok(T, "batches-agree", lambda: vae.evaluate(vmodel(), YV, batch_size=np.int64(1))["kl"],
   lambda kl: abs(kl - vae.evaluate(vmodel(), YV)["kl"]) < 1e-5)  # fmt: skip

T = "vae.record_balls"
sweep(T, vae.record_balls, lambda: {"model": vmodel(), "y": YV}, "y", tensor_family(YV))
sweep(T, vae.record_balls, lambda: {"model": vmodel(), "y": YV}, "model", [("str", "m", TypeError)])
ok(T, "sigma-positive", lambda: vae.record_balls(vmodel(), YV),
   lambda r: r[0].shape == (4, 2) and bool((r[1] > 0).all()))  # fmt: skip

T = "chapters.ch6_vae.vae_name"
raises(T, "beta", lambda: chapters.ch6_vae.vae_name(2, 5.0), ValueError, "beta")
raises(T, "beta-str", lambda: chapters.ch6_vae.vae_name(2, "1"), TypeError, "beta")
ok(T, "name", lambda: chapters.ch6_vae.vae_name(20, 4.0), lambda n: n == "vae20d_beta4")

# ---------------------------------------------------------------------------------------------
# the package, LISTA, checkpoints, notebook helpers, plotting, widgets

T = "default_device"
ok(T, "a-device", latentebm.default_device, lambda d: isinstance(d, torch.device))

T = "seed_everything"
sweep(T, latentebm.seed_everything, dict, "seed", [("-1", -1, ValueError), ("float", 1.5, TypeError),
                                                   ("str", "0", TypeError), ("bool", True, TypeError)])  # fmt: skip
ok(T, "numpy-seed", lambda: latentebm.seed_everything(np.int64(3)),
   lambda g: torch.equal(torch.rand(3, generator=g), torch.rand(3, generator=torch.Generator()
                                                                 .manual_seed(3))))  # fmt: skip


def threads_then_reset(n=None, **environ):
    try:
        with env(**environ):
            return latentebm.set_threads(n)
    finally:
        latentebm.set_threads(1)


T = "set_threads"
sweep(T, threads_then_reset, dict, "n", [v for v in POS_INT if v[0] != "None"])
for bad in ("abc", "0", "-2", "1.5"):
    raises(T, f"LATENTEBM_THREADS={bad}", lambda bad=bad: threads_then_reset(LATENTEBM_THREADS=bad),
           ValueError, "LATENTEBM_THREADS")  # fmt: skip
ok(T, "numpy", lambda: threads_then_reset(np.int64(1)), lambda n: n == 1 and isinstance(n, int))
ok(T, "env", lambda: threads_then_reset(LATENTEBM_THREADS=" 1 "), lambda n: n == 1)

WL = W.float()[:, :6].contiguous()
YLI = Y.float()

T = "lista.LISTA"
sweep(T, lista.LISTA, lambda: {"W": WL, "lam": 0.1, "n_iter": 2}, "W", tensor_family(WL))
sweep(T, lista.LISTA, lambda: {"W": WL, "lam": 0.1, "n_iter": 2}, "lam", NONNEG)
sweep(T, lista.LISTA, lambda: {"W": WL, "lam": 0.1, "n_iter": 2}, "n_iter", POS_INT)
sweep(T, lista.LISTA, lambda: {"W": WL, "lam": 0.1, "n_iter": 2}, "L", OPT_POSITIVE)
sweep(
    T,
    lista.LISTA,
    lambda: {"W": WL, "lam": 0.1, "n_iter": 2},
    "untied",
    [("str", "yes", TypeError)],
)
sweep(T, lambda y: lista.LISTA(WL, 0.1, 2)(y), lambda: {"y": YLI}, "y", tensor_family(YLI))
raises(T, "y-float64", lambda: lista.LISTA(WL, 0.1, 2)(Y), ValueError, "y")
raises(T, "y-width", lambda: lista.LISTA(WL, 0.1, 2)(YLI[:, :7]), ValueError, "y")
raises(T, "from_checkpoint-int", lambda: lista.LISTA.from_checkpoint(5), TypeError, "ckpt")
raises(
    T, "from_checkpoint-keys", lambda: lista.LISTA.from_checkpoint({"W_e": 1}), ValueError, "ckpt"
)
ok(T, "equals-ista", lambda: lista.LISTA(WL, 0.1, np.int64(7))(YLI),
   lambda z: close(z, sparse.ista(YLI, WL, 0.1, n_iter=7), rtol=1e-4, atol=1e-6))  # fmt: skip
ok(T, "checkpoint-roundtrip", lambda: lista.LISTA.from_checkpoint(lista.LISTA(WL, 0.1, 3).checkpoint()),
   lambda m: close(m(YLI), lista.LISTA(WL, 0.1, 3)(YLI)))  # fmt: skip

T = "sparse.optimal_codes"
OCB = lambda: {"y": YLI, "W": WL, "lam": 0.1}  # noqa: E731
sweep(T, sparse.optimal_codes, OCB, "y", tensor_family(YLI))
sweep(T, sparse.optimal_codes, OCB, "W", tensor_family(WL))
sweep(T, sparse.optimal_codes, OCB, "max_iter", POS_INT)
sweep(T, sparse.optimal_codes, OCB, "batch_size", POS_INT)
sweep(T, sparse.optimal_codes, OCB, "tol", NONNEG)
sweep(T, sparse.optimal_codes, OCB, "lam", NONNEG)
raises(T, "widths", lambda: sparse.optimal_codes(YLI[:, :7], WL, 0.1), ValueError, "y")
ok(T, "solves", lambda: sparse.optimal_codes(Y, W, LAM, tol=1e-13, max_iter=np.int64(3000),
                                                  batch_size=2), solves)  # fmt: skip

T = "checkpoints.sparse_codes"
sweep(T, ckpts.sparse_codes, lambda: {"z": Z12}, "z", tensor_family(Z12))
ok(T, "roundtrip", lambda: ckpts.dense_codes(ckpts.sparse_codes(Z_REF)),
   lambda Z: close(Z, Z_REF.float()))  # fmt: skip
T = "checkpoints.dense_codes"
DC = ckpts.sparse_codes(Z_REF)
sweep(T, ckpts.dense_codes, lambda: {"d": DC}, "d", [
    ("int", 5, TypeError), ("missing", {"index": DC["index"]}, ValueError),
    ("index-out", {**DC, "index": DC["index"] + 1000}, ValueError),
    ("shape-neg", {**DC, "shape": [-5, 12]}, ValueError),
    ("value-list", {**DC, "value": [1.0]}, TypeError)])  # fmt: skip
ok(T, "zeros", lambda: ckpts.dense_codes(ckpts.sparse_codes(torch.zeros(2, 3))),
   lambda Z: Z.shape == (2, 3) and bool((Z == 0).all()))  # fmt: skip

T = "lista.predict"
sweep(
    T,
    lista.predict,
    lambda: {"model": lista.LISTA(WL, 0.1, 2), "y": YLI},
    "batch_size",
    POS_INT,
)
sweep(T, lista.predict, lambda: {"model": lista.LISTA(WL, 0.1, 2), "y": YLI}, "model",
      [("linear", torch.nn.Linear(2, 2), TypeError)])  # fmt: skip
sweep(
    T,
    lista.predict,
    lambda: {"model": lista.LISTA(WL, 0.1, 2), "y": YLI},
    "y",
    tensor_family(YLI),
)
ok(T, "one-signal", lambda: lista.predict(lista.LISTA(WL, 0.1, 2), YLI[1]),
   lambda z: z.shape == (6,) and close(z, lista.LISTA(WL, 0.1, 2)(YLI)[1]))  # fmt: skip
ok(T, "batches-agree", lambda: lista.predict(lista.LISTA(WL, 0.1, 2), YLI, batch_size=2),
   lambda Z: close(Z, lista.LISTA(WL, 0.1, 2)(YLI)))  # fmt: skip

T = "lista.train_lista"
ZS = torch.zeros(5, 6)


def TLB():
    return {"model": lista.LISTA(WL, 0.1, 2), "y": YLI, "z_star": ZS, "n_epochs": 1,
            "batch_size": 2, "progress": False}  # fmt: skip


sweep(T, lista.train_lista, TLB, "lr", POSITIVE)
sweep(T, lista.train_lista, TLB, "n_epochs", POS_INT)
sweep(T, lista.train_lista, TLB, "batch_size", POS_INT)
sweep(T, lista.train_lista, TLB, "max_updates", OPT_POS_INT)
sweep(T, lista.train_lista, TLB, "generator", GENERATOR)
sweep(T, lista.train_lista, TLB, "model", [("linear", torch.nn.Linear(2, 2), TypeError)])
sweep(T, lista.train_lista, TLB, "y", tensor_family(YLI))
sweep(T, lista.train_lista, TLB, "z_star", tensor_family(ZS) + [("shape", ZS[:4], ValueError)])
raises(T, "diverges", lambda: lista.train_lista(**{**TLB(), "lr": 1e30, "n_epochs": 20}),
       ValueError, "lr")  # fmt: skip
raises(T, "lr-overflows", lambda: lista.train_lista(**{**TLB(), "lr": 1e38}), ValueError, "lr")
ok(T, "loss-falls", lambda: lista.train_lista(**{**TLB(), "z_star": Z_REF[:, :6].float(),
                                                       "n_epochs": 30, "lr": 1e-2}),
   lambda h: h["loss"][-1] < h["loss"][0])  # fmt: skip

T = "chapters.ch4_lista.training_set"
raises(T, "W-shape", lambda: chapters.ch4_lista.training_set(WL, 0.1, 10, 1e-4, 10, 10), ValueError,
       "W")  # fmt: skip
raises(T, "n_train", lambda: chapters.ch4_lista.training_set(torch.zeros(784, 4), 0.1, 0, 1e-4, 10,
       10), ValueError, "n_train")  # fmt: skip
T = "chapters.ch4_lista.test_signals"
raises(T, "n", lambda: chapters.ch4_lista.test_signals(0), ValueError, "n")
ok(T, "rows", lambda: chapters.ch4_lista.test_signals(np.int64(3)), lambda y: y.shape == (3, 784))

T = "lista.code_error"
sweep(T, lista.code_error, lambda: {"z": Z12, "z_star": Z_REF}, "z", tensor_family(Z12))
sweep(T, lista.code_error, lambda: {"z": Z12, "z_star": Z_REF}, "z_star",
      [("zeros", Z_REF * 0, ValueError), ("shape", Z_REF[:4], ValueError)])  # fmt: skip
ok(T, "value", lambda: lista.code_error(2 * Z_REF, Z_REF), lambda e: abs(e - 1) < 1e-12)

T = "lista.solver_errors"
SEB = lambda: {"y": Y, "W": W, "lam": LAM, "z_star": Z_REF, "n_iters": [1, 5]}  # noqa: E731
sweep(T, lista.solver_errors, SEB, "n_iters", [("float", [2.7], TypeError), ("zero", [0], ValueError),
                                                    ("int", 5, TypeError), ("empty", [], ValueError)])  # fmt: skip
sweep(T, lista.solver_errors, SEB, "solver", CHOICE)
ok(T, "ista-decreases", lambda: lista.solver_errors(**{**SEB(), "solver": "ista",
                                                           "n_iters": [np.int64(5), 50, 500]}),
   lambda e: e[0] > e[1] > e[2])  # fmt: skip

T = "lista.equivalent_iterations"
EIB = lambda: {"targets": [0.5], "y": Y, "W": W, "lam": LAM, "z_star": Z_REF}  # noqa: E731
sweep(T, lista.equivalent_iterations, EIB, "targets", [("float", 0.5, TypeError),
      ("negative", [-1.0], ValueError), ("nan", [NAN], ValueError)])  # fmt: skip
sweep(T, lista.equivalent_iterations, EIB, "max_iter", POS_INT)
ok(T, "reached", lambda: lista.equivalent_iterations([0.5, 0.0], Y, W, LAM, Z_REF, max_iter=50),
   lambda t: t[1] is None and lista.code_error(sparse.fista(Y, W, LAM, n_iter=t[0]), Z_REF)
   <= 0.5 < lista.code_error(sparse.fista(Y, W, LAM, n_iter=t[0] - 1), Z_REF))  # fmt: skip

T = "lista.seconds_per_signal"
sweep(T, lista.seconds_per_signal, lambda: {"fn": lambda y: y, "y": YLI}, "fn",
      [("int", 5, TypeError)])  # fmt: skip
sweep(T, lista.seconds_per_signal, lambda: {"fn": lambda y: y, "y": YLI}, "repeats", POS_INT)
sweep(
    T,
    lista.seconds_per_signal,
    lambda: {"fn": lambda y: y, "y": YLI},
    "y",
    [("list", [1.0], TypeError)],
)
ok(T, "positive", lambda: lista.seconds_per_signal(lambda y: y * 2, YLI, repeats=np.int64(2)),
   lambda s: 0 < s < 1)  # fmt: skip


T = "checkpoints.path_of"
sweep(T, ckpts.path_of, dict, "name", [("int", 5, ValueError), ("traversal", "../x", ValueError),
                                       ("empty", "", ValueError), ("slash", "a/b", ValueError)])  # fmt: skip
ok(T, "committed", lambda: ckpts.path_of("mnist_dictionary"), lambda p: p.is_file())

T = "checkpoints.save"
for label, obj, exc, where in [
    ("np-float64", {"lam": np.float64(0.5)}, TypeError, "obj['lam']"),
    ("np-array", {"W": np.zeros(3)}, TypeError, "obj['W']"),
    ("slice", {"s": [1, slice(0, 2)]}, TypeError, "obj['s'][1]"),
    ("module", {"m": torch.nn.Linear(2, 2)}, TypeError, "obj['m']"),
    ("lambda", {"f": lambda: 0}, TypeError, "obj['f']"),
    ("set", {"s": {1, 2}}, TypeError, "obj['s']"),
    ("tuple-key", {(1, 2): torch.zeros(1)}, TypeError, "key"),
    ("nan-weights", {"state": {"W": torch.tensor([1.0, NAN])}}, ValueError, "obj['state']['W']"),
    ("inf-half", {"W": torch.tensor([70000.0]).half()}, ValueError, "obj['W']"),
]:  # fmt: skip
    raises(T, label, lambda obj=obj: ckpts.save(obj, tmpdir() / "c.pt"), exc, where)
raises(T, "path-int", lambda: ckpts.save({"a": 1}, 5), TypeError, "path")
raises(T, "serialize-np", lambda: ckpts.serialize([np.int64(3)]), TypeError, "obj[0]")
ok("checkpoints.serialize", "bytes", lambda: ckpts.serialize({"a": torch.ones(1)}),
   lambda b: torch.load(io.BytesIO(b), weights_only=True)["a"].item() == 1.0)  # fmt: skip
ok("checkpoints.read_manifest", "every-committed-file",
   lambda: ckpts.read_manifest(),
   lambda m: set(m) == {p.name for p in ckpts.CHECKPOINT_DIR.glob("*.pt")})  # fmt: skip
ok(T, "roundtrip", lambda: ckpts.load(ckpts.save({"W": torch.ones(2), "h": [1.5, NAN], "n": None},
                                                 tmpdir() / "c.pt")),
   lambda d: torch.equal(d["W"], torch.ones(2)) and math.isnan(d["h"][1]) and d["n"] is None)  # fmt: skip


def one_line(e: Exception) -> bool:
    return "\n" not in str(e) and "\x1b" not in str(e) and "weights_only=False" in str(e)


def tampered(tmp: Path) -> Path:
    p = tmp / "t.pt"
    torch.save(
        {"lam": np.float64(0.5)}, p
    )  # what torch.save accepts and a weights-only load refuses
    return p


T = "checkpoints.load"
raises(T, "missing", lambda: ckpts.load(tmpdir() / "none.pt"), FileNotFoundError, "no checkpoint")
raises(T, "garbage", lambda: ckpts.load((lambda p: (p.write_bytes(b"xx"), p)[1])(tmpdir() / "g.pt")),
       RuntimeError, "unreadable")  # fmt: skip
raises(T, "weights-only-refused", lambda: ckpts.load(tampered(tmpdir())), RuntimeError,
       "do not load it with weights_only=False")  # fmt: skip
raises(T, "nan-weights", lambda: ckpts.load((lambda p: (torch.save({"W": torch.tensor([NAN])}, p),
                                                        p)[1])(tmpdir() / "n.pt")),
       RuntimeError, "ckpt['W']")  # fmt: skip
raises(T, "folder", lambda: ckpts.load(tmpdir()), ValueError, "path")

T = "checkpoints.load_or_train"
raises(T, "train_fn-int", lambda: ckpts.load_or_train(tmpdir() / "x.pt", 5), TypeError, "train_fn")
raises(T, "retrain-str", lambda: ckpts.load_or_train(tmpdir() / "x.pt", dict, retrain="yes"),
       TypeError, "retrain")  # fmt: skip
raises(T, "unsaveable-result", lambda: ckpts.load_or_train(tmpdir() / "x.pt",
                                                          lambda: {"W": np.zeros(2)}),
       TypeError, "obj['W']")  # fmt: skip
ok(T, "trains-once", lambda: (lambda p: (ckpts.load_or_train(p, lambda: {"a": 1}),
                                         ckpts.load_or_train(p, lambda: {"a": 2}))[1])(tmpdir() / "o.pt"),
   lambda d: d == {"a": 1})  # fmt: skip

T = "notebook.setup"
raises(T, "seed", lambda: notebook.setup(seed=-1, threads=1), ValueError, "seed")
raises(T, "threads", lambda: notebook.setup(threads="2"), TypeError, "threads")
T = "notebook.show_source"
raises(T, "obj-int", lambda: notebook.show_source(5), TypeError, "obj")
T = "notebook.benchmark_tables"
raises(T, "heading-int", lambda: notebook.benchmark_tables(3), TypeError, "heading")
raises(T, "heading-empty", lambda: notebook.benchmark_tables(" "), TypeError, "heading")
raises(T, "heading-unknown", lambda: notebook.benchmark_tables("No such section"), ValueError,
       "heading")  # fmt: skip
T = "notebook.show_benchmark_tables"
raises(T, "which-out-of-range",
       lambda: notebook.show_benchmark_tables("Block coordinate descent", which=[99]),
       ValueError, "which")  # fmt: skip

T = "plotting.use_book_style"
ok(T, "dpi", lambda: (plot_core.use_book_style(), __import__("matplotlib").rcParams["figure.dpi"])[1],
   lambda dpi: dpi == 90)  # fmt: skip


W9 = torch.randn(9, 4, generator=G)


def atoms(**kw):
    import matplotlib.pyplot as plt

    try:
        return plot_core.show_atoms(**{"W": W9, "shape": (3, 3), **kw})
    finally:
        plt.close("all")


T = "plotting.show_atoms"
sweep(T, atoms, dict, "shape", [("three", (3, 3, 1), ValueError), ("zero", (0, 3), ValueError),
                                ("mismatch", (2, 3), ValueError)], )  # fmt: skip
sweep(T, atoms, dict, "ncols", [("0", 0, ValueError), ("float", 2.5, TypeError)])
sweep(T, atoms, dict, "pad", [("-1", -1, ValueError)])
sweep(T, atoms, dict, "W", [("list", [[1.0]], TypeError), ("nan", with_nan(W9), ValueError),
                            ("kernels-size", torch.zeros(4, 2, 2), ValueError)])  # fmt: skip
ok(T, "kernels", lambda: atoms(W=torch.randn(4, 1, 3, 3)), lambda ax: ax is not None)


def png(**kw):
    import matplotlib.pyplot as plt

    return plot_core.fig_to_png(**{"fig": plt.figure(figsize=(1, 1)), **kw})


T = "plotting.fig_to_png"
sweep(T, png, dict, "fig", [("int", 5, TypeError), ("axes", None, TypeError)])
sweep(T, png, dict, "dpi", [("0", 0, ValueError), ("float", 72.5, TypeError)])
ok(T, "png", lambda: png(dpi=np.int64(20)), lambda b: b[:8] == b"\x89PNG\r\n\x1a\n")

T = "plotting.to_numpy"
raises(T, "x=str", lambda: plot_core.to_numpy("0.5"), TypeError, "x")
raises(T, "x=ragged", lambda: plot_core.to_numpy([[1.0], [1.0, 2.0]]), TypeError, "x")
ok(T, "grad-tensor", lambda: plot_core.to_numpy(W9 * torch.ones(1, requires_grad=True)),
   lambda a: isinstance(a, np.ndarray) and a.dtype == np.float32 and np.allclose(a, W9.numpy()))  # fmt: skip


def shown(fn, **kw):
    """What a plot helper returned, its figure closed."""
    import matplotlib.pyplot as plt

    try:
        return fn(**kw)
    finally:
        plt.close("all")


T = "plotting.signed_image"
sweep(T, lambda **kw: shown(plot_core.signed_image, **kw), lambda: {"img": W9}, "img",
      [("1-D", torch.ones(4), ValueError), ("2-channels", torch.ones(2, 3, 3), ValueError),
       ("empty", torch.ones(0, 3), ValueError), ("str", "img", TypeError)])  # fmt: skip
ok(T, "symmetric", lambda: shown(plot_core.signed_image, img=W9).images[0].get_clim(),
   lambda c: -c[0] == c[1] == float(W9.abs().max()))  # fmt: skip
T = "plotting.signed_rgb"
raises(T, "x=grey", lambda: plot_core.signed_rgb(torch.ones(1, 3, 3)), ValueError, "x")
ok(T, "grey-at-0", lambda: plot_core.signed_rgb(torch.zeros(3, 2, 2)), lambda a: np.all(a == 0.5))
T = "plotting.tile"
TILE_ARGS = lambda: {"images": np.zeros((3, 2, 2)), "ncols": 2}  # noqa: E731
sweep(T, plot_core.tile, TILE_ARGS, "images", [("2-D", np.zeros((2, 2)), ValueError),
                                        ("4-channels", np.zeros((1, 2, 2, 4)), ValueError)])  # fmt: skip
sweep(T, plot_core.tile, TILE_ARGS, "ncols", POS_INT)
sweep(T, plot_core.tile, TILE_ARGS, "pad", [("-1", -1, ValueError), ("float", 1.5, TypeError)])
ok(T, "shape", lambda: plot_core.tile(**TILE_ARGS()), lambda c: c.shape == (2 * 3 + 1, 2 * 3 + 1))


def drawn(fn, **kw):
    """A diagram element drawn on a fresh canvas; the figure closed."""
    return shown(lambda **k: fn(diagram.canvas(4, 4), **k), **kw)


T = "plotting.diagram.canvas"
CANVAS_ARGS = lambda: {"width": 4, "height": 2}  # noqa: E731
sweep(T, lambda **kw: shown(diagram.canvas, **kw), CANVAS_ARGS, "width", POSITIVE)
ok(T, "limits", lambda: shown(diagram.canvas, width=4, height=2).get_xlim(), lambda x: x == (0, 4))
T = "plotting.diagram.node"
SHAPE_ARGS = lambda: {"xy": (1, 1), "text": "z"}  # noqa: E731
sweep(T, lambda **kw: drawn(diagram.node, **kw), SHAPE_ARGS, "kind", CHOICE)
sweep(T, lambda **kw: drawn(diagram.node, **kw), SHAPE_ARGS, "r", POSITIVE)
ok(T, "observed", lambda: drawn(diagram.node, xy=(1, 1), text="y", kind="observed").get_facecolor(),
   lambda c: np.allclose(c[:3], 0.8))  # fmt: skip
T = "plotting.diagram.box"
sweep(T, lambda **kw: drawn(diagram.box, **kw), SHAPE_ARGS, "kind", CHOICE)
sweep(T, lambda **kw: drawn(diagram.box, **kw), SHAPE_ARGS, "w", POSITIVE)
sweep(T, lambda **kw: drawn(diagram.box, **kw), SHAPE_ARGS, "h", POSITIVE)
ok(T, "energy-square", lambda: drawn(diagram.box, xy=(1, 1), text="C", kind="energy").get_boxstyle(),
   lambda s: type(s).__name__ == "Square")  # fmt: skip
T = "plotting.diagram.op"
sweep(T, lambda **kw: drawn(diagram.op, **kw), lambda: {"xy": (1, 1)}, "size", POSITIVE)
ok(T, "size", lambda: drawn(diagram.op, xy=(1, 1), size=0.5).get_width(), lambda w: w == 0.5)
T = "plotting.diagram.arrow"
ARROW_ARGS = lambda: {"start": (0, 0), "end": (1, 1)}  # noqa: E731
sweep(T, lambda **kw: drawn(diagram.arrow, **kw), ARROW_ARGS, "start",
      [("str", "y", TypeError), ("None", None, TypeError)])  # fmt: skip
sweep(
    T,
    lambda **kw: drawn(diagram.arrow, **kw),
    ARROW_ARGS,
    "end",
    [("3-tuple", (1, 2, 3), TypeError)],
)
sweep(T, lambda **kw: drawn(diagram.arrow, **kw), ARROW_ARGS, "via", [("str", ["ab c"], TypeError)])
ok(T, "ends", lambda: drawn(diagram.arrow, start=(0, 0), end=(1, 2))._posA_posB,
   lambda p: tuple(map(tuple, p)) == ((0, 0), (1, 2)))  # fmt: skip
T = "plotting.diagram.draw_convention"
ok(T, "four-kinds", lambda: len(shown(diagram.draw_convention).texts), lambda n: n == 8)

try:
    from latentebm import widgets
except ImportError:  # ipywidgets is optional
    widgets = None
if widgets is not None:
    P1B = {"a": b"\x89PNG", "b": b"\x89PNG"}
    T = "widgets.precomputed_slider"
    sweep(T, widgets.precomputed_slider, lambda: {"pngs": P1B}, "pngs",
          [("empty", {}, ValueError), ("str-values", {"a": "x"}, TypeError), ("list", [b"x"], ValueError)])  # fmt: skip
    sweep(
        T,
        widgets.precomputed_slider,
        lambda: {"pngs": P1B},
        "default",
        [("missing", "c", ValueError)],
    )
    ok(T, "default", lambda: widgets.precomputed_slider(P1B, default="b"),
       lambda box: box.children[1].selected_index == 1)  # fmt: skip
    P2 = {(a, b): b"\x89PNG" for a in (1, 2) for b in ("x", "y")}
    T = "widgets.precomputed_grid"
    sweep(T, widgets.precomputed_grid, lambda: {"pngs": P2}, "pngs",
          [("missing-pair", dict(list(P2.items())[:3]), ValueError), ("flat-keys", P1B, ValueError)])  # fmt: skip
    sweep(T, widgets.precomputed_grid, lambda: {"pngs": P2}, "defaults",
          [("unknown", (3, "x"), ValueError), ("one", (1,), ValueError)])  # fmt: skip
    sweep(
        T,
        widgets.precomputed_grid,
        lambda: {"pngs": P2},
        "descriptions",
        [("one", ("a",), ValueError)],
    )
    ok(T, "defaults", lambda: widgets.precomputed_grid(P2, defaults=(2, "y")),
       lambda box: box.children[2].selected_index == 1)  # fmt: skip

    def bars(v, *more):
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(1, 1))
        ax.bar([0, 1], [v, len(more)])
        return ax

    T = "widgets.slider_over"
    SLIDER_ARGS = lambda: {"values": [1, 2], "draw": bars, "dpi": 20}  # noqa: E731
    sweep(T, widgets.slider_over, SLIDER_ARGS, "values", [("str", "ab", TypeError), ("empty", [], ValueError),
                                                 ("int", 3, TypeError)])  # fmt: skip
    sweep(T, widgets.slider_over, SLIDER_ARGS, "draw", [("int", 3, TypeError),
                                               ("no-figure", lambda v: None, TypeError)])  # fmt: skip
    sweep(T, widgets.slider_over, SLIDER_ARGS, "default", [("missing", 3, ValueError)])
    sweep(
        T,
        widgets.slider_over,
        SLIDER_ARGS,
        "dpi",
        [("0", 0, ValueError), ("float", 72.5, TypeError)],
    )
    sweep(T, widgets.slider_over, SLIDER_ARGS, "label", [("not-callable", "{:g}", TypeError),
                                                ("same", lambda v: "x", ValueError)])  # fmt: skip
    ok(T, "default", lambda: widgets.slider_over(**SLIDER_ARGS(), default=2).children[0].index,
       lambda i: i == 1)  # fmt: skip
    T = "widgets.grid_over"
    GRID_ARGS = lambda: {"values_a": [1, 2], "values_b": ["x"], "draw": bars, "dpi": 20}  # noqa: E731
    sweep(T, widgets.grid_over, GRID_ARGS, "values_b", [("empty", [], ValueError),
                                                 ("str", "x", TypeError)])  # fmt: skip
    sweep(T, widgets.grid_over, GRID_ARGS, "draw", [("int", 3, TypeError)])
    sweep(T, widgets.grid_over, GRID_ARGS, "defaults", [("unknown", (3, "x"), ValueError),
                                                 ("one", (1,), ValueError)])  # fmt: skip
    ok(T, "defaults", lambda: [s.index for s in widgets.grid_over(**GRID_ARGS(), defaults=(2, "x")).children[:2]],
       lambda i: i == [1, 0])  # fmt: skip
    T = "widgets.keep_stored_widget_state"
    # A pre-save hook: models it cannot act on (a file, a notebook without widgets, no server
    # root) are saved as they are; it returns None and changes nothing.
    FILE = {"type": "file", "content": "x"}
    NB = {"type": "notebook", "content": {"cells": [], "metadata": {}}}
    ok(T, "file", lambda: (widgets.keep_stored_widget_state(FILE, "a.txt"), FILE)[1],
       lambda m: m == {"type": "file", "content": "x"})  # fmt: skip
    ok(T, "no-widgets", lambda: (widgets.keep_stored_widget_state(NB, "a.ipynb"), NB)[1],
       lambda m: m["content"]["cells"] == [] and "widgets" not in m["content"]["metadata"])  # fmt: skip


# latentebm.live: each chapter's live control and its update function (values are checked before
# anything is loaded or computed), the control machinery, the notebook-cell convention.
if widgets is not None:
    from latentebm import live

    LIVE = {  # target: (function, valid keyword arguments)
        "live.retrained_landscape": (live.retrained_landscape, {"lam": 0.3, "regularizer": "L2²"}),
        "live.chapter1": (live.chapter1, {"lam": 0.3, "regularizer": "L2²"}),
        "live.encode_digit": (live.encode_digit, {"lam": 0.5, "digit": 0}),
        "live.chapter2": (live.chapter2, {"lam": 0.5, "digit": 0}),
        "live.convergence": (live.convergence, {"step": 1.0, "n_iter": 20, "digit": 0}),
        "live.chapter3": (live.chapter3, {"step": 1.0, "n_iter": 20, "digit": 0}),
        "live.lista_vs_fista": (live.lista_vs_fista, {"n_iter": 3, "shift": 0, "noise": 0.0, "digit": 0}),
        "live.chapter4": (live.chapter4, {"n_iter": 3, "shift": 0, "noise": 0.0, "digit": 0}),
        "live.conv_code": (live.conv_code, {"lam": 2.0, "image": "camera"}),
        "live.chapter5": (live.chapter5, {"lam": 2.0, "image": "camera"}),
        "live.vae_explorer": (live.vae_explorer, {"beta": 1.0, "z1": 0.0, "z2": 0.0, "digit": 0}),
        "live.chapter6": (live.chapter6, {"beta": 1.0, "z1": 0.0, "z2": 0.0, "digit": 0}),
    }  # fmt: skip
    DIGIT = [("-1", -1, ValueError), ("10000", 10000, ValueError), ("float", 1.0, TypeError),
             ("bool", True, TypeError)]  # fmt: skip
    BAD = {  # argument: its bad values
        "lam": POSITIVE, "digit": DIGIT, "step": POSITIVE, "n_iter": POS_INT + [("501", 501, ValueError)],
        "noise": NONNEG + [("2.5", 2.5, ValueError)],
        "shift": [("7", 7, ValueError), ("float", 1.5, TypeError), ("bool", True, TypeError)],
        "regularizer": CHOICE, "image": CHOICE, "beta": [("2", 2.0, ValueError), ("str", "1", TypeError)],
        "z1": [("nan", NAN, ValueError), ("inf", INF, ValueError), ("str", "0", TypeError)],
        "z2": [("nan", NAN, ValueError), ("str", "0", TypeError)],
    }  # fmt: skip
    for T, (fn, kw) in LIVE.items():
        for arg in kw:
            family = BAD[arg]
            if arg == "lam" and T in ("live.encode_digit", "live.chapter2", "live.conv_code",
                                      "live.chapter5"):  # fmt: skip
                family = NONNEG  # lam = 0 is a (dense) code there; only chapter 1 needs lam > 0
            if arg == "n_iter" and T in ("live.lista_vs_fista", "live.chapter4"):
                family = POS_INT + [("4", 4, ValueError)]  # K: one of the trained depths
            sweep(T, fn, lambda kw=kw: dict(kw), arg, family)
    ok("live.encode_digit", "numbers", lambda: live.encode_digit(0.75, 0)[1],
       lambda n: n["active atoms"] > 0 and 0 < n["relative error"] < 1)  # fmt: skip
    ok("live.vae_explorer", "numbers", lambda: live.vae_explorer(64.0, 0.0, 0.0, 1)[1],
       lambda n: n["KL to the prior (nats)"] < 0.01)  # fmt: skip
    ok("live.chapter6", "a control", lambda: live.chapter6(beta=4.0),
       lambda c: c.values == {"beta": 4.0, "z1": 0.0, "z2": 0.0, "digit": 0})  # fmt: skip
    raises("live.chapter6", "out-of-range", lambda: live.chapter6(z1=9.0), ValueError, "z1")

    T = "live.LiveControl"
    LIVE_SLIDER = lambda: live.control.float_slider("a", 1.0, 0.0, 2.0, 0.1)  # noqa: E731
    raises(T, "update", lambda: live.LiveControl(None, {"a": LIVE_SLIDER()}), TypeError, "update")
    raises(T, "controls-empty", lambda: live.LiveControl(print, {}), ValueError, "controls")
    raises(T, "controls-widget", lambda: live.LiveControl(print, {"a": 1.0}), TypeError, "controls")
    raises(T, "initial", lambda: live.LiveControl(print, {"a": LIVE_SLIDER()}, initial={"a": 5.0}),
           ValueError, "a must be in the control's range")  # fmt: skip
    raises(T, "debounce", lambda: live.LiveControl(print, {"a": LIVE_SLIDER()}, debounce=-1.0),
           ValueError, "delay")  # fmt: skip
    ok(T, "draws", lambda: live.LiveControl(lambda a: (plot_core.plt.figure(), {"a": a}),
                                            {"a": LIVE_SLIDER()}),
       lambda c: c.numbers == {"a": 1.0} and bytes(c.image.value)[:4] == b"\x89PNG")  # fmt: skip
    T = "live.Debouncer"
    raises(T, "fn", lambda: live.Debouncer(3), TypeError, "fn")
    sweep(T, live.Debouncer, lambda: {"fn": print}, "delay",
          [("-1", -1.0, ValueError), ("inf", INF, ValueError), ("str", "1", TypeError)])  # fmt: skip
    ok(T, "no-loop", lambda: (lambda runs: (live.Debouncer(lambda: runs.append(1)).request(), runs)[1])([]),
       lambda runs: runs == [1])  # fmt: skip
    T = "live.live_cells"
    sweep(T, live.live_cells, lambda: {"chapter": 2, "sentence": "Below."}, "chapter",
          [("0", 0, ValueError), ("7", 7, ValueError), ("str", "2", ValueError)])  # fmt: skip
    sweep(T, live.live_cells, lambda: {"chapter": 2, "sentence": "Below."}, "sentence",
          [("empty", " ", ValueError), ("None", None, ValueError)])  # fmt: skip
    ok(T, "tags", lambda: live.live_cells(2, "Below."),
       lambda c: c[1]["metadata"]["tags"] == ["remove-cell", "nbval-ignore-output"])  # fmt: skip
    raises("live.is_live_cell", "str", lambda: live.is_live_cell("chapter1()"), TypeError, "cell")
    ok("live.is_live_cell", "code", lambda: live.is_live_cell(live.live_cells(5, "x")[1]), bool)
    ok("live.LIVE_CELL_TAGS", "tags", lambda: live.LIVE_CELL_TAGS,
       lambda t: set(t) == {"remove-cell", "nbval-ignore-output"})  # fmt: skip
    ok(
        "live.LIVE_SENTENCE_TAGS",
        "tags",
        lambda: live.LIVE_SENTENCE_TAGS,
        lambda t: t == ("remove-cell",),
    )
    ok("live.REGULARIZERS", "table", lambda: live.REGULARIZERS,
       lambda r: set(r) >= {"L1", "L2²", "none"} and all(isinstance(v, live.Regularizer) for v in r.values()))  # fmt: skip
    from latentebm.live import cells as live_cells_mod

    def LIVE_NB():  # a fresh one-cell notebook whose cell is chapter 2's anchor
        return {"cells": [{"cell_type": "code", "source": 'slider_over(v, f, description="λ")'}]}

    LIVE_NB_BAD = [("None", None, TypeError), ("list", [], TypeError), ("no-cells", {}, TypeError),
              ("cells-str", {"cells": "x"}, TypeError), ("cell-str", {"cells": ["x"]}, TypeError)]  # fmt: skip
    LIVE_CH_BAD = [("0", 0, ValueError), ("7", 7, ValueError), ("str", "2", ValueError),
              ("bool", True, ValueError), ("float", 2.0, ValueError)]  # fmt: skip
    for T, fn in [("live.cells.shows_control", live_cells_mod.shows_control),
                  ("live.cells.find_anchor", live_cells_mod.find_anchor),
                  ("live.cells.insert_live_cells", live_cells_mod.insert_live_cells)]:  # fmt: skip
        sweep(T, fn, lambda: {"nb": LIVE_NB(), "chapter": 2}, "nb", LIVE_NB_BAD)
        sweep(T, fn, lambda: {"nb": LIVE_NB(), "chapter": 2}, "chapter", LIVE_CH_BAD)
    raises("live.cells.find_anchor", "none", lambda: live_cells_mod.find_anchor(LIVE_NB(), 6),
           ValueError, "chapter 6")  # fmt: skip
    ok(
        "live.cells.find_anchor",
        "found",
        lambda: live_cells_mod.find_anchor(LIVE_NB(), 2),
        lambda i: i == 0,
    )
    ok("live.cells.insert_live_cells", "inserted", lambda: (lambda nb: (live_cells_mod.insert_live_cells(nb, 2), len(nb["cells"])))(LIVE_NB()),
       lambda r: r == (True, 3))  # fmt: skip
    ok(
        "live.cells.shows_control",
        "no",
        lambda: live_cells_mod.shows_control(LIVE_NB(), 2),
        lambda r: r is False,
    )
    T = "live.cells.chapter_of"
    raises(T, "int", lambda: live_cells_mod.chapter_of(2), TypeError, "path")
    raises(T, "None", lambda: live_cells_mod.chapter_of(None), TypeError, "path")
    ok(
        T,
        "chapter",
        lambda: live_cells_mod.chapter_of("notebooks/04_lista.ipynb"),
        lambda c: c == 4,
    )
    ok(
        T,
        "other",
        lambda: live_cells_mod.chapter_of("notebooks/00_how_to_read.ipynb"),
        lambda c: c is None,
    )
    T = "live.cells.insert_into_notebook"

    def _bad_notebook_file(text):
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "02_sparse_coding.ipynb")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    raises(T, "path-int", lambda: live_cells_mod.insert_into_notebook(2), TypeError, "path")
    raises(T, "check-str", lambda: live_cells_mod.insert_into_notebook("x.ipynb", check="yes"),
           TypeError, "check")  # fmt: skip
    raises(T, "missing-file", lambda: live_cells_mod.insert_into_notebook("/nonexistent/02_x.ipynb"),
           FileNotFoundError, "02_x")  # fmt: skip
    raises(T, "not-json", lambda: live_cells_mod.insert_into_notebook(_bad_notebook_file("{")),
           ValueError, "not a notebook")  # fmt: skip
    raises(T, "no-cells", lambda: live_cells_mod.insert_into_notebook(_bad_notebook_file("[]")),
           ValueError, "not a notebook")  # fmt: skip
    ok(T, "skipped", lambda: live_cells_mod.insert_into_notebook("notebooks/fr/00_how_to_read.ipynb"),
       lambda r: r == "skipped")  # fmt: skip
    ok("live.Regularizer", "entry", lambda: live.Regularizer("l1", "latent_sweep"),
       lambda r: (r.kind, r.checkpoint) == ("l1", "latent_sweep"))  # fmt: skip

# sparse.dictionary and conv.train / conv.transfer helpers outside the __all__s
from latentebm.conv import transfer as conv_transfer  # noqa: E402
from latentebm.sparse import dictionary as sp_dict  # noqa: E402

T = "sparse.dictionary.code_quality"
sweep(T, sp_dict.code_quality, lambda: {"y": Y, "W": W, "lam": LAM}, "y", tensor_family(Y))
sweep(T, sp_dict.code_quality, lambda: {"y": Y, "W": W, "lam": LAM}, "lam", NONNEG)
sweep(T, sp_dict.code_quality, lambda: {"y": Y, "W": W, "lam": LAM}, "n_iter", POS_INT)
ok(T, "energy", lambda: sp_dict.code_quality(Y, W, LAM, n_iter=np.int64(3000)),
   lambda q: abs(q["energy"] - float(sparse.energy(Y, W, Z_REF, LAM).mean())) < 1e-9)  # fmt: skip
for T, fn in (("chapters.ch2_sparse.training_signals", chapters.ch2_sparse.training_signals),
              ("chapters.ch2_sparse.held_out_signals", chapters.ch2_sparse.held_out_signals)):  # fmt: skip
    raises(T, "name", lambda fn=fn: fn("cifar"), ValueError, "name")
    sweep(
        T, fn, lambda: {"name": "patches"}, "n", [("0", 0, ValueError), ("float", 2.5, TypeError)]
    )
T = "sparse.dictionary.atom_statistics"
sweep(T, sp_dict.atom_statistics, lambda: {"W": W, "shape": (2, 4)}, "shape",
      [("mismatch", (3, 3), ValueError), ("three", (2, 2, 2), ValueError), ("zero", (0, 8), ValueError)])  # fmt: skip
sweep(T, sp_dict.atom_statistics, lambda: {"W": W, "shape": (2, 4)}, "radius", OPT_POSITIVE)
sweep(T, sp_dict.atom_statistics, lambda: {"W": W, "shape": (2, 4)}, "W", tensor_family(W))
ok(T, "ranges", lambda: sp_dict.atom_statistics(W, (2, 4)),
   lambda s: all(bool(((v >= 0) & (v <= math.pi)).all()) for v in s.values()))  # fmt: skip

T = "sparse.dictionary.stroke_statistics"
sweep(T, sp_dict.stroke_statistics, lambda: {"W": W, "y": Y}, "W", tensor_family(W))
sweep(T, sp_dict.stroke_statistics, lambda: {"W": W, "y": Y}, "y", tensor_family(Y))
raises(T, "mismatch", lambda: sp_dict.stroke_statistics(W, Y[:, :5]), ValueError, "y")
ok(T, "ranges", lambda: sp_dict.stroke_statistics(W, Y),
   lambda s: bool((s["best_cosine"] <= 1 + 1e-12).all() and (s["area"] > 0).all()))  # fmt: skip
T = "sparse.dictionary.gabor_bank"
sweep(T, sp_dict.gabor_bank, lambda: {"shape": (2, 4)}, "shape",
      [("three", (2, 2, 2), ValueError), ("zero", (0, 8), ValueError)])  # fmt: skip
sweep(T, sp_dict.gabor_bank, lambda: {"shape": (2, 4)}, "n_orientations", POS_INT)
ok(T, "unit columns", lambda: sp_dict.gabor_bank((2, 4)),
   lambda G: G.shape == (8, 8 * 8 * 12) and bool(((G.norm(dim=0) - 1).abs() < 1e-9).all()))  # fmt: skip
T = "sparse.dictionary.gabor_similarity"
sweep(T, sp_dict.gabor_similarity, lambda: {"W": W, "shape": (2, 4)}, "W", tensor_family(W))
sweep(T, sp_dict.gabor_similarity, lambda: {"W": W, "shape": (2, 4)}, "shape",
      [("mismatch", (3, 3), ValueError), ("three", (2, 2, 2), ValueError)])  # fmt: skip
ok(T, "ranges", lambda: sp_dict.gabor_similarity(W, (2, 4)),
   lambda g: bool(((g >= 0) & (g <= 1 + 1e-9)).all()))  # fmt: skip

T = "data.contrast_normalize"
sweep(T, data.contrast_normalize, lambda: {"image": IMG}, "image",
      [("constant", np.ones((16, 16)), ValueError), ("nan", np.full((8, 8), NAN), ValueError),
       ("1d", np.ones(8), ValueError)])  # fmt: skip
sweep(T, data.contrast_normalize, lambda: {"image": IMG}, "sigma", POSITIVE)
ok(
    T,
    "unit-variance",
    lambda: data.contrast_normalize(IMG),
    lambda y: abs(y.std() - 1) < 1e-9,
)

T = "conv.transfer.standardize_digits"
sweep(T, conv_transfer.standardize_digits, lambda: {"x": XD}, "x", tensor_family(XD))
ok(T, "standard", lambda: conv_transfer.standardize_digits(XD),
   lambda s: close(s.mean((1, 2, 3)), torch.zeros(6), atol=1e-5))  # fmt: skip
T = "conv.transfer.fit_classifier"


def FCB():
    return {"model": conv.DigitClassifier(csae(), pool=2), "x": XD, "labels": LABELS,
            "train_encoder": False, "n_steps": 2}  # fmt: skip


sweep(T, conv_transfer.fit_classifier, FCB, "labels", [("float", LABELS.float(), TypeError),
      ("shape", LABELS[:5], ValueError), ("class", LABELS + 10, ValueError), ("negative", LABELS - 1, ValueError)])  # fmt: skip
sweep(T, conv_transfer.fit_classifier, FCB, "train_encoder", [("str", "no", TypeError)])
sweep(T, conv_transfer.fit_classifier, FCB, "lr", POSITIVE)
sweep(T, conv_transfer.fit_classifier, FCB, "n_steps", POS_INT)
sweep(T, conv_transfer.fit_classifier, FCB, "model", [("sae", csae(), TypeError)])
ok(T, "loss-falls", lambda: conv_transfer.fit_classifier(**{**FCB(), "n_steps": 30}),
   lambda h: h["loss"][-1] < h["loss"][0])  # fmt: skip
T = "conv.transfer.accuracy"
AB = lambda: {"model": conv.DigitClassifier(csae(), pool=2), "x": XD, "labels": LABELS}  # noqa: E731
sweep(T, conv_transfer.accuracy, AB, "batch_size", POS_INT)
sweep(T, conv_transfer.accuracy, AB, "labels", [("shape", LABELS[:2], ValueError)])
ok(T, "in-range", lambda: conv_transfer.accuracy(**AB()), lambda a: 0 <= a <= 1)
T = "conv.transfer.few_labels"
raises(T, "seeds", lambda: conv_transfer.few_labels(csae(), XD, LABELS, XD, LABELS, seeds=(-1,)),
       ValueError, "seeds")  # fmt: skip

# ---------------------------------------------------------------------------------------------
# the measures of chapters 5 and 6's claims (issue 17): filters, balls, the spring figures

from latentebm.plotting import springs  # noqa: E402

for T, fn in (("conv.preferred_orientation", conv.preferred_orientation),
              ("conv.count_lobes", conv.count_lobes)):  # fmt: skip
    tsweep(T, fn, lambda: {"kernels": KC}, "kernels", KC)
    sweep(T, fn, lambda fn=fn: {"kernels": KC}, "n_fft", POS_INT)
    raises(T, "n_fft-small", lambda fn=fn: fn(KC, n_fft=2), ValueError, "n_fft")
ok("conv.preferred_orientation", "range", lambda: conv.preferred_orientation(KC),
   lambda o: o.shape == (3,) and bool(((o >= 0) & (o < 180)).all()))  # fmt: skip
sweep("conv.count_lobes", conv.count_lobes, lambda: {"kernels": KC}, "rel",
      NONNEG + [("above-1", 1.5, ValueError)])  # fmt: skip
ok(
    "conv.count_lobes",
    "zero-kernel",
    lambda: conv.count_lobes(KC * 0),
    lambda n: n.tolist() == [0] * 3,
)
T = "conv.orientation_coverage"
tsweep(T, conv.orientation_coverage, lambda: {"kernels": KC}, "kernels", KC)
sweep(T, conv.orientation_coverage, lambda: {"kernels": KC}, "threshold", NONNEG)
sweep(T, conv.orientation_coverage, lambda: {"kernels": KC}, "n_bins", POS_INT)
ok(T, "none-oriented", lambda: conv.orientation_coverage(KC, threshold=1.0), lambda n: n == 0)
T = "conv.filter_cosine"
tsweep(T, conv.filter_cosine, lambda: {"encoder": KC, "decoder": KC}, "encoder", KC)
tsweep(T, conv.filter_cosine, lambda: {"encoder": KC, "decoder": KC}, "decoder", KC)
raises(T, "shape", lambda: conv.filter_cosine(KC, KC[:2]), ValueError, "decoder")
ok(T, "self", lambda: conv.filter_cosine(KC, 2 * KC), lambda c: close(c, torch.ones(3)))

LAB4 = torch.tensor([0, 0, 1, 1])
T = "vae.code_information"
sweep(T, vae.code_information, lambda: {"mu": MU, "logvar": LV}, "mu", tensor_family(MU))
sweep(
    T,
    vae.code_information,
    lambda: {"mu": MU, "logvar": LV},
    "logvar",
    [("shape", LV[:2], ValueError)],
)
sweep(T, vae.code_information, lambda: {"mu": MU, "logvar": LV}, "chunk", POS_INT)
sweep(T, vae.code_information, lambda: {"mu": MU, "logvar": LV}, "generator", GENERATOR)
ok(T, "prior-balls", lambda: vae.code_information(MU, LV), lambda i: abs(i) < 1e-12)
T = "vae.ball_overlap"
sweep(
    T, vae.ball_overlap, lambda: {"mu": MU, "logvar": LV, "labels": LAB4}, "mu", tensor_family(MU)
)
sweep(T, vae.ball_overlap, lambda: {"mu": MU, "logvar": LV, "labels": LAB4}, "labels",
      [("float", LAB4.float(), TypeError), ("shape", LAB4[:3], ValueError),
       ("list", [0, 0, 1, 1], TypeError)])  # fmt: skip
raises(T, "one-ball", lambda: vae.ball_overlap(MU[:1], LV[:1], LAB4[:1]), ValueError, "mu")
ok(T, "all-overlap", lambda: vae.ball_overlap(MU, LV, LAB4),
   lambda o: o["same"] == 1.0 and o["different"] == 1.0)  # fmt: skip
T = "vae.nearest_class_shares"
NCS = lambda: {"z": MU, "mu": MU, "labels": LAB4}  # noqa: E731
sweep(T, vae.nearest_class_shares, NCS, "z", tensor_family(MU))
sweep(T, vae.nearest_class_shares, NCS, "mu", [("dims", torch.zeros(4, 3), ValueError)])
sweep(T, vae.nearest_class_shares, NCS, "labels", [("range", LAB4 + 10, ValueError)])
sweep(T, vae.nearest_class_shares, NCS, "n_classes", POS_INT)
ok(T, "sums-to-one", lambda: vae.nearest_class_shares(**NCS()), lambda s: close(s.sum(), 1.0))


def closing(call):
    """Run a figure-drawing call and close its figures (later tests count open figures)."""
    import matplotlib.pyplot as plt

    try:
        return call()
    finally:
        plt.close("all")


def two_axes():
    import matplotlib.pyplot as plt

    return plt.subplots(1, 2)[1]


T = "plotting.springs.draw_springs"
raises(
    T, "axes", lambda: closing(lambda: springs.draw_springs(axes=two_axes())), ValueError, "axes"
)
sweep(T, lambda **kw: closing(lambda: springs.draw_springs(**kw)), lambda: {}, "seed",
      [("str", "0", TypeError), ("-2", -2, ValueError)])  # fmt: skip
ok(T, "three", lambda: closing(springs.draw_springs), lambda axes: len(axes) == 3)
T = "plotting.springs.plot_flight"
BALLS = [(torch.ones(3, 2), torch.ones(3, 2))] * 2
raises(T, "list", lambda: closing(lambda: springs.plot_flight(BALLS)), TypeError, "balls")
raises(T, "axes", lambda: closing(lambda: springs.plot_flight({0.0: BALLS}, axes=two_axes())),
       ValueError, "axes")  # fmt: skip
ok(T, "lines", lambda: closing(lambda: springs.plot_flight({0.0: BALLS})),
   lambda axes: len(axes[0].lines) == 1)  # fmt: skip

# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [])
     for c in CASES],
)  # fmt: skip
def test_case(case: Case):
    if case.warns is not None:
        with pytest.warns(case.warns) as record:
            case.call()
        msg = str(record[0].message)
        for name in case.names:
            assert name in msg, f"{case.id}: the warning does not name {name!r}: {msg}"
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no warning unless the table expects one
        warnings.filterwarnings("ignore", "active_set_cd", RuntimeWarning)  # its sweeps: section 1
        if case.exc is None:
            out = case.call()
            assert case.check(out), f"{case.id}: wrong result"
            return
        with pytest.raises(Exception) as info:
            case.call()
    e = info.value
    assert isinstance(e, case.exc), f"{case.id}: {type(e).__name__}: {e}"
    msg = str(e)
    for name in case.names:
        assert name in msg, f"{case.id}: the message does not name {name!r}: {msg}"
    assert "\n" not in msg.strip() and "\x1b" not in msg, f"{case.id}: not one line: {msg!r}"


# ---------------------------------------------------------------------------------------------
# the book's artefacts (latentebm.chapters)

T = "chapters.load"
raises(T, "unknown", lambda: chapters.load("mnist_dict"), ValueError, "name", "mnist_dictionary")
raises(T, "int", lambda: chapters.load(3), ValueError, "name")
raises(T, "retrain-str", lambda: chapters.load("lista_K1", retrain="yes"), TypeError, "retrain")
ok(T, "committed", lambda: chapters.load("lista_K1"),
   lambda c: lista.LISTA.from_checkpoint(c).n_iter == 1)  # fmt: skip
T = "chapters.settings"
raises(T, "unknown", lambda: chapters.settings("vae"), ValueError, "name")
ok(T, "a-copy", lambda: chapters.settings("mnist_dictionary"),
   lambda d: d == dict(chapters.ARTEFACTS["mnist_dictionary"].settings))  # fmt: skip
T = "chapters.artefact"
raises(T, "unknown", lambda: chapters.artefact(None), ValueError, "name")
ok(T, "named", lambda: chapters.artefact("lista_K3"), lambda a: a.name == "lista_K3")
T = "chapters.dependents"
raises(T, "unknown", lambda: chapters.dependents(["bogus"]), ValueError, "name")
ok(T, "ordered", lambda: chapters.dependents(["mnist_dictionary"]),
   lambda d: d[0] == "mnist_dictionary" and d.index("lista_targets") < d.index("lista_K1"))  # fmt: skip
T = "chapters.Artefact"
raises(T, "read-only-settings",
       lambda: chapters.artefact("lista_K1").settings.__setitem__("lr", 1.0), TypeError)  # fmt: skip
T = "chapters.ARTEFACTS"
ok(T, "one-per-checkpoint", lambda: chapters.ARTEFACTS,
   lambda a: {p.stem for p in ckpts.CHECKPOINT_DIR.glob("*.pt")} == set(a))  # fmt: skip
T = "chapters.ch1_latent.data"
ok(T, "points", lambda: chapters.ch1_latent.data(), lambda y: y.ndim == 2 and y.shape[1] == 2)

# The recipes of the chapters are reached through chapters.load(name) with the settings of their
# chapter's table (the cases above), never called with user arguments: they are listed here, and
# test_every_recipe_is_an_artefacts checks that each is the recipe of an artefact.
RECIPES = {
    "chapters.ch1_latent.train_sweep", "chapters.ch1_latent.train_dims",
    "chapters.ch1_latent.train_noisy", "chapters.ch1_latent.train_ring",
    "chapters.ch2_sparse.train_dictionary",
    "chapters.ch4_lista.train_targets", "chapters.ch4_lista.train_lista_k",
    "chapters.ch5_conv.train_autoencoder", "chapters.ch5_conv.train_few_labels",
    "chapters.ch6_vae.train_mnist_vae",
}  # fmt: skip


def test_every_recipe_is_an_artefacts():
    recipes = {f"{a.recipe.__module__.removeprefix('latentebm.')}.{a.recipe.__name__}"
               for a in latentebm.chapters.ARTEFACTS.values()}  # fmt: skip
    assert recipes == RECIPES


# The modules whose public names must all be in the table: the package and its subpackages (their
# __all__), and the flat modules (every public function and class defined there).
ALL_MODULES = ["latentebm", "latentebm.sparse", "latentebm.conv", "latentebm.data",
               "latentebm.latent", "latentebm.vae", "latentebm.plotting", "latentebm.lista",
               "latentebm.chapters", "latentebm.live"]  # fmt: skip
FLAT_MODULES = ["latentebm.checkpoints", "latentebm.notebook", "latentebm.widgets",
                "latentebm.plotting.diagram", "latentebm.plotting.springs",
                "latentebm.sparse.dictionary",
                "latentebm.conv.train", "latentebm.conv.transfer", "latentebm.chapters.ch1_latent",
                "latentebm.chapters.ch2_sparse", "latentebm.chapters.ch4_lista",
                "latentebm.chapters.ch5_conv", "latentebm.chapters.ch6_vae", "latentebm.live.cells"]  # fmt: skip


def public_names() -> set[str]:
    names = set()
    for mod_name in ALL_MODULES:
        mod = importlib.import_module(mod_name)
        prefix = mod_name.removeprefix("latentebm").lstrip(".")
        for n in mod.__all__:
            if n == "__version__":
                continue
            names.add(f"{prefix}.{n}" if prefix else n)
    for mod_name in FLAT_MODULES:
        mod = importlib.import_module(mod_name)
        prefix = mod_name.removeprefix("latentebm.")
        for n, obj in vars(mod).items():
            if n.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) == mod_name:
                names.add(f"{prefix}.{n}")
    return names


# Names covered through another spelling of the same object.
ALIASES = {
    "plotting.show_atoms": "plotting.show_atoms",
    "live.cells.live_cells": "live.live_cells",
    "live.cells.is_live_cell": "live.is_live_cell",
    "lista.LISTA": "lista.LISTA",
    "sparse.dictionary.learn_dictionary": "sparse.learn_dictionary",
    "sparse.dictionary.normalize_columns": "sparse.normalize_columns",
    "conv.train.train_conv_autoencoder": "conv.train_conv_autoencoder",
    "conv.transfer.DigitClassifier": "conv.DigitClassifier",
    "conv.transfer.few_labels": "conv.few_labels",
}


def test_the_table_covers_every_public_name():
    covered = {c.target for c in CASES} | RECIPES
    missing = sorted(n for n in public_names() if ALIASES.get(n, n) not in covered)
    assert not missing, f"public names without a case in the table: {missing}"
    assert len(CASES) >= 500, len(CASES)


def test_the_table_has_no_unknown_targets():
    known = public_names() | set(ALIASES.values())
    unknown = sorted({c.target for c in CASES} - known)
    assert not unknown, unknown
