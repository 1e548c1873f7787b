"""Compiled (numba) loops of :func:`latentebm.sparse.active_set_cd`, one signal at a time.

Kept apart so that ``import latentebm`` does not import numba; the first call compiles these
functions (a few seconds) and caches the machine code beside this file.
"""

from __future__ import annotations

import numba
import numpy as np

# The first sweep from z = 0 uses this multiple of the threshold lam/2: it activates only the
# strongest atoms (plain coordinate descent from zero activates 3x as many codes as the solution
# has, each costing a column of G, and later prunes them). From z = 0 every code it sets moves
# towards the true one-dimensional minimizer, so the energy still decreases.
FIRST_SWEEP_BOOST = 2.0
# The sweeps over the active set stop once the active problem's duality gap is this fraction of
# the whole problem's gap measured by the round's full sweep: each round cuts the gap about 10x.
INNER_GAP_RATIO = 0.1
# ... or after this many sweeps (doubled each time a round reaches it), so that a full sweep, the
# only place where the active set is corrected, always comes back.
INNER_SWEEPS = 64
# Status of a signal, returned by solve_rows.
CERTIFIED, FIXED_POINT, OUT_OF_SWEEPS = 0, 1, 2


@numba.njit(cache=True, nogil=True, fastmath=True)
def _shrunk(r, half, g, zero):
    """argmin_x g x^2 - 2 r x + 2 half |x|: a coordinate's exact minimizer (zero: typed 0)."""
    if r > half:
        return (r - half) / g
    if r < -half:
        return (r + half) / g
    return zero


@numba.njit(cache=True, nogil=True)
def _gap(q, yy, z, H, half, idx, n):
    """(E(z) - D(theta), E(z)) for ||y - Wz||^2 + 2 half ||z||_1, in float64, over the codes
    ``idx[:n]`` (z, H indexed like idx's positions when ``idx`` is given, else over all of q).

    With q = W^T y, H = G z and c = q - H = W^T r: ||r||^2 = yy - 2 q.z + z.H. The dual point
    theta = s r, s = min(1, half / ||c||_inf), is feasible (||W^T theta||_inf <= half), and
    D(theta) = 2 theta.y - ||theta||^2 <= min E. Since r.y = ||r||^2 + z.c, the gap is

        E - D = (1 - s)^2 ||r||^2 + 2 sum_j |z_j| (half - s c_j sign(z_j)),

    a sum of non-negative terms (s |c_j| <= half): computed without the cancellation of
    E - D evaluated apart, so that it stays accurate to about eps |q| / half relative.
    """
    qz = 0.0
    zH = 0.0
    l1 = 0.0
    cmax = 0.0
    for a in range(n):
        j = idx[a] if idx.shape[0] > 0 else a
        zj = float(z[a])
        qz += float(q[j]) * zj
        zH += zj * float(H[a])
        l1 += abs(zj)
        cmax = max(cmax, abs(float(q[j]) - float(H[a])))
    h = float(half)
    r2 = max(yy - 2.0 * qz + zH, 0.0)
    energy = r2 + 2.0 * h * l1
    s = 1.0 if cmax <= h else h / cmax
    slack = 0.0
    for a in range(n):
        zj = float(z[a])
        if zj != 0.0:
            j = idx[a] if idx.shape[0] > 0 else a
            c = float(q[j]) - float(H[a])
            slack += abs(zj) * h - s * zj * c
    return (1.0 - s) ** 2 * r2 + 2.0 * max(slack, 0.0), energy


@numba.njit(cache=True, nogil=True)
def _energy_change(G, q, half, z, zp, U, nu):
    """E(z) - E(zp), in float64 from the stored G and q, for z and zp zero outside U[:nu]:
    -2 q.(z - zp) + (z - zp).G(z + zp) + 2 half (||z||_1 - ||zp||_1). Accurate to about eps
    times |z - zp| (the energy itself, yy - 2 q.z + z.Gz, only to eps yy): O(nu^2)."""
    lin = 0.0
    quad = 0.0
    l1 = 0.0
    for a in range(nu):
        i = U[a]
        u = float(z[i]) - float(zp[i])
        if u == 0.0:
            continue
        Gi = G[i]
        row = 0.0
        for b in range(nu):
            k = U[b]
            row += float(Gi[k]) * (float(z[k]) + float(zp[k]))
        quad += u * row
        lin += float(q[i]) * u
        l1 += abs(float(z[i])) - abs(float(zp[i]))
    return -2.0 * lin + quad + 2.0 * float(half) * l1


