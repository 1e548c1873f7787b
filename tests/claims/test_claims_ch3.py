"""The lecture's claims that chapter 3 (ISTA and FISTA) shows, asserted from the library and the
committed chapter-2 dictionary (not from the notebook's stored outputs).

Claim 7: FISTA = ISTA + momentum; its computation graph is a recurrent net.
"""

import math

import pytest
import torch
from latentebm.chapters import load
from latentebm.chapters.ch2_sparse import held_out_signals
from latentebm.sparse import energy, fista, ista, lipschitz, shrink


@pytest.fixture(scope="module")
def problem():
    """The chapter's problem: the committed 256-atom MNIST dictionary and its lam, 20 test
    digits, all in float64; L = ||W||_2^2."""
    ckpt = load("mnist_dictionary")
    W = ckpt["W"].double()
    Y = held_out_signals("mnist", 20).double()
    return Y, W, float(ckpt["lam"]), lipschitz(W)


def test_claim7_ista_is_a_recurrent_net(problem):
    """Claim 7 (the graph): K ISTA iterations are K passes through one recurrent cell,
    z <- shrink(y W_e + z S) with W_e = W / L, S = I - W^T W / L and the threshold lam / (2L)
    of our energy (no 1/2), the same W_e, S and threshold at every step."""
    Y, W, lam, L = problem
    W_e = W / L
    S = torch.eye(W.shape[1], dtype=W.dtype) - W.T @ W / L
    z = torch.zeros(len(Y), W.shape[1], dtype=W.dtype)
    for _ in range(30):
        z = shrink(Y @ W_e + z @ S, lam / (2 * L))
    z_lib = ista(Y, W, lam, n_iter=30, L=L)
    assert (z != 0).any()
    assert float((z - z_lib).abs().max()) < 1e-10


def test_claim7_fista_is_ista_plus_momentum(problem):
    """Claim 7: every FISTA iterate is one ISTA step taken from the extrapolated point
    x_k = z_k + (t_{k-1} - 1) / t_k (z_k - z_{k-1}); with the momentum coefficient at 0 (its
    first step) FISTA is ISTA, and after that the momentum makes a difference."""
    Y, W, lam, L = problem
    K = 8
    iterates = [torch.zeros(len(Y), W.shape[1], dtype=W.dtype)]
    iterates += [fista(Y, W, lam, n_iter=k, L=L, restart=False) for k in range(1, K + 1)]
    t_prev, t = 1.0, 1.0
    x = iterates[0]
    for k in range(K):
        step = ista(Y, W, lam, n_iter=1, z0=x, L=L)  # one ISTA step from x_k
        assert float((step - iterates[k + 1]).abs().max()) < 1e-10, f"iterate {k + 1}"
        t_prev, t = t, (1 + math.sqrt(1 + 4 * t * t)) / 2
        x = iterates[k + 1] + (t_prev - 1) / t * (iterates[k + 1] - iterates[k])
    # momentum off (its coefficient is 0 at the first step): the ISTA iterate
    assert float((iterates[1] - ista(Y, W, lam, n_iter=1, L=L)).abs().max()) < 1e-12
    # momentum on: FISTA's iterates leave ISTA's (not the lecture's "FISTA", which is ISTA)
    assert float((iterates[K] - ista(Y, W, lam, n_iter=K, L=L)).abs().max()) > 1e-2


def test_claim7_fista_rate_beats_ista_rate(problem):
    """Claim 7 (what momentum buys): at equal iterations FISTA's energy gap is below ISTA's
    (from 50 iterations on, more than 10 times below), and both stay under their worst-case bounds (Beck & Teboulle 2009, with the
    Lipschitz constant 2L of our energy's smooth part, from z_0 = 0):
    ISTA  E(z_k) - E* <= L ||z*||^2 / k,  FISTA  E(z_k) - E* <= 4 L ||z*||^2 / (k + 1)^2."""
    Y, W, lam, L = problem
    z_star = fista(Y, W, lam, n_iter=3000, L=L)
    E_star = float(energy(Y, W, z_star, lam).sum())
    R2 = float((z_star**2).sum())
    T = 200
    _, h_ista = ista(Y, W, lam, n_iter=T, L=L, history=True)
    _, h_fista = fista(Y, W, lam, n_iter=T, L=L, history=True, restart=False)
    gap_ista = h_ista.sum(1) - E_star
    gap_fista = h_fista.sum(1) - E_star
    assert float(gap_ista.min()) > -1e-9 and float(gap_fista.min()) > -1e-9  # E* is the minimum
    k = torch.arange(1, T + 1, dtype=W.dtype)
    assert bool((gap_ista[1:] <= L * R2 / k).all())
    assert bool((gap_fista[1:] <= 4 * L * R2 / (k + 1) ** 2).all())
    assert float(gap_fista[20]) < float(gap_ista[20])
    for k in (50, 100, 200):
        assert float(gap_fista[k]) < float(gap_ista[k]) / 10, k
