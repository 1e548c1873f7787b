"""Per-iteration time of the sparse solvers (one thread, float64, 1000 signals of 100 values,
400 unit-norm atoms, lam = 0.5), median of 5 runs, as JSON: run it once per library version on
PYTHONPATH, alternating, to compare two versions side by side (benchmarks/README.md, issue 16)."""

import json
import time

import torch
from latentebm.sparse import adaptive_fista, block_cd, fista, ista, normalize_columns

torch.set_num_threads(1)

g = torch.Generator().manual_seed(0)
y = torch.randn(1000, 100, generator=g, dtype=torch.float64)
W = normalize_columns(torch.randn(100, 400, generator=g, dtype=torch.float64))
lam = 0.5
out = {}
for name, f, k in [
    ("ista", ista, 200),
    ("fista", fista, 200),
    ("adaptive_fista", adaptive_fista, 200),
    ("block_cd", block_cd, 20),
]:
    f(y, W, lam, k)  # warm
    ts = []
    for _ in range(5):
        t = time.perf_counter()
        f(y, W, lam, k)
        ts.append((time.perf_counter() - t) / k)
    out[name] = sorted(ts)[2]
print(json.dumps(out))