@numba.njit(cache=True, nogil=True)
def _gram_times(G, z, H, H64):
    """H = G z, accumulated in float64 (H64) and rounded to G's dtype (H): for float32 the
    rounding of a sum of large terms that cancel would otherwise limit the codes' accuracy."""
    m = G.shape[0]
    H64[:] = 0.0
    for j in range(m):
        zj = float(z[j])
        if zj != 0.0:
            Gj = G[j]
            for i in range(m):
                H64[i] += float(Gj[i]) * zj
    for i in range(m):
        H[i] = H64[i]


@numba.njit(cache=True, nogil=True, fastmath=True)
def _signal(
    G, diag, q, yy, half_true, tol, max_sweeps, boost, eps, z, H, H64, A, GA, HA, zA, zp, U, out
):
    """Active-set coordinate descent on one signal, z (m,) in place.

    Returns (sweeps made, status, needed), status CERTIFIED, FIXED_POINT or OUT_OF_SWEEPS, and
    ``out[0]`` = its relative duality gap; or needed > 0, the number of active codes when they do
    not fit in GA (z is then left consistent, and the call can be repeated with a larger GA).

    Each round: H = G z, exactly, and the duality gap of z; a full sweep over every coordinate
    (the first one from z = 0 with the threshold times ``boost``), which collects the active set
    A (the non-zero codes); then sweeps over A alone, on compact copies of G_AA and (Gz)_A (an
    update costs |A|, not m), until A's own duality gap is INNER_GAP_RATIO times the whole
    problem's, or no code moves by more than rounding, or after ``cap`` sweeps (INNER_SWEEPS,
    doubled each time a round reaches it). Every sweep but the first uses the true threshold,
    and each lowers the energy.

    It stops at the start of a round once the duality gap certifies a relative energy gap of
    at most ``tol`` (yy = ||y||^2), or at a fixed point in floating point: when a full sweep
    moves no code by more than its rounding (16 eps (|q_j| + |(Gz)_j| + G_jj |z_j|) / G_jj), or
    when a round lowered neither the gap nor the energy (a cycle of rounding errors). Neither
    ``tol`` nor ``max_sweeps`` changes the iterates: they only decide where to stop on one
    sequence, along which the energy decreases, so a smaller tol or more sweeps never give a
    higher energy.
    """
    m = G.shape[0]
    # Constants of G's dtype, so that float32 arithmetic stays float32 (numba types a float32
    # times a Python int or float as float64: `G[0, 0] * 0` would make every sweep's
    # arithmetic float64, with a conversion at each store).
    typed = np.empty(4, G.dtype)
    typed[0], typed[1], typed[2], typed[3] = 0.0, half_true, 16 * eps, half_true * boost
    zero, half, noise, boosted = typed[0], typed[1], typed[2], typed[3]
    none = A[:0]  # empty index list: _gap over all m codes
    cap = INNER_SWEEPS
    sweeps = 0
    first = boost != 1.0
    rel_prev = np.inf
    while sweeps < max_sweeps:
        _gram_times(G, z, H, H64)
        gap, energy = _gap(q, yy, z, H64, half, none, m)
        rel = gap / energy if energy > 0.0 else 0.0
        out[0] = rel
        if rel <= tol:
            return sweeps, CERTIFIED, 0
        if rel >= rel_prev:  # the last round lowered neither the gap nor (below) the energy
            nu = 0  # U: the codes non-zero now or at the previous round's start
            for j in range(m):
                if z[j] != zero or zp[j] != zero:
                    U[nu] = j
                    nu += 1
            if _energy_change(G, q, half, z, zp, U, nu) >= 0.0:
                return sweeps, FIXED_POINT, 0
        rel_prev = np.inf if first else rel  # (a boosted sweep may leave z as it was)
        zp[:] = z
        t = boosted if first else half
        moved = False  # by more than rounding
        na = 0
        for j in range(m):  # full sweep
            old = z[j]
            new = _shrunk(q[j] - H[j] + diag[j] * old, t, diag[j], zero) if diag[j] > 0 else zero
            if new != old:
                dl = new - old
                z[j] = new
                Gj = G[j]
                for i in range(m):
                    H[i] += Gj[i] * dl
                if abs(dl) * diag[j] > noise * (abs(q[j]) + abs(H[j]) + diag[j] * abs(new)):
                    moved = True
            if new != zero:
                A[na] = j
                na += 1
        sweeps += 1
        if not first and not moved:
            return sweeps, FIXED_POINT, 0  # out[0]: the gap before this sweep of rounding moves
        first = False
        if na > GA.shape[0]:
            return sweeps, OUT_OF_SWEEPS, na  # no room for G_AA: the caller grows GA, calls again
        for a in range(na):  # the compact active problem
            j = A[a]
            zA[a] = z[j]
            HA[a] = H[j]
            Gj = G[j]
            for b in range(na):
                GA[a, b] = Gj[A[b]]
        target = INNER_GAP_RATIO * gap
        inner = 0
        while sweeps < max_sweeps:
            if inner == cap:
                cap *= 2  # a full sweep now, and longer rounds from here on
                break
            if inner > 0 and inner % INNER_SWEEPS == 0:  # long rounds: HA = G_AA zA again
                for a in range(na):
                    h = 0.0
                    for b in range(na):
                        h += float(GA[a, b]) * float(zA[b])
                    HA[a] = h
            moved = False
            for a in range(na):
                j = A[a]
                old = zA[a]
                new = _shrunk(q[j] - HA[a] + diag[j] * old, half, diag[j], zero)
                if new != old:
                    dl = new - old
                    zA[a] = new
                    for b in range(na):
                        HA[b] += GA[a, b] * dl
                    if abs(dl) * diag[j] > noise * (abs(q[j]) + abs(HA[a]) + diag[j] * abs(new)):
                        moved = True
            sweeps += 1
            inner += 1
            if not moved or _gap(q, yy, zA, HA, half, A, na)[0] <= target:
                break
        for a in range(na):
            z[A[a]] = zA[a]
    # Out of sweeps: the gap of the codes returned.
    _gram_times(G, z, H, H64)
    gap, energy = _gap(q, yy, z, H64, half, none, m)
    out[0] = gap / energy if energy > 0.0 else 0.0
    return sweeps, CERTIFIED if out[0] <= tol else OUT_OF_SWEEPS, 0


