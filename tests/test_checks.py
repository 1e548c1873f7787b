"""Input validation shared by the library (latentebm._checks)."""

import pytest
import torch
from latentebm._checks import all_finite, as_tensor


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_one_non_finite_entry_is_found(bad, dtype):
    x = torch.randn(50, 7, dtype=dtype)
    x[31, 4] = bad
    assert not all_finite(x)
    with pytest.raises(ValueError, match="y contains NaN or infinite"):
        as_tensor("y", x, ndims=(2,), shape_doc="(N, 7)")


def test_opposite_infinities_are_found():
    x = torch.zeros(10)
    x[2], x[7] = float("inf"), -float("inf")  # their sum is NaN, not inf
    assert not all_finite(x)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_finite_entries_whose_sum_overflows_are_accepted(dtype):
    big = torch.finfo(dtype).max
    x = torch.full((4, 3), big / 2, dtype=dtype)  # every entry finite, the sum is inf
    assert not torch.isfinite(x.sum())
    assert all_finite(x)
    assert as_tensor("W", x, ndims=(2,), shape_doc="(n, m)") is x


# --- validation runs once, at the public face (issue 16): loops call unchecked internals -------

import sys  # noqa: E402

import latentebm._checks  # noqa: E402
from latentebm import conv, latent, lista, sparse, vae  # noqa: E402

# The argument checks; optimizer_step wraps every update and all_finite is also a trainer's
# guard against divergence (once per epoch), so they are not counted.
NOT_VALIDATION = {"optimizer_step", "all_finite"}


def count_checks(call) -> int:
    """How many times the argument checks of latentebm._checks run during ``call()``."""
    calls = 0
    checks_file = latentebm._checks.__file__

    def profile(frame, event, arg):
        nonlocal calls
        code = frame.f_code
        if (
            event == "call"
            and code.co_filename == checks_file
            and code.co_name not in NOT_VALIDATION
        ):
            calls += 1

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return calls


def _sparse_problem(N=64, n=12, m=16):
    g = torch.Generator().manual_seed(0)
    W = torch.nn.functional.normalize(torch.randn(n, m, generator=g), dim=0)
    z = torch.randn(N, m, generator=g) * (torch.rand(N, m, generator=g) < 0.2)
    return z @ W.T + 0.01 * torch.randn(N, n, generator=g), W


def _images():
    g = torch.Generator().manual_seed(0)
    return [torch.randn(1, 24, 24, generator=g).cumsum(-1) * 0.2 for _ in range(2)]


def _digits(n=32):
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, 1, 28, 28, generator=g)


def _lista(K=2):
    y, W = _sparse_problem()
    return lista.LISTA(W, 0.1, K), y, sparse.optimal_codes(y, W, 0.1, max_iter=200)


# name -> a call with a small and a large amount of work (iterations, epochs, minibatches, steps)
def _cases():
    y, W = _sparse_problem()
    model, y_l, z_l = _lista()
    Y = torch.randn(2, 1, 16, 16, generator=torch.Generator().manual_seed(1))
    K = torch.randn(4, 1, 5, 5, generator=torch.Generator().manual_seed(2))
    ebm = latent.LatentEBM(2, lam=[0.1, 0.3], hidden=8)
    y_e = torch.randn(20, 2, generator=torch.Generator().manual_seed(3))
    csae = lambda: conv.ConvSparseAutoencoder(2, kernel_size=5)  # noqa: E731
    vae_model = vae.VAE(latent_dim=2, hidden=16)
    digits = _digits()
    labels = torch.arange(32) % 2
    classifier = conv.DigitClassifier(csae(), pool=2, n_classes=2)
    return {
        "learn_dictionary": lambda k: sparse.learn_dictionary(
            y, 16, 0.1, n_epochs=k, tol=None, batch_size=16, progress=False),
        "optimal_codes": lambda k: sparse.optimal_codes(y, W, 0.1, batch_size=64 // k),
        "predict": lambda k: lista.predict(model, y_l, batch_size=64 // k),
        "train_lista": lambda k: lista.train_lista(model, y_l, z_l, n_epochs=k, batch_size=16,
                                                   progress=False),
        "solver_errors": lambda k: lista.solver_errors(y_l, W, 0.1, z_l, [k], solver="ista"),
        "infer": lambda k: latent.infer(ebm, y_e, n_iter=k),
        "free_energy": lambda k: latent.free_energy(ebm, y_e, chunk=20 // k, n_iter=3),
        "latent.train": lambda k: latent.train(ebm, y_e, n_epochs=k, progress=False),
        "conv_fista": lambda k: conv.conv_fista(Y, K, 0.1, n_iter=k, tol=1e-30),
        "conv_admm": lambda k: conv.conv_admm(Y, K, 0.1, n_iter=3 * k, tol=1e-30, history=True),
        "train_psd": lambda k: conv.train_psd(csae(), _images(), 0.1, n_steps=k, batch_size=2,
                                              crop_size=12, n_iter=3, progress=False),
        "train_conv_autoencoder": lambda k: conv.train_conv_autoencoder(
            csae(), _images(), 0.1, n_steps=k, batch_size=2, crop_size=12, progress=False),
        "fit_classifier": lambda k: conv.transfer.fit_classifier(
            classifier, digits, labels, train_encoder=True, n_steps=k),
        "train_vae": lambda k: vae.train_vae(vae_model, digits, n_epochs=k, batch_size=8,
                                             y_test=digits, track=digits[:4], progress=False),
        "vae.evaluate": lambda k: vae.evaluate(vae_model, digits, batch_size=32 // k),
        "vae.energy": lambda k: vae.energy(vae_model, digits, n_samples=k),
    }  # fmt: skip


CASES = _cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_loops_validate_nothing(name):
    """The checks run as often for 1 unit of work (an iteration, epoch, minibatch or step) as for
    4: once per call, at the public face, never inside the loop."""
    call = CASES[name]
    counts = [count_checks(lambda k=k: call(k)) for k in (1, 2, 4)]
    assert counts[0] == counts[1] == counts[2] > 0, counts
