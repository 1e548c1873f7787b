"""Chapter 5, convolutional sparse coding: the auto-encoders trained on natural images, and the
few-labels experiment on MNIST.

The auto-encoders (``conv_sae_grey_<m>`` for m in ``GREY_FILTERS``, ``conv_sae_color_32``) are
trained by PSD on scikit-image's photographs, downscaled by 2 (so that 9 x 9 kernels see edges
rather than texture) and whitened up to f0 = 0.25 cycles/pixel (the cut-off keeps pixel noise out
of the filters): a few minutes each on a CPU core. The few-labels table took about 90 s on an
H200 and takes hours on one CPU core: train it with ``--device cuda``.
"""

from __future__ import annotations

import torch

from ..conv import ConvSparseAutoencoder, few_labels, train_conv_autoencoder, train_psd
from ..data import mnist, whitened_images
from .artefacts import Artefact

GREY_FILTERS = (1, 2, 4, 8, 16, 32, 64)  # the filter progression of the chapter
PRETRAINED = "conv_sae_grey_32"  # the encoder of the few-labels experiment

_IMAGES = dict(downscale=2, method="whiten", f0=0.25)
#: name -> the settings that made ``lib/latentebm/checkpoints/<name>.pt``
SETTINGS = {
    **{
        f"conv_sae_grey_{m}": dict(n_filters=m, kernel_size=9, color=False, lam=2.0, n_steps=300,
                                   training="psd", seed=0, **_IMAGES)
        for m in GREY_FILTERS
    },
    # fewer steps in colour: three channels cost more
    "conv_sae_color_32": dict(n_filters=32, kernel_size=9, color=True, lam=2.0, n_steps=200,
                              training="psd", seed=0, **_IMAGES),
    # test accuracy on the 10 000 test digits, for each number of labelled training digits and
    # each random subset (seed), of the four variants of latentebm.conv.few_labels
    "conv_few_labels": dict(n_labels=(30, 100, 300, 1000, 3000), seeds=(0, 1, 2, 3, 4),
                            n_steps=300, pool=4),
}  # fmt: skip


def train_autoencoder(
    n_filters, kernel_size, color, lam, n_steps, training, seed, downscale, method, f0, *,
    device=None, progress=False,
) -> dict:  # fmt: skip
    """One :class:`latentebm.conv.ConvSparseAutoencoder` trained on the whitened photographs:
    ``training="psd"`` (:func:`latentebm.conv.train_psd`, kernels fitted to FISTA's optimal codes
    of 64 x 64 crops) or ``"autoencoder"`` (:func:`latentebm.conv.train_conv_autoencoder`, Adam
    on the energy of the encoder's own code). Returns its checkpoint, the settings in
    ``"config"`` and the training ``"history"``."""
    gen = torch.Generator().manual_seed(seed)
    model = ConvSparseAutoencoder(
        n_filters, kernel_size=kernel_size, in_channels=3 if color else 1, nonlinearity="shrink",
        generator=gen,
    ).to(device)  # fmt: skip
    images = whitened_images(color=color, downscale=downscale, method=method, f0=f0)
    fit = train_psd if training == "psd" else train_conv_autoencoder
    hist = fit(model, images, lam, n_steps=n_steps, generator=gen, progress=progress)
    ckpt = model.checkpoint(history=hist)
    ckpt["config"].update(lam=float(lam), n_steps=n_steps, downscale=downscale, method=method,
                          f0=f0, training=training, seed=seed)  # fmt: skip
    return ckpt


def train_few_labels(n_labels, seeds, n_steps, pool, *, pretrained, device=None, progress=False):
    """:func:`latentebm.conv.few_labels` with the pretrained encoder, on all of MNIST."""
    encoder = ConvSparseAutoencoder.from_checkpoint(pretrained, device)
    x, y = mnist("train")
    x_test, y_test = mnist("test")
    res = few_labels(encoder, x, y, x_test, y_test, n_labels=n_labels, seeds=seeds, pool=pool,
                     n_steps=n_steps)  # fmt: skip
    res["config"] = {"pretrained": PRETRAINED, "n_steps": n_steps, "pool": pool,
                     "device": torch.device(device or "cpu").type, "torch": str(torch.__version__)}  # fmt: skip
    return res


ARTEFACTS = {
    **{name: Artefact(name, "5", train_autoencoder, SETTINGS[name]) for name in SETTINGS
       if name.startswith("conv_sae")},
    "conv_few_labels": Artefact("conv_few_labels", "5", train_few_labels,
                                SETTINGS["conv_few_labels"], needs={"pretrained": PRETRAINED}),
}  # fmt: skip
