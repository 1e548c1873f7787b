"""Batch sparse coding: this library's solvers against scikit-learn's ``sparse_encode``.

This library's contenders: FISTA, adaptive FISTA, block CD and (CPU only) active-set CD.

    nice .venv/bin/python benchmarks/sparse_coding.py              # all problems, 1 thread each
    nice .venv/bin/python benchmarks/sparse_coding.py --threads 2  # 2 threads each
    nice .venv/bin/python benchmarks/sparse_coding.py --problems a --repeats 3
    python benchmarks/sparse_coding.py --device cuda --threads 16 --sklearn-jobs 16   # GPU table
    python benchmarks/sparse_coding.py --device cuda --block-sizes 16 64 --throughput-batch 100000
    python benchmarks/sparse_coding.py --threads 2 --sklearn-jobs 1 2  # both cores, both ways

Every solver minimizes the book's energy ``||y - W z||^2 + lam ||z||_1`` for every row y of a
batch. scikit-learn's ``Lasso`` minimizes ``(1/(2n)) ||y - Wz||^2 + alpha ||z||_1`` on n-dimensional
signals, i.e. alpha = lam / (2n); ``sparse_encode`` divides its alpha by n itself, so we pass
alpha = lam / 2. The script checks this mapping by comparing energies (and shows that the other
natural guess, alpha = lam, solves a different problem).

For each problem it prints the time each solver needs to reach a relative energy gap
``(sum E(z) - sum E*) / sum E*`` of 1e-3 and 1e-6, where E* is the per-signal minimum over two
long float64 solves (FISTA and coordinate descent). "Time to reach gap g" is the time of the
cheapest setting that reaches it: the smallest ``n_iter`` of FISTA and of ``adaptive_fista``,
the smallest ``n_epochs`` of ``block_cd`` (set-up included: Gram matrix, eigenvalues, y W), the
largest ``tol`` of ``active_set_cd`` on the grid 10^(-k/4) (CPU only), the smallest
``max_iter`` of ``lasso_cd`` (its own tolerance is fixed at 1e-8 inside ``sparse_encode``);
``lasso_lars`` is exact, so its total time is reported. Energies are always evaluated in float64.
The settings are found once (untimed, results are deterministic), then all contenders are timed
interleaved in one process (A, B, C, A, B, C, ...) and the minimum over the repeats is kept, so
that every contender sees the same background load.

With ``--device cuda`` this library's solvers run on the GPU (timed with a synchronization before
and after each call) and scikit-learn on the same machine's CPU, with ``--threads`` BLAS threads and
``--sklearn-jobs`` worker processes (``sparse_encode(n_jobs=...)``, which splits the signals: the
way to give coordinate descent several cores).

It also prints FISTA's time per iteration beside the time of a bare matrix product of the same
shapes (the "matmul peak") and the set-up time (Gram matrix, Lipschitz constant, y W).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
import torch
from latentebm.sparse import active_set_cd, adaptive_fista, block_cd, energy, fista
from threadpoolctl import threadpool_limits

warnings.filterwarnings("ignore", module="sklearn")  # ConvergenceWarning at small max_iter
from sklearn.decomposition import sparse_encode  # noqa: E402
from sklearn.linear_model import Lasso  # noqa: E402

GAPS = (1e-3, 1e-6)
# FISTA iteration counts tried (n_iter), scikit-learn's max_iter range (bisected).
FISTA_GRID = sorted({*range(1, 21), *(int(round(20 * 1.1**i)) for i in range(1, 60))})
CD_MAX_ITER = 1000
LARS_SUBSET = 250  # lasso_lars is timed on this many signals and scaled to the batch
LARS_REPEATS = 2
SK_JOBS = None  # sparse_encode's n_jobs for the reference solves and lasso_lars (--sklearn-jobs)
CD_JOBS = (None,)  # lasso_cd is timed with each of these n_jobs (--sklearn-jobs 1 2: both)
DEVICE = torch.device("cpu")  # where this library's solvers run (set by --device)


# ---------------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------------
def synthetic(N, n, m, density=0.1, noise=0.1, seed=0):
    """Signals y = W z + noise from a random unit-norm dictionary and Bernoulli-Gaussian codes."""
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(n, m, generator=g, dtype=torch.float64)
    W /= W.norm(dim=0)
    mask = torch.rand(N, m, generator=g, dtype=torch.float64) < density
    z = torch.randn(N, m, generator=g, dtype=torch.float64) * mask
    y = z @ W.T + noise * torch.randn(N, n, generator=g, dtype=torch.float64)
    return y, W


def mnist_problem(N=1000):
    """The first N MNIST test digits with the sparse-coding chapter's learned dictionary."""
    from latentebm.checkpoints import load, path_of

    path = path_of("mnist_dictionary")
    if not path.exists():
        return (
            None,
            f"skipped: {path} does not exist yet (python -m latentebm.chapters train mnist_dictionary)",
        )
    from latentebm.data import mnist

    ckpt = load(path)
    x, _ = mnist("test")
    y = x[:N].reshape(N, -1).double()
    return (y, ckpt["W"].double(), float(ckpt["lam"])), None