@numba.njit(cache=True, nogil=True)
def solve_rows(G, diag, Q, yy, half, tol, max_sweeps, boost, eps, Z, start, stop):
    """Rows start..stop-1 of Z (N, m) in place; returns their sweeps, status and relative
    duality gaps, each (stop - start,).

    It releases the GIL, so threads can solve disjoint row ranges at once (numba's own parallel
    loops would go through OpenMP, whose thread count torch shares: they changed torch's).
    """
    m = Q.shape[1]
    sweeps = np.zeros(stop - start, np.int64)
    status = np.zeros(stop - start, np.int64)
    gaps = np.zeros(stop - start, np.float64)
    H = np.empty(m, G.dtype)
    H64 = np.empty(m, np.float64)
    A = np.empty(m, np.int64)
    GA = np.empty((min(m, 512), min(m, 512)), G.dtype)  # G_AA; grown if more codes are active
    HA = np.empty(m, G.dtype)
    zA = np.empty(m, G.dtype)
    zp = np.empty(m, G.dtype)  # the codes at the previous full sweep
    U = np.empty(m, np.int64)
    out = np.zeros(1, np.float64)
    for s in range(start, stop):
        done = 0
        first = boost
        while True:
            made, st, need = _signal(
                G, diag, Q[s], yy[s], half, tol, max_sweeps - done, first, eps, Z[s], H, H64, A,
                GA, HA, zA, zp, U, out
            )  # fmt: skip
            done += made
            if need == 0:
                sweeps[s - start] = done
                status[s - start] = st
                gaps[s - start] = out[0]
                break
            GA = np.empty((min(2 * need, m), min(2 * need, m)), G.dtype)
            first = 1.0  # the first sweep is behind: the true threshold from now on
    return sweeps, status, gaps
