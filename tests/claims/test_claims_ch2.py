"""Chapter 2's claims of the lecture (issue 17), asserted on the committed dictionaries.

Each test would fail on a dictionary of noise or of whole-digit prototypes, and on learning
without the column normalization.
"""

import torch
from latentebm import chapters
from latentebm.chapters.ch2_sparse import held_out_signals, training_signals
from latentebm.sparse import fista, learn_dictionary, normalize_columns
from latentebm.sparse.dictionary import atom_statistics, gabor_similarity, stroke_statistics


def _mnist():
    d = chapters.load("mnist_dictionary")
    return d["W"].double(), d["lam"]


def test_claim_5_a_code_lies_in_the_span_of_a_few_atoms():
    """Claim 5: each digit is approximated in the span of a few atoms of its own choice, a
    piecewise-linear model: the code uses a small fraction of the atoms, the digits use different
    sets of atoms, and the span of a digit's own atoms fits it far better than that of as many
    atoms chosen at random."""
    W, lam = _mnist()
    y = held_out_signals("mnist", 200).double()
    z = fista(y, W, lam, n_iter=300)
    active = z != 0  # (200, 256)
    k = active.sum(1)
    assert k.double().mean() < 0.35 * W.shape[1]  # a few atoms per digit
    assert active.any(0).double().mean() > 0.9  # many subspaces: the digits share few sets
    overlap = (active[:100, None] & active[None, 100:]).sum(-1) / (
        active[:100, None] | active[None, 100:]
    ).sum(-1)
    assert overlap.double().mean() < 0.5
    g = torch.Generator().manual_seed(0)
    own, rand = [], []
    for i in range(50):
        for idx, out in ((active[i].nonzero().flatten(), own),
                         (torch.randperm(W.shape[1], generator=g)[: int(k[i])], rand)):  # fmt: skip
            sol = torch.linalg.lstsq(W[:, idx], y[i, :, None]).solution
            out.append(float((y[i] - (W[:, idx] @ sol)[:, 0]).norm() / y[i].norm()))
    own, rand = torch.tensor(own), torch.tensor(rand)
    assert own.mean() < 0.35 and own.mean() < rand.mean() / 2, (own.mean(), rand.mean())


def test_claim_6_column_normalization_prevents_growing_atoms_and_vanishing_codes():
    """Claim 6: without unit-norm columns, learning grows the atoms and shrinks the codes
    (W -> infinity, z -> 0); with them the atoms stay at norm 1 and the codes keep their size."""
    y = training_signals("mnist", 1000).double()
    hist = {}
    for normalize in (True, False):
        _, hist[normalize] = learn_dictionary(
            y, 32, 0.75, n_epochs=3, tol=None, normalize=normalize, progress=False, history=True,
            generator=torch.Generator().manual_seed(0),
        )  # fmt: skip
    on, off = hist[True], hist[False]
    assert abs(on["atom_norm"][-1] - 1) < 1e-9
    assert min(off["atom_norm"]) > 10  # from 1 at the start
    assert off["l1"][-1] < on["l1"][-1] / 5


def test_claim_10_mnist_atoms_are_strokes():
    """Claim 10: the 256 MNIST atoms are strokes, parts of digits: on average an atom is far from
    every whole training digit and spreads over less than half a digit's area, unlike 256 test
    digits used as atoms (pure prototypes: best |cosine| about 0.85, area 0.9) or the dictionary of
    lambda = 0.75 and 2 epochs this book had before (0.71, 0.63); and they are no noise either
    (random unit vectors: best |cosine| 0.12, area above 3)."""
    W, _ = _mnist()
    s = stroke_statistics(W, training_signals("mnist", 3000))
    assert 0.3 < s["best_cosine"].mean() < 0.65, s["best_cosine"].mean()
    assert s["area"].mean() < 0.5, s["area"].mean()
    digits = stroke_statistics(held_out_signals("mnist", 256).T, training_signals("mnist", 3000))
    assert s["best_cosine"].mean() < digits["best_cosine"].mean() - 0.15
    assert s["area"].mean() < digits["area"].mean() / 2
    noise = normalize_columns(torch.randn(784, 256, dtype=torch.float64,
                                          generator=torch.Generator().manual_seed(0)))  # fmt: skip
    assert stroke_statistics(noise, training_signals("mnist", 2000))["area"].mean() > 2


def test_claim_11_natural_patches_give_gabor_like_atoms():
    """Claim 11: on whitened natural patches the atoms are Gabor-like: most match a Gabor
    function closely, and they are oriented and localized, far above random unit vectors."""
    W = chapters.load("patches_dictionary")["W"].double()
    noise = normalize_columns(torch.randn(144, 256, dtype=torch.float64,
                                          generator=torch.Generator().manual_seed(0)))  # fmt: skip
    g, g0 = gabor_similarity(W, (12, 12)), gabor_similarity(noise, (12, 12))
    assert g.median() > 0.75 and (g > 0.7).double().mean() > 0.8, g.median()
    assert g0.median() < 0.4
    s = atom_statistics(W, (12, 12))
    assert s["coherence"].median() > 0.6 and s["localization"].median() > 0.5
