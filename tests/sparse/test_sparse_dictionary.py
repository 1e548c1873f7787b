import warnings

import pytest
import torch
from latentebm.sparse import learn_dictionary, normalize_columns
from latentebm.sparse.dictionary import (
    atom_statistics,
    code_quality,
    gabor_bank,
    gabor_similarity,
    stroke_statistics,
)
from scipy.optimize import linear_sum_assignment


def test_normalize_columns():
    W = normalize_columns(torch.tensor([[3.0, 0.0], [4.0, 2.0]]))
    assert torch.allclose(W.norm(dim=0), torch.ones(2))


def planted(n=16, m=24, N=4000, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    W = normalize_columns(torch.randn(n, m, generator=g))
    Z = torch.zeros(N, m)
    idx = torch.stack([torch.randperm(m, generator=g)[:k] for _ in range(N)])  # (N, k)
    vals = (torch.rand(N, k, generator=g) + 0.5) * torch.where(
        torch.rand(N, k, generator=g) < 0.5, -1.0, 1.0
    )
    Z.scatter_(1, idx, vals)
    return Z @ W.T, W


def planted_gaussian(n=20, m=30, N=2000, density=0.08, noise=0.01, seed=2):
    """Issue 16's problem: unit-norm atoms, 8% non-zero Gaussian codes, a little noise."""
    g = torch.Generator().manual_seed(seed)
    W = normalize_columns(torch.randn(n, m, generator=g))
    Z = torch.randn(N, m, generator=g) * (torch.rand(N, m, generator=g) < density)
    return Z @ W.T + noise * torch.randn(N, n, generator=g), W


def mean_best_cosine(W, W_true):
    """For each true atom, the |cosine| of the learned atom closest to it, averaged."""
    return float((W_true.T @ W).abs().max(1).values.mean())


def test_recovers_planted_dictionary():
    Y, W_true = planted()
    W = learn_dictionary(
        Y, 24, lam=0.1, n_epochs=30, tol=None, generator=torch.Generator().manual_seed(1),
        progress=False,
    )  # fmt: skip
    assert W.shape == (16, 24)
    assert torch.allclose(W.norm(dim=0), torch.ones(24), atol=1e-5)
    C = (W_true.T @ W).abs().numpy()  # |cosine| between true and learned atoms
    rows, cols = linear_sum_assignment(-C)
    assert C[rows, cols].mean() > 0.95


@pytest.mark.slow
def test_the_default_call_converges_on_the_planted_problem():
    """With its defaults, learn_dictionary runs until the energy settles: it recovers the atoms
    (at 20 fixed epochs, the old default, it did not: mean best |cosine| 0.78)."""
    y, W_true = planted_gaussian()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # converged: no warning
        W, hist = learn_dictionary(y, 30, 0.05, progress=False, history=True)
    assert 20 < len(hist["energy"]) < 500  # stopped on its tolerance, before the cap
    assert mean_best_cosine(W, W_true) >= 0.95


def test_tol_only_decides_when_to_stop():
    """The epochs are those of a fixed-length run; the cap warns, tol=None never does."""
    y, _ = planted(N=600)
    kw = dict(n_atoms=24, lam=0.1, progress=False, history=True)
    with pytest.warns(RuntimeWarning, match="n_epochs=4"):
        _, capped = learn_dictionary(y, n_epochs=4, tol=1e-4, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _, fixed = learn_dictionary(y, n_epochs=4, tol=None, **kw)
        _, loose = learn_dictionary(y, n_epochs=60, tol=0.5, **kw)  # settles at once
    assert capped["energy"] == fixed["energy"] and len(fixed["energy"]) == 4
    assert len(loose["energy"]) == 11  # the first epoch, then 10 without a 50% improvement
    assert loose["energy"][:4] == fixed["energy"]


def test_the_cap_warning_reads_well_after_one_epoch():
    """After one epoch there is no trend: the warning says so instead of 'fell by 0 over 0 epochs'."""
    y, _ = planted(N=200)
    with pytest.warns(RuntimeWarning, match="one epoch shows no trend yet") as caught:
        learn_dictionary(y, n_atoms=8, lam=0.1, n_epochs=1, progress=False)
    assert "over the last 0 epochs" not in str(caught[0].message)


def test_history_and_ablation_without_normalization():
    Y, _ = planted(N=1000)
    W, hist = learn_dictionary(
        Y, 24, lam=0.1, n_epochs=5, tol=None, normalize=False, progress=False, history=True
    )
    assert set(hist) == {"energy", "l1", "atom_norm"} and len(hist["energy"]) == 5
    # Without renormalization the atoms grow while the codes shrink.
    assert hist["atom_norm"][-1] > hist["atom_norm"][0] > 1.0
    assert hist["l1"][-1] < hist["l1"][0]


def test_code_quality_of_planted_dictionary():
    Y, W_true = planted(N=200)
    q = code_quality(Y, W_true, lam=0.01, n_iter=500)
    # The true dictionary codes its own signals almost exactly with ~3 atoms each.
    assert q["rel_error"] < 0.02 and 2.5 < q["mean_nnz"] < 6
    q_big = code_quality(Y, W_true, lam=10.0, n_iter=500)  # lam >= 2||W^T y||_inf: z = 0
    assert q_big["mean_nnz"] == 0 and abs(q_big["rel_error"] - 1) < 1e-12


def test_atom_statistics_tells_edges_from_noise():
    x = torch.arange(12.0)
    gabor = (
        torch.exp(-((x[:, None] - 6) ** 2 + (x[None, :] - 6) ** 2) / 8) * torch.cos(1.2 * x)[None]
    )
    W = torch.cat([gabor.reshape(144, 1), normalize_columns(torch.randn(144, 64))], 1)
    s = atom_statistics(W, (12, 12))
    assert set(s) == {"coherence", "localization", "orientation"} and s["coherence"].shape == (65,)
    assert s["coherence"][0] > 0.7 > s["coherence"][1:].median() + 0.5
    assert s["localization"][0] > 0.8 > s["localization"][1:].median() + 0.5
    assert abs(float(s["orientation"][0])) < 1e-6  # vertical stripes: gradient along x


def test_stroke_statistics_tells_parts_from_wholes_and_noise():
    """Whole signals as atoms: best |cosine| 1 and the area of a signal; the left half of each
    signal: cosine ~ 1/sqrt(2) and about half the area; noise: a small cosine, a large area."""
    g = torch.Generator().manual_seed(0)
    y = (torch.rand(40, 64, generator=g, dtype=torch.float64) > 0.7).double()  # 40 blobs of ~19 px
    whole = stroke_statistics(y[:8].T, y)
    assert torch.allclose(whole["best_cosine"], torch.ones(8, dtype=torch.float64))
    assert (whole["area"].mean() - 1).abs() < 0.2
    half = y[:8].clone()
    half[:, 32:] = 0
    parts = stroke_statistics(half.T, y)
    assert 0.6 < parts["best_cosine"].mean() < 0.85 and 0.35 < parts["area"].mean() < 0.65
    noise = stroke_statistics(
        normalize_columns(torch.randn(64, 8, generator=g).double()), y
    )  # 64 px: 1.4
    assert noise["best_cosine"].mean() < 0.5 and noise["area"].mean() > 1.2
    with pytest.raises(ValueError, match="y must have shape"):
        stroke_statistics(y[:8].T, y[:, :10])


def test_gabor_similarity_finds_gabors_and_not_noise():
    G = gabor_bank((12, 12))
    assert G.shape == (144, 144 * 8 * 12) and torch.allclose(
        G.norm(dim=0), torch.ones(G.shape[1], dtype=torch.float64)
    )
    pick = G[:, [5, 1000, 9000]]
    assert torch.allclose(gabor_similarity(pick, (12, 12)), torch.ones(3, dtype=torch.float64))
    noise = normalize_columns(torch.randn(144, 64, generator=torch.Generator().manual_seed(0)))
    assert gabor_similarity(noise, (12, 12)).median() < 0.45
    with pytest.raises(ValueError, match="W must have shape"):
        gabor_similarity(noise, (10, 10))
