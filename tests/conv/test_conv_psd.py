import pytest
import torch
from latentebm.conv import ConvSparseAutoencoder, conv_energy, conv_fista, random_crops, train_psd


def _images(g):
    return [torch.randn(1, 40, 40, generator=g).cumsum(-1) * 0.2 for _ in range(3)]


def test_psd_lowers_the_sparse_coding_energy_and_trains_the_encoder():
    g = torch.Generator().manual_seed(0)
    images = _images(g)
    model = ConvSparseAutoencoder(2, kernel_size=5, generator=g)
    Y = random_crops(images, 16, 16, torch.Generator().manual_seed(5))  # (16, 1, 16, 16)
    lam = 0.1

    def optimal_energy():
        K = model.decoder.detach()
        return conv_energy(Y, K, conv_fista(Y, K, lam, n_iter=100), lam).mean().item()

    def encoder_error():
        with torch.no_grad():
            Z = conv_fista(Y, model.decoder.detach(), lam, n_iter=100)
            return (model.encode(Y) - Z).pow(2).sum((1, 2, 3)).mean().item()

    before, enc_before = optimal_energy(), encoder_error()
    hist = train_psd(
        model, images, lam, n_steps=50, batch_size=4, crop_size=16, generator=g, progress=False
    )
    assert set(hist) == {"energy", "recon", "nonzero", "encoder"}
    assert len(hist["energy"]) == 2
    assert model.decoder.shape == (2, 1, 5, 5)
    norms = model.decoder.detach().flatten(1).norm(dim=1)
    assert torch.allclose(norms, torch.ones(2), atol=1e-5)  # unit-norm kernels
    assert optimal_energy() < 0.9 * before
    assert encoder_error() < 0.5 * enc_before


def test_psd_bad_inputs():
    model = ConvSparseAutoencoder(2, kernel_size=5)
    images = _images(torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match="lam"):
        train_psd(model, images, -1.0, n_steps=1, progress=False)
    with pytest.raises(ValueError, match="n_iter"):
        train_psd(model, images, 0.1, n_steps=1, n_iter=0, progress=False)
