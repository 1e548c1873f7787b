import pytest
import torch
from latentebm.vae import VAE, evaluate, train_vae


def _digits(n, gen):
    # Tiny synthetic "digits": two classes of noisy bars, values in [0, 1].
    y = torch.zeros(n, 1, 28, 28)
    y[: n // 2, :, 10:18, :] = 1
    y[n // 2 :, :, :, 10:18] = 1
    return (y + 0.1 * torch.rand(y.shape, generator=gen)).clamp(0, 1)


def test_tiny_training_lowers_the_loss_and_records_balls(device, gen):
    torch.manual_seed(0)
    y = _digits(256, gen)
    model = VAE(latent_dim=2, hidden=32).to(device)
    before = evaluate(model, y)["loss"]
    hist = train_vae(
        model,
        y,
        n_epochs=3,
        batch_size=32,
        lr=3e-3,
        y_test=y,
        track=y[:10],
        generator=gen,
        progress=False,
    )
    after = evaluate(model, y)
    assert after["loss"] < 0.7 * before
    assert len(hist["train_loss"]) == len(hist["test_loss"]) == 3
    assert abs(hist["test_loss"][-1] - after["loss"]) < 1e-3
    assert after["kl_per_dim"].shape == (2,)
    assert len(hist["balls"]) == 4 and hist["balls"][0][0].shape == (10, 2)
    assert (hist["balls"][-1][1] > 0).all()


def test_without_spring_the_balls_fly_apart(gen):
    # beta = 0: nothing holds the centres near the origin nor the radii near 1.
    torch.manual_seed(0)
    y = _digits(256, gen)
    model = VAE(latent_dim=2, hidden=32)
    hist = train_vae(
        model,
        y,
        beta=0.0,
        n_epochs=6,
        batch_size=32,
        lr=3e-3,
        y_test=y,
        generator=gen,
        progress=False,
    )
    assert hist["test_mu_norm"][-1] > 2 * hist["test_mu_norm"][0]
    assert hist["test_sigma"][-1] < hist["test_sigma"][0]


def test_sum_reduction_trains_and_bad_reduction_errors(gen):
    torch.manual_seed(0)
    y = _digits(64, gen)
    model = VAE(latent_dim=2, hidden=16)
    before = evaluate(model, y)["loss"]
    train_vae(
        model, y, n_epochs=2, batch_size=16, lr=3e-3, generator=gen, progress=False, reduction="sum"
    )
    assert evaluate(model, y)["loss"] < 0.95 * before
    with pytest.raises(ValueError, match="reduction"):
        train_vae(model, y, n_epochs=1, progress=False, reduction="max")