# lam chosen so that the exact codes have 5-15% non-zeros (printed); (c) uses the chapter's lam.
PROBLEMS = {
    "a": ("(a) 1000 x 784, 256 random atoms", lambda: (*synthetic(1000, 784, 256), 0.5)),
    "b": ("(b) 2000 x 100, 400 atoms (4x overcomplete)", lambda: (*synthetic(2000, 100, 400), 1.0)),
    "c": ("(c) 1000 MNIST test digits, learned 256 atoms", None),
}


# ---------------------------------------------------------------------------------------------
# Solvers, as called in the timings
# ---------------------------------------------------------------------------------------------
def run_fista(y, W, lam, k):
    return fista(y, W, lam, n_iter=k)


def run_adaptive(y, W, lam, k):
    return adaptive_fista(y, W, lam, n_iter=k)


def run_block(y, W, lam, k, block_size=16):
    return block_cd(y, W, lam, n_epochs=k, block_size=block_size)


def active_tol(k):
    """The k-th tolerance of active_set_cd's grid: 10^(-k/4), from 0.56 down (1e-6 at k = 24)."""
    return 10 ** (-k / 4)


def run_active(y, W, lam, k):
    return active_set_cd(y, W, lam, tol=active_tol(k), max_sweeps=100_000)


# This library's solvers, in table order (each called with n_iter, n_epochs or the k-th tol); --block-sizes
# adds "block CD B=64" and the like beside the default blocks of 16 atoms.
OURS = {
    "FISTA": run_fista,
    "adaptive FISTA": run_adaptive,
    "block CD": run_block,
    "active-set CD": run_active,
}
THROUGHPUT_BATCH = None  # --throughput-batch: also time one FISTA iteration on this many signals


def run_cd(Y, D, lam, k, n_jobs="default"):
    n_jobs = SK_JOBS if n_jobs == "default" else n_jobs
    return sparse_encode(Y, D, algorithm="lasso_cd", alpha=lam / 2, max_iter=k, n_jobs=n_jobs)


def cd_name(dt, n_jobs):
    return f"lasso_cd {dt}" + (f" (n_jobs={n_jobs})" if len(CD_JOBS) > 1 else "")


def run_lars(Y, D, lam):
    return sparse_encode(Y, D, algorithm="lasso_lars", alpha=lam / 2, n_jobs=SK_JOBS)


def total_energy(y, W, z, lam) -> float:
    z = (z.detach().cpu() if isinstance(z, torch.Tensor) else torch.as_tensor(z)).double()
    return float(energy(y, W, z, lam).sum())


def sync():
    if DEVICE.type == "cuda":
        torch.cuda.synchronize(DEVICE)


def timed(fn):
    sync()
    t0 = time.perf_counter()
    out = fn()
    sync()
    return time.perf_counter() - t0, out


