"""Convolutional sparse coding: latentebm.conv.conv_fista against SPORCO's ADMM ConvBPDN.

Problem (SPORCO's grey example, cbpdn_gry.py, on skimage's camera): a 256x256 crop of
camera() in [0, 1], high-pass filtered with SPORCO's Tikhonov filter (lambda 10, 16 px pad),
SPORCO's dictionary "G:8x8x32" (32 kernels of 8x8), lmbda = 5e-2, circular boundary.

SPORCO minimizes 1/2||sum_m d_m * x_m - s||^2 + lmbda sum_m ||x_m||_1; we minimize
||...||^2 + lam ||.||_1 with lam = 2 lmbda, i.e. twice SPORCO's objective. Everything below is
reported on SPORCO's scale (our energy / 2), recomputed here in float64 from the returned codes.

Fairness: one process, one torch thread, numpy/pyFFTW single-threaded; the runs are
interleaved (SPORCO, ours, SPORCO, ours, ...) so that both see the same background load, and each
time is the median over repeats. Objective vs time for conv_fista: the objective of every iterate
(from ``history=True``) placed at k * T / n_iter, with T the time of a separate run without
history (iterations cost the same); for SPORCO, its own per-iteration ObjFun and Time statistics.

Run:  OMP_NUM_THREADS=1 .venv/bin/python benchmarks/conv_sparse_coding.py   (needs `sporco`)
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from latentebm import set_threads  # noqa: E402
from latentebm.conv import conv_energy, conv_fista, conv_lipschitz  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
LMBDA = 5e-2


def problem():
    import skimage.data
    from sporco import signal, util

    img = skimage.data.camera()[50:306, 150:406].astype(np.float64) / 255.0  # (256, 256)
    _, sh = signal.tikhonov_filter(img, 10.0, 16)  # high-pass part
    D = util.convdicts()["G:8x8x32"]  # (8, 8, 32)
    return sh, D.astype(np.float64)


def objective(s, D, X, lmbda=LMBDA):
    """SPORCO's objective, computed with our circular operator in float64: (our energy) / 2."""
    Y = torch.from_numpy(s)[None, None]
    K = torch.from_numpy(np.ascontiguousarray(D.transpose(2, 0, 1))).double()[
        :, None
    ]  # (32, 1, 8, 8)
    Z = torch.as_tensor(np.asarray(X).reshape(s.shape + (-1,))).double().permute(2, 0, 1)[None]
    return float(conv_energy(Y, K, Z, 2 * lmbda, boundary="circular")) / 2


def run_sporco(s, D, n_iter, dtype, tol=0.0):
    from sporco.admm import cbpdn

    opt = cbpdn.ConvBPDN.Options(
        {
            "Verbose": False,
            "MaxMainIter": n_iter,
            "RelStopTol": tol,
            "AuxVarObj": False,
            "DataType": dtype,
        }
    )
    b = cbpdn.ConvBPDN(D.astype(dtype), s.astype(dtype), LMBDA, opt)
    t0 = time.perf_counter()
    X = b.solve()
    T = time.perf_counter() - t0
    st = b.getitstat()
    return X, T, np.array(st.ObjFun, dtype=np.float64), np.array(st.Time, dtype=np.float64)


def run_ours(s, D, n_iter, dtype):
    Y = torch.from_numpy(s).to(dtype)[None, None]  # (1, 1, 256, 256)
    K = torch.from_numpy(np.ascontiguousarray(D.transpose(2, 0, 1))).to(dtype)[:, None]
    t0 = time.perf_counter()
    L = conv_lipschitz(K, Y.shape[-2:], "circular")  # exact: max over frequencies
    Z = conv_fista(Y, K, 2 * LMBDA, n_iter=n_iter, boundary="circular", L=L)
    T = time.perf_counter() - t0
    return Z, T


def ours_curve(s, D, n_iter, dtype, T):
    Y = torch.from_numpy(s).to(dtype)[None, None]
    K = torch.from_numpy(np.ascontiguousarray(D.transpose(2, 0, 1))).to(dtype)[:, None]
    _, hist = conv_fista(Y, K, 2 * LMBDA, n_iter=n_iter, boundary="circular", history=True)
    obj = hist[:, 0].double().numpy() / 2
    times = np.arange(len(obj)) * (T / n_iter)
    return obj[1:], times[1:]


def time_to(obj, times, target):
    hit = np.nonzero(obj <= target)[0]
    return float(times[hit[0]]) if hit.size else float("nan")


def main():
    set_threads(1)
    s, D = problem()
    # 1. SPORCO's example run (200 iterations, RelStopTol 5e-3): its "example objective".
    X_ex, T_ex, _, _ = run_sporco(s, D, 200, np.float64, tol=5e-3)
    example_obj = objective(s, D, X_ex)
    print(f"SPORCO example objective {example_obj:.6f} (float64 run, {T_ex:.2f} s)")
    # 2. Long runs, interleaved.
    n_sp, n_ours = (
        int(os.environ.get("BENCH_SPORCO_ITERS", "1000")),
        int(os.environ.get("BENCH_OURS_ITERS", "2000")),
    )
    runs = {}
    for _ in range(REPEATS):
        for name, fn in [
            ("SPORCO ADMM float64", lambda: run_sporco(s, D, n_sp, np.float64)),
            ("conv_fista float64", lambda: run_ours(s, D, n_ours, torch.float64)),
            ("SPORCO ADMM float32", lambda: run_sporco(s, D, n_sp, np.float32)),
            ("conv_fista float32", lambda: run_ours(s, D, n_ours, torch.float32)),
        ]:
            runs.setdefault(name, []).append(fn())
    curves = {}
    for name, rs in runs.items():
        T = statistics.median(r[1] for r in rs)
        if name.startswith("SPORCO"):
            _, _, obj, times = rs[0]
            scale = T / times[-1]  # its own timer, rescaled to the median wall time
            curves[name] = (obj, times * scale, objective(s, D, rs[0][0]))
        else:
            dtype = torch.float64 if "64" in name else torch.float32
            obj, times = ours_curve(s, D, n_ours, dtype, T)
            curves[name] = (obj, times, obj[-1])
    best = min(min(c[0].min(), c[2]) for c in curves.values())
    print(f"best objective found {best:.10f}\n")
    print(
        "| solver | iterations | time (s) | final objective | t to example obj (s) | t to gap 1e-3 (s) | t to gap 1e-6 (s) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, (obj, times, final) in curves.items():
        n = n_sp if name.startswith("SPORCO") else n_ours
        print(
            f"| {name} | {n} | {times[-1]:.2f} | {final:.8f} | {time_to(obj, times, example_obj):.2f} | "
            f"{time_to(obj, times, best * (1 + 1e-3)):.2f} | {time_to(obj, times, best * (1 + 1e-6)):.2f} |"
        )
    print("\nobjective vs time (relative gap to best):")
    for name, (obj, times, _) in curves.items():
        marks = [t for t in (0.5, 1, 2, 4, 8, 16, 32) if times[0] <= t <= times[-1]]
        row = ", ".join(
            f"{t:g}s: {(obj[np.searchsorted(times, t) - 1] - best) / best:.1e}" for t in marks
        )
        print(f"  {name}: {row}")


if __name__ == "__main__":
    main()
