"""Every trainer runs on every device and keeps its results there.

The solvers have their own device variants (tests/sparse, tests/conv, tests/test_lista.py,
tests/vae); this file covers the trainers and the data loader, which move tensors between the
caller's data, the model and the generator. The CUDA cases skip where there is no GPU.
"""

import torch
from latentebm.conv import ConvSparseAutoencoder, train_conv_autoencoder, train_psd
from latentebm.data.toy import ellipse
from latentebm.latent import LatentEBM, free_energy, infer, train
from latentebm.plotting import show_atoms
from latentebm.sparse import energy, fista, learn_dictionary


def test_latent_ebm_trains_and_infers_on_device(device, gen):
    y = ellipse(64, noise=0.05, generator=gen).to(device)
    m = LatentEBM(4, lam=[0.0, 0.1], regularizer="l2", hidden=16, generator=gen).to(device)
    hist = train(m, y, n_epochs=20, progress=False)["free_energy"]
    assert hist.shape == (20, 2) and (hist[-1] < hist[0]).all()
    z, E = infer(m, y, n_iter=20)
    assert z.device.type == device.type and E.device.type == device.type
    F = free_energy(m, y, n_iter=20)
    assert F.shape == (2, 64) and F.device.type == device.type


def test_learn_dictionary_on_device(device):
    g = torch.Generator().manual_seed(0)
    W_true = torch.nn.functional.normalize(torch.randn(16, 24, generator=g), dim=0)
    Z = torch.randn(2000, 24, generator=g) * (torch.rand(2000, 24, generator=g) < 0.1)
    Y = (Z @ W_true.T).to(device)
    W = learn_dictionary(Y, 24, lam=0.1, n_epochs=5, tol=None, generator=g, progress=False)
    assert W.device.type == device.type and W.shape == (16, 24)
    assert torch.allclose(W.norm(dim=0), torch.ones(24, device=device), atol=1e-5)
    z = fista(Y[:100], W, 0.1, n_iter=100)
    z0 = torch.zeros_like(z)
    assert energy(Y[:100], W, z, 0.1).mean() < 0.5 * energy(Y[:100], W, z0, 0.1).mean()


def _images(g, device):
    return [(torch.randn(1, 40, 40, generator=g).cumsum(-1) * 0.2).to(device) for _ in range(2)]


def test_conv_trainers_on_device(device):
    g = torch.Generator().manual_seed(0)
    for fit in (train_psd, train_conv_autoencoder):
        model = ConvSparseAutoencoder(2, kernel_size=5, generator=g).to(device)
        hist = fit(
            model, _images(g, device), 0.1, n_steps=4, batch_size=2, crop_size=16,
            generator=g, progress=False,
        )  # fmt: skip
        assert hist and model.decoder.device.type == device.type
        assert torch.isfinite(model.decoder).all()


def test_show_atoms_accepts_device_tensors(device):
    import matplotlib.pyplot as plt

    W = torch.randn(16, 6, device=device)
    ax = show_atoms(W, shape=(4, 4), per_atom_scale=False)
    shown = ax.get_images()[0].get_array()
    assert abs(float(shown.max()) - W.max().item()) < 1e-6  # the values, moved to the host
    plt.close(ax.figure)