# ---------------------------------------------------------------------------------------------
def bench(key, title, y, W, lam, repeats, threads):
    N, n = y.shape
    m = W.shape[1]
    print(f"\n=== {title}: N={N}, n={n}, m={m}, lam={lam} ===", flush=True)
    y32, W32 = y.float(), W.float()
    # this library's contenders run on DEVICE; the reference and every energy stay on the CPU
    y64d, W64d, y32d, W32d = (t.to(DEVICE) for t in (y, W, y32, W32))
    Y64, D64 = y.numpy(), W.T.contiguous().numpy()  # sklearn: samples x features, atoms as rows
    Y32, D32 = Y64.astype(np.float32), D64.astype(np.float32)

    # Reference: per-signal minimum of two long float64 solves.
    t_ref, z_f = timed(lambda: fista(y, W, lam, n_iter=1500, tol=1e-13))
    t_cd, z_c = timed(lambda: run_cd(Y64, D64, lam, CD_MAX_ITER))
    e_f = energy(y, W, z_f, lam)
    e_c = energy(y, W, torch.from_numpy(z_c), lam)
    e_star = torch.minimum(e_f, e_c)
    E_star = float(e_star.sum())
    z_ref = z_f if float(e_f.sum()) <= float(e_c.sum()) else torch.from_numpy(z_c)
    nnz = float((z_ref != 0).double().mean())
    print(
        f"reference: FISTA float64 {t_ref:.1f} s, lasso_cd float64 (max_iter={CD_MAX_ITER}) "
        f"{t_cd:.1f} s; their relative gaps to the per-signal minimum: "
        f"{(float(e_f.sum()) - E_star) / E_star:.1e} and {(float(e_c.sum()) - E_star) / E_star:.1e}"
    )
    print(f"codes: {100 * nnz:.1f}% non-zeros ({nnz * m:.1f} of {m} per signal)")

    def gap(z):
        return (total_energy(y, W, z, lam) - E_star) / E_star

    # Mapping check on the first 50 signals: alpha = lam/2 in sparse_encode, lam/(2n) in Lasso.
    s = slice(0, 50)
    e_ref = float(e_star[s].sum())
    chk = {
        "sparse_encode(alpha=lam/2)": run_cd(Y64[s], D64, lam, CD_MAX_ITER),
        "Lasso(alpha=lam/(2n))": np.stack(
            [
                Lasso(alpha=lam / (2 * n), fit_intercept=False, tol=1e-10, max_iter=10000)
                .fit(D64.T, Y64[i])
                .coef_
                for i in range(50)
            ]
        ),
        "sparse_encode(alpha=lam) [wrong]": run_cd(Y64[s], D64, lam * 2, CD_MAX_ITER),
    }
    msg = ", ".join(
        f"{name}: {(total_energy(y[s], W, z, lam) - e_ref) / e_ref:+.1e}" for name, z in chk.items()
    )
    print(f"alpha mapping, relative energy gap on 50 signals: {msg}")

    # Find the cheapest setting reaching each gap (untimed; the solvers are deterministic).
    def first_fista(yy, WW, run=run_fista):
        found, curve = {}, []
        for k in FISTA_GRID:
            g = gap(run(yy, WW, lam, k))
            curve.append((k, g))
            for target in GAPS:
                if target not in found and g <= target:
                    found[target] = k
            if len(found) == len(GAPS):
                break
        return found, curve

    def first_cd(YY, DD):
        # Energy decreases with max_iter: gallop (1, 2, 4, ...) then bisect, for each target.
        found, lo, cache = {}, 1, {}

        def gap_at(k):
            if k not in cache:
                cache[k] = gap(run_cd(YY, DD, lam, k))
            return cache[k]

        for target in GAPS:
            hi = lo
            while gap_at(hi) > target and hi < CD_MAX_ITER:
                lo, hi = hi + 1, min(2 * hi, CD_MAX_ITER)
            if gap_at(hi) > target:
                break
            while lo < hi:
                mid = (lo + hi) // 2
                if gap_at(mid) <= target:
                    hi = mid
                else:
                    lo = mid + 1
            found[target] = lo
        return found

    # This library's contenders: name -> (solver, float32 or float64, signals, dictionary).
    ours_runs = {
        f"{solver} {dt}": (run, yy, WW)
        for solver, run in OURS.items()
        for dt, yy, WW in (("float32", y32d, W32d), ("float64", y64d, W64d))
    }
    settings = {name: first_fista(yy, WW, run)[0] for name, (run, yy, WW) in ours_runs.items()}
    settings["lasso_cd float32"] = first_cd(Y32, D32)
    settings["lasso_cd float64"] = first_cd(Y64, D64)
    for name, found in settings.items():
        print(f"  {name}: reaches {', '.join(f'{g:.0e} at {k}' for g, k in found.items())}")
    lars_N = min(N, LARS_SUBSET)
    z_lars = run_lars(Y64[:lars_N], D64, lam)
    e_l = total_energy(y[:lars_N], W, z_lars, lam)
    e_s = float(e_star[:lars_N].sum())
    lars_gap = (e_l - e_s) / e_s
    print(
        f"  lasso_lars float64: gap {lars_gap:.1e} on the first {lars_N} signals (timed there, x{N / lars_N:g})"
    )

    # Per-iteration throughput against the bare product(s) of one iteration.
    matmul, shapes, flops = bare_product(N, W32d)
    k1, k2 = 10, 60

    # Timed contenders, interleaved.
    jobs = {}
    for name, (run, yy, WW) in ours_runs.items():
        for target, k in settings[name].items():
            jobs[(name, target)] = lambda k=k, run=run, yy=yy, WW=WW: run(yy, WW, lam, k)
    jobs[("block epoch", 2)] = lambda: run_block(y32d, W32d, lam, 2)
    jobs[("block epoch", 12)] = lambda: run_block(y32d, W32d, lam, 12)
    jobs[("adaptive iter", k1)] = lambda: run_adaptive(y32d, W32d, lam, k1)
    jobs[("adaptive iter", k2)] = lambda: run_adaptive(y32d, W32d, lam, k2)
    for dt, YY, DD in (("float32", Y32, D32), ("float64", Y64, D64)):
        for target, k in settings[f"lasso_cd {dt}"].items():
            for nj in CD_JOBS:  # the same max_iter: the iterates do not depend on n_jobs
                jobs[(cd_name(dt, nj), target)] = lambda k=k, YY=YY, DD=DD, nj=nj: run_cd(
                    YY, DD, lam, k, nj
                )
    jobs[("lasso_lars float64", "exact")] = lambda: run_lars(Y64[:lars_N], D64, lam)
    jobs[("iter", k1)] = lambda: run_fista(y32d, W32d, lam, k1)
    jobs[("iter", k2)] = lambda: run_fista(y32d, W32d, lam, k2)
    jobs[("iter", 1)] = lambda: run_fista(y32d, W32d, lam, 1)
    jobs[("matmul", 0)] = lambda: [matmul() for _ in range(10)]
    best = {key_: float("inf") for key_ in jobs}
    gc.disable()
    for r in range(repeats):
        for key_, fn in jobs.items():
            if key_[0].startswith("lasso_lars") and r >= LARS_REPEATS:
                continue  # seconds per call, far behind: fewer repeats
            best[key_] = min(best[key_], timed(fn)[0])
    gc.enable()
    best[("lasso_lars float64", "exact")] *= N / lars_N
    t_iter = (best[("iter", k2)] - best[("iter", k1)]) / (k2 - k1)
    t_mm = best[("matmul", 0)] / 10
    setup = best[("iter", 1)] - t_iter
    t_iter_ad = (best[("adaptive iter", k2)] - best[("adaptive iter", k1)]) / (k2 - k1)
    print(
        f"FISTA float32 per iteration: {1e3 * t_iter:.2f} ms; bare matmul {shapes}: "
        f"{1e3 * t_mm:.2f} ms ({flops / t_mm / 1e9:.0f} GFLOP/s): throughput {100 * t_mm / t_iter:.0f}% "
        f"of the matmul peak; set-up {1e3 * setup:.1f} ms (= {setup / t_iter:.1f} iterations)"
    )
    print(
        f"adaptive FISTA float32 per iteration: {1e3 * t_iter_ad:.2f} ms "
        f"({100 * t_mm / t_iter_ad:.0f}% of the matmul peak)"
    )
    t_epoch = (best[("block epoch", 12)] - best[("block epoch", 2)]) / 10
    print(
        f"block CD float32 per epoch: {1e3 * t_epoch:.2f} ms (= {t_epoch / t_iter:.2f} FISTA "
        f"iterations; its products are those of one iteration, in blocks of 16 atoms)"
    )

    # Table.
    rows = []
    ours = tuple(ours_runs)
    cd_rows = {cd_name(dt, nj): f"lasso_cd {dt}" for dt in ("float32", "float64") for nj in CD_JOBS}
    for name in (*ours, *cd_rows):
        cells = []
        for target in GAPS:
            k = settings[cd_rows.get(name, name)].get(target)
            cells.append((best[(name, target)], k) if k is not None else (None, None))
        rows.append((name, cells))
    t_lars = best[("lasso_lars float64", "exact")]
    rows.append(
        ("lasso_lars float64", [(t_lars, "exact") if lars_gap <= g else (None, None) for g in GAPS])
    )
    sk_best = []
    for j in range(len(GAPS)):
        ts = [c[j][0] for nm, c in rows if nm not in ours and c[j][0] is not None]
        sk_best.append(min(ts) if ts else None)
    print(f"\n| {title} | " + " | ".join(f"time to gap {g:.0e}" for g in GAPS) + " |")
    print("|---|" + "---|" * len(GAPS))
    for name, cells in rows:
        out = []
        for (t, k), skb in zip(cells, sk_best, strict=True):
            if t is None:
                out.append("not reached")
                continue
            label = "max_iter" if name not in ours else "n_epochs" if "CD" in name else "n_iter"
            setting = f"{label}={k}"
            if name.startswith("active-set"):
                setting = f"tol={active_tol(k):.1e}"
            s_ = f"{1e3 * t:.1f} ms ({setting})" if k != "exact" else f"{1e3 * t:.1f} ms (exact)"
            if name in ours and skb is not None:
                s_ += f", speed-up **{skb / t:.1f}x** over best sklearn"
            out.append(s_)
        print(f"| {name} | " + " | ".join(out) + " |")
    print(
        f"\nper-iteration: {1e3 * t_iter:.2f} ms vs matmul {1e3 * t_mm:.2f} ms "
        f"({100 * t_mm / t_iter:.0f}%); set-up {1e3 * setup:.1f} ms; {100 * nnz:.1f}% non-zeros",
        flush=True,
    )
    if THROUGHPUT_BATCH:
        throughput_at_scale(y32d, W32d, lam, THROUGHPUT_BATCH, repeats)


