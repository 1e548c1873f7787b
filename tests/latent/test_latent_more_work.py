"""More work never makes latent inference worse (issue 15): its descent is monotone by construction
(a step that would raise a code's energy is rejected), so the best energy over the restarts can
only fall as ``n_iter`` grows, for every regularizer, and ``free_energy`` with it."""

import pytest
import torch
from latentebm.data import ellipse
from latentebm.latent import LatentEBM, free_energy, infer


@pytest.mark.parametrize("kind", ["none", "l1", "l2", "noisy"])
def test_more_iterations_never_worse(kind):
    model = LatentEBM(2, lam=[0.1, 1.0], regularizer=kind, hidden=16, max_gain=4.0)
    y = ellipse(24, noise=0.05)
    energies = [infer(model, y, n_iter=n, n_restarts=3)[1] for n in (1, 4, 16, 64)]
    E = torch.stack(energies)  # (levels, K, N)
    assert bool((E[1:] <= E[:-1]).all())
    _, E_best, hist = infer(model, y, n_iter=64, n_restarts=3, history=True)
    assert torch.equal(hist[-1], E_best) and bool((hist[1:] <= hist[:-1]).all())
    assert torch.equal(free_energy(model, y, n_iter=64, n_restarts=3), E_best)
