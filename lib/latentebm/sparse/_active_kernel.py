"""Compiled (numba) loops of :func:`latentebm.sparse.active_set_cd`, one signal at a time.

Kept apart so that ``import latentebm`` does not import numba; the first call compiles these
functions (a few seconds) and caches the machine code beside this file.
"""

from __future__ import annotations

import numba
import numpy as np

# The first sweep from z = 0 uses this multiple of the threshold lam/2: it activates only the
# strongest atoms (plain coordinate descent from zero activates 3x as many codes as the solution
# has, each costing a column of G, and later prunes them). Measured on the benchmark problems:
# 1.2-1.5x faster overall than 1.0; 1.5 and 3.0 were within 10% of 2.0.
FIRST_SWEEP_BOOST = 2.0


@numba.njit(cache=True, nogil=True, fastmath=True)
def _shrunk(r, half, g, zero):
    """argmin_x g x^2 - 2 r x + 2 half |x|: a coordinate's exact minimizer (zero: typed 0)."""
    if r > half:
        return (r - half) / g
    if r < -half:
        return (r + half) / g
    return zero


@numba.njit(cache=True, nogil=True)
def _relative_gap(q, yy, z, H, half):
    """(E(z) - D(theta)) / E(z) for ||y - Wz||^2 + 2 half ||z||_1, in float64.

    With q = W^T y and H = G z: ||r||^2 = yy - 2 q.z + z.H and W^T r = q - H. The dual point
    theta = s r, s = min(1, half / ||W^T r||_inf), is feasible (||W^T theta||_inf <= half), and
    D(theta) = 2 theta.y - ||theta||^2 <= min E. So the gap bounds the energy's distance to the
    minimum.
    """
    qz = 0.0
    zH = 0.0
    l1 = 0.0
    cmax = 0.0
    for j in range(q.shape[0]):
        qz += float(q[j]) * float(z[j])
        zH += float(z[j]) * float(H[j])
        l1 += abs(float(z[j]))
        cmax = max(cmax, abs(float(q[j]) - float(H[j])))
    r2 = max(yy - 2.0 * qz + zH, 0.0)
    energy = r2 + 2.0 * float(half) * l1
    if energy <= 0.0:
        return 0.0
    s = 1.0 if cmax <= float(half) else float(half) / cmax
    dual = 2.0 * s * (yy - qz) - s * s * r2
    return (energy - dual) / energy


@numba.njit(cache=True, nogil=True, fastmath=True)
def _signal(G, diag, q, yy, half_true, tol, max_sweeps, boost, z, H, A, GA, HA, zA):
    """Active-set coordinate descent on one signal, z (m,) in place.

    Returns the sweeps made (negated when max_sweeps ran out before the stopping test held) and
    0, or the number of active codes when they do not fit in GA (z is then left consistent, and
    the call can be repeated with a larger GA).

    Each round: H = G z, exactly; a full sweep over every coordinate, which collects the active
    set A (the non-zero codes); then sweeps over A alone, on compact copies of G_AA and (Gz)_A (an
    update costs |A|, not m), until no code moves by more than tol times the largest. It stops
    after a full sweep once the duality gap certifies a relative energy gap of at most tol, or
    once a full sweep changes nothing (yy = ||y||^2).
    """
    m = G.shape[0]
    zero = G[0, 0] * 0  # typed constants: float32 arithmetic stays float32
    half = zero + half_true * boost
    sweeps = 0
    while sweeps < max_sweeps:
        H[:] = zero  # H = G z (G is symmetric: row j is column j)
        for j in range(m):
            if z[j] != zero:
                Gj = G[j]
                zj = z[j]
                for i in range(m):
                    H[i] += Gj[i] * zj
        dmax = zero
        na = 0
        for j in range(m):  # full sweep
            old = z[j]
            new = _shrunk(q[j] - H[j] + diag[j] * old, half, diag[j], zero) if diag[j] > 0 else zero
            if new != old:
                dl = new - old
                z[j] = new
                Gj = G[j]
                for i in range(m):
                    H[i] += Gj[i] * dl
                dmax = max(dmax, abs(dl))
            if new != zero:
                A[na] = j
                na += 1
        sweeps += 1
        if half == zero + half_true and (dmax == zero or _relative_gap(q, yy, z, H, half) <= tol):
            return sweeps, 0  # certified by the duality gap, or a fixed point in floating point
        if na > GA.shape[0]:
            return sweeps, na  # no room for G_AA: the caller grows GA and calls again
        for a in range(na):  # the compact active problem
            j = A[a]
            zA[a] = z[j]
            HA[a] = H[j]
            Gj = G[j]
            for b in range(na):
                GA[a, b] = Gj[A[b]]
        while sweeps < max_sweeps:
            dmax = zero
            zmax = zero
            for a in range(na):
                j = A[a]
                old = zA[a]
                new = _shrunk(q[j] - HA[a] + diag[j] * old, half, diag[j], zero)
                if new != old:
                    dl = new - old
                    zA[a] = new
                    for b in range(na):
                        HA[b] += GA[a, b] * dl
                    dmax = max(dmax, abs(dl))
                zmax = max(zmax, abs(new))
            sweeps += 1
            if dmax <= tol * zmax:  # tighter (tol**2) or looser (tol**0.5) was slower
                break
        for a in range(na):
            z[A[a]] = zA[a]
        half = zero + half_true  # the boosted threshold serves the first pass only
    return -sweeps, 0


@numba.njit(cache=True, nogil=True)
def solve_rows(G, diag, Q, yy, half, tol, max_sweeps, boost, Z, start, stop):
    """Rows start..stop-1 of Z (N, m) in place; returns their sweeps (stop - start,), negated
    for the rows that ran out of sweeps.

    It releases the GIL, so threads can solve disjoint row ranges at once (numba's own parallel
    loops would go through OpenMP, whose thread count torch shares: they changed torch's).
    """
    m = Q.shape[1]
    sweeps = np.zeros(stop - start, np.int64)
    H = np.empty(m, G.dtype)
    A = np.empty(m, np.int64)
    GA = np.empty((min(m, 512), min(m, 512)), G.dtype)  # G_AA; grown if more codes are active
    HA = np.empty(m, G.dtype)
    zA = np.empty(m, G.dtype)
    for s in range(start, stop):
        done = 0
        first = boost
        while True:
            made, need = _signal(
                G, diag, Q[s], yy[s], half, tol, max_sweeps - done, first, Z[s], H, A, GA, HA, zA
            )
            done += abs(made)
            if need == 0:
                sweeps[s - start] = done if made > 0 else -done  # certified: at least one sweep
                break
            GA = np.empty((min(2 * need, m), min(2 * need, m)), G.dtype)
            first = 1.0  # the first sweep is behind: the true threshold from now on
    return sweeps