def bare_product(N, W):
    """The matrix product(s) of one FISTA iteration on N signals, with the form's shapes and FLOPs.

    Gram form (m < 2n): (N, m) x (m, m); direct form: (N, m) x (m, n) then (N, n) x (n, m).
    """
    n, m = W.shape
    X = torch.randn(N, m, device=DEVICE)
    if m < 2 * n:
        S = torch.randn(m, m, device=DEVICE)
        return (lambda: X @ S), f"({N},{m})x({m},{m})", 2 * N * m * m
    Wt, Wm = W.T.contiguous(), W.contiguous()
    shapes = f"({N},{m})x({m},{n}) then ({N},{n})x({n},{m})"
    return (lambda: (X @ Wt) @ Wm), shapes, 4 * N * m * n


def throughput_at_scale(y, W, lam, N_big, repeats):
    """FISTA float32's time per iteration on N_big signals (the batch tiled) against its products."""
    N = y.shape[0]
    yb = y.repeat(-(-N_big // N), 1)[:N_big].contiguous()
    matmul, _, flops = bare_product(N_big, W)
    k1, k2 = 10, 40
    jobs = {
        k1: lambda: fista(yb, W, lam, n_iter=k1),
        k2: lambda: fista(yb, W, lam, n_iter=k2),
        "matmul": lambda: [matmul() for _ in range(10)],
    }
    best = dict.fromkeys(jobs, float("inf"))
    for _ in range(repeats):
        for key_, fn in jobs.items():
            best[key_] = min(best[key_], timed(fn)[0])
    t_iter = (best[k2] - best[k1]) / (k2 - k1)
    t_mm = best["matmul"] / 10
    print(
        f"at N={N_big} signals (the batch tiled): FISTA float32 per iteration {1e3 * t_iter:.2f} ms, "
        f"bare matmul {1e3 * t_mm:.2f} ms ({flops / t_mm / 1e9:.0f} GFLOP/s): throughput "
        f"{100 * t_mm / t_iter:.0f}% of the matmul peak",
        flush=True,
    )


def numba_version() -> str:
    try:
        import numba
    except ImportError:
        return "not installed"
    return numba.__version__


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--problems", nargs="+", default=["a", "b", "c"], choices=sorted(PROBLEMS))
    p.add_argument(
        "--threads", type=int, default=1, help="threads for torch and for sklearn's BLAS"
    )
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--device", default="cpu", help="where this library's solvers run (cpu, cuda)")
    p.add_argument(
        "--sklearn-jobs",
        type=int,
        nargs="+",
        default=None,
        help="sparse_encode(n_jobs=...) (default: None); several values time lasso_cd with each",
    )
    p.add_argument(
        "--block-sizes",
        type=int,
        nargs="+",
        default=[16],
        help="block_cd block sizes to time (16 = the default, named 'block CD')",
    )
    p.add_argument(
        "--throughput-batch",
        type=int,
        default=None,
        help="also time one FISTA iteration on this many signals (the batch tiled), e.g. 100000",
    )
    a = p.parse_args(argv)
    global DEVICE, SK_JOBS, CD_JOBS, THROUGHPUT_BATCH
    THROUGHPUT_BATCH = a.throughput_batch
    if a.device != "cpu":
        del OURS["active-set CD"]  # a compiled CPU loop
    for B in a.block_sizes:
        if B != 16:
            OURS[f"block CD B={B}"] = lambda y, W, lam, k, B=B: run_block(y, W, lam, k, B)
    DEVICE = torch.device(a.device)
    CD_JOBS = tuple(a.sklearn_jobs) if a.sklearn_jobs else (None,)
    SK_JOBS = CD_JOBS[-1]
    torch.set_num_threads(a.threads)
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(
        f"{datetime.date.today()} | {cpu}, {os.cpu_count()} cores | threads: torch {a.threads}, "
        f"sklearn BLAS {a.threads}, lasso_cd n_jobs {', '.join(map(str, CD_JOBS))} | ours on {DEVICE}"
        + (f" ({torch.cuda.get_device_name(DEVICE)})" if DEVICE.type == "cuda" else "")
        + f" | torch {torch.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, numba {numba_version()}, python {sys.version.split()[0]} | "
        f"load average at start "
        f"{os.getloadavg()[0]:.1f}"
    )
    with threadpool_limits(a.threads):
        for key in a.problems:
            title, make = PROBLEMS[key]
            if key == "c":
                prob, why = mnist_problem()
                if prob is None:
                    print(f"\n=== {title}: {why} ===")
                    continue
                y, W, lam = prob
            else:
                y, W, lam = make()
            bench(key, title, y, W, lam, a.repeats, a.threads)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
