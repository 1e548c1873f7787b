"""Chapter 4's claims of the lecture (issue 17), asserted on the committed LISTA checkpoints."""

from latentebm import chapters
from latentebm.chapters import ch4_lista
from latentebm.checkpoints import dense_codes
from latentebm.lista import LISTA, code_error, predict, solver_errors
from latentebm.sparse import ista, shrink

N = 300  # held-out digits (of the 1000 whose optimal codes are committed)


def test_claim_8_lista_is_a_recurrent_net_with_W_e_and_S():
    """Claim 8: LISTA is a recurrent net z <- shrink(W_e^T y + S z) with learned W_e and S.

    Untrained, it is ISTA exactly; trained, its output is K iterations of that one recurrent
    update with the checkpoint's own W_e, S and thresholds (and they have moved away from ISTA's).
    """
    d = chapters.load("mnist_dictionary")
    W, lam = d["W"].double(), d["lam"]
    y = ch4_lista.test_signals(50).double()
    untrained = LISTA(W, lam, 5).double()
    assert (untrained(y) - ista(y, W, lam, n_iter=5)).abs().max() < 1e-10
    model = LISTA.from_checkpoint(chapters.load("lista_K5")).double()
    W_e, S, theta = model.W_e.detach(), model.S.detach(), model.threshold.detach()
    assert W_e.shape == (784, 256) and S.shape == (256, 256)
    z = shrink(y @ W_e, theta.clamp_min(0))
    for _ in range(4):
        z = shrink(y @ W_e + z @ S, theta.clamp_min(0))
    assert (model(y) - z).abs().max() < 1e-10
    moved = (S - untrained.S.detach()).norm() / untrained.S.detach().norm()
    assert moved > 0.05  # training changed S: a learned recurrent net, not ISTA renamed


def test_claim_9_lista_beats_fista_at_equal_iterations():
    """Claim 9: at equal iterations K, LISTA-K's code error is far below FISTA-K's (from z = 0),
    for every committed K; LISTA-1 beats even FISTA-10."""
    d = chapters.load("mnist_dictionary")
    W, lam = d["W"], d["lam"]
    y = ch4_lista.test_signals(N)
    z_star = dense_codes(chapters.load("lista_targets"))[:N]
    fista_err = solver_errors(y, W, lam, z_star, list(ch4_lista.KS), solver="fista")
    for K, e_fista in zip(ch4_lista.KS, fista_err, strict=True):
        e_lista = code_error(
            predict(LISTA.from_checkpoint(chapters.load(f"lista_K{K}")), y), z_star
        )
        assert e_lista < e_fista / 3, (K, e_lista, e_fista)
    e1 = code_error(predict(LISTA.from_checkpoint(chapters.load("lista_K1")), y), z_star)
    assert e1 < fista_err[-1], (e1, fista_err[-1])
