"""The lecture's claims 12-14 (convolutional sparse coding), asserted on the committed checkpoints of
chapter 5 (``conv_sae_grey_<m>``, ``conv_sae_color_32``), independently of the notebook's stored
outputs. Each test would fail on a collapsed or random set of kernels."""

import numpy as np
import pytest
import torch
from latentebm.chapters import load
from latentebm.conv import (
    ConvSparseAutoencoder,
    code_shape,
    conv_fista,
    count_lobes,
    filter_cosine,
    orientation_coverage,
    orientation_selectivity,
    synthesize,
)
from latentebm.data import whitened_images
from scipy.signal import convolve2d

GREY = (1, 2, 4, 8, 16, 32, 64)


@pytest.fixture(scope="module")
def models():
    return {m: ConvSparseAutoencoder.from_checkpoint(load(f"conv_sae_grey_{m}")) for m in GREY}


def decoder(model):
    return model.decoder.detach().double()


def test_claim12_reconstruction_is_a_sum_of_convolutions():
    """Claim 12: Y = sum_i K_i * Z_i. The library's synthesis equals the explicit sum of the
    2-D convolutions of each code map with its kernel (scipy, an independent implementation)."""
    g = torch.Generator().manual_seed(0)
    K = torch.randn(3, 1, 5, 5, generator=g, dtype=torch.float64)
    Z = torch.randn(1, 3, *code_shape((1, 1, 12, 12), 5, "full"), generator=g, dtype=torch.float64)
    Y = synthesize(Z, K, "full")[0, 0].numpy()
    explicit = sum(convolve2d(Z[0, i].numpy(), K[i, 0].numpy(), "valid") for i in range(3))
    assert Y.shape == (12, 12)
    assert np.abs(Y - explicit).max() < 1e-12 * np.abs(explicit).max()


def test_claim12_learned_kernels_code_an_image_sparsely(models):
    """Claim 12: with the 32 learned kernels a few non-zero coefficients reconstruct a whitened
    photograph; random unit kernels with as many non-zeros reconstruct it at least 1.5 times
    worse."""
    cfg = load("conv_sae_grey_32")["config"]
    Y = whitened_images(["camera"], downscale=cfg["downscale"], f0=cfg["f0"])[0][
        None, :, 40:88, 80:128
    ]
    K = models[32].decoder.detach()
    g = torch.Generator().manual_seed(0)
    R = torch.nn.functional.normalize(torch.randn(K.shape, generator=g).flatten(1), dim=1)
    errors = {}
    for name, kernels in (("learned", K), ("random", R.view(K.shape))):
        Z = conv_fista(Y, kernels, cfg["lam"], n_iter=60)
        errors[name] = float((Y - synthesize(Z, kernels)).norm() / Y.norm())
        assert float((Z != 0).float().mean()) < 0.04, name  # sparse code maps
    assert errors["learned"] < 0.2
    assert errors["random"] > 1.5 * errors["learned"]


def test_claim13_one_filter_is_centre_surround(models):
    """Claim 13: with one filter, a centre-surround spot: no orientation (OSI < 0.15), a positive
    centre and a negative ring 2.5-4.5 pixels from it."""
    K = decoder(models[1])[0, 0]
    K = K * torch.sign(K[4, 4])  # the sign of a kernel is arbitrary (the code's sign flips it)
    r = torch.arange(9.0, dtype=torch.float64) - 4
    yy, xx = torch.meshgrid(r, r, indexing="ij")
    radius = torch.sqrt(xx**2 + yy**2)
    assert orientation_selectivity(K[None]).item() < 0.15
    assert K[3:6, 3:6].mean() > 0.5 * K.abs().max()  # the centre holds the largest weights
    assert K[(radius >= 2.5) & (radius <= 4.5)].mean() < 0


def test_claim13_more_filters_more_orientations(models):
    """Claim 13: then oriented edges, and more orientations as the number of filters grows: the
    number of 22.5-degree orientation bins covered by oriented filters (OSI > 0.5) goes 0 (1
    filter) -> at least 3 (4 filters) -> at least 5 (8) -> at least 7 (16 and more)."""
    cover = {m: orientation_coverage(decoder(models[m])) for m in GREY}
    assert cover[1] == 0
    assert cover[4] >= 3 and cover[8] >= 5
    assert all(cover[m] >= 7 for m in (16, 32, 64)), cover
    assert (orientation_selectivity(decoder(models[8])) > 0.5).sum() >= 6  # mostly edges


def test_claim13_gratings_appear_with_many_filters(models):
    """Claim 13: multi-lobed filters (bars and gratings: 3 or more bands of alternating sign)
    among the oriented ones: none up to 4 filters, then more and more; gratings proper (4 or more
    bands) only with 64 filters."""
    lobes = {}
    for m in GREY:
        K = decoder(models[m])
        lobes[m] = count_lobes(K)[orientation_selectivity(K) > 0.5]
    multi = {m: int((lobes[m] >= 3).sum()) for m in GREY}
    assert multi[1] == multi[2] == multi[4] == 0, multi
    assert multi[16] >= 2 and multi[64] >= 10 and multi[64] > multi[16], multi
    assert int((lobes[64] >= 4).sum()) >= 2


def test_encoder_and_decoder_filters_alike_for_few_maps(models):
    """Chapter 5's statement behind the lecture's Fig. 6: encoder and decoder filters look alike.
    Paired cosine above 0.5 (unrelated pairs: about 0.1) up to 8 maps."""
    for m in (2, 4, 8):
        cos = filter_cosine(models[m].encoder.detach(), models[m].decoder.detach())
        E = torch.nn.functional.normalize(models[m].encoder.detach().double().flatten(1), dim=1)
        D = torch.nn.functional.normalize(decoder(models[m]).flatten(1), dim=1)
        unrelated = (E @ D.T)[~torch.eye(m, dtype=torch.bool)].abs().mean()
        assert cos.mean() > 0.5 and cos.mean() > 3 * unrelated, (m, cos.mean(), unrelated)


def test_claim14_colour_kernels_and_sparse_code_maps():
    """Claim 14: on colour images, 9 x 9 x 3 kernels, mostly oriented, with colour (a third of
    their energy off the grey axis), and sparse code maps that reconstruct a colour photograph."""
    ckpt = load("conv_sae_color_32")
    model = ConvSparseAutoencoder.from_checkpoint(ckpt)
    K = model.decoder.detach()
    assert tuple(K.shape) == (32, 3, 9, 9)
    Kd = K.double()
    off_grey = (Kd - Kd.mean(1, keepdim=True)).pow(2).sum((1, 2, 3)) / Kd.pow(2).sum((1, 2, 3))
    assert off_grey.mean() > 0.15  # grey kernels would give 0
    assert orientation_selectivity(K).mean() > 0.45
    cfg = ckpt["config"]
    Y = whitened_images(["chelsea"], color=True, downscale=cfg["downscale"], f0=cfg["f0"])[0]
    Y = Y[None, :, 10:58, 60:108]
    Z = conv_fista(Y, K, cfg["lam"], n_iter=60)
    assert float((Z != 0).float().mean()) < 0.05
    assert float((Y - synthesize(Z, K)).norm() / Y.norm()) < 0.3
